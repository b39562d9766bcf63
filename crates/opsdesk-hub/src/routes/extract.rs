//! Request extractors that turn every malformed input into a problem document naming the field:
//! JSON bodies, query strings, and the request context (`crate::context`): the client's address,
//! the signed-in caller, the integration and the idempotency key.

pub use crate::context::{Caller, ClientInfo, IdempotencyKey, Integration};
use crate::domain::auth::authenticate;
use crate::error::HubError;
use crate::state::AppState;
use crate::support::json::{field_error, parse_json};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request};
use axum::http::{header, request::Parts};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// A JSON body; refuses a wrong content type, invalid JSON, unknown fields and bad values with
/// the field's path in the error.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = HubError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(HubError::UnsupportedMediaType(
                "send the body as JSON with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status().as_u16() == 413 {
                HubError::BodyTooLarge
            } else {
                HubError::BadRequest {
                    code: "unreadable_body",
                    message: rejection.body_text(),
                }
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A path parameter (an id); a malformed one is a 400 naming `id`.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|_| HubError::field("id", "must be an id as returned by the hub (a UUID)"))
    }
}

/// Query-string parameters, with the same error reporting as bodies.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded(query));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                field_error(&path, &err.into_inner().to_string())
            })
    }
}

fn form_urlencoded(query: &str) -> url::form_urlencoded::Parse<'_> {
    url::form_urlencoded::parse(query.as_bytes())
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = HubError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let socket = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let forwarded = state
            .settings
            .trust_forwarded_for
            .then(|| parts.headers.get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        Ok(ClientInfo {
            addr: forwarded.unwrap_or(socket),
            user_agent,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        let key = value
            .to_str()
            .ok()
            .filter(|k| (1..=100).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                HubError::field(
                    "Idempotency-Key",
                    "must be 1 to 100 visible ASCII characters (a UUID is a good key)",
                )
            })?;
        Ok(IdempotencyKey(Some(key.to_owned())))
    }
}

impl FromRequestParts<AppState> for Integration {
    type Rejection = HubError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(|| {
                HubError::unauthenticated(
                    "not_signed_in",
                    "the intake endpoint needs `Authorization: Bearer <integration token>`",
                )
            })?;
        crate::domain::tenants::tokens::authenticate_integration(state, token).await
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = HubError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            HubError::unauthenticated(
                "not_signed_in",
                "sign in first: this needs `Authorization: Bearer <token>`",
            )
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(|| {
                HubError::unauthenticated(
                    "invalid_token",
                    "the Authorization header must be `Bearer <token>`",
                )
            })?;
        authenticate(state, token).await
    }
}
