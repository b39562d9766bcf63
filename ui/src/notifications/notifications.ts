// What the inbox and the notification settings say, and where opening a notification leads:
// plain functions, tested without a window.
import type { Delivery } from "../lib/generated/Delivery";
import type { InboxItem } from "../lib/generated/InboxItem";
import type { NotificationKind } from "../lib/generated/NotificationKind";
import type { OpenRequest } from "../lib/generated/OpenRequest";

/** Every kind a person can turn off, in the order the settings list them. */
export const KINDS: NotificationKind[] = ["escalation", "assignment", "review", "decision", "grant_expiring", "sla_breach"];

const KIND_LABELS: Record<NotificationKind, { label: string; hint: string }> = {
  escalation: { label: "Escalations", hint: "a ticket escalated to my tier or to me" },
  assignment: { label: "Assignments", hint: "a ticket assigned to me by someone else" },
  review: { label: "Access reviews", hint: "an access request waiting for my review" },
  decision: { label: "Decisions", hint: "my access request approved or denied" },
  grant_expiring: { label: "Expiring access", hint: "my grant ends in 10 minutes" },
  sla_breach: { label: "SLA alarms", hint: "my ticket is about to breach or breached its SLA" },
};

export function kindLabel(kind: NotificationKind): string {
  return KIND_LABELS[kind].label;
}

export function kindHint(kind: NotificationKind): string {
  return KIND_LABELS[kind].hint;
}

/** Why a notification did or did not pop up, as the inbox says it. */
export function deliveryLabel(d: Delivery): string {
  switch (d) {
    case "shown":
      return "Shown as a pop-up";
    case "paused":
      return "Not shown: notifications were paused";
    case "muted":
      return "Not shown: this kind is turned off";
    case "quiet":
      return "Not shown: do-not-disturb hours";
    case "missed":
      return "Arrived while Opsdesk was closed, locked or offline";
    case "unavailable":
      return "Not shown: the desktop has no notification service";
  }
}

/** Where opening a notification leads. */
export type Target =
  | { section: "queue"; ticket: string }
  | { section: "access"; tab: "approvals" | "mine" | "grants"; request: string | null; deny: boolean };

/** The screen that shows what a notification (or a clicked pop-up) is about. */
export function targetOf(item: Pick<InboxItem, "kind" | "subject_kind" | "subject_id"> & { focus?: OpenRequest["focus"] }): Target | null {
  const id = item.subject_id;
  if (!id || !item.subject_kind) return null;
  switch (item.subject_kind) {
    case "ticket":
      return { section: "queue", ticket: id };
    case "access_request":
      return item.kind === "review"
        ? { section: "access", tab: "approvals", request: id, deny: item.focus === "deny" }
        : { section: "access", tab: "mine", request: id, deny: false };
    case "grant":
      return { section: "access", tab: "grants", request: null, deny: false };
    default:
      return null;
  }
}

/** "12", or "99+" past that. */
export function unreadLabel(n: number): string {
  return n > 99 ? "99+" : String(n);
}

/** "22:00:00" from the core as the "22:00" a time input shows. */
export function timeInput(t: string | null): string {
  return t ? t.slice(0, 5) : "";
}

/** A time input's "22:00" as the core's "22:00:00"; empty is none. */
export function timeValue(input: string): string | null {
  return /^\d{2}:\d{2}$/.test(input) ? `${input}:00` : null;
}
