// The inbox and the notification settings rendered for real in jsdom; the shell boundary
// (`invoke`) is faked, and so are live events (`listen`), delivered as the shell would send them.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import Inbox from "./Inbox.svelte";
import NotificationSettings from "./NotificationSettings.svelte";
import Toasts from "./Toasts.svelte";
import { live, resetLive, startLive } from "./live.svelte";
import { refreshOn, type LiveEvents } from "../lib/live";
import type { InboxItem } from "../lib/generated/InboxItem";
import type { NotificationPrefs } from "../lib/generated/NotificationPrefs";

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

function item(id: number, over: Partial<InboxItem> = {}): InboxItem {
  return {
    id, event_id: id, at: new Date().toISOString(), kind: "escalation", urgency: "normal", title: `#${id} escalated to L2 · Acme`,
    body: "Checkout fails", subject_kind: "ticket", subject_id: `t${id}`, actions: ["open"], delivery: "shown", read: false, ...over,
  };
}

const rows = () => [...document.querySelectorAll<HTMLElement>('[data-test="inbox-row"]')];

describe("the inbox", () => {
  let inbox: InboxItem[];
  beforeEach(() => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    handlers.clear();
    resetLive();
    inbox = [item(3, { delivery: "quiet" }), item(2, { kind: "review", subject_kind: "access_request", subject_id: "r2", title: "Ana asks for read access to Acme" }), item(1, { read: true })];
    invoke.mockReset();
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "inbox") return { items: args.unread_only ? inbox.filter((i) => !i.read) : inbox, unread: inbox.filter((i) => !i.read).length };
      if (cmd === "inbox_mark_read") {
        const ids = args.ids as number[] | null;
        inbox = inbox.map((i) => (ids === null || ids.includes(i.id) ? { ...i, read: true } : i));
        return inbox.filter((i) => !i.read).length;
      }
      if (cmd === "live_status") return { connected: true, counts: { escalated_to_me: 1, waiting_for_my_review: 1, unread: 2 }, prefs: { muted: [], quiet_from: null, quiet_until: null, paused: false } };
      throw new Error(`unexpected ${cmd}`);
    });
  });
  afterEach(() => cleanup());

  it("lists every notification with whether it popped up, and opening one marks it read", async () => {
    const onopen = vi.fn();
    render(Inbox, { onopen });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    expect(rows().map((r) => r.dataset.read)).toEqual(["false", "false", "true"]);
    expect(rows()[0]!.dataset.delivery).toBe("quiet");
    expect(rows()[0]!.textContent).toContain("do-not-disturb");
    expect(live.unread).toBe(2);

    await fireEvent.click(screen.getByText("Ana asks for read access to Acme"));
    expect(onopen).toHaveBeenCalledWith({ section: "access", tab: "approvals", request: "r2", deny: false });
    await vi.waitFor(() => expect(rows()[1]!.dataset.read).toBe("true"));
    expect(live.unread).toBe(1);

    await fireEvent.click(screen.getByRole("button", { name: "Mark all read" }));
    await vi.waitFor(() => expect(rows().every((r) => r.dataset.read === "true")).toBe(true));
    expect(live.unread).toBe(0);
  });

  it("reloads when a notification arrives, and the corner shows it with Open", async () => {
    const stop = startLive();
    const onopen = vi.fn();
    render(Inbox, { onopen: vi.fn() });
    render(Toasts, { onopen });
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    const added = item(4, { title: "#4 escalated to L2 · Acme" });
    inbox = [added, ...inbox];
    emit("live:inbox", { unread: 3, added });
    await vi.waitFor(() => expect(rows()).toHaveLength(4));
    expect(live.unread).toBe(3);
    const toast = await screen.findByText("#4 escalated to L2 · Acme", { selector: "strong" });
    expect(toast.closest('[data-test="notification-toast"]')).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Open" }));
    expect(onopen).toHaveBeenCalledWith({ section: "queue", ticket: "t4" });
    // An action's result from a pop-up shows too.
    emit("live:toast", { tone: "success", message: "Approved Ana's read access to Acme." });
    expect(await screen.findByText("Approved Ana's read access to Acme.")).toBeTruthy();
    expect(document.querySelector('[data-test="live-toast"]')).toBeTruthy();
    stop();
  });

  it("refreshes a screen once for a burst of changes it shows, and not for others", async () => {
    vi.useFakeTimers();
    const load = vi.fn();
    const stop = refreshOn(["access_request"], load);
    await Promise.resolve();
    emit("live:change", [{ kind: "ticket_updated", subject_kind: "ticket", subject_id: "t1" }]);
    vi.advanceTimersByTime(500);
    expect(load).not.toHaveBeenCalled();
    emit("live:change", [{ kind: "access_requested", subject_kind: "access_request", subject_id: "r1" }]);
    emit("live:change", [{ kind: "access_reviewed", subject_kind: "access_request", subject_id: "r1" }]);
    vi.advanceTimersByTime(500);
    expect(load).toHaveBeenCalledTimes(1);
    emit("live:resync", null);
    vi.advanceTimersByTime(500);
    expect(load).toHaveBeenCalledTimes(2);
    stop();
    vi.useRealTimers();
  });
});

describe("notification settings", () => {
  let saved: NotificationPrefs[];
  beforeEach(() => {
    resetLive();
    saved = [];
    invoke.mockReset();
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "notification_prefs") return { muted: [], quiet_from: null, quiet_until: null, paused: false };
      if (cmd === "set_notification_prefs") {
        const p = args.prefs as NotificationPrefs;
        if (p.quiet_from && p.quiet_from === p.quiet_until) {
          throw { code: "invalid_input", message: "Must differ from the start of the quiet hours.", field: "quiet_until", retry_at: null };
        }
        saved.push(p);
        return p;
      }
      throw new Error(`unexpected ${cmd}`);
    });
  });
  afterEach(() => cleanup());

  it("turns a kind off, sets quiet hours and pauses, each applied at once", async () => {
    render(NotificationSettings);
    const box = (test: string) => document.querySelector<HTMLInputElement>(`[data-test="${test}"]`)!;
    await vi.waitFor(() => expect(box("notify-kind-escalation").checked).toBe(true));

    await fireEvent.click(box("notify-kind-sla_breach"));
    await vi.waitFor(() => expect(saved.at(-1)?.muted).toEqual(["sla_breach"]));

    await fireEvent.click(box("quiet-enabled"));
    await vi.waitFor(() => expect(saved.at(-1)).toMatchObject({ quiet_from: "22:00:00", quiet_until: "07:00:00", muted: ["sla_breach"] }));
    await fireEvent.input(box("quiet-until"), { target: { value: "22:00" } });
    await fireEvent.change(box("quiet-until"));
    expect(await screen.findByText("Must differ from the start of the quiet hours.")).toBeTruthy();
    expect(box("quiet-until").getAttribute("aria-invalid")).toBe("true");

    await fireEvent.click(box("notifications-paused"));
    await vi.waitFor(() => expect(saved.at(-1)?.paused).toBe(true));
    expect(live.prefs.paused).toBe(true);
    expect(screen.getByRole("status").textContent).toContain("Saved");
  });
});
