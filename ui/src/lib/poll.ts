// Refreshing a screen while someone looks at it: every few seconds while the window is visible,
// and at once when it comes back into view or focus (until live events arrive).

/** Calls `load` every `ms` while the page is visible and on focus; returns the stop function. */
export function pollWhileVisible(load: () => void, ms = 10_000): () => void {
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
  return () => {
    clearInterval(timer);
    window.removeEventListener("focus", focus);
    document.removeEventListener("visibilitychange", shown);
  };
}
