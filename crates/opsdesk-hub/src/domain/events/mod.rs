//! Live events: what each change tells the apps (drafts written with the change, in its
//! transaction, built by `crate::support::events`), the dispatcher that reads newly committed events from the
//! database and hands them to this hub's open streams, and the per-person stream with resume
//! (`stream`).
//!
//! Events are numbered in commit order by the store. The dispatcher wakes on the store's signal
//! (after a write on SQLite; on `NOTIFY` from any hub on PostgreSQL, so a change made through one
//! hub reaches apps connected to another) and at least once a second. A stream subscribes to the
//! dispatcher before it replays from the database, so nothing falls between replay and live, and
//! it skips what it already sent, so nothing is doubled; if it falls behind it replays again.

pub mod stream;

use crate::error::HubResult;
use crate::state::AppState;
use chrono::Duration;
use opsdesk_proto::HubEvent;
use opsdesk_store::EventRecord;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;

/// How long events are kept for resuming.
pub const RETENTION: Duration = Duration::hours(24);

/// Events read from the database per query.
pub(crate) const PAGE: u32 = 500;

/// This hub's fan-out of committed events to its open streams.
pub struct EventBus {
    tx: broadcast::Sender<Arc<EventRecord>>,
    /// The last event handed out.
    last: AtomicI64,
    /// Open streams, for metrics.
    pub streams: AtomicI64,
    /// Set when the hub stops: open streams end, so a graceful stop does not wait for them.
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            tx: broadcast::channel(4096).0,
            last: AtomicI64::new(-1),
            streams: AtomicI64::new(0),
            closing: tokio::sync::watch::channel(false).0,
        }
    }
}

impl EventBus {
    /// Ends every open stream (the hub is stopping); apps reconnect and resume elsewhere.
    pub fn close_streams(&self) {
        self.closing.send_replace(true);
    }

    /// A receiver of events handed out from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<EventRecord>> {
        self.tx.subscribe()
    }
}

/// The wire form of a stored event.
pub fn wire(e: &EventRecord) -> HubEvent {
    HubEvent {
        id: e.seq,
        at: e.draft.at,
        kind: e.draft.kind,
        subject_kind: e.draft.subject_kind,
        subject_id: e.draft.subject_id,
        actor_id: e.draft.actor_id,
        facts: e.draft.facts.clone(),
    }
}

/// Reads events committed since the last round and hands them out, in order.
pub async fn dispatch_once(state: &AppState) -> HubResult<usize> {
    let bus = &state.events;
    let mut last = bus.last.load(Ordering::Acquire);
    if last < 0 {
        // First round: only what commits from now on is live; streams replay the past.
        last = state.store.last_event_seq().await?;
    }
    let mut sent = 0;
    loop {
        let page = state.store.events_after(last, PAGE).await?;
        let n = page.len();
        for e in page {
            last = e.seq;
            sent += 1;
            let _ = bus.tx.send(Arc::new(e));
        }
        bus.last.store(last, Ordering::Release);
        if n < PAGE as usize {
            return Ok(sent);
        }
    }
}

/// Runs the dispatcher until the hub stops; also prunes events past retention hourly.
pub fn spawn_dispatcher(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let signal = state.store.event_signal();
        let mut prune = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tokio::select! {
                _ = signal.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                _ = prune.tick() => {
                    if let Err(e) = state.store.prune_events(state.now() - RETENTION).await {
                        tracing::warn!(error = %e, "pruning old events failed");
                    }
                }
            }
            if let Err(e) = dispatch_once(&state).await {
                tracing::warn!(error = %e, "event dispatch failed; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }
    })
}
