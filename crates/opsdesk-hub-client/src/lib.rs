//! A typed client for the Opsdesk hub's HTTP API: one async method per route, built on the
//! paths of [`opsdesk_proto::routes`]. Non-2xx answers come back as the problem document
//! ([`HubClientError::Problem`]), anything else as transport or protocol errors. Headers the API
//! reads (`Idempotency-Key`, `Last-Event-ID`) are method arguments. Routes live by area in
//! `auth.rs`, `staff.rs`, `tickets.rs`, `tenants.rs` and `access.rs`.
#![forbid(unsafe_code)]

mod access;
mod auth;
mod error;
mod staff;
mod tenants;
mod tickets;

pub use error::HubClientError;
pub use opsdesk_proto::routes;

use opsdesk_proto::{ApiError, PROBLEM_JSON};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

/// The header that makes a write safe to retry.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// The header that resumes the event stream after an event id.
pub const LAST_EVENT_ID: &str = "Last-Event-ID";

/// A client for one hub, optionally acting with a bearer token.
#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    timeout: Option<Duration>,
}

impl std::fmt::Debug for HubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubClient")
            .field("base", &self.base)
            .field("signed_in", &self.token.is_some())
            .finish()
    }
}

/// The result of a call.
pub type HubResult<T> = Result<T, HubClientError>;

impl HubClient {
    /// A client for the hub at `base` (`http(s)://host[:port][/prefix]`, without a trailing
    /// slash), sending with `http`, which the caller builds (TLS, user agent, timeouts).
    pub fn new(http: reqwest::Client, base: impl Into<String>) -> HubClient {
        HubClient {
            http,
            base: base.into().trim_end_matches('/').to_owned(),
            token: None,
            timeout: None,
        }
    }

    /// The hub's address as given.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The token this client acts with, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The same hub, acting with `token`.
    pub fn with_token(&self, token: impl Into<String>) -> HubClient {
        HubClient {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    /// The same hub, acting without a token.
    pub fn anonymous(&self) -> HubClient {
        HubClient {
            token: None,
            ..self.clone()
        }
    }

    /// The same hub, each request limited to `timeout` (instead of the HTTP client's limit).
    pub fn with_timeout(&self, timeout: Duration) -> HubClient {
        HubClient {
            timeout: Some(timeout),
            ..self.clone()
        }
    }

    /// The full URL of an API path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request to `path` carrying the token, for what has no typed method (the event stream,
    /// malformed requests in tests).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut req = self.http.request(method, self.url(path));
        if let Some(timeout) = self.timeout {
            req = req.timeout(timeout);
        }
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    fn get_query<Q: Serialize + ?Sized>(&self, path: &str, query: &Q) -> RequestBuilder {
        self.request(Method::GET, path).query(query)
    }

    fn json<B: Serialize + ?Sized>(&self, method: Method, path: &str, body: &B) -> RequestBuilder {
        self.request(method, path).json(body)
    }

    /// A write with its idempotency key when one is given.
    fn write<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        key: Option<&str>,
    ) -> RequestBuilder {
        let mut req = self.request(method, path);
        if let Some(key) = key {
            req = req.header(IDEMPOTENCY_KEY, key);
        }
        match body {
            Some(body) => req.json(body),
            None => req,
        }
    }

    /// Sends and decodes the JSON answer, or the problem document.
    pub async fn send_json<R: DeserializeOwned>(&self, req: RequestBuilder) -> HubResult<R> {
        let (status, bytes) = self.answer(req).await?;
        serde_json::from_slice(&bytes).map_err(|e| HubClientError::Undecodable {
            status,
            detail: format!("does not decode: {e}"),
        })
    }

    /// Sends a request whose success has no body (204).
    pub async fn send_empty(&self, req: RequestBuilder) -> HubResult<()> {
        self.answer(req).await.map(|_| ())
    }

    /// Sends and reads a text answer (an export), or the problem document.
    pub async fn send_text(&self, req: RequestBuilder) -> HubResult<String> {
        let (status, bytes) = self.answer(req).await?;
        String::from_utf8(bytes).map_err(|e| HubClientError::Undecodable {
            status,
            detail: format!("is not UTF-8: {e}"),
        })
    }

    /// Sends and returns the response when it is a success, for answers read as a stream.
    pub async fn send_raw(&self, req: RequestBuilder) -> HubResult<Response> {
        let resp = req.send().await.map_err(HubClientError::Transport)?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        Err(problem(resp).await)
    }

    /// A successful answer's status and body, or the error the answer is.
    async fn answer(&self, req: RequestBuilder) -> HubResult<(u16, Vec<u8>)> {
        let resp = self.send_raw(req).await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(HubClientError::Transport)?;
        Ok((status, bytes.to_vec()))
    }
}

/// The error a non-2xx answer is: its problem document, or what it was instead.
async fn problem(resp: Response) -> HubClientError {
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = match resp.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return HubClientError::Transport(e),
    };
    match serde_json::from_slice::<ApiError>(&bytes) {
        Ok(problem) => HubClientError::Problem {
            status,
            problem_json: content_type.starts_with(PROBLEM_JSON),
            problem: Box::new(problem),
        },
        Err(_) => HubClientError::NotAProblem {
            status,
            snippet: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
        },
    }
}
