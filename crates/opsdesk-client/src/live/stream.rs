//! The connection loop of one session's event stream: check the session, open
//! `GET /api/v1/events` resuming after the last event handled, read chunks through the SSE
//! parser into the router, and when the connection ends (hub restarted, network gone, no
//! heartbeat for 45 s) wait with backoff and open it again. It ends only when the hub refuses the
//! session, or when the desk stops it (sign-out, lock, another session).

use super::backoff::Backoff;
use super::inbox::{EventCursor, Inbox};
use super::route::Router;
use super::sse::SseParser;
use super::LiveShared;
use crate::api::ApiClient;
use crate::cache::Cache;
use crate::error::ClientError;
use crate::queue::QueueSync;
use chrono::Utc;
use opsdesk_core::events::Viewer;
use std::sync::Arc;
use std::time::Duration;

/// Three missed heartbeats (the hub sends one every 15 s): the connection is dead.
const SILENCE: Duration = Duration::from_secs(45);
/// After resuming, the hub sends what was missed at once; the first pause this long ends the
/// replay (what comes after it is live).
const REPLAY_PAUSE: Duration = Duration::from_millis(300);

/// What a stream needs from the desk.
#[derive(Clone)]
pub(crate) struct StreamSetup {
    /// The hub, acting with the session's token.
    pub api: ApiClient,
    pub cache: Cache,
    pub sync: Arc<QueueSync>,
    pub shared: Arc<LiveShared>,
    /// This stream's generation ([`LiveShared::next_generation`]).
    pub generation: u64,
    /// The cache's epoch when the stream started: nothing is written after a wipe.
    pub epoch: u64,
}

/// Starts the stream in the background.
pub(crate) fn spawn(setup: StreamSetup) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(setup))
}

/// Why a connection ended.
enum Ended {
    /// Try again after a wait.
    Retry,
    /// The hub no longer accepts the session.
    SessionGone,
}

async fn run(setup: StreamSetup) {
    let shared = setup.shared.clone();
    let mut backoff = Backoff::default();
    // The first connection after the app opened or was unlocked replays what happened while it
    // was away: that waits in the inbox. Later reconnects (a dropped network, a hub restart)
    // replay seconds-old events, which still pop up.
    let mut first = true;
    loop {
        match connect_once(&setup, &mut backoff, &mut first).await {
            Ended::SessionGone => {
                shared.set_connected(false);
                tracing::info!("the hub ended the session; the event stream stops");
                shared.observer().session_ended();
                return;
            }
            Ended::Retry => {
                shared.set_connected(false);
                let wait = backoff.next_wait();
                tracing::debug!(?wait, "event stream: reconnecting");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

async fn connect_once(setup: &StreamSetup, backoff: &mut Backoff, first: &mut bool) -> Ended {
    let gone = |e: &ClientError| {
        if e.is_session_gone() {
            Ended::SessionGone
        } else {
            tracing::info!(error = %e, "event stream: the hub cannot be reached");
            Ended::Retry
        }
    };
    // Who I am now (my role decides what pops up), and whether the session still works.
    let me = match setup.api.me().await {
        Ok(me) => me,
        Err(e) => return gone(&e),
    };
    let viewer = Viewer {
        id: me.staff.id,
        role: me.staff.role,
    };
    let inbox = Inbox::new(setup.cache.clone());
    let cursor = match inbox.cursor().await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "event stream: cannot read where it stopped");
            return Ended::Retry;
        }
    };
    // Without a cursor, the hub starts from now, and its first message (an `id:` line alone)
    // gives where: that is kept as the resume point like any event's id, so an app that never
    // receives an event does not replay from the start next time. A cursor without an id (the
    // first connection ended before that message) asks from 0: the hub replays everything if it
    // still keeps its first event, or else answers `resync` (screens reload and the inbox says
    // notifications may be missing); only what came after the floor is notified.
    let resume = cursor.map(|c| c.last_id.unwrap_or(0));
    let opened = match setup.api.open_events(resume).await {
        Ok(opened) => opened,
        Err(e) => return gone(&e),
    };
    let hub_now = opened.hub_time.unwrap_or_else(Utc::now);
    let cursor = match cursor {
        Some(c) => c,
        None => {
            let c = EventCursor {
                last_id: None,
                floor_at: hub_now,
            };
            if let Err(e) = inbox.set_cursor(setup.epoch, c).await {
                tracing::warn!(error = %e, "event stream: cannot keep where it starts");
            }
            c
        }
    };
    setup.shared.set_connected(true);
    let mut catching_up = std::mem::take(first) && resume.is_some();
    let mut router = Router::new(setup.clone(), inbox, viewer, cursor, catching_up);
    router.refresh_counts().await;
    let mut parser = SseParser::resuming(cursor.last_id.map(|id| id.to_string()));
    let mut response = opened.response;
    loop {
        let wait = if catching_up { REPLAY_PAUSE } else { SILENCE };
        match tokio::time::timeout(wait, response.chunk()).await {
            Ok(Ok(Some(bytes))) => {
                backoff.reset();
                let messages = parser.push(&bytes);
                let last = parser.last_event_id().and_then(|id| id.parse::<i64>().ok());
                if let Some(ended) = router.handle(messages, last).await {
                    return ended_by(ended);
                }
            }
            Ok(Ok(None)) => {
                tracing::info!("event stream: the hub closed the connection");
                return Ended::Retry;
            }
            Ok(Err(e)) => {
                tracing::info!(error = %e, "event stream: the connection broke");
                return Ended::Retry;
            }
            Err(_) if catching_up => {
                catching_up = false;
                router.caught_up();
            }
            Err(_) => {
                tracing::info!("event stream: no heartbeat from the hub; reconnecting");
                return Ended::Retry;
            }
        }
    }
}

fn ended_by(e: ClientError) -> Ended {
    if e.is_session_gone() {
        Ended::SessionGone
    } else {
        Ended::Retry
    }
}
