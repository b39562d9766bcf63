//! Ticket queue types: tickets and their conversation, the queue's views, search, the changes
//! feed and presence.

use chrono::{DateTime, Utc};
pub use opsdesk_core::sla::{SlaStage, SlaState};
use opsdesk_core::tickets::cursor::{QueueCursor, SortFields};
pub use opsdesk_core::tickets::queue::TicketFilter;
use opsdesk_core::tickets::queue::{Base, QueueAsk, QueueRequest};
pub use opsdesk_core::tickets::{
    EscalationLevel, MessageKind, Priority, QueueSort, QueueView, TicketStatus,
};
use opsdesk_core::validate::FieldError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// ---- tickets ----------------------------------------------------------------------------------

/// A ticket as the queue lists it and the app caches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TicketSummary {
    pub id: Uuid,
    /// The short number people quote ("#1042").
    pub number: i64,
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub requester_name: String,
    pub requester_email: String,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub assignee_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    pub group_id: Option<Uuid>,
    pub group_name: Option<String>,
    pub tags: Vec<String>,
    pub escalation_level: EscalationLevel,
    /// When the current SLA target is due; absent while paused or when nothing is due.
    pub sla_due_at: Option<DateTime<Utc>>,
    pub sla_stage: SlaStage,
    pub sla_state: SlaState,
    /// The SLA clock is stopped because the ticket waits on the requester.
    pub sla_paused: bool,
    /// Set when this ticket was merged into another.
    pub merged_into: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// Position in the changes feed.
    pub change_seq: i64,
}

impl TicketSummary {
    /// The ticket's sort key for `sort`, from which the next page starts (its `number` is the
    /// hub's order).
    pub fn queue_cursor(&self, sort: QueueSort) -> QueueCursor {
        QueueCursor::of(
            SortFields {
                sla_due_at: self.sla_due_at,
                priority: self.priority,
                updated_at: self.updated_at,
                seq: self.number,
            },
            sort,
        )
    }
}

/// One message in a ticket's conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct MessageView {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub kind: MessageKind,
    /// The staff author; absent for the requester and the system.
    pub author_id: Option<Uuid>,
    pub author_name: String,
    /// Markdown.
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// The ticket this message came from when it was merged in.
    pub merged_from: Option<Uuid>,
}

/// One field changed by one write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct FieldChange {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One entry of a ticket's history: the version it made and what it changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TicketChange {
    pub version: i64,
    pub at: DateTime<Utc>,
    /// `staff:<id>`, `integration:<id>` or `system`.
    pub actor: String,
    pub actor_name: String,
    pub changes: Vec<FieldChange>,
}

/// Whether someone is looking at a ticket or writing in it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum PresenceMode {
    Viewing,
    Replying,
    /// Sent when leaving the ticket; never listed.
    Left,
}

/// Another staff member on a ticket now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct PresenceView {
    pub staff_id: Uuid,
    pub display_name: String,
    pub mode: PresenceMode,
    pub since: DateTime<Utc>,
}

/// A ticket with its conversation, history and who else is on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TicketDetail {
    pub ticket: TicketSummary,
    pub messages: Vec<MessageView>,
    pub history: Vec<TicketChange>,
    /// Other staff viewing or replying, not the caller.
    pub presence: Vec<PresenceView>,
    /// Time left on the current SLA target in milliseconds (negative when overdue), also while
    /// paused.
    pub sla_remaining_ms: Option<i64>,
}

/// What a 409 on a ticket write carries in `current`: the ticket now and what changed since
/// the version the writer had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct TicketConflict {
    pub ticket: TicketSummary,
    pub changes: Vec<TicketChange>,
    /// Messages added since the writer's version.
    pub new_messages: Vec<MessageView>,
}

/// Open a ticket as staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketRequest {
    pub tenant_id: Uuid,
    pub requester_name: String,
    pub requester_email: String,
    pub subject: String,
    pub body: String,
    pub priority: Priority,
    #[serde(default)]
    #[ts(optional)]
    pub tags: Option<Vec<String>>,
}

/// Change a ticket's fields; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicketRequest {
    pub version: i64,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<TicketStatus>,
    #[serde(default)]
    #[ts(optional)]
    pub priority: Option<Priority>,
    /// Replaces the tags.
    #[serde(default)]
    #[ts(optional)]
    pub tags: Option<Vec<String>>,
}

/// Who a ticket goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AssignTarget {
    /// The caller.
    Me,
    /// A named staff member (needs `tickets.assign` unless it is the caller).
    Staff { staff_id: Uuid },
    /// The next member of a group in turn (round-robin); sets the group too.
    Group { group_id: Uuid },
    /// Nobody: back to the unassigned view.
    Nobody,
}

/// Assign a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub version: i64,
    pub to: AssignTarget,
}

/// Add a public reply or an internal note, optionally changing the status with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct AddMessageRequest {
    pub version: i64,
    /// `reply` or `note`.
    pub kind: MessageKind,
    /// Markdown, 1 to 20,000 characters.
    pub body: String,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<TicketStatus>,
}

