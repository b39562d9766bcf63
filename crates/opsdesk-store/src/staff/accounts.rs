//! Staff accounts: creating them, looking them up and listing them, and the versioned changes an
//! administrator makes (role, MFA reset, deactivation).

use super::rows::{StaffRow, STAFF_COLUMNS};
use super::{cut_off, insert_invite, versioned};
use crate::audit::write_effects;
use crate::common::{convert_all, convert_opt, duplicate_or, ms};
use crate::dialect::{fetch_one, Dialect, Tx};
use crate::query::{Arg, Sql};
use crate::{Effects, NewInvite, NewStaff, StaffFilter, StaffRecord, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_core::staff::StaffStatus;
use opsdesk_core::Role;
use uuid::Uuid;

/// Creates an invited staff member with their invite.
pub(crate) async fn create<D: Dialect>(
    store: &D,
    staff: NewStaff,
    invite: NewInvite,
    fx: Effects,
) -> StoreResult<StaffRecord> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let insert = Sql::new(format!(
        "INSERT INTO staff (id, username, display_name, email, role, status, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, 'invited', $6, $6) RETURNING {STAFF_COLUMNS}"
    ))
    .bind(staff.id.to_string())
    .bind(&staff.username)
    .bind(&staff.display_name)
    .bind(&staff.email)
    .bind(staff.role.as_str())
    .bind(ms(staff.created_at));
    let row: StaffRow = fetch_one::<D, _>(&mut *tx, insert)
        .await
        .map_err(duplicate_or)?;
    let record = row.try_into()?;
    insert_invite::<D>(&mut tx, &invite).await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(record)
}

/// One staff member by `column` (`id` or `username`).
pub(crate) async fn by<D: Dialect>(
    store: &D,
    column: &'static str,
    value: String,
) -> StoreResult<Option<StaffRecord>> {
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new(format!(
        "SELECT {STAFF_COLUMNS} FROM staff WHERE {column} = $1"
    ))
    .bind(value);
    let row: Option<StaffRow> = D::fetch_optional(&mut conn, sql).await?;
    convert_opt(row)
}

/// Staff ordered by username after the cursor, filtered in SQL.
pub(crate) async fn list<D: Dialect>(
    store: &D,
    filter: &StaffFilter,
) -> StoreResult<Vec<StaffRecord>> {
    let mut q = Sql::new(format!("SELECT {STAFF_COLUMNS} FROM staff WHERE 1 = 1"));
    if let Some(role) = filter.role {
        q.push(" AND role = ").push_bind(role.as_str());
    }
    if let Some(status) = filter.status {
        q.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(after) = &filter.after_username {
        q.push(" AND username > ").push_bind(after.as_str());
    }
    q.push(" ORDER BY username LIMIT ")
        .push_bind(i64::from(filter.limit));
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<StaffRow> = D::fetch_all(&mut conn, q).await?;
    convert_all(rows)
}

/// How many active staff hold `role`.
pub(crate) async fn count_active_with_role<D: Dialect>(store: &D, role: Role) -> StoreResult<i64> {
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new("SELECT COUNT(*) FROM staff WHERE role = $1 AND status = 'active'")
        .bind(role.as_str());
    let (n,): (i64,) = fetch_one::<D, _>(&mut conn, sql).await?;
    Ok(n)
}

/// Sets each of `columns` to its value on staff `id` if it is still at `expected_version`,
/// bumping the version; the record as stored, or why no row matched.
async fn update_versioned<D: Dialect>(
    tx: &mut Tx<D>,
    id: Uuid,
    expected_version: i64,
    now: DateTime<Utc>,
    columns: Vec<(&'static str, Arg)>,
) -> StoreResult<StaffRecord> {
    let mut update = Sql::new("UPDATE staff SET ");
    for (column, value) in columns {
        update.push(column).push(" = ").push_bind(value).push(", ");
    }
    update
        .push("version = version + 1, updated_at = ")
        .push_bind(ms(now))
        .push(" WHERE id = ")
        .push_bind(id.to_string())
        .push(" AND version = ")
        .push_bind(expected_version)
        .push(&format!(" RETURNING {STAFF_COLUMNS}"));
    let row = D::fetch_optional(&mut **tx, update).await?;
    versioned::<D>(tx, id, row).await
}

/// Sets the role if `expected_version` matches; bumps the version.
pub(crate) async fn change_role<D: Dialect>(
    store: &D,
    id: Uuid,
    expected_version: i64,
    role: Role,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<StaffRecord> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let role = vec![("role", role.as_str().into())];
    let record = update_versioned::<D>(&mut tx, id, expected_version, now, role).await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(record)
}

/// Clears password, TOTP and recovery codes, sets status `invited`, cuts the member off and
/// stores the new invite.
pub(crate) async fn reset_mfa<D: Dialect>(
    store: &D,
    id: Uuid,
    expected_version: i64,
    invite: NewInvite,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<StaffRecord> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let set = vec![
        ("status", StaffStatus::Invited.as_str().into()),
        ("password_hash", Arg::Text(None)),
        ("totp_secret", Arg::Text(None)),
        ("totp_last_step", Arg::Int(None)),
    ];
    let record = update_versioned::<D>(&mut tx, id, expected_version, now, set).await?;
    let codes = Sql::new("DELETE FROM recovery_codes WHERE staff_id = $1").bind(id.to_string());
    D::execute(&mut *tx, codes).await?;
    cut_off::<D>(&mut tx, id, "mfa_reset", now).await?;
    insert_invite::<D>(&mut tx, &invite).await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(record)
}

/// Sets status `deactivated` and cuts the member off.
pub(crate) async fn deactivate<D: Dialect>(
    store: &D,
    id: Uuid,
    expected_version: i64,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<StaffRecord> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let set = vec![("status", StaffStatus::Deactivated.as_str().into())];
    let record = update_versioned::<D>(&mut tx, id, expected_version, now, set).await?;
    cut_off::<D>(&mut tx, id, "deactivated", now).await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(record)
}
