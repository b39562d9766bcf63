//! Audit trail and security event endpoints.

use crate::domain::audit;
use crate::error::HubError;
use crate::routes::extract::{ApiQuery, Caller, ClientInfo};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use opsdesk_proto::{
    ApiError, AuditEntry, AuditExportQuery, AuditQuery, AuditVerification, ExportFormat, Page,
    SecurityEvent, SecurityEventQuery,
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

/// Exports every audit entry matching the filters, oldest first, as JSON Lines or CSV.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", security(("bearer" = [])), params(AuditExportQuery), responses(
    (status = 200, description = "JSON lines or CSV, as an attachment", content(("application/x-ndjson"), ("text/csv"))),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 403, description = "Needs audit.read", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn export_audit(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiQuery(q): ApiQuery<AuditExportQuery>,
) -> Result<Response, HubError> {
    let format = q.format;
    let stream = audit::export::export(&state, &caller, &client, q).await?;
    let (content_type, extension) = match format {
        ExportFormat::Jsonl => ("application/x-ndjson", "jsonl"),
        ExportFormat::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let filename = format!(
        "opsdesk-audit-{}.{extension}",
        state.now().format("%Y%m%d-%H%M%S")
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
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
