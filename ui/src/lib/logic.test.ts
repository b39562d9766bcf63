import { describe, expect, it } from "vitest";
import { describeError, fieldError, isRetryable } from "./errors";
import { relative } from "./time";
import { can, roleLabel, tier, ROLES } from "./roles";
import { keyName, ShortcutMatcher, SHORTCUTS } from "./keyboard";
import { filterCommands } from "./palette";
import { IdleTimer } from "./idle";
import type { Me } from "./generated/Me";

const err = (code: string, message: string, extra: Partial<{ field: string; retry_at: string }> = {}) => ({
  code,
  message,
  field: extra.field ?? null,
  retry_at: extra.retry_at ?? null,
});

describe("errors", () => {
  it("says when a lock ends, in local time", () => {
    const now = new Date(2026, 10, 21, 14, 0);
    const until = new Date(2026, 10, 21, 14, 15);
    const text = describeError(err("account_locked", "locked", { retry_at: until.toISOString() }), now);
    expect(text).toContain("locked");
    expect(text).toContain(until.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
  });
  it("keeps the hub's sentence otherwise and knows what can be retried", () => {
    expect(describeError(err("invalid_code", "The code is wrong."))).toBe("The code is wrong.");
    expect(isRetryable(err("hub_unreachable", "x"))).toBe(true);
    expect(isRetryable(err("invalid_code", "x"))).toBe(false);
  });
  it("attaches an error to the field it names", () => {
    const e = err("invalid_field", "`password` must be at least 12 characters", { field: "password" });
    expect(fieldError(e, "password")).toContain("12 characters");
    expect(fieldError(e, "username")).toBeNull();
    expect(fieldError(null, "password")).toBeNull();
  });
});

describe("time", () => {
  it("reads relative times", () => {
    const now = new Date(2026, 0, 1, 12, 0, 0);
    expect(relative(new Date(now.getTime() + 10_000), now)).toBe("just now");
    expect(relative(new Date(now.getTime() + 5 * 60_000), now)).toBe("in 5 min");
    expect(relative(new Date(now.getTime() - 3 * 3600_000), now)).toBe("3 h ago");
    expect(relative(new Date(now.getTime() - 2 * 86400_000), now)).toBe("2 d ago");
  });
});

describe("roles", () => {
  it("orders the seven tiers and labels them", () => {
    expect(ROLES).toHaveLength(7);
    expect(tier("viewer")).toBe(1);
    expect(tier("admin")).toBe(7);
    expect(roleLabel("security_officer")).toBe("Security officer");
  });
  it("checks permissions from what the hub computed, and nothing when inactive", () => {
    const me = {
      capabilities: { active: true, permissions: [{ permission: "staff.read", description: "" }] },
    } as unknown as Me;
    expect(can(me, "staff.read")).toBe(true);
    expect(can(me, "audit.read")).toBe(false);
    expect(can({ ...me, capabilities: { ...me.capabilities, active: false } } as Me, "staff.read")).toBe(false);
    expect(can(null, "staff.read")).toBe(false);
  });
});

describe("keyboard", () => {
  it("names key presses", () => {
    expect(keyName({ key: "k", ctrlKey: true, metaKey: false, altKey: false })).toBe("Ctrl+K");
    expect(keyName({ key: "Escape", ctrlKey: false, metaKey: false, altKey: false })).toBe("Esc");
    expect(keyName({ key: "?", ctrlKey: false, metaKey: false, altKey: false })).toBe("?");
  });
  it("matches single keys and two-key sequences", () => {
    const m = new ShortcutMatcher(SHORTCUTS);
    expect(m.press("Ctrl+K")).toBe("palette");
    expect(m.press("G")).toBeNull();
    expect(m.press("S")).toBe("go:staff");
    expect(m.press("G")).toBeNull();
    expect(m.press("X")).toBeNull();
    expect(m.press("S")).toBeNull();
  });
  it("lists every shortcut once where it works", () => {
    const keys = SHORTCUTS.map((s) => `${s.scope ?? "global"}:${s.keys}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("palette", () => {
  const commands = [
    { id: "staff", label: "Go to Staff", keywords: "people team" },
    { id: "invite", label: "Invite staff member", keywords: "new add" },
    { id: "audit", label: "Go to Audit trail", keywords: "log chain" },
    { id: "verify", label: "Verify audit chain", keywords: "tamper" },
  ];
  it("requires every word and ranks prefix matches first", () => {
    expect(filterCommands(commands, "").map((c) => c.id)).toEqual(["staff", "invite", "audit", "verify"]);
    // "Verify audit chain" has "audit" later in its label than "Go to Audit trail" does.
    expect(filterCommands(commands, "audit").map((c) => c.id)).toEqual(["audit", "verify"]);
    expect(filterCommands(commands, "verify").map((c) => c.id)).toEqual(["verify"]);
    expect(filterCommands(commands, "invite new").map((c) => c.id)).toEqual(["invite"]);
    expect(filterCommands(commands, "tamper chain").map((c) => c.id)).toEqual(["verify"]);
    expect(filterCommands(commands, "tamper people")).toEqual([]);
    expect(filterCommands(commands, "people").map((c) => c.id)).toEqual(["staff"]);
  });
});

describe("idle lock", () => {
  it("locks after the limit without input", () => {
    const t = new IdleTimer(15, 0);
    expect(t.expired(14 * 60_000)).toBe(false);
    t.touch(10 * 60_000);
    expect(t.expired(20 * 60_000)).toBe(false);
    expect(t.expired(25 * 60_000)).toBe(true);
    t.setMinutes(30);
    expect(t.expired(25 * 60_000)).toBe(false);
  });
});
