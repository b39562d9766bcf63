//! The hub's HTTP API as typed calls: one method per endpoint, problem documents decoded back into
//! [`ApiError`], connection failures into [`ClientError::Unreachable`] naming the hub. The ticket
//! endpoints live in `api/tickets.rs`, cross-tenant access and tenant data in `api/access.rs`,
//! the live event stream in `api/events.rs`.

mod access;
mod events;
mod tickets;

pub use events::OpenedEvents;

use crate::error::ClientError;
use opsdesk_proto::{
    ApiError, AuditEntry, AuditQuery, AuditVerification, Capabilities, ChangeRoleRequest,
    EnrollConfirmRequest, EnrollStartRequest, Enrolled, EnrollmentOffer, HubInfo, InviteIssued,
    InviteStaffRequest, LoginChallenge, LoginRequest, Me, MfaRequest, Page, ReauthenticateRequest,
    SecurityEvent, SecurityEventQuery, SessionView, SessionsEnded, SignedIn, StaffQuery, StaffView,
    VersionedRequest,
};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;
use uuid::Uuid;

/// How long to wait for a connection to a hub.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take (sign-in hashes a password; audit verification reads the
/// whole chain).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a reachability probe may take, so the status screen never hangs.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// A bearer token whose `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// Wraps a token as the hub issued it.
    pub fn new(token: impl Into<String>) -> Self {
        SessionToken(token.into())
    }

    /// The token itself, for the `Authorization` header and the keyring.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// Checks a hub address and puts it in the one form used as its identity: `http(s)://host[:port]
