//! Access requests: the policy, asking, reading and listing, cancelling, and expiry of requests
//! that waited too long.

use super::{check_range, conflict, load, may_see, offered, request_ref};
use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use crate::support::events;
use crate::support::paging::page_limit;
use crate::support::paging::parse_cursor;
use chrono::{DateTime, Utc};
use opsdesk_core::access::{
    check_duration, check_reason, check_start, pending_expiry, RequestStatus,
};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::{AccessFacts, EventKind};
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::rules::{may_request_access, may_review, AccessScope};
use opsdesk_core::Role;
use opsdesk_proto::{
    AccessBox, AccessPolicyView, AccessRequestQuery, AccessRequestView, CancelAccessRequest,
    CreateAccessRequest, Page, ScopePolicy,
};
use opsdesk_store::{
    AccessRequestFilter, AccessRequestRecord, Effects, NewAccessRequest, StoreError,
};
use serde_json::json;
use uuid::Uuid;

/// The rules as they apply to the caller, for the request form.
pub async fn policy(state: &AppState, caller: &Caller) -> HubResult<AccessPolicyView> {
    let limits = state.settings.access.limits();
    let role = caller.staff.role;
    let scopes = [AccessScope::Read, AccessScope::Support, AccessScope::Admin]
        .into_iter()
        .map(|scope| ScopePolicy {
            scope,
            max_minutes: limits.max(scope).num_minutes(),
            approvals_needed: scope.approvals_needed() as u32,
            may_request: role.has(scope.request_permission()),
        })
        .collect();
    let reviewers = reviewers_for(state, caller.staff.id, role).await?;
    Ok(AccessPolicyView {
        scopes,
        pending_hours: state.settings.access.pending_hours,
        clearance: state.store.clearance(caller.staff.id).await?,
        reviewers,
    })
}

/// Active staff who could review a request from someone of `role` (never the requester).
async fn reviewers_for(
    state: &AppState,
    requester: Uuid,
    role: Role,
) -> HubResult<Vec<opsdesk_proto::StaffRef>> {
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| may_review(*r, false, role).is_ok())
        .collect();
    let mut people = state.store.active_staff_in_roles(&roles).await?;
    people.retain(|p| p.id != requester);
    Ok(people)
}

/// Files a request: the role may ask for the scope, clearance is complete, the reason says why,
/// the duration is within the scope's maximum, the start is near, the linked ticket is this
/// tenant's, and the same request is not already waiting.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    req: CreateAccessRequest,
) -> HubResult<AccessRequestView> {
    let me = &caller.staff;
    let now = state.now();
    let clearance = state.store.clearance_facts(me.id).await?;
    may_request_access(me.role, req.scope, clearance.is_complete())?;
    let reason = check_reason(&req.reason).map_err(|e| HubError::field("reason", e))?;
    let duration = check_duration(
        &state.settings.access.limits(),
        req.scope,
        req.duration_minutes,
    )?;
    let start_at = check_start(req.start_at, now).map_err(|e| HubError::field("start_at", e))?;
    let tenant = state
        .store
        .tenant_by_id(req.tenant_id)
        .await?
        .ok_or_else(|| HubError::field("tenant_id", "is not a tenant in the directory"))?;
    if let Some(ticket_id) = req.ticket_id {
        let ticket = state
            .store
            .ticket_by_id(ticket_id)
            .await?
            .ok_or_else(|| HubError::field("ticket_id", "is not a ticket on this hub"))?;
        if ticket.summary.tenant_id != tenant.id {
            return Err(HubError::field(
                "ticket_id",
                format!(
                    "is a ticket of another tenant ({}), not of {}",
                    ticket.summary.tenant_name, tenant.name
                ),
            ));
        }
    }
    let waiting = state
        .store
        .list_access_requests(&AccessRequestFilter {
            requester_id: Some(me.id),
            status: Some(RequestStatus::Pending),
            tenant_id: Some(tenant.id),
            limit: 50,
            now,
            ..Default::default()
        })
        .await?;
    for stale in waiting
        .iter()
        .filter(|r| r.view.scope == req.scope && r.view.expires_at <= now)
    {
        // Expired but not yet recorded by the job: record it now, so it does not block.
        expire(state, stale, now).await?;
    }
    if let Some(same) = waiting
        .iter()
        .find(|r| r.view.scope == req.scope && r.view.expires_at > now)
    {
        return Err(HubError::Conflict {
            code: "duplicate_request",
            message: format!(
                "you already have a pending {} request for {}; cancel it or wait for its review",
                req.scope, tenant.name
            ),
            current: serde_json::to_value(offered(state, caller, same.clone())).ok(),
        });
    }
    let id = Uuid::now_v7();
    let ttl = chrono::Duration::hours(state.settings.access.pending_hours);
    let event = events::access_event(
        EventKind::AccessRequested,
        now,
        AccessFacts {
            request_id: id,
            requester_id: me.id,
            requester_name: me.display_name.clone(),
            requester_role: me.role,
            tenant_name: tenant.name.clone(),
            scope: req.scope,
            status: RequestStatus::Pending,
            reviewed_by: Vec::new(),
            grant_id: None,
            grant_ends_at: None,
        },
        Some(me.id),
    );
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::AccessRequested,
        &request_ref(id),
        client.addr,
        json!({
            "tenant_id": tenant.id,
            "tenant": tenant.slug,
            "scope": req.scope,
            "reason": reason,
            "duration_minutes": req.duration_minutes,
            "start_at": start_at,
            "ticket_id": req.ticket_id,
        }),
    ))
    .with_event(event);
    let created = state
        .store
        .create_access_request(
            NewAccessRequest {
                id,
                tenant_id: tenant.id,
                requester_id: me.id,
                requester_tier: i64::from(me.role.tier()),
                scope: req.scope,
                reason,
                duration_minutes: req.duration_minutes,
                start_at,
                ticket_id: req.ticket_id,
                created_at: now,
                expires_at: pending_expiry(now, start_at, duration, ttl),
            },
            fx,
        )
        .await;
    match created {
        Ok(record) => Ok(offered(state, caller, record)),
        // Another submission of the same request won the race.
        Err(StoreError::Duplicate { .. }) => Err(HubError::Conflict {
            code: "duplicate_request",
            message: format!(
                "you already have a pending {} request for {}; cancel it or wait for its review",
                req.scope, tenant.name
            ),
            current: None,
        }),
        Err(e) => Err(e.into()),
    }
}

