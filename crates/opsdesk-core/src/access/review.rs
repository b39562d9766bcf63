//! The review of an access request as a state machine (DESIGN.md "Access requests"): who may
//! review it (four eyes, the reviewer's tier against the requester's), whether it can still be
//! reviewed (pending, not expired, not already reviewed by this person, requester active), and
//! what the reviews so far decide. The hub runs it before it writes a review; the same rules
//! decide which actions a person is offered on each request, so the app never derives them.

use super::{check_comment, RequestStatus};
use crate::role::Role;
use crate::rules::{may_review, tally_reviews, AccessScope, ReviewOutcome, RuleViolation};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::ticket::named_enum! {
    /// What a person may do with an access request, as the hub sends it with each request:
    /// `review` (approve or deny it), `cancel` (withdraw one's own pending request).
    RequestAction {
        Review => "review",
        Cancel => "cancel",
    }
}

/// The facts of one request that its review depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub status: RequestStatus,
    pub scope: AccessScope,
    pub expires_at: DateTime<Utc>,
    /// The version the request is at; a review names the version its reviewer saw.
    pub version: i64,
    pub requester_id: Uuid,
    /// The tier the requester held when asking.
    pub requester_tier_at_request: i64,
    /// The role the requester holds now.
    pub requester_role_now: Role,
    pub requester_active: bool,
    /// (reviewer, approved?) for each review so far.
    pub reviews: Vec<(Uuid, bool)>,
}

/// Who is reviewing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reviewer {
    pub id: Uuid,
    pub role: Role,
}

/// One review as the reviewer sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewInput<'a> {
    pub approve: bool,
    pub comment: Option<&'a str>,
    /// The request's version the reviewer saw.
    pub version: i64,
}

/// What a review that the rules accept leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    /// Pending (more approvals needed), approved or denied.
    pub outcome: ReviewOutcome,
    /// The comment as stored (trimmed; required when denying).
    pub comment: Option<String>,
    /// The requester's tier the review was judged against.
    pub requester_role: Role,
}

/// Why a review is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewRefusal {
    /// A rule of who may review, or of the request's state.
    Rule(RuleViolation),
    /// A field of the review breaks a rule.
    Field { field: &'static str, rule: String },
    /// The reviewer saw an older version; show them the current one.
    StaleVersion,
}

impl From<RuleViolation> for ReviewRefusal {
    fn from(v: RuleViolation) -> Self {
        ReviewRefusal::Rule(v)
    }
}

impl RequestFacts {
    /// The requester's role a reviewer is judged against: the higher of the tier they asked
    /// with and the role they hold now, so a demotion after asking lowers nothing.
    pub fn requester_role(&self) -> Role {
        if i64::from(self.requester_role_now.tier()) >= self.requester_tier_at_request {
            return self.requester_role_now;
        }
        Role::ALL
            .into_iter()
            .find(|role| i64::from(role.tier()) == self.requester_tier_at_request)
            .unwrap_or(Role::Admin)
    }

    /// Runs one review at `now`: who may review comes first, then the review's own fields, then
    /// the version the reviewer saw, then the request's state; the reviews so far plus this one
    /// decide the outcome (one denial denies; the scope's number of distinct approvers approves).
    pub fn review(
        &self,
        reviewer: Reviewer,
        input: ReviewInput<'_>,
        now: DateTime<Utc>,
    ) -> Result<Reviewed, ReviewRefusal> {
        let requester_role = self.requester_role();
        may_review(
            reviewer.role,
            reviewer.id == self.requester_id,
            requester_role,
        )?;
        let comment =
            check_comment(input.comment, !input.approve).map_err(|rule| ReviewRefusal::Field {
                field: "comment",
                rule,
            })?;
        if input.version != self.version {
            return Err(ReviewRefusal::StaleVersion);
        }
        self.open_for(reviewer, now)?;
        let mut reviews = self.reviews.clone();
        reviews.push((reviewer.id, input.approve));
        Ok(Reviewed {
            outcome: tally_reviews(self.scope, &reviews),
            comment,
            requester_role,
        })
    }

