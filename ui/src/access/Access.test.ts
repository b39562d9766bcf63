// The Access screens rendered for real in jsdom; only the shell boundary (`invoke`) is faked:
// the request form's checks and summary, the clearance gate, the deny-needs-a-comment rule,
// releasing a grant, and the tenant portal closing itself when the hub says the grant ended.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import Access from "./Access.svelte";
import Approvals from "./Approvals.svelte";
import Grants from "./Grants.svelte";
import TenantPortal from "./TenantPortal.svelte";
import { resetScope, tenantScope } from "./scope.svelte";
import type { AccessPolicyView } from "../lib/generated/AccessPolicyView";
import type { AccessRequestView } from "../lib/generated/AccessRequestView";
import type { GrantView } from "../lib/generated/GrantView";
import type { Me } from "../lib/generated/Me";
import type { Permission } from "../lib/generated/Permission";
import type { Role } from "../lib/generated/Role";

const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke }));

const person = (id: string, name: string, role: Role, permissions: Permission[]): Me =>
  ({
    staff: { id, username: id, display_name: name, email: `${id}@x.test`, role },
    capabilities: { active: true, permissions: permissions.map((permission) => ({ permission })), assignable_roles: [] },
  }) as unknown as Me;
const agent = person("s1", "Mia", "agent", ["tickets.read", "tickets.work", "access.request_read"]);
const manager = person("m1", "Ana", "manager", ["tickets.read", "access.request_read", "access.review"]);

const acme = { id: "11111111-1111-4111-8111-111111111111", name: "Acme Corp", slug: "acme" };

function policy(complete = true): AccessPolicyView {
  return {
    scopes: [
      { scope: "read", max_minutes: 480, approvals_needed: 1, may_request: true },
      { scope: "support", max_minutes: 240, approvals_needed: 1, may_request: false },
      { scope: "admin", max_minutes: 60, approvals_needed: 2, may_request: false },
    ],
    pending_hours: 24,
    clearance: {
      staff_id: "s1", nda_at: "2026-01-01T00:00:00Z", background_check_at: "2026-01-01T00:00:00Z",
      training_at: complete ? "2026-01-01T00:00:00Z" : null, complete, missing: complete ? [] : ["training"], recorded_by: null, version: 1,
    },
    reviewers: [{ id: "m1", display_name: "Ana", role: "manager" }, { id: "m2", display_name: "Bo", role: "manager" }],
  };
}

function request(over: Partial<AccessRequestView> = {}): AccessRequestView {
  const now = new Date().toISOString();
  return {
    id: "r1", tenant: acme, requester: { id: "s1", display_name: "Mia", role: "agent" }, scope: "read",
    reason: "Customer cannot sign in since Monday", duration_minutes: 60, start_at: null, ticket_id: null, ticket_number: 1042,
    status: "pending", created_at: now, expires_at: now, decided_at: null, approvals_needed: 1, reviews: [], grant: null, version: 3, actions: [], ...over,
  };
}

function grant(over: Partial<GrantView> = {}): GrantView {
  return {
    id: "g1", request_id: "r1", tenant: acme, holder: { id: "s1", display_name: "Mia", role: "agent" }, scope: "read",
    starts_at: new Date(Date.now() - 60_000).toISOString(), ends_at: new Date(Date.now() + 2 * 3600_000).toISOString(),
    ended_at: null, end_reason: null, ended_by: null, end_comment: null, state: "active", ...over,
  };
}

const byTest = (id: string) => document.querySelector<HTMLElement>(`[data-test="${id}"]`);
/** Waits for the element with `data-test` `id` to show. */
const appears = (id: string) =>
  vi.waitFor(() => {
    const el = byTest(id);
    if (!el) throw new Error(`no ${id} yet`);
    return el;
  });
const fail = (code: string, message: string, field: string | null = null) => Promise.reject({ code, message, field, retry_at: null });

beforeEach(() => {
  invoke.mockReset();
  resetScope();
});
afterEach(() => cleanup());

