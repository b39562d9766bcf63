//! Opening a ticket: by staff, or by the platform through an integration token (intake).

use super::{current, field_err, opt_change, save_one, set_deadlines, targets, Writer};
use crate::context::{Caller, ClientInfo, IdempotencyKey, Integration};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use crate::support::events;
use crate::support::idempotency::{idem, replayed, Idem};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::sla::SlaClock;
use opsdesk_core::ticket::{
    check_body, check_subject, check_tags, EscalationLevel, MessageKind, Priority, TicketStatus,
};
use opsdesk_core::validate::{DisplayName, Email};
use opsdesk_proto::{CreateTicketRequest, IntakeTicketRequest, TicketEventKind, TicketSummary};
use opsdesk_store::{Effects, HistoryDraft, NewMessage, TicketState, TicketWrite};
use serde_json::json;
use uuid::Uuid;

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
    writer: &Writer<'_>,
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
    let ticket = save_one(state, writer, write, idem, now, fx).await?;
    Ok(ticket.summary)
}

/// Opens a ticket as staff (needs `tickets.work`).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    req: CreateTicketRequest,
) -> HubResult<TicketSummary> {
    let worker = Granted::<cap::TicketsWork>::check(caller.staff.role)?;
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
    open(state, &Writer::staff(caller, client, &worker), o, idem).await
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
    let platform = Granted::<cap::TicketsWork>::from_platform();
    let writer = Writer {
        actor: integration.actor(),
        name: integration.token.name.clone(),
        staff: None,
        addr: client.addr,
        proof: &platform,
    };
    open(state, &writer, o, idem).await
}
