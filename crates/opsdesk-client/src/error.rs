//! What can go wrong in the desktop core, and the one place it becomes what the UI shows: a stable
//! `code`, a sentence a person can act on, the field at fault, and when to retry.

use chrono::{DateTime, Utc};
use opsdesk_proto::ApiError;
use serde::{Deserialize, Serialize};

/// Session codes the hub answers with 401 when a token no longer works (as opposed to a wrong
/// code or password, which are 401 too).
const SESSION_GONE_CODES: &[&str] = &["invalid_token", "session_expired", "account_inactive"];

/// Everything a desktop operation can fail with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The hub refused the request; its problem document, decoded (boxed: it is large and errors
    /// travel through many frames).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The hub could not be reached (connection refused, DNS, TLS, timeout).
    #[error("the hub at {url} is not reachable: {detail}")]
    Unreachable { url: String, detail: String },
    /// The hub answered with something that is not the Opsdesk API (a proxy's error page, a body
    /// that does not decode).
    #[error("the hub at {url} gave an answer Opsdesk does not understand: {detail}")]
    Protocol { url: String, detail: String },
    /// The operation needs a signed-in session and there is none.
    #[error("not signed in")]
    NotSignedIn,
    /// The kept session no longer works (expired, ended elsewhere, account deactivated).
    #[error("the session has expired")]
    SessionExpired,
    /// No hub is configured yet (first launch, or after forgetting the hub).
    #[error("no hub is configured")]
    NoHub,
    /// The server at `url` answers, but it is not an Opsdesk hub.
    #[error("{url} is not an Opsdesk hub")]
    NotAnOpsdeskHub { url: String },
    /// An Opsdesk hub that speaks an API version this app does not.
    #[error("the hub at {url} speaks API {api_version}; this app speaks v1")]
    IncompatibleHub { url: String, api_version: String },
    /// The operation exists only for the local workspace.
    #[error("this works only in the local workspace")]
    NotLocalWorkspace,
    /// The local workspace hub could not start or answer.
    #[error("the local workspace: {0}")]
    LocalWorkspace(String),
    /// A value typed by the person breaks a rule; `field` names it.
    #[error("`{field}` {message}")]
    InvalidInput { field: String, message: String },
    /// The OS keyring refused or is missing.
    #[error("keyring: {0}")]
    Keyring(String),
    /// The settings file exists but cannot be read as settings.
    #[error("the settings file {path} cannot be read: {detail}")]
    CorruptConfig { path: String, detail: String },
    /// The settings file or the local cache could not be read or written.
    #[error("storage: {0}")]
    Storage(String),
    /// A tenant's data is closed to this session: no grant opens it, or another tenant is in
    /// scope. `code` is the hub's (`no_active_grant`, `grant_not_started`, ...) or
    /// `tenant_not_selected`.
    #[error("{message}")]
    TenantAccess { code: String, message: String },
}

/// An error as the UI receives it: match on `code`, show `message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UiError {
    /// Stable machine code: the hub's codes (`invalid_credentials`, `account_locked`, ...) or the
    /// app's own (`hub_unreachable`, `session_expired`, `keyring_unavailable`, ...).
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
    /// When trying again can work (a lock or a rate limit ends).
    pub retry_at: Option<DateTime<Utc>>,
}

impl UiError {
    fn new(code: &str, message: impl Into<String>) -> Self {
        UiError {
            code: code.to_owned(),
            message: message.into(),
            field: None,
            retry_at: None,
        }
    }
}

impl ClientError {
    /// An input error naming the field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ClientError::InvalidInput {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The hub's machine code when the hub refused the request.
    pub fn api_code(&self) -> Option<&str> {
        match self {
            ClientError::Api(e) => Some(&e.code),
            _ => None,
        }
    }

    /// True when a kept session stopped working (so the token should be forgotten).
    pub(crate) fn is_session_gone(&self) -> bool {
        matches!(self, ClientError::Api(e) if e.status == 401 && SESSION_GONE_CODES.contains(&e.code.as_str()))
    }

