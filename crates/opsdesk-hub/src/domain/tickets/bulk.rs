//! Bulk edits: one change applied to many tickets in one transaction.

use super::{
    change, conflict, field_err, opt_change, save, set_deadlines, set_status, state_of, targets,
    writable, Writer,
};
use crate::context::{Caller, ClientInfo, IdempotencyKey};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use crate::support::events;
use crate::support::idempotency::{idem, idem_draft, replayed};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::ticket::{check_tags, TicketRuleError};
use opsdesk_core::Role;
use opsdesk_proto::{BulkEditRequest, BulkEditResult, TicketEventKind};
use opsdesk_store::{Effects, HistoryDraft, TicketWrite};
use serde_json::json;
use uuid::Uuid;

/// Most tickets one bulk edit may change.
pub const BULK_MAX: usize = 500;

/// Applies one change to many tickets, all or nothing (needs `tickets.bulk_edit`).
pub async fn bulk_edit(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    key: &IdempotencyKey,
    req: BulkEditRequest,
) -> HubResult<BulkEditResult> {
    let editor = Granted::<cap::TicketsBulkEdit>::check(caller.staff.role)?;
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
    let writer = Writer::staff(caller, client, &editor);
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
    let saved = save(
        state,
        writer.proof,
        writes,
        None,
        idem_draft(idem, &ids, now),
        fx,
    )
    .await?;
    Ok(BulkEditResult {
        tickets: saved.into_iter().map(|t| t.summary).collect(),
    })
}
