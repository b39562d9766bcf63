//! Cross-tenant access (DESIGN.md "Domain: Access requests and grants"): the life of a request
//! and of the grant it becomes, the checks on what a requester types, when a grant's clock runs,
//! and the tenant users that grants open. The reviewer and duration rules live in [`crate::rules`].

mod review;

pub use review::{RequestAction, RequestFacts, ReviewInput, ReviewRefusal, Reviewed, Reviewer};

use crate::rules::{AccessScope, GrantLimits, RuleViolation};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

crate::ticket::named_enum! {
    /// Where an access request stands.
    RequestStatus {
        Pending => "pending",
        Approved => "approved",
        Denied => "denied",
        Cancelled => "cancelled",
        Expired => "expired",
    }
}

impl RequestStatus {
    /// Whether reviews may still change it.
    pub fn is_pending(self) -> bool {
        self == RequestStatus::Pending
    }
}

crate::ticket::named_enum! {
    /// Why a grant ended.
    GrantEndReason {
        Expired => "expired",
        Released => "released",
        Revoked => "revoked",
    }
}

crate::ticket::named_enum! {
    /// A grant seen at one moment.
    GrantState {
        Scheduled => "scheduled",
        Active => "active",
        Ended => "ended",
    }
}

/// How long a request waits for its reviews before it expires (configurable in the hub).
pub const DEFAULT_PENDING_TTL: Duration = Duration::hours(24);
/// The furthest ahead a requested start may lie.
pub const MAX_START_AHEAD: Duration = Duration::days(7);
/// A requested start this far in the past is taken as "now" (clocks differ a little).
pub const START_SLACK: Duration = Duration::minutes(5);
/// Reason length, in characters.
pub const REASON_MIN: usize = 10;
pub const REASON_MAX: usize = 2000;
/// Review comment length, in characters.
pub const COMMENT_MAX: usize = 2000;

/// Checks a request's reason: required, specific enough to audit, not a novel.
pub fn check_reason(reason: &str) -> Result<String, String> {
    let reason = reason.trim();
    let n = reason.chars().count();
    if n == 0 {
        return Err("is required: say why you need the access".to_owned());
    }
    if n < REASON_MIN {
        return Err(format!(
            "must be at least {REASON_MIN} characters, so an auditor can tell why access was needed"
        ));
    }
    if n > REASON_MAX {
        return Err(format!("must be at most {REASON_MAX} characters"));
    }
    if reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("must not contain control characters".to_owned());
    }
    Ok(reason.to_owned())
}

/// Checks a review comment: required when denying (`required`), bounded always.
pub fn check_comment(comment: Option<&str>, required: bool) -> Result<Option<String>, String> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    match comment {
        None if required => Err("is required when denying: tell the requester why".to_owned()),
        None => Ok(None),
        Some(c) if c.chars().count() > COMMENT_MAX => {
            Err(format!("must be at most {COMMENT_MAX} characters"))
        }
        Some(c)
            if c.chars()
                .any(|ch| ch.is_control() && ch != '\n' && ch != '\t') =>
        {
            Err("must not contain control characters".to_owned())
        }
        Some(c) => Ok(Some(c.to_owned())),
    }
}

/// Checks a requested duration (minutes) against the scope's maximum.
pub fn check_duration(
    limits: &GrantLimits,
    scope: AccessScope,
    minutes: i64,
) -> Result<Duration, RuleViolation> {
    let requested = Duration::try_minutes(minutes).ok_or(RuleViolation::DurationTooLong {
        scope,
        requested_minutes: minutes,
        max_minutes: limits.max(scope).num_minutes(),
    })?;
    limits.check(scope, requested)?;
    Ok(requested)
}

