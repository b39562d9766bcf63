//! Sign-in, enrollment and session endpoints.

use crate::domain::{auth, staff};
use crate::error::HubError;
use crate::routes::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientInfo};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use opsdesk_proto::{
    ApiError, EnrollConfirmRequest, EnrollStartRequest, Enrolled, EnrollmentOffer, LoginChallenge,
    LoginRequest, Me, MfaRequest, Page, ReauthenticateRequest, SessionView, SessionsEnded,
    SignedIn,
};
use serde::Deserialize;
use uuid::Uuid;

/// Sign-in step one: username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Password accepted; send the second factor", body = LoginChallenge),
    (status = 400, description = "Malformed request", body = ApiError, content_type = "application/problem+json"),
    (status = 401, description = "Wrong username or password", body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "Account locked", body = ApiError, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts from this address", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginChallenge>, HubError> {
    auth::sign_in::login(&state, &client, req).await.map(Json)
}

/// Sign-in step two: a TOTP code or a recovery code.
#[utoipa::path(post, path = "/api/v1/auth/login/mfa", tag = "auth", request_body = MfaRequest, responses(
    (status = 200, description = "Signed in", body = SignedIn),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 401, description = "Wrong, reused or expired code or challenge", body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "Account locked", body = ApiError, content_type = "application/problem+json"),
    (status = 429, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn login_mfa(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<MfaRequest>,
) -> Result<Json<SignedIn>, HubError> {
    auth::sign_in::complete_mfa(&state, &client, req)
        .await
        .map(Json)
}

/// Invite step one: choose a password; the answer carries the TOTP secret and QR code.
#[utoipa::path(post, path = "/api/v1/auth/enroll", tag = "auth", request_body = EnrollStartRequest, responses(
    (status = 200, body = EnrollmentOffer),
    (status = 400, description = "Password refused, or not a valid invite", body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "Invite used or expired", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn enroll_start(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<EnrollStartRequest>,
) -> Result<Json<EnrollmentOffer>, HubError> {
    auth::enrollment::start_enrollment(&state, req)
        .await
        .map(Json)
}

/// Invite step two: confirm the authenticator with a code; returns recovery codes and a session.
#[utoipa::path(post, path = "/api/v1/auth/enroll/confirm", tag = "auth", request_body = EnrollConfirmRequest, responses(
    (status = 200, body = Enrolled),
    (status = 400, description = "Wrong code", body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "Invite used, expired, or password not chosen yet", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn enroll_confirm(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<EnrollConfirmRequest>,
) -> Result<Json<Enrolled>, HubError> {
    auth::enrollment::confirm_enrollment(&state, &client, req)
        .await
        .map(Json)
}

/// Signs out: ends the session making the request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "Signed out"),
    (status = 401, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
) -> Result<StatusCode, HubError> {
    auth::sessions::end_session(&state, &caller, &client, caller.session.id, "signed_out").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlocks an idle app: proves presence with a TOTP code for the current session.
#[utoipa::path(post, path = "/api/v1/auth/reauthenticate", tag = "auth", security(("bearer" = [])), request_body = ReauthenticateRequest, responses(
    (status = 204, description = "Code accepted"),
    (status = 400, body = ApiError, content_type = "application/problem+json"),
    (status = 401, description = "Wrong or reused code, or not signed in", body = ApiError, content_type = "application/problem+json"),
    (status = 422, description = "Account locked", body = ApiError, content_type = "application/problem+json"),
))]
pub async fn reauthenticate(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiJson(req): ApiJson<ReauthenticateRequest>,
) -> Result<StatusCode, HubError> {
    auth::sign_in::reauthenticate(&state, &caller, &client, &req.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in person, their session and what they may do.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    (status = 401, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Json<Me> {
    Json(Me {
        staff: staff::views::staff_view(&caller.staff),
        session: staff::views::session_view(
            &caller.session,
            &state.session_policy(),
            Some(caller.session.id),
        ),
        capabilities: staff::views::capabilities(&caller.staff),
    })
}

/// My open sessions, newest first.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Page<SessionView>),
    (status = 401, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn list_my_sessions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Page<SessionView>>, HubError> {
    auth::sessions::live_sessions(&state, caller.staff.id, Some(caller.session.id))
        .await
        .map(Json)
}

/// Whether to keep the current session when ending all.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EndAllQuery {
    /// Keep the session making this request (default true).
    pub keep_current: Option<bool>,
}

/// Ends all my sessions (by default all but this one).
#[utoipa::path(delete, path = "/api/v1/sessions", tag = "auth", security(("bearer" = [])), params(EndAllQuery), responses(
    (status = 200, body = SessionsEnded),
    (status = 401, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn end_my_sessions(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiQuery(q): ApiQuery<EndAllQuery>,
) -> Result<Json<SessionsEnded>, HubError> {
    let keep = q.keep_current.unwrap_or(true).then_some(caller.session.id);
    let ended =
        auth::sessions::end_sessions_of(&state, &caller, &client, caller.staff.id, keep).await?;
    Ok(Json(SessionsEnded { ended }))
}

/// Ends one session: my own, or anyone's with `sessions.revoke_any`.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "auth", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 204),
    (status = 403, body = ApiError, content_type = "application/problem+json"),
    (status = 404, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn end_one_session(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, HubError> {
    let reason = if id == caller.session.id {
        "signed_out"
    } else {
        "ended"
    };
    auth::sessions::end_session(&state, &caller, &client, id, reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
