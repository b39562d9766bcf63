//! Tenants directory, integration tokens and intake, groups, assignees, SLA policies and saved
//! filters.

use crate::domain::tickets::queue;
use crate::domain::{tenants, tickets};
use crate::error::HubError;
use crate::routes::extract::{
    ApiJson, ApiPath, ApiQuery, Caller, ClientInfo, IdempotencyKey, Integration,
};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use opsdesk_core::ticket::Priority;
use opsdesk_proto::{
    ApiError, Assignee, CreateIntegrationTokenRequest, CreateTenantRequest, GroupRequest,
    GroupView, IntakeTicketRequest, IntegrationTokenIssued, IntegrationTokenView, Page,
    SaveFilterRequest, SavedFilterView, SlaPolicyRequest, SlaPolicyView, TenantImportResult,
    TenantQuery, TenantView, TicketSummary, UpdateTenantRequest,
};
use uuid::Uuid;

/// Tenants by name; `q` matches the start of a name or slug.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", security(("bearer" = [])), params(TenantQuery), responses(
    (status = 200, body = Page<TenantView>),
))]
pub async fn list_tenants(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TenantQuery>,
) -> Result<Json<Page<TenantView>>, HubError> {
    tenants::list(&state, &caller, q).await.map(Json)
}

/// Adds a tenant to the directory (admins).
#[utoipa::path(post, path = "/api/v1/tenants", tag = "tenants", security(("bearer" = [])), request_body = CreateTenantRequest, responses(
    (status = 201, body = TenantView),
    (status = 409, description = "Slug taken", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn create_tenant(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(req): ApiJson<CreateTenantRequest>,
) -> Result<(StatusCode, Json<TenantView>), HubError> {
    tenants::create(&state, &caller, &client, req)
        .await
        .map(|t| (StatusCode::CREATED, Json(t)))
}

/// Edits a tenant (admins).
#[utoipa::path(patch, path = "/api/v1/tenants/{id}", tag = "tenants", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateTenantRequest, responses(
    (status = 200, body = TenantView),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn update_tenant(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateTenantRequest>,
) -> Result<Json<TenantView>, HubError> {
    tenants::update(&state, &caller, &client, id, req)
        .await
        .map(Json)
}

/// Imports tenants from a JSON array or CSV (`name,slug,plan[,status]`), all or nothing.
#[utoipa::path(post, path = "/api/v1/tenants/import", tag = "tenants", security(("bearer" = [])), request_body(content((Vec<CreateTenantRequest> = "application/json"), (String = "text/csv")), description = "An array of tenants, or CSV with a header row naming `name`, `slug`, `plan` and optionally `status`"), responses(
    (status = 200, body = TenantImportResult),
    (status = 400, description = "Names the row and field at fault", body = ApiError, content_type = "application/problem+json"),
    (status = 403, description = "Only admins import tenants", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn import_tenants(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TenantImportResult>, HubError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    tenants::import::import(&state, &caller, &client, &content_type, &body)
        .await
        .map(Json)
}

/// Integration tokens (admins).
#[utoipa::path(get, path = "/api/v1/integration-tokens", tag = "tenants", security(("bearer" = [])), responses(
    (status = 200, body = Vec<IntegrationTokenView>),
))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<IntegrationTokenView>>, HubError> {
    tenants::tokens::list_tokens(&state, &caller)
        .await
        .map(Json)
}

/// Creates an integration token; the secret is shown once (admins).
#[utoipa::path(post, path = "/api/v1/integration-tokens", tag = "tenants", security(("bearer" = [])), request_body = CreateIntegrationTokenRequest, responses(
    (status = 201, body = IntegrationTokenIssued),
    (status = 403, description = "Only admins manage integration tokens", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(req): ApiJson<CreateIntegrationTokenRequest>,
) -> Result<(StatusCode, Json<IntegrationTokenIssued>), HubError> {
    tenants::tokens::create_token(&state, &caller, &client, req)
        .await
        .map(|t| (StatusCode::CREATED, Json(t)))
}

/// Revokes an integration token; it stops working at once (admins).
#[utoipa::path(post, path = "/api/v1/integration-tokens/{id}/revoke", tag = "tenants", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = IntegrationTokenView),
))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<IntegrationTokenView>, HubError> {
    tenants::tokens::revoke_token(&state, &caller, &client, id)
        .await
        .map(Json)
}

