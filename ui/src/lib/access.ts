// Cross-tenant access as people read it: grant countdowns, duration limits, the plain-language
// summary before a request is sent, request statuses, and which actions a role is offered
// (the hub enforces the same rules; the UI only avoids offering what would be refused).
import type { AccessPolicyView } from "./generated/AccessPolicyView";
import type { AccessRequestView } from "./generated/AccessRequestView";
import type { AccessScope } from "./generated/AccessScope";
import type { ClearanceView } from "./generated/ClearanceView";
import type { GrantView } from "./generated/GrantView";
import type { Me } from "./generated/Me";
import type { RequestStatus } from "./generated/RequestStatus";
import type { Role } from "./generated/Role";
import type { ScopePolicy } from "./generated/ScopePolicy";
import type { StaffRef } from "./generated/StaffRef";
import type { TenantUserRole } from "./generated/TenantUserRole";
import type { TenantUserStatus } from "./generated/TenantUserStatus";
import { can, roleLabel, ROLES, tier } from "./roles";

export const SCOPES: readonly AccessScope[] = ["read", "support", "admin"];
/** Reason length, in characters (as opsdesk-core). */
export const REASON_MIN = 10;
export const REASON_MAX = 2000;
/** A grant this close to its end shows in amber. */
export const ENDING_SOON_MS = 10 * 60_000;
/** The duration offered first: the scope's maximum or one hour, whichever is shorter. */
export const DEFAULT_DURATION_MINUTES = 60;
/** Reviewers named in the summary before "and N more". */
const NAMED_REVIEWERS = 4;

const SCOPE_LABELS: Record<AccessScope, string> = { read: "Read", support: "Support", admin: "Admin" };
const SCOPE_HINTS: Record<AccessScope, string> = {
  read: "See the tenant's users and their details",
  support: "Also reset passwords, unlock users, change roles, see sign-ins",
  admin: "Also change the tenant's settings",
};
const STATUS_LABELS: Record<RequestStatus, string> = {
  pending: "Pending",
  approved: "Approved",
  denied: "Denied",
  cancelled: "Cancelled",
  expired: "Expired",
};
const MISSING_LABELS: Record<string, string> = { nda: "NDA", background_check: "background check", training: "training" };
const USER_ROLE_LABELS: Record<TenantUserRole, string> = {
  owner: "Owner",
  admin: "Admin",
  member: "Member",
  billing: "Billing",
  read_only: "Read only",
};
export const TENANT_USER_ROLES: readonly TenantUserRole[] = ["owner", "admin", "member", "billing", "read_only"];
const USER_STATUS_LABELS: Record<TenantUserStatus, string> = { active: "Active", invited: "Invited", locked: "Locked", disabled: "Disabled" };

/** "Support". */
export function scopeLabel(s: AccessScope): string {
  return SCOPE_LABELS[s];
}

/** What a scope lets one do, in a phrase. */
export function scopeHint(s: AccessScope): string {
  return SCOPE_HINTS[s];
}

/** "Pending". */
export function requestStatusLabel(s: RequestStatus): string {
  return STATUS_LABELS[s];
}

/** The `.badge` class for a request status; always shown with its label. */
export function requestStatusClass(s: RequestStatus): string {
  if (s === "pending") return "badge medium";
  if (s === "approved") return "badge active";
  if (s === "denied") return "badge high";
  return "badge deactivated";
}

/** "Read only". */
export function tenantUserRoleLabel(r: TenantUserRole): string {
  return USER_ROLE_LABELS[r];
}

/** "Locked". */
export function tenantUserStatusLabel(s: TenantUserStatus): string {
  return USER_STATUS_LABELS[s];
}

// ---- time ------------------------------------------------------------------------------------

/** A countdown: "1:42:10" from an hour up, "09:05" below, "00:00" once over. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** How a grant's time left looks: "ended", "soon" (amber, under 10 min) or "ok". */
export function countdownTone(ms: number): "ok" | "soon" | "ended" {
  if (ms <= 0) return "ended";
  return ms < ENDING_SOON_MS ? "soon" : "ok";
}

/** Milliseconds left on a grant at `now`; 0 once it ended. */
export function timeLeft(grant: Pick<GrantView, "ends_at" | "ended_at">, now: number): number {
  if (grant.ended_at && new Date(grant.ended_at).getTime() <= now) return 0;
  return Math.max(0, new Date(grant.ends_at).getTime() - now);
}

/** Whether a grant is open at `now`: not ended, and started (the hub said active, or its start passed). */
export function isActive(grant: Pick<GrantView, "starts_at" | "ends_at" | "ended_at" | "state">, now: number): boolean {
  return grant.state !== "ended" && !startsLater(grant, now) && timeLeft(grant, now) > 0;
}

