//! Ticket writes: open (by staff or through intake), change, reply and note, assign (to me, to
//! someone, round-robin in a group), escalate, merge and bulk edit. Every write checks the
//! version the writer saw, takes an optional idempotency key, records history and an audit
//! entry in the same transaction, and emits a ticket event after it commits.

use crate::error::{HubError, HubResult};
use crate::extract::{ClientInfo, IdempotencyKey};
use crate::service::auth::Caller;
use crate::service::effects::audit;
use crate::service::events;
use crate::service::tenants::Integration;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::sla::{SlaAlarm, SlaClock, SlaTargets};
use opsdesk_core::ticket::{
    check_body, check_reason, check_subject, check_tags, check_writable, escalation_step,
    may_escalate, EscalationLevel, MessageKind, Priority, TicketRuleError, TicketStatus,
};
use opsdesk_core::validate::{DisplayName, Email};
use opsdesk_core::Role;
use opsdesk_proto::{
    AddMessageRequest, AssignRequest, AssignTarget, BulkEditRequest, BulkEditResult,
    CreateTicketRequest, EscalateRequest, FieldChange, IntakeTicketRequest, MergeRequest,
    TicketConflict, TicketEventKind, TicketSummary, UpdateTicketRequest,
};
use opsdesk_store::{
    Effects, HistoryDraft, IdempotencyDraft, MessageMove, NewMessage, StoreError, TicketRecord,
    TicketState, TicketWrite,
};
use serde_json::json;
use std::net::IpAddr;
use uuid::Uuid;

/// Most tickets one bulk edit may change.
pub const BULK_MAX: usize = 500;

/// Who is writing: staff, an integration, or the hub itself (the SLA job).
#[derive(Debug, Clone)]
pub struct Writer {
    /// `staff:<id>`, `integration:<id>` or `system`.
    pub actor: String,
    pub name: String,
    pub staff: Option<(Uuid, Role)>,
    pub addr: IpAddr,
}

impl Writer {
    /// A signed-in staff member.
    pub fn staff(caller: &Caller, client: &ClientInfo) -> Self {
        Writer {
            actor: caller.actor(),
            name: caller.staff.display_name.clone(),
            staff: Some((caller.staff.id, caller.staff.role)),
            addr: client.addr,
        }
    }

    /// The hub's own jobs.
    pub fn system() -> Self {
        Writer {
            actor: "system".into(),
            name: "Opsdesk".into(),
            staff: None,
            addr: IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        }
    }

    fn staff_id(&self) -> Option<Uuid> {
        self.staff.map(|s| s.0)
    }
}

/// A request's idempotency key with the hash of what it asked for.
struct Idem {
    principal: String,
    key: String,
    hash: String,
}

fn idem(
    principal: &str,
    key: &IdempotencyKey,
    op: &str,
    request: &impl serde::Serialize,
) -> Option<Idem> {
    let key = key.0.clone()?;
    let body = serde_json::to_string(request).unwrap_or_default();
    Some(Idem {
        principal: principal.to_owned(),
        key,
        hash: crate::secrets::token_hash(&format!("{op}\u{0}{body}")),
    })
}

/// The ticket a replayed key produced, or `None` when the key is new. A key reused for a
/// different request is refused.
async fn replayed(state: &AppState, idem: &Option<Idem>) -> HubResult<Option<Vec<Uuid>>> {
    let Some(i) = idem else { return Ok(None) };
    let Some(found) = state.store.idempotency_result(&i.principal, &i.key).await? else {
        return Ok(None);
    };
    if found.request_hash != i.hash {
        return Err(HubError::unprocessable(
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request; use a new key",
        ));
    }
    let ids: Vec<Uuid> = serde_json::from_value(found.result["tickets"].clone())
        .map_err(|e| HubError::Internal(format!("idempotency result: {e}")))?;
    Ok(Some(ids))
}

fn idem_draft(idem: Option<Idem>, ids: &[Uuid], at: DateTime<Utc>) -> Option<IdempotencyDraft> {
    idem.map(|i| IdempotencyDraft {
        principal: i.principal,
        key: i.key,
        request_hash: i.hash,
        result: json!({ "tickets": ids }),
        at,
    })
}

/// The SLA targets for a priority, from the policies table.
pub async fn targets(state: &AppState, priority: Priority) -> HubResult<SlaTargets> {
    let policies = state.store.sla_policies().await?;
    Ok(policies
        .into_iter()
        .find(|p| p.priority == priority)
        .map(|p| SlaTargets {
            first_response_minutes: p.first_response_minutes,
            resolution_minutes: p.resolution_minutes,
        })
        .unwrap_or_else(|| SlaTargets::default_for(priority)))
}

