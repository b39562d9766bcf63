//! Who is viewing or replying to a ticket right now (presence, kept until it expires), and each
//! staff member's saved queue filters.

use super::rows::{presence_mode_name, PresenceRow};
use crate::audit::write_effects;
use crate::common::{convert_all, duplicate_as, ms};
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::{Effects, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_core::ticket::QueueSort;
use opsdesk_proto::{PresenceMode, PresenceView, SavedFilterView};
use uuid::Uuid;

/// Sets (or, for `Left`, clears) a staff member's presence on a ticket; the time since keeps
/// running while the mode stays and has not expired.
pub(crate) async fn set<D: Dialect>(
    store: &D,
    ticket_id: Uuid,
    staff_id: Uuid,
    mode: PresenceMode,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    let _writing = store.write_guard().await;
    let mut conn = store.pool().acquire().await?;
    if mode == PresenceMode::Left {
        let delete = Sql::new("DELETE FROM ticket_presence WHERE ticket_id = $1 AND staff_id = $2")
            .bind(ticket_id.to_string())
            .bind(staff_id.to_string());
        D::execute(&mut conn, delete).await?;
        return Ok(());
    }
    let upsert = Sql::new(
        "INSERT INTO ticket_presence (ticket_id, staff_id, mode, since, expires_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ticket_id, staff_id) DO UPDATE \
         SET since = CASE WHEN ticket_presence.mode = $3 AND ticket_presence.expires_at > $4 \
         THEN ticket_presence.since ELSE $4 END, mode = $3, expires_at = $5",
    )
    .bind(ticket_id.to_string())
    .bind(staff_id.to_string())
    .bind(presence_mode_name(mode))
    .bind(ms(now))
    .bind(ms(expires_at));
    D::execute(&mut conn, upsert).await.map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        _ => e.into(),
    })?;
    Ok(())
}

/// Who is on a ticket at `now`, longest first.
pub(crate) async fn on<D: Dialect>(
    store: &D,
    ticket_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<Vec<PresenceView>> {
    let sql = Sql::new(
        "SELECT p.staff_id, s.display_name, p.mode, p.since FROM ticket_presence p \
         JOIN staff s ON s.id = p.staff_id WHERE p.ticket_id = $1 \
         AND p.expires_at > $2 ORDER BY p.since",
    )
    .bind(ticket_id.to_string())
    .bind(ms(now));
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<PresenceRow> = D::fetch_all(&mut conn, sql).await?;
    convert_all(rows)
}

/// Saves a staff member's filter; `Duplicate{field:"name"}` when the name is taken.
pub(crate) async fn save_filter<D: Dialect>(
    store: &D,
    staff_id: Uuid,
    filter: SavedFilterView,
    fx: Effects,
) -> StoreResult<SavedFilterView> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let insert = Sql::new(
        "INSERT INTO saved_filters (id, staff_id, name, filter, sort, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(filter.id.to_string())
    .bind(staff_id.to_string())
    .bind(&filter.name)
    .bind(serde_json::to_string(&filter.filter).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    .bind(filter.sort.as_str())
    .bind(ms(filter.created_at));
    D::execute(&mut *tx, insert)
        .await
        .map_err(duplicate_as("name"))?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(filter)
}

/// A staff member's saved filters, by name.
pub(crate) async fn filters<D: Dialect>(
    store: &D,
    staff_id: Uuid,
) -> StoreResult<Vec<SavedFilterView>> {
    let sql = Sql::new(
        "SELECT id, name, filter, sort, created_at FROM saved_filters \
         WHERE staff_id = $1 ORDER BY name",
    )
    .bind(staff_id.to_string());
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<(String, String, String, String, i64)> = D::fetch_all(&mut conn, sql).await?;
    rows.into_iter()
        .map(|(id, name, filter, sort, at)| {
            let bad = |e: String| StoreError::Corrupt(e);
            Ok(SavedFilterView {
                id: Uuid::parse_str(&id).map_err(|e| bad(e.to_string()))?,
                name,
                filter: serde_json::from_str(&filter).map_err(|e| bad(e.to_string()))?,
                sort: QueueSort::parse(&sort)
                    .ok_or_else(|| bad(format!("`{sort}` is not a sort")))?,
                created_at: DateTime::from_timestamp_millis(at)
                    .ok_or_else(|| bad(format!("`{at}` is not a time")))?,
            })
        })
        .collect()
}

/// Deletes one of a staff member's filters; false (and `fx` not written) when there was none.
pub(crate) async fn delete_filter<D: Dialect>(
    store: &D,
    staff_id: Uuid,
    id: Uuid,
    fx: Effects,
) -> StoreResult<bool> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let delete = Sql::new("DELETE FROM saved_filters WHERE id = $1 AND staff_id = $2")
        .bind(id.to_string())
        .bind(staff_id.to_string());
    if D::execute(&mut *tx, delete).await? == 0 {
        return Ok(false);
    }
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(true)
}
