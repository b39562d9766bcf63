//! The hub's API paths: a constant for each fixed path, a function for each path with ids, and
//! [`DOCUMENTED`], every path template of the OpenAPI document, which the hub's tests compare
//! with the document it serves. Clients and tests build paths here, never by hand.

use std::fmt::Display;

/// The prefix of every API path.
pub const API: &str = "/api/v1";

// ---- meta -------------------------------------------------------------------------------------

/// `GET`: what the hub says about itself.
pub const HUB: &str = "/api/v1/hub";
/// `GET`: the OpenAPI document (not itself documented in it).
pub const OPENAPI: &str = "/api/v1/openapi.json";
/// `GET`: liveness, outside the API.
pub const HEALTHZ: &str = "/healthz";
/// `GET`: readiness, outside the API.
pub const READYZ: &str = "/readyz";
/// `GET`: Prometheus metrics, outside the API.
pub const METRICS: &str = "/metrics";

// ---- sign-in, enrollment, sessions ------------------------------------------------------------

/// `POST`: password step of sign-in.
pub const LOGIN: &str = "/api/v1/auth/login";
/// `POST`: second factor step of sign-in.
pub const LOGIN_MFA: &str = "/api/v1/auth/login/mfa";
/// `POST`: accept an invite with a password.
pub const ENROLL: &str = "/api/v1/auth/enroll";
/// `POST`: confirm enrollment with a TOTP code.
pub const ENROLL_CONFIRM: &str = "/api/v1/auth/enroll/confirm";
/// `POST`: end the caller's session.
pub const LOGOUT: &str = "/api/v1/auth/logout";
/// `POST`: unlock an idle session with a code.
pub const REAUTHENTICATE: &str = "/api/v1/auth/reauthenticate";
/// `GET`: the caller and what they may do.
pub const ME: &str = "/api/v1/me";
/// `GET` the caller's sessions, `DELETE` them all.
pub const SESSIONS: &str = "/api/v1/sessions";

/// `DELETE`: one of the caller's sessions.
pub fn session(id: impl Display) -> String {
    format!("{SESSIONS}/{id}")
}

// ---- staff ------------------------------------------------------------------------------------

/// `GET` the staff directory, `POST` an invite.
pub const STAFF: &str = "/api/v1/staff";

/// `GET`: one staff member.
pub fn staff_member(id: impl Display) -> String {
    format!("{STAFF}/{id}")
}

/// `PUT`: a staff member's role.
pub fn staff_role(id: impl Display) -> String {
    format!("{STAFF}/{id}/role")
}

/// `POST`: reset a staff member's second factor.
pub fn staff_mfa_reset(id: impl Display) -> String {
    format!("{STAFF}/{id}/mfa-reset")
}

/// `POST`: deactivate a staff member.
pub fn staff_deactivate(id: impl Display) -> String {
    format!("{STAFF}/{id}/deactivate")
}

/// `GET`: a staff member's capabilities.
pub fn staff_capabilities(id: impl Display) -> String {
    format!("{STAFF}/{id}/capabilities")
}

/// `GET` a staff member's sessions, `DELETE` them all.
pub fn staff_sessions(id: impl Display) -> String {
    format!("{STAFF}/{id}/sessions")
}

/// `GET` and `PUT`: a staff member's onboarding clearance.
pub fn staff_clearance(id: impl Display) -> String {
    format!("{STAFF}/{id}/clearance")
}

// ---- audit ------------------------------------------------------------------------------------

/// `GET`: the audit trail.
pub const AUDIT: &str = "/api/v1/audit";
/// `GET`: the audit trail as JSON lines or CSV.
pub const AUDIT_EXPORT: &str = "/api/v1/audit/export";
/// `POST`: verify the audit chain.
pub const AUDIT_VERIFY: &str = "/api/v1/audit/verify";
/// `GET`: security events.
pub const SECURITY_EVENTS: &str = "/api/v1/security-events";

// ---- tickets ----------------------------------------------------------------------------------

