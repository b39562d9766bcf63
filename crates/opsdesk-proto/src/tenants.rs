//! The tenants directory's wire types: tenants, integration tokens and the intake, groups of
//! staff tickets are routed to, and SLA policies.

use chrono::{DateTime, Utc};
pub use opsdesk_core::sla::SlaTargets;
pub use opsdesk_core::tenant::TenantStatus;
use opsdesk_core::tickets::Priority;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// ---- tenants --------------------------------------------------------------------------------

/// A tenant of the platform, as the directory holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TenantView {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub plan: String,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A tenant to create (or, in an import, to create or update by slug).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    pub name: String,
    pub slug: String,
    pub plan: String,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<TenantStatus>,
}

/// Changes to a tenant; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantRequest {
    pub version: i64,
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub plan: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<TenantStatus>,
}

/// What an import did. An import is all or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TenantImportResult {
    pub created: u32,
    pub updated: u32,
}

/// Filters for the tenants directory.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TenantQuery {
    /// Matches the start of the name or slug, case-insensitively.
    #[ts(optional)]
    pub q: Option<String>,
    #[ts(optional)]
    pub cursor: Option<String>,
    #[ts(optional)]
    pub limit: Option<u32>,
}

// ---- integration tokens and intake ------------------------------------------------------------

/// An integration token as admins see it (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct IntegrationTokenView {
    pub id: Uuid,
    pub name: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Create an integration token for the platform to open tickets with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct CreateIntegrationTokenRequest {
    pub name: String,
}

/// A new integration token; the secret is shown once.
#[derive(Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct IntegrationTokenIssued {
    pub token: IntegrationTokenView,
    /// Send as `Authorization: Bearer <secret>` to the intake endpoint.
    pub secret: String,
}

impl std::fmt::Debug for IntegrationTokenIssued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntegrationTokenIssued")
            .field("token", &self.token)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A ticket from the platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct IntakeTicketRequest {
    /// The tenant's slug.
    pub tenant: String,
    pub requester_name: String,
    pub requester_email: String,
    pub subject: String,
    pub body: String,
    #[serde(default)]
    #[ts(optional)]
    pub priority: Option<Priority>,
    #[serde(default)]
    #[ts(optional)]
    pub tags: Option<Vec<String>>,
}

// ---- groups and SLA policies ------------------------------------------------------------------

/// A group of staff tickets can be routed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct GroupView {
    pub id: Uuid,
    pub name: String,
    pub member_ids: Vec<Uuid>,
}

/// Create a group or replace its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct GroupRequest {
    pub name: String,
    pub member_ids: Vec<Uuid>,
}

/// The SLA targets for one priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct SlaPolicyView {
    pub priority: Priority,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    pub version: i64,
}

/// Change the SLA targets for one priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicyRequest {
    pub version: i64,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
}

/// Someone a ticket can be assigned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct Assignee {
    pub id: Uuid,
    pub display_name: String,
    pub role: opsdesk_core::Role,
}
