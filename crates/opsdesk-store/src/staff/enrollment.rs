//! Invites and enrollment: finding an invite, staging the chosen password and TOTP secret, and
//! completing enrollment (activating the member and opening their first session).

use super::insert_session;
use super::rows::{InviteRow, StaffRow, INVITE_COLUMNS, STAFF_COLUMNS};
use crate::audit::write_effects;
use crate::common::{convert_opt, ms};
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::{CompleteEnrollment, Effects, InviteRecord, StaffRecord, StoreError, StoreResult};
use uuid::Uuid;

/// The invite with this token hash.
pub(crate) async fn invite_by_token<D: Dialect>(
    store: &D,
    token_hash: &str,
) -> StoreResult<Option<InviteRecord>> {
    let mut conn = store.pool().acquire().await?;
    let sql = Sql::new(format!(
        "SELECT {INVITE_COLUMNS} FROM invites WHERE token_hash = $1"
    ))
    .bind(token_hash);
    let row: Option<InviteRow> = D::fetch_optional(&mut conn, sql).await?;
    convert_opt(row)
}

/// Stores the chosen password hash and the offered TOTP secret on an unused invite.
pub(crate) async fn stage<D: Dialect>(
    store: &D,
    invite_id: Uuid,
    password_hash: &str,
    totp_secret: &str,
) -> StoreResult<()> {
    let _writing = store.write_guard().await;
    let mut conn = store.pool().acquire().await?;
    let update = Sql::new(
        "UPDATE invites SET staged_password_hash = $1, staged_totp_secret = $2 \
         WHERE id = $3 AND used_at IS NULL",
    )
    .bind(password_hash)
    .bind(totp_secret)
    .bind(invite_id.to_string());
    if D::execute(&mut conn, update).await? > 0 {
        return Ok(());
    }
    let exists: Option<(String,)> = D::fetch_optional(
        &mut conn,
        Sql::new("SELECT id FROM invites WHERE id = $1").bind(invite_id.to_string()),
    )
    .await?;
    Err(match exists {
        Some(_) => StoreError::AlreadyUsed("invite_used"),
        None => StoreError::NotFound,
    })
}

/// Consumes the invite, activates the member with the staged password and secret, records the
/// TOTP step used, replaces recovery codes, and opens the session.
pub(crate) async fn complete<D: Dialect>(
    store: &D,
    enrollment: CompleteEnrollment,
    fx: Effects,
) -> StoreResult<StaffRecord> {
    let e = enrollment;
    let (invite_id, staff_id) = (e.invite_id.to_string(), e.staff_id.to_string());
    let now = ms(e.now);
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let consume = Sql::new(
        "UPDATE invites SET used_at = $1 WHERE id = $2 AND staff_id = $3 \
         AND used_at IS NULL AND staged_password_hash IS NOT NULL \
         AND staged_totp_secret IS NOT NULL \
         RETURNING staged_password_hash, staged_totp_secret",
    )
    .bind(now)
    .bind(&invite_id)
    .bind(&staff_id);
    let staged: Option<(String, String)> = D::fetch_optional(&mut *tx, consume).await?;
    let Some((password_hash, totp_secret)) = staged else {
        let used = Sql::new("SELECT used_at FROM invites WHERE id = $1 AND staff_id = $2")
            .bind(&invite_id)
            .bind(&staff_id);
        let used: Option<(Option<i64>,)> = D::fetch_optional(&mut *tx, used).await?;
        return Err(match used {
            None => StoreError::NotFound,
            Some((Some(_),)) => StoreError::AlreadyUsed("invite_used"),
            Some((None,)) => StoreError::AlreadyUsed("invite_not_staged"),
        });
    };
    let activate = Sql::new(format!(
        "UPDATE staff SET status = 'active', password_hash = $1, totp_secret = $2, \
         totp_last_step = $3, failed_attempts = 0, locked_until = NULL, \
         version = version + 1, updated_at = $4 WHERE id = $5 RETURNING {STAFF_COLUMNS}"
    ))
    .bind(password_hash)
    .bind(totp_secret)
    .bind(e.totp_step)
    .bind(now)
    .bind(&staff_id);
    let row: Option<StaffRow> = D::fetch_optional(&mut *tx, activate).await?;
    let record = row.ok_or(StoreError::NotFound)?.try_into()?;
    let clear = Sql::new("DELETE FROM recovery_codes WHERE staff_id = $1").bind(&staff_id);
    D::execute(&mut *tx, clear).await?;
    for code_hash in &e.recovery_code_hashes {
        let insert = Sql::new(
            "INSERT INTO recovery_codes (staff_id, code_hash) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&staff_id)
        .bind(code_hash);
        D::execute(&mut *tx, insert).await?;
    }
    insert_session::<D>(&mut tx, &e.session).await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(record)
}
