//! What the queue and ticket screens receive from the app core: pages read from the local cache,
//! the sync state, and the outbox of writes waiting for the hub.

use crate::error::UiError;
use chrono::{DateTime, Utc};
use opsdesk_proto::{
    AssignTarget, Priority, QueueCounts, SavedFilterView, TicketConflict, TicketDetail,
    TicketStatus, TicketSummary,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where the local cache stands against the hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SyncStatus {
    /// The cache may be behind the hub: a sync has not caught up since the app opened, or the
    /// hub is unreachable.
    pub stale: bool,
    /// When the cache last caught up with the hub.
    pub synced_at: Option<DateTime<Utc>>,
    /// Tickets held in the cache.
    pub cached_tickets: i64,
    /// Why the last sync failed, if it did.
    pub last_error: Option<UiError>,
    /// Writes not yet accepted by the hub, oldest first.
    pub outbox: Vec<OutboxItem>,
}

/// One page of a queue view, read from the local cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct QueueScreen {
    pub items: Vec<TicketSummary>,
    pub next_cursor: Option<String>,
    /// Counts of every view (and saved filter) in the cache.
    pub counts: QueueCounts,
    pub saved_filters: Vec<SavedFilterView>,
    pub sync: SyncStatus,
}

/// A ticket opened from the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TicketScreen {
    pub detail: TicketDetail,
    /// True when the hub could not be reached and this is what the cache holds.
    pub from_cache: bool,
    /// Writes to this ticket still in the outbox.
    pub pending: Vec<OutboxItem>,
}

/// A write a person makes on a ticket. Offline it waits in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TicketAction {
    Reply {
        body: String,
        status: Option<TicketStatus>,
    },
    Note {
        body: String,
    },
    Update {
        status: Option<TicketStatus>,
        priority: Option<Priority>,
        tags: Option<Vec<String>>,
    },
    Assign {
        to: AssignTarget,
    },
    Escalate {
        reason: String,
    },
}

/// Where an outbox item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for the hub to be reachable.
    Waiting,
    /// The ticket changed on the hub since the person saw it: they choose what happens.
    Conflict,
    /// The hub refused it for a reason other than a conflict (the person reads why).
    Refused,
}

/// A write waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct OutboxItem {
    /// Position in the outbox; items are sent in this order.
    pub id: i64,
    pub ticket_id: Uuid,
    pub ticket_number: i64,
    pub ticket_subject: String,
    /// The version of the ticket the person saw.
    pub base_version: i64,
    pub action: TicketAction,
    pub state: OutboxState,
    pub created_at: DateTime<Utc>,
    /// Why the hub refused it (for `conflict` and `refused`).
    pub error: Option<UiError>,
    /// For `conflict`: the ticket as it is now and what changed since the person's version.
    pub conflict: Option<TicketConflict>,
}

/// What the person chose for an item in conflict or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum OutboxResolution {
    /// Send it again on top of the ticket as it is now.
    SendAnyway,
    /// Drop it (the UI offers to copy the text first).
    Discard,
}

/// What happened to a ticket action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ActionOutcome {
    /// The ticket as the hub has it now, when the hub accepted the write.
    pub ticket: Option<TicketSummary>,
    /// The outbox item, when the write did not go through (offline, conflict, refused).
    pub queued: Option<OutboxItem>,
}
