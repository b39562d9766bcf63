//! The hub's storage: one [`Store`] trait with a SQLite and a PostgreSQL implementation. Every
//! mutation takes the audit entries and security events it causes ([`Effects`]) and writes them in
//! the same transaction, so an action and its audit record land together or not at all.
//!
//! Each area is a folder with its SQL and its row types, written as plain functions generic
//! over the `Dialect` trait of `dialect.rs` (what differs between the backends, implemented
//! once in `sqlite.rs` and `postgres.rs`): `staff/`, `audit/`, `events/`, `tenants/`,
//! `tickets/`, `access/` and `tenant_data/`. The public traits are implemented once for every
//! dialect (`store_impl.rs`, `tickets/store.rs`, `access/store.rs`, `events/mod.rs`).
#![forbid(unsafe_code)]

pub mod access;
mod audit;
mod common;
mod dialect;
pub mod events;
mod postgres;
mod query;
mod records;
mod sqlite;
mod staff;
mod store_impl;
mod tenant_data;
mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tickets;

pub use access::*;
pub use events::EventStore;
pub use postgres::PostgresStore;
pub use records::*;
pub use sqlite::SqliteStore;
pub use tickets::*;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use opsdesk_core::proof::{cap, Granted, OwnOrAny};
use opsdesk_core::Role;
use std::sync::Arc;
use uuid::Uuid;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The record changed since the caller read it.
    #[error("the record was changed by someone else")]
    VersionConflict,
    /// A unique value is already taken; `field` names it (`username`, `slug`, `name`,
    /// `idempotency_key`, `id`, `reviewer`, `email`, `token_hash`).
    #[error("`{field}` is already taken")]
    Duplicate { field: &'static str },
    /// A one-time thing was already used (`invite_used`, `challenge_used`, `totp_replayed`,
    /// `recovery_code_used`, `invite_not_staged`).
    #[error("already used: {0}")]
    AlreadyUsed(&'static str),
    /// The grant a tenant-data call was made under ended (or was never active) by the time its
    /// transaction ran.
    #[error("the grant ended")]
    GrantEnded,
    /// A value in the database cannot be read back (e.g. an unknown role name).
    #[error("unreadable row: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Result alias for store calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the store named by a database URL: `sqlite://path` (created if missing) or
/// `postgres://...`. Runs migrations. This is the one place a backend is chosen.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        Err(StoreError::Corrupt(format!(
            "database URL must start with sqlite:// or postgres:// (got `{}`)",
            url.split(':').next().unwrap_or_default()
        )))
    }
}

