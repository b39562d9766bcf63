//! Reviewing an access request: core's state machine decides, the grant starts on the last
//! approval.

use super::{conflict, load, offered, request_ref, review_facts};
use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::grant_ref;
use crate::support::effects::{audit, security};
use crate::support::events;
use opsdesk_core::access::{
    check_duration, grant_window, RequestStatus, ReviewInput, ReviewRefusal, Reviewed, Reviewer,
};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::EventKind;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::rules::{may_request_access, AccessScope, ReviewOutcome};
use opsdesk_core::staff::Severity;
use opsdesk_proto::{AccessRequestView, ReviewAccessRequest};
use opsdesk_store::{Effects, NewGrant, NewReview, ReviewDecision, StoreError};
use serde_json::json;
use uuid::Uuid;

/// Reviews a request: not one's own, by a manager or above at least the requester's tier, with
/// a comment when denying. One denial denies; the scope's number of distinct approvals makes the
/// grant, whose clock starts now (or at the requested start).
pub async fn review(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    req: ReviewAccessRequest,
) -> HubResult<AccessRequestView> {
    let me = &caller.staff;
    let now = state.now();
    let record = load(state, id).await?;
    let r = &record.view;
    let reviewed = review_facts(&record).review(
        Reviewer {
            id: me.id,
            role: me.role,
        },
        ReviewInput {
            approve: req.approve,
            comment: req.comment.as_deref(),
            version: req.version,
        },
        now,
    );
    let Reviewed {
        outcome,
        comment,
        requester_role,
    } = match reviewed {
        Ok(reviewed) => reviewed,
        Err(ReviewRefusal::Rule(v)) => return Err(v.into()),
        Err(ReviewRefusal::Field { field, rule }) => return Err(HubError::field(field, rule)),
        Err(ReviewRefusal::StaleVersion) => return Err(conflict(state, caller, id).await),
    };
    // Core's review rules refused anyone without the permission; this is its proof for the store.
    let reviewer = Granted::<cap::AccessReview>::check(me.role)?;
    if outcome == ReviewOutcome::Approved {
        // The requester's role, clearance and the limits may have changed since they asked.
        let now_held = state
            .store
            .staff_by_id(r.requester.id)
            .await?
            .ok_or(HubError::NotFound("requester"))?;
        let clearance = state.store.clearance_facts(now_held.id).await?;
        may_request_access(now_held.role, r.scope, clearance.is_complete())?;
        check_duration(&state.settings.access.limits(), r.scope, r.duration_minutes)?;
    }
    let actor = caller.actor();
    let mut fx = Effects::audit(audit(
        now,
        &actor,
        AuditAction::AccessReviewed,
        &request_ref(id),
        client.addr,
        json!({
            "approved": req.approve,
            "comment": comment,
            "outcome": outcome,
            "requester": r.requester.id,
            "tenant_id": r.tenant.id,
            "scope": r.scope,
        }),
    ));
    let decision = match outcome {
        ReviewOutcome::Pending => ReviewDecision::StillPending,
        ReviewOutcome::Denied => ReviewDecision::Denied,
        ReviewOutcome::Approved => {
            let duration = chrono::Duration::minutes(r.duration_minutes);
            let (starts_at, ends_at) = grant_window(now, r.start_at, duration);
            let grant = NewGrant {
                id: Uuid::now_v7(),
                starts_at,
                ends_at,
                start_recorded: starts_at <= now,
            };
            let details = json!({
                "request_id": id,
                "holder": r.requester.id,
                "tenant_id": r.tenant.id,
                "tenant": r.tenant.slug,
                "scope": r.scope,
                "starts_at": starts_at,
                "ends_at": ends_at,
            });
            if grant.start_recorded {
                fx.audit.push(audit(
                    now,
                    &actor,
                    AuditAction::GrantStarted,
                    &grant_ref(grant.id),
                    client.addr,
                    details.clone(),
                ));
            }
            fx.security.push(security(
                now,
                "access_granted",
                if r.scope == AccessScope::Admin {
                    Severity::Medium
                } else {
                    Severity::Info
                },
                Some(r.requester.id),
                &actor,
                client.addr,
                format!(
                    "{} access to {} granted to {} until {}",
                    r.scope,
                    r.tenant.name,
                    r.requester.display_name,
                    ends_at.format("%Y-%m-%d %H:%M UTC")
                ),
                details,
            ));
            ReviewDecision::Approved(grant)
        }
    };
    {
        let mut facts = events::access_facts(
            r,
            match outcome {
                ReviewOutcome::Pending => RequestStatus::Pending,
                ReviewOutcome::Approved => RequestStatus::Approved,
                ReviewOutcome::Denied => RequestStatus::Denied,
            },
            None,
        );
        facts.reviewed_by.push(me.id);
        facts.requester_role = requester_role;
        if let ReviewDecision::Approved(g) = &decision {
            facts.grant_id = Some(g.id);
            facts.grant_ends_at = Some(g.ends_at);
        }
        let kind = match outcome {
            ReviewOutcome::Pending => EventKind::AccessReviewed,
            _ => EventKind::AccessDecided,
        };
        fx.events
            .push(events::access_event(kind, now, facts.clone(), Some(me.id)));
        if matches!(&decision, ReviewDecision::Approved(g) if g.start_recorded) {
            fx.events.push(events::access_event(
                EventKind::GrantStarted,
                now,
                facts,
                Some(me.id),
            ));
        }
    }
    let saved = state
        .store
        .review_access_request(
            &reviewer,
            NewReview {
                request_id: id,
                expected_version: r.version,
                reviewer_id: me.id,
                approved: req.approve,
                comment,
                at: now,
            },
            decision,
            fx,
        )
        .await;
    match saved {
        Ok(record) => Ok(offered(state, caller, record)),
        Err(StoreError::VersionConflict) => Err(conflict(state, caller, id).await),
        Err(StoreError::Duplicate { .. }) => Err(HubError::unprocessable(
            "already_reviewed",
            "you already reviewed this request",
        )),
        Err(e) => Err(e.into()),
    }
}
