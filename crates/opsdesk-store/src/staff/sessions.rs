//! Sessions: looking them up, touching them, listing and ending them.

use super::rows::{SessionRow, SessionStaffRow, SESSION_BY_TOKEN, SESSION_COLUMNS};
use crate::audit::write_effects;
use crate::common::{convert_all, convert_opt, ms};
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::{Effects, SessionRecord, StaffRecord, StoreResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A session that has not been ended, with its staff member.
pub(crate) async fn by_token<D: Dialect>(
    store: &D,
    token_hash: &str,
) -> StoreResult<Option<(SessionRecord, StaffRecord)>> {
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new(SESSION_BY_TOKEN).bind(token_hash);
    let row: Option<SessionStaffRow> = D::fetch_optional(&mut conn, sql).await?;
    convert_opt(row)
}

/// One session, ended or not.
pub(crate) async fn by_id<D: Dialect>(store: &D, id: Uuid) -> StoreResult<Option<SessionRecord>> {
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new(format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1"
    ))
    .bind(id.to_string());
    let row: Option<SessionRow> = D::fetch_optional(&mut conn, sql).await?;
    convert_opt(row)
}

/// Updates `last_seen_at` (never backwards).
pub(crate) async fn touch<D: Dialect>(store: &D, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    let _writing = store.write_guard().await;
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
        .bind(ms(now))
        .bind(id.to_string());
    D::execute(&mut conn, sql).await?;
    Ok(())
}

/// Sessions of `staff_id` not yet ended, newest first.
pub(crate) async fn open_of<D: Dialect>(
    store: &D,
    staff_id: Uuid,
) -> StoreResult<Vec<SessionRecord>> {
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new(format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE staff_id = $1 AND ended_at IS NULL \
         ORDER BY created_at DESC, id DESC"
    ))
    .bind(staff_id.to_string());
    let rows: Vec<SessionRow> = D::fetch_all(&mut conn, sql).await?;
    convert_all(rows)
}

/// Ends one session; false (and `fx` not written) if it was already ended or does not exist.
pub(crate) async fn end<D: Dialect>(
    store: &D,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<bool> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let sql = Sql::new(
        "UPDATE sessions SET ended_at = $1, ended_reason = $2 \
         WHERE id = $3 AND ended_at IS NULL",
    )
    .bind(ms(now))
    .bind(reason)
    .bind(id.to_string());
    if D::execute(&mut *tx, sql).await? == 0 {
        return Ok(false);
    }
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(true)
}

/// Ends every open session of `staff_id` except `except`; returns how many.
pub(crate) async fn end_all_of<D: Dialect>(
    store: &D,
    staff_id: Uuid,
    except: Option<Uuid>,
    reason: &str,
    now: DateTime<Utc>,
    mut fx: Effects,
) -> StoreResult<u64> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    // No session id is empty, so "" excludes nothing.
    let except = except.map(|id| id.to_string()).unwrap_or_default();
    let sql = Sql::new(
        "UPDATE sessions SET ended_at = $1, ended_reason = $2 \
         WHERE staff_id = $3 AND ended_at IS NULL AND id <> $4",
    )
    .bind(ms(now))
    .bind(reason)
    .bind(staff_id.to_string())
    .bind(except);
    let ended = D::execute(&mut *tx, sql).await?;
    if ended == 0 {
        // Nothing changed: nobody needs to hear of it live (the audit still records the
        // attempt).
        fx.events.clear();
    }
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(ended)
}
