//! The error every endpoint returns: an RFC 9457 problem document with a stable `code`, decoded by
//! clients back into the same [`ApiError`].

use serde::{Deserialize, Serialize};

/// Media type of error bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error as it travels: HTTP status, stable machine code, a sentence for people, and what it
/// concerns (the request field or the missing permission) when that is known.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, thiserror::Error, ts_rs::TS,
)]
#[ts(export)]
#[error("{message} ({code})")]
pub struct ApiError {
    /// Problem type URI, `urn:opsdesk:problem:<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the status.
    pub title: String,
    pub status: u16,
    /// Stable machine code (`invalid_field`, `permission_denied`, `version_conflict`, ...).
    pub code: String,
    /// A sentence the person can act on.
    #[serde(rename = "detail")]
    pub message: String,
    /// The request field at fault, as a path (`role`, `items[2].name`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
    /// The permission that was missing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub permission: Option<String>,
    /// When a lock or limit ends (RFC 3339), for `account_locked` and `rate_limited`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retry_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Extra facts: for `version_conflict`, the record as it is now.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub current: Option<serde_json::Value>,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            type_uri: format!("urn:opsdesk:problem:{code}"),
            title: status_title(status).to_owned(),
            status,
            code: code.to_owned(),
            message: message.into(),
            field: None,
            permission: None,
            retry_at: None,
            current: None,
        }
    }

    /// 400 for a field that broke a rule; the message names the field.
    pub fn invalid_field(field: &str, rule: impl std::fmt::Display) -> Self {
        let mut e = ApiError::new(400, "invalid_field", format!("`{field}` {rule}"));
        e.field = Some(field.to_owned());
        e
    }

    /// 403 naming the missing permission.
    pub fn permission_denied(permission: &str) -> Self {
        let mut e = ApiError::new(
            403,
            "permission_denied",
            format!("this needs the `{permission}` permission, which your role does not have"),
        );
        e.permission = Some(permission.to_owned());
        e
    }
}

fn status_title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ if status >= 500 => "Internal Server Error",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_document_round_trips() {
        let mut e = ApiError::invalid_field("role", "is not a role");
        e.retry_at = None;
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], "urn:opsdesk:problem:invalid_field");
        assert_eq!(json["detail"], "`role` is not a role");
        assert_eq!(json["field"], "role");
        assert!(json.get("permission").is_none());
        let back: ApiError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }
}
