//! Tenant data under a grant: a tenant's users, their sign-ins, password resets, unlocking and
//! role changes, the tenant's settings, user imports, and sign-ins the platform reports.

use crate::domain::tenant_data;
use crate::error::HubError;
use crate::routes::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientInfo, Integration};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use opsdesk_proto::{
    ApiError, ChangeTenantUserRole, IntakeSignIn, Page, PasswordResetIssued, TenantSettingsView,
    TenantSignInView, TenantUserImport, TenantUserImportResult, TenantUserQuery, TenantUserVersion,
    TenantUserView, UpdateTenantSettings,
};
use uuid::Uuid;

/// The tenant's users (needs an active grant for the tenant).
#[utoipa::path(get, path = "/api/v1/tenants/{id}/users", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path), TenantUserQuery), responses(
    (status = 200, body = Page<TenantUserView>),
    (status = 403, description = "No active grant for this tenant", body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "A rule of the grant or the tenant refuses the read; the code says which", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn tenant_users(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<TenantUserQuery>,
) -> Result<Json<Page<TenantUserView>>, HubError> {
    tenant_data::users::users(&state, &caller, &client, id, q)
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
    tenant_data::users::user(&state, &caller, &client, id, user_id)
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
    tenant_data::users::sign_ins(&state, &caller, &client, id, user_id)
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
    tenant_data::users::reset_password(&state, &caller, &client, id, user_id)
        .await
        .map(Json)
}

/// Unlocks a locked user (support grant).
#[utoipa::path(post, path = "/api/v1/tenants/{id}/users/{user_id}/unlock", tag = "tenant data", security(("bearer" = [])), params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = TenantUserVersion, responses(
    (status = 200, body = TenantUserView),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "The user is not locked (`not_locked`), or another rule refuses it", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn unlock_tenant_user(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(req): ApiJson<TenantUserVersion>,
) -> Result<Json<TenantUserView>, HubError> {
    tenant_data::users::unlock(&state, &caller, &client, id, user_id, req)
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
    tenant_data::users::change_role(&state, &caller, &client, id, user_id, req)
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
    tenant_data::settings::settings(&state, &caller, &client, id)
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
    tenant_data::settings::update_settings(&state, &caller, &client, id, req)
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
    tenant_data::import::import_users(&state, &caller, &client, id, &content_type, &body)
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
    tenant_data::users::intake_sign_in(&state, &integration, &client, req)
        .await
        .map(|()| StatusCode::NO_CONTENT)
}
