// The Staff screen rendered for real in jsdom; the shell boundary (`invoke`) is faked, and so are
// live events (`listen`), delivered as the shell would send them: the list follows staff changes
// on the hub, an open person follows changes about them, and a choice not saved yet is never
// swapped out by one.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/svelte";
import Staff from "./Staff.svelte";
import type { LiveEvents } from "../lib/live";
import type { ClearanceView } from "../lib/generated/ClearanceView";
import type { LiveChange } from "../lib/generated/LiveChange";
import type { Me } from "../lib/generated/Me";
import type { Permission } from "../lib/generated/Permission";
import type { Role } from "../lib/generated/Role";
import type { SessionView } from "../lib/generated/SessionView";
import type { StaffView } from "../lib/generated/StaffView";

const { invoke, handlers } = vi.hoisted(() => ({
  invoke: vi.fn(),
  handlers: new Map<string, Array<(e: { payload: unknown }) => void>>(),
}));
vi.mock("@tauri-apps/api/core", () => ({ invoke }));
vi.mock("@tauri-apps/api/event", () => ({
  listen: async (name: string, h: (e: { payload: unknown }) => void) => {
    handlers.set(name, [...(handlers.get(name) ?? []), h]);
    return () => handlers.set(name, (handlers.get(name) ?? []).filter((x) => x !== h));
  },
}));

/** What the shell would emit: only its events, each with its payload's type (so a name or an
 * event kind the shell never sends fails the type check). */
function emit<K extends keyof LiveEvents>(name: K, payload: LiveEvents[K]) {
  for (const h of handlers.get(name) ?? []) h({ payload });
}

const staffChanged = (id: string): LiveChange[] => [{ kind: "staff_changed", subject_kind: "staff", subject_id: id }];

const ALL: Permission[] = ["staff.read", "staff.manage", "sessions.revoke_any", "onboarding.record"];
const me = {
  staff: { id: "a1", username: "root.admin", display_name: "Root Admin", email: "root@x.test", role: "admin" },
  capabilities: {
    active: true,
    permissions: ALL.map((permission) => ({ permission })),
    assignable_roles: ["viewer", "agent", "senior_agent", "engineer", "manager", "security_officer"],
  },
} as unknown as Me;

function person(id: string, name: string, role: Role, version = 1): StaffView {
  const at = "2026-01-01T00:00:00Z";
  return {
    id, username: name.toLowerCase(), display_name: name, email: `${id}@x.test`, role, status: "active", mfa_enrolled: true,
    locked_until: null, created_at: at, updated_at: at, version,
  };
}

function cleared(id: string, done: boolean, version: number): ClearanceView {
  const at = done ? "2026-02-01T00:00:00Z" : null;
  return {
    staff_id: id, nda_at: at, background_check_at: at, training_at: at, complete: done,
    missing: done ? [] : ["nda", "background_check", "training"], recorded_by: null, version,
  };
}

function session(id: string): SessionView {
  const at = new Date().toISOString();
  return { id, staff_id: "b1", created_at: at, last_seen_at: at, expires_at: at, client_addr: "10.0.0.7", user_agent: "Opsdesk", current: false };
}

// The hub as the screen reads it; tests change it, then emit what the shell would.
let hub: { staff: StaffView[]; clearance: Record<string, ClearanceView>; sessions: Record<string, SessionView[]> };

beforeEach(() => {
  (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
  handlers.clear();
  hub = {
    staff: [person("b1", "Ben", "agent"), person("c1", "Cleo", "engineer")],
    clearance: { b1: cleared("b1", false, 0), c1: cleared("c1", true, 1) },
    sessions: { b1: [session("x1"), session("x2")], c1: [] },
  };
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    const id = String(args?.id ?? args?.staff_id ?? "");
    const one = hub.staff.find((s) => s.id === id);
    if (cmd === "list_staff") return { items: hub.staff, next_cursor: null };
    if (cmd === "get_staff") return one;
    if (cmd === "capabilities") return { staff_id: id, role: one?.role, tier: 2, active: true, permissions: [], assignable_roles: [] };
    if (cmd === "staff_sessions") return { items: hub.sessions[id] ?? [], next_cursor: null };
    if (cmd === "clearance") return hub.clearance[id];
    throw new Error(`unexpected ${cmd}`);
  });
});
afterEach(() => cleanup());

const rows = () => [...document.querySelectorAll<HTMLElement>('[data-test="staff-row"]')];
/** The element marked `data-test=name` (the app's test hooks), or null. */
const hook = (name: string, root: ParentNode = document) => root.querySelector<HTMLElement>(`[data-test="${name}"]`);
const detail = () => hook("staff-detail")!;
const roleChoice = () => within(detail()).getByLabelText("Role") as HTMLSelectElement;
const tick = (key: string) => hook(`clearance-${key}`, detail()) as HTMLInputElement;
const notice = () => hook("staff-newer");

async function open(name: string) {
  await vi.waitFor(() => expect(rows().length).toBeGreaterThan(0));
  await fireEvent.click(rows().find((r) => r.textContent === name)!);
  await vi.waitFor(() => expect(within(detail()).getByText(/Open sessions/)).toBeTruthy());
}

