//! The rules that tiers alone do not express (DESIGN.md "Roles"): who manages whom, who reviews
//! whose access request, how long a grant may last, break-glass and onboarding clearance.

use crate::role::{Permission, Role};
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// Why a rule refused an action; `code` is stable for clients, the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleViolation {
    #[error("this needs the `{0}` permission")]
    MissingPermission(Permission),
    #[error("only admins create or change admins and security officers")]
    OnlyAdminsManageTopTiers,
    #[error("staff at manager tier or above are managed by admins only")]
    TargetAboveManagerReach,
    #[error("you cannot {0} your own account; ask another administrator")]
    SelfAction(&'static str),
    #[error("nobody reviews their own access request")]
    SelfReview,
    #[error("a reviewer must be manager or above and at least the requester's tier")]
    ReviewerTierTooLow,
    #[error("requested duration {requested_minutes} min exceeds the {scope} maximum of {max_minutes} min")]
    DurationTooLong {
        scope: AccessScope,
        requested_minutes: i64,
        max_minutes: i64,
    },
    #[error("duration must be at least one minute")]
    DurationTooShort,
    #[error("break-glass is only available while a SEV1 incident is open")]
    NoOpenSev1,
    #[error("cross-tenant access stays disabled until onboarding clearance (NDA, background check, training) is complete")]
    ClearanceIncomplete,
    #[error("this request is {0} and can no longer be reviewed")]
    RequestNotPending(crate::access::RequestStatus),
    #[error("this request waited too long and has expired; the requester must ask again")]
    RequestExpired,
    #[error("you already reviewed this request; admin access needs a second, different reviewer")]
    AlreadyReviewed,
    #[error("the requester's account is not active")]
    RequesterInactive,
}

impl RuleViolation {
    /// Stable machine code for this violation.
    pub fn code(&self) -> &'static str {
        match self {
            RuleViolation::MissingPermission(_) => "permission_denied",
            RuleViolation::OnlyAdminsManageTopTiers => "only_admins_manage_top_tiers",
            RuleViolation::TargetAboveManagerReach => "target_above_your_reach",
            RuleViolation::SelfAction(_) => "self_action_forbidden",
            RuleViolation::SelfReview => "self_review_forbidden",
            RuleViolation::ReviewerTierTooLow => "reviewer_tier_too_low",
            RuleViolation::DurationTooLong { .. } => "duration_too_long",
            RuleViolation::DurationTooShort => "duration_too_short",
            RuleViolation::NoOpenSev1 => "no_open_sev1",
            RuleViolation::ClearanceIncomplete => "clearance_incomplete",
            RuleViolation::RequestNotPending(_) => "request_not_pending",
            RuleViolation::RequestExpired => "request_expired",
            RuleViolation::AlreadyReviewed => "already_reviewed",
            RuleViolation::RequesterInactive => "requester_inactive",
        }
    }
}

/// Requires `role` to hold `permission`.
pub fn require(role: Role, permission: Permission) -> Result<(), RuleViolation> {
    if role.has(permission) {
        Ok(())
    } else {
        Err(RuleViolation::MissingPermission(permission))
    }
}

/// Whether `actor` may give a staff member the role `role` (invite with it, or change to it).
/// Admins manage every tier; managers and security officers manage up to engineer; only admins
/// touch admins and security officers.
pub fn may_assign_role(actor: Role, role: Role) -> Result<(), RuleViolation> {
    if actor.has(Permission::StaffManageAny) {
        return Ok(());
    }
    require(actor, Permission::StaffManage)?;
    match role {
        Role::Admin | Role::SecurityOfficer => Err(RuleViolation::OnlyAdminsManageTopTiers),
        Role::Manager => Err(RuleViolation::TargetAboveManagerReach),
        _ => Ok(()),
    }
}

/// Whether `actor` may act on an existing staff member whose role is `target` (change role, reset
/// MFA, deactivate). `is_self` refuses acting on one's own account.
pub fn may_manage_staff(
    actor: Role,
    target: Role,
    is_self: bool,
    action: &'static str,
) -> Result<(), RuleViolation> {
    require(actor, Permission::StaffManage)?;
    if is_self {
        return Err(RuleViolation::SelfAction(action));
    }
    may_assign_role(actor, target)
}