/// Sets the stored deadline and the SLA job's next look from the clock and targets.
fn set_deadlines(s: &mut TicketState, targets: SlaTargets) {
    let d = s.sla.deadlines(targets);
    s.sla_due_at = d.due_at;
    s.sla_check_at = d.check_at;
}

/// The writable state of a stored ticket.
pub fn state_of(r: &TicketRecord) -> TicketState {
    let t = &r.summary;
    TicketState {
        id: t.id,
        tenant_id: t.tenant_id,
        requester_name: t.requester_name.clone(),
        requester_email: t.requester_email.clone(),
        subject: t.subject.clone(),
        status: t.status,
        priority: t.priority,
        assignee_id: t.assignee_id,
        group_id: t.group_id,
        tags: t.tags.clone(),
        escalation_level: t.escalation_level,
        sla: r.sla,
        sla_due_at: t.sla_due_at,
        sla_check_at: None,
        first_responded_at: r.first_responded_at,
        solved_at: r.solved_at,
        merged_into: t.merged_into,
        created_at: t.created_at,
        updated_at: t.updated_at,
    }
}

fn change(field: &str, from: impl ToString, to: impl ToString) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        from: Some(from.to_string()),
        to: Some(to.to_string()),
    }
}

fn opt_change(field: &str, from: Option<String>, to: Option<String>) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        from,
        to,
    }
}

fn field_err(field: &str) -> impl Fn(String) -> HubError + '_ {
    move |e| HubError::field(field, e)
}

// ---- opening tickets ---------------------------------------------------------------------------

struct Opening {
    tenant_id: Uuid,
    requester_name: String,
    requester_email: String,
    subject: String,
    body: String,
    priority: Priority,
    tags: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
fn check_opening(
    tenant_id: Uuid,
    requester_name: &str,
    requester_email: &str,
    subject: &str,
    body: &str,
    priority: Priority,
    tags: Option<&[String]>,
) -> HubResult<Opening> {
    Ok(Opening {
        tenant_id,
        requester_name: DisplayName::parse(requester_name)
            .map_err(field_err("requester_name"))?
            .to_string(),
        requester_email: Email::parse(requester_email)
            .map_err(field_err("requester_email"))?
            .to_string(),
        subject: check_subject(subject).map_err(field_err("subject"))?,
        body: check_body(body).map_err(field_err("body"))?,
        priority,
        tags: check_tags(tags.unwrap_or_default()).map_err(field_err("tags"))?,
    })
}

async fn open(
    state: &AppState,
    writer: &Writer,
    o: Opening,
    idem: Option<Idem>,
) -> HubResult<TicketSummary> {
    if let Some(ids) = replayed(state, &idem).await? {
        return current(state, ids[0]).await;
    }
    let now = state.now();
    let id = Uuid::now_v7();
    let tenant_name = state
        .store
        .tenant_by_id(o.tenant_id)
        .await?
        .map(|t| t.name)
        .unwrap_or_default();
    let mut s = TicketState {
        id,
        tenant_id: o.tenant_id,
        requester_name: o.requester_name.clone(),
        requester_email: o.requester_email,
        subject: o.subject,
        status: TicketStatus::New,
        priority: o.priority,
        assignee_id: None,
        group_id: None,
        tags: o.tags,
        escalation_level: EscalationLevel::L1,
        sla: SlaClock::start(TicketStatus::New, now),
        sla_due_at: None,
        sla_check_at: None,
        first_responded_at: None,
        solved_at: None,
        merged_into: None,
        created_at: now,
        updated_at: now,
    };
    let targets_now = targets(state, o.priority).await?;
    set_deadlines(&mut s, targets_now);
    let first = NewMessage {
        id: Uuid::now_v7(),
        kind: MessageKind::Reply,
        author_id: None,
        author_name: o.requester_name,
        body: o.body,
        created_at: now,
    };
    let fx = Effects::audit(audit(
        now,
        &writer.actor,
        AuditAction::TicketCreated,
        &format!("ticket:{id}"),
        writer.addr,
        json!({"tenant_id": s.tenant_id, "subject": s.subject, "priority": s.priority}),
    ))
    .with_event(events::ticket_event(
        TicketEventKind::Created,
        &s,
        None,
        &tenant_name,
        writer.staff_id(),
        None,
    ));
    let write = TicketWrite {
        expected_version: None,
        state: s,
        messages: vec![first],
        history: HistoryDraft {
            actor: writer.actor.clone(),
            actor_name: writer.name.clone(),
            changes: vec![opt_change("status", None, Some("new".into()))],
        },
    };
    let saved = save(
        state,
        vec![write],
        None,
        idem_draft_ids(idem, &[id], now),
        fx,
    )
    .await?;
    let ticket = first_of(saved)?;
    Ok(ticket.summary)
}

fn idem_draft_ids(idem: Option<Idem>, ids: &[Uuid], at: DateTime<Utc>) -> Option<IdempotencyDraft> {
    idem_draft(idem, ids, at)
}

/// Opens a ticket as staff (needs `tickets.work`).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    req: CreateTicketRequest,
) -> HubResult<TicketSummary> {
    Granted::<cap::TicketsWork>::check(caller.staff.role)?;
    let idem = idem(&caller.actor(), key, "create", &req);
    state
        .store
        .tenant_by_id(req.tenant_id)
        .await?
        .ok_or_else(|| HubError::field("tenant_id", "is not a tenant in the directory"))?;
    let o = check_opening(
        req.tenant_id,
        &req.requester_name,
        &req.requester_email,
        &req.subject,
        &req.body,
        req.priority,
        req.tags.as_deref(),
    )?;
    open(state, &Writer::staff(caller, client), o, idem).await
}

