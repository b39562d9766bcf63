// The signed-in window driven from the keyboard: the queue is the landing section, and the
// queue and ticket keys reach it through the Shell. Only the shell boundary (`invoke`) is faked.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import Shell from "./Shell.svelte";
import { resetQueueState } from "../queue/state.svelte";
import { clearAllDrafts } from "../ticket/drafts.svelte";
import { me, queueScreen, ticket, ticketScreen } from "../queue/fixtures";
import type { AppStatus } from "../lib/generated/AppStatus";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke }));

const status = {
  mode: "remote", hub_url: "https://hub.test", hub_label: "hub.test", hub_reachable: true, hub: null, signed_in: null,
  last_username: null, needs_first_admin: false, idle_lock_minutes: 15, workspace_error: null,
} as unknown as AppStatus;

const rows = () => [...document.querySelectorAll<HTMLElement>('[data-test="queue-row"]')];
const key = (k: string, extra: Record<string, unknown> = {}) => fireEvent.keyDown(window, { key: k, ...extra });

describe("Shell with the queue", () => {
  beforeEach(() => {
    invoke.mockReset();
    resetQueueState();
    clearAllDrafts();
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "queue") return queueScreen();
      if (cmd === "ticket") return ticketScreen(ticket(Number(String(args.id).slice(1))));
      if (cmd === "ticket_presence") return [];
      if (cmd === "ticket_act") return { ticket: { ...ticket(2), status: "pending", version: 4 }, queued: null };
      if (cmd === "sign_out") return null;
      throw new Error(`unexpected ${cmd}`);
    });
  });
  afterEach(() => cleanup());

  it("lands on the queue, moves with J and arrows, opens with Enter and goes back with Esc", async () => {
    render(Shell, { status, me, onsignedout: vi.fn() });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    expect(screen.getByRole("button", { name: "Queue" }).getAttribute("aria-current")).toBe("page");
    expect(rows()[0]!.getAttribute("aria-selected")).toBe("true");

    await key("j");
    await key("ArrowDown");
    await key("k");
    expect(rows()[1]!.getAttribute("aria-selected")).toBe("true");

    await key("Enter");
    expect(await screen.findByRole("heading", { name: "Subject 2" })).toBeTruthy();
    await key("Escape");
    await vi.waitFor(() => expect(screen.queryByRole("heading", { name: "Subject 2" })).toBeNull());
    expect(rows()[1]!.getAttribute("aria-selected")).toBe("true");
  });

  it("changes the status of the selected row with S, and lists the queue keys in the help overlay", async () => {
    render(Shell, { status, me, onsignedout: vi.fn() });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    await key("j");
    await key("s");
    const dialog = await screen.findByRole("dialog", { name: "Status of #1002" });
    // Keys typed in a dialog stay there.
    await key("j");
    expect(rows()[1]!.getAttribute("aria-selected")).toBe("true");
    await fireEvent.change(dialog.querySelector("select")!, { target: { value: "pending" } });
    await fireEvent.click(screen.getByRole("button", { name: "Change status" }));
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("ticket_act", { id: "t2", version: 3, action: { kind: "update", status: "pending", priority: null, tags: null } }),
    );
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    await key("?");
    const help = await screen.findByRole("dialog", { name: "Keyboard shortcuts" });
    expect(help.textContent).toContain("Escalate the selected ticket (asks for a reason)");
    expect(help.textContent).toContain("↓");
  });

  it("goes to Access with G A and shows the tenant in scope in the header", async () => {
    const agent = { ...me, capabilities: { ...me.capabilities, permissions: [...me.capabilities.permissions, { permission: "access.request_read" }] } } as typeof me;
    const acme = { id: "tn1", name: "Acme Corp", slug: "acme" };
    const grant = {
      id: "g1", request_id: "r1", tenant: acme, holder: { id: "s1", display_name: "Mia", role: "agent" }, scope: "read",
      starts_at: new Date(Date.now() - 60_000).toISOString(), ends_at: new Date(Date.now() + 3600_000 + 5 * 60_000).toISOString(),
      ended_at: null, end_reason: null, ended_by: null, end_comment: null, state: "active",
    };
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "queue") return queueScreen();
      if (cmd === "tenant_scope") return { tenant: acme, grant, grants: [grant], ended: null };
      if (cmd === "access_policy") return new Promise(() => {});
      throw new Error(`unexpected ${cmd}`);
    });
    render(Shell, { status, me: agent, onsignedout: vi.fn() });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    const switcher = document.querySelector<HTMLElement>('[data-test="tenant-switcher"]')!;
    await vi.waitFor(() => expect(switcher.textContent).toMatch(/Acme Corp · read · 1:0\d:\d\d left/));
    await key("g");
    await key("a");
    expect(await screen.findByRole("heading", { name: "Access" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Access" }).getAttribute("aria-current")).toBe("page");
    expect(screen.getByRole("tab", { name: "Request access" }).getAttribute("aria-selected")).toBe("true");
  });
});
