//! Audit trail and security event types.

use chrono::{DateTime, Utc};
use opsdesk_core::audit::ChainBreak;
pub use opsdesk_core::staff::Severity;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One audit entry. `prev_hash` and `hash` chain it to its predecessor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// `staff:<id>`, or `system`, or `anonymous` for failed sign-ins by unknown names.
    pub actor: String,
    pub action: String,
    /// `staff:<id>`, `session:<id>`, `audit`, ...
    pub target: String,
    pub client_addr: String,
    pub details: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// Filters for the audit trail.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Exact actor, e.g. `staff:0190...`.
    pub actor: Option<String>,
    /// Exact action, e.g. `auth.sign_in_failed`.
    pub action: Option<String>,
    /// Exact target, e.g. `staff:0190...`.
    pub target: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// The file format of an audit export.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// JSON Lines: one `AuditEntry` object a line.
    Jsonl,
    /// CSV with a header row; `details` holds the entry's JSON text.
    Csv,
}

/// What to export from the audit trail: everything matching, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditExportQuery {
    pub format: ExportFormat,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The result of recomputing the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct AuditVerification {
    pub intact: bool,
    /// Entries verified before the first break (all of them when intact).
    pub checked: u64,
    /// The first entry found altered or the first gap left by removed entries.
    pub first_break: Option<ChainBreak>,
    pub verified_at: DateTime<Utc>,
}

/// A security event for security officers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct SecurityEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// `sign_in_failed`, `account_locked`, `mfa_reset`, `role_changed`, `sessions_ended_by_other`, ...
    pub kind: String,
    pub severity: Severity,
    /// The staff member it concerns, when known.
    pub staff_id: Option<Uuid>,
    /// Who caused it (`staff:<id>`, `anonymous`).
    pub actor: String,
    pub client_addr: String,
    pub summary: String,
    pub details: serde_json::Value,
}

/// Filters for security events.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SecurityEventQuery {
    /// Only events at this severity or higher.
    pub min_severity: Option<Severity>,
    pub kind: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}