/// Opens a ticket from the platform through an integration token.
pub async fn intake(
    state: &AppState,
    integration: &Integration,
    client: &ClientInfo,
    key: &IdempotencyKey,
    req: IntakeTicketRequest,
) -> HubResult<TicketSummary> {
    let idem = idem(&integration.actor(), key, "intake", &req);
    let tenant = state
        .store
        .tenant_by_slug(&req.tenant.trim().to_lowercase())
        .await?
        .ok_or_else(|| HubError::field("tenant", "is not the slug of a tenant in the directory"))?;
    let o = check_opening(
        tenant.id,
        &req.requester_name,
        &req.requester_email,
        &req.subject,
        &req.body,
        req.priority.unwrap_or(Priority::Medium),
        req.tags.as_deref(),
    )?;
    let writer = Writer {
        actor: integration.actor(),
        name: integration.token.name.clone(),
        staff: None,
        addr: client.addr,
    };
    open(state, &writer, o, idem).await
}

// ---- the write path shared by every change -------------------------------------------------------

async fn current(state: &AppState, id: Uuid) -> HubResult<TicketSummary> {
    Ok(load(state, id).await?.summary)
}

async fn load(state: &AppState, id: Uuid) -> HubResult<TicketRecord> {
    state
        .store
        .ticket_by_id(id)
        .await?
        .ok_or(HubError::NotFound("ticket"))
}

fn first_of(mut saved: Vec<TicketRecord>) -> HubResult<TicketRecord> {
    if saved.is_empty() {
        return Err(HubError::Internal(
            "a ticket write returned no ticket".into(),
        ));
    }
    Ok(saved.swap_remove(0))
}

/// The 409 for a stale write: the ticket now, what changed since `seen`, and new messages.
pub async fn conflict(state: &AppState, id: Uuid, seen: i64) -> HubError {
    let build = async {
        let ticket = load(state, id).await?;
        let changes = state.store.ticket_history(id, seen).await?;
        let new_messages = state.store.ticket_messages_since(id, seen).await?;
        let number = ticket.summary.number;
        let version = ticket.summary.version;
        let who: Vec<String> = {
            let mut names: Vec<String> = changes.iter().map(|c| c.actor_name.clone()).collect();
            names.dedup();
            names
        };
        let current = TicketConflict {
            ticket: ticket.summary,
            changes,
            new_messages,
        };
        Ok::<_, HubError>(HubError::Conflict {
            code: "version_conflict",
            message: format!(
                "ticket #{number} changed since you opened it (you saw version {seen}, it is now \
                 version {version}{}); review the changes and send again",
                if who.is_empty() {
                    String::new()
                } else {
                    format!(", changed by {}", who.join(", "))
                }
            ),
            current: serde_json::to_value(current).ok(),
        })
    };
    match build.await {
        Ok(e) | Err(e) => e,
    }
}

async fn save(
    state: &AppState,
    writes: Vec<TicketWrite>,
    moves: Option<MessageMove>,
    idem: Option<IdempotencyDraft>,
    fx: Effects,
) -> HubResult<Vec<TicketRecord>> {
    let stale: Vec<(Uuid, i64)> = writes
        .iter()
        .filter_map(|w| w.expected_version.map(|v| (w.state.id, v)))
        .collect();
    match state.store.write_tickets(writes, moves, idem, fx).await {
        Err(StoreError::VersionConflict) => {
            // Name the first ticket that moved on.
            for (id, seen) in stale {
                if let Some(t) = state.store.ticket_by_id(id).await? {
                    if t.summary.version != seen {
                        return Err(conflict(state, id, seen).await);
                    }
                }
            }
            Err(StoreError::VersionConflict.into())
        }
        Err(StoreError::Duplicate {
            field: "idempotency_key",
        }) => Err(HubError::Conflict {
            code: "idempotency_in_progress",
            message: "a write with this Idempotency-Key was applied meanwhile; fetch the ticket"
                .into(),
            current: None,
        }),
        other => Ok(other?),
    }
}

