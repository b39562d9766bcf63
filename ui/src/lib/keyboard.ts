// Keyboard shortcuts: one list, used to dispatch key presses and to draw the help overlay.

export interface Shortcut {
  /** e.g. "Ctrl+K", "?", "G S" (a sequence: G then S). */
  keys: string;
  description: string;
  /** Name of the action to run. */
  action: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: "Ctrl+K", description: "Open the command palette", action: "palette" },
  { keys: "?", description: "Show keyboard shortcuts", action: "help" },
  { keys: "G S", description: "Go to Staff", action: "go:staff" },
  { keys: "G A", description: "Go to Audit trail", action: "go:audit" },
  { keys: "G E", description: "Go to Security events", action: "go:security" },
  { keys: "G M", description: "Go to My account", action: "go:account" },
  { keys: "N", description: "Invite a staff member (on Staff)", action: "staff:invite" },
  { keys: "/", description: "Focus the filter on this screen", action: "filter" },
  { keys: "Ctrl+L", description: "Lock Opsdesk now", action: "lock" },
  { keys: "Esc", description: "Close a dialog or overlay", action: "close" },
];

/** The name of a key press, as written in `keys`: "Ctrl+K", "?", "G", "Esc". */
export function keyName(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): string {
  const key = e.key === "Escape" ? "Esc" : e.key.length === 1 ? e.key.toUpperCase() : e.key;
  return (e.ctrlKey || e.metaKey ? "Ctrl+" : "") + (e.altKey ? "Alt+" : "") + (key === "?" ? "?" : key);
}

/** Matches key presses against shortcuts, including two-key sequences like "G S". */
export class ShortcutMatcher {
  private pending: string | null = null;

  constructor(private readonly shortcuts: readonly Shortcut[] = SHORTCUTS) {}

  /** Feeds one key press; returns the action it completes, if any. */
  press(name: string): string | null {
    if (this.pending) {
      const sequence = `${this.pending} ${name}`;
      this.pending = null;
      const hit = this.shortcuts.find((s) => s.keys === sequence);
      if (hit) return hit.action;
    }
    const direct = this.shortcuts.find((s) => s.keys === name);
    if (direct) return direct.action;
    if (this.shortcuts.some((s) => s.keys.startsWith(`${name} `))) this.pending = name;
    return null;
  }
}

/** Whether a key press happened while typing in a field (then single-key shortcuts are off). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}
