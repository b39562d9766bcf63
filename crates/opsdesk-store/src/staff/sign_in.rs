//! Sign-in: failures and locks, login challenges, completing a sign-in with a TOTP step or a
//! recovery code, TOTP steps used outside sign-in, and recovery code checks.

use super::rows::LoginChallengeRow;
use super::{claim_totp_step, insert_session};
use crate::audit::write_effects;
use crate::common::{convert_opt, ms};
use crate::dialect::{fetch_one, Dialect};
use crate::query::Sql;
use crate::{
    CompleteSignIn, Effects, LoginChallengeRecord, NewLoginChallenge, StoreError, StoreResult,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Records a failed sign-in: for a known member sets the failure count and lock; writes `fx`.
pub(crate) async fn record_failure<D: Dialect>(
    store: &D,
    staff_id: Option<Uuid>,
    failures: u32,
    locked_until: Option<DateTime<Utc>>,
    fx: Effects,
) -> StoreResult<()> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    if let Some(id) = staff_id {
        // Sign-in bookkeeping does not bump the version: a stranger's failed guesses must not
        // turn an administrator's pending edit into a conflict.
        let update =
            Sql::new("UPDATE staff SET failed_attempts = $1, locked_until = $2 WHERE id = $3")
                .bind(i64::from(failures))
                .bind(locked_until.map(ms))
                .bind(id.to_string());
        D::execute(&mut *tx, update).await?;
    }
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(())
}

/// Stores a login challenge.
pub(crate) async fn create_challenge<D: Dialect>(
    store: &D,
    challenge: NewLoginChallenge,
) -> StoreResult<()> {
    let _writing = store.write_guard().await;
    let mut conn = store.pool().acquire().await?;
    let insert = Sql::new(
        "INSERT INTO login_challenges (id_hash, staff_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(&challenge.id_hash)
    .bind(challenge.staff_id.to_string())
    .bind(ms(challenge.created_at))
    .bind(ms(challenge.expires_at));
    D::execute(&mut conn, insert).await?;
    Ok(())
}

/// The login challenge with this id hash.
pub(crate) async fn challenge<D: Dialect>(
    store: &D,
    id_hash: &str,
) -> StoreResult<Option<LoginChallengeRecord>> {
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new(
        "SELECT id_hash, staff_id, created_at, expires_at FROM login_challenges \
         WHERE id_hash = $1",
    )
    .bind(id_hash);
    let row: Option<LoginChallengeRow> = D::fetch_optional(&mut conn, sql).await?;
    convert_opt(row)
}

/// Consumes the challenge, claims the TOTP step or the recovery code, clears failures and lock,
/// and opens the session.
pub(crate) async fn complete<D: Dialect>(
    store: &D,
    sign_in: CompleteSignIn,
    fx: Effects,
) -> StoreResult<()> {
    let s = sign_in;
    let (staff_id, now) = (s.staff_id.to_string(), ms(s.now));
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let consume = Sql::new("DELETE FROM login_challenges WHERE id_hash = $1 AND staff_id = $2")
        .bind(&s.challenge_hash)
        .bind(&staff_id);
    if D::execute(&mut *tx, consume).await? == 0 {
        return Err(StoreError::AlreadyUsed("challenge_used"));
    }
    if let Some(step) = s.totp_step {
        claim_totp_step::<D>(&mut tx, s.staff_id, step).await?;
    }
    if let Some(code_hash) = &s.recovery_code_hash {
        let use_code = Sql::new(
            "UPDATE recovery_codes SET used_at = $1 WHERE staff_id = $2 \
             AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(&staff_id)
        .bind(code_hash);
        if D::execute(&mut *tx, use_code).await? == 0 {
            return Err(StoreError::AlreadyUsed("recovery_code_used"));
        }
    }
    let clear = Sql::new("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = $1")
        .bind(&staff_id);
    if D::execute(&mut *tx, clear).await? == 0 {
        return Err(StoreError::NotFound);
    }
    insert_session::<D>(&mut tx, &s.session).await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a TOTP step used outside sign-in, clearing failures and lock.
pub(crate) async fn record_totp_step<D: Dialect>(
    store: &D,
    staff_id: Uuid,
    step: i64,
    fx: Effects,
) -> StoreResult<()> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    claim_totp_step::<D>(&mut tx, staff_id, step).await?;
    let clear = Sql::new("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = $1")
        .bind(staff_id.to_string());
    D::execute(&mut *tx, clear).await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(())
}

/// How many recovery codes of `staff_id` are unused (only `code_hash` when given).
pub(crate) async fn unused_codes<D: Dialect>(
    store: &D,
    staff_id: Uuid,
    code_hash: Option<&str>,
) -> StoreResult<i64> {
    let mut conn = store.pool().acquire().await?;
    let sql = match code_hash {
        Some(code_hash) => Sql::new(
            "SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1 AND code_hash = $2 \
             AND used_at IS NULL",
        )
        .bind(staff_id.to_string())
        .bind(code_hash),
        None => {
            Sql::new("SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1 AND used_at IS NULL")
                .bind(staff_id.to_string())
        }
    };
    let (n,): (i64,) = fetch_one::<D, _>(&mut conn, sql).await?;
    Ok(n)
}
