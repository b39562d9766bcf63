// Keyboard shortcuts: one list, used to dispatch key presses and to draw the help overlay.

/** Where a shortcut works: everywhere, or only on one screen. */
export type ShortcutScope = "global" | "queue" | "ticket" | "staff";

export interface Shortcut {
  /** e.g. "Ctrl+K", "?", "G S" (a sequence: G then S), "ArrowDown". */
  keys: string;
  description: string;
  /** Name of the action to run. */
  action: string;
  /** Where it works; everywhere when absent. A screen's shortcuts win over global ones. */
  scope?: ShortcutScope;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: "Ctrl+K", description: "Open the command palette", action: "palette" },
  { keys: "?", description: "Show keyboard shortcuts", action: "help" },
  { keys: "G Q", description: "Go to Queue", action: "go:queue" },
  { keys: "G S", description: "Go to Staff", action: "go:staff" },
  { keys: "G A", description: "Go to Access (requests, approvals, grants)", action: "go:access" },
  { keys: "G T", description: "Go to Audit trail", action: "go:audit" },
  { keys: "G E", description: "Go to Security events", action: "go:security" },
  { keys: "G M", description: "Go to My account", action: "go:account" },
  { keys: "/", description: "Focus the filter or search on this screen", action: "filter" },
  { keys: "Ctrl+L", description: "Lock Opsdesk now", action: "lock" },
  { keys: "Esc", description: "Close a dialog or overlay", action: "close" },
  { keys: "J", description: "Next ticket", action: "queue:next", scope: "queue" },
  { keys: "ArrowDown", description: "Next ticket", action: "queue:next", scope: "queue" },
  { keys: "K", description: "Previous ticket", action: "queue:previous", scope: "queue" },
  { keys: "ArrowUp", description: "Previous ticket", action: "queue:previous", scope: "queue" },
  { keys: "Enter", description: "Open the selected ticket", action: "queue:open", scope: "queue" },
  { keys: "O", description: "Open the selected ticket", action: "queue:open", scope: "queue" },
  { keys: "A", description: "Assign the selected ticket to me", action: "ticket:assign-me", scope: "queue" },
  { keys: "R", description: "Reply to the selected ticket", action: "ticket:reply", scope: "queue" },
  { keys: "N", description: "Add an internal note to the selected ticket", action: "ticket:note", scope: "queue" },
  { keys: "E", description: "Escalate the selected ticket (asks for a reason)", action: "ticket:escalate", scope: "queue" },
  { keys: "S", description: "Change the status of the selected ticket", action: "ticket:status", scope: "queue" },
  { keys: "J", description: "Open the next ticket in the queue", action: "queue:next", scope: "ticket" },
  { keys: "K", description: "Open the previous ticket in the queue", action: "queue:previous", scope: "ticket" },
  { keys: "A", description: "Assign this ticket to me", action: "ticket:assign-me", scope: "ticket" },
  { keys: "R", description: "Write a public reply", action: "ticket:reply", scope: "ticket" },
  { keys: "N", description: "Write an internal note", action: "ticket:note", scope: "ticket" },
  { keys: "E", description: "Escalate to senior staff (asks for a reason)", action: "ticket:escalate", scope: "ticket" },
  { keys: "S", description: "Change the status", action: "ticket:status", scope: "ticket" },
  { keys: "Ctrl+Enter", description: "Send the reply or note", action: "ticket:send", scope: "ticket" },
  { keys: "Esc", description: "Back to the queue, selection kept", action: "ticket:back", scope: "ticket" },
  { keys: "N", description: "Invite a staff member", action: "staff:invite", scope: "staff" },
];

const SCOPE_TITLES: Record<ShortcutScope, string> = {
  global: "Everywhere",
  queue: "Queue",
  ticket: "Ticket",
  staff: "Staff",
};

const KEY_LABELS: Record<string, string> = { ArrowDown: "↓", ArrowUp: "↑", ArrowLeft: "←", ArrowRight: "→" };

/** How a key is printed on a key cap: "↓" for ArrowDown. */
export function keyLabel(key: string): string {
  return KEY_LABELS[key] ?? key;
}

/** One line of the help overlay: every key sequence that runs the same action. */
export interface ShortcutLine {
  /** Alternatives, each a sequence of keys: [["J"], ["ArrowDown"]]. */
  keys: string[][];
  description: string;
}

/** The shortcuts grouped by where they work, alternatives on one line, for the help overlay. */
export function shortcutSections(shortcuts: readonly Shortcut[] = SHORTCUTS): Array<{ title: string; lines: ShortcutLine[] }> {
  const sections: Array<{ scope: ShortcutScope; title: string; lines: Array<ShortcutLine & { action: string }> }> = [];
  for (const s of shortcuts) {
    const scope = s.scope ?? "global";
    let section = sections.find((x) => x.scope === scope);
    if (!section) {
      section = { scope, title: SCOPE_TITLES[scope], lines: [] };
      sections.push(section);
    }
    const same = section.lines.find((l) => l.action === s.action);
    if (same) same.keys.push(s.keys.split(" "));
    else section.lines.push({ action: s.action, description: s.description, keys: [s.keys.split(" ")] });
  }
  return sections.map(({ title, lines }) => ({ title, lines: lines.map(({ keys, description }) => ({ keys, description })) }));
}

/** The name of a key press, as written in `keys`: "Ctrl+K", "?", "G", "Esc". */
export function keyName(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): string {
  const key = e.key === "Escape" ? "Esc" : e.key.length === 1 ? e.key.toUpperCase() : e.key;
  return (e.ctrlKey || e.metaKey ? "Ctrl+" : "") + (e.altKey ? "Alt+" : "") + (key === "?" ? "?" : key);
}

/** Matches key presses against shortcuts, including two-key sequences like "G S". */
export class ShortcutMatcher {
  private pending: string | null = null;

  constructor(private readonly shortcuts: readonly Shortcut[] = SHORTCUTS) {}

  /**
   * Feeds one key press made on a screen with shortcuts of its own (`scope`); returns the action
   * it completes, if any. The screen's shortcuts come before global ones with the same keys.
   */
  press(name: string, scope: ShortcutScope = "global"): string | null {
    const active = this.shortcuts.filter((s) => s.scope === scope || !s.scope || s.scope === "global");
    const find = (keys: string) => active.find((s) => s.keys === keys && s.scope === scope) ?? active.find((s) => s.keys === keys);
    if (this.pending) {
      const sequence = `${this.pending} ${name}`;
      this.pending = null;
      const hit = find(sequence);
      if (hit) return hit.action;
    }
    const direct = find(name);
    if (direct) return direct.action;
    if (active.some((s) => s.keys.startsWith(`${name} `))) this.pending = name;
    return null;
  }
}

/**
 * Whether a plain key (Enter, Space) on this element is the element's own business: a button,
 * link, tab or option activates itself, so shortcuts must leave it alone.
 */
export function activatesItself(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return ["BUTTON", "A", "SUMMARY"].includes(target.tagName) || ["tab", "option", "button", "link"].includes(target.getAttribute("role") ?? "");
}

/** Whether a key press happened while typing in a field (then single-key shortcuts are off). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}
