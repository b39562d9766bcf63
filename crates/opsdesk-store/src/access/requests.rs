//! Access requests and their reviews: creating, reading and listing them (each with its reviews
//! and grant), reviewing, cancelling and expiring them. Every decision is a conditional update
//! (`WHERE version = ... AND status = 'pending'`), so two reviewers, or a reviewer and the
//! expiry job, never both win.

use super::grants::change_once;
use super::rows::{
    scope_name, AccessRequestRow, GrantRow, ReviewRow, GRANT_SELECT, REQUEST_SELECT, REVIEW_SELECT,
};
use crate::audit::write_effects;
use crate::common::{missing_or_duplicate, ms};
use crate::dialect::{Conn, Dialect, Tx};
use crate::query::Sql;
use crate::staff::conflict_or_missing;
use crate::{
    AccessRequestFilter, AccessRequestRecord, Effects, NewAccessRequest, NewReview, ReviewDecision,
    StoreError, StoreResult,
};
use chrono::{DateTime, Utc};
use opsdesk_core::access::RequestStatus;
use std::collections::HashMap;
use uuid::Uuid;

/// Requests with their reviews (in order) and grants: one query each for the page.
async fn records<D: Dialect>(
    conn: &mut Conn<D>,
    rows: Vec<AccessRequestRow>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<AccessRequestRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = || rows.iter().map(|r| r.id.clone());
    let mut q = Sql::new(REVIEW_SELECT);
    q.push(" WHERE v.request_id IN (")
        .push_list(ids())
        .push(") ORDER BY v.at, v.reviewer_id");
    let review_rows: Vec<ReviewRow> = D::fetch_all(&mut *conn, q).await?;
    let mut reviews: HashMap<String, Vec<opsdesk_proto::ReviewView>> = HashMap::new();
    for r in review_rows {
        let request = r.request_id.clone();
        reviews.entry(request).or_default().push(r.try_into()?);
    }
    let mut q = Sql::new(GRANT_SELECT);
    q.push(" WHERE g.request_id IN (")
        .push_list(ids())
        .push(")");
    let grant_rows: Vec<GrantRow> = D::fetch_all(&mut *conn, q).await?;
    let mut grants = HashMap::new();
    for g in grant_rows {
        grants.insert(g.request_id.clone(), g.into_view(now)?);
    }
    rows.into_iter()
        .map(|r| {
            let grant = grants.remove(&r.id);
            let reviews = reviews.remove(&r.id).unwrap_or_default();
            r.into_record(reviews, grant)
        })
        .collect()
}

