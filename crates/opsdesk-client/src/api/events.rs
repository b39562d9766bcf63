//! The hub's live event stream (`GET /api/v1/events`): opening it, resuming after an event id.
//! Reading it is the stream's business (`live/stream.rs`).

use super::ApiClient;
use crate::error::ClientError;
use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_TYPE, DATE};
use reqwest::Response;
use std::time::Duration;

/// How long one stream connection may live. The client's 60-second limit on a whole request
/// would cut every stream; past a day the stream reconnects and resumes, losing nothing.
const STREAM_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// An open event stream.
#[derive(Debug)]
pub struct OpenedEvents {
    /// The response whose body is the stream.
    pub response: Response,
    /// The hub's clock when it answered (its `Date` header), to tell replayed events from live
    /// ones without trusting this computer's clock.
    pub hub_time: Option<DateTime<Utc>>,
}

impl ApiClient {
    /// `GET /api/v1/events` with `Last-Event-ID: last_id` when resuming.
    pub async fn open_events(&self, last_id: Option<i64>) -> Result<OpenedEvents, ClientError> {
        let opened = self
            .hub
            .with_timeout(STREAM_LIFETIME)
            .open_events(last_id)
            .await;
        let response = self.lift(opened)?;
        let is_stream = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_stream {
            return Err(ClientError::Protocol {
                url: self.base_url().to_owned(),
                detail: format!("{} but not an event stream", response.status()),
            });
        }
        let hub_time = response
            .headers()
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .map(|t| t.with_timezone(&Utc));
        Ok(OpenedEvents { response, hub_time })
    }
}
