import { describe, expect, it } from "vitest";
import {
  PRIORITIES,
  actionText,
  describeAction,
  describeChange,
  escalationBadge,
  formatSpan,
  outcomeKind,
  parseTags,
  priorityClass,
  priorityLabel,
  slaReading,
  statusLabel,
} from "./tickets";
import type { OutboxItem } from "./generated/OutboxItem";

const now = new Date(2026, 10, 21, 12, 0, 0);
const due = (ms: number) => new Date(now.getTime() + ms).toISOString();
const clock = (over: Partial<{ sla_due_at: string | null; sla_paused: boolean; sla_stage: "first_response" | "resolution" | "done"; sla_state: "ok" | "warned" | "breached" }> = {}) => ({
  sla_due_at: null,
  sla_paused: false,
  sla_stage: "resolution" as const,
  sla_state: "ok" as const,
  ...over,
});

describe("SLA time left", () => {
  it("reads minutes, hours and days left", () => {
    expect(slaReading(clock({ sla_due_at: due(12 * 60_000 + 30_000) }), now)).toEqual({ text: "12 min left", tone: "soon" });
    expect(slaReading(clock({ sla_due_at: due(2 * 3600_000 + 5 * 60_000) }), now)).toEqual({ text: "2 h 5 min left", tone: "ok" });
    expect(slaReading(clock({ sla_due_at: due(3 * 3600_000) }), now).text).toBe("3 h left");
    expect(slaReading(clock({ sla_due_at: due(50 * 3600_000) }), now).text).toBe("2 d 2 h left");
    expect(slaReading(clock({ sla_due_at: due(20_000) }), now).text).toBe("less than 1 min left");
  });
  it("says how long ago a target was missed", () => {
    expect(slaReading(clock({ sla_due_at: due(-5 * 60_000) }), now)).toEqual({ text: "overdue 5 min", tone: "overdue" });
    expect(slaReading(clock({ sla_due_at: due(-10_000) }), now).text).toBe("overdue 1 min");
    expect(slaReading(clock({ sla_due_at: due(-26 * 3600_000) }), now).text).toBe("overdue 1 d 2 h");
  });
  it("shows paused and nothing due plainly", () => {
    expect(slaReading(clock({ sla_paused: true, sla_due_at: due(-60_000) }), now)).toEqual({ text: "paused", tone: "paused" });
    expect(slaReading(clock({ sla_due_at: null }), now)).toEqual({ text: "—", tone: "none" });
    expect(slaReading(clock({ sla_stage: "done", sla_due_at: due(60_000) }), now)).toEqual({ text: "—", tone: "none" });
  });
  it("turns amber when the SLA job already warned, even with time left", () => {
    expect(slaReading(clock({ sla_due_at: due(5 * 3600_000), sla_state: "warned" }), now).tone).toBe("soon");
  });
  it("recomputes as the clock moves", () => {
    const t = clock({ sla_due_at: due(2 * 60_000) });
    expect(slaReading(t, now).text).toBe("2 min left");
    expect(slaReading(t, new Date(now.getTime() + 60_000)).text).toBe("1 min left");
    expect(slaReading(t, new Date(now.getTime() + 3 * 60_000)).text).toBe("overdue 1 min");
  });
  it("formats spans without zero parts", () => {
    expect(formatSpan(0)).toBe("0 min");
    expect(formatSpan(59)).toBe("59 min");
    expect(formatSpan(60)).toBe("1 h");
    expect(formatSpan(24 * 60)).toBe("1 d");
  });
});

describe("priority and status", () => {
  it("names every priority and gives it a badge colour that never stands alone", () => {
    expect(PRIORITIES.map(priorityLabel)).toEqual(["Critical", "High", "Medium", "Low"]);
    expect(priorityClass("critical")).toBe("badge critical");
    expect(priorityClass("high")).toBe("badge high");
    expect(priorityClass("medium")).toBe("badge medium");
    expect(priorityClass("low")).toBe("badge low");
    expect(new Set(PRIORITIES.map(priorityClass)).size).toBe(4);
  });
  it("names statuses and escalation levels", () => {
    expect(statusLabel("on_hold")).toBe("On hold");
    expect(escalationBadge("l1")).toBeNull();
    expect(escalationBadge("l2")).toBe("L2");
    expect(escalationBadge("l3")).toBe("L3");
  });
});

describe("writes", () => {
  it("says what a write does and what was typed", () => {
    expect(describeAction({ kind: "reply", body: "Hi", status: "solved" })).toBe("Public reply, then set status to Solved");
    expect(describeAction({ kind: "note", body: "x" })).toBe("Internal note");
    expect(describeAction({ kind: "update", status: "pending", priority: "high", tags: null })).toBe("Status → Pending, priority → High");
    expect(describeAction({ kind: "update", status: null, priority: null, tags: [] })).toBe("Tags → none");
    expect(describeAction({ kind: "assign", to: { kind: "me" } })).toBe("Assign to me");
    expect(actionText({ kind: "escalate", reason: "Needs DB access" })).toBe("Needs DB access");
    expect(actionText({ kind: "assign", to: { kind: "nobody" } })).toBeNull();
  });
  it("reads an outcome", () => {
    expect(outcomeKind({ ticket: null, queued: null })).toBe("sent");
    expect(outcomeKind({ ticket: null, queued: { state: "conflict" } as OutboxItem })).toBe("conflict");
    expect(outcomeKind({ ticket: null, queued: { state: "waiting" } as OutboxItem })).toBe("waiting");
  });
  it("writes history lines and cleans tags", () => {
    expect(describeChange({ field: "status", from: "open", to: "solved" })).toBe("status: open → solved");
    expect(describeChange({ field: "assignee", from: null, to: "Ana" })).toBe("assignee: — → Ana");
    expect(parseTags(" VIP, billing  vip,,outage ")).toEqual(["vip", "billing", "outage"]);
  });
});