/// One request with its reviews and grant.
async fn request_in<D: Dialect>(
    conn: &mut Conn<D>,
    id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<Option<AccessRequestRecord>> {
    let sql = Sql::new(format!("{REQUEST_SELECT} WHERE r.id = $1")).bind(id.to_string());
    let row: Option<AccessRequestRow> = D::fetch_optional(&mut *conn, sql).await?;
    Ok(records::<D>(conn, row.into_iter().collect(), now)
        .await?
        .pop())
}

/// Writes `fx`, reads request `id` as the transaction left it, and commits.
async fn commit_request<D: Dialect>(
    mut tx: Tx<D>,
    fx: Effects,
    id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<AccessRequestRecord> {
    write_effects::<D>(&mut tx, fx).await?;
    let record = request_in::<D>(&mut tx, id, now)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(record)
}

/// Why a conditional update of request `id` matched no row.
async fn request_conflict<D: Dialect>(tx: &mut Tx<D>, id: Uuid) -> StoreError {
    let sql = "SELECT version FROM access_requests WHERE id = $1";
    conflict_or_missing::<D>(tx, sql, id).await
}

/// Stores a pending request and writes `fx`.
pub(crate) async fn create<D: Dialect>(
    store: &D,
    request: NewAccessRequest,
    fx: Effects,
) -> StoreResult<AccessRequestRecord> {
    let r = request;
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let insert = Sql::new(
        "INSERT INTO access_requests (id, tenant_id, requester_id, requester_tier, \
         scope, reason, duration_minutes, start_at, ticket_id, status, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11)",
    )
    .bind(r.id.to_string())
    .bind(r.tenant_id.to_string())
    .bind(r.requester_id.to_string())
    .bind(r.requester_tier)
    .bind(scope_name(r.scope))
    .bind(&r.reason)
    .bind(r.duration_minutes)
    .bind(r.start_at.map(ms))
    .bind(r.ticket_id.map(|t| t.to_string()))
    .bind(ms(r.created_at))
    .bind(ms(r.expires_at));
    D::execute(&mut *tx, insert)
        .await
        .map_err(missing_or_duplicate("id"))?;
    commit_request::<D>(tx, fx, r.id, r.created_at).await
}

/// One request with its reviews and grant.
pub(crate) async fn one<D: Dialect>(
    store: &D,
    id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<Option<AccessRequestRecord>> {
    let mut conn = store.pool().acquire().await?;
    request_in::<D>(&mut conn, id, now).await
}

/// Requests matching `filter`, newest first.
pub(crate) async fn list<D: Dialect>(
    store: &D,
    filter: &AccessRequestFilter,
) -> StoreResult<Vec<AccessRequestRecord>> {
    let f = filter;
    let mut q = Sql::new(format!("{REQUEST_SELECT} WHERE 1 = 1"));
    if let Some(id) = f.requester_id {
        q.push(" AND r.requester_id = ").push_bind(id.to_string());
    }
    if let Some((reviewer, tier)) = f.reviewable_by {
        q.push(" AND r.status = 'pending' AND r.requester_id <> ")
            .push_bind(reviewer.to_string())
            .push(" AND r.requester_tier <= ")
            .push_bind(tier)
            .push(
                " AND NOT EXISTS (SELECT 1 FROM access_reviews v \
                 WHERE v.request_id = r.id AND v.reviewer_id = ",
            )
            .push_bind(reviewer.to_string())
            .push(")");
    }
    if let Some(status) = f.status {
        q.push(" AND r.status = ").push_bind(status.as_str());
    }
    if let Some(tenant) = f.tenant_id {
        q.push(" AND r.tenant_id = ").push_bind(tenant.to_string());
    }
    if let Some(from) = f.from {
        q.push(" AND r.created_at >= ").push_bind(ms(from));
    }
    if let Some(to) = f.to {
        q.push(" AND r.created_at < ").push_bind(ms(to));
    }
    if let Some(before) = f.before_seq {
        q.push(" AND r.seq < ").push_bind(before);
    }
    q.push(" ORDER BY r.seq DESC LIMIT ")
        .push_bind(i64::from(f.limit));
    let mut conn = store.pool().acquire().await?;
    let rows = D::fetch_all(&mut conn, q).await?;
    records::<D>(&mut conn, rows, f.now).await
}

/// Adds a review to a pending request at the expected version and applies the decision.
pub(crate) async fn review<D: Dialect>(
    store: &D,
    review: NewReview,
    decision: ReviewDecision,
    fx: Effects,
) -> StoreResult<AccessRequestRecord> {
    let (status, grant) = match &decision {
        ReviewDecision::StillPending => (None, None),
        ReviewDecision::Denied => (Some(RequestStatus::Denied), None),
        ReviewDecision::Approved(g) => (Some(RequestStatus::Approved), Some(g)),
    };
    let id = review.request_id.to_string();
    let at = ms(review.at);
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let decide = Sql::new(
        "UPDATE access_requests SET version = version + 1, \
         status = COALESCE($1, status), decided_at = COALESCE($2, decided_at) \
         WHERE id = $3 AND version = $4 AND status = 'pending' AND expires_at > $5",
    )
    .bind(status.map(|s| s.as_str()))
    .bind(status.map(|_| at))
    .bind(&id)
    .bind(review.expected_version)
    .bind(at);
    if D::execute(&mut *tx, decide).await? == 0 {
        return Err(request_conflict::<D>(&mut tx, review.request_id).await);
    }
    let insert = Sql::new(
        "INSERT INTO access_reviews (request_id, reviewer_id, approved, comment, at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(review.reviewer_id.to_string())
    .bind(i64::from(review.approved))
    .bind(review.comment.clone())
    .bind(at);
    D::execute(&mut *tx, insert)
        .await
        .map_err(missing_or_duplicate("reviewer"))?;
    if let Some(g) = grant {
        let insert = Sql::new(
            "INSERT INTO grants (id, request_id, tenant_id, holder_id, scope, \
             starts_at, ends_at, start_recorded) \
             SELECT $1, id, tenant_id, requester_id, scope, $2, $3, $4 \
             FROM access_requests WHERE id = $5",
        )
        .bind(g.id.to_string())
        .bind(ms(g.starts_at))
        .bind(ms(g.ends_at))
        .bind(i64::from(g.start_recorded))
        .bind(&id);
        D::execute(&mut *tx, insert)
            .await
            .map_err(missing_or_duplicate("grant"))?;
    }
    commit_request::<D>(tx, fx, review.request_id, review.at).await
}

/// Cancels a pending request at the expected version.
pub(crate) async fn cancel<D: Dialect>(
    store: &D,
    id: Uuid,
    expected_version: i64,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<AccessRequestRecord> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let cancel = Sql::new(
        "UPDATE access_requests SET status = 'cancelled', decided_at = $1, \
         version = version + 1 WHERE id = $2 AND version = $3 AND status = 'pending'",
    )
    .bind(ms(now))
    .bind(id.to_string())
    .bind(expected_version);
    if D::execute(&mut *tx, cancel).await? == 0 {
        return Err(request_conflict::<D>(&mut tx, id).await);
    }
    commit_request::<D>(tx, fx, id, now).await
}

/// Pending requests due to expire, oldest expiry first.
pub(crate) async fn to_expire<D: Dialect>(
    store: &D,
    now: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<AccessRequestRecord>> {
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new(format!(
        "{REQUEST_SELECT} WHERE r.status = 'pending' AND r.expires_at <= $1 \
         ORDER BY r.expires_at, r.seq LIMIT $2"
    ))
    .bind(ms(now))
    .bind(i64::from(limit));
    let rows = D::fetch_all(&mut conn, sql).await?;
    records::<D>(&mut conn, rows, now).await
}

/// Expires one request if it is still pending and due.
pub(crate) async fn expire<D: Dialect>(
    store: &D,
    id: Uuid,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<bool> {
    let expire = Sql::new(
        "UPDATE access_requests SET status = 'expired', decided_at = $1, \
         version = version + 1 WHERE id = $2 AND status = 'pending' AND expires_at <= $1",
    )
    .bind(ms(now))
    .bind(id.to_string());
    change_once(store, expire, fx).await
}