/// The scope of a cross-tenant access request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum AccessScope {
    Read,
    Support,
    Admin,
}

impl std::fmt::Display for AccessScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AccessScope::Read => "read",
            AccessScope::Support => "support",
            AccessScope::Admin => "admin",
        })
    }
}

impl AccessScope {
    /// The permission needed to request this scope.
    pub fn request_permission(self) -> Permission {
        match self {
            AccessScope::Read => Permission::AccessRequestRead,
            AccessScope::Support => Permission::AccessRequestSupport,
            AccessScope::Admin => Permission::AccessRequestAdmin,
        }
    }

    /// Distinct approvals needed before a grant starts.
    pub fn approvals_needed(self) -> usize {
        match self {
            AccessScope::Read | AccessScope::Support => 1,
            AccessScope::Admin => 2,
        }
    }
}

/// Maximum grant length per scope (configurable; defaults from DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantLimits {
    pub read: Duration,
    pub support: Duration,
    pub admin: Duration,
}

impl Default for GrantLimits {
    fn default() -> Self {
        GrantLimits {
            read: Duration::hours(8),
            support: Duration::hours(4),
            admin: Duration::hours(1),
        }
    }
}

impl GrantLimits {
    /// The maximum for `scope`.
    pub fn max(&self, scope: AccessScope) -> Duration {
        match scope {
            AccessScope::Read => self.read,
            AccessScope::Support => self.support,
            AccessScope::Admin => self.admin,
        }
    }

    /// Checks a requested duration against the scope's maximum.
    pub fn check(&self, scope: AccessScope, requested: Duration) -> Result<(), RuleViolation> {
        if requested < Duration::minutes(1) {
            return Err(RuleViolation::DurationTooShort);
        }
        let max = self.max(scope);
        if requested > max {
            return Err(RuleViolation::DurationTooLong {
                scope,
                requested_minutes: requested.num_minutes(),
                max_minutes: max.num_minutes(),
            });
        }
        Ok(())
    }
}

/// Whether `requester_role` may ask for `scope`, given their onboarding clearance.
pub fn may_request_access(
    requester_role: Role,
    scope: AccessScope,
    clearance_complete: bool,
) -> Result<(), RuleViolation> {
    require(requester_role, scope.request_permission())?;
    if !clearance_complete {
        return Err(RuleViolation::ClearanceIncomplete);
    }
    Ok(())
}

/// Whether `reviewer` may review a request made by `requester`: never one's own, tier at least
/// manager and at least the requester's.
pub fn may_review(
    reviewer_role: Role,
    reviewer_is_requester: bool,
    requester_role: Role,
) -> Result<(), RuleViolation> {
    if reviewer_is_requester {
        return Err(RuleViolation::SelfReview);
    }
    require(reviewer_role, Permission::AccessReview)?;
    if reviewer_role.tier() < requester_role.tier() {
        return Err(RuleViolation::ReviewerTierTooLow);
    }
    Ok(())
}

/// The outcome of the reviews so far on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Pending,
    Approved,
    Denied,
}

/// Tallies reviews: one denial denies; the scope's number of distinct approvers approves.
/// `reviews` holds (reviewer id, approved?) pairs; duplicates by the same reviewer count once.
pub fn tally_reviews<Id: PartialEq>(scope: AccessScope, reviews: &[(Id, bool)]) -> ReviewOutcome {
    if reviews.iter().any(|(_, approved)| !approved) {
        return ReviewOutcome::Denied;
    }
    let mut distinct: Vec<&Id> = Vec::new();
    for (id, _) in reviews {
        if !distinct.contains(&id) {
            distinct.push(id);
        }
    }
    if distinct.len() >= scope.approvals_needed() {
        ReviewOutcome::Approved
    } else {
        ReviewOutcome::Pending
    }
}

/// Longest break-glass access.
pub const BREAK_GLASS_MAX: Duration = Duration::hours(1);