/// What one change does to a ticket, computed from its state.
pub struct Mutation {
    pub changes: Vec<FieldChange>,
    pub messages: Vec<NewMessage>,
    pub action: AuditAction,
    pub details: serde_json::Value,
    pub event: TicketEventKind,
    pub reason: Option<String>,
}

/// Applies `mutate` to the ticket at `seen` and writes it; stale versions get the conflict.
async fn mutate_one(
    state: &AppState,
    writer: &Writer,
    id: Uuid,
    seen: i64,
    idem: Option<Idem>,
    mutate: impl FnOnce(&TicketRecord, &mut TicketState, DateTime<Utc>) -> HubResult<Mutation>,
) -> HubResult<TicketRecord> {
    if let Some(ids) = replayed(state, &idem).await? {
        return load(state, ids[0]).await;
    }
    let record = load(state, id).await?;
    if record.summary.version != seen {
        return Err(conflict(state, id, seen).await);
    }
    let now = state.now();
    let mut s = state_of(&record);
    let m = mutate(&record, &mut s, now)?;
    s.updated_at = now;
    let targets_now = targets(state, s.priority).await?;
    set_deadlines(&mut s, targets_now);
    let fx = Effects::audit(audit(
        now,
        &writer.actor,
        m.action,
        &format!("ticket:{id}"),
        writer.addr,
        m.details,
    ))
    .with_event(events::ticket_event(
        m.event,
        &s,
        Some(record.summary.number),
        &record.summary.tenant_name,
        writer.staff_id(),
        m.reason,
    ));
    let write = TicketWrite {
        expected_version: Some(seen),
        state: s,
        messages: m.messages,
        history: HistoryDraft {
            actor: writer.actor.clone(),
            actor_name: writer.name.clone(),
            changes: m.changes,
        },
    };
    first_of(save(state, vec![write], None, idem_draft(idem, &[id], now), fx).await?)
}

/// A merged or closed ticket takes no more changes (core's rule).
fn writable(r: &TicketRecord) -> HubResult<()> {
    Ok(check_writable(
        r.summary.status,
        r.summary.merged_into.is_some(),
    )?)
}

/// Moves the status, following the SLA clock and the solved time.
fn set_status(
    s: &mut TicketState,
    to: TicketStatus,
    now: DateTime<Utc>,
    changes: &mut Vec<FieldChange>,
) -> HubResult<()> {
    let from = s.status;
    from.transition(to)?;
    s.status = to;
    s.sla.on_status(to, s.first_responded_at.is_some(), now);
    if to == TicketStatus::Solved {
        s.solved_at = Some(now);
    } else if to.is_open() {
        s.solved_at = None;
    }
    changes.push(change("status", from, to));
    Ok(())
}

// ---- changes -------------------------------------------------------------------------------------

/// Changes status, priority and tags (needs `tickets.work`).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    id: Uuid,
    req: UpdateTicketRequest,
) -> HubResult<TicketSummary> {
    Granted::<cap::TicketsWork>::check(caller.staff.role)?;
    let tags = req
        .tags
        .as_deref()
        .map(check_tags)
        .transpose()
        .map_err(field_err("tags"))?;
    if req.status.is_none() && req.priority.is_none() && tags.is_none() {
        return Err(HubError::field(
            "status",
            "nothing to change: give status, priority or tags",
        ));
    }
    let idem = idem(&caller.actor(), key, &format!("update:{id}"), &req);
    let writer = Writer::staff(caller, client);
    let saved = mutate_one(state, &writer, id, req.version, idem, |r, s, now| {
        let mut changes = Vec::new();
        if let Some(to) = req.status.filter(|to| *to != s.status) {
            if r.summary.merged_into.is_some() {
                return Err(TicketRuleError::TicketClosed.into());
            }
            set_status(s, to, now, &mut changes)?;
        } else {
            writable(r)?;
        }
        if let Some(p) = req.priority.filter(|p| *p != s.priority) {
            changes.push(change("priority", s.priority, p));
            s.priority = p;
        }
        if let Some(tags) = tags.filter(|t| *t != s.tags) {
            changes.push(change("tags", s.tags.join(" "), tags.join(" ")));
            s.tags = tags;
        }
        let details = json!({"changes": changes});
        Ok(Mutation {
            changes,
            messages: Vec::new(),
            action: AuditAction::TicketUpdated,
            details,
            event: TicketEventKind::Changed,
            reason: None,
        })
    })
    .await?;
    Ok(saved.summary)
}

