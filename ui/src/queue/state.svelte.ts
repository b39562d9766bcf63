// What the queue remembers while the person moves between sections: the view or saved filter,
// the filters, the sort and the selected ticket. Kept per window, never on disk.
import type { Priority } from "../lib/generated/Priority";
import type { QueueQuery } from "../lib/generated/QueueQuery";
import type { QueueSort } from "../lib/generated/QueueSort";
import type { QueueView } from "../lib/generated/QueueView";
import type { TicketFilter } from "../lib/generated/TicketFilter";
import type { TicketStatus } from "../lib/generated/TicketStatus";

/** The filters above the table; empty strings mean "any". */
export interface QueueFilters {
  tenant: { id: string; name: string } | null;
  priority: Priority | "";
  status: TicketStatus | "";
  tag: string;
  text: string;
}

export interface QueueState {
  /** The built-in view shown, when no saved filter is. */
  view: QueueView;
  /** The saved filter shown instead of `view`. */
  saved: string | null;
  sort: QueueSort;
  filters: QueueFilters;
  /** The selected ticket, kept across refreshes and while a ticket is open. */
  selectedId: string | null;
}

/** Rows asked for per page (the hub's maximum). */
export const PAGE_SIZE = 200;

export function emptyFilters(): QueueFilters {
  return { tenant: null, priority: "", status: "", tag: "", text: "" };
}

function initial(): QueueState {
  return { view: "mine", saved: null, sort: "sla_due", filters: emptyFilters(), selectedId: null };
}

export const queueState: QueueState = $state(initial());

/** Back to a fresh queue (on sign-out, so the next person starts clean). */
export function resetQueueState(): void {
  Object.assign(queueState, initial());
}

/** Whether any filter above the table is set. */
export function hasFilters(f: QueueFilters): boolean {
  return !!(f.tenant || f.priority || f.status || f.tag.trim() || f.text.trim());
}

/** The filters as a saved filter holds them. */
export function filterOf(f: QueueFilters): TicketFilter {
  const out: TicketFilter = {};
  if (f.tenant) out.tenant_id = f.tenant.id;
  if (f.priority) out.priority = f.priority;
  if (f.status) out.status = f.status;
  if (f.tag.trim()) out.tag = f.tag.trim().toLowerCase();
  if (f.text.trim()) out.text = f.text.trim();
  return out;
}

/** The query for one page of what the queue shows; absent fields are left out, not null. */
export function queryOf(s: Pick<QueueState, "view" | "saved" | "sort" | "filters">, cursor: string | null = null): QueueQuery {
  const q: QueueQuery = { ...filterOf(s.filters), sort: s.sort, limit: PAGE_SIZE };
  if (s.saved) q.saved = s.saved;
  else q.view = s.view;
  if (cursor) q.cursor = cursor;
  return q;
}