    /// What the UI shows for this error.
    pub fn to_ui(&self) -> UiError {
        match self {
            ClientError::Api(e) => UiError {
                code: e.code.clone(),
                message: sentence(&e.message),
                field: e.field.clone(),
                retry_at: e.retry_at,
            },
            ClientError::Unreachable { url, .. } => UiError::new(
                "hub_unreachable",
                format!(
                    "The hub at {url} is not reachable. Check the address and your connection, \
                     then retry."
                ),
            ),
            ClientError::Protocol { url, .. } => UiError::new(
                "hub_protocol_error",
                format!(
                    "The hub at {url} gave an answer this app does not understand. It may be \
                     behind a proxy that is failing, or run a different version; retry, or ask \
                     your administrator."
                ),
            ),
            ClientError::NotSignedIn => UiError::new("not_signed_in", "Sign in to continue."),
            ClientError::SessionExpired => UiError::new(
                "session_expired",
                "Your session has expired. Sign in again.",
            ),
            ClientError::NoHub => UiError::new(
                "no_hub",
                "No hub is set up yet. Connect to your team's hub or start a local workspace.",
            ),
            ClientError::NotAnOpsdeskHub { url } => {
                let mut e = UiError::new(
                    "not_an_opsdesk_hub",
                    format!(
                        "The server at {url} answers, but it is not an Opsdesk hub. Check the \
                         address with your administrator."
                    ),
                );
                e.field = Some("url".into());
                e
            }
            ClientError::IncompatibleHub { url, api_version } => {
                let mut e = UiError::new(
                    "incompatible_hub",
                    format!(
                        "The hub at {url} speaks API {api_version}, which this version of \
                         Opsdesk does not. Update the app or ask your administrator which \
                         version to use."
                    ),
                );
                e.field = Some("url".into());
                e
            }
            ClientError::NotLocalWorkspace => UiError::new(
                "not_local_workspace",
                "This is only possible in the local workspace. On a team hub, an administrator \
                 invites you.",
            ),
            ClientError::LocalWorkspace(detail) => UiError::new(
                "local_workspace_failed",
                format!(
                    "The local workspace could not start ({detail}). Retry, or forget this \
                     workspace and connect to a hub instead."
                ),
            ),
            ClientError::InvalidInput { field, message } => UiError {
                code: "invalid_field".into(),
                message: sentence(&format!("`{field}` {message}")),
                field: Some(field.clone()),
                retry_at: None,
            },
            ClientError::Keyring(detail) => UiError::new(
                "keyring_unavailable",
                format!(
                    "Opsdesk keeps your session in the system keyring, which is not available \
                     ({detail}). Unlock or start your keyring (for example GNOME Keyring or \
                     KWallet), then sign in again."
                ),
            ),
            ClientError::CorruptConfig { path, detail } => UiError::new(
                "config_unreadable",
                format!(
                    "The settings file {path} cannot be read ({detail}). Fix it, or delete it \
                     to start with default settings."
                ),
            ),
            ClientError::TenantAccess { code, message } => UiError::new(code, sentence(message)),
            ClientError::Storage(detail) => UiError::new(
                "storage_failed",
                format!(
                    "Opsdesk could not read or write its files ({detail}). Check that the disk \
                     has space and the app's folders are writable, then retry."
                ),
            ),
        }
    }
}

impl From<ApiError> for ClientError {
    fn from(e: ApiError) -> Self {
        ClientError::Api(Box::new(e))
    }
}

impl From<sqlx::Error> for ClientError {
    fn from(e: sqlx::Error) -> Self {
        ClientError::Storage(format!("local cache: {e}"))
    }
}

impl From<sqlx::migrate::MigrateError> for ClientError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        ClientError::Storage(format!("local cache: {e}"))
    }
}

/// The hub's messages are clauses (`the username or password is wrong`); the UI shows sentences.
fn sentence(message: &str) -> String {
    let message = message.trim();
    let mut chars = message.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_errors_keep_code_field_and_retry_time() {
        let mut api = ApiError::new(422, "account_locked", "this account is locked");
        let until = Utc::now();
        api.retry_at = Some(until);
        api.field = Some("username".into());
        let ui = ClientError::from(api).to_ui();
        assert_eq!(ui.code, "account_locked");
        assert_eq!(ui.message, "This account is locked.");
        assert_eq!(ui.field.as_deref(), Some("username"));
        assert_eq!(ui.retry_at, Some(until));
    }

    #[test]
    fn app_errors_have_stable_codes_and_actionable_sentences() {
        let ui = ClientError::Unreachable {
            url: "https://hub.example.com".into(),
            detail: "connection refused".into(),
        }
        .to_ui();
        assert_eq!(ui.code, "hub_unreachable");
        assert_eq!(
            ui.message,
            "The hub at https://hub.example.com is not reachable. Check the address and your \
             connection, then retry."
        );
        let ui = ClientError::SessionExpired.to_ui();
        assert_eq!(
            (ui.code.as_str(), ui.message.as_str()),
            (
                "session_expired",
                "Your session has expired. Sign in again."
            )
        );
        assert_eq!(
            ClientError::Keyring("no backend".into()).to_ui().code,
            "keyring_unavailable"
        );
        let ui = ClientError::invalid("url", "must start with http:// or https://").to_ui();
        assert_eq!(ui.field.as_deref(), Some("url"));
        assert_eq!(ui.message, "`url` must start with http:// or https://.");
    }

    #[test]
    fn only_dead_session_codes_count_as_an_ended_session() {
        let gone = ClientError::from(ApiError::new(401, "session_expired", "expired"));
        let wrong_code = ClientError::from(ApiError::new(401, "invalid_code", "wrong"));
        assert!(gone.is_session_gone());
        assert!(!wrong_code.is_session_gone());
    }
}
