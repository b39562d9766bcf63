//! Ticket endpoints: the queue, counts, search, the changes feed, one ticket, and every write.

use crate::domain::tickets;
use crate::domain::tickets::queue;
use crate::error::HubError;
use crate::routes::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientInfo, IdempotencyKey};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use opsdesk_proto::{
    AddMessageRequest, ApiError, AssignRequest, BulkEditRequest, BulkEditResult, ChangesPage,
    ChangesQuery, CreateTicketRequest, EscalateRequest, MergeRequest, Page, PresenceRequest,
    PresenceView, QueueCounts, QueueQuery, SearchHit, SearchQuery, TicketDetail, TicketSummary,
    UpdateTicketRequest,
};
use uuid::Uuid;

/// A queue page: a view or saved filter, filters, sort and cursor.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])), params(QueueQuery), responses(
    (status = 200, body = Page<TicketSummary>),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn queue_page(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Page<TicketSummary>>, HubError> {
    queue::page(&state, &caller, q).await.map(Json)
}

/// Opens a ticket as staff. Takes an `Idempotency-Key` header.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])), request_body = CreateTicketRequest, responses(
    (status = 201, body = TicketSummary),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn create_ticket(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    key: IdempotencyKey,
    ApiJson(req): ApiJson<CreateTicketRequest>,
) -> Result<(StatusCode, Json<TicketSummary>), HubError> {
    tickets::open::create(&state, &caller, &client, &key, req)
        .await
        .map(|t| (StatusCode::CREATED, Json(t)))
}

/// How many tickets each view and saved filter holds for the caller.
#[utoipa::path(get, path = "/api/v1/tickets/counts", tag = "tickets", security(("bearer" = [])), responses(
    (status = 200, body = QueueCounts),
))]
pub async fn counts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<QueueCounts>, HubError> {
    queue::counts(&state, &caller).await.map(Json)
}

/// Full-text search over subjects and conversations, best first.
#[utoipa::path(get, path = "/api/v1/tickets/search", tag = "tickets", security(("bearer" = [])), params(SearchQuery), responses(
    (status = 200, body = Vec<SearchHit>),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<SearchHit>>, HubError> {
    queue::search(&state, &caller, q).await.map(Json)
}

/// Tickets changed after a feed position, for keeping a cache current.
#[utoipa::path(get, path = "/api/v1/tickets/changes", tag = "tickets", security(("bearer" = [])), params(ChangesQuery), responses(
    (status = 200, body = ChangesPage),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> Result<Json<ChangesPage>, HubError> {
    queue::changes(&state, &caller, q).await.map(Json)
}

/// Applies one change to many tickets, all or nothing.
#[utoipa::path(post, path = "/api/v1/tickets/bulk", tag = "tickets", security(("bearer" = [])), request_body = BulkEditRequest, responses(
    (status = 200, body = BulkEditResult),
    (status = 403, description = "The caller's role may not bulk-edit tickets", body = ApiError, content_type = "application/problem+json"),
    (status = 409, description = "A ticket changed; `current` shows it", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn bulk_edit(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    key: IdempotencyKey,
    ApiJson(req): ApiJson<BulkEditRequest>,
) -> Result<Json<BulkEditResult>, HubError> {
    tickets::bulk::bulk_edit(&state, &caller, &client, &key, req)
        .await
        .map(Json)
}

/// One ticket with its conversation, history and who else is on it.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = TicketDetail),
    (status = 404, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn get_ticket(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TicketDetail>, HubError> {
    queue::detail(&state, &caller, id).await.map(Json)
}

/// Changes status, priority or tags.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateTicketRequest, responses(
    (status = 200, body = TicketSummary),
    (status = 409, description = "Stale version; `current` is a TicketConflict", body = ApiError, content_type = "application/problem+json"),
    (status = 422, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn update_ticket(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateTicketRequest>,
) -> Result<Json<TicketSummary>, HubError> {
    tickets::write::update(&state, &caller, &client, &key, id, req)
        .await
        .map(Json)
}

/// Adds a public reply or an internal note; answers with the ticket as it is now.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "tickets", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AddMessageRequest, responses(
    (status = 201, body = TicketDetail),
    (status = 409, description = "Stale version; `current` is a TicketConflict", body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "The ticket's state does not allow this message", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn add_message(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AddMessageRequest>,
) -> Result<(StatusCode, Json<TicketDetail>), HubError> {
    tickets::write::add_message(&state, &caller, &client, &key, id, req).await?;
    let detail = queue::detail(&state, &caller, id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// Assigns to me, to someone, round-robin in a group, or to nobody.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "tickets", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = AssignRequest, responses(
    (status = 200, body = TicketSummary),
    (status = 403, description = "The caller's role may not assign tickets to others", body = ApiError, content_type = "application/problem+json"),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> Result<Json<TicketSummary>, HubError> {
    tickets::write::assign(&state, &caller, &client, &key, id, req)
        .await
        .map(Json)
}

/// Escalates to senior staff with a reason.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/escalate", tag = "tickets", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = EscalateRequest, responses(
    (status = 200, body = TicketSummary),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
    (status = 422, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn escalate(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<EscalateRequest>,
) -> Result<Json<TicketSummary>, HubError> {
    tickets::escalate::escalate(&state, &caller, &client, &key, id, req)
        .await
        .map(Json)
}

/// Merges this ticket into another; answers with the survivor.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/merge", tag = "tickets", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MergeRequest, responses(
    (status = 200, body = TicketSummary),
    (status = 403, description = "The caller's role may not merge tickets", body = ApiError, content_type = "application/problem+json"),
    (status = 409, body = ApiError, content_type = "application/problem+json"),
    (status = 422, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    key: IdempotencyKey,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> Result<Json<TicketSummary>, HubError> {
    tickets::merge::merge(&state, &caller, &client, &key, id, req)
        .await
        .map(Json)
}

/// Says the caller views, replies to or left the ticket; answers with the others on it.
#[utoipa::path(put, path = "/api/v1/tickets/{id}/presence", tag = "tickets", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = PresenceRequest, responses(
    (status = 200, body = Vec<PresenceView>),
))]
pub async fn presence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<PresenceRequest>,
) -> Result<Json<Vec<PresenceView>>, HubError> {
    queue::presence(&state, &caller, id, req.mode)
        .await
        .map(Json)
}
