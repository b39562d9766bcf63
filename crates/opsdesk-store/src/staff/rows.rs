//! Staff, session, invite and sign-in challenge rows as the database returns them, their column
//! lists, and their conversion into records.

use crate::common::{corrupt, time, uuid};
use crate::records::*;
use crate::{StoreError, StoreResult};
use opsdesk_core::staff::StaffStatus;
use opsdesk_core::Role;
use std::str::FromStr;

/// The staff columns, in [`StaffRow`] order.
pub(crate) const STAFF_COLUMNS: &str =
    "id, username, display_name, email, role, status, password_hash, totp_secret, \
     totp_last_step, failed_attempts, locked_until, created_at, updated_at, version";

/// The session columns, in [`SessionRow`] order.
pub(crate) const SESSION_COLUMNS: &str =
    "id, staff_id, created_at, last_seen_at, ended_at, ended_reason, client_addr, user_agent";

/// The invite columns, in [`InviteRow`] order.
pub(crate) const INVITE_COLUMNS: &str =
    "id, staff_id, kind, created_by, created_at, expires_at, used_at, staged_password_hash, \
     staged_totp_secret";

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    id: String,
    username: String,
    display_name: String,
    email: String,
    role: String,
    status: String,
    password_hash: Option<String>,
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
    failed_attempts: i64,
    locked_until: Option<i64>,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

impl TryFrom<StaffRow> for StaffRecord {
    type Error = StoreError;
    fn try_from(r: StaffRow) -> StoreResult<Self> {
        Ok(StaffRecord {
            id: uuid(&r.id)?,
            role: Role::from_str(&r.role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            status: StaffStatus::parse(&r.status)
                .ok_or_else(|| corrupt("staff status", &r.status))?,
            failed_attempts: u32::try_from(r.failed_attempts)
                .map_err(|_| corrupt("failed_attempts", r.failed_attempts))?,
            locked_until: r.locked_until.map(time).transpose()?,
            created_at: time(r.created_at)?,
            updated_at: time(r.updated_at)?,
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            password_hash: r.password_hash,
            totp_secret: r.totp_secret,
            totp_last_step: r.totp_last_step,
            version: r.version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: String,
    staff_id: String,
    created_at: i64,
    last_seen_at: i64,
    ended_at: Option<i64>,
    ended_reason: Option<String>,
    client_addr: String,
    user_agent: String,
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> StoreResult<Self> {
        Ok(SessionRecord {
            id: uuid(&r.id)?,
            staff_id: uuid(&r.staff_id)?,
            created_at: time(r.created_at)?,
            last_seen_at: time(r.last_seen_at)?,
            ended_at: r.ended_at.map(time).transpose()?,
            ended_reason: r.ended_reason,
            client_addr: r.client_addr,
            user_agent: r.user_agent,
        })
    }
}

/// A session joined with its staff member; session columns carry a `session_` prefix.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionStaffRow {
    #[sqlx(flatten)]
    staff: StaffRow,
    session_id: String,
    session_created_at: i64,
    session_last_seen_at: i64,
    session_ended_at: Option<i64>,
    session_ended_reason: Option<String>,
    session_client_addr: String,
    session_user_agent: String,
}

/// The session-with-staff query, keyed by token hash; only sessions not yet ended.
pub(crate) const SESSION_BY_TOKEN: &str = concat!(
    "SELECT s.id, s.username, s.display_name, s.email, s.role, s.status, s.password_hash, \
     s.totp_secret, s.totp_last_step, s.failed_attempts, s.locked_until, s.created_at, \
     s.updated_at, s.version",
    ", se.id AS session_id, se.created_at AS session_created_at, \
     se.last_seen_at AS session_last_seen_at, se.ended_at AS session_ended_at, \
     se.ended_reason AS session_ended_reason, se.client_addr AS session_client_addr, \
     se.user_agent AS session_user_agent \
     FROM sessions se JOIN staff s ON s.id = se.staff_id \
     WHERE se.token_hash = $1 AND se.ended_at IS NULL"
);

impl TryFrom<SessionStaffRow> for (SessionRecord, StaffRecord) {
    type Error = StoreError;
    fn try_from(r: SessionStaffRow) -> StoreResult<Self> {
        let session = SessionRow {
            id: r.session_id,
            staff_id: r.staff.id.clone(),
            created_at: r.session_created_at,
            last_seen_at: r.session_last_seen_at,
            ended_at: r.session_ended_at,
            ended_reason: r.session_ended_reason,
            client_addr: r.session_client_addr,
            user_agent: r.session_user_agent,
        };
        Ok((session.try_into()?, r.staff.try_into()?))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InviteRow {
    id: String,
    staff_id: String,
    kind: String,
    created_by: Option<String>,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
    staged_password_hash: Option<String>,
    staged_totp_secret: Option<String>,
}

impl TryFrom<InviteRow> for InviteRecord {
    type Error = StoreError;
    fn try_from(r: InviteRow) -> StoreResult<Self> {
        let kind = [InviteKind::Enroll, InviteKind::MfaReset]
            .into_iter()
            .find(|k| k.as_str() == r.kind)
            .ok_or_else(|| corrupt("invite kind", &r.kind))?;
        Ok(InviteRecord {
            id: uuid(&r.id)?,
            staff_id: uuid(&r.staff_id)?,
            kind,
            created_by: r.created_by.as_deref().map(uuid).transpose()?,
            created_at: time(r.created_at)?,
            expires_at: time(r.expires_at)?,
            used_at: r.used_at.map(time).transpose()?,
            staged_password_hash: r.staged_password_hash,
            staged_totp_secret: r.staged_totp_secret,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LoginChallengeRow {
    id_hash: String,
    staff_id: String,
    created_at: i64,
    expires_at: i64,
}

impl TryFrom<LoginChallengeRow> for LoginChallengeRecord {
    type Error = StoreError;
    fn try_from(r: LoginChallengeRow) -> StoreResult<Self> {
        Ok(LoginChallengeRecord {
            staff_id: uuid(&r.staff_id)?,
            created_at: time(r.created_at)?,
            expires_at: time(r.expires_at)?,
            id_hash: r.id_hash,
        })
    }
}