/// Checks a requested start: not in the past (beyond a little slack), at most a week ahead.
/// Returns `None` for a start that is effectively now.
pub fn check_start(
    start: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, String> {
    let Some(start) = start else { return Ok(None) };
    if start < now - START_SLACK {
        return Err("is in the past; leave it empty to start at approval".to_owned());
    }
    if start > now + MAX_START_AHEAD {
        return Err("must be within 7 days from now".to_owned());
    }
    Ok((start > now).then_some(start))
}

/// When a pending request expires: after the waiting time, and never after its requested start
/// plus its duration (a request whose whole window has passed is pointless).
pub fn pending_expiry(
    created_at: DateTime<Utc>,
    start: Option<DateTime<Utc>>,
    duration: Duration,
    ttl: Duration,
) -> DateTime<Utc> {
    let by_ttl = created_at + ttl;
    match start {
        Some(s) => by_ttl.min(s + duration),
        None => by_ttl,
    }
}

/// The grant an approval makes: its clock starts at approval or at the requested start,
/// whichever is later (never at request time), and runs for the requested duration.
pub fn grant_window(
    approved_at: DateTime<Utc>,
    requested_start: Option<DateTime<Utc>>,
    duration: Duration,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = requested_start.map_or(approved_at, |s| s.max(approved_at));
    (start, start + duration)
}

/// The facts of one grant that decide whether it opens a tenant now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantFacts {
    pub grant_id: uuid::Uuid,
    pub holder_id: uuid::Uuid,
    pub tenant_id: uuid::Uuid,
    pub scope: AccessScope,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl GrantFacts {
    /// The grant's state at `now`: ended once released, revoked or past its end, whatever the
    /// expiry job has recorded yet.
    pub fn state(&self, now: DateTime<Utc>) -> GrantState {
        // Ended is ended, whatever this hub's clock says about when.
        if self.ended_at.is_some() || now >= self.ends_at {
            GrantState::Ended
        } else if now < self.starts_at {
            GrantState::Scheduled
        } else {
            GrantState::Active
        }
    }
}

/// Whether a grant of scope `held` covers what scope `needed` allows: admin covers support
/// covers read.
pub fn scope_covers(held: AccessScope, needed: AccessScope) -> bool {
    fn rank(s: AccessScope) -> u8 {
        match s {
            AccessScope::Read => 1,
            AccessScope::Support => 2,
            AccessScope::Admin => 3,
        }
    }
    rank(held) >= rank(needed)
}

/// Why tenant data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    #[error("you hold no active grant for this tenant; request access first")]
    NoGrant,
    #[error("your grant for this tenant has not started yet")]
    NotStarted,
    #[error("your grant for this tenant has ended")]
    Ended,
    #[error("this needs a `{needed}` grant; yours is `{held}`")]
    ScopeTooNarrow {
        held: AccessScope,
        needed: AccessScope,
    },
}

impl AccessDenied {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            AccessDenied::NoGrant => "no_active_grant",
            AccessDenied::NotStarted => "grant_not_started",
            AccessDenied::Ended => "grant_ended",
            AccessDenied::ScopeTooNarrow { .. } => "grant_scope_too_narrow",
        }
    }
}

/// Picks the grant among `grants` (the caller's, for one tenant) that opens `needed` at `now`:
/// an active one of sufficient scope. Says why not otherwise.
pub fn pick_grant(
    grants: &[GrantFacts],
    holder_id: uuid::Uuid,
    tenant_id: uuid::Uuid,
    needed: AccessScope,
    now: DateTime<Utc>,
) -> Result<GrantFacts, AccessDenied> {
    let mine: Vec<&GrantFacts> = grants
        .iter()
        .filter(|g| g.holder_id == holder_id && g.tenant_id == tenant_id)
        .collect();
    let active: Vec<&GrantFacts> = mine
        .iter()
        .copied()
        .filter(|g| g.state(now) == GrantState::Active)
        .collect();
    if let Some(g) = active
        .iter()
        .filter(|g| scope_covers(g.scope, needed))
        .max_by_key(|g| g.ends_at)
    {
        return Ok(**g);
    }
    if let Some(g) = active.iter().max_by_key(|g| g.ends_at) {
        return Err(AccessDenied::ScopeTooNarrow {
            held: g.scope,
            needed,
        });
    }
    if mine.iter().any(|g| g.state(now) == GrantState::Scheduled) {
        return Err(AccessDenied::NotStarted);
    }
    if !mine.is_empty() {
        return Err(AccessDenied::Ended);
    }
    Err(AccessDenied::NoGrant)
}

