//! Cross-tenant access: requests and reviews, grants, onboarding clearance, and the tenant data
//! a grant opens.

use crate::error::HubError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientInfo, Integration};
use crate::service::{access, tenant_data};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use opsdesk_proto::{
    AccessExportQuery, AccessPolicyView, AccessRequestQuery, AccessRequestView, ApiError,
    CancelAccessRequest, ChangeTenantUserRole, ClearanceView, CreateAccessRequest, GrantQuery,
    GrantView, IntakeSignIn, Page, PasswordResetIssued, RecordClearanceRequest,
    ReviewAccessRequest, RevokeGrantRequest, TenantSettingsView, TenantSignInView,
    TenantUserImport, TenantUserImportResult, TenantUserQuery, TenantUserVersion, TenantUserView,
    UpdateTenantSettings,
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
    access::policy(&state, &caller).await.map(Json)
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
    access::list(&state, &caller, q).await.map(Json)
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
    access::create(&state, &caller, &client, req)
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
    access::get(&state, &caller, id).await.map(Json)
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
    access::review(&state, &caller, &client, id, req)
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
    access::cancel(&state, &caller, &client, id, req)
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
    let (content_type, text) = access::export(&state, &caller, &client, q).await?;
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
    access::grants(&state, &caller, q).await.map(Json)
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
    access::release(&state, &caller, &client, id)
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
    access::revoke(&state, &caller, &client, id, req)
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
    access::clearance(&state, &caller, id).await.map(Json)
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
    access::record_clearance(&state, &caller, &client, id, req)
        .await
        .map(Json)
}

/// The tenant's users (needs an active grant for the tenant).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/users", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path), TenantUserQuery), responses(
    (status = 200, body = Page<TenantUserView>),
    (status = 403, description = "No active grant for this tenant", body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "The grant does not allow this read", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn tenant_users(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<TenantUserQuery>,
) -> Result<Json<Page<TenantUserView>>, HubError> {
    tenant_data::users(&state, &caller, &client, id, q)
        .await
        .map(Json)
}

/// One user of the tenant (read grant).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/users/{user_id}", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), responses(
    (status = 200, body = TenantUserView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn tenant_user(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<TenantUserView>, HubError> {
    tenant_data::user(&state, &caller, &client, id, user_id)
        .await
        .map(Json)
}

/// A user's sign-in history (support grant).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/users/{user_id}/sign-ins", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), responses(
    (status = 200, body = Vec<TenantSignInView>),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn tenant_user_sign_ins(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Vec<TenantSignInView>>, HubError> {
    tenant_data::sign_ins(&state, &caller, &client, id, user_id)
        .await
        .map(Json)
}

/// Issues a one-time password reset link (support grant); shown once.
#[utoipa::path(post, path = "/api/v1/tenants/{id}/users/{user_id}/password-reset", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), responses(
    (status = 200, body = PasswordResetIssued),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn reset_tenant_user_password(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<PasswordResetIssued>, HubError> {
    tenant_data::reset_password(&state, &caller, &client, id, user_id)
        .await
        .map(Json)
}

/// Unlocks a locked user (support grant).
#[utoipa::path(post, path = "/api/v1/tenants/{id}/users/{user_id}/unlock", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = TenantUserVersion, responses(
    (status = 200, body = TenantUserView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "The user is not locked, or the grant does not allow it", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn unlock_tenant_user(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(req): ApiJson<TenantUserVersion>,
) -> Result<Json<TenantUserView>, HubError> {
    tenant_data::unlock(&state, &caller, &client, id, user_id, req)
        .await
        .map(Json)
}

/// Changes a user's role in their tenant (support grant).
#[utoipa::path(put, path = "/api/v1/tenants/{id}/users/{user_id}/role", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = ChangeTenantUserRole, responses(
    (status = 200, body = TenantUserView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 409, description = "The user changed since it was read; `current` shows it", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn change_tenant_user_role(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(req): ApiJson<ChangeTenantUserRole>,
) -> Result<Json<TenantUserView>, HubError> {
    tenant_data::change_role(&state, &caller, &client, id, user_id, req)
        .await
        .map(Json)
}

/// The tenant's settings (admin grant).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/settings", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = TenantSettingsView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn tenant_settings(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TenantSettingsView>, HubError> {
    tenant_data::settings(&state, &caller, &client, id)
        .await
        .map(Json)
}

/// Changes the tenant's settings (admin grant).
#[utoipa::path(patch, path = "/api/v1/tenants/{id}/settings", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateTenantSettings, responses(
    (status = 200, body = TenantSettingsView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn update_tenant_settings(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateTenantSettings>,
) -> Result<Json<TenantSettingsView>, HubError> {
    tenant_data::update_settings(&state, &caller, &client, id, req)
        .await
        .map(Json)
}

/// Loads the tenant's users from the platform (admins): a JSON array or CSV
/// (`name,email,role[,status,mfa_enabled,last_sign_in_at]`), matched by email, all or nothing.
#[utoipa::path(post, path = "/api/v1/tenants/{id}/users/import", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body(content((Vec<TenantUserImport> = "application/json"), (String = "text/csv")), description = "An array of users, or CSV with a header row naming `name`, `email`, `role` and optionally `status`, `mfa_enabled`, `last_sign_in_at`"), responses(
    (status = 200, body = TenantUserImportResult),
    (status = 400, description = "Names the row and field at fault", body = ApiError, content_type = "application/problem+json"),
    (status = 403, description = "Only admins import a tenant's users", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn import_tenant_users(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TenantUserImportResult>, HubError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    tenant_data::import_users(&state, &caller, &client, id, &content_type, &body)
        .await
        .map(Json)
}

/// A tenant user's sign-in, reported by the platform with an integration token.
#[utoipa::path(post, path = "/api/v1/intake/sign-ins", tag = "tenant data", security(("bearer" = [])), request_body = IntakeSignIn, responses(
    (status = 204),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 401, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn intake_sign_in(
    State(state): State<AppState>,
    integration: Integration,
    client: ClientInfo,
    ApiJson(req): ApiJson<IntakeSignIn>,
) -> Result<StatusCode, HubError> {
    tenant_data::intake_sign_in(&state, &integration, &client, req)
        .await
        .map(|()| StatusCode::NO_CONTENT)
}
