//! What both backends share: rows as the database returns them, their conversion into records,
//! error mapping, and (in the submodules) the one implementation of [`crate::Store`] whose SQL
//! runs unchanged on SQLite and PostgreSQL.

mod access_impl;
pub(crate) mod access_rows;
mod listing;
mod store_impl;
mod tenant_data;
pub(crate) mod ticket_rows;
mod tickets_impl;

use crate::records::*;
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_core::staff::{Severity, StaffStatus};
use opsdesk_core::Role;
use std::str::FromStr;
use uuid::Uuid;

/// The staff columns, in [`StaffRow`] order.
macro_rules! staff_columns {
    () => {
        "id, username, display_name, email, role, status, password_hash, totp_secret, \
         totp_last_step, failed_attempts, locked_until, created_at, updated_at, version"
    };
}

/// The staff columns qualified by the alias `s`, for joins.
macro_rules! staff_columns_s {
    () => {
        "s.id, s.username, s.display_name, s.email, s.role, s.status, s.password_hash, \
         s.totp_secret, s.totp_last_step, s.failed_attempts, s.locked_until, s.created_at, \
         s.updated_at, s.version"
    };
}

/// The session columns, in [`SessionRow`] order.
macro_rules! session_columns {
    () => {
        "id, staff_id, created_at, last_seen_at, ended_at, ended_reason, client_addr, user_agent"
    };
}

/// The invite columns, in [`InviteRow`] order.
macro_rules! invite_columns {
    () => {
        "id, staff_id, kind, created_by, created_at, expires_at, used_at, staged_password_hash, \
         staged_totp_secret"
    };
}

/// The audit columns, in [`AuditRow`] order (also the order `verify_audit` reads by index).
macro_rules! audit_columns {
    () => {
        "seq, at, actor, action, target, client_addr, details, prev_hash, hash"
    };
}

/// The security event columns, in [`SecurityEventRow`] order.
macro_rules! security_event_columns {
    () => {
        "id, at, kind, severity, staff_id, actor, client_addr, summary, details"
    };
}

pub(crate) use access_impl::access_impl;
pub(crate) use listing::listing;
pub(crate) use staff_columns;
pub(crate) use store_impl::shared_store_impl;
pub(crate) use tenant_data::tenant_data;
pub(crate) use tickets_impl::tickets_impl;
pub(crate) use {audit_columns, invite_columns, security_event_columns, session_columns};

/// Key of the PostgreSQL advisory lock that serializes audit appends ("opsdesk" in ASCII).
pub(crate) const AUDIT_APPEND_LOCK: i64 = 0x006f_7073_6465_736b;

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
    "SELECT ",
    staff_columns_s!(),
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

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    target: String,
    client_addr: String,
    details: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<AuditRow> for AuditRecord {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> StoreResult<Self> {
        Ok(AuditRecord {
            seq: r.seq,
            at: time(r.at)?,
            actor: r.actor,
            action: r.action,
            target: r.target,
            client_addr: r.client_addr,
            details: r.details,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SecurityEventRow {
    id: String,
    at: i64,
    kind: String,
    severity: String,
    staff_id: Option<String>,
    actor: String,
    client_addr: String,
    summary: String,
    details: String,
}

impl TryFrom<SecurityEventRow> for SecurityEventRecord {
    type Error = StoreError;
    fn try_from(r: SecurityEventRow) -> StoreResult<Self> {
        Ok(SecurityEventRecord {
            id: uuid(&r.id)?,
            at: time(r.at)?,
            severity: Severity::parse(&r.severity)
                .ok_or_else(|| corrupt("severity", &r.severity))?,
            staff_id: r.staff_id.as_deref().map(uuid).transpose()?,
            details: serde_json::from_str(&r.details)
                .map_err(|e| StoreError::Corrupt(format!("security event details: {e}")))?,
            kind: r.kind,
            actor: r.actor,
            client_addr: r.client_addr,
            summary: r.summary,
        })
    }
}

/// Converts each row, failing on the first unreadable one.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// Converts an optional row.
pub(crate) fn convert_opt<R, T>(row: Option<R>) -> StoreResult<Option<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    row.map(T::try_from).transpose()
}

/// The rank stored beside the severity name so `min_severity` filters in SQL.
pub(crate) fn severity_rank(severity: Severity) -> i64 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// Unix milliseconds, the stored form of every time.
pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The JSON text stored (and, for audit entries, hashed) for `details`.
pub(crate) fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("details: {e}")))
}

/// Maps a unique violation on `staff.username` to `Duplicate`; other errors pass through.
pub(crate) fn duplicate_or(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            let names = [db.constraint().unwrap_or_default(), db.message()];
            if names.iter().any(|n| n.contains("username")) {
                return StoreError::Duplicate { field: "username" };
            }
        }
    }
    StoreError::Database(err)
}

pub(crate) fn uuid(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| corrupt("UUID", s))
}

pub(crate) fn time(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt("time", ms))
}

fn corrupt(what: &str, value: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("`{value}` is not a valid {what}"))
}
