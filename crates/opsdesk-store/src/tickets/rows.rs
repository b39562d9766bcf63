//! Ticket rows as the database returns them (tickets, messages, history, presence, SLA
//! policies, groups), their column lists, and their conversion into records and views.

use crate::common::{corrupt, time, uuid};
use crate::tickets::TicketRecord;
use crate::{StoreError, StoreResult};
use opsdesk_core::sla::{SlaClock, SlaStage, SlaState};
use opsdesk_core::ticket::{EscalationLevel, MessageKind, Priority, TicketStatus};
use opsdesk_proto::{
    FieldChange, GroupView, MessageView, PresenceMode, PresenceView, SlaPolicyView, TicketChange,
    TicketSummary,
};

/// The ticket columns with their joined names, in [`TicketRow`] order; `t` is `tickets`.
pub(crate) const TICKET_SELECT: &str =
    "SELECT t.seq, t.id, t.tenant_id, te.name AS tenant_name, t.requester_name, \
     t.requester_email, t.subject, t.status, t.priority_rank, t.assignee_id, \
     s.display_name AS assignee_name, t.group_id, g.name AS group_name, t.tags, \
     t.escalation_level, t.sla_active_ms, t.sla_running_since, t.sla_stage, t.sla_state, \
     t.sla_due_at, t.first_responded_at, t.solved_at, t.merged_into, t.created_at, \
     t.updated_at, t.version, t.change_seq \
     FROM tickets t JOIN tenants te ON te.id = t.tenant_id \
     LEFT JOIN staff s ON s.id = t.assignee_id \
     LEFT JOIN ticket_groups g ON g.id = t.group_id";

#[derive(sqlx::FromRow)]
pub(crate) struct TicketRow {
    seq: i64,
    id: String,
    tenant_id: String,
    tenant_name: String,
    requester_name: String,
    requester_email: String,
    subject: String,
    status: String,
    priority_rank: i64,
    assignee_id: Option<String>,
    assignee_name: Option<String>,
    group_id: Option<String>,
    group_name: Option<String>,
    tags: String,
    escalation_level: i64,
    sla_active_ms: i64,
    sla_running_since: Option<i64>,
    sla_stage: String,
    sla_state: String,
    sla_due_at: Option<i64>,
    first_responded_at: Option<i64>,
    solved_at: Option<i64>,
    merged_into: Option<String>,
    created_at: i64,
    updated_at: i64,
    version: i64,
    change_seq: i64,
}

impl TryFrom<TicketRow> for TicketRecord {
    type Error = StoreError;
    fn try_from(r: TicketRow) -> StoreResult<Self> {
        let status =
            TicketStatus::parse(&r.status).ok_or_else(|| corrupt("ticket status", &r.status))?;
        let sla = SlaClock {
            active_ms: r.sla_active_ms,
            running_since: r.sla_running_since.map(time).transpose()?,
            stage: SlaStage::parse(&r.sla_stage)
                .ok_or_else(|| corrupt("SLA stage", &r.sla_stage))?,
            state: SlaState::parse(&r.sla_state)
                .ok_or_else(|| corrupt("SLA state", &r.sla_state))?,
        };
        let summary = TicketSummary {
            id: uuid(&r.id)?,
            number: r.seq,
            tenant_id: uuid(&r.tenant_id)?,
            tenant_name: r.tenant_name,
            requester_name: r.requester_name,
            requester_email: r.requester_email,
            subject: r.subject,
            status,
            priority: Priority::from_rank(r.priority_rank)
                .ok_or_else(|| corrupt("priority rank", r.priority_rank))?,
            assignee_id: r.assignee_id.as_deref().map(uuid).transpose()?,
            assignee_name: r.assignee_name,
            group_id: r.group_id.as_deref().map(uuid).transpose()?,
            group_name: r.group_name,
            tags: split_tags(&r.tags),
            escalation_level: EscalationLevel::from_number(r.escalation_level)
                .ok_or_else(|| corrupt("escalation level", r.escalation_level))?,
            sla_due_at: r.sla_due_at.map(time).transpose()?,
            sla_stage: sla.stage,
            sla_state: sla.state,
            sla_paused: sla.running_since.is_none() && sla.stage != SlaStage::Done,
            merged_into: r.merged_into.as_deref().map(uuid).transpose()?,
            created_at: time(r.created_at)?,
            updated_at: time(r.updated_at)?,
            version: r.version,
            change_seq: r.change_seq,
        };
        Ok(TicketRecord {
            summary,
            seq: r.seq,
            sla,
            first_responded_at: r.first_responded_at.map(time).transpose()?,
            solved_at: r.solved_at.map(time).transpose()?,
        })
    }
}