describe("Request access", () => {
  let created: () => Promise<AccessRequestView>;

  beforeEach(() => {
    // The hub offers the requester Cancel on their own pending request.
    created = async () => request({ actions: ["cancel"] });
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "access_policy") return policy();
      if (cmd === "tenants") return [{ ...acme, status: "active" }];
      if (cmd === "queue") return { items: [], next_cursor: null };
      if (cmd === "create_access_request") return created();
      if (cmd === "access_requests") return { items: [request({ actions: ["cancel"] })], next_cursor: null };
      throw new Error(`unexpected ${cmd}`);
    });
  });

  async function chooseAcme() {
    const input = await screen.findByRole("combobox", { name: "Tenant" });
    await fireEvent.input(input, { target: { value: "ac" } });
    const option = await screen.findByRole("button", { name: /Acme Corp/ });
    await fireEvent.click(option);
  }

  it("checks the form before sending: tenant, reason of ten characters, and only scopes my role may request", async () => {
    render(Access, { me: agent });
    await vi.waitFor(() => expect(byTest("access-request-form")).toBeTruthy());
    expect((byTest("scope-read") as HTMLInputElement).checked).toBe(true);
    expect((byTest("scope-support") as HTMLInputElement).disabled).toBe(true);
    expect((byTest("scope-admin") as HTMLInputElement).disabled).toBe(true);
    // Defaults to an hour (the read maximum is 8 h), and says so before sending.
    expect(byTest("access-summary")?.textContent).toBe(
      "Needs 1 approval from a manager or above (2 people can review: Ana and Bo). Access will last 1 h from approval. Requests wait 24 h for review.",
    );

    await fireEvent.input(byTest("access-reason")!, { target: { value: "too short" } });
    expect(byTest("reason-count")?.textContent).toContain("9 / 2000");
    await fireEvent.click(byTest("access-submit")!);
    expect(byTest("error-tenant_id")?.textContent).toBe("Choose the tenant you need access to.");
    expect(byTest("error-reason")?.textContent).toContain("At least 10 characters");
    expect(invoke).not.toHaveBeenCalledWith("create_access_request", expect.anything());

    // The duration stays within the scope's maximum.
    const hours = byTest("duration-hours") as HTMLInputElement;
    await fireEvent.change(hours, { target: { value: "12" } });
    expect(byTest("access-summary")?.textContent).toContain("Access will last 8 h from approval");

    await chooseAcme();
    await fireEvent.input(byTest("access-reason")!, { target: { value: "  Customer cannot sign in since Monday " } });
    await fireEvent.click(byTest("access-submit")!);
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("create_access_request", {
        request: { tenant_id: acme.id, scope: "read", reason: "Customer cannot sign in since Monday", duration_minutes: 480, start_at: null, ticket_id: null },
      }),
    );
    // Sent: My requests shows it, pending.
    expect(await screen.findByText(/Sent: read access to Acme Corp/)).toBeTruthy();
    await vi.waitFor(() => expect(byTest("request-status")?.textContent).toBe("Pending"));
    expect(byTest("request-cancel")).toBeTruthy();
  });

  it("shows the hub's refusal next to the field it names", async () => {
    created = () => fail("invalid_field", "`reason` must not contain control characters.", "reason");
    render(Access, { me: agent });
    await vi.waitFor(() => expect(byTest("access-request-form")).toBeTruthy());
    await chooseAcme();
    await fireEvent.input(byTest("access-reason")!, { target: { value: "A perfectly fine reason" } });
    await fireEvent.click(byTest("access-submit")!);
    await vi.waitFor(() => expect(byTest("error-reason")?.textContent).toBe("`reason` must not contain control characters."));
  });

  it("replaces the form with what is missing while onboarding clearance is incomplete", async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "access_policy") return policy(false);
      throw new Error(`unexpected ${cmd}`);
    });
    render(Access, { me: agent });
    const block = await appears("clearance-block");
    expect(block.textContent).toContain("training is not recorded yet");
    expect(byTest("access-request-form")).toBeNull();
  });
});