/// [/prefix]`, without a trailing slash.
pub fn normalize_hub_url(url: &str) -> Result<String, ClientError> {
    let text = url.trim();
    if text.is_empty() {
        return Err(ClientError::invalid(
            "url",
            "is required: the address of your team's hub",
        ));
    }
    let parsed = Url::parse(text).map_err(|e| {
        ClientError::invalid(
            "url",
            format!("`{text}` is not a web address ({e}); use a form like https://hub.example.com"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ClientError::invalid(
            "url",
            format!("`{text}` must start with http:// or https:// (like https://hub.example.com)"),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(ClientError::invalid(
            "url",
            format!("`{text}` has no host name"),
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ClientError::invalid(
            "url",
            format!("`{text}` must not contain a user name or password"),
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(ClientError::invalid(
            "url",
            format!("`{text}` must not have a `?` query or `#` fragment"),
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// A client for one hub, optionally acting with a session token.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    token: Option<SessionToken>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .field("signed_in", &self.token.is_some())
            .finish()
    }
}

impl ApiClient {
    /// A client for the hub at `url` (checked and normalized, see [`normalize_hub_url`]).
    pub fn new(url: &str) -> Result<ApiClient, ClientError> {
        let base = normalize_hub_url(url)?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("opsdesk-desktop/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| ClientError::Storage(format!("cannot set up HTTP: {e}")))?;
        Ok(ApiClient {
            http,
            base,
            token: None,
        })
    }

    /// The hub's normalized address.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The same hub, acting with `token`.
    pub fn with_token(&self, token: SessionToken) -> ApiClient {
        ApiClient {
            token: Some(token),
            ..self.clone()
        }
    }

    /// The token this client acts with, if any.
    pub fn token(&self) -> Option<&SessionToken> {
        self.token.as_ref()
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => req.bearer_auth(t.expose()),
            None => req,
        }
    }

    async fn send(&self, req: RequestBuilder) -> Result<Response, ClientError> {
        req.send().await.map_err(|e| self.transport_error(e))
    }

    fn transport_error(&self, e: reqwest::Error) -> ClientError {
        if e.is_connect() || e.is_timeout() || e.is_request() {
            ClientError::Unreachable {
                url: self.base.clone(),
                detail: error_chain(&e),
            }
        } else {
            ClientError::Protocol {
                url: self.base.clone(),
                detail: error_chain(&e),
            }
        }
    }

    /// Sends and decodes the JSON answer, or the problem document into `ApiError`.
    async fn call<R: DeserializeOwned>(&self, req: RequestBuilder) -> Result<R, ClientError> {
        let resp = self.send(req).await?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| self.transport_error(e))?;
        if !status.is_success() {
            return Err(self.problem(status, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol {
            url: self.base.clone(),
            detail: format!("{status} with a body that does not decode: {e}"),
        })
    }

    /// Sends a request whose success has no body (204).
    async fn call_empty(&self, req: RequestBuilder) -> Result<(), ClientError> {
        let resp = self.send(req).await?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let bytes = resp.bytes().await.map_err(|e| self.transport_error(e))?;
        Err(self.problem(status, &bytes))
    }

    fn problem(&self, status: StatusCode, bytes: &[u8]) -> ClientError {
        match serde_json::from_slice::<ApiError>(bytes) {
            Ok(mut e) => {
                e.status = status.as_u16();
                ClientError::from(e)
            }
            Err(_) => {
                let snippet: String = String::from_utf8_lossy(bytes).chars().take(200).collect();
                ClientError::Protocol {
                    url: self.base.clone(),
                    detail: format!("{status} without a problem document: {snippet}"),
                }
            }
        }
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    fn post<B: Serialize>(&self, path: &str, body: &B) -> RequestBuilder {
        self.request(Method::POST, path).json(body)
    }

    // ---- meta ----------------------------------------------------------------------------------

    /// `GET /api/v1/hub`, within `timeout`.
    pub async fn hub_info(&self, timeout: Duration) -> Result<HubInfo, ClientError> {
        self.call(self.get("/api/v1/hub").timeout(timeout)).await
    }

    // ---- sign-in and enrollment ----------------------------------------------------------------

    /// `POST /api/v1/auth/login`.
    pub async fn login(&self, req: &LoginRequest) -> Result<LoginChallenge, ClientError> {
        self.call(self.post("/api/v1/auth/login", req)).await
    }

    /// `POST /api/v1/auth/login/mfa`.
    pub async fn login_mfa(&self, req: &MfaRequest) -> Result<SignedIn, ClientError> {
        self.call(self.post("/api/v1/auth/login/mfa", req)).await
    }

    /// `POST /api/v1/auth/enroll`.
    pub async fn enroll_start(
        &self,
        req: &EnrollStartRequest,
    ) -> Result<EnrollmentOffer, ClientError> {
        self.call(self.post("/api/v1/auth/enroll", req)).await
    }

    /// `POST /api/v1/auth/enroll/confirm`.
    pub async fn enroll_confirm(
        &self,
        req: &EnrollConfirmRequest,
    ) -> Result<Enrolled, ClientError> {
        self.call(self.post("/api/v1/auth/enroll/confirm", req))
            .await
    }

    /// `POST /api/v1/auth/logout`: ends this client's session.
    pub async fn logout(&self) -> Result<(), ClientError> {
        self.call_empty(self.request(Method::POST, "/api/v1/auth/logout"))
            .await
    }

    /// `POST /api/v1/auth/reauthenticate`: unlocks an idle app with a TOTP code.
    pub async fn reauthenticate(&self, req: &ReauthenticateRequest) -> Result<(), ClientError> {
        self.call_empty(self.post("/api/v1/auth/reauthenticate", req))
            .await
    }

    // ---- sessions ------------------------------------------------------------------------------

    /// `GET /api/v1/me`.
    pub async fn me(&self) -> Result<Me, ClientError> {
        self.call(self.get("/api/v1/me")).await
    }

    /// `GET /api/v1/sessions`.
    pub async fn my_sessions(&self) -> Result<Page<SessionView>, ClientError> {
        self.call(self.get("/api/v1/sessions")).await
    }

    /// `DELETE /api/v1/sessions/{id}`.
    pub async fn end_session(&self, id: Uuid) -> Result<(), ClientError> {
        self.call_empty(self.request(Method::DELETE, &format!("/api/v1/sessions/{id}")))
            .await
    }

    // ---- staff ---------------------------------------------------------------------------------

    /// `GET /api/v1/staff`.
    pub async fn list_staff(&self, q: &StaffQuery) -> Result<Page<StaffView>, ClientError> {
        self.call(self.get("/api/v1/staff").query(q)).await
    }

    /// `POST /api/v1/staff`.
    pub async fn invite_staff(
        &self,
        req: &InviteStaffRequest,
    ) -> Result<InviteIssued, ClientError> {
        self.call(self.post("/api/v1/staff", req)).await
    }

    /// `GET /api/v1/staff/{id}`.
    pub async fn get_staff(&self, id: Uuid) -> Result<StaffView, ClientError> {
        self.call(self.get(&format!("/api/v1/staff/{id}"))).await
    }

    /// `PUT /api/v1/staff/{id}/role`.
    pub async fn change_role(
        &self,
        id: Uuid,
        req: &ChangeRoleRequest,
    ) -> Result<StaffView, ClientError> {
        let path = format!("/api/v1/staff/{id}/role");
        self.call(self.request(Method::PUT, &path).json(req)).await
    }

    /// `POST /api/v1/staff/{id}/mfa-reset`.
    pub async fn reset_mfa(&self, id: Uuid, version: i64) -> Result<InviteIssued, ClientError> {
        let path = format!("/api/v1/staff/{id}/mfa-reset");
        self.call(self.post(&path, &VersionedRequest { version }))
            .await
    }

    /// `POST /api/v1/staff/{id}/deactivate`.
    pub async fn deactivate(&self, id: Uuid, version: i64) -> Result<StaffView, ClientError> {
        let path = format!("/api/v1/staff/{id}/deactivate");
        self.call(self.post(&path, &VersionedRequest { version }))
            .await
    }

    /// `GET /api/v1/staff/{id}/capabilities`.
    pub async fn capabilities(&self, id: Uuid) -> Result<Capabilities, ClientError> {
        self.call(self.get(&format!("/api/v1/staff/{id}/capabilities")))
            .await
    }

    /// `GET /api/v1/staff/{id}/sessions`.
    pub async fn staff_sessions(&self, id: Uuid) -> Result<Page<SessionView>, ClientError> {
        self.call(self.get(&format!("/api/v1/staff/{id}/sessions")))
            .await
    }

    /// `DELETE /api/v1/staff/{id}/sessions`.
    pub async fn end_staff_sessions(&self, id: Uuid) -> Result<SessionsEnded, ClientError> {
        let path = format!("/api/v1/staff/{id}/sessions");
        self.call(self.request(Method::DELETE, &path)).await
    }

    // ---- audit ---------------------------------------------------------------------------------

    /// `GET /api/v1/audit`.
    pub async fn list_audit(&self, q: &AuditQuery) -> Result<Page<AuditEntry>, ClientError> {
        self.call(self.get("/api/v1/audit").query(q)).await
    }

    /// `POST /api/v1/audit/verify`.
    pub async fn verify_audit(&self) -> Result<AuditVerification, ClientError> {
        self.call(self.request(Method::POST, "/api/v1/audit/verify"))
            .await
    }

    /// `GET /api/v1/security-events`.
    pub async fn security_events(
        &self,
        q: &SecurityEventQuery,
    ) -> Result<Page<SecurityEvent>, ClientError> {
        self.call(self.get("/api/v1/security-events").query(q))
            .await
    }
}

/// An error with its causes, so "connection refused" is not hidden behind "error sending request".
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_addresses_are_checked_and_normalized() {
        assert_eq!(
            normalize_hub_url(" https://Hub.Example.com/ ").unwrap(),
            "https://hub.example.com"
        );
        assert_eq!(
            normalize_hub_url("http://127.0.0.1:7300/opsdesk/").unwrap(),
            "http://127.0.0.1:7300/opsdesk"
        );
        for bad in [
            "",
            "hub.example.com",
            "ftp://hub.example.com",
            "https://",
            "https://me:pw@hub.example.com",
            "https://hub.example.com/?x=1",
            "not a url",
        ] {
            match normalize_hub_url(bad) {
                Err(ClientError::InvalidInput { field, .. }) => assert_eq!(field, "url", "{bad}"),
                other => panic!("{bad:?} was accepted: {other:?}"),
            }
        }
    }

    #[test]
    fn tokens_are_not_printed() {
        let t = SessionToken::new("ods_secret");
        assert!(!format!("{t:?}").contains("ods_secret"));
        let client = ApiClient::new("http://127.0.0.1:1").unwrap().with_token(t);
        assert!(!format!("{client:?}").contains("ods_secret"));
    }
}
