// The conflict dialog, rendered for real in jsdom; only the shell boundary (`invoke`) is faked.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import ConflictDialog from "./ConflictDialog.svelte";
import type { OutboxItem } from "../lib/generated/OutboxItem";
import type { TicketSummary } from "../lib/generated/TicketSummary";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke }));

const now = new Date("2026-11-21T12:00:00Z");

const ticketNow: TicketSummary = {
  id: "tk1", number: 1042, tenant_id: "tn1", tenant_name: "Acme", requester_name: "Rita", requester_email: "rita@acme.test",
  subject: "Invoices are missing", status: "solved", priority: "high", assignee_id: "s2", assignee_name: "Ana", group_id: null,
  group_name: null, tags: ["billing"], escalation_level: "l1", sla_due_at: null, sla_stage: "done", sla_state: "ok", sla_paused: false,
  merged_into: null, created_at: "2026-11-21T09:00:00Z", updated_at: "2026-11-21T11:58:00Z", version: 7, change_seq: 99,
};

function item(overrides: Partial<OutboxItem> = {}): OutboxItem {
  return {
    id: 12,
    ticket_id: "tk1",
    ticket_number: 1042,
    ticket_subject: "Invoices are missing",
    base_version: 5,
    action: { kind: "reply", body: "Hi Rita,\nthe invoices are back.", status: null },
    state: "conflict",
    created_at: "2026-11-21T11:59:00Z",
    error: { code: "version_conflict", message: "The ticket changed.", field: null, retry_at: null },
    conflict: {
      ticket: ticketNow,
      changes: [{ version: 6, at: "2026-11-21T11:58:00Z", actor: "staff:s2", actor_name: "Ana", changes: [{ field: "status", from: "open", to: "solved" }] }],
      new_messages: [{
        id: "m9", ticket_id: "tk1", kind: "reply", author_id: "s2", author_name: "Ana",
        body: "Fixed on our side, <b>sorry</b>!", created_at: "2026-11-21T11:58:00Z", merged_from: null,
      }],
    },
    ...overrides,
  };
}

const sync = { stale: false, synced_at: "2026-11-21T12:00:00Z", cached_tickets: 10, last_error: null, outbox: [] };

describe("ConflictDialog", () => {
  // Braces: a function returned from beforeEach would run as a teardown.
  beforeEach(() => {
    invoke.mockReset();
  });
  afterEach(() => cleanup());

  it("shows what I wrote next to what changed on the hub, and sends mine anyway", async () => {
    invoke.mockResolvedValue(sync);
    const onresolved = vi.fn();
    render(ConflictDialog, { item: item(), now, onresolved, onclose: vi.fn() });

    const mine = screen.getByRole("region", { name: "Yours (not sent)" });
    expect(mine.textContent).toContain("Hi Rita,\nthe invoices are back.");
    expect(mine.textContent).toContain("Public reply");

    const theirs = screen.getByRole("region", { name: "On the hub now" });
    expect(theirs.textContent).toContain("status: open → solved");
    expect(theirs.textContent).toContain("Ana");
    // The hub's message is shown as text, never as HTML.
    expect(within(theirs).getByText("Fixed on our side, <b>sorry</b>!")).toBeTruthy();
    expect(theirs.querySelector("b")).toBeNull();
    expect(theirs.textContent).toContain("Solved");
    expect(screen.getByText(/you worked from version 5, the hub now has version 7/)).toBeTruthy();

    await fireEvent.click(screen.getByRole("button", { name: "Send mine anyway" }));
    await vi.waitFor(() => expect(onresolved).toHaveBeenCalledWith(sync, "send_anyway"));
    expect(invoke).toHaveBeenCalledWith("outbox_resolve", { id: 12, resolution: "send_anyway" });
  });

  it("offers to copy the text before discarding it", async () => {
    invoke.mockResolvedValue(sync);
    const onresolved = vi.fn();
    render(ConflictDialog, { item: item(), now, onresolved, onclose: vi.fn() });

    await fireEvent.click(screen.getByRole("button", { name: "Discard mine" }));
    expect(invoke).not.toHaveBeenCalled();
    const confirm = screen.getByRole("group", { name: "Confirm discard" });
    expect(within(confirm).getByRole("button", { name: "Copy my text" })).toBeTruthy();

    await fireEvent.click(within(confirm).getByRole("button", { name: "Discard mine" }));
    await vi.waitFor(() => expect(onresolved).toHaveBeenCalledWith(sync, "discard"));
    expect(invoke).toHaveBeenCalledWith("outbox_resolve", { id: 12, resolution: "discard" });
  });

  it("keeps the dialog and says why when resolving fails", async () => {
    invoke.mockRejectedValue({ code: "hub_unreachable", message: "The hub is not reachable.", field: null, retry_at: null });
    const onresolved = vi.fn();
    render(ConflictDialog, { item: item({ action: { kind: "update", status: "pending", priority: null, tags: null } }), now, onresolved, onclose: vi.fn() });
    expect(screen.getByRole("region", { name: "Yours (not sent)" }).textContent).toContain("Status → Pending");
    // Nothing typed, so no copy step.
    await fireEvent.click(screen.getByRole("button", { name: "Discard mine" }));
    expect((await screen.findByRole("alert")).textContent).toContain("not reachable");
    expect(onresolved).not.toHaveBeenCalled();
    // Still open, so the person can try again.
    expect(screen.getByRole("button", { name: "Send mine anyway" })).toBeTruthy();
  });
});