/// Tags as stored: `' a b '`, so `LIKE '% a %'` never matches part of a tag.
pub(crate) fn join_tags(tags: &[String]) -> String {
    if tags.is_empty() {
        " ".to_owned()
    } else {
        format!(" {} ", tags.join(" "))
    }
}

fn split_tags(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: String,
    ticket_id: String,
    kind: String,
    author_id: Option<String>,
    author_name: String,
    body: String,
    created_at: i64,
    merged_from: Option<String>,
}

/// The message columns, in [`MessageRow`] order.
pub(crate) const MESSAGE_COLUMNS: &str =
    "id, ticket_id, kind, author_id, author_name, body, created_at, merged_from";

impl TryFrom<MessageRow> for MessageView {
    type Error = StoreError;
    fn try_from(r: MessageRow) -> StoreResult<Self> {
        Ok(MessageView {
            id: uuid(&r.id)?,
            ticket_id: uuid(&r.ticket_id)?,
            kind: MessageKind::parse(&r.kind).ok_or_else(|| corrupt("message kind", &r.kind))?,
            author_id: r.author_id.as_deref().map(uuid).transpose()?,
            author_name: r.author_name,
            body: r.body,
            created_at: time(r.created_at)?,
            merged_from: r.merged_from.as_deref().map(uuid).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    version: i64,
    at: i64,
    actor: String,
    actor_name: String,
    changes: String,
}

impl TryFrom<HistoryRow> for TicketChange {
    type Error = StoreError;
    fn try_from(r: HistoryRow) -> StoreResult<Self> {
        let changes: Vec<FieldChange> = serde_json::from_str(&r.changes)
            .map_err(|e| StoreError::Corrupt(format!("ticket history: {e}")))?;
        Ok(TicketChange {
            version: r.version,
            at: time(r.at)?,
            actor: r.actor,
            actor_name: r.actor_name,
            changes,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PresenceRow {
    staff_id: String,
    display_name: String,
    mode: String,
    since: i64,
}

impl TryFrom<PresenceRow> for PresenceView {
    type Error = StoreError;
    fn try_from(r: PresenceRow) -> StoreResult<Self> {
        let mode = match r.mode.as_str() {
            "viewing" => PresenceMode::Viewing,
            "replying" => PresenceMode::Replying,
            other => return Err(corrupt("presence mode", other)),
        };
        Ok(PresenceView {
            staff_id: uuid(&r.staff_id)?,
            display_name: r.display_name,
            mode,
            since: time(r.since)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SlaPolicyRow {
    priority: String,
    first_response_minutes: i64,
    resolution_minutes: i64,
    version: i64,
}

impl TryFrom<SlaPolicyRow> for SlaPolicyView {
    type Error = StoreError;
    fn try_from(r: SlaPolicyRow) -> StoreResult<Self> {
        Ok(SlaPolicyView {
            priority: Priority::parse(&r.priority)
                .ok_or_else(|| corrupt("priority", &r.priority))?,
            first_response_minutes: r.first_response_minutes,
            resolution_minutes: r.resolution_minutes,
            version: r.version,
        })
    }
}

/// Groups from `(group id, name, member id)` rows ordered by group name.
pub(crate) fn groups_from(
    rows: Vec<(String, String, Option<String>)>,
) -> StoreResult<Vec<GroupView>> {
    let mut groups: Vec<GroupView> = Vec::new();
    for (id, name, member) in rows {
        let id = uuid(&id)?;
        if groups.last().map(|g| g.id) != Some(id) {
            groups.push(GroupView {
                id,
                name,
                member_ids: Vec::new(),
            });
        }
        if let (Some(m), Some(g)) = (member, groups.last_mut()) {
            g.member_ids.push(uuid(&m)?);
        }
    }
    Ok(groups)
}

/// The presence mode's stored name (`left` is never stored).
pub(crate) fn presence_mode_name(mode: PresenceMode) -> &'static str {
    match mode {
        PresenceMode::Viewing => "viewing",
        PresenceMode::Replying => "replying",
        PresenceMode::Left => "left",
    }
}
