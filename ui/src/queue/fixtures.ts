// Fixtures for the queue's component tests: a signed-in agent and a cache of three tickets.
import type { Me } from "../lib/generated/Me";
import type { OutboxItem } from "../lib/generated/OutboxItem";
import type { QueueScreen } from "../lib/generated/QueueScreen";
import type { TicketScreen } from "../lib/generated/TicketScreen";
import type { TicketSummary } from "../lib/generated/TicketSummary";

export const me = {
  staff: { id: "s1", username: "me", display_name: "Mia", email: "m@x.test", role: "agent" },
  capabilities: { active: true, permissions: [{ permission: "tickets.read" }, { permission: "tickets.work" }], assignable_roles: [] },
} as unknown as Me;

export function ticket(n: number, over: Partial<TicketSummary> = {}): TicketSummary {
  return {
    id: `t${n}`, number: 1000 + n, tenant_id: "tn1", tenant_name: "Acme", requester_name: "Rita", requester_email: "rita@acme.test",
    subject: `Subject ${n}`, status: "open", priority: "high", assignee_id: null, assignee_name: null, group_id: null, group_name: null,
    tags: [], escalation_level: n === 2 ? "l2" : "l1", sla_due_at: new Date(Date.now() + 12 * 60_000 + 30_000).toISOString(),
    sla_stage: "first_response", sla_state: "ok", sla_paused: false, merged_into: null,
    created_at: new Date().toISOString(), updated_at: new Date().toISOString(), version: 3, change_seq: n, ...over,
  };
}

export const waiting: OutboxItem = {
  id: 5, ticket_id: "t3", ticket_number: 1003, ticket_subject: "Subject 3", base_version: 3,
  action: { kind: "note", body: "Offline note" }, state: "waiting", created_at: new Date().toISOString(), error: null, conflict: null,
};

export function queueScreen(items: TicketSummary[] = [ticket(1), ticket(2), ticket(3)]): QueueScreen {
  return {
    items,
    next_cursor: null,
    counts: { views: [{ view: "mine", count: 3 }, { view: "unassigned", count: 12345 }], saved: [{ id: "f1", count: 7 }] },
    saved_filters: [{ id: "f1", name: "VIP billing", filter: { tag: "vip" }, sort: "sla_due", created_at: new Date().toISOString() }],
    sync: { stale: false, synced_at: new Date().toISOString(), cached_tickets: 3, last_error: null, outbox: [waiting] },
  };
}

export function ticketScreen(t: TicketSummary): TicketScreen {
  return {
    detail: {
      ticket: t,
      messages: [
        { id: "m1", ticket_id: t.id, kind: "reply", author_id: null, author_name: "Rita", body: "Line one\nLine <i>two</i>", created_at: t.created_at, merged_from: null },
        { id: "m2", ticket_id: t.id, kind: "note", author_id: "s2", author_name: "Ana", body: "Checked logs", created_at: t.created_at, merged_from: null },
      ],
      history: [{ version: 2, at: t.created_at, actor: "staff:s2", actor_name: "Ana", changes: [{ field: "priority", from: "medium", to: "high" }] }],
      presence: [{ staff_id: "s2", display_name: "Ana", mode: "replying", since: t.created_at }],
      sla_remaining_ms: 12 * 60_000,
    },
    from_cache: true,
    pending: [],
  };
}
