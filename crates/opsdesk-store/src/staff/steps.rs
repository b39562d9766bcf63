//! Steps several staff write transactions share: claiming a TOTP step, explaining why a
//! versioned update matched no row, cutting a staff member off, inserting invites and sessions.

use super::rows::StaffRow;
use crate::common::ms;
use crate::dialect::{Dialect, Tx};
use crate::query::Sql;
use crate::{NewInvite, NewSession, StaffRecord, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Records `step` as the last TOTP step used by `staff_id`, refusing a step at or before the
/// last one (`AlreadyUsed("totp_replayed")`), even under concurrency.
pub(crate) async fn claim_totp_step<D: Dialect>(
    tx: &mut Tx<D>,
    staff_id: Uuid,
    step: i64,
) -> StoreResult<()> {
    let claim = Sql::new(
        "UPDATE staff SET totp_last_step = $1 WHERE id = $2 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(staff_id.to_string());
    if D::execute(&mut **tx, claim).await? == 0 {
        return Err(match stale_or_missing::<D>(tx, staff_id).await {
            StoreError::VersionConflict => StoreError::AlreadyUsed("totp_replayed"),
            other => other,
        });
    }
    Ok(())
}

/// Why a versioned update of staff `id` matched no row.
pub(crate) async fn stale_or_missing<D: Dialect>(tx: &mut Tx<D>, id: Uuid) -> StoreError {
    conflict_or_missing::<D>(tx, "SELECT version FROM staff WHERE id = $1", id).await
}

/// Why a conditional update of row `id` matched no row: `VersionConflict` when `version_sql`
/// (selecting the version by `$1`) still finds it, else `NotFound`.
pub(crate) async fn conflict_or_missing<D: Dialect>(
    tx: &mut Tx<D>,
    version_sql: &'static str,
    id: Uuid,
) -> StoreError {
    let found: Result<Option<(i64,)>, sqlx::Error> =
        D::fetch_optional(&mut **tx, Sql::new(version_sql).bind(id.to_string())).await;
    match found {
        Ok(Some(_)) => StoreError::VersionConflict,
        Ok(None) => StoreError::NotFound,
        Err(e) => e.into(),
    }
}

/// The staff record a versioned `UPDATE ... RETURNING` produced, or why it matched no row.
pub(crate) async fn versioned<D: Dialect>(
    tx: &mut Tx<D>,
    id: Uuid,
    row: Option<StaffRow>,
) -> StoreResult<StaffRecord> {
    match row {
        Some(row) => row.try_into(),
        None => Err(stale_or_missing::<D>(tx, id).await),
    }
}

/// Ends every open session of `staff_id`, voids its open invites and drops its pending
/// sign-in challenges.
pub(crate) async fn cut_off<D: Dialect>(
    tx: &mut Tx<D>,
    staff_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let id = staff_id.to_string();
    let now = ms(now);
    let end_sessions = Sql::new(
        "UPDATE sessions SET ended_at = $1, ended_reason = $2 \
         WHERE staff_id = $3 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(reason)
    .bind(&id);
    D::execute(&mut **tx, end_sessions).await?;
    let void_invites =
        Sql::new("UPDATE invites SET used_at = $1 WHERE staff_id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(&id);
    D::execute(&mut **tx, void_invites).await?;
    let drop_challenges = Sql::new("DELETE FROM login_challenges WHERE staff_id = $1").bind(id);
    D::execute(&mut **tx, drop_challenges).await?;
    Ok(())
}

/// Stores a new invite.
pub(crate) async fn insert_invite<D: Dialect>(
    tx: &mut Tx<D>,
    invite: &NewInvite,
) -> StoreResult<()> {
    let insert = Sql::new(
        "INSERT INTO invites (id, token_hash, staff_id, kind, created_by, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(invite.id.to_string())
    .bind(&invite.token_hash)
    .bind(invite.staff_id.to_string())
    .bind(invite.kind.as_str())
    .bind(invite.created_by.map(|id| id.to_string()))
    .bind(ms(invite.created_at))
    .bind(ms(invite.expires_at));
    D::execute(&mut **tx, insert).await?;
    Ok(())
}

/// Opens a session.
pub(crate) async fn insert_session<D: Dialect>(
    tx: &mut Tx<D>,
    session: &NewSession,
) -> StoreResult<()> {
    let created_at = ms(session.created_at);
    let insert = Sql::new(
        "INSERT INTO sessions (id, token_hash, staff_id, created_at, last_seen_at, \
         client_addr, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(session.id.to_string())
    .bind(&session.token_hash)
    .bind(session.staff_id.to_string())
    .bind(created_at)
    .bind(created_at)
    .bind(&session.client_addr)
    .bind(&session.user_agent);
    D::execute(&mut **tx, insert).await?;
    Ok(())
}