/** Whether a grant has yet to start at `now`. A grant the hub called active has started, whatever this computer's clock says. */
export function startsLater(grant: Pick<GrantView, "starts_at" | "state">, now: number): boolean {
  return grant.state === "scheduled" && new Date(grant.starts_at).getTime() > now;
}

/** "2 h", "1 h 30 min", "45 min". */
export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h && m) return `${h} h ${m} min`;
  return h ? `${h} h` : `${m} min`;
}

/** The duration first offered for a scope whose maximum is `max` minutes. */
export function defaultDuration(max: number): number {
  return Math.max(1, Math.min(max, DEFAULT_DURATION_MINUTES));
}

/** Hours and minutes as the picker shows them. */
export function splitMinutes(total: number): { hours: number; minutes: number } {
  return { hours: Math.floor(total / 60), minutes: total % 60 };
}

/** Hours and minutes typed in the picker, kept between 1 minute and the scope's maximum. */
export function clampDuration(hours: number, minutes: number, max: number): number {
  const h = Number.isFinite(hours) ? Math.max(0, Math.trunc(hours)) : 0;
  const m = Number.isFinite(minutes) ? Math.max(0, Math.trunc(minutes)) : 0;
  return Math.min(max, Math.max(1, h * 60 + m));
}

// ---- the request form --------------------------------------------------------------------------

/** The reason's counter and whether it may be sent. */
export function reasonState(reason: string): { count: number; ok: boolean; message: string | null } {
  const count = [...reason.trim()].length;
  if (count === 0) return { count, ok: false, message: "Say why you need the access." };
  if (count < REASON_MIN) return { count, ok: false, message: `At least ${REASON_MIN} characters, so an auditor can tell why (${REASON_MIN - count} more).` };
  if (count > REASON_MAX) return { count, ok: false, message: `At most ${REASON_MAX} characters (${count - REASON_MAX} too many).` };
  return { count, ok: true, message: null };
}

/** What the request form holds. */
export interface RequestDraft {
  tenantId: string | null;
  scope: AccessScope | null;
  reason: string;
  durationMinutes: number;
  /** A local date-time (`YYYY-MM-DDTHH:mm`) or empty for "at approval". */
  startAt: string;
  /** A ticket id, or empty. */
  ticketId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Problems with the form by field (named as the hub names them); empty when it may be sent. */
export function validateRequest(d: RequestDraft, policy: AccessPolicyView, now: number = Date.now()): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!d.tenantId) errors.tenant_id = "Choose the tenant you need access to.";
  const scope = policy.scopes.find((s) => s.scope === d.scope);
  if (!scope) errors.scope = "Choose what access you need.";
  else if (!scope.may_request) errors.scope = `Your role cannot request ${scope.scope} access.`;
  const reason = reasonState(d.reason);
  if (!reason.ok && reason.message) errors.reason = reason.message;
  if (!Number.isInteger(d.durationMinutes) || d.durationMinutes < 1) errors.duration_minutes = "At least one minute.";
  else if (scope && d.durationMinutes > scope.max_minutes) errors.duration_minutes = `At most ${formatDuration(scope.max_minutes)} for ${scope.scope} access.`;
  if (d.startAt) {
    const start = new Date(d.startAt).getTime();
    if (Number.isNaN(start)) errors.start_at = "Not a date and time.";
    else if (start < now - 5 * 60_000) errors.start_at = "This is in the past; leave it empty to start at approval.";
    else if (start > now + 7 * 86_400_000) errors.start_at = "Must be within 7 days from now.";
  }
  if (d.ticketId.trim() && !UUID.test(d.ticketId.trim())) errors.ticket_id = "Not a ticket id (copy it from the ticket).";
  return errors;
}

/** The scope a form starts on: the narrowest one I may request. */
export function firstRequestableScope(policy: AccessPolicyView): ScopePolicy | null {
  return policy.scopes.find((s) => s.may_request) ?? null;
}

/** "a manager or above", by the lowest tier that may review a request from `role`. */
export function reviewerPhrase(role: Role, approvals: number): string {
  const lowest = Math.max(5, tier(role));
  const label = roleLabel(ROLES[lowest - 1] ?? "manager").toLowerCase();
  const article = /^[aeiou]/.test(label) ? "an" : "a";
  if (lowest === 7) return approvals > 1 ? "different admins" : "an admin";
  return approvals > 1 ? `different ${label}s or above` : `${article} ${label} or above`;
}