/// Escalate to senior staff, with a reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    pub version: i64,
    pub reason: String,
}

/// Merge this ticket into `into`; both versions must be current.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    pub version: i64,
    pub into: Uuid,
    pub into_version: i64,
}

/// A ticket and the version the writer saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct TicketRef {
    pub id: Uuid,
    pub version: i64,
}

/// Apply the same change to many tickets at once: all or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct BulkEditRequest {
    /// 1 to 500 tickets.
    pub tickets: Vec<TicketRef>,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<TicketStatus>,
    #[serde(default)]
    #[ts(optional)]
    pub priority: Option<Priority>,
    /// Assign every ticket to this person (`none` is not accepted here).
    #[serde(default)]
    #[ts(optional)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    #[ts(optional)]
    pub add_tags: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional)]
    pub remove_tags: Option<Vec<String>>,
}

/// The tickets a bulk edit changed, as they are now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct BulkEditResult {
    pub tickets: Vec<TicketSummary>,
}

/// A queue page request: a view or saved filter, extra filters, a sort and a cursor.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// A built-in view; `all_open` when neither it nor `saved` is given.
    #[ts(optional)]
    pub view: Option<QueueView>,
    /// A saved filter's id (instead of `view`).
    #[ts(optional)]
    pub saved: Option<Uuid>,
    #[ts(optional)]
    pub sort: Option<QueueSort>,
    #[ts(optional)]
    pub tenant_id: Option<Uuid>,
    #[ts(optional)]
    pub priority: Option<Priority>,
    #[ts(optional)]
    pub status: Option<TicketStatus>,
    #[ts(optional)]
    pub assignee_id: Option<Uuid>,
    #[ts(optional)]
    pub group_id: Option<Uuid>,
    #[ts(optional)]
    pub tag: Option<String>,
    #[ts(optional)]
    pub text: Option<String>,
    #[ts(optional)]
    pub cursor: Option<String>,
    #[ts(optional)]
    pub limit: Option<u32>,
}

impl QueueQuery {
    /// The request checked by core's queue rules (page size, view or saved filter); its page
    /// is then built with [`QueueRequest::page`].
    pub fn request(&self) -> Result<QueueRequest<'_>, FieldError> {
        QueueRequest::new(QueueAsk {
            view: self.view,
            saved: self.saved,
            filter: TicketFilter {
                tenant_id: self.tenant_id,
                priority: self.priority,
                status: self.status,
                assignee_id: self.assignee_id,
                group_id: self.group_id,
                tag: self.tag.clone(),
                text: self.text.clone(),
            },
            sort: self.sort,
            cursor: self.cursor.as_deref(),
            limit: self.limit,
        })
    }
}

/// How many tickets a view holds for the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct ViewCount {
    pub view: QueueView,
    pub count: i64,
}

/// How many tickets a saved filter holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct SavedFilterCount {
    pub id: Uuid,
    pub count: i64,
}

/// Counts for the view list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct QueueCounts {
    pub views: Vec<ViewCount>,
    pub saved: Vec<SavedFilterCount>,
}

/// A filter someone saved under a name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct SavedFilterView {
    pub id: Uuid,
    pub name: String,
    pub filter: TicketFilter,
    pub sort: QueueSort,
    pub created_at: DateTime<Utc>,
}

impl SavedFilterView {
    /// What a queue request naming this filter lists.
    pub fn base(&self) -> Base<'_> {
        Base::Saved {
            filter: &self.filter,
            sort: self.sort,
        }
    }
}

/// Save a filter under a name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct SaveFilterRequest {
    pub name: String,
    pub filter: TicketFilter,
    #[serde(default)]
    #[ts(optional)]
    pub sort: Option<QueueSort>,
}

/// Full-text search.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to find in subjects and conversations; `"quoted phrases"` and `-excluded` words
    /// work.
    pub q: String,
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// One search result, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct SearchHit {
    pub ticket: TicketSummary,
    /// Higher is more relevant.
    pub score: f64,
}

/// Ask for everything changed after a point in the feed.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams, ts_rs::TS,
)]
#[ts(export)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `next` of the previous answer; 0 (or absent) from the start.
    #[ts(optional)]
    pub since: Option<i64>,
    /// 1 to 5,000; 1,000 when absent.
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// Tickets changed after `since`, in feed order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct ChangesPage {
    pub tickets: Vec<TicketSummary>,
    /// Pass as `since` next time.
    pub next: i64,
    /// More changes wait beyond `next`.
    pub more: bool,
}

/// Say you are viewing or replying to a ticket (repeat every 20 s), or leaving it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct PresenceRequest {
    pub mode: PresenceMode,
}

/// What happened to a ticket, for live updates and notifications.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum TicketEventKind {
    Created,
    Changed,
    Assigned,
    Escalated,
    SlaWarning,
    SlaBreached,
    Merged,
}