/// Adds a public reply or an internal note, optionally changing the status (needs
/// `tickets.work`). The first staff reply meets the first-response target; a reply to a new
/// ticket opens it.
pub async fn add_message(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    id: Uuid,
    req: AddMessageRequest,
) -> HubResult<TicketRecord> {
    Granted::<cap::TicketsWork>::check(caller.staff.role)?;
    let body = check_body(&req.body).map_err(field_err("body"))?;
    if req.kind == MessageKind::System {
        return Err(HubError::field("kind", "must be `reply` or `note`"));
    }
    let idem = idem(&caller.actor(), key, &format!("message:{id}"), &req);
    let writer = Writer::staff(caller, client);
    mutate_one(state, &writer, id, req.version, idem, |r, s, now| {
        writable(r)?;
        let mut changes = Vec::new();
        let is_reply = req.kind == MessageKind::Reply;
        if is_reply && s.first_responded_at.is_none() {
            s.first_responded_at = Some(now);
            s.sla.on_first_response();
            changes.push(opt_change("first_response", None, Some(now.to_rfc3339())));
        }
        let to = req
            .status
            .or((is_reply && s.status == TicketStatus::New).then_some(TicketStatus::Open));
        if let Some(to) = to.filter(|to| *to != s.status) {
            set_status(s, to, now, &mut changes)?;
        }
        let what = if is_reply { "reply" } else { "note" };
        changes.push(opt_change(
            what,
            None,
            Some(format!("{} characters", body.chars().count())),
        ));
        let message = NewMessage {
            id: Uuid::now_v7(),
            kind: req.kind,
            author_id: writer.staff_id(),
            author_name: writer.name.clone(),
            body: body.clone(),
            created_at: now,
        };
        Ok(Mutation {
            changes,
            details: json!({"message_id": message.id, "kind": req.kind, "status": to}),
            messages: vec![message],
            action: if is_reply {
                AuditAction::TicketReplied
            } else {
                AuditAction::TicketNoted
            },
            event: TicketEventKind::Changed,
            reason: None,
        })
    })
    .await
}

/// Assigns a ticket: to me (`tickets.work`), to someone else or round-robin in a group
/// (`tickets.assign`), or to nobody (`tickets.work` for my own ticket, else `tickets.assign`).
pub async fn assign(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    id: Uuid,
    req: AssignRequest,
) -> HubResult<TicketSummary> {
    let role = caller.staff.role;
    Granted::<cap::TicketsWork>::check(role)?;
    let idem = idem(&caller.actor(), key, &format!("assign:{id}"), &req);
    if let Some(ids) = replayed(state, &idem).await? {
        return current(state, ids[0]).await;
    }
    let record = load(state, id).await?;
    let (assignee, group) = match &req.to {
        AssignTarget::Me => (Some(caller.staff.id), record.summary.group_id),
        AssignTarget::Staff { staff_id } if *staff_id == caller.staff.id => {
            (Some(caller.staff.id), record.summary.group_id)
        }
        AssignTarget::Staff { staff_id } => {
            Granted::<cap::TicketsAssign>::check(role)?;
            let target = state.store.staff_by_id(*staff_id).await?;
            match target {
                Some(t)
                    if t.status == opsdesk_core::staff::StaffStatus::Active
                        && t.role >= Role::Agent => {}
                _ => {
                    return Err(HubError::field(
                        "to.staff_id",
                        "is not an active agent (or above) who can work tickets",
                    ))
                }
            }
            (Some(*staff_id), record.summary.group_id)
        }
        AssignTarget::Group { group_id } => {
            Granted::<cap::TicketsAssign>::check(role)?;
            if state.store.group_by_id(*group_id).await?.is_none() {
                return Err(HubError::field("to.group_id", "is not a group"));
            }
            let next = state
                .store
                .take_round_robin_turn(*group_id, state.now())
                .await?
                .ok_or_else(|| {
                    HubError::unprocessable(
                        "group_has_no_active_members",
                        "this group has no active member to take the ticket; add people to it first",
                    )
                })?;
            (Some(next), Some(*group_id))
        }
        AssignTarget::Nobody => {
            if record.summary.assignee_id != Some(caller.staff.id) {
                Granted::<cap::TicketsAssign>::check(role)?;
            }
            (None, record.summary.group_id)
        }
    };
    let names = match assignee {
        Some(a) => state.store.staff_by_id(a).await?.map(|s| s.display_name),
        None => None,
    };
    let group_name = match group {
        Some(g) => state.store.group_by_id(g).await?.map(|g| g.name),
        None => None,
    };
    let writer = Writer::staff(caller, client);
    let saved = mutate_one(state, &writer, id, req.version, idem, |r, s, now| {
        writable(r)?;
        let mut changes = Vec::new();
        if s.assignee_id != assignee {
            changes.push(opt_change(
                "assignee",
                r.summary.assignee_name.clone(),
                names.clone(),
            ));
            s.assignee_id = assignee;
        }
        if s.group_id != group {
            changes.push(opt_change(
                "group",
                r.summary.group_name.clone(),
                group_name.clone(),
            ));
            s.group_id = group;
        }
        if assignee.is_some() && s.status == TicketStatus::New {
            set_status(s, TicketStatus::Open, now, &mut changes)?;
        }
        Ok(Mutation {
            details: json!({"assignee_id": assignee, "group_id": group, "to": req.to}),
            changes,
            messages: Vec::new(),
            action: AuditAction::TicketUpdated,
            event: TicketEventKind::Assigned,
            reason: None,
        })
    })
    .await?;
    Ok(saved.summary)
}