/// `GET` a queue page, `POST` a new ticket.
pub const TICKETS: &str = "/api/v1/tickets";
/// `POST`: one edit to many tickets.
pub const TICKETS_BULK: &str = "/api/v1/tickets/bulk";
/// `GET`: the changes feed.
pub const TICKET_CHANGES: &str = "/api/v1/tickets/changes";
/// `GET`: the queue's counts.
pub const TICKET_COUNTS: &str = "/api/v1/tickets/counts";
/// `GET`: ticket search.
pub const TICKET_SEARCH: &str = "/api/v1/tickets/search";

/// `GET` and `PATCH`: one ticket.
pub fn ticket(id: impl Display) -> String {
    format!("{TICKETS}/{id}")
}

/// `POST`: assign a ticket.
pub fn ticket_assign(id: impl Display) -> String {
    format!("{TICKETS}/{id}/assign")
}

/// `POST`: escalate a ticket.
pub fn ticket_escalate(id: impl Display) -> String {
    format!("{TICKETS}/{id}/escalate")
}

/// `POST`: merge a ticket into another.
pub fn ticket_merge(id: impl Display) -> String {
    format!("{TICKETS}/{id}/merge")
}

/// `POST`: a message on a ticket.
pub fn ticket_messages(id: impl Display) -> String {
    format!("{TICKETS}/{id}/messages")
}

/// `PUT`: the caller's presence on a ticket.
pub fn ticket_presence(id: impl Display) -> String {
    format!("{TICKETS}/{id}/presence")
}

/// `GET` groups, `POST` a new one.
pub const GROUPS: &str = "/api/v1/groups";

/// `PUT`: one group.
pub fn group(id: impl Display) -> String {
    format!("{GROUPS}/{id}")
}

/// `GET`: who tickets may be assigned to.
pub const ASSIGNEES: &str = "/api/v1/assignees";
/// `GET`: the SLA policies.
pub const SLA_POLICIES: &str = "/api/v1/sla-policies";

/// `PUT`: the SLA policy of one priority.
pub fn sla_policy(priority: impl Display) -> String {
    format!("{SLA_POLICIES}/{priority}")
}

/// `GET` the caller's saved filters, `POST` a new one.
pub const SAVED_FILTERS: &str = "/api/v1/saved-filters";

/// `DELETE`: one saved filter.
pub fn saved_filter(id: impl Display) -> String {
    format!("{SAVED_FILTERS}/{id}")
}

// ---- tenants, integrations, intake ------------------------------------------------------------

/// `GET` the tenant directory, `POST` a new tenant.
pub const TENANTS: &str = "/api/v1/tenants";
/// `POST`: import tenants (JSON or CSV).
pub const TENANTS_IMPORT: &str = "/api/v1/tenants/import";

/// `PATCH`: one tenant.
pub fn tenant(id: impl Display) -> String {
    format!("{TENANTS}/{id}")
}

/// `GET` integration tokens, `POST` a new one.
pub const INTEGRATION_TOKENS: &str = "/api/v1/integration-tokens";

/// `POST`: revoke an integration token.
pub fn integration_token_revoke(id: impl Display) -> String {
    format!("{INTEGRATION_TOKENS}/{id}/revoke")
}

/// `POST`: a ticket from an integration.
pub const INTAKE_TICKETS: &str = "/api/v1/intake/tickets";
/// `POST`: a tenant user's sign-in, from an integration.
pub const INTAKE_SIGN_INS: &str = "/api/v1/intake/sign-ins";

// ---- cross-tenant access ----------------------------------------------------------------------

/// `GET`: the access rules as they apply to the caller.
pub const ACCESS_POLICY: &str = "/api/v1/access/policy";
/// `GET` access requests, `POST` a new one.
pub const ACCESS_REQUESTS: &str = "/api/v1/access/requests";
/// `GET`: access requests as JSON lines or CSV.
pub const ACCESS_REQUESTS_EXPORT: &str = "/api/v1/access/requests/export";
/// `GET`: access grants.
pub const ACCESS_GRANTS: &str = "/api/v1/access/grants";

/// `GET`: one access request.
pub fn access_request(id: impl Display) -> String {
    format!("{ACCESS_REQUESTS}/{id}")
}

/// `POST`: a review of an access request.
pub fn access_request_reviews(id: impl Display) -> String {
    format!("{ACCESS_REQUESTS}/{id}/reviews")
}

