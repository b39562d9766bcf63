//! Staff administration types.

use chrono::{DateTime, Utc};
pub use opsdesk_core::staff::StaffStatus;
use opsdesk_core::validate::{DisplayName, Email, Username};
use opsdesk_core::{Permission, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A staff member as other staff see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct StaffView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub status: StaffStatus,
    pub mfa_enrolled: bool,
    /// Set while the account is locked after repeated sign-in failures.
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send back on changes; a stale version is refused with 409.
    pub version: i64,
}

/// Invite a new staff member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct InviteStaffRequest {
    pub username: Username,
    pub display_name: DisplayName,
    pub email: Email,
    pub role: Role,
}

/// A one-time invite link for a person to set their password and enroll TOTP.
#[derive(Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct InviteIssued {
    pub staff: StaffView,
    /// Give this to the person; it is shown once and works once.
    pub invite_token: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for InviteIssued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InviteIssued")
            .field("staff", &self.staff)
            .field("invite_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Change someone's role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoleRequest {
    pub role: Role,
    /// The version you last saw.
    pub version: i64,
}

/// Confirms an action on a staff record at the version the caller last saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct VersionedRequest {
    pub version: i64,
}

/// One permission with what it allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct PermissionView {
    pub permission: Permission,
    pub description: String,
}

/// What a person can do, computed by the rules the hub enforces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct Capabilities {
    pub staff_id: Uuid,
    pub role: Role,
    pub tier: u8,
    /// False while the account is invited or deactivated: then nothing is allowed.
    pub active: bool,
    pub permissions: Vec<PermissionView>,
    /// Roles this person may give to others (invite with, or change to).
    pub assignable_roles: Vec<Role>,
}

/// Filters for the staff list.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    pub role: Option<Role>,
    pub status: Option<StaffStatus>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}
