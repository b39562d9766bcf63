// The queue and the ticket screen, rendered for real in jsdom; only the shell boundary
// (`invoke`) is faked, with a cache of three tickets.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import { tick } from "svelte";
import Queue from "./Queue.svelte";
import { resetQueueState } from "./state.svelte";
import { clearAllDrafts, draftOf, updateDraft } from "../ticket/drafts.svelte";
import { me, queueScreen, ticket, ticketScreen } from "./fixtures";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke }));

let act: (args: Record<string, unknown>) => unknown;
// The hub's version of ticket t1: every accepted write bumps it.
let version = 3;

beforeEach(() => {
  invoke.mockReset();
  resetQueueState();
  clearAllDrafts();
  version = 3;
  act = () => ({ ticket: { ...ticket(1), assignee_id: "s1", assignee_name: "Mia", version: ++version }, queued: null });
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    if (cmd === "queue") return queueScreen();
    if (cmd === "ticket") return ticketScreen(ticket(Number(String(args.id).slice(1)), { version }));
    if (cmd === "ticket_presence") return [{ staff_id: "s2", display_name: "Ana", mode: "replying", since: new Date().toISOString() }];
    if (cmd === "ticket_act") return act(args);
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => cleanup());

const rows = () => [...document.querySelectorAll<HTMLElement>('[data-test="queue-row"]')];

describe("Queue", () => {
  it("lists views with counts, the rows with their columns, and what waits to send", async () => {
    render(Queue, { me });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    const views = screen.getByRole("navigation", { name: "Queue views" });
    expect(within(views).getByRole("button", { name: /Unassigned\s*12,345/ })).toBeTruthy();
    expect(within(views).getByRole("button", { name: /VIP billing\s*7/ })).toBeTruthy();
    const first = rows()[0]!;
    expect(first.textContent).toContain("#1001");
    expect(first.textContent).toContain("High");
    expect(first.textContent).toContain("12 min left");
    expect(rows()[1]!.textContent).toContain("L2");
    expect(screen.getByText("Up to date")).toBeTruthy();
    expect(screen.getByRole("button", { name: "1 waiting to send" })).toBeTruthy();
    expect(invoke).toHaveBeenCalledWith("queue", { query: { view: "mine", sort: "sla_due", limit: 200 } });
  });

  it("moves with the keyboard methods and takes the selected ticket", async () => {
    const { component } = render(Queue, { me });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    component.move(1);
    await tick();
    expect(rows()[1]!.getAttribute("aria-selected")).toBe("true");
    component.move(-1);
    await tick();
    expect(rows()[0]!.getAttribute("aria-selected")).toBe("true");
    component.assignToMe();
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith("ticket_act", { id: "t1", version: 3, action: { kind: "assign", to: { kind: "me" } } }));
    expect(await screen.findByText("#1001: Assign to me. Done.")).toBeTruthy();
  });

  it("opens a ticket with its conversation, presence and cache banner, and keeps the draft", async () => {
    const { component } = render(Queue, { me });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    component.reply();
    expect(await screen.findByRole("heading", { name: "Subject 1" })).toBeTruthy();
    const note = screen.getByRole("article", { name: "Internal note by Ana" });
    expect(note.textContent).toContain("Internal note");
    // Markdown is shown as text, never as HTML.
    const body = screen.getByText("Line one\nLine <i>two</i>", { normalizer: (t) => t });
    expect(body.querySelector("i")).toBeNull();
    expect(document.querySelector('[data-test="presence"]')?.textContent).toContain("Ana is replying — you may answer the same ticket twice");
    expect(screen.getByText(/this is the copy in the cache/)).toBeTruthy();
    expect(screen.getByText("priority: medium → high")).toBeTruthy();

    const text = screen.getByLabelText("Public reply to the requester") as HTMLTextAreaElement;
    await fireEvent.input(text, { target: { value: "Hello Rita" } });
    expect(draftOf("t1").reply).toBe("Hello Rita");
    await component.back();
    expect(screen.queryByRole("heading", { name: "Subject 1" })).toBeNull();
    component.openSelected();
    expect(((await screen.findByLabelText("Public reply to the requester")) as HTMLTextAreaElement).value).toBe("Hello Rita");
  });

  it("changes the open ticket's status only on Save, and escalates with a reason", async () => {
    const { component } = render(Queue, { me });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    component.openSelected();
    await screen.findByRole("heading", { name: "Subject 1" });
    component.changeStatus();
    const props = screen.getByRole("complementary", { name: "Ticket properties" });
    const select = within(props).getByLabelText("Status") as HTMLSelectElement;
    await vi.waitFor(() => expect(document.activeElement).toBe(select));
    await fireEvent.change(select, { target: { value: "pending" } });
    expect(invoke).not.toHaveBeenCalledWith("ticket_act", expect.anything());
    await fireEvent.click(within(props).getByRole("button", { name: "Save" }));
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("ticket_act", { id: "t1", version: 3, action: { kind: "update", status: "pending", priority: null, tags: null } }),
    );

    component.escalate();
    const reason = await screen.findByLabelText("Why does this need senior staff?");
    expect((screen.getByRole("button", { name: /^Escalate\s*Ctrl\+Enter$/ }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(reason, { target: { value: "Needs database access" } });
    await fireEvent.click(screen.getByRole("button", { name: /^Escalate\s*Ctrl\+Enter$/ }));
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("ticket_act", { id: "t1", version: 4, action: { kind: "escalate", reason: "Needs database access" } }),
    );
  });

  it("keeps the text and shows the conflict when the hub has a newer version", async () => {
    act = (args) => ({
      ticket: null,
      queued: {
        id: 9, ticket_id: "t1", ticket_number: 1001, ticket_subject: "Subject 1", base_version: 3, action: args.action,
        state: "conflict", created_at: new Date().toISOString(), error: null,
        conflict: { ticket: { ...ticket(1), status: "solved", version: 5 }, changes: [{ version: 4, at: new Date().toISOString(), actor: "staff:s2", actor_name: "Ana", changes: [{ field: "status", from: "open", to: "solved" }] }], new_messages: [] },
      },
    });
    updateDraft("t1", { reply: "My answer" });
    const { component } = render(Queue, { me });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    component.openSelected();
    await screen.findByRole("heading", { name: "Subject 1" });
    await fireEvent.click(screen.getByRole("button", { name: /Send reply/ }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("region", { name: "Yours (not sent)" }).textContent).toContain("My answer");
    expect(within(dialog).getByRole("region", { name: "On the hub now" }).textContent).toContain("status: open → solved");
    expect(draftOf("t1").reply).toBe("My answer");
  });
});