/// Raises the escalation level with a reason (needs `tickets.work`): the ticket leaves its
/// assignee and lands in the escalated view of the tier that handles the new level.
pub async fn escalate(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    id: Uuid,
    req: EscalateRequest,
) -> HubResult<TicketSummary> {
    Granted::<cap::TicketsWork>::check(caller.staff.role)?;
    let reason = check_reason(&req.reason).map_err(|e| HubError::field("reason", e))?;
    let idem = idem(&caller.actor(), key, &format!("escalate:{id}"), &req);
    let writer = Writer::staff(caller, client);
    let saved = mutate_one(state, &writer, id, req.version, idem, |r, s, now| {
        writable(r)?;
        may_escalate(s.status)?;
        Ok(escalation(r, s, now, &writer.name, &reason))
    })
    .await?;
    Ok(saved.summary)
}

/// The escalation of `s` one level up (used by hand and by the SLA job).
pub fn escalation(
    r: &TicketRecord,
    s: &mut TicketState,
    now: DateTime<Utc>,
    by: &str,
    reason: &str,
) -> Mutation {
    let from = s.escalation_level;
    let mut changes = Vec::new();
    let step = escalation_step(from, s.assignee_id.is_some());
    let raised = step.map(|step| step.to);
    if let Some(step) = step {
        s.escalation_level = step.to;
        changes.push(change("escalation_level", from, step.to));
        if step.unassign {
            changes.push(opt_change(
                "assignee",
                r.summary.assignee_name.clone(),
                None,
            ));
            s.assignee_id = None;
        }
    }
    let level = s.escalation_level;
    let text = match raised {
        Some(to) => format!(
            "Escalated to {} ({}s) by {by}: {reason}",
            to.as_str().to_uppercase(),
            level.handled_by().as_str().replace('_', " ")
        ),
        None => format!("Escalation requested at L3 by {by}: {reason}"),
    };
    Mutation {
        changes,
        messages: vec![NewMessage {
            id: Uuid::now_v7(),
            kind: MessageKind::System,
            author_id: None,
            author_name: "Opsdesk".into(),
            body: text,
            created_at: now,
        }],
        action: AuditAction::TicketEscalated,
        details: json!({"from": from, "to": level, "reason": reason}),
        event: TicketEventKind::Escalated,
        reason: Some(reason.to_owned()),
    }
}

/// Applies an SLA alarm the job raised: a warning is recorded; a breach escalates.
pub async fn apply_sla_alarm(
    state: &AppState,
    record: &TicketRecord,
    alarm: SlaAlarm,
    clock: SlaClock,
) -> HubResult<TicketRecord> {
    let writer = Writer::system();
    mutate_one(state, &writer, record.id(), record.summary.version, None, |r, s, now| {
        s.sla = clock;
        let stage = match alarm {
            SlaAlarm::Warning(st) | SlaAlarm::Breach(st) => st,
        };
        let target = stage.as_str().replace('_', " ");
        Ok(match alarm {
            SlaAlarm::Warning(_) => Mutation {
                changes: vec![change("sla_state", r.sla.state, clock.state)],
                messages: Vec::new(),
                action: AuditAction::TicketSlaWarning,
                details: json!({"stage": stage, "due_at": r.summary.sla_due_at}),
                event: TicketEventKind::SlaWarning,
                reason: Some(format!("{target} target due soon")),
            },
            SlaAlarm::Breach(_) => {
                let reason = format!("{target} target breached");
                let mut m = escalation(r, s, now, "the SLA", &reason);
                m.changes.insert(0, change("sla_state", r.sla.state, clock.state));
                m.action = AuditAction::TicketSlaBreached;
                m.event = TicketEventKind::SlaBreached;
                m.details = json!({"stage": stage, "due_at": r.summary.sla_due_at, "escalated_to": s.escalation_level});
                m
            }
        })
    })
    .await
}

