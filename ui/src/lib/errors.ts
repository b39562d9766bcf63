// Turns errors from the core into what a person reads: one sentence, with the lock's end in
// local time when there is one, and which field to fix.
import type { UiError } from "./generated/UiError";
import { formatClock } from "./time";

/** The sentence to show for `e`. */
export function describeError(e: UiError, now: Date = new Date()): string {
  if (e.code === "account_locked" && e.retry_at) {
    return `This account is locked after too many failed attempts. Try again at ${formatClock(new Date(e.retry_at), now)}.`;
  }
  if (e.code === "rate_limited" && e.retry_at) {
    return `Too many attempts from this computer. Try again at ${formatClock(new Date(e.retry_at), now)}.`;
  }
  return e.message;
}

/** Whether retrying the same call may help (the hub was unreachable). */
export function isRetryable(e: UiError): boolean {
  return e.code === "hub_unreachable";
}

/** The error for one form field, if this error names it. */
export function fieldError(e: UiError | null, field: string): string | null {
  return e && e.field === field ? describeError(e) : null;
}