describe("the staff screen", () => {
  it("reloads the list when staff change on the hub, not for other changes", async () => {
    render(Staff, { me });
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    const listed = () => invoke.mock.calls.filter(([cmd]) => cmd === "list_staff").length;
    const before = listed();
    hub.staff = [...hub.staff, person("d1", "Dana", "agent")];
    vi.useFakeTimers();
    emit("live:change", [{ kind: "ticket_updated", subject_kind: "ticket", subject_id: "t1" }]);
    // Every timer the change could have started (a refresh waits for a burst to end) has run.
    vi.runAllTimers();
    vi.useRealTimers();
    expect(listed()).toBe(before);
    expect(rows()).toHaveLength(2);
    emit("live:change", [{ kind: "staff_invited", subject_kind: "staff", subject_id: "d1" }]);
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    expect(rows()[2]!.textContent).toBe("Dana");
  });

  it("shows the open person as the hub has them after a change about them", async () => {
    render(Staff, { me });
    await open("Ben");
    expect(within(detail()).getByText("Open sessions (2)")).toBeTruthy();
    expect(tick("nda").checked).toBe(false);
    // Another admin changes Ben's role, records his clearance and ends his sessions.
    hub.staff = [person("b1", "Ben", "senior_agent", 2), hub.staff[1]!];
    hub.clearance.b1 = cleared("b1", true, 1);
    hub.sessions.b1 = [];
    emit("live:change", staffChanged("b1"));
    await vi.waitFor(() => expect(within(detail()).getByText("Open sessions (0)")).toBeTruthy());
    expect(within(detail()).getByText("Senior agent", { selector: "dd" })).toBeTruthy();
    expect(roleChoice().value).toBe("senior_agent");
    await vi.waitFor(() => expect(tick("nda").checked).toBe(true));
    expect(notice()).toBeNull();
    // A change about someone else leaves the open person alone.
    const read = () => invoke.mock.calls.filter(([cmd, a]) => cmd === "get_staff" && (a as { id: string }).id === "b1").length;
    const before = read();
    const listedBefore = invoke.mock.calls.filter(([cmd]) => cmd === "list_staff").length;
    vi.useFakeTimers();
    emit("live:change", staffChanged("c1"));
    // Every timer the change started has run: the list's own refresh did (so the change was
    // delivered and answered), the open person's did not.
    vi.runAllTimers();
    vi.useRealTimers();
    expect(invoke.mock.calls.filter(([cmd]) => cmd === "list_staff").length).toBe(listedBefore + 1);
    expect(read()).toBe(before);
  });

  it("keeps a role chosen but not saved, says the hub has a newer version, and shows it on request", async () => {
    render(Staff, { me });
    await open("Ben");
    await fireEvent.change(roleChoice(), { target: { value: "manager" } });
    expect(roleChoice().value).toBe("manager");
    hub.staff = [person("b1", "Ben", "senior_agent", 2), hub.staff[1]!];
    hub.sessions.b1 = [];
    emit("live:change", staffChanged("b1"));
    await vi.waitFor(() => expect(notice()).not.toBeNull());
    expect(notice()!.textContent).toContain("Ben was changed on the hub while you were editing");
    // The choice and the version it applies to stay as they were, even once the list's own
    // refresh for the same change has shown Ben's new role in his row.
    const benRow = () => rows().find((r) => r.textContent === "Ben")!.closest("tr")!;
    await vi.waitFor(() => expect(within(benRow()).getByText("Senior agent")).toBeTruthy());
    expect(roleChoice().value).toBe("manager");
    expect(within(detail()).getByText("Agent", { selector: "dd" })).toBeTruthy();
    await fireEvent.click(within(notice()!).getByRole("button", { name: "Show the latest" }));
    await vi.waitFor(() => expect(roleChoice().value).toBe("senior_agent"));
    expect(within(detail()).getByText("Senior agent", { selector: "dd" })).toBeTruthy();
    expect(within(detail()).getByText("Open sessions (0)")).toBeTruthy();
    expect(notice()).toBeNull();
  });

  it("keeps clearance ticks not recorded yet, and shows what was held back once they are undone", async () => {
    render(Staff, { me });
    await open("Ben");
    await fireEvent.click(tick("training"));
    expect(tick("training").checked).toBe(true);
    hub.clearance.b1 = { ...cleared("b1", false, 1), nda_at: "2026-02-01T00:00:00Z", missing: ["background_check", "training"] };
    emit("live:change", staffChanged("b1"));
    await vi.waitFor(() => expect(notice()).not.toBeNull());
    expect(tick("training").checked).toBe(true);
    expect(tick("nda").checked).toBe(false);
    // Unticking it again leaves nothing to lose: the latest shows by itself.
    await fireEvent.click(tick("training"));
    await vi.waitFor(() => expect(tick("nda").checked).toBe(true));
    expect(tick("training").checked).toBe(false);
    expect(notice()).toBeNull();
  });
});
