// Live events from the shell (`src-tauri/src/live.rs`): what changed on the hub, the inbox, the
// tray's counts, clicked pop-ups and results of actions taken on them. The one module that
// listens; screens use `onLive` and `refreshOn`. Outside the app (unit tests) nothing arrives.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { InboxUpdate } from "./generated/InboxUpdate";
import type { LiveChange } from "./generated/LiveChange";
import type { LiveCounts } from "./generated/LiveCounts";
import type { LiveToast } from "./generated/LiveToast";
import type { NotificationPrefs } from "./generated/NotificationPrefs";
import type { OpenRequest } from "./generated/OpenRequest";
import type { SubjectKind } from "./generated/SubjectKind";

/** Each event the shell sends, with its payload. */
export type LiveEvents = {
  "live:change": LiveChange[];
  "live:resync": null;
  "live:inbox": InboxUpdate;
  "live:counts": LiveCounts;
  "live:open": OpenRequest;
  "live:toast": LiveToast;
  "live:connection": boolean;
  "live:prefs": NotificationPrefs;
  "live:session-ended": null;
};

function inShell(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** Calls `handler` with each `name` event; returns the function that stops listening. */
export function onLive<K extends keyof LiveEvents>(name: K, handler: (payload: LiveEvents[K]) => void): () => void {
  if (!inShell()) return () => {};
  let stopped = false;
  let unlisten: UnlistenFn | null = null;
  listen<LiveEvents[K]>(name, (e) => handler(e.payload))
    .then((fn) => {
      if (stopped) fn();
      else unlisten = fn;
    })
    .catch(() => {});
  return () => {
    stopped = true;
    unlisten?.();
  };
}

/** Whether any of `changes` is about one of `subjects`. */
export function concerns(changes: LiveChange[], subjects: SubjectKind[]): boolean {
  return changes.some((c) => subjects.includes(c.subject_kind));
}

/** What a screen shows: every record of these kinds, or the changes a function picks out. */
export type Shown = SubjectKind[] | ((change: LiveChange) => boolean);

/**
 * Calls `load` when something the screen shows changed on the hub (at most once per `ms`, the
 * last change always answered), and when the core could not replay what was missed.
 */
export function refreshOn(shown: Shown, load: () => void, ms = 250): () => void {
  const relevant = (changes: LiveChange[]) => (typeof shown === "function" ? changes.some(shown) : concerns(changes, shown));
  let timer: ReturnType<typeof setTimeout> | null = null;
  const soon = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      load();
    }, ms);
  };
  const stopChange = onLive("live:change", (changes) => {
    if (relevant(changes)) soon();
  });
  const stopResync = onLive("live:resync", soon);
  return () => {
    stopChange();
    stopResync();
    if (timer) clearTimeout(timer);
  };
}
