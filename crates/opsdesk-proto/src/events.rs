//! The live event stream (`GET /api/v1/events`, Server-Sent Events): each event names what
//! changed, so an app can update its cache, and carries the facts that decide its pop-ups
//! (`opsdesk_core::events::notification_for`).

use chrono::{DateTime, Utc};
pub use opsdesk_core::events::{
    AccessFacts, EventFacts, EventKind, Notification, NotificationAction, NotificationKind,
    NotificationPrefs, SubjectKind, TicketFacts, Urgency,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One event. Its `id` is also the SSE `id:` line; send it back as `Last-Event-ID` to resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct HubEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    /// Who caused it (none for the hub's own jobs and the platform's intake).
    pub actor_id: Option<Uuid>,
    pub facts: EventFacts,
}

/// The SSE event name of a resume from before the oldest event the hub keeps: the app must
/// reload what it shows instead of replaying.
pub const EVENT_RESYNC: &str = "resync";
/// The SSE event name of a [`HubEvent`].
pub const EVENT_CHANGE: &str = "change";