/// Whether `role` may use break-glass now: tier 4+, only while a SEV1 is open, at most one hour.
pub fn may_break_glass(
    role: Role,
    sev1_open: bool,
    requested: Duration,
) -> Result<(), RuleViolation> {
    require(role, Permission::BreakGlass)?;
    if !sev1_open {
        return Err(RuleViolation::NoOpenSev1);
    }
    if requested > BREAK_GLASS_MAX {
        return Err(RuleViolation::DurationTooLong {
            scope: AccessScope::Admin,
            requested_minutes: requested.num_minutes(),
            max_minutes: BREAK_GLASS_MAX.num_minutes(),
        });
    }
    if requested < Duration::minutes(1) {
        return Err(RuleViolation::DurationTooShort);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks every role against every permission: a role holds exactly the permissions of its
    /// tier and below, and the matrix is monotone.
    #[test]
    fn every_role_against_every_permission() {
        for role in Role::ALL {
            for &p in Permission::ALL {
                let expected = role.tier() >= p.min_role().tier();
                assert_eq!(role.has(p), expected, "{role} / {p}");
                assert_eq!(require(role, p).is_ok(), expected, "{role} / {p}");
            }
        }
        for pair in Role::ALL.windows(2) {
            let (lower, higher) = (pair[0].permissions(), pair[1].permissions());
            assert!(lower.iter().all(|p| higher.contains(p)));
            assert!(
                higher.len() > lower.len(),
                "{} adds nothing over {}",
                pair[1],
                pair[0]
            );
        }
    }

    #[test]
    fn the_design_table_holds() {
        assert!(!Role::Viewer.has(Permission::TicketsWork));
        assert!(Role::Viewer.has(Permission::TicketsRead));
        assert!(Role::Agent.has(Permission::AccessRequestRead));
        assert!(!Role::Agent.has(Permission::AccessRequestSupport));
        assert!(Role::SeniorAgent.has(Permission::TicketsMerge));
        assert!(!Role::SeniorAgent.has(Permission::AccessRequestAdmin));
        assert!(Role::Engineer.has(Permission::BreakGlass));
        assert!(!Role::Engineer.has(Permission::AccessReview));
        assert!(Role::Manager.has(Permission::StaffManage));
        assert!(!Role::Manager.has(Permission::AuditRead));
        assert!(Role::SecurityOfficer.has(Permission::AuditRead));
        assert!(!Role::SecurityOfficer.has(Permission::StaffManageAny));
        assert!(Role::Admin.has(Permission::TenantsManage));
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{role}\""));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn managers_manage_only_below_manager() {
        for target in Role::ALL {
            let allowed = may_assign_role(Role::Manager, target).is_ok();
            assert_eq!(
                allowed,
                target.tier() < Role::Manager.tier(),
                "manager -> {target}"
            );
            let allowed = may_assign_role(Role::SecurityOfficer, target).is_ok();
            assert_eq!(
                allowed,
                target.tier() < Role::Manager.tier(),
                "security -> {target}"
            );
            assert!(may_assign_role(Role::Admin, target).is_ok());
            for low in [Role::Viewer, Role::Agent, Role::SeniorAgent, Role::Engineer] {
                assert_eq!(
                    may_assign_role(low, target),
                    Err(RuleViolation::MissingPermission(Permission::StaffManage))
                );
            }
        }
        assert_eq!(
            may_assign_role(Role::Manager, Role::Admin),
            Err(RuleViolation::OnlyAdminsManageTopTiers)
        );
        assert_eq!(
            may_assign_role(Role::Manager, Role::SecurityOfficer),
            Err(RuleViolation::OnlyAdminsManageTopTiers)
        );
        assert_eq!(
            may_assign_role(Role::Manager, Role::Manager),
            Err(RuleViolation::TargetAboveManagerReach)
        );
    }

    #[test]
    fn nobody_manages_themselves() {
        assert_eq!(
            may_manage_staff(Role::Admin, Role::Admin, true, "deactivate"),
            Err(RuleViolation::SelfAction("deactivate"))
        );
        assert!(may_manage_staff(Role::Admin, Role::Admin, false, "deactivate").is_ok());
        assert!(may_manage_staff(Role::Manager, Role::Engineer, false, "reset MFA of").is_ok());
        assert!(may_manage_staff(Role::Manager, Role::Manager, false, "deactivate").is_err());
    }

    #[test]
    fn reviewers_follow_the_four_eyes_and_tier_rules() {
        assert_eq!(
            may_review(Role::Admin, true, Role::Admin),
            Err(RuleViolation::SelfReview)
        );
        for reviewer in Role::ALL {
            for requester in Role::ALL {
                let ok = may_review(reviewer, false, requester).is_ok();
                let expected = reviewer.tier() >= 5 && reviewer.tier() >= requester.tier();
                assert_eq!(ok, expected, "{reviewer} reviewing {requester}");
            }
        }
        assert_eq!(
            may_review(Role::Manager, false, Role::SecurityOfficer),
            Err(RuleViolation::ReviewerTierTooLow)
        );
    }

    #[test]
    fn approvals_and_denials_tally() {
        use ReviewOutcome::*;
        assert_eq!(tally_reviews::<u8>(AccessScope::Read, &[]), Pending);
        assert_eq!(tally_reviews(AccessScope::Read, &[(1, true)]), Approved);
        assert_eq!(tally_reviews(AccessScope::Support, &[(1, true)]), Approved);
        assert_eq!(tally_reviews(AccessScope::Admin, &[(1, true)]), Pending);
        assert_eq!(
            tally_reviews(AccessScope::Admin, &[(1, true), (1, true)]),
            Pending
        );
        assert_eq!(
            tally_reviews(AccessScope::Admin, &[(1, true), (2, true)]),
            Approved
        );
        assert_eq!(
            tally_reviews(AccessScope::Admin, &[(1, true), (2, false)]),
            Denied
        );
        assert_eq!(
            tally_reviews(AccessScope::Read, &[(1, false), (2, true)]),
            Denied
        );
    }

    #[test]
    fn grant_lengths_are_capped_by_scope() {
        let limits = GrantLimits::default();
        assert!(limits.check(AccessScope::Read, Duration::hours(8)).is_ok());
        assert!(limits
            .check(AccessScope::Read, Duration::minutes(481))
            .is_err());
        assert!(limits
            .check(AccessScope::Support, Duration::hours(4))
            .is_ok());
        assert!(limits
            .check(AccessScope::Support, Duration::minutes(241))
            .is_err());
        assert!(limits.check(AccessScope::Admin, Duration::hours(1)).is_ok());
        assert_eq!(
            limits.check(AccessScope::Admin, Duration::minutes(61)),
            Err(RuleViolation::DurationTooLong {
                scope: AccessScope::Admin,
                requested_minutes: 61,
                max_minutes: 60
            })
        );
        assert_eq!(
            limits.check(AccessScope::Read, Duration::seconds(0)),
            Err(RuleViolation::DurationTooShort)
        );
    }

    #[test]
    fn scopes_need_their_tier_and_clearance() {
        assert!(may_request_access(Role::Agent, AccessScope::Read, true).is_ok());
        assert_eq!(
            may_request_access(Role::Agent, AccessScope::Read, false),
            Err(RuleViolation::ClearanceIncomplete)
        );
        assert!(may_request_access(Role::Agent, AccessScope::Support, true).is_err());
        assert!(may_request_access(Role::SeniorAgent, AccessScope::Support, true).is_ok());
        assert!(may_request_access(Role::SeniorAgent, AccessScope::Admin, true).is_err());
        assert!(may_request_access(Role::Engineer, AccessScope::Admin, true).is_ok());
        assert!(may_request_access(Role::Viewer, AccessScope::Read, true).is_err());
    }

    #[test]
    fn break_glass_needs_tier_four_an_open_sev1_and_at_most_an_hour() {
        assert!(may_break_glass(Role::Engineer, true, Duration::hours(1)).is_ok());
        assert!(may_break_glass(Role::SeniorAgent, true, Duration::hours(1)).is_err());
        assert_eq!(
            may_break_glass(Role::Admin, false, Duration::minutes(30)),
            Err(RuleViolation::NoOpenSev1)
        );
        assert!(may_break_glass(Role::Engineer, true, Duration::minutes(61)).is_err());
    }
}
