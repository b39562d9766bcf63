//! The hub's HTTP API as typed calls: one method per endpoint, problem documents decoded back into
//! [`ApiError`], connection failures into [`ClientError::Unreachable`] naming the hub. The ticket
//! endpoints live in `api/tickets.rs`, cross-tenant access and tenant data in `api/access.rs`,
//! the live event stream in `api/events.rs`.

mod access;
mod events;
mod tickets;

pub use events::OpenedEvents;

use crate::error::ClientError;
use opsdesk_hub_client::{HubClient, HubClientError};
use opsdesk_proto::{
    AuditEntry, AuditQuery, AuditVerification, Capabilities, ChangeRoleRequest,
    EnrollConfirmRequest, EnrollStartRequest, Enrolled, EnrollmentOffer, HubInfo, InviteIssued,
    InviteStaffRequest, LoginChallenge, LoginRequest, Me, MfaRequest, Page, ReauthenticateRequest,
    SecurityEvent, SecurityEventQuery, SessionView, SessionsEnded, SignedIn, StaffQuery, StaffView,
    VersionedRequest,
};
use reqwest::{StatusCode, Url};
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

/// A client for one hub, optionally acting with a session token. The calls themselves are
/// [`HubClient`]'s; this maps its errors into [`ClientError`] naming the hub.
#[derive(Clone)]
pub struct ApiClient {
    hub: HubClient,
    token: Option<SessionToken>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.hub.base_url())
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
            hub: HubClient::new(http, base),
            token: None,
        })
    }

    /// The hub's normalized address.
    pub fn base_url(&self) -> &str {
        self.hub.base_url()
    }

    /// The same hub, acting with `token`.
    pub fn with_token(&self, token: SessionToken) -> ApiClient {
        ApiClient {
            hub: self.hub.with_token(token.expose()),
            token: Some(token),
        }
    }

    /// The token this client acts with, if any.
    pub fn token(&self) -> Option<&SessionToken> {
        self.token.as_ref()
    }

    /// A call's result, its error mapped: a problem document into `ApiError` (with the answer's
    /// status), no answer into [`ClientError::Unreachable`], anything else into
    /// [`ClientError::Protocol`].
    fn lift<T>(&self, result: Result<T, HubClientError>) -> Result<T, ClientError> {
        result.map_err(|e| self.client_error(e))
    }

    fn client_error(&self, e: HubClientError) -> ClientError {
        let url = self.base_url().to_owned();
        let status_text = |status: u16| {
            StatusCode::from_u16(status).map_or_else(|_| status.to_string(), |s| s.to_string())
        };
        match e {
            HubClientError::Problem {
                status,
                mut problem,
                ..
            } => {
                problem.status = status;
                ClientError::from(*problem)
            }
            HubClientError::NotAProblem { status, snippet } => ClientError::Protocol {
                url,
                detail: format!(
                    "{} without a problem document: {snippet}",
                    status_text(status)
                ),
            },
            HubClientError::Undecodable { status, detail } => ClientError::Protocol {
                url,
                detail: format!("{} with a body that {detail}", status_text(status)),
            },
            HubClientError::Transport(e) if e.is_connect() || e.is_timeout() || e.is_request() => {
                ClientError::Unreachable {
                    url,
                    detail: error_chain(&e),
                }
            }
            HubClientError::Transport(e) => ClientError::Protocol {
                url,
                detail: error_chain(&e),
            },
        }
    }

    // ---- meta ----------------------------------------------------------------------------------

    /// `GET /api/v1/hub`, within `timeout`.
    pub async fn hub_info(&self, timeout: Duration) -> Result<HubInfo, ClientError> {
        self.lift(self.hub.with_timeout(timeout).hub_info().await)
    }

    // ---- sign-in and enrollment ----------------------------------------------------------------

    /// `POST /api/v1/auth/login`.
    pub async fn login(&self, req: &LoginRequest) -> Result<LoginChallenge, ClientError> {
        self.lift(self.hub.login(req).await)
    }

    /// `POST /api/v1/auth/login/mfa`.
    pub async fn login_mfa(&self, req: &MfaRequest) -> Result<SignedIn, ClientError> {
        self.lift(self.hub.login_mfa(req).await)
    }

    /// `POST /api/v1/auth/enroll`.
    pub async fn enroll_start(
        &self,
        req: &EnrollStartRequest,
    ) -> Result<EnrollmentOffer, ClientError> {
        self.lift(self.hub.enroll_start(req).await)
    }

    /// `POST /api/v1/auth/enroll/confirm`.
    pub async fn enroll_confirm(
        &self,
        req: &EnrollConfirmRequest,
    ) -> Result<Enrolled, ClientError> {
        self.lift(self.hub.enroll_confirm(req).await)
    }

    /// `POST /api/v1/auth/logout`: ends this client's session.
    pub async fn logout(&self) -> Result<(), ClientError> {
        self.lift(self.hub.logout().await)
    }

    /// `POST /api/v1/auth/reauthenticate`: unlocks an idle app with a TOTP code.
    pub async fn reauthenticate(&self, req: &ReauthenticateRequest) -> Result<(), ClientError> {
        self.lift(self.hub.reauthenticate(req).await)
    }

    // ---- sessions ------------------------------------------------------------------------------

    /// `GET /api/v1/me`.
    pub async fn me(&self) -> Result<Me, ClientError> {
        self.lift(self.hub.me().await)
    }

    /// `GET /api/v1/sessions`.
    pub async fn my_sessions(&self) -> Result<Page<SessionView>, ClientError> {
        self.lift(self.hub.my_sessions().await)
    }

    /// `DELETE /api/v1/sessions/{id}`.
    pub async fn end_session(&self, id: Uuid) -> Result<(), ClientError> {
        self.lift(self.hub.end_session(id).await)
    }

    // ---- staff ---------------------------------------------------------------------------------

    /// `GET /api/v1/staff`.
    pub async fn list_staff(&self, q: &StaffQuery) -> Result<Page<StaffView>, ClientError> {
        self.lift(self.hub.list_staff(q).await)
    }

    /// `POST /api/v1/staff`.
    pub async fn invite_staff(
        &self,
        req: &InviteStaffRequest,
    ) -> Result<InviteIssued, ClientError> {
        self.lift(self.hub.invite_staff(req).await)
    }

    /// `GET /api/v1/staff/{id}`.
    pub async fn get_staff(&self, id: Uuid) -> Result<StaffView, ClientError> {
        self.lift(self.hub.get_staff(id).await)
    }

    /// `PUT /api/v1/staff/{id}/role`.
    pub async fn change_role(
        &self,
        id: Uuid,
        req: &ChangeRoleRequest,
    ) -> Result<StaffView, ClientError> {
        self.lift(self.hub.change_role(id, req).await)
    }

    /// `POST /api/v1/staff/{id}/mfa-reset`.
    pub async fn reset_mfa(&self, id: Uuid, version: i64) -> Result<InviteIssued, ClientError> {
        self.lift(self.hub.reset_mfa(id, &VersionedRequest { version }).await)
    }

    /// `POST /api/v1/staff/{id}/deactivate`.
    pub async fn deactivate(&self, id: Uuid, version: i64) -> Result<StaffView, ClientError> {
        self.lift(self.hub.deactivate(id, &VersionedRequest { version }).await)
    }

    /// `GET /api/v1/staff/{id}/capabilities`.
    pub async fn capabilities(&self, id: Uuid) -> Result<Capabilities, ClientError> {
        self.lift(self.hub.capabilities(id).await)
    }

    /// `GET /api/v1/staff/{id}/sessions`.
    pub async fn staff_sessions(&self, id: Uuid) -> Result<Page<SessionView>, ClientError> {
        self.lift(self.hub.staff_sessions(id).await)
    }

    /// `DELETE /api/v1/staff/{id}/sessions`.
    pub async fn end_staff_sessions(&self, id: Uuid) -> Result<SessionsEnded, ClientError> {
        self.lift(self.hub.end_staff_sessions(id).await)
    }

    // ---- audit ---------------------------------------------------------------------------------

    /// `GET /api/v1/audit`.
    pub async fn list_audit(&self, q: &AuditQuery) -> Result<Page<AuditEntry>, ClientError> {
        self.lift(self.hub.list_audit(q).await)
    }

    /// `POST /api/v1/audit/verify`.
    pub async fn verify_audit(&self) -> Result<AuditVerification, ClientError> {
        self.lift(self.hub.verify_audit().await)
    }

    /// `GET /api/v1/security-events`.
    pub async fn security_events(
        &self,
        q: &SecurityEventQuery,
    ) -> Result<Page<SecurityEvent>, ClientError> {
        self.lift(self.hub.security_events(q).await)
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
