//! Audit trail and security event endpoints.

use crate::error::HubError;
use crate::extract::{ApiQuery, Caller, ClientInfo};
use crate::service::audit;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use opsdesk_proto::{
    ApiError, AuditEntry, AuditQuery, AuditVerification, Page, SecurityEvent, SecurityEventQuery,
};

/// The audit trail, newest first, filtered by actor, action, target and time.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery), responses(
    (status = 200, body = Page<AuditEntry>),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 403, description = "Needs audit.read", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEntry>>, HubError> {
    audit::list(&state, &caller, q).await.map(Json)
}

/// Recomputes the hash chain and names the first entry altered or removed.
#[utoipa::path(post, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])), responses(
    (status = 200, body = AuditVerification),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn verify_audit(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
) -> Result<Json<AuditVerification>, HubError> {
    audit::verify(&state, &caller, &client).await.map(Json)
}

/// Security events, newest first.
#[utoipa::path(get, path = "/api/v1/security-events", tag = "audit", security(("bearer" = [])), params(SecurityEventQuery), responses(
    (status = 200, body = Page<SecurityEvent>),
    (status = 403, description = "Needs security_events.read", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn list_security_events(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SecurityEventQuery>,
) -> Result<Json<Page<SecurityEvent>>, HubError> {
    audit::security_events(&state, &caller, q).await.map(Json)
}
