//! The live event log: events are written with the change that causes them (`Effects::events`),
//! numbered in commit order, and read back by number. A signal wakes the hub's dispatcher when
//! new ones may have committed: after a write on SQLite (one process), and on PostgreSQL on a
//! `NOTIFY opsdesk_events` from any hub on the database, so events cross hubs.

mod queries;
mod rows;

use crate::dialect::Dialect;
use crate::{EventRecord, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::Notify;

/// The PostgreSQL channel hubs announce new events on.
pub const EVENTS_CHANNEL: &str = "opsdesk_events";

/// Event log storage; part of every [`crate::Store`].
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Events numbered after `after`, in order, at most `limit`.
    async fn events_after(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>>;
    /// The number of the last event (0 when there is none).
    async fn last_event_seq(&self) -> StoreResult<i64>;
    /// The number of the oldest event kept (0 when there is none).
    async fn first_event_seq(&self) -> StoreResult<i64>;
    /// Deletes events older than `before`, keeping the last one (so numbering continues).
    /// Returns how many went.
    async fn prune_events(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// Notified (one stored permit) whenever new events may have committed.
    fn event_signal(&self) -> Arc<Notify>;
}

#[async_trait]
impl<D: Dialect> EventStore for D {
    async fn events_after(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>> {
        queries::events_after(self, after, limit).await
    }

    async fn last_event_seq(&self) -> StoreResult<i64> {
        queries::seq_bound(self, queries::LAST_SEQ).await
    }

    async fn first_event_seq(&self) -> StoreResult<i64> {
        queries::seq_bound(self, queries::FIRST_SEQ).await
    }

    async fn prune_events(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        queries::prune(self, before).await
    }

    fn event_signal(&self) -> Arc<Notify> {
        Dialect::event_signal(self)
    }
}
