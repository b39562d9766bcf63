//! Tickets: the queue and its reads, and every ticket write. Every write checks the version the
//! writer saw, takes an optional idempotency key, records history and an audit entry in the same
//! transaction, and emits a ticket event after it commits; this module holds that shared write
//! path, the files beside it one action each.

pub mod bulk;
pub mod escalate;
pub mod merge;
pub mod open;
pub mod queue;
pub mod write;

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use crate::support::events;
use crate::support::idempotency::{idem_draft, replayed, Idem};
use chrono::{DateTime, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted, TicketWriteProof};
use opsdesk_core::sla::SlaTargets;
use opsdesk_core::ticket::{check_writable, Priority, TicketStatus};
use opsdesk_core::Role;
use opsdesk_proto::{FieldChange, TicketConflict, TicketEventKind, TicketSummary};
use opsdesk_store::{
    Effects, HistoryDraft, IdempotencyDraft, MessageMove, NewMessage, StoreError, TicketRecord,
    TicketState, TicketWrite,
};
use std::net::IpAddr;
use uuid::Uuid;

/// Who is writing: staff, an integration, or the hub itself (the SLA job), with the proof of the
/// permission checked for the write.
#[derive(Debug, Clone)]
pub struct Writer<'a> {
    /// `staff:<id>`, `integration:<id>` or `system`.
    pub actor: String,
    pub name: String,
    pub staff: Option<(Uuid, Role)>,
    pub addr: IpAddr,
    /// What the store's write takes.
    pub proof: &'a dyn TicketWriteProof,
}

/// The proof the hub's own ticket writes (the SLA job) go under.
static HUB_WORKS_TICKETS: Granted<cap::TicketsWork> = Granted::system();

impl<'a> Writer<'a> {
    /// A signed-in staff member, with the proof their check returned.
    pub fn staff(caller: &Caller, client: &ClientInfo, proof: &'a dyn TicketWriteProof) -> Self {
        Writer {
            actor: caller.actor(),
            name: caller.staff.display_name.clone(),
            staff: Some((caller.staff.id, caller.staff.role)),
            addr: client.addr,
            proof,
        }
    }

    /// The hub's own jobs.
    pub fn system() -> Writer<'static> {
        Writer {
            actor: "system".into(),
            name: "Opsdesk".into(),
            staff: None,
            addr: IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            proof: &HUB_WORKS_TICKETS,
        }
    }

    fn staff_id(&self) -> Option<Uuid> {
        self.staff.map(|s| s.0)
    }
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
pub(crate) fn set_deadlines(s: &mut TicketState, targets: SlaTargets) {
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

pub(crate) fn change(field: &str, from: impl ToString, to: impl ToString) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        from: Some(from.to_string()),
        to: Some(to.to_string()),
    }
}

pub(crate) fn opt_change(field: &str, from: Option<String>, to: Option<String>) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        from,
        to,
    }
}

pub(crate) fn field_err(field: &str) -> impl Fn(String) -> HubError + '_ {
    move |e| HubError::field(field, e)
}

pub(crate) async fn current(state: &AppState, id: Uuid) -> HubResult<TicketSummary> {
    Ok(load(state, id).await?.summary)
}

pub(crate) async fn load(state: &AppState, id: Uuid) -> HubResult<TicketRecord> {
    state
        .store
        .ticket_by_id(id)
        .await?
        .ok_or(HubError::NotFound("ticket"))
}

pub(crate) fn first_of(mut saved: Vec<TicketRecord>) -> HubResult<TicketRecord> {
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

/// Writes one ticket (with the request's idempotency key) under `writer`'s proof.
pub(crate) async fn save_one(
    state: &AppState,
    writer: &Writer<'_>,
    write: TicketWrite,
    idem: Option<Idem>,
    now: DateTime<Utc>,
    fx: Effects,
) -> HubResult<TicketRecord> {
    let id = write.state.id;
    let draft = idem_draft(idem, &[id], now);
    first_of(save(state, writer.proof, vec![write], None, draft, fx).await?)
}

/// Writes tickets under the proof of the permission the action checked.
pub(crate) async fn save(
    state: &AppState,
    proof: &dyn TicketWriteProof,
    writes: Vec<TicketWrite>,
    moves: Option<MessageMove>,
    idem: Option<IdempotencyDraft>,
    fx: Effects,
) -> HubResult<Vec<TicketRecord>> {
    let stale: Vec<(Uuid, i64)> = writes
        .iter()
        .filter_map(|w| w.expected_version.map(|v| (w.state.id, v)))
        .collect();
    match state
        .store
        .write_tickets(proof, writes, moves, idem, fx)
        .await
    {
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
pub(crate) async fn mutate_one(
    state: &AppState,
    writer: &Writer<'_>,
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
    save_one(state, writer, write, idem, now, fx).await
}

/// A merged or closed ticket takes no more changes (core's rule).
pub(crate) fn writable(r: &TicketRecord) -> HubResult<()> {
    Ok(check_writable(
        r.summary.status,
        r.summary.merged_into.is_some(),
    )?)
}

/// Moves the status, following the SLA clock and the solved time.
pub(crate) fn set_status(
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
