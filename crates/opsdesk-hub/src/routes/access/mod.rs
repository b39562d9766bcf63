//! Cross-tenant access: requests and reviews, grants and onboarding clearance; the tenant data
//! a grant opens in `tenant_data`.

pub mod tenant_data;

use crate::domain::access;
use crate::error::HubError;
use crate::routes::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientInfo};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use opsdesk_proto::{
    AccessExportQuery, AccessPolicyView, AccessRequestQuery, AccessRequestView, ApiError,
    CancelAccessRequest, ClearanceView, CreateAccessRequest, GrantQuery, GrantView, Page,
    RecordClearanceRequest, ReviewAccessRequest, RevokeGrantRequest,
};
use uuid::Uuid;

/// The access rules as they apply to the caller: limits, approvals, clearance, reviewers.
#[utoipa::path(get, path = "/api/v1/access/policy", tag = "access", security(("bearer" = [])), responses(
    (status = 200, body = AccessPolicyView),
))]
pub async fn policy(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AccessPolicyView>, HubError> {
    access::requests::policy(&state, &caller).await.map(Json)
}

/// Access requests, newest first: `box=mine` (default), `to_review`, or `all`.
#[utoipa::path(get, path = "/api/v1/access/requests", tag = "access", security(("bearer" = [])), params(AccessRequestQuery), responses(
    (status = 200, body = Page<AccessRequestView>),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn list_requests(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AccessRequestQuery>,
) -> Result<Json<Page<AccessRequestView>>, HubError> {
    access::requests::list(&state, &caller, q).await.map(Json)
}

/// Asks for time-limited access to one tenant's data.
#[utoipa::path(post, path = "/api/v1/access/requests", tag = "access", security(("bearer" = [])), request_body = CreateAccessRequest, responses(
    (status = 201, body = AccessRequestView),
    (status = 400, description = "Names the field at fault", body = ApiError, content_type = "application/problem+json"),
    (status = 403, description = "The caller's role may not request this scope", body = ApiError, content_type = "application/problem+json"),
    (status = 409, description = "The same request is already pending", body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "A rule forbids it (duration, clearance)", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn create_request(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(req): ApiJson<CreateAccessRequest>,
) -> Result<(StatusCode, Json<AccessRequestView>), HubError> {
    access::requests::create(&state, &caller, &client, req)
        .await
        .map(|r| (StatusCode::CREATED, Json(r)))
}

/// One request with its reviews and grant.
#[utoipa::path(get, path = "/api/v1/access/requests/{id}", tag = "access", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = AccessRequestView),
    (status = 404, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn get_request(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<AccessRequestView>, HubError> {
    access::requests::get(&state, &caller, id).await.map(Json)
}

/// Approves or denies a request (a comment is required to deny).
#[utoipa::path(post, path = "/api/v1/access/requests/{id}/reviews", tag = "access", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ReviewAccessRequest, responses(
    (status = 200, body = AccessRequestView),
    (status = 403, description = "Self-review or reviewer tier too low", body = ApiError, content_type = "application/problem+json"),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
    (status = 422, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn review_request(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReviewAccessRequest>,
) -> Result<Json<AccessRequestView>, HubError> {
    access::review::review(&state, &caller, &client, id, req)
        .await
        .map(Json)
}

/// Cancels one's own pending request.
#[utoipa::path(post, path = "/api/v1/access/requests/{id}/cancel", tag = "access", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CancelAccessRequest, responses(
    (status = 200, body = AccessRequestView),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn cancel_request(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<CancelAccessRequest>,
) -> Result<Json<AccessRequestView>, HubError> {
    access::requests::cancel(&state, &caller, &client, id, req)
        .await
        .map(Json)
}

/// Every reviewed request matching the filters, oldest first, as JSON Lines or CSV (reviewers
/// and security).
#[utoipa::path(get, path = "/api/v1/access/requests/export", tag = "access", security(("bearer" = [])), params(AccessExportQuery), responses(
    (status = 200, description = "JSON lines or CSV, as an attachment", content(("application/x-ndjson"), ("text/csv"))),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn export_requests(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiQuery(q): ApiQuery<AccessExportQuery>,
) -> Result<Response, HubError> {
    let (content_type, text) = access::export::export(&state, &caller, &client, q).await?;
    let ext = if content_type.starts_with("text/csv") {
        "csv"
    } else {
        "jsonl"
    };
    let filename = format!(
        "opsdesk-access-{}.{ext}",
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
        text,
    )
        .into_response())
}

/// Grants: mine, or everyone's with `all=true` (reviewers and security); `current=true` leaves
/// out ended ones.
#[utoipa::path(get, path = "/api/v1/access/grants", tag = "access", security(("bearer" = [])), params(GrantQuery), responses(
    (status = 200, body = Vec<GrantView>),
    (status = 403, description = "The caller may not list these grants", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn list_grants(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<GrantQuery>,
) -> Result<Json<Vec<GrantView>>, HubError> {
    access::grants::grants(&state, &caller, q).await.map(Json)
}

/// The holder ends their grant now.
#[utoipa::path(post, path = "/api/v1/access/grants/{id}/release", tag = "access", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = GrantView),
    (status = 422, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn release_grant(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<GrantView>, HubError> {
    access::grants::release(&state, &caller, &client, id)
        .await
        .map(Json)
}

/// Ends someone's grant now, with a reason (security officers and admins).
#[utoipa::path(post, path = "/api/v1/access/grants/{id}/revoke", tag = "access", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = RevokeGrantRequest, responses(
    (status = 200, body = GrantView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RevokeGrantRequest>,
) -> Result<Json<GrantView>, HubError> {
    access::grants::revoke(&state, &caller, &client, id, req)
        .await
        .map(Json)
}

/// A staff member's onboarding clearance.
#[utoipa::path(get, path = "/api/v1/staff/{id}/clearance", tag = "access", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = ClearanceView),
))]
pub async fn get_clearance(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ClearanceView>, HubError> {
    access::clearance::clearance(&state, &caller, id)
        .await
        .map(Json)
}

/// Records onboarding clearance: NDA, background check, training (admins; not their own).
#[utoipa::path(put, path = "/api/v1/staff/{id}/clearance", tag = "access", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = RecordClearanceRequest, responses(
    (status = 200, body = ClearanceView),
    (status = 403, description = "Only admins record onboarding clearance", body = ApiError, content_type = "application/problem+json"),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn record_clearance(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RecordClearanceRequest>,
) -> Result<Json<ClearanceView>, HubError> {
    access::clearance::record_clearance(&state, &caller, &client, id, req)
        .await
        .map(Json)
}
