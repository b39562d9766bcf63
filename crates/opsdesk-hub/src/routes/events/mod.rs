//! The live event stream.

use crate::domain::events::stream::{open_stream, StreamItem};
use crate::error::HubError;
use crate::routes::extract::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use opsdesk_proto::{ApiError, HubEvent, EVENT_CHANGE, EVENT_RESYNC};
use std::convert::Infallible;
use std::time::Duration;

/// How often an idle stream sends a comment line, so proxies and the app know it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// Server-Sent Events for the signed-in person: `change` events (a [`HubEvent`] whose `id` is
/// the SSE id) for what they may see, in commit order, and heartbeats every 15 s. Send the last
/// id you received as `Last-Event-ID` to resume without losing or repeating an event (the hub
/// keeps a day); a `resync` event says the resume point is older than that. A message with only
/// an `id:` line (no data, so not dispatched as an event) gives the resume point without an
/// event: first thing on a stream opened without `Last-Event-ID` (the last event number now),
/// after a replay that ended with events this person may not see, and while live at the stream's
/// session check (every 30 s by default) when the events since were all ones they may not see.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", security(("bearer" = [])), params(
    ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event"),
), responses(
    (status = 200, description = "text/event-stream of `change` events carrying HubEvent, and id-only messages giving the resume point", body = HubEvent, content_type = "text/event-stream"),
    (status = 400, description = "`Last-Event-ID` is not an event position", body = ApiError, content_type = "application/problem+json"),
    (status = 401, body = ApiError, content_type = "application/problem+json"),
))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, HubError> {
    let last_id = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    HubError::field("Last-Event-ID", "must be an event id the hub sent")
                })?,
        ),
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    let rx = open_stream(&state, caller, token, last_id).await?;
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        let item = rx.recv().await?;
        let event = match item {
            StreamItem::Event(e) => Event::default()
                .id(e.id.to_string())
                .event(EVENT_CHANGE)
                .json_data(&e)
                .unwrap_or_else(|_| Event::default().comment("unserializable event")),
            StreamItem::Resync { last } => Event::default()
                .id(last.to_string())
                .event(EVENT_RESYNC)
                .data(last.to_string()),
            // `id: <last>` and a blank line: clients update their last event id, nothing more.
            StreamItem::Position { last } => Event::default().id(last.to_string()),
        };
        Some((Ok(event), rx))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")))
}