/// `POST`: cancel an access request.
pub fn access_request_cancel(id: impl Display) -> String {
    format!("{ACCESS_REQUESTS}/{id}/cancel")
}

/// `POST`: the holder ends their own grant.
pub fn access_grant_release(id: impl Display) -> String {
    format!("{ACCESS_GRANTS}/{id}/release")
}

/// `POST`: revoke someone's grant.
pub fn access_grant_revoke(id: impl Display) -> String {
    format!("{ACCESS_GRANTS}/{id}/revoke")
}

// ---- tenant data (under a grant) --------------------------------------------------------------

/// `GET`: a tenant's users.
pub fn tenant_users(tenant: impl Display) -> String {
    format!("{TENANTS}/{tenant}/users")
}

/// `POST`: import a tenant's users (JSON or CSV).
pub fn tenant_users_import(tenant: impl Display) -> String {
    format!("{TENANTS}/{tenant}/users/import")
}

/// `GET`: one tenant user.
pub fn tenant_user(tenant: impl Display, user: impl Display) -> String {
    format!("{TENANTS}/{tenant}/users/{user}")
}

/// `GET`: a tenant user's recent sign-ins.
pub fn tenant_user_sign_ins(tenant: impl Display, user: impl Display) -> String {
    format!("{TENANTS}/{tenant}/users/{user}/sign-ins")
}

/// `POST`: a one-time password reset link for a tenant user.
pub fn tenant_user_password_reset(tenant: impl Display, user: impl Display) -> String {
    format!("{TENANTS}/{tenant}/users/{user}/password-reset")
}

/// `POST`: unlock a tenant user.
pub fn tenant_user_unlock(tenant: impl Display, user: impl Display) -> String {
    format!("{TENANTS}/{tenant}/users/{user}/unlock")
}

/// `PUT`: a tenant user's role.
pub fn tenant_user_role(tenant: impl Display, user: impl Display) -> String {
    format!("{TENANTS}/{tenant}/users/{user}/role")
}

/// `GET` and `PATCH`: a tenant's settings.
pub fn tenant_settings(tenant: impl Display) -> String {
    format!("{TENANTS}/{tenant}/settings")
}

// ---- live events ------------------------------------------------------------------------------

/// `GET`: the live event stream (`text/event-stream`).
pub const EVENTS: &str = "/api/v1/events";

