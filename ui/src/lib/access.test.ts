// Cross-tenant access as the screens word it: countdowns, duration limits, the summary before
// sending, the clearance gate, and which actions each role is offered.
import { describe, expect, it } from "vitest";
import {
  accessTabs, approvalProgress, clampDuration, clearanceBlock, countdownTone, defaultDuration, formatCountdown, formatDuration,
  isActive, mayRevoke, policySummary, reasonState, reviewerPhrase, switcherLabel, tenantActions, validateRequest,
  type RequestDraft,
} from "./access";
import type { AccessPolicyView } from "./generated/AccessPolicyView";
import type { AccessRequestView } from "./generated/AccessRequestView";
import type { Me } from "./generated/Me";
import type { Permission } from "./generated/Permission";
import type { Role } from "./generated/Role";

const person = (role: Role, permissions: Permission[], id = "s1"): Me =>
  ({
    staff: { id, username: id, display_name: id, email: `${id}@x.test`, role },
    capabilities: { active: true, permissions: permissions.map((permission) => ({ permission })), assignable_roles: [] },
  }) as unknown as Me;

const agent = person("agent", ["tickets.read", "access.request_read"]);
const manager = person("manager", ["tickets.read", "access.request_read", "access.request_support", "access.request_admin", "access.review"], "m1");
const security = person("security_officer", ["access.request_read", "access.review", "grants.revoke_any", "audit.read"], "so1");
const viewer = person("viewer", ["tickets.read"]);

const policy = (over: Partial<AccessPolicyView> = {}): AccessPolicyView => ({
  scopes: [
    { scope: "read", max_minutes: 480, approvals_needed: 1, may_request: true },
    { scope: "support", max_minutes: 240, approvals_needed: 1, may_request: false },
    { scope: "admin", max_minutes: 60, approvals_needed: 2, may_request: false },
  ],
  pending_hours: 24,
  clearance: { staff_id: "s1", nda_at: "x", background_check_at: "x", training_at: "x", complete: true, missing: [], recorded_by: null, version: 1 },
  reviewers: [
    { id: "m1", display_name: "Ana", role: "manager" },
    { id: "m2", display_name: "Bo", role: "manager" },
    { id: "m3", display_name: "Cy", role: "security_officer" },
  ],
  ...over,
});

const draft = (over: Partial<RequestDraft> = {}): RequestDraft => ({
  tenantId: "tn1", scope: "read", reason: "Customer cannot sign in since Monday", durationMinutes: 60, startAt: "", ticketId: "", ...over,
});

const request = (over: Partial<AccessRequestView> = {}): AccessRequestView => ({
  id: "r1", tenant: { id: "tn1", name: "Acme", slug: "acme" }, requester: { id: "s1", display_name: "Mia", role: "agent" },
  scope: "read", reason: "Customer cannot sign in", duration_minutes: 60, start_at: null, ticket_id: null, ticket_number: null,
  status: "pending", created_at: new Date().toISOString(), expires_at: new Date().toISOString(), decided_at: null,
  approvals_needed: 1, reviews: [], grant: null, version: 1, actions: [], ...over,
});

describe("grant countdowns", () => {
  it("counts down as h:mm:ss from an hour, mm:ss below, and never goes negative", () => {
    expect(formatCountdown((1 * 3600 + 42 * 60 + 10) * 1000)).toBe("1:42:10");
    expect(formatCountdown((9 * 60 + 5) * 1000 + 999)).toBe("09:05");
    expect(formatCountdown(999)).toBe("00:00");
    expect(formatCountdown(-5000)).toBe("00:00");
  });

  it("turns amber under ten minutes and says when it ended", () => {
    expect(countdownTone(10 * 60_000)).toBe("ok");
    expect(countdownTone(10 * 60_000 - 1)).toBe("soon");
    expect(countdownTone(0)).toBe("ended");
  });

  it("names the tenant, scope and time left in the switcher, or no tenant", () => {
    const now = Date.parse("2026-01-01T10:00:00Z");
    const grant = { tenant: { id: "tn1", name: "Acme Corp", slug: "acme" }, scope: "read" as const, ends_at: "2026-01-01T11:42:10Z", ended_at: null };
    expect(switcherLabel(grant, now)).toBe("Acme Corp · read · 1:42:10 left");
    expect(switcherLabel({ ...grant, ended_at: "2026-01-01T09:59:00Z" }, now)).toBe("Acme Corp · read · 00:00 left");
    expect(switcherLabel(null, now)).toBe("No tenant");
  });

  it("treats scheduled, released and expired grants as closed", () => {
    const now = Date.parse("2026-01-01T10:00:00Z");
    const g = { starts_at: "2026-01-01T09:00:00Z", ends_at: "2026-01-01T11:00:00Z", ended_at: null, state: "active" as const };
    expect(isActive(g, now)).toBe(true);
    expect(isActive({ ...g, starts_at: "2026-01-01T10:30:00Z", state: "scheduled" }, now)).toBe(false);
    expect(isActive({ ...g, ended_at: "2026-01-01T09:30:00Z" }, now)).toBe(false);
    expect(isActive({ ...g, ends_at: "2026-01-01T10:00:00Z" }, now)).toBe(false);
    // The hub's clock may be ahead of this one: its word that a grant started counts.
    expect(isActive({ ...g, starts_at: "2026-01-01T10:03:00Z", state: "active" }, now)).toBe(true);
  });
});