/// Merges one ticket into another (needs `tickets.merge`): the merged ticket closes and points
/// to the survivor, its conversation moves over, tags join.
pub async fn merge(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    id: Uuid,
    req: MergeRequest,
) -> HubResult<TicketSummary> {
    Granted::<cap::TicketsMerge>::check(caller.staff.role)?;
    if req.into == id {
        return Err(TicketRuleError::MergeIntoSelf.into());
    }
    let idem = idem(&caller.actor(), key, &format!("merge:{id}"), &req);
    if let Some(ids) = replayed(state, &idem).await? {
        return current(state, ids[0]).await;
    }
    let source = load(state, id).await?;
    let target = state
        .store
        .ticket_by_id(req.into)
        .await?
        .ok_or_else(|| HubError::field("into", "is not a ticket"))?;
    if source.summary.version != req.version {
        return Err(conflict(state, id, req.version).await);
    }
    if target.summary.version != req.into_version {
        return Err(conflict(state, req.into, req.into_version).await);
    }
    writable(&source)?;
    writable(&target)?;
    let now = state.now();
    let writer = Writer::staff(caller, client);
    let mut src = state_of(&source);
    let mut dst = state_of(&target);
    let from_status = src.status;
    src.status = TicketStatus::Closed;
    src.sla.on_status(TicketStatus::Closed, true, now);
    src.merged_into = Some(target.id());
    src.updated_at = now;
    let targets_now = targets(state, src.priority).await?;
    set_deadlines(&mut src, targets_now);
    let mut tags = dst.tags.clone();
    tags.extend(src.tags.iter().cloned());
    let tags = check_tags(&tags).unwrap_or_else(|_| dst.tags.clone());
    let mut dst_changes = vec![opt_change(
        "merged_in",
        None,
        Some(format!("#{}", source.summary.number)),
    )];
    if tags != dst.tags {
        dst_changes.push(change("tags", dst.tags.join(" "), tags.join(" ")));
        dst.tags = tags;
    }
    dst.updated_at = now;
    let targets_now = targets(state, dst.priority).await?;
    set_deadlines(&mut dst, targets_now);
    let note = |body: String| NewMessage {
        id: Uuid::now_v7(),
        kind: MessageKind::System,
        author_id: None,
        author_name: "Opsdesk".into(),
        body,
        created_at: now,
    };
    let writes = vec![
        TicketWrite {
            expected_version: Some(req.version),
            state: src,
            messages: vec![note(format!(
                "Merged into #{} by {}",
                target.summary.number, writer.name
            ))],
            history: HistoryDraft {
                actor: writer.actor.clone(),
                actor_name: writer.name.clone(),
                changes: vec![
                    change("status", from_status, TicketStatus::Closed),
                    opt_change(
                        "merged_into",
                        None,
                        Some(format!("#{}", target.summary.number)),
                    ),
                ],
            },
        },
        TicketWrite {
            expected_version: Some(req.into_version),
            state: dst,
            messages: vec![note(format!(
                "#{} \"{}\" merged into this ticket by {}",
                source.summary.number, source.summary.subject, writer.name
            ))],
            history: HistoryDraft {
                actor: writer.actor.clone(),
                actor_name: writer.name.clone(),
                changes: dst_changes,
            },
        },
    ];
    let fx = Effects::audit(audit(
        now,
        &writer.actor,
        AuditAction::TicketMerged,
        &format!("ticket:{id}"),
        writer.addr,
        json!({"into": req.into}),
    ));
    let mut fx = fx;
    for (w, r) in writes.iter().zip([&source, &target]) {
        fx.events.push(events::ticket_event(
            TicketEventKind::Merged,
            &w.state,
            Some(r.summary.number),
            &r.summary.tenant_name,
            writer.staff_id(),
            None,
        ));
    }
    let saved = save(
        state,
        writes,
        Some(MessageMove {
            from: id,
            to: req.into,
        }),
        idem_draft(idem, &[req.into], now),
        fx,
    )
    .await?;
    saved
        .into_iter()
        .find(|t| t.id() == req.into)
        .map(|t| t.summary)
        .ok_or_else(|| HubError::Internal("merge returned no survivor".into()))
}

