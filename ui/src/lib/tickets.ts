// Tickets as people read them: priority and status words (with the badge colour that goes with
// them, never instead of them), SLA time left, views, and what a write does.
import type { ActionOutcome } from "./generated/ActionOutcome";
import type { AssignTarget } from "./generated/AssignTarget";
import type { EscalationLevel } from "./generated/EscalationLevel";
import type { FieldChange } from "./generated/FieldChange";
import type { OutboxState } from "./generated/OutboxState";
import type { Priority } from "./generated/Priority";
import type { QueueSort } from "./generated/QueueSort";
import type { QueueView } from "./generated/QueueView";
import type { TicketAction } from "./generated/TicketAction";
import type { TicketStatus } from "./generated/TicketStatus";
import type { TicketSummary } from "./generated/TicketSummary";

export const PRIORITIES: readonly Priority[] = ["critical", "high", "medium", "low"];
export const STATUSES: readonly TicketStatus[] = ["new", "open", "pending", "on_hold", "solved", "closed"];
export const VIEWS: readonly QueueView[] = ["mine", "unassigned", "escalated", "breaching_soon", "all_open", "recently_solved"];
export const SORTS: readonly QueueSort[] = ["sla_due", "priority", "updated"];

const PRIORITY_LABELS: Record<Priority, string> = { critical: "Critical", high: "High", medium: "Medium", low: "Low" };
const STATUS_LABELS: Record<TicketStatus, string> = {
  new: "New",
  open: "Open",
  pending: "Pending",
  on_hold: "On hold",
  solved: "Solved",
  closed: "Closed",
};
const VIEW_LABELS: Record<QueueView, string> = {
  mine: "Mine",
  unassigned: "Unassigned",
  escalated: "Escalated",
  breaching_soon: "Breaching soon",
  all_open: "All open",
  recently_solved: "Recently solved",
};
const SORT_LABELS: Record<QueueSort, string> = { sla_due: "SLA due", priority: "Priority", updated: "Updated" };
const OUTBOX_LABELS: Record<OutboxState, string> = { waiting: "Waiting to send", conflict: "Conflict", refused: "Refused" };

/** "Critical". */
export function priorityLabel(p: Priority): string {
  return PRIORITY_LABELS[p];
}

/** The `.badge` class (app.css) that colours a priority; always shown with its label. */
export function priorityClass(p: Priority): string {
  return `badge ${p}`;
}

/** "On hold". */
export function statusLabel(s: TicketStatus): string {
  return STATUS_LABELS[s];
}

/** The `.badge` class for a status: open work stands out, finished work fades. */
export function statusClass(s: TicketStatus): string {
  if (s === "new") return "badge low";
  if (s === "open") return "badge active";
  if (s === "solved" || s === "closed") return "badge deactivated";
  return "badge info";
}

/** "Breaching soon". */
export function viewLabel(v: QueueView): string {
  return VIEW_LABELS[v];
}

/** "SLA due". */
export function sortLabel(s: QueueSort): string {
  return SORT_LABELS[s];
}

/** "Waiting to send". */
export function outboxStateLabel(s: OutboxState): string {
  return OUTBOX_LABELS[s];
}

/** "L2", "L3"; null for the front line, which needs no badge. */
export function escalationBadge(level: EscalationLevel): string | null {
  return level === "l1" ? null : level.toUpperCase();
}

/** "5 min", "2 h 5 min", "3 d 4 h". */
export function formatSpan(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(minutes / (24 * 60));
  const h = Math.floor((minutes % (24 * 60)) / 60);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** How an SLA clock reads now, and how loudly. */
export interface SlaReading {
  /** "12 min left", "overdue 5 min", "paused", "—". */
  text: string;
  tone: "none" | "ok" | "soon" | "overdue" | "paused";
}

/** Within this much of the target a ticket counts as "soon" (amber). */
export const SLA_SOON_MS = 60 * 60_000;

/** The SLA time left on a ticket at `now`. */
export function slaReading(
  t: Pick<TicketSummary, "sla_due_at" | "sla_paused" | "sla_stage" | "sla_state">,
  now: Date = new Date(),
): SlaReading {
  if (t.sla_stage === "done") return { text: "—", tone: "none" };
  if (t.sla_paused) return { text: "paused", tone: "paused" };
  if (!t.sla_due_at) return { text: "—", tone: "none" };
  const ms = new Date(t.sla_due_at).getTime() - now.getTime();
  if (ms < 0) return { text: `overdue ${formatSpan(Math.max(1, Math.ceil(-ms / 60_000)))}`, tone: "overdue" };
  const minutes = Math.floor(ms / 60_000);
  const text = minutes < 1 ? "less than 1 min left" : `${formatSpan(minutes)} left`;
  return { text, tone: ms <= SLA_SOON_MS || t.sla_state !== "ok" ? "soon" : "ok" };
}

/** "First response" / "Resolution": what the SLA clock is measuring. */
export function slaStageLabel(stage: TicketSummary["sla_stage"]): string {
  return stage === "first_response" ? "First response" : stage === "resolution" ? "Resolution" : "Done";
}

function assignText(to: AssignTarget): string {
  switch (to.kind) {
    case "me":
      return "Assign to me";
    case "nobody":
      return "Unassign";
    case "staff":
      return "Assign to a colleague";
    case "group":
      return "Assign round-robin in a group";
  }
}

/** One line saying what a write does: "Reply (then Solved)", "Status → Pending, tags → vip". */
export function describeAction(action: TicketAction): string {
  switch (action.kind) {
    case "reply":
      return action.status ? `Public reply, then set status to ${statusLabel(action.status)}` : "Public reply";
    case "note":
      return "Internal note";
    case "update": {
      const parts: string[] = [];
      if (action.status) parts.push(`status → ${statusLabel(action.status)}`);
      if (action.priority) parts.push(`priority → ${priorityLabel(action.priority)}`);
      if (action.tags) parts.push(`tags → ${action.tags.length ? action.tags.join(", ") : "none"}`);
      const text = parts.join(", ") || "no change";
      return text.charAt(0).toUpperCase() + text.slice(1);
    }
    case "assign":
      return assignText(action.to);
    case "escalate":
      return "Escalate to senior staff";
  }
}

/** The text a person typed in a write (reply, note, escalation reason), if any. */
export function actionText(action: TicketAction): string | null {
  if (action.kind === "reply" || action.kind === "note") return action.body;
  if (action.kind === "escalate") return action.reason;
  return null;
}

/** "status: open → solved" for one history entry. */
export function describeChange(c: FieldChange): string {
  return `${c.field}: ${c.from ?? "—"} → ${c.to ?? "—"}`;
}

/** Tags as typed ("vip, billing  outage") to a clean list without repeats. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const t of text.split(/[\s,]+/)) {
    const tag = t.trim().toLowerCase();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

/** What became of a write: accepted, waiting in the outbox, or stopped there. */
export type OutcomeKind = "sent" | OutboxState;

/** Reads an `ActionOutcome`. */
export function outcomeKind(o: ActionOutcome): OutcomeKind {
  return o.queued ? o.queued.state : "sent";
}
