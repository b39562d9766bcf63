//! Meta, sign-in, enrollment, the caller's sessions and the live event stream.

use crate::{routes, HubClient, HubResult, LAST_EVENT_ID};
use opsdesk_proto::{
    EnrollConfirmRequest, EnrollStartRequest, Enrolled, EnrollmentOffer, HubInfo, LoginChallenge,
    LoginRequest, Me, MfaRequest, Page, ReauthenticateRequest, SessionView, SessionsEnded,
    SignedIn,
};
use reqwest::header::ACCEPT;
use reqwest::{Method, Response};
use uuid::Uuid;

impl HubClient {
    /// `GET /api/v1/hub`.
    pub async fn hub_info(&self) -> HubResult<HubInfo> {
        self.send_json(self.get(routes::HUB)).await
    }

    /// `POST /api/v1/auth/login`.
    pub async fn login(&self, req: &LoginRequest) -> HubResult<LoginChallenge> {
        self.send_json(self.json(Method::POST, routes::LOGIN, req))
            .await
    }

    /// `POST /api/v1/auth/login/mfa`.
    pub async fn login_mfa(&self, req: &MfaRequest) -> HubResult<SignedIn> {
        self.send_json(self.json(Method::POST, routes::LOGIN_MFA, req))
            .await
    }

    /// `POST /api/v1/auth/enroll`.
    pub async fn enroll_start(&self, req: &EnrollStartRequest) -> HubResult<EnrollmentOffer> {
        self.send_json(self.json(Method::POST, routes::ENROLL, req))
            .await
    }

    /// `POST /api/v1/auth/enroll/confirm`.
    pub async fn enroll_confirm(&self, req: &EnrollConfirmRequest) -> HubResult<Enrolled> {
        self.send_json(self.json(Method::POST, routes::ENROLL_CONFIRM, req))
            .await
    }

    /// `POST /api/v1/auth/logout`: ends this client's session.
    pub async fn logout(&self) -> HubResult<()> {
        self.send_empty(self.request(Method::POST, routes::LOGOUT))
            .await
    }

    /// `POST /api/v1/auth/reauthenticate`: unlocks an idle session with a TOTP code.
    pub async fn reauthenticate(&self, req: &ReauthenticateRequest) -> HubResult<()> {
        self.send_empty(self.json(Method::POST, routes::REAUTHENTICATE, req))
            .await
    }

    /// `GET /api/v1/me`.
    pub async fn me(&self) -> HubResult<Me> {
        self.send_json(self.get(routes::ME)).await
    }

    /// `GET /api/v1/sessions`.
    pub async fn my_sessions(&self) -> HubResult<Page<SessionView>> {
        self.send_json(self.get(routes::SESSIONS)).await
    }

    /// `DELETE /api/v1/sessions?keep_current=`: ends all my sessions (by default all but this
    /// one).
    pub async fn end_my_sessions(&self, keep_current: Option<bool>) -> HubResult<SessionsEnded> {
        let mut req = self.request(Method::DELETE, routes::SESSIONS);
        if let Some(keep) = keep_current {
            req = req.query(&[("keep_current", keep)]);
        }
        self.send_json(req).await
    }

    /// `DELETE /api/v1/sessions/{id}`.
    pub async fn end_session(&self, id: Uuid) -> HubResult<()> {
        self.send_empty(self.request(Method::DELETE, &routes::session(id)))
            .await
    }

    /// `GET /api/v1/events` with `Last-Event-ID: last_id` when resuming: the open response,
    /// whose body is the stream. Reading it is the caller's business.
    pub async fn open_events(&self, last_id: Option<i64>) -> HubResult<Response> {
        let mut req = self.get(routes::EVENTS).header(ACCEPT, "text/event-stream");
        if let Some(id) = last_id {
            req = req.header(LAST_EVENT_ID, id.to_string());
        }
        self.send_raw(req).await
    }
}
