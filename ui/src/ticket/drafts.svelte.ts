// What people type in a ticket's composer, per ticket, for as long as the window is open: a
// draft survives switching tickets, going back to the queue and a write that did not go through.
// Cleared when the hub accepted the write or the outbox holds it, and on sign-out.
import type { TicketStatus } from "../lib/generated/TicketStatus";

export type ComposerTab = "reply" | "note";

export interface Draft {
  tab: ComposerTab;
  reply: string;
  note: string;
  /** "and set status to …" for a reply; empty for no change. */
  status: TicketStatus | "";
}

const EMPTY: Draft = { tab: "reply", reply: "", note: "", status: "" };

const drafts: Record<string, Draft> = $state({});

/** The draft of one ticket (an empty one when there is none). */
export function draftOf(ticketId: string): Draft {
  return drafts[ticketId] ?? EMPTY;
}

/** Changes part of a ticket's draft. */
export function updateDraft(ticketId: string, patch: Partial<Draft>): void {
  drafts[ticketId] = { ...(drafts[ticketId] ?? EMPTY), ...patch };
}

/** Whether the composer of a ticket holds text (then presence says "replying"). */
export function hasDraftText(ticketId: string): boolean {
  const d = drafts[ticketId];
  return !!d && (d.reply.trim() !== "" || d.note.trim() !== "");
}

/**
 * Empties the reply or note of a ticket once its text was sent or queued; text typed since
 * (different from what was sent) is kept.
 */
export function clearSent(ticketId: string, kind: ComposerTab, sent: string): void {
  const d = drafts[ticketId];
  if (!d || d[kind].trim() !== sent.trim()) return;
  drafts[ticketId] = kind === "reply" ? { ...d, reply: "", status: "" } : { ...d, note: "" };
}

/** Forgets every draft (sign-out). */
export function clearAllDrafts(): void {
  for (const id of Object.keys(drafts)) delete drafts[id];
}