/// Records that a pending request waited too long (the job does this for all of them).
pub async fn expire(
    state: &AppState,
    r: &AccessRequestRecord,
    now: DateTime<Utc>,
) -> HubResult<bool> {
    let fx = Effects::audit(audit(
        now,
        "system",
        AuditAction::AccessRequestExpired,
        &request_ref(r.view.id),
        std::net::Ipv4Addr::LOCALHOST.into(),
        json!({
            "requester": r.view.requester.id,
            "tenant_id": r.view.tenant.id,
            "scope": r.view.scope,
            "reviews": r.view.reviews.len(),
        }),
    ))
    .with_event(events::access_event(
        EventKind::AccessClosed,
        now,
        events::access_facts(&r.view, RequestStatus::Expired, None),
        None,
    ));
    Ok(state
        .store
        .expire_access_request(r.view.id, now, fx)
        .await?)
}

/// One request.
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> HubResult<AccessRequestView> {
    let r = load(state, id).await?;
    if !may_see(caller, &r.view) {
        // Someone else's request is not theirs to know about.
        return Err(HubError::NotFound("access request"));
    }
    Ok(offered(state, caller, r))
}

/// Requests newest first: mine, those waiting for my review, or all (reviewers and security).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: AccessRequestQuery,
) -> HubResult<Page<AccessRequestView>> {
    let limit = page_limit(q.limit)?;
    check_range(q.from, q.to)?;
    let me = &caller.staff;
    let mut filter = AccessRequestFilter {
        status: q.status,
        tenant_id: q.tenant_id,
        from: q.from,
        to: q.to,
        before_seq: parse_cursor(q.cursor.as_deref())?,
        limit: limit + 1,
        now: state.now(),
        ..Default::default()
    };
    match q.r#box.unwrap_or_default() {
        AccessBox::Mine => filter.requester_id = Some(me.id),
        AccessBox::ToReview => {
            Granted::<cap::AccessReview>::check(me.role)?;
            filter.reviewable_by = Some((me.id, i64::from(me.role.tier())));
            filter.status = Some(RequestStatus::Pending);
        }
        AccessBox::All => {
            Granted::<cap::AccessReview>::check(me.role)?;
        }
    }
    let mut rows = state.store.list_access_requests(&filter).await?;
    if q.r#box == Some(AccessBox::ToReview) {
        // Expired ones wait only for the job; they are no longer reviewable.
        let now = filter.now;
        rows.retain(|r| r.view.expires_at > now);
    }
    Ok(crate::support::paging::page(
        rows,
        limit as usize,
        |r| r.seq.to_string(),
        |r| offered(state, caller, r.clone()),
    ))
}

/// Cancels one's own pending request.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    req: CancelAccessRequest,
) -> HubResult<AccessRequestView> {
    let now = state.now();
    let record = load(state, id).await?;
    if record.view.requester.id != caller.staff.id {
        if may_see(caller, &record.view) {
            return Err(HubError::unprocessable(
                "not_your_request",
                "only the requester can cancel a request; reviewers deny it instead",
            ));
        }
        return Err(HubError::NotFound("access request"));
    }
    if record.view.status != RequestStatus::Pending {
        return Err(HubError::unprocessable(
            "request_not_pending",
            format!(
                "this request is {} and cannot be cancelled",
                record.view.status
            ),
        ));
    }
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::AccessRequestCancelled,
        &request_ref(id),
        client.addr,
        json!({ "tenant_id": record.view.tenant.id, "scope": record.view.scope }),
    ))
    .with_event(events::access_event(
        EventKind::AccessClosed,
        now,
        events::access_facts(&record.view, RequestStatus::Cancelled, None),
        Some(caller.staff.id),
    ));
    match state
        .store
        .cancel_access_request(id, req.version, now, fx)
        .await
    {
        Ok(r) => Ok(offered(state, caller, r)),
        Err(StoreError::VersionConflict) => Err(conflict(state, caller, id).await),
        Err(e) => Err(e.into()),
    }
}
