//! Changing a ticket: fields and status, replies and internal notes, and assignment (to me, to
//! someone, round-robin in a group).

use crate::context::{Caller, ClientInfo, IdempotencyKey};
use crate::error::{HubError, HubResult};

use super::{
    change, current, field_err, load, mutate_one, opt_change, set_status, writable, Mutation,
    Writer,
};
use crate::state::AppState;
use crate::support::idempotency::{idem, replayed};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted, TicketWriteProof};
use opsdesk_core::ticket::{check_body, check_tags, MessageKind, TicketRuleError, TicketStatus};
use opsdesk_core::Role;
use opsdesk_proto::{
    AddMessageRequest, AssignRequest, AssignTarget, TicketEventKind, TicketSummary,
    UpdateTicketRequest,
};
use opsdesk_store::{NewMessage, TicketRecord};
use serde_json::json;
use uuid::Uuid;

/// Changes status, priority and tags (needs `tickets.work`).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    id: Uuid,
    req: UpdateTicketRequest,
) -> HubResult<TicketSummary> {
    let worker = Granted::<cap::TicketsWork>::check(caller.staff.role)?;
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
    let writer = Writer::staff(caller, client, &worker);
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
    let worker = Granted::<cap::TicketsWork>::check(caller.staff.role)?;
    let body = check_body(&req.body).map_err(field_err("body"))?;
    if req.kind == MessageKind::System {
        return Err(HubError::field("kind", "must be `reply` or `note`"));
    }
    let idem = idem(&caller.actor(), key, &format!("message:{id}"), &req);
    let writer = Writer::staff(caller, client, &worker);
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
    let worker = Granted::<cap::TicketsWork>::check(role)?;
    let idem = idem(&caller.actor(), key, &format!("assign:{id}"), &req);
    if let Some(ids) = replayed(state, &idem).await? {
        return current(state, ids[0]).await;
    }
    // Giving the ticket to someone else (or taking it from them) needs `tickets.assign`, whose
    // proof then goes with the write.
    let mut assigner: Option<Granted<cap::TicketsAssign>> = None;
    let record = load(state, id).await?;
    let (assignee, group) = match &req.to {
        AssignTarget::Me => (Some(caller.staff.id), record.summary.group_id),
        AssignTarget::Staff { staff_id } if *staff_id == caller.staff.id => {
            (Some(caller.staff.id), record.summary.group_id)
        }
        AssignTarget::Staff { staff_id } => {
            assigner = Some(Granted::<cap::TicketsAssign>::check(role)?);
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
            assigner = Some(Granted::<cap::TicketsAssign>::check(role)?);
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
                assigner = Some(Granted::<cap::TicketsAssign>::check(role)?);
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
    let proof: &dyn TicketWriteProof = match &assigner {
        Some(assign) => assign,
        None => &worker,
    };
    let writer = Writer::staff(caller, client, proof);
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