describe("Approvals", () => {
  beforeEach(() => {
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
      if (cmd === "access_requests") {
        const q = args.query as { box: string };
        // The hub offers the manager a review of the agent's request; once reviewed, nothing.
        return { items: q.box === "to_review" ? [request({ actions: ["review"] })] : [], next_cursor: null };
      }
      if (cmd === "review_access_request") {
        const review = args.review as { approve: boolean; comment: string | null };
        return request({ status: review.approve ? "approved" : "denied", reviews: [{ reviewer: { id: "m1", display_name: "Ana", role: "manager" }, approved: review.approve, comment: review.comment, at: new Date().toISOString() }] });
      }
      throw new Error(`unexpected ${cmd}`);
    });
  });

  it("shows who asks, for what and why, and needs a comment to deny", async () => {
    render(Approvals, { me: manager });
    const row = await appears("approvals-row");
    expect(row.textContent).toContain("Mia");
    expect(row.textContent).toContain("Agent, tier 2");
    expect(row.textContent).toContain("Acme Corp");
    expect(row.textContent).toContain("Customer cannot sign in since Monday");
    expect(row.textContent).toContain("Ticket #1042");
    expect(row.textContent).toContain("0 of 1 approval");

    await fireEvent.click(byTest("deny")!);
    const confirm = byTest("deny-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await fireEvent.input(byTest("deny-comment")!, { target: { value: "   " } });
    expect(confirm.disabled).toBe(true);
    await fireEvent.click(confirm);
    expect(invoke).not.toHaveBeenCalledWith("review_access_request", expect.anything());

    await fireEvent.input(byTest("deny-comment")!, { target: { value: "Use the read-only export instead" } });
    expect(confirm.disabled).toBe(false);
    await fireEvent.click(confirm);
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("review_access_request", { id: "r1", review: { approve: false, comment: "Use the read-only export instead", version: 3 } }),
    );
    expect(await screen.findByText("Denied: Mia's read access to Acme Corp.")).toBeTruthy();
  });

  it("approves with one click", async () => {
    render(Approvals, { me: manager });
    await vi.waitFor(() => expect(byTest("approve")).toBeTruthy());
    await fireEvent.click(byTest("approve")!);
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith("review_access_request", { id: "r1", review: { approve: true, comment: null, version: 3 } }));
  });
});

describe("Grants and the tenant portal", () => {
  it("releases a grant after a confirm, and the switcher learns the tenant left scope", async () => {
    let released = false;
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "grants") return released ? [] : [grant()];
      if (cmd === "release_grant") {
        released = true;
        return grant({ state: "ended", ended_at: new Date().toISOString(), end_reason: "released" });
      }
      if (cmd === "tenant_scope") return { tenant: null, grant: null, grants: [], ended: acme };
      throw new Error(`unexpected ${cmd}`);
    });
    render(Grants, { me: agent });
    const row = await appears("grant-row");
    expect(row.querySelector('[data-test="grant-countdown"]')?.textContent).toMatch(/^\s*1:59:\d\d left/);
    await fireEvent.click(byTest("grant-release")!);
    expect(invoke).not.toHaveBeenCalledWith("release_grant", expect.anything());
    await fireEvent.click(byTest("grant-release-confirm")!);
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith("release_grant", { id: "g1" }));
    await vi.waitFor(() => expect(byTest("grant-row")).toBeNull());
    await vi.waitFor(() => expect(tenantScope.notice).toBe("Access to Acme Corp ended"));
    expect(byTest("grants-notice")?.textContent).toContain("Released your read access to Acme Corp");
  });

  it("lists the tenant's users and closes itself when the hub says the grant ended", async () => {
    let ended = false;
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "tenant_users") {
        if (ended) return fail("grant_ended", "your grant for this tenant has ended");
        return {
          items: [{ id: "u1", tenant_id: acme.id, name: "Rita Owner", email: "rita@acme.test", role: "owner", status: "active", last_sign_in_at: null, mfa_enabled: true, version: 1 }],
          next_cursor: null,
        };
      }
      if (cmd === "tenant_scope") return { tenant: null, grant: null, grants: [], ended: acme };
      throw new Error(`unexpected ${cmd}`);
    });
    tenantScope.scope = { tenant: acme, grant: grant(), grants: [grant()], ended: null };
    tenantScope.portal = true;
    render(TenantPortal);
    await vi.waitFor(() => expect(byTest("tenant-users-row")?.textContent).toContain("Rita Owner"));
    // A read grant offers no support actions.
    expect(byTest("user-reset-password")).toBeNull();

    ended = true;
    await fireEvent.input(byTest("tenant-user-search")!, { target: { value: "ri" } });
    await vi.waitFor(() => expect(tenantScope.portal).toBe(false), { timeout: 2000 });
    expect(tenantScope.notice).toBe("Access to Acme Corp ended");
    expect(byTest("tenant-portal")).toBeNull();
  });
});