/// Applies one change to many tickets, all or nothing (needs `tickets.bulk_edit`).
pub async fn bulk_edit(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    req: BulkEditRequest,
) -> HubResult<BulkEditResult> {
    Granted::<cap::TicketsBulkEdit>::check(caller.staff.role)?;
    if req.tickets.is_empty() || req.tickets.len() > BULK_MAX {
        return Err(HubError::field(
            "tickets",
            format!("must list 1 to {BULK_MAX} tickets"),
        ));
    }
    let mut ids: Vec<Uuid> = req.tickets.iter().map(|t| t.id).collect();
    ids.sort();
    ids.dedup();
    if ids.len() != req.tickets.len() {
        return Err(HubError::field("tickets", "lists a ticket twice"));
    }
    let add =
        check_tags(req.add_tags.as_deref().unwrap_or_default()).map_err(field_err("add_tags"))?;
    let remove = check_tags(req.remove_tags.as_deref().unwrap_or_default())
        .map_err(field_err("remove_tags"))?;
    if req.status.is_none()
        && req.priority.is_none()
        && req.assignee_id.is_none()
        && add.is_empty()
        && remove.is_empty()
    {
        return Err(HubError::field(
            "status",
            "nothing to change: give status, priority, assignee_id or tags",
        ));
    }
    let assignee_name = match req.assignee_id {
        Some(a) => match state.store.staff_by_id(a).await? {
            Some(s)
                if s.status == opsdesk_core::staff::StaffStatus::Active
                    && s.role >= Role::Agent =>
            {
                Some(s.display_name)
            }
            _ => {
                return Err(HubError::field(
                    "assignee_id",
                    "is not an active agent (or above)",
                ))
            }
        },
        None => None,
    };
    let idem = idem(&caller.actor(), key, "bulk", &req);
    if let Some(ids) = replayed(state, &idem).await? {
        let tickets = state.store.tickets_by_ids(&ids).await?;
        return Ok(BulkEditResult {
            tickets: tickets.into_iter().map(|t| t.summary).collect(),
        });
    }
    let records = state.store.tickets_by_ids(&ids).await?;
    let now = state.now();
    let writer = Writer::staff(caller, client);
    let mut writes = Vec::with_capacity(records.len());
    for tr in &req.tickets {
        let r = records
            .iter()
            .find(|r| r.id() == tr.id)
            .ok_or_else(|| HubError::field("tickets", format!("{} is not a ticket", tr.id)))?;
        if r.summary.version != tr.version {
            return Err(conflict(state, tr.id, tr.version).await);
        }
        let number = r.summary.number;
        let in_ticket = |e: HubError| match e {
            HubError::Unprocessable { code, message } => HubError::Unprocessable {
                code,
                message: format!("ticket #{number}: {message}"),
            },
            other => other,
        };
        let mut s = state_of(r);
        let mut changes = Vec::new();
        if let Some(to) = req.status.filter(|to| *to != s.status) {
            if r.summary.merged_into.is_some() {
                return Err(in_ticket(TicketRuleError::TicketClosed.into()));
            }
            set_status(&mut s, to, now, &mut changes).map_err(in_ticket)?;
        } else {
            writable(r).map_err(in_ticket)?;
        }
        if let Some(p) = req.priority.filter(|p| *p != s.priority) {
            changes.push(change("priority", s.priority, p));
            s.priority = p;
        }
        if let Some(a) = req.assignee_id.filter(|a| Some(*a) != s.assignee_id) {
            changes.push(opt_change(
                "assignee",
                r.summary.assignee_name.clone(),
                assignee_name.clone(),
            ));
            s.assignee_id = Some(a);
        }
        let mut tags: Vec<String> = s
            .tags
            .iter()
            .filter(|t| !remove.contains(t))
            .cloned()
            .collect();
        tags.extend(add.iter().cloned());
        let tags = check_tags(&tags)
            .map_err(|e| in_ticket(HubError::unprocessable("too_many_tags", e)))?;
        if tags != s.tags {
            changes.push(change("tags", s.tags.join(" "), tags.join(" ")));
            s.tags = tags;
        }
        s.updated_at = now;
        let targets_now = targets(state, s.priority).await?;
        set_deadlines(&mut s, targets_now);
        writes.push(TicketWrite {
            expected_version: Some(tr.version),
            state: s,
            messages: Vec::new(),
            history: HistoryDraft {
                actor: writer.actor.clone(),
                actor_name: writer.name.clone(),
                changes,
            },
        });
    }
    let fx = Effects::audit(audit(
        now,
        &writer.actor,
        AuditAction::TicketsBulkEdited,
        "tickets",
        writer.addr,
        json!({"tickets": ids, "status": req.status, "priority": req.priority, "assignee_id": req.assignee_id, "add_tags": add, "remove_tags": remove}),
    ));
    let mut fx = fx;
    for w in &writes {
        if let Some(r) = records.iter().find(|r| r.id() == w.state.id) {
            fx.events.push(events::ticket_event(
                TicketEventKind::Changed,
                &w.state,
                Some(r.summary.number),
                &r.summary.tenant_name,
                writer.staff_id(),
                None,
            ));
        }
    }
    let saved = save(state, writes, None, idem_draft(idem, &ids, now), fx).await?;
    Ok(BulkEditResult {
        tickets: saved.into_iter().map(|t| t.summary).collect(),
    })
}
