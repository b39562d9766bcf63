//! Cross-tenant access requests, their reviews, grants and onboarding clearance. The rules come
//! from `opsdesk_core::rules` and `opsdesk_core::access`; this module loads what they need, applies
//! them, and writes the outcome with its audit entries in one store call.

use crate::error::{HubError, HubResult};
use crate::context::ClientInfo;
use crate::service::audit_export::csv_cell;
use crate::context::Caller;
use crate::support::effects::{audit, security, staff_ref};
use crate::service::events;
use crate::service::staff::page_limit;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use opsdesk_core::access::{
    check_comment, check_duration, check_reason, check_start, grant_window, pending_expiry,
    Clearance, GrantEndReason, GrantState, RequestFacts, RequestStatus, ReviewInput, ReviewRefusal,
    Reviewed, Reviewer,
};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::{AccessFacts, EventKind};
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::rules::{
    may_request_access, may_review, require, AccessScope, ReviewOutcome, RuleViolation,
};
use opsdesk_core::staff::Severity;
use opsdesk_core::{Permission, Role};
use opsdesk_proto::{
    AccessBox, AccessExportQuery, AccessPolicyView, AccessRequestQuery, AccessRequestView,
    CancelAccessRequest, ClearanceView, CreateAccessRequest, ExportFormat, GrantQuery, GrantView,
    Page, RecordClearanceRequest, ReviewAccessRequest, RevokeGrantRequest, ScopePolicy,
};
use opsdesk_store::{
    AccessRequestFilter, AccessRequestRecord, Effects, EndGrant, GrantFilter, NewAccessRequest,
    NewGrant, NewReview, ReviewDecision, StoreError,
};
use serde_json::json;
use uuid::Uuid;

/// Most requests one export holds.
pub const EXPORT_MAX: u32 = 10_000;
/// Most grants one listing returns.
const GRANTS_MAX: u32 = 500;

/// The audit name of a request.
fn request_ref(id: Uuid) -> String {
    format!("access_request:{id}")
}

/// The audit name of a grant.
pub fn grant_ref(id: Uuid) -> String {
    format!("grant:{id}")
}

async fn load(state: &AppState, id: Uuid) -> HubResult<AccessRequestRecord> {
    state
        .store
        .access_request(id, state.now())
        .await?
        .ok_or(HubError::NotFound("access request"))
}

/// The facts core's review rules need about a request.
fn review_facts(record: &AccessRequestRecord) -> RequestFacts {
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
fn offered(state: &AppState, caller: &Caller, record: AccessRequestRecord) -> AccessRequestView {
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
async fn conflict(state: &AppState, caller: &Caller, id: Uuid) -> HubError {
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

/// Who may see a request: its requester, reviewers, and security.
fn may_see(caller: &Caller, r: &AccessRequestView) -> bool {
    r.requester.id == caller.staff.id || caller.staff.role.has(Permission::AccessReview)
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

fn parse_cursor(cursor: Option<&str>) -> HubResult<Option<i64>> {
    cursor
        .map(|c| {
            c.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| HubError::field("cursor", "is not a cursor this hub issued"))
        })
        .transpose()
}

fn check_range(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> HubResult<()> {
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            return Err(HubError::field("to", "must be after `from`"));
        }
    }
    Ok(())
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
            require(me.role, Permission::AccessReview)?;
            filter.reviewable_by = Some((me.id, i64::from(me.role.tier())));
            filter.status = Some(RequestStatus::Pending);
        }
        AccessBox::All => require(me.role, Permission::AccessReview)?,
    }
    let mut rows = state.store.list_access_requests(&filter).await?;
    if q.r#box == Some(AccessBox::ToReview) {
        // Expired ones wait only for the job; they are no longer reviewable.
        let now = filter.now;
        rows.retain(|r| r.view.expires_at > now);
    }
    Ok(crate::service::staff::page(
        rows,
        limit as usize,
        |r| r.seq.to_string(),
        |r| offered(state, caller, r.clone()),
    ))
}

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

/// The CSV header of an access export.
pub const EXPORT_CSV_HEADER: &str = "id,created_at,tenant,requester,requester_role,scope,reason,\
duration_minutes,start_at,ticket_number,status,decided_at,reviews,grant_id,grant_starts_at,\
grant_ends_at,grant_ended_at,grant_end_reason,grant_ended_by\n";

