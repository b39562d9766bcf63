// What the whole window knows of the live part of the core: the unread count (the badge), the
// tray's counts, whether the event stream is open, the notification settings, and the short
// messages in the corner (a notification that just arrived, the result of a pop-up's action).
import { api } from "../lib/api";
import type { InboxItem } from "../lib/generated/InboxItem";
import type { LiveCounts } from "../lib/generated/LiveCounts";
import type { NotificationPrefs } from "../lib/generated/NotificationPrefs";
import type { ToastTone } from "../lib/generated/ToastTone";
import { onLive } from "../lib/live";

/** A message in the corner: a notification (with its inbox entry) or an action's result. */
export type Toast = { id: number; tone: ToastTone | "info"; title: string; body: string; item: InboxItem | null };

/** How long a message stays in the corner. */
export const TOAST_MS = 8_000;

export const live = $state({
  unread: 0,
  counts: { escalated_to_me: 0, waiting_for_my_review: 0, unread: 0 } as LiveCounts,
  connected: false,
  prefs: { muted: [], quiet_from: null, quiet_until: null, paused: false } as NotificationPrefs,
  toasts: [] as Toast[],
  /** Bumped when the inbox changed, so an open inbox reloads. */
  inboxVersion: 0,
});

let nextToast = 1;

export function toast(t: Omit<Toast, "id">) {
  const id = nextToast++;
  live.toasts = [...live.toasts, { ...t, id }].slice(-4);
  setTimeout(() => dismissToast(id), TOAST_MS);
}

export function dismissToast(id: number) {
  live.toasts = live.toasts.filter((t) => t.id !== id);
}

/** Reads where the live part stands and follows it; returns the function that stops. */
export function startLive(): () => void {
  void api
    .liveStatus()
    .then((s) => {
      live.connected = s.connected;
      live.counts = s.counts;
      live.unread = s.counts.unread;
      live.prefs = s.prefs;
    })
    .catch(() => {});
  const stops = [
    onLive("live:counts", (c) => {
      live.counts = c;
      live.unread = c.unread;
    }),
    onLive("live:inbox", (u) => {
      live.unread = u.unread;
      live.inboxVersion++;
      if (u.added) toast({ tone: "info", title: u.added.title, body: u.added.body, item: u.added });
    }),
    onLive("live:connection", (c) => (live.connected = c)),
    onLive("live:prefs", (p) => (live.prefs = p)),
    onLive("live:toast", (t) => toast({ tone: t.tone, title: t.message, body: "", item: null })),
  ];
  return () => stops.forEach((stop) => stop());
}

/** Back to nothing (sign-out): the next person starts with their own counts. */
export function resetLive() {
  live.unread = 0;
  live.counts = { escalated_to_me: 0, waiting_for_my_review: 0, unread: 0 };
  live.connected = false;
  live.toasts = [];
}