describe("durations", () => {
  it("starts at the scope's maximum or one hour, whichever is shorter, and stays within it", () => {
    expect(defaultDuration(480)).toBe(60);
    expect(defaultDuration(30)).toBe(30);
    expect(clampDuration(9, 0, 480)).toBe(480);
    expect(clampDuration(0, 0, 480)).toBe(1);
    expect(clampDuration(1, 30, 480)).toBe(90);
    expect(clampDuration(Number.NaN, 15, 60)).toBe(15);
    expect(formatDuration(120)).toBe("2 h");
    expect(formatDuration(90)).toBe("1 h 30 min");
    expect(formatDuration(45)).toBe("45 min");
  });
});

describe("the request form", () => {
  it("counts the reason and asks for at least ten characters", () => {
    expect(reasonState("")).toMatchObject({ count: 0, ok: false });
    expect(reasonState("  too short ")).toMatchObject({ count: 9, ok: false });
    expect(reasonState("  too short ").message).toContain("1 more");
    expect(reasonState("long enough")).toEqual({ count: 11, ok: true, message: null });
    expect(reasonState("x".repeat(2001)).ok).toBe(false);
  });

  it("names each field that is wrong, as the hub names them", () => {
    expect(validateRequest(draft(), policy())).toEqual({});
    const errors = validateRequest(draft({ tenantId: null, scope: "support", reason: "short", durationMinutes: 0 }), policy());
    expect(Object.keys(errors).sort()).toEqual(["duration_minutes", "reason", "scope", "tenant_id"]);
    expect(errors.scope).toBe("Your role cannot request support access.");
    expect(validateRequest(draft({ durationMinutes: 481 }), policy()).duration_minutes).toBe("At most 8 h for read access.");
    const now = Date.parse("2026-01-01T10:00:00");
    expect(validateRequest(draft({ startAt: "2026-01-01T09:00" }), policy(), now).start_at).toContain("past");
    expect(validateRequest(draft({ startAt: "2026-01-09T10:00" }), policy(), now).start_at).toContain("7 days");
    expect(validateRequest(draft({ startAt: "2026-01-01T12:00" }), policy(), now)).toEqual({});
    expect(validateRequest(draft({ ticketId: "#12" }), policy()).ticket_id).toBeDefined();
  });

  it("says before sending who must approve and how long access lasts", () => {
    expect(policySummary(policy(), "read", "agent", 120)).toBe(
      "Needs 1 approval from a manager or above (3 people can review: Ana, Bo and Cy). Access will last 2 h from approval. Requests wait 24 h for review.",
    );
    const many = policy({ reviewers: ["A", "B", "C", "D", "E", "F"].map((n) => ({ id: n, display_name: n, role: "manager" as const })) });
    expect(policySummary(many, "admin", "engineer", 60)).toContain("Needs 2 approvals from different managers or above (6 people can review: A, B, C, D and 2 more)");
    expect(policySummary(policy({ reviewers: [] }), "read", "agent", 30)).toContain("nobody can review it right now");
    expect(reviewerPhrase("security_officer", 1)).toBe("a security officer or above");
    expect(reviewerPhrase("admin", 1)).toBe("an admin");
  });

  it("blocks the form while clearance is incomplete, naming what is missing", () => {
    const c = policy().clearance;
    expect(clearanceBlock(c)).toBeNull();
    const missing = clearanceBlock({ ...c, complete: false, training_at: null, nda_at: null, missing: ["nda", "training"] });
    expect(missing).toContain("NDA and training are not recorded yet");
    expect(clearanceBlock({ ...c, complete: false, training_at: null, missing: ["training"] })).toContain("training is not recorded yet. Ask an admin to record it.");
  });
});

describe("what each role is offered", () => {
  it("shows the tabs a role can use", () => {
    expect(accessTabs(agent)).toEqual(["request", "mine", "grants"]);
    expect(accessTabs(manager)).toEqual(["request", "mine", "approvals", "grants"]);
    expect(accessTabs(viewer)).toEqual([]);
    expect(mayRevoke(security)).toBe(true);
    expect(mayRevoke(manager)).toBe(false);
  });

  it("counts the approvals a request has against those it needs", () => {
    const reviewed = request({ approvals_needed: 2, reviews: [{ reviewer: { id: "m1", display_name: "Me", role: "manager" }, approved: true, comment: null, at: "" }] });
    expect(approvalProgress(reviewed)).toBe("1 of 2 approvals");
    expect(approvalProgress(request())).toBe("0 of 1 approval");
  });

  it("opens the support actions with a support grant and settings with an admin grant", () => {
    expect(tenantActions("read")).toEqual({ users: true, support: false, settings: false });
    expect(tenantActions("support")).toEqual({ users: true, support: true, settings: false });
    expect(tenantActions("admin")).toEqual({ users: true, support: true, settings: true });
    expect(tenantActions(null).users).toBe(false);
  });
});
