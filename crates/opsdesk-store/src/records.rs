//! Rows as the hub reads and writes them, independent of the database.

use chrono::{DateTime, Utc};
use opsdesk_core::audit::ChainBreak;
use opsdesk_core::staff::{Severity, StaffStatus};
use opsdesk_core::Role;
use uuid::Uuid;

/// A staff account.
#[derive(Clone, PartialEq)]
pub struct StaffRecord {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub status: StaffStatus,
    /// argon2id PHC string; `None` until enrollment.
    pub password_hash: Option<String>,
    /// Base32 TOTP secret; `None` until enrollment and after an MFA reset.
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub failed_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl std::fmt::Debug for StaffRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffRecord")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("status", &self.status)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// A staff member to create (status `invited`, version 1).
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// Why an invite exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteKind {
    /// A new staff member.
    Enroll,
    /// Credentials reset by an administrator.
    MfaReset,
}

impl InviteKind {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            InviteKind::Enroll => "enroll",
            InviteKind::MfaReset => "mfa_reset",
        }
    }
}

/// An invite to create.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub id: Uuid,
    /// SHA-256 hex of the token; the token itself is never stored.
    pub token_hash: String,
    pub staff_id: Uuid,
    pub kind: InviteKind,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An invite as stored.
#[derive(Clone, PartialEq)]
pub struct InviteRecord {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub kind: InviteKind,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Set once the invite was consumed, or voided by a later invite or deactivation.
    pub used_at: Option<DateTime<Utc>>,
    pub staged_password_hash: Option<String>,
    pub staged_totp_secret: Option<String>,
}

impl std::fmt::Debug for InviteRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InviteRecord")
            .field("id", &self.id)
            .field("staff_id", &self.staff_id)
            .field("kind", &self.kind)
            .field("expires_at", &self.expires_at)
            .field("used_at", &self.used_at)
            .finish_non_exhaustive()
    }
}

/// A session to open.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: Uuid,
    /// SHA-256 hex of the bearer token.
    pub token_hash: String,
    pub staff_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub client_addr: String,
    pub user_agent: String,
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_reason: Option<String>,
    pub client_addr: String,
    pub user_agent: String,
}

/// Completing an invite.
#[derive(Debug, Clone)]
pub struct CompleteEnrollment {
    pub invite_id: Uuid,
    pub staff_id: Uuid,
    pub totp_step: i64,
    /// SHA-256 hex of each recovery code.
    pub recovery_code_hashes: Vec<String>,
    pub session: NewSession,
    pub now: DateTime<Utc>,
}

/// A pending second sign-in step.
#[derive(Debug, Clone)]
pub struct NewLoginChallenge {
    /// SHA-256 hex of the challenge token.
    pub id_hash: String,
    pub staff_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A pending second sign-in step as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginChallengeRecord {
    pub id_hash: String,
    pub staff_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Completing the second sign-in step.
#[derive(Debug, Clone)]
pub struct CompleteSignIn {
    pub challenge_hash: String,
    pub staff_id: Uuid,
    /// The TOTP step accepted, or `None` when a recovery code was used.
    pub totp_step: Option<i64>,
    pub recovery_code_hash: Option<String>,
    pub session: NewSession,
    pub now: DateTime<Utc>,
}

/// An audit entry to append; the store assigns `seq` and the hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditDraft {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_addr: String,
    pub details: serde_json::Value,
}

/// An audit entry as stored. `details` is the exact JSON text that was hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_addr: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A security event to record.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityEventDraft {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub severity: Severity,
    pub staff_id: Option<Uuid>,
    pub actor: String,
    pub client_addr: String,
    pub summary: String,
    pub details: serde_json::Value,
}

/// A security event as stored (same shape as the draft).
pub type SecurityEventRecord = SecurityEventDraft;

/// The audit entries, security events and live events an action causes, written in its
/// transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effects {
    pub audit: Vec<AuditDraft>,
    pub security: Vec<SecurityEventDraft>,
    pub events: Vec<EventDraft>,
}

/// A live event to store with the change that caused it; the store numbers it in commit order.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDraft {
    pub at: DateTime<Utc>,
    pub kind: opsdesk_core::events::EventKind,
    pub subject_kind: opsdesk_core::events::SubjectKind,
    pub subject_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub audience: opsdesk_core::events::Audience,
    pub facts: opsdesk_core::events::EventFacts,
}

/// A stored live event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub seq: i64,
    pub draft: EventDraft,
}

impl Effects {
    /// Effects with one audit entry.
    pub fn audit(entry: AuditDraft) -> Self {
        Effects {
            audit: vec![entry],
            ..Default::default()
        }
    }

    /// Adds a live event.
    pub fn with_event(mut self, event: EventDraft) -> Self {
        self.events.push(event);
        self
    }

    /// Adds a security event.
    pub fn with_security(mut self, event: SecurityEventDraft) -> Self {
        self.security.push(event);
        self
    }
}

/// Filters for listing staff.
#[derive(Debug, Clone, Default)]
pub struct StaffFilter {
    pub role: Option<Role>,
    pub status: Option<StaffStatus>,
    pub after_username: Option<String>,
    pub limit: u32,
}

/// Filters for the audit trail (exact matches; time range is `[since, until)`), newest first
/// unless `oldest_first`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub before_seq: Option<i64>,
    /// Only entries after this one (export pages).
    pub after_seq: Option<i64>,
    /// Oldest first (export) instead of newest first (listing).
    pub oldest_first: bool,
    pub limit: u32,
}

/// Filters for listing security events (newest first; `before` is a (time, id) cursor).
#[derive(Debug, Clone, Default)]
pub struct SecurityEventFilter {
    pub min_severity: Option<Severity>,
    pub kind: Option<String>,
    pub before: Option<(DateTime<Utc>, Uuid)>,
    pub limit: u32,
}

/// The result of recomputing the audit chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainReport {
    pub checked: u64,
    pub first_break: Option<ChainBreak>,
}
