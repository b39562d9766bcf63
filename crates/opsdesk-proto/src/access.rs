//! Cross-tenant access: requests and their reviews, grants, onboarding clearance, and the tenant
//! data a grant opens (tenant users, their sign-ins, the tenant's settings).

use chrono::{DateTime, Utc};
pub use opsdesk_core::access::{
    GrantEndReason, GrantState, RequestStatus, TenantUserRole, TenantUserStatus,
};
pub use opsdesk_core::rules::AccessScope;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A staff member as access screens name them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct StaffRef {
    pub id: Uuid,
    pub display_name: String,
    pub role: opsdesk_core::Role,
}

/// A tenant as access screens name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TenantRef {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
}

/// Asks for access to one tenant's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct CreateAccessRequest {
    pub tenant_id: Uuid,
    pub scope: AccessScope,
    /// Why the access is needed (10 to 2,000 characters).
    pub reason: String,
    /// How long the grant should last once it starts, within the scope's maximum.
    pub duration_minutes: i64,
    /// When the grant should start; absent means at approval.
    #[serde(default)]
    pub start_at: Option<DateTime<Utc>>,
    /// The ticket this access is for, by id.
    #[serde(default)]
    pub ticket_id: Option<Uuid>,
}

/// One reviewer's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct ReviewView {
    pub reviewer: StaffRef,
    pub approved: bool,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// A grant: the access an approved request gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct GrantView {
    pub id: Uuid,
    pub request_id: Uuid,
    pub tenant: TenantRef,
    pub holder: StaffRef,
    pub scope: AccessScope,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// When it ended early or was recorded as expired.
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<GrantEndReason>,
    pub ended_by: Option<StaffRef>,
    /// Why a revoker revoked it.
    pub end_comment: Option<String>,
    /// The state at the time the hub answered.
    pub state: GrantState,
}

/// An access request with its reviews and, once approved, its grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct AccessRequestView {
    pub id: Uuid,
    pub tenant: TenantRef,
    pub requester: StaffRef,
    pub scope: AccessScope,
    pub reason: String,
    pub duration_minutes: i64,
    pub start_at: Option<DateTime<Utc>>,
    pub ticket_id: Option<Uuid>,
    /// The linked ticket's number, for display.
    pub ticket_number: Option<i64>,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    /// When a pending request stops waiting.
    pub expires_at: DateTime<Utc>,
    /// When it was approved, denied, cancelled or expired.
    pub decided_at: Option<DateTime<Utc>>,
    pub approvals_needed: u32,
    pub reviews: Vec<ReviewView>,
    pub grant: Option<GrantView>,
    pub version: i64,
    /// What the person the hub answered may do with it now (`review`, `cancel`), decided by the
    /// hub's rules; empty in exports and in what others are sent.
    #[serde(default)]
    pub actions: Vec<opsdesk_core::access::RequestAction>,
}

/// Approve or deny a request. A comment is required to deny.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct ReviewAccessRequest {
    pub approve: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// The request's version the reviewer saw.
    pub version: i64,
}

/// Cancels one's own pending request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct CancelAccessRequest {
    pub version: i64,
}

/// Ends someone's grant (security officers and admins); the reason is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct RevokeGrantRequest {
    pub reason: String,
}

/// Which requests to list.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum AccessBox {
    /// Requests I made.
    #[default]
    Mine,
    /// Pending requests I may review (not my own, requester's tier at most mine).
    ToReview,
    /// Every request (reviewers and security): the auditor's list, decisions included.
    All,
}

/// Listing filters for access requests; newest first.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessRequestQuery {
    #[serde(default, rename = "box")]
    #[param(rename = "box")]
    pub r#box: Option<AccessBox>,
    /// Only this status.
    pub status: Option<RequestStatus>,
    pub tenant_id: Option<Uuid>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub to: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// Export of reviewed requests for an auditor.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessExportQuery {
    /// `jsonl` (default) or `csv`.
    pub format: Option<crate::ExportFormat>,
    pub tenant_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Grant listing filters.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GrantQuery {
    /// Everyone's grants (security officers and admins); mine otherwise.
    #[serde(default)]
    pub all: bool,
    /// Only grants not ended (active or scheduled).
    #[serde(default)]
    pub current: bool,
    pub tenant_id: Option<Uuid>,
}

