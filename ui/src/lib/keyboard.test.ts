// The queue and ticket keys: the same list drives the key presses and the help overlay.
import { describe, expect, it } from "vitest";
import { keyLabel, keyName, shortcutSections, ShortcutMatcher, SHORTCUTS } from "./keyboard";

const press = (key: string, extra: Partial<KeyboardEvent> = {}) =>
  keyName({ key, ctrlKey: false, metaKey: false, altKey: false, ...extra });

describe("queue keyboard map", () => {
  it("moves, opens and acts on the selected row in the queue", () => {
    const m = new ShortcutMatcher(SHORTCUTS);
    const on = (key: string) => m.press(press(key), "queue");
    expect(on("j")).toBe("queue:next");
    expect(on("ArrowDown")).toBe("queue:next");
    expect(on("k")).toBe("queue:previous");
    expect(on("ArrowUp")).toBe("queue:previous");
    expect(on("Enter")).toBe("queue:open");
    expect(on("o")).toBe("queue:open");
    expect(on("a")).toBe("ticket:assign-me");
    expect(on("r")).toBe("ticket:reply");
    expect(on("n")).toBe("ticket:note");
    expect(on("e")).toBe("ticket:escalate");
    expect(on("s")).toBe("ticket:status");
    expect(on("/")).toBe("filter");
    expect(on("?")).toBe("help");
  });

  it("acts on the open ticket, goes back with Esc and sends with Ctrl+Enter", () => {
    const m = new ShortcutMatcher(SHORTCUTS);
    expect(m.press(press("Escape"), "ticket")).toBe("ticket:back");
    expect(m.press(press("Enter", { ctrlKey: true }), "ticket")).toBe("ticket:send");
    expect(m.press(press("r"), "ticket")).toBe("ticket:reply");
    expect(m.press(press("j"), "ticket")).toBe("queue:next");
    // Arrows scroll the ticket; they do not switch tickets.
    expect(m.press(press("ArrowDown"), "ticket")).toBeNull();
    expect(m.press(press("Escape"), "queue")).toBe("close");
  });

  it("keeps G sequences working over single keys and leaves other screens alone", () => {
    const m = new ShortcutMatcher(SHORTCUTS);
    expect(m.press("G", "queue")).toBeNull();
    expect(m.press("Q", "queue")).toBe("go:queue");
    expect(m.press("G", "queue")).toBeNull();
    expect(m.press("S", "queue")).toBe("go:staff");
    expect(m.press("S", "queue")).toBe("ticket:status");
    // G A goes to Access even where A alone assigns; the audit trail moved to G T.
    expect(m.press("G", "queue")).toBeNull();
    expect(m.press("A", "queue")).toBe("go:access");
    expect(m.press("A", "queue")).toBe("ticket:assign-me");
    expect(m.press("G", "global")).toBeNull();
    expect(m.press("T", "global")).toBe("go:audit");
    expect(m.press("N", "staff")).toBe("staff:invite");
    expect(m.press("N", "queue")).toBe("ticket:note");
    expect(m.press("J", "global")).toBeNull();
    expect(m.press("J", "staff")).toBeNull();
  });

  it("lists alternatives on one line in the help overlay, by screen", () => {
    const sections = shortcutSections();
    expect(sections.map((s) => s.title)).toEqual(["Everywhere", "Queue", "Ticket", "Staff"]);
    const queue = sections.find((s) => s.title === "Queue");
    expect(queue?.lines.find((l) => l.description === "Next ticket")?.keys).toEqual([["J"], ["ArrowDown"]]);
    expect(queue?.lines.find((l) => l.description === "Open the selected ticket")?.keys).toEqual([["Enter"], ["O"]]);
    expect(keyLabel("ArrowDown")).toBe("↓");
    expect(keyLabel("Enter")).toBe("Enter");
  });
});
