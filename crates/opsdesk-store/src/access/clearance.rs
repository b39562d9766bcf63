//! Onboarding clearance (NDA, background check, training) and the active staff who may review:
//! what the access rules read about staff beyond their account.

use super::rows::{clearance_facts, clearance_view, staff_refs, ClearanceRow, CLEARANCE_SELECT};
use crate::audit::write_effects;
use crate::common::{missing_or_duplicate, ms};
use crate::dialect::{Conn, Dialect};
use crate::query::Sql;
use crate::staff::stale_or_missing;
use crate::{Effects, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_core::access::Clearance;
use opsdesk_core::staff::StaffStatus;
use opsdesk_core::Role;
use opsdesk_proto::{ClearanceView, StaffRef};
use uuid::Uuid;

/// A staff member's clearance row, if one is recorded.
async fn stored<D: Dialect>(
    conn: &mut Conn<D>,
    staff_id: Uuid,
) -> StoreResult<Option<ClearanceRow>> {
    let sql = Sql::new(CLEARANCE_SELECT).bind(staff_id.to_string());
    Ok(D::fetch_optional(conn, sql).await?)
}

/// A staff member's clearance view (empty, version 0, when nothing is recorded).
pub(crate) async fn view<D: Dialect>(store: &D, staff_id: Uuid) -> StoreResult<ClearanceView> {
    let mut conn = store.pool().acquire().await?;
    let row = stored::<D>(&mut conn, staff_id).await?;
    clearance_view(staff_id, row)
}

/// The core facts of the same.
pub(crate) async fn facts<D: Dialect>(store: &D, staff_id: Uuid) -> StoreResult<Clearance> {
    let mut conn = store.pool().acquire().await?;
    clearance_facts(stored::<D>(&mut conn, staff_id).await?)
}

/// Stores the clearance if the stored one is at `expected_version` (0: none yet).
pub(crate) async fn record<D: Dialect>(
    store: &D,
    staff_id: Uuid,
    expected_version: i64,
    clearance: Clearance,
    recorded_by: Uuid,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<ClearanceView> {
    let c = clearance;
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    // The first record inserts (a concurrent first record makes this one stale); later ones
    // update the version they read.
    let sql = if expected_version == 0 {
        "INSERT INTO staff_clearance (nda_at, background_check_at, training_at, \
         recorded_by, updated_at, staff_id) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (staff_id) DO NOTHING"
    } else {
        "UPDATE staff_clearance SET nda_at = $1, background_check_at = $2, \
         training_at = $3, recorded_by = $4, updated_at = $5, version = version + 1 \
         WHERE staff_id = $6 AND version = $7"
    };
    let mut q = Sql::new(sql)
        .bind(c.nda_at.map(ms))
        .bind(c.background_check_at.map(ms))
        .bind(c.training_at.map(ms))
        .bind(recorded_by.to_string())
        .bind(ms(now))
        .bind(staff_id.to_string());
    if expected_version != 0 {
        q = q.bind(expected_version);
    }
    let changed = D::execute(&mut *tx, q)
        .await
        .map_err(missing_or_duplicate("staff_id"))?;
    if changed == 0 {
        return Err(stale_or_missing::<D>(&mut tx, staff_id).await);
    }
    write_effects::<D>(&mut tx, fx).await?;
    let row = stored::<D>(&mut tx, staff_id).await?;
    tx.commit().await?;
    clearance_view(staff_id, row)
}

/// Active staff holding one of `roles`, by display name.
pub(crate) async fn active_in_roles<D: Dialect>(
    store: &D,
    roles: &[Role],
) -> StoreResult<Vec<StaffRef>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT id, display_name, role FROM staff WHERE status = ");
    q.push_bind(StaffStatus::Active.as_str())
        .push(" AND role IN (")
        .push_list(roles.iter().map(|r| r.as_str()))
        .push(") ORDER BY display_name, id");
    let mut conn = store.pool().acquire().await?;
    let rows = D::fetch_all(&mut conn, q).await?;
    staff_refs(rows)
}
