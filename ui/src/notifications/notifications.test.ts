import { describe, expect, it } from "vitest";
import { deliveryLabel, KINDS, kindLabel, targetOf, timeInput, timeValue, unreadLabel } from "./notifications";

describe("notifications", () => {
  it("opens tickets in the queue and access items on their tab, with deny in focus when asked", () => {
    expect(targetOf({ kind: "escalation", subject_kind: "ticket", subject_id: "t1" })).toEqual({ section: "queue", ticket: "t1" });
    expect(targetOf({ kind: "review", subject_kind: "access_request", subject_id: "r1", focus: "deny" })).toEqual({
      section: "access", tab: "approvals", request: "r1", deny: true,
    });
    expect(targetOf({ kind: "decision", subject_kind: "access_request", subject_id: "r1" })).toEqual({
      section: "access", tab: "mine", request: "r1", deny: false,
    });
    expect(targetOf({ kind: "grant_expiring", subject_kind: "grant", subject_id: "g1" })).toMatchObject({ section: "access", tab: "grants" });
    // The app's own notes open nothing.
    expect(targetOf({ kind: null, subject_kind: null, subject_id: null })).toBeNull();
  });

  it("names every kind and every delivery, and round-trips quiet hours through a time input", () => {
    expect(KINDS).toHaveLength(6);
    expect(new Set(KINDS.map(kindLabel)).size).toBe(6);
    expect(deliveryLabel("quiet")).toContain("do-not-disturb");
    expect(deliveryLabel("missed")).toContain("closed");
    expect(timeInput("22:00:00")).toBe("22:00");
    expect(timeInput(null)).toBe("");
    expect(timeValue("07:30")).toBe("07:30:00");
    expect(timeValue("")).toBeNull();
    expect(unreadLabel(3)).toBe("3");
    expect(unreadLabel(140)).toBe("99+");
  });
});