/// What a scope allows, for the request form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct ScopePolicy {
    pub scope: AccessScope,
    pub max_minutes: i64,
    pub approvals_needed: u32,
    /// Whether the caller's role may request it.
    pub may_request: bool,
}

/// The rules as they apply to the caller, shown before they submit a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct AccessPolicyView {
    pub scopes: Vec<ScopePolicy>,
    pub pending_hours: i64,
    pub clearance: ClearanceView,
    /// Who could review a request from the caller (active managers and above at or above the
    /// caller's tier, not the caller).
    pub reviewers: Vec<StaffRef>,
}

/// A staff member's onboarding clearance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct ClearanceView {
    pub staff_id: Uuid,
    pub nda_at: Option<DateTime<Utc>>,
    pub background_check_at: Option<DateTime<Utc>>,
    pub training_at: Option<DateTime<Utc>>,
    pub complete: bool,
    /// What is still missing: `nda`, `background_check`, `training`.
    pub missing: Vec<String>,
    pub recorded_by: Option<StaffRef>,
    pub version: i64,
}

/// Records onboarding clearance (admins). `true` records the item done now (keeping an earlier
/// date); `false` clears it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct RecordClearanceRequest {
    pub nda: bool,
    pub background_check: bool,
    pub training: bool,
    pub version: i64,
}

// ---- tenant data ----------------------------------------------------------------------------

/// A user of a tenant (the platform's customer's account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TenantUserView {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: TenantUserRole,
    pub status: TenantUserStatus,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub mfa_enabled: bool,
    pub version: i64,
}

/// One tenant user in an import (JSON array, or CSV `name,email,role,status,mfa_enabled[,last_sign_in_at]`).
/// Users are matched by email: new ones are added, known ones updated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct TenantUserImport {
    pub name: String,
    pub email: String,
    pub role: TenantUserRole,
    #[serde(default)]
    pub status: Option<TenantUserStatus>,
    #[serde(default)]
    pub mfa_enabled: bool,
    #[serde(default)]
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// What an import of tenant users did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TenantUserImportResult {
    pub created: u32,
    pub updated: u32,
}

/// Tenant user listing; `q` matches the start of a name or email.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TenantUserQuery {
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// One sign-in attempt of a tenant user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TenantSignInView {
    pub at: DateTime<Utc>,
    pub success: bool,
    pub address: String,
    pub user_agent: String,
}

/// A sign-in reported by the platform (integration token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct IntakeSignIn {
    pub tenant_slug: String,
    pub email: String,
    pub success: bool,
    pub address: String,
    #[serde(default)]
    pub user_agent: String,
    /// When it happened; now when absent.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// A one-time password reset link for a tenant user; shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct PasswordResetIssued {
    pub user: TenantUserView,
    pub link: String,
    pub expires_at: DateTime<Utc>,
}

/// Unlocks a locked tenant user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct TenantUserVersion {
    pub version: i64,
}

/// Changes a tenant user's role in their tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct ChangeTenantUserRole {
    pub role: TenantUserRole,
    pub version: i64,
}

/// A tenant's own settings (under an `admin` grant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TenantSettingsView {
    pub tenant_id: Uuid,
    pub sso_required: bool,
    pub mfa_required: bool,
    pub session_timeout_minutes: i64,
    pub ip_allowlist: Vec<String>,
    pub data_retention_days: i64,
    pub version: i64,
}

/// Changes to a tenant's settings; absent fields stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantSettings {
    #[serde(default)]
    pub sso_required: Option<bool>,
    #[serde(default)]
    pub mfa_required: Option<bool>,
    /// 5 to 1,440.
    #[serde(default)]
    pub session_timeout_minutes: Option<i64>,
    /// IPv4/IPv6 addresses or CIDR ranges, at most 100.
    #[serde(default)]
    pub ip_allowlist: Option<Vec<String>>,
    /// 30 to 3,650.
    #[serde(default)]
    pub data_retention_days: Option<i64>,
    pub version: i64,
}
