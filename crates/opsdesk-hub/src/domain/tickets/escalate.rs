//! Escalating a ticket, by staff or by the SLA job when a deadline nears or passes.

use crate::context::{Caller, ClientInfo, IdempotencyKey};
use crate::error::{HubError, HubResult};

use super::{change, mutate_one, opt_change, writable, Mutation, Writer};
use crate::state::AppState;
use crate::support::idempotency::idem;
use chrono::{DateTime, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::sla::{SlaAlarm, SlaClock};
use opsdesk_core::ticket::{check_reason, escalation_step, may_escalate, MessageKind};
use opsdesk_proto::{EscalateRequest, TicketEventKind, TicketSummary};
use opsdesk_store::{NewMessage, TicketRecord, TicketState};
use serde_json::json;
use uuid::Uuid;

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
    let worker = Granted::<cap::TicketsWork>::check(caller.staff.role)?;
    let reason = check_reason(&req.reason).map_err(|e| HubError::field("reason", e))?;
    let idem = idem(&caller.actor(), key, &format!("escalate:{id}"), &req);
    let writer = Writer::staff(caller, client, &worker);
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
