//! Cross-tenant access: requests, their reviews, grants and onboarding clearance. The rules come
//! from `opsdesk_core::rules` and `opsdesk_core::access`; each action loads what they need,
//! applies them, and writes the outcome with its audit entries in one store call. This module
//! holds what the actions share.

pub mod clearance;
pub mod export;
pub mod grants;
pub mod requests;
pub mod review;

use crate::context::Caller;
use crate::error::{HubError, HubResult};

use crate::state::AppState;
use chrono::{DateTime, Utc};
use opsdesk_core::access::{RequestFacts, Reviewer};
use opsdesk_core::Permission;
use opsdesk_proto::AccessRequestView;
use opsdesk_store::AccessRequestRecord;
use uuid::Uuid;

/// The audit name of a request.
pub(crate) fn request_ref(id: Uuid) -> String {
    format!("access_request:{id}")
}

pub(crate) async fn load(state: &AppState, id: Uuid) -> HubResult<AccessRequestRecord> {
    state
        .store
        .access_request(id, state.now())
        .await?
        .ok_or(HubError::NotFound("access request"))
}

/// The facts core's review rules need about a request.
pub(crate) fn review_facts(record: &AccessRequestRecord) -> RequestFacts {
    let r = &record.view;
    RequestFacts {
        status: r.status,
        scope: r.scope,
        expires_at: r.expires_at,
        version: r.version,
        requester_id: r.requester.id,
        requester_tier_at_request: record.requester_tier,
        requester_role_now: r.requester.role,
        requester_active: record.requester_active,
        reviews: r
            .reviews
            .iter()
            .map(|rv| (rv.reviewer.id, rv.approved))
            .collect(),
    }
}

/// The request as `caller` is sent it: with what core's rules let them do with it now, so the
/// app offers exactly the actions the hub would accept.
pub(crate) fn offered(
    state: &AppState,
    caller: &Caller,
    record: AccessRequestRecord,
) -> AccessRequestView {
    let person = Reviewer {
        id: caller.staff.id,
        role: caller.staff.role,
    };
    let actions = review_facts(&record).actions_for(person, state.now());
    AccessRequestView {
        actions,
        ..record.view
    }
}

/// A version conflict that carries the request as it is now.
pub(crate) async fn conflict(state: &AppState, caller: &Caller, id: Uuid) -> HubError {
    let current = match state.store.access_request(id, state.now()).await {
        Ok(Some(r)) => serde_json::to_value(offered(state, caller, r)).ok(),
        _ => None,
    };
    HubError::Conflict {
        code: "version_conflict",
        message: "this request changed since you loaded it (reviewed, cancelled or expired); \
                  review it as it is now"
            .into(),
        current,
    }
}

/// Who may see a request: its requester, reviewers, and security.
pub(crate) fn may_see(caller: &Caller, r: &AccessRequestView) -> bool {
    r.requester.id == caller.staff.id || caller.staff.role.has(Permission::AccessReview)
}

pub(crate) fn check_range(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> HubResult<()> {
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            return Err(HubError::field("to", "must be after `from`"));
        }
    }
    Ok(())
}
