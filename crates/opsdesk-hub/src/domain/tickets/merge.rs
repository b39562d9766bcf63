//! Merging a ticket into another: its messages move, it closes, and the target records it.

use super::{
    change, conflict, current, load, opt_change, save, set_deadlines, state_of, targets, writable,
    Writer,
};
use crate::context::{Caller, ClientInfo, IdempotencyKey};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use crate::support::events;
use crate::support::idempotency::{idem, idem_draft, replayed};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::ticket::{check_tags, MessageKind, TicketRuleError, TicketStatus};
use opsdesk_proto::{MergeRequest, TicketEventKind, TicketSummary};
use opsdesk_store::{Effects, HistoryDraft, MessageMove, NewMessage, TicketWrite};
use serde_json::json;
use uuid::Uuid;

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
    let merger = Granted::<cap::TicketsMerge>::check(caller.staff.role)?;
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
    let writer = Writer::staff(caller, client, &merger);
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
        writer.proof,
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