/// A ticket from the platform, authenticated by an integration token. Takes `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/intake/tickets", tag = "tickets", security(("bearer" = [])), request_body = IntakeTicketRequest, responses(
    (status = 201, body = TicketSummary),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 401, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn intake(
    State(state): State<AppState>,
    integration: Integration,
    client: ClientInfo,
    key: IdempotencyKey,
    ApiJson(req): ApiJson<IntakeTicketRequest>,
) -> Result<(StatusCode, Json<TicketSummary>), HubError> {
    tickets::open::intake(&state, &integration, &client, &key, req)
        .await
        .map(|t| (StatusCode::CREATED, Json(t)))
}

/// Ticket groups with members.
#[utoipa::path(get, path = "/api/v1/groups", tag = "tickets", security(("bearer" = [])), responses(
    (status = 200, body = Vec<GroupView>),
))]
pub async fn list_groups(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<GroupView>>, HubError> {
    tenants::groups::groups(&state, &caller).await.map(Json)
}

/// Creates a group (managers).
#[utoipa::path(post, path = "/api/v1/groups", tag = "tickets", security(("bearer" = [])), request_body = GroupRequest, responses(
    (status = 201, body = GroupView),
))]
pub async fn create_group(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(req): ApiJson<GroupRequest>,
) -> Result<(StatusCode, Json<GroupView>), HubError> {
    tenants::groups::create_group(&state, &caller, &client, req)
        .await
        .map(|g| (StatusCode::CREATED, Json(g)))
}

/// Replaces a group's members (managers).
#[utoipa::path(put, path = "/api/v1/groups/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = GroupRequest, responses(
    (status = 200, body = GroupView),
))]
pub async fn set_group(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<GroupRequest>,
) -> Result<Json<GroupView>, HubError> {
    tenants::groups::set_group_members(&state, &caller, &client, id, req)
        .await
        .map(Json)
}

/// People a ticket can be assigned to (needs tickets.assign).
#[utoipa::path(get, path = "/api/v1/assignees", tag = "tickets", security(("bearer" = [])), responses(
    (status = 200, body = Vec<Assignee>),
))]
pub async fn assignees(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Assignee>>, HubError> {
    tenants::groups::assignees(&state, &caller).await.map(Json)
}

/// SLA targets per priority.
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "tickets", security(("bearer" = [])), responses(
    (status = 200, body = Vec<SlaPolicyView>),
))]
pub async fn sla_policies(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SlaPolicyView>>, HubError> {
    tenants::sla::sla_policies(&state, &caller).await.map(Json)
}

/// Changes one priority's SLA targets (managers).
#[utoipa::path(put, path = "/api/v1/sla-policies/{priority}", tag = "tickets", security(("bearer" = [])), params(("priority" = Priority, Path)), request_body = SlaPolicyRequest, responses(
    (status = 200, body = SlaPolicyView),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn update_sla_policy(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(priority): ApiPath<Priority>,
    ApiJson(req): ApiJson<SlaPolicyRequest>,
) -> Result<Json<SlaPolicyView>, HubError> {
    tenants::sla::update_sla_policy(&state, &caller, &client, priority, req)
        .await
        .map(Json)
}

/// The caller's saved filters.
#[utoipa::path(get, path = "/api/v1/saved-filters", tag = "tickets", security(("bearer" = [])), responses(
    (status = 200, body = Vec<SavedFilterView>),
))]
pub async fn list_saved_filters(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SavedFilterView>>, HubError> {
    queue::saved_filters(&state, &caller).await.map(Json)
}

/// Saves a filter under a name.
#[utoipa::path(post, path = "/api/v1/saved-filters", tag = "tickets", security(("bearer" = [])), request_body = SaveFilterRequest, responses(
    (status = 201, body = SavedFilterView),
))]
pub async fn save_filter(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(req): ApiJson<SaveFilterRequest>,
) -> Result<(StatusCode, Json<SavedFilterView>), HubError> {
    queue::save_filter(&state, &caller, &client, req)
        .await
        .map(|f| (StatusCode::CREATED, Json(f)))
}

/// Deletes one of the caller's saved filters.
#[utoipa::path(delete, path = "/api/v1/saved-filters/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 204),
))]
pub async fn delete_saved_filter(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, HubError> {
    queue::delete_filter(&state, &caller, &client, id)
        .await
        .map(|()| StatusCode::NO_CONTENT)
}
