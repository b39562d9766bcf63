//! The hub's error type and the one place where an error becomes an HTTP status and a problem
//! document (RFC 9457).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use opsdesk_core::rules::RuleViolation;
use opsdesk_proto::{ApiError, PROBLEM_JSON};
use opsdesk_store::StoreError;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// 400: a request field broke a rule.
    #[error("`{field}` {rule}")]
    InvalidField { field: String, rule: String },
    /// 400: the request as a whole is malformed (not JSON, an unreadable body).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 404: no route has this path.
    #[error("there is no such endpoint; see /api/v1/openapi.json")]
    NoSuchEndpoint,
    /// 405: the route exists but not with this method.
    #[error("this endpoint does not accept that method; see /api/v1/openapi.json")]
    MethodNotAllowed,
    /// 413: the body is larger than the route accepts.
    #[error("the request body is larger than the hub accepts (64 KiB)")]
    BodyTooLarge,
    /// 415: the body is not in a format the route reads; the message says which it takes.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 401: not signed in, or the credentials are wrong.
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    /// 403/422: a role or rule forbids it.
    #[error("{0}")]
    Rule(#[from] RuleViolation),
    /// 403: tenant data without an active grant covering it.
    #[error("{0}")]
    Denied(#[from] opsdesk_core::access::AccessDenied),
    /// 404.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409: a stale version; carries the record as it is now.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        current: Option<serde_json::Value>,
    },
    /// 422: the request is well-formed but the state does not allow it.
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// 422: the account is locked until the given time.
    #[error("this account is locked after repeated failed sign-ins; try again after {until}")]
    Locked { until: DateTime<Utc> },
    /// 429.
    #[error("too many attempts from this address; try again in {retry_after_secs} s")]
    RateLimited {
        retry_after_secs: u64,
        retry_at: DateTime<Utc>,
    },
    /// 503: the database does not answer.
    #[error("the hub's database is not reachable")]
    Unavailable,
    /// 500: a bug or an unexpected failure; logged, never shown in detail.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A core rule's refusal naming the field becomes a 400 naming it.
impl From<opsdesk_core::validate::FieldError> for HubError {
    fn from(e: opsdesk_core::validate::FieldError) -> Self {
        HubError::field(&e.field, e.rule)
    }
}

/// Result alias for services.
pub type HubResult<T> = Result<T, HubError>;

impl HubError {
    /// A 400 naming the field and the rule.
    pub fn field(field: &str, rule: impl std::fmt::Display) -> Self {
        HubError::InvalidField {
            field: field.to_owned(),
            rule: rule.to_string(),
        }
    }

    /// A 401 with a code and a sentence.
    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> Self {
        HubError::Unauthenticated {
            code,
            message: message.into(),
        }
    }

    /// A 422 with a code and a sentence.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        HubError::Unprocessable {
            code,
            message: message.into(),
        }
    }

    /// The wire form: status, stable code, message and context.
    pub fn to_api_error(&self) -> ApiError {
        match self {
            HubError::InvalidField { field, rule } => ApiError::invalid_field(field, rule),
            HubError::BadRequest { code, message } => ApiError::new(400, code, message),
            HubError::NoSuchEndpoint => ApiError::new(404, "no_such_endpoint", self.to_string()),
            HubError::MethodNotAllowed => {
                ApiError::new(405, "method_not_allowed", self.to_string())
            }
            HubError::BodyTooLarge => ApiError::new(413, "body_too_large", self.to_string()),
            HubError::UnsupportedMediaType(message) => {
                ApiError::new(415, "unsupported_media_type", message)
            }
            HubError::Unauthenticated { code, message } => ApiError::new(401, code, message),
            HubError::Rule(RuleViolation::MissingPermission(p)) => {
                ApiError::permission_denied(p.as_str())
            }
            HubError::Rule(
                v @ (RuleViolation::OnlyAdminsManageTopTiers
                | RuleViolation::TargetAboveManagerReach
                | RuleViolation::SelfAction(_)
                | RuleViolation::SelfReview
                | RuleViolation::ReviewerTierTooLow),
            ) => ApiError::new(403, v.code(), v.to_string()),
            HubError::Rule(v) => ApiError::new(422, v.code(), v.to_string()),
            HubError::Denied(d) => ApiError::new(403, d.code(), d.to_string()),
            HubError::NotFound(what) => {
                ApiError::new(404, "not_found", format!("{what} not found"))
            }
            HubError::Conflict {
                code,
                message,
                current,
            } => {
                let mut e = ApiError::new(409, code, message);
                e.current = current.clone();
                e
            }
            HubError::Unprocessable { code, message } => ApiError::new(422, code, message),
            HubError::Locked { until } => {
                let mut e = ApiError::new(422, "account_locked", self.to_string());
                e.retry_at = Some(*until);
                e
            }
            HubError::RateLimited { retry_at, .. } => {
                let mut e = ApiError::new(429, "rate_limited", self.to_string());
                e.retry_at = Some(*retry_at);
                e
            }
            HubError::Unavailable => ApiError::new(503, "database_unavailable", self.to_string()),
            HubError::Internal(_) => ApiError::new(
                500,
                "internal_error",
                "something went wrong on the hub; the operation was not applied",
            ),
        }
    }
}

impl From<opsdesk_core::ticket::TicketRuleError> for HubError {
    fn from(e: opsdesk_core::ticket::TicketRuleError) -> Self {
        HubError::unprocessable(e.code(), e.to_string())
    }
}

impl From<StoreError> for HubError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => HubError::NotFound("record"),
            StoreError::GrantEnded => HubError::Denied(opsdesk_core::access::AccessDenied::Ended),
            StoreError::VersionConflict => HubError::Conflict {
                code: "version_conflict",
                message: "someone else changed this record; review the current version".into(),
                current: None,
            },
            StoreError::Duplicate { field } => HubError::Conflict {
                code: "duplicate",
                message: format!("`{field}` is already taken"),
                current: None,
            },
            StoreError::AlreadyUsed(what) => {
                HubError::unprocessable("already_used", format!("already used: {what}"))
            }
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => {
                HubError::Unavailable
            }
            other => HubError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        if let HubError::Internal(detail) = &self {
            tracing::error!(error = %detail, "request failed");
        }
        let api = self.to_api_error();
        let status = StatusCode::from_u16(api.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&api).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match &self {
            HubError::Unauthenticated { .. } => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            HubError::RateLimited {
                retry_after_secs, ..
            } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        response
    }
}