/// Every path template of the OpenAPI document, as it names its parameters (`{id}`,
/// `{user_id}`, `{priority}`), sorted.
pub const DOCUMENTED: &[&str] = &[
    "/api/v1/access/grants",
    "/api/v1/access/grants/{id}/release",
    "/api/v1/access/grants/{id}/revoke",
    "/api/v1/access/policy",
    "/api/v1/access/requests",
    "/api/v1/access/requests/export",
    "/api/v1/access/requests/{id}",
    "/api/v1/access/requests/{id}/cancel",
    "/api/v1/access/requests/{id}/reviews",
    "/api/v1/assignees",
    "/api/v1/audit",
    "/api/v1/audit/export",
    "/api/v1/audit/verify",
    "/api/v1/auth/enroll",
    "/api/v1/auth/enroll/confirm",
    "/api/v1/auth/login",
    "/api/v1/auth/login/mfa",
    "/api/v1/auth/logout",
    "/api/v1/auth/reauthenticate",
    "/api/v1/events",
    "/api/v1/groups",
    "/api/v1/groups/{id}",
    "/api/v1/hub",
    "/api/v1/intake/sign-ins",
    "/api/v1/intake/tickets",
    "/api/v1/integration-tokens",
    "/api/v1/integration-tokens/{id}/revoke",
    "/api/v1/me",
    "/api/v1/saved-filters",
    "/api/v1/saved-filters/{id}",
    "/api/v1/security-events",
    "/api/v1/sessions",
    "/api/v1/sessions/{id}",
    "/api/v1/sla-policies",
    "/api/v1/sla-policies/{priority}",
    "/api/v1/staff",
    "/api/v1/staff/{id}",
    "/api/v1/staff/{id}/capabilities",
    "/api/v1/staff/{id}/clearance",
    "/api/v1/staff/{id}/deactivate",
    "/api/v1/staff/{id}/mfa-reset",
    "/api/v1/staff/{id}/role",
    "/api/v1/staff/{id}/sessions",
    "/api/v1/tenants",
    "/api/v1/tenants/import",
    "/api/v1/tenants/{id}",
    "/api/v1/tenants/{id}/settings",
    "/api/v1/tenants/{id}/users",
    "/api/v1/tenants/{id}/users/import",
    "/api/v1/tenants/{id}/users/{user_id}",
    "/api/v1/tenants/{id}/users/{user_id}/password-reset",
    "/api/v1/tenants/{id}/users/{user_id}/role",
    "/api/v1/tenants/{id}/users/{user_id}/sign-ins",
    "/api/v1/tenants/{id}/users/{user_id}/unlock",
    "/api/v1/tickets",
    "/api/v1/tickets/bulk",
    "/api/v1/tickets/changes",
    "/api/v1/tickets/counts",
    "/api/v1/tickets/search",
    "/api/v1/tickets/{id}",
    "/api/v1/tickets/{id}/assign",
    "/api/v1/tickets/{id}/escalate",
    "/api/v1/tickets/{id}/merge",
    "/api/v1/tickets/{id}/messages",
    "/api/v1/tickets/{id}/presence",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every constant and function of this module, the functions given the template's own
    /// parameter names, so each yields the template it fills.
    fn all_templates() -> BTreeSet<String> {
        let (id, user) = ("{id}", "{user_id}");
        let fixed = [
            HUB,
            LOGIN,
            LOGIN_MFA,
            ENROLL,
            ENROLL_CONFIRM,
            LOGOUT,
            REAUTHENTICATE,
            ME,
            SESSIONS,
            STAFF,
            AUDIT,
            AUDIT_EXPORT,
            AUDIT_VERIFY,
            SECURITY_EVENTS,
            TICKETS,
            TICKETS_BULK,
            TICKET_CHANGES,
            TICKET_COUNTS,
            TICKET_SEARCH,
            GROUPS,
            ASSIGNEES,
            SLA_POLICIES,
            SAVED_FILTERS,
            TENANTS,
            TENANTS_IMPORT,
            INTEGRATION_TOKENS,
            INTAKE_TICKETS,
            INTAKE_SIGN_INS,
            ACCESS_POLICY,
            ACCESS_REQUESTS,
            ACCESS_REQUESTS_EXPORT,
            ACCESS_GRANTS,
            EVENTS,
        ];
        let filled = [
            session(id),
            staff_member(id),
            staff_role(id),
            staff_mfa_reset(id),
            staff_deactivate(id),
            staff_capabilities(id),
            staff_sessions(id),
            staff_clearance(id),
            ticket(id),
            ticket_assign(id),
            ticket_escalate(id),
            ticket_merge(id),
            ticket_messages(id),
            ticket_presence(id),
            group(id),
            sla_policy("{priority}"),
            saved_filter(id),
            tenant(id),
            integration_token_revoke(id),
            access_request(id),
            access_request_reviews(id),
            access_request_cancel(id),
            access_grant_release(id),
            access_grant_revoke(id),
            tenant_users(id),
            tenant_users_import(id),
            tenant_user(id, user),
            tenant_user_sign_ins(id, user),
            tenant_user_password_reset(id, user),
            tenant_user_unlock(id, user),
            tenant_user_role(id, user),
            tenant_settings(id),
        ];
        fixed.iter().map(|p| p.to_string()).chain(filled).collect()
    }

    #[test]
    fn the_paths_here_are_exactly_the_documented_templates() {
        let documented: BTreeSet<String> = DOCUMENTED.iter().map(|p| p.to_string()).collect();
        assert_eq!(documented.len(), DOCUMENTED.len(), "no template twice");
        assert_eq!(all_templates(), documented);
        assert!(DOCUMENTED.windows(2).all(|w| w[0] < w[1]), "sorted");
        assert!(DOCUMENTED.iter().all(|p| p.starts_with(API)));
    }

    #[test]
    fn ids_fill_the_templates() {
        assert_eq!(ticket(42), "/api/v1/tickets/42");
        assert_eq!(tenant_user("t", "u"), "/api/v1/tenants/t/users/u");
    }
}