/// Onboarding clearance: NDA, background check and training, each recorded when done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Clearance {
    pub nda_at: Option<DateTime<Utc>>,
    pub background_check_at: Option<DateTime<Utc>>,
    pub training_at: Option<DateTime<Utc>>,
}

impl Clearance {
    /// All three are recorded.
    pub fn is_complete(&self) -> bool {
        self.nda_at.is_some() && self.background_check_at.is_some() && self.training_at.is_some()
    }

    /// What is still missing, by name.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.nda_at.is_none() {
            out.push("nda");
        }
        if self.background_check_at.is_none() {
            out.push("background_check");
        }
        if self.training_at.is_none() {
            out.push("training");
        }
        out
    }
}

crate::ticket::named_enum! {
    /// A tenant user's role in their own tenant.
    TenantUserRole {
        Owner => "owner",
        Admin => "admin",
        Member => "member",
        Billing => "billing",
        ReadOnly => "read_only",
    }
}

crate::ticket::named_enum! {
    /// A tenant user's account state.
    TenantUserStatus {
        Active => "active",
        Invited => "invited",
        Locked => "locked",
        Disabled => "disabled",
    }
}

/// How long a tenant user's password reset link works.
pub const RESET_LINK_TTL: Duration = Duration::hours(1);

/// Checks a tenant user's display name.
pub fn check_user_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 {
        return Err("is required".to_owned());
    }
    if n > 200 {
        return Err("must be at most 200 characters".to_owned());
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap() + Duration::minutes(h)
    }

    #[test]
    fn reasons_are_required_and_bounded() {
        assert!(check_reason("").is_err());
        assert!(check_reason("   ").is_err());
        assert!(check_reason("because").is_err());
        assert_eq!(
            check_reason("  Ticket #42: customer cannot sign in  ").unwrap(),
            "Ticket #42: customer cannot sign in"
        );
        assert!(check_reason(&"x".repeat(REASON_MAX + 1)).is_err());
        assert!(check_reason("bad\u{7}bell reason here").is_err());
    }

    #[test]
    fn deny_needs_a_comment_approve_does_not() {
        assert!(check_comment(None, true).is_err());
        assert!(check_comment(Some("  "), true).is_err());
        assert_eq!(check_comment(None, false).unwrap(), None);
        assert_eq!(
            check_comment(Some(" no ticket "), true).unwrap(),
            Some("no ticket".into())
        );
        assert!(check_comment(Some(&"y".repeat(COMMENT_MAX + 1)), false).is_err());
    }

    #[test]
    fn durations_follow_the_scope_maximum() {
        let limits = GrantLimits::default();
        assert!(check_duration(&limits, AccessScope::Read, 480).is_ok());
        assert!(matches!(
            check_duration(&limits, AccessScope::Read, 481),
            Err(RuleViolation::DurationTooLong { .. })
        ));
        assert!(check_duration(&limits, AccessScope::Admin, 60).is_ok());
        assert!(check_duration(&limits, AccessScope::Admin, 61).is_err());
        assert_eq!(
            check_duration(&limits, AccessScope::Support, 0),
            Err(RuleViolation::DurationTooShort)
        );
        assert!(check_duration(&limits, AccessScope::Support, -5).is_err());
        assert!(check_duration(&limits, AccessScope::Support, i64::MAX).is_err());
    }

    #[test]
    fn the_clock_starts_at_approval_or_the_requested_start_never_at_request() {
        let d = Duration::hours(2);
        // Requested at t(0), approved at t(30): the grant runs t(30)..t(150).
        assert_eq!(grant_window(t(30), None, d), (t(30), t(150)));
        // A start later than approval waits for the start.
        assert_eq!(grant_window(t(30), Some(t(60)), d), (t(60), t(180)));
        // Approved after the requested start: it starts at approval, full length.
        assert_eq!(grant_window(t(90), Some(t(60)), d), (t(90), t(210)));
    }

    #[test]
    fn starts_must_be_near_future() {
        assert_eq!(check_start(None, t(0)).unwrap(), None);
        assert_eq!(check_start(Some(t(-2)), t(0)).unwrap(), None);
        assert!(check_start(Some(t(-10)), t(0)).is_err());
        assert_eq!(check_start(Some(t(60)), t(0)).unwrap(), Some(t(60)));
        assert!(check_start(Some(t(0) + Duration::days(8)), t(0)).is_err());
    }

    #[test]
    fn pending_requests_expire() {
        let ttl = DEFAULT_PENDING_TTL;
        assert_eq!(
            pending_expiry(t(0), None, Duration::hours(1), ttl),
            t(0) + ttl
        );
        assert_eq!(
            pending_expiry(t(0), Some(t(60)), Duration::hours(1), ttl),
            t(120)
        );
    }

    fn grant(scope: AccessScope, start: i64, end: i64, ended: Option<i64>) -> GrantFacts {
        GrantFacts {
            grant_id: Uuid::now_v7(),
            holder_id: Uuid::from_u128(1),
            tenant_id: Uuid::from_u128(7),
            scope,
            starts_at: t(start),
            ends_at: t(end),
            ended_at: ended.map(t),
        }
    }

    #[test]
    fn only_an_active_grant_of_enough_scope_opens_a_tenant() {
        let me = Uuid::from_u128(1);
        let tenant = Uuid::from_u128(7);
        let other_tenant = Uuid::from_u128(8);
        let read = grant(AccessScope::Read, 0, 60, None);
        assert_eq!(
            pick_grant(&[read], me, tenant, AccessScope::Read, t(10)),
            Ok(read)
        );
        // Another tenant's data.
        assert_eq!(
            pick_grant(&[read], me, other_tenant, AccessScope::Read, t(10)),
            Err(AccessDenied::NoGrant)
        );
        // Someone else's grant.
        assert_eq!(
            pick_grant(
                &[read],
                Uuid::from_u128(2),
                tenant,
                AccessScope::Read,
                t(10)
            ),
            Err(AccessDenied::NoGrant)
        );
        // Expired: at its end it stops.
        assert_eq!(
            pick_grant(&[read], me, tenant, AccessScope::Read, t(60)),
            Err(AccessDenied::Ended)
        );
        // Released or revoked mid-way.
        let released = grant(AccessScope::Read, 0, 60, Some(20));
        assert_eq!(
            pick_grant(&[released], me, tenant, AccessScope::Read, t(20)),
            Err(AccessDenied::Ended)
        );
        // Ended is ended, even for a hub whose clock runs behind the one that ended it.
        assert_eq!(
            pick_grant(&[released], me, tenant, AccessScope::Read, t(19)),
            Err(AccessDenied::Ended)
        );
        // Not started.
        let later = grant(AccessScope::Read, 30, 60, None);
        assert_eq!(
            pick_grant(&[later], me, tenant, AccessScope::Read, t(10)),
            Err(AccessDenied::NotStarted)
        );
        // Scope: read does not open support actions; admin opens all.
        assert_eq!(
            pick_grant(&[read], me, tenant, AccessScope::Support, t(10)),
            Err(AccessDenied::ScopeTooNarrow {
                held: AccessScope::Read,
                needed: AccessScope::Support
            })
        );
        let admin = grant(AccessScope::Admin, 0, 60, None);
        assert_eq!(
            pick_grant(&[read, admin], me, tenant, AccessScope::Support, t(10)),
            Ok(admin)
        );
    }

    #[test]
    fn clearance_needs_all_three() {
        let mut c = Clearance::default();
        assert!(!c.is_complete());
        assert_eq!(c.missing(), vec!["nda", "background_check", "training"]);
        c.nda_at = Some(t(0));
        c.background_check_at = Some(t(0));
        assert_eq!(c.missing(), vec!["training"]);
        c.training_at = Some(t(0));
        assert!(c.is_complete());
    }

    #[test]
    fn names_round_trip() {
        for s in RequestStatus::ALL {
            assert_eq!(s.as_str().parse::<RequestStatus>(), Ok(*s));
        }
        for r in TenantUserRole::ALL {
            assert_eq!(r.as_str().parse::<TenantUserRole>(), Ok(*r));
        }
        assert!("root".parse::<TenantUserRole>().is_err());
    }
}