    /// Whether the request is still open to this reviewer's review at `now`.
    fn open_for(&self, reviewer: Reviewer, now: DateTime<Utc>) -> Result<(), RuleViolation> {
        if self.status != RequestStatus::Pending {
            return Err(RuleViolation::RequestNotPending(self.status));
        }
        if self.expires_at <= now {
            return Err(RuleViolation::RequestExpired);
        }
        if self.reviews.iter().any(|(id, _)| *id == reviewer.id) {
            return Err(RuleViolation::AlreadyReviewed);
        }
        if !self.requester_active {
            return Err(RuleViolation::RequesterInactive);
        }
        Ok(())
    }

    /// What `person` may do with this request at `now`: review it when every review rule lets
    /// them, cancel it when it is their own and still pending.
    pub fn actions_for(&self, person: Reviewer, now: DateTime<Utc>) -> Vec<RequestAction> {
        let mut actions = Vec::new();
        let may = may_review(
            person.role,
            person.id == self.requester_id,
            self.requester_role(),
        )
        .and_then(|()| self.open_for(person, now));
        if may.is_ok() {
            actions.push(RequestAction::Review);
        }
        if person.id == self.requester_id && self.status == RequestStatus::Pending {
            actions.push(RequestAction::Cancel);
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn request(scope: AccessScope, requester: Role) -> RequestFacts {
        RequestFacts {
            status: RequestStatus::Pending,
            scope,
            expires_at: t0() + Duration::hours(24),
            version: 1,
            requester_id: id(1),
            requester_tier_at_request: i64::from(requester.tier()),
            requester_role_now: requester,
            requester_active: true,
            reviews: Vec::new(),
        }
    }

    fn approve(version: i64) -> ReviewInput<'static> {
        ReviewInput {
            approve: true,
            comment: None,
            version,
        }
    }

    const MANAGER: Reviewer = Reviewer {
        id: Uuid::from_u128(2),
        role: Role::Manager,
    };
    const ADMIN: Reviewer = Reviewer {
        id: Uuid::from_u128(3),
        role: Role::Admin,
    };

    #[test]
    fn one_approval_approves_a_read_request_and_one_denial_denies() {
        let r = request(AccessScope::Read, Role::Agent);
        let ok = r.review(MANAGER, approve(1), t0()).unwrap();
        assert_eq!(ok.outcome, ReviewOutcome::Approved);
        assert_eq!(ok.requester_role, Role::Agent);
        let denied = r
            .review(
                MANAGER,
                ReviewInput {
                    approve: false,
                    comment: Some("  no ticket says why  "),
                    version: 1,
                },
                t0(),
            )
            .unwrap();
        assert_eq!(denied.outcome, ReviewOutcome::Denied);
        assert_eq!(denied.comment.as_deref(), Some("no ticket says why"));
    }

    #[test]
    fn a_denial_without_a_comment_names_the_field() {
        let r = request(AccessScope::Read, Role::Agent);
        let refused = r
            .review(
                MANAGER,
                ReviewInput {
                    approve: false,
                    comment: Some("   "),
                    version: 1,
                },
                t0(),
            )
            .unwrap_err();
        assert!(matches!(
            refused,
            ReviewRefusal::Field {
                field: "comment",
                ..
            }
        ));
    }

    #[test]
    fn admin_access_needs_two_different_reviewers() {
        let mut r = request(AccessScope::Admin, Role::Engineer);
        let first = r.review(MANAGER, approve(1), t0()).unwrap();
        assert_eq!(first.outcome, ReviewOutcome::Pending);
        r.reviews.push((MANAGER.id, true));
        r.version = 2;
        assert_eq!(
            r.review(MANAGER, approve(2), t0()).unwrap_err(),
            ReviewRefusal::Rule(RuleViolation::AlreadyReviewed)
        );
        assert_eq!(
            r.review(ADMIN, approve(2), t0()).unwrap().outcome,
            ReviewOutcome::Approved
        );
    }

    #[test]
    fn nobody_reviews_their_own_or_a_higher_tiers_request() {
        let r = request(AccessScope::Read, Role::Manager);
        let me = Reviewer {
            id: r.requester_id,
            role: Role::Manager,
        };
        assert_eq!(
            r.review(me, approve(1), t0()).unwrap_err(),
            ReviewRefusal::Rule(RuleViolation::SelfReview)
        );
        let so = request(AccessScope::Read, Role::SecurityOfficer);
        assert_eq!(
            so.review(MANAGER, approve(1), t0()).unwrap_err(),
            ReviewRefusal::Rule(RuleViolation::ReviewerTierTooLow)
        );
        let agent = Reviewer {
            id: id(9),
            role: Role::Agent,
        };
        assert!(matches!(
            r.review(agent, approve(1), t0()).unwrap_err(),
            ReviewRefusal::Rule(RuleViolation::MissingPermission(_))
        ));
    }

    #[test]
    fn a_demotion_after_asking_does_not_lower_the_tier_reviewers_need() {
        let mut r = request(AccessScope::Read, Role::SecurityOfficer);
        r.requester_role_now = Role::Agent;
        assert_eq!(r.requester_role(), Role::SecurityOfficer);
        assert_eq!(
            r.review(MANAGER, approve(1), t0()).unwrap_err(),
            ReviewRefusal::Rule(RuleViolation::ReviewerTierTooLow)
        );
        // A promotion raises it.
        let mut up = request(AccessScope::Read, Role::Agent);
        up.requester_role_now = Role::Admin;
        assert_eq!(up.requester_role(), Role::Admin);
    }

    #[test]
    fn a_stale_version_is_refused_before_the_state_is_judged() {
        let mut r = request(AccessScope::Read, Role::Agent);
        r.status = RequestStatus::Approved;
        r.version = 3;
        assert_eq!(
            r.review(MANAGER, approve(2), t0()).unwrap_err(),
            ReviewRefusal::StaleVersion
        );
        assert_eq!(
            r.review(MANAGER, approve(3), t0()).unwrap_err(),
            ReviewRefusal::Rule(RuleViolation::RequestNotPending(RequestStatus::Approved))
        );
    }

    #[test]
    fn an_expired_request_or_an_inactive_requester_cannot_be_approved() {
        let r = request(AccessScope::Read, Role::Agent);
        assert_eq!(
            r.review(MANAGER, approve(1), r.expires_at).unwrap_err(),
            ReviewRefusal::Rule(RuleViolation::RequestExpired)
        );
        let mut gone = request(AccessScope::Read, Role::Agent);
        gone.requester_active = false;
        assert_eq!(
            gone.review(MANAGER, approve(1), t0()).unwrap_err(),
            ReviewRefusal::Rule(RuleViolation::RequesterInactive)
        );
    }

    #[test]
    fn the_actions_offered_follow_the_same_rules() {
        let mut r = request(AccessScope::Admin, Role::Engineer);
        let requester = Reviewer {
            id: r.requester_id,
            role: Role::Engineer,
        };
        assert_eq!(r.actions_for(MANAGER, t0()), vec![RequestAction::Review]);
        assert_eq!(r.actions_for(requester, t0()), vec![RequestAction::Cancel]);
        r.reviews.push((MANAGER.id, true));
        assert!(r.actions_for(MANAGER, t0()).is_empty());
        assert_eq!(r.actions_for(ADMIN, t0()), vec![RequestAction::Review]);
        assert!(r.actions_for(ADMIN, r.expires_at).is_empty());
        r.status = RequestStatus::Denied;
        assert!(r.actions_for(ADMIN, t0()).is_empty());
        assert!(r.actions_for(requester, t0()).is_empty());
    }
}