/** "Ana, Bo and 3 more". */
export function namesList(people: readonly StaffRef[], named: number = NAMED_REVIEWERS): string {
  const names = people.map((p) => p.display_name);
  if (names.length <= named) {
    return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  }
  return `${names.slice(0, named).join(", ")} and ${names.length - named} more`;
}

/**
 * What sending the request will do, in plain words: "Needs 1 approval from a manager or above
 * (3 people can review: Ana, Bo and Cy). Access will last 2 h from approval."
 */
export function policySummary(policy: AccessPolicyView, scope: AccessScope, role: Role, durationMinutes: number, startAt: string = ""): string {
  const rule = policy.scopes.find((s) => s.scope === scope);
  const approvals = rule?.approvals_needed ?? 1;
  const n = policy.reviewers.length;
  const reviewers =
    n === 0
      ? "nobody can review it right now: ask an admin"
      : `${n} ${n === 1 ? "person" : "people"} can review: ${namesList(policy.reviewers)}`;
  const from = startAt ? `from ${new Date(startAt).toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })} (or from approval, if later)` : "from approval";
  return `Needs ${approvals} ${approvals === 1 ? "approval" : "approvals"} from ${reviewerPhrase(role, approvals)} (${reviewers}). Access will last ${formatDuration(durationMinutes)} ${from}. Requests wait ${policy.pending_hours} h for review.`;
}

/** Why I cannot request access yet, or null when my clearance is complete. */
export function clearanceBlock(c: ClearanceView): string | null {
  if (c.complete) return null;
  const missing = c.missing.map((m) => MISSING_LABELS[m] ?? m.replace(/_/g, " "));
  const list = missing.length <= 1 ? (missing[0] ?? "onboarding") : `${missing.slice(0, -1).join(", ")} and ${missing[missing.length - 1]}`;
  const verb = missing.length === 1 ? "is" : "are";
  return `Cross-tenant access stays off until your onboarding clearance is complete: ${list} ${verb} not recorded yet. Ask an admin to record ${missing.length === 1 ? "it" : "them"}.`;
}

// ---- reviews and grants --------------------------------------------------------------------------

/** Approvals a request has so far. */
export function approvalsSoFar(r: Pick<AccessRequestView, "reviews">): number {
  return r.reviews.filter((v) => v.approved).length;
}

/** "1 of 2 approvals". */
export function approvalProgress(r: Pick<AccessRequestView, "reviews" | "approvals_needed">): string {
  return `${approvalsSoFar(r)} of ${r.approvals_needed} ${r.approvals_needed === 1 ? "approval" : "approvals"}`;
}

/** Which tabs of the Access section a role sees. */
export function accessTabs(me: Me): Array<"request" | "mine" | "approvals" | "grants"> {
  const tabs: Array<"request" | "mine" | "approvals" | "grants"> = [];
  const requests = can(me, "access.request_read");
  if (requests) tabs.push("request", "mine");
  if (can(me, "access.review")) tabs.push("approvals");
  if (requests || can(me, "grants.revoke_any")) tabs.push("grants");
  return tabs;
}

/** Whether the Access section shows at all. */
export function mayUseAccess(me: Me): boolean {
  return accessTabs(me).length > 0;
}

/** Whether `me` sees everyone's grants with Revoke. */
export function mayRevoke(me: Me): boolean {
  return can(me, "grants.revoke_any");
}

/** Whether `me` sees the decided requests and may export them (reviewers, as the hub rules). */
export function mayExport(me: Me): boolean {
  return can(me, "access.review");
}

/** What a grant of `scope` lets one do in the tenant portal. */
export function tenantActions(scope: AccessScope | null): { users: boolean; support: boolean; settings: boolean } {
  return {
    users: scope !== null,
    support: scope === "support" || scope === "admin",
    settings: scope === "admin",
  };
}

/** The hub's codes that mean the tenant's data is closed (the portal closes itself). */
export const GRANT_GONE_CODES: readonly string[] = ["no_active_grant", "grant_ended", "grant_not_started", "tenant_not_selected"];

/** "Access to Acme Corp ended". */
export function endedNotice(tenantName: string): string {
  return `Access to ${tenantName} ended`;
}

/** The switcher's label: "Acme Corp · read · 1:42:10 left", or "No tenant". */
export function switcherLabel(grant: Pick<GrantView, "tenant" | "scope" | "ends_at" | "ended_at"> | null, now: number): string {
  if (!grant) return "No tenant";
  return `${grant.tenant.name} · ${grant.scope} · ${formatCountdown(timeLeft(grant, now))} left`;
}

/** A local `YYYY-MM-DDTHH:mm` (a datetime-local input's value) as an ISO instant, or null. */
export function localToIso(local: string): string | null {
  if (!local) return null;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}
