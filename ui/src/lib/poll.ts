// Refreshing a screen while someone looks at it: at once when something it shows changes on the
// hub (live events), every few seconds while the window is visible as a fallback for when the
// stream is down, and when the window comes back into view or focus.
import type { SubjectKind } from "./generated/SubjectKind";
import { refreshOn } from "./live";

/**
 * Calls `load` every `ms` while the page is visible, on focus, and when a record of one of `on`
 * changes on the hub; returns the stop function.
 */
export function pollWhileVisible(load: () => void, ms = 10_000, on: SubjectKind[] = []): () => void {
  const visible = () => document.visibilityState !== "hidden";
  const timer = setInterval(() => {
    if (visible()) load();
  }, ms);
  const focus = () => load();
  const shown = () => {
    if (visible()) load();
  };
  window.addEventListener("focus", focus);
  document.addEventListener("visibilitychange", shown);
  const stopLive = on.length > 0 ? refreshOn(on, load) : () => {};
  return () => {
    clearInterval(timer);
    window.removeEventListener("focus", focus);
    document.removeEventListener("visibilitychange", shown);
    stopLive();
  };
}