/// Everything the hub keeps. Times are UTC; the hub passes `now` in. A write that needs a staff
/// permission takes the proof the hub's check returned (`&Granted<cap::…>`; jobs and the seed
/// pass `Granted::system()`), so a write whose check was forgotten does not compile.
#[async_trait]
pub trait Store: TicketStore + AccessStore + EventStore + Send + Sync + 'static {
    /// Which database this is.
    fn backend(&self) -> Backend;
    /// Checks the database answers.
    async fn ping(&self) -> StoreResult<()>;

    // ---- staff -------------------------------------------------------------------------------
    /// Creates an invited staff member with their invite. `Duplicate{field:"username"}` if taken.
    async fn create_staff(
        &self,
        proof: &Granted<cap::StaffManage>,
        staff: NewStaff,
        invite: NewInvite,
        fx: Effects,
    ) -> StoreResult<StaffRecord>;
    async fn staff_by_id(&self, id: Uuid) -> StoreResult<Option<StaffRecord>>;
    async fn staff_by_username(&self, username: &str) -> StoreResult<Option<StaffRecord>>;
    /// Staff ordered by username, after `filter.after_username`, at most `filter.limit`.
    async fn list_staff(&self, filter: &StaffFilter) -> StoreResult<Vec<StaffRecord>>;
    /// How many active staff hold `role`.
    async fn count_active_with_role(&self, role: Role) -> StoreResult<i64>;
    /// Sets the role if `expected_version` matches; bumps version. NotFound / VersionConflict.
    async fn change_role(
        &self,
        proof: &Granted<cap::StaffManage>,
        id: Uuid,
        expected_version: i64,
        role: Role,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<StaffRecord>;
    /// Clears password, TOTP and recovery codes, sets status `invited`, ends every session
    /// (reason `mfa_reset`), voids other open invites and stores `invite`. Bumps version.
    async fn reset_mfa(
        &self,
        proof: &Granted<cap::StaffManage>,
        id: Uuid,
        expected_version: i64,
        invite: NewInvite,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<StaffRecord>;
    /// Sets status `deactivated`, ends every session (reason `deactivated`), voids open
    /// invites. Bumps version.
    async fn deactivate(
        &self,
        proof: &Granted<cap::StaffManage>,
        id: Uuid,
        expected_version: i64,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<StaffRecord>;

    // ---- invites and enrollment ---------------------------------------------------------------
    async fn invite_by_token(&self, token_hash: &str) -> StoreResult<Option<InviteRecord>>;
    /// Stores the chosen password hash and the offered TOTP secret on an unused invite
    /// (replacing an earlier offer). `AlreadyUsed("invite_used")` if used meanwhile.
    async fn stage_enrollment(
        &self,
        invite_id: Uuid,
        password_hash: &str,
        totp_secret: &str,
    ) -> StoreResult<()>;
    /// Consumes the invite, activates the staff member with the staged password and secret,
    /// records the TOTP step used, replaces recovery codes, and opens the session.
    async fn complete_enrollment(
        &self,
        enrollment: CompleteEnrollment,
        fx: Effects,
    ) -> StoreResult<StaffRecord>;

    // ---- sign-in -----------------------------------------------------------------------------
    /// Records a failed sign-in: for a known staff member sets the failure count and lock.
    /// Always writes `fx`.
    async fn record_sign_in_failure(
        &self,
        staff_id: Option<Uuid>,
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
        fx: Effects,
    ) -> StoreResult<()>;
    async fn create_login_challenge(&self, challenge: NewLoginChallenge) -> StoreResult<()>;
    async fn login_challenge(&self, id_hash: &str) -> StoreResult<Option<LoginChallengeRecord>>;
    /// Deletes the challenge, clears failures and lock, records the TOTP step (refusing a step
    /// at or before the last one with `AlreadyUsed("totp_replayed")`) or marks the recovery code
    /// used (`AlreadyUsed("recovery_code_used")`), and opens the session.
    async fn complete_sign_in(&self, sign_in: CompleteSignIn, fx: Effects) -> StoreResult<()>;
    /// Records a TOTP step used outside sign-in (unlocking an idle app): refuses a step at or
    /// before the last one with `AlreadyUsed("totp_replayed")`, clears failures and lock, and
    /// writes `fx`.
    async fn record_totp_step(&self, staff_id: Uuid, step: i64, fx: Effects) -> StoreResult<()>;
    /// Whether `code_hash` is an unused recovery code of `staff_id`.
    async fn recovery_code_unused(&self, staff_id: Uuid, code_hash: &str) -> StoreResult<bool>;
    /// How many unused recovery codes `staff_id` has left.
    async fn recovery_codes_left(&self, staff_id: Uuid) -> StoreResult<i64>;

    // ---- sessions ----------------------------------------------------------------------------
    /// A session that has not been ended, with its staff member.
    async fn session_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(SessionRecord, StaffRecord)>>;
    async fn session_by_id(&self, id: Uuid) -> StoreResult<Option<SessionRecord>>;
    /// Updates `last_seen_at`.
    async fn touch_session(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()>;
    /// Sessions of `staff_id` not yet ended, newest first.
    async fn list_sessions(&self, staff_id: Uuid) -> StoreResult<Vec<SessionRecord>>;
    /// Ends one session of `right.owner()`; false if it was already ended or does not exist
    /// (then `fx` is not written).
    async fn end_session(
        &self,
        right: &OwnOrAny<cap::SessionsRevokeAny>,
        id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<bool>;
    /// Ends every open session of `right.owner()` except `except`; returns how many.
    async fn end_sessions_of(
        &self,
        right: &OwnOrAny<cap::SessionsRevokeAny>,
        except: Option<Uuid>,
        reason: &str,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<u64>;

    // ---- audit and security events -----------------------------------------------------------
    /// Appends audit entries and security events on their own.
    async fn record(&self, fx: Effects) -> StoreResult<()>;
    /// Audit entries matching `filter`: newest first with `seq < before_seq`, or oldest first
    /// with `seq > after_seq` when `oldest_first`.
    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditRecord>>;
    /// Recomputes the whole chain in order, streaming; stops at the first break.
    async fn verify_audit(&self) -> StoreResult<ChainReport>;
    /// Security events newest first.
    async fn list_security_events(
        &self,
        filter: &SecurityEventFilter,
    ) -> StoreResult<Vec<SecurityEventRecord>>;
}

#[cfg(test)]
mod send_check {
    /// Opening a store must be `Send`: the desktop app opens one on a multi-threaded runtime.
    #[allow(dead_code)]
    fn open_is_send() {
        fn send<T: Send>(_: T) {}
        send(super::open("sqlite::memory:"));
    }
}
