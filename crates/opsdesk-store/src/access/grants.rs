//! Grants: reading and listing them with their state at a time, the facts the access check
//! needs, the jobs' queues (to start, to warn, to end), and ending, warning and starting them,
//! each once.

use super::rows::{grant_views, GrantFactsRow, GrantRow, GRANT_FACTS_COLUMNS, GRANT_SELECT};
use crate::audit::write_effects;
use crate::common::{convert_all, missing_or_duplicate, ms};
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::{Effects, EndGrant, GrantFilter, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_core::access::GrantFacts;
use opsdesk_proto::GrantView;
use uuid::Uuid;

/// Runs one conditional update and, when it changed a row, writes `fx` with it; false (and
/// nothing written) when it matched none: someone got there first.
pub(super) async fn change_once<D: Dialect>(
    store: &D,
    update: Sql,
    fx: Effects,
) -> StoreResult<bool> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    if D::execute(&mut *tx, update).await? == 0 {
        return Ok(false);
    }
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(true)
}

/// Which of the jobs' queues [`due`] reads.
#[derive(Clone, Copy)]
pub(crate) enum Due {
    /// Not recorded as ended, its end come.
    Ending,
    /// Its start come but not recorded.
    Starting,
    /// Not ended, not yet warned about, its end at or before the time given.
    Warning,
}

/// Grants in one of the jobs' queues at `now`, their state at `now`.
pub(crate) async fn due<D: Dialect>(
    store: &D,
    queue: Due,
    now: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<GrantView>> {
    // Each condition also orders; `$1` is now, `$2` the limit.
    let condition = match queue {
        Due::Ending => "g.ended_at IS NULL AND g.ends_at <= $1 ORDER BY g.ends_at, g.id",
        Due::Starting => {
            "g.start_recorded = 0 AND g.starts_at <= $1 AND g.ended_at IS NULL \
             ORDER BY g.starts_at, g.id"
        }
        Due::Warning => {
            "g.ended_at IS NULL AND g.expiry_warned = 0 AND g.ends_at <= $1 \
             ORDER BY g.ends_at, g.id"
        }
    };
    let sql = Sql::new(format!("{GRANT_SELECT} WHERE {condition} LIMIT $2"))
        .bind(ms(now))
        .bind(i64::from(limit));
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<GrantRow> = D::fetch_all(&mut conn, sql).await?;
    grant_views(rows, now)
}

/// One grant, its state at `now`.
pub(crate) async fn one<D: Dialect>(
    store: &D,
    id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<Option<GrantView>> {
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new(format!("{GRANT_SELECT} WHERE g.id = $1")).bind(id.to_string());
    let row: Option<GrantRow> = D::fetch_optional(&mut conn, sql).await?;
    row.map(|r| r.into_view(now)).transpose()
}

/// Grants matching `filter`, newest start first.
pub(crate) async fn list<D: Dialect>(
    store: &D,
    filter: &GrantFilter,
) -> StoreResult<Vec<GrantView>> {
    let f = filter;
    let mut q = Sql::new(format!("{GRANT_SELECT} WHERE 1 = 1"));
    if let Some(holder) = f.holder_id {
        q.push(" AND g.holder_id = ").push_bind(holder.to_string());
    }
    if let Some(tenant) = f.tenant_id {
        q.push(" AND g.tenant_id = ").push_bind(tenant.to_string());
    }
    if f.current_only {
        // Not ended at `now`, as `GrantFacts::state` sees it.
        let now = ms(f.now);
        q.push(" AND (g.ended_at IS NULL OR g.ended_at > ")
            .push_bind(now)
            .push(") AND g.ends_at > ")
            .push_bind(now);
    }
    q.push(" ORDER BY g.starts_at DESC, g.id DESC LIMIT ")
        .push_bind(i64::from(f.limit));
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<GrantRow> = D::fetch_all(&mut conn, q).await?;
    grant_views(rows, f.now)
}

/// The facts of a holder's grants for a tenant that are not long over.
pub(crate) async fn facts<D: Dialect>(
    store: &D,
    holder_id: Uuid,
    tenant_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<Vec<GrantFacts>> {
    let day_ago = ms(now - chrono::Duration::days(1));
    let sql = Sql::new(format!(
        "SELECT {GRANT_FACTS_COLUMNS} FROM grants WHERE holder_id = $1 AND tenant_id = $2 \
         AND (ended_at IS NULL OR ended_at >= $3 OR ends_at >= $3) ORDER BY starts_at, id"
    ))
    .bind(holder_id.to_string())
    .bind(tenant_id.to_string())
    .bind(day_ago);
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<GrantFactsRow> = D::fetch_all(&mut conn, sql).await?;
    convert_all(rows)
}

/// Ends a grant not yet ended; `None` (and `fx` not written) when it already was.
pub(crate) async fn end<D: Dialect>(
    store: &D,
    end: EndGrant,
    fx: Effects,
) -> StoreResult<Option<GrantView>> {
    let id = end.grant_id.to_string();
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let update = Sql::new(
        "UPDATE grants SET ended_at = $1, end_reason = $2, ended_by = $3, \
         end_comment = $4 WHERE id = $5 AND ended_at IS NULL",
    )
    .bind(ms(end.at))
    .bind(end.reason.as_str())
    .bind(end.by.map(|b| b.to_string()))
    .bind(end.comment.clone())
    .bind(&id);
    let ended = D::execute(&mut *tx, update)
        .await
        .map_err(missing_or_duplicate("grant"))?;
    let sql = Sql::new(format!("{GRANT_SELECT} WHERE g.id = $1")).bind(&id);
    let row: Option<GrantRow> = D::fetch_optional(&mut *tx, sql).await?;
    let Some(row) = row else {
        return Err(StoreError::NotFound);
    };
    if ended == 0 {
        return Ok(None);
    }
    let view = row.into_view(end.at)?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(Some(view))
}

/// Sets a grant's once-only flag (`expiry_warned` or `start_recorded`); false (and `fx` not
/// written) when already set.
pub(crate) async fn mark<D: Dialect>(
    store: &D,
    grant_id: Uuid,
    flag: &'static str,
    fx: Effects,
) -> StoreResult<bool> {
    let update = Sql::new(format!(
        "UPDATE grants SET {flag} = 1 WHERE id = $1 AND {flag} = 0"
    ))
    .bind(grant_id.to_string());
    change_once(store, update, fx).await
}