fn time_cell(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

fn csv_row(r: &AccessRequestView) -> String {
    let reviews: Vec<String> = r
        .reviews
        .iter()
        .map(|rv| {
            format!(
                "{} {} {}{}",
                time_cell(Some(rv.at)),
                rv.reviewer.display_name,
                if rv.approved { "approved" } else { "denied" },
                rv.comment
                    .as_deref()
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    let g = r.grant.as_ref();
    let cells = [
        r.id.to_string(),
        time_cell(Some(r.created_at)),
        r.tenant.slug.clone(),
        r.requester.display_name.clone(),
        r.requester.role.to_string(),
        r.scope.to_string(),
        r.reason.clone(),
        r.duration_minutes.to_string(),
        time_cell(r.start_at),
        r.ticket_number.map(|n| n.to_string()).unwrap_or_default(),
        r.status.to_string(),
        time_cell(r.decided_at),
        reviews.join(" | "),
        g.map(|g| g.id.to_string()).unwrap_or_default(),
        time_cell(g.map(|g| g.starts_at)),
        time_cell(g.map(|g| g.ends_at)),
        time_cell(g.and_then(|g| g.ended_at)),
        g.and_then(|g| g.end_reason)
            .map(|e| e.to_string())
            .unwrap_or_default(),
        g.and_then(|g| g.ended_by.as_ref())
            .map(|s| s.display_name.clone())
            .unwrap_or_default(),
    ];
    let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    cells.join(",") + "\n"
}

/// Every reviewed (decided) request matching the filter, oldest first, for an auditor: JSON
/// Lines of [`AccessRequestView`] or CSV. Returns the content type and the text.
pub async fn export(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    q: AccessExportQuery,
) -> HubResult<(&'static str, String)> {
    require(caller.staff.role, Permission::AccessReview)?;
    check_range(q.from, q.to)?;
    let format = q.format.unwrap_or(ExportFormat::Jsonl);
    let now = state.now();
    let mut rows: Vec<AccessRequestView> = Vec::new();
    let mut before_seq = None;
    loop {
        let page = state
            .store
            .list_access_requests(&AccessRequestFilter {
                tenant_id: q.tenant_id,
                from: q.from,
                to: q.to,
                before_seq,
                limit: 1000,
                now,
                ..Default::default()
            })
            .await?;
        let n = page.len();
        before_seq = page.last().map(|r| r.seq);
        rows.extend(
            page.into_iter()
                .filter(|r| r.view.status != RequestStatus::Pending)
                .map(|r| r.view),
        );
        if rows.len() > EXPORT_MAX as usize {
            return Err(HubError::unprocessable(
                "export_too_large",
                format!(
                    "more than {EXPORT_MAX} requests match; narrow it with `from`, `to` or `tenant_id`"
                ),
            ));
        }
        if n < 1000 {
            break;
        }
    }
    rows.reverse();
    let (content_type, text) = match format {
        ExportFormat::Jsonl => (
            "application/x-ndjson",
            rows.iter()
                .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
                .collect::<String>(),
        ),
        ExportFormat::Csv => (
            "text/csv; charset=utf-8",
            std::iter::once(EXPORT_CSV_HEADER.to_owned())
                .chain(rows.iter().map(csv_row))
                .collect::<String>(),
        ),
    };
    state
        .store
        .record(Effects::audit(audit(
            now,
            &caller.actor(),
            AuditAction::AccessExported,
            "access_requests",
            client.addr,
            json!({
                "format": format,
                "tenant_id": q.tenant_id,
                "from": q.from,
                "to": q.to,
                "requests": rows.len(),
            }),
        )))
        .await?;
    Ok((content_type, text))
}

/// Grants: mine, or everyone's (reviewers and security).
pub async fn grants(state: &AppState, caller: &Caller, q: GrantQuery) -> HubResult<Vec<GrantView>> {
    let holder_id = if q.all {
        require(caller.staff.role, Permission::AccessReview)?;
        None
    } else {
        Some(caller.staff.id)
    };
    Ok(state
        .store
        .list_grants(&GrantFilter {
            holder_id,
            tenant_id: q.tenant_id,
            current_only: q.current,
            limit: GRANTS_MAX,
            now: state.now(),
        })
        .await?)
}

async fn load_grant(state: &AppState, id: Uuid) -> HubResult<GrantView> {
    state
        .store
        .grant(id, state.now())
        .await?
        .ok_or(HubError::NotFound("grant"))
}

async fn end(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    grant: GrantView,
    reason: GrantEndReason,
    comment: Option<String>,
) -> HubResult<GrantView> {
    let now = state.now();
    if grant.state == GrantState::Ended {
        return Err(HubError::unprocessable(
            "grant_already_ended",
            format!(
                "this grant already ended ({})",
                grant
                    .end_reason
                    .map_or("expired".to_owned(), |r| r.to_string())
            ),
        ));
    }
    let actor = caller.actor();
    let details = json!({
        "reason": reason,
        "comment": comment,
        "holder": grant.holder.id,
        "tenant_id": grant.tenant.id,
        "scope": grant.scope,
        "was_ending_at": grant.ends_at,
    });
    let mut fx = Effects::audit(audit(
        now,
        &actor,
        AuditAction::GrantEnded,
        &grant_ref(grant.id),
        client.addr,
        details.clone(),
    ))
    .with_event(events::access_event(
        EventKind::GrantEnded,
        now,
        events::grant_facts(&grant),
        Some(caller.staff.id),
    ));
    if reason == GrantEndReason::Revoked {
        fx.security.push(security(
            now,
            "grant_revoked",
            Severity::Medium,
            Some(grant.holder.id),
            &actor,
            client.addr,
            format!(
                "{}'s {} access to {} revoked by {}",
                grant.holder.display_name,
                grant.scope,
                grant.tenant.name,
                caller.staff.display_name
            ),
            details,
        ));
    }
    state
        .store
        .end_grant(
            EndGrant {
                grant_id: grant.id,
                reason,
                by: Some(caller.staff.id),
                comment,
                at: now,
            },
            fx,
        )
        .await?
        .ok_or_else(|| HubError::unprocessable("grant_already_ended", "this grant already ended"))
}

/// The holder ends their grant early; it stops working at once.
pub async fn release(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
) -> HubResult<GrantView> {
    let grant = load_grant(state, id).await?;
    if grant.holder.id != caller.staff.id {
        if caller.staff.role.has(Permission::AccessReview) {
            return Err(HubError::unprocessable(
                "not_your_grant",
                "only the holder releases a grant; security officers and admins revoke it",
            ));
        }
        return Err(HubError::NotFound("grant"));
    }
    end(state, caller, client, grant, GrantEndReason::Released, None).await
}

/// A security officer or admin ends someone's grant, with a reason.
pub async fn revoke(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    req: RevokeGrantRequest,
) -> HubResult<GrantView> {
    Granted::<cap::GrantsRevokeAny>::check(caller.staff.role)?;
    let reason =
        check_comment(Some(&req.reason), true).map_err(|e| HubError::field("reason", e))?;
    let grant = load_grant(state, id).await?;
    end(
        state,
        caller,
        client,
        grant,
        GrantEndReason::Revoked,
        reason,
    )
    .await
}

/// A staff member's clearance: their own, or anyone's for those who read staff.
pub async fn clearance(
    state: &AppState,
    caller: &Caller,
    staff_id: Uuid,
) -> HubResult<ClearanceView> {
    if staff_id != caller.staff.id {
        Granted::<cap::StaffRead>::check(caller.staff.role)?;
    }
    state
        .store
        .staff_by_id(staff_id)
        .await?
        .ok_or(HubError::NotFound("staff member"))?;
    Ok(state.store.clearance(staff_id).await?)
}

/// Admins record onboarding clearance (never their own).
pub async fn record_clearance(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    staff_id: Uuid,
    req: RecordClearanceRequest,
) -> HubResult<ClearanceView> {
    Granted::<cap::OnboardingRecord>::check(caller.staff.role)?;
    if staff_id == caller.staff.id {
        return Err(RuleViolation::SelfAction("record the clearance of").into());
    }
    let target = state
        .store
        .staff_by_id(staff_id)
        .await?
        .ok_or(HubError::NotFound("staff member"))?;
    let now = state.now();
    let before = state.store.clearance_facts(staff_id).await?;
    let keep = |done: bool, at: Option<DateTime<Utc>>| if done { at.or(Some(now)) } else { None };
    let after = Clearance {
        nda_at: keep(req.nda, before.nda_at),
        background_check_at: keep(req.background_check, before.background_check_at),
        training_at: keep(req.training, before.training_at),
    };
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::ClearanceRecorded,
        &staff_ref(staff_id),
        client.addr,
        json!({
            "nda": req.nda,
            "background_check": req.background_check,
            "training": req.training,
            "complete": after.is_complete(),
            "username": target.username,
        }),
    ))
    .with_event(events::staff_event(
        EventKind::StaffChanged,
        now,
        staff_id,
        Some(caller.staff.id),
    ));
    match state
        .store
        .record_clearance(staff_id, req.version, after, caller.staff.id, now, fx)
        .await
    {
        Ok(v) => Ok(v),
        Err(StoreError::VersionConflict) => Err(HubError::Conflict {
            code: "version_conflict",
            message: "someone else recorded this clearance meanwhile; review it as it is now"
                .into(),
            current: serde_json::to_value(state.store.clearance(staff_id).await?).ok(),
        }),
        Err(e) => Err(e.into()),
    }
}
