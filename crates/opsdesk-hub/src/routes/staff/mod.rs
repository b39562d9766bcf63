//! Staff administration endpoints.

use crate::domain::{auth, staff};
use crate::error::HubError;
use crate::routes::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientInfo};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_proto::{
    ApiError, Capabilities, ChangeRoleRequest, InviteIssued, InviteStaffRequest, Page, SessionView,
    SessionsEnded, StaffQuery, StaffView, VersionedRequest,
};
use uuid::Uuid;

/// Lists staff, by username.
#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", security(("bearer" = [])), params(StaffQuery), responses(
    (status = 200, body = Page<StaffView>),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 403, description = "Needs staff.read", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn list_staff(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<StaffQuery>,
) -> Result<Json<Page<StaffView>>, HubError> {
    staff::list(&state, &caller, q).await.map(Json)
}

/// Invites a staff member with a role; returns the one-time invite token.
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", security(("bearer" = [])), request_body = InviteStaffRequest, responses(
    (status = 201, body = InviteIssued),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 403, description = "Role not assignable by you", body = ApiError, content_type = "application/problem+json"),
    (status = 409, description = "Username taken", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn invite_staff(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(req): ApiJson<InviteStaffRequest>,
) -> Result<(StatusCode, Json<InviteIssued>), HubError> {
    staff::invite::invite(&state, &caller, &client, req)
        .await
        .map(|i| (StatusCode::CREATED, Json(i)))
}

/// One staff member.
#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = StaffView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 404, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn get_staff(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<StaffView>, HubError> {
    staff::get(&state, &caller, id).await.map(Json)
}

/// Changes a staff member's role.
#[utoipa::path(put, path = "/api/v1/staff/{id}/role", tag = "staff", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ChangeRoleRequest, responses(
    (status = 200, body = StaffView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 409, description = "Stale version; `current` holds the record now", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn change_role(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ChangeRoleRequest>,
) -> Result<Json<StaffView>, HubError> {
    staff::manage::change_role(&state, &caller, &client, id, req.role, req.version)
        .await
        .map(Json)
}

/// Resets a staff member's MFA and password; returns a new invite for them to enroll again.
#[utoipa::path(post, path = "/api/v1/staff/{id}/mfa-reset", tag = "staff", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = VersionedRequest, responses(
    (status = 200, body = InviteIssued),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn reset_mfa(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<VersionedRequest>,
) -> Result<Json<InviteIssued>, HubError> {
    staff::manage::reset_mfa(&state, &caller, &client, id, req.version)
        .await
        .map(Json)
}

/// Deactivates a staff member; their sessions end at once.
#[utoipa::path(post, path = "/api/v1/staff/{id}/deactivate", tag = "staff", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = VersionedRequest, responses(
    (status = 200, body = StaffView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "The person cannot be deactivated (for example the last admin)", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn deactivate(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<VersionedRequest>,
) -> Result<Json<StaffView>, HubError> {
    staff::manage::deactivate(&state, &caller, &client, id, req.version)
        .await
        .map(Json)
}

/// What this person can do, computed by the rules the hub enforces.
#[utoipa::path(get, path = "/api/v1/staff/{id}/capabilities", tag = "staff", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Capabilities),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 404, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn capabilities(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Capabilities>, HubError> {
    staff::capabilities_of(&state, &caller, id).await.map(Json)
}

/// A staff member's open sessions (security officers).
#[utoipa::path(get, path = "/api/v1/staff/{id}/sessions", tag = "staff", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Page<SessionView>),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn list_sessions_of(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Page<SessionView>>, HubError> {
    if id != caller.staff.id {
        Granted::<cap::SessionsRevokeAny>::check(caller.staff.role)?;
    }
    auth::sessions::live_sessions(&state, id, Some(caller.session.id))
        .await
        .map(Json)
}

/// Ends every session of a staff member (security officers; a security event).
#[utoipa::path(delete, path = "/api/v1/staff/{id}/sessions", tag = "staff", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = SessionsEnded),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn end_sessions_of(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SessionsEnded>, HubError> {
    let keep = (id == caller.staff.id).then_some(caller.session.id);
    let ended = auth::sessions::end_sessions_of(&state, &caller, &client, id, keep).await?;
    Ok(Json(SessionsEnded { ended }))
}
