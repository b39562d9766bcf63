//! Writing tickets: one transaction stores every ticket of an action at its expected version,
//! with its tags, messages, search index and history, moves a merged ticket's messages, keeps
//! the idempotent result, and numbers the changes feed in commit order.

use super::queries::by_seqs;
use super::rows::join_tags;
use super::{IdempotencyDraft, MessageMove, NewMessage, TicketRecord, TicketState, TicketWrite};
use crate::audit::write_effects;
use crate::common::{duplicate_as, json_text, ms};
use crate::dialect::{fetch_one, Dialect, Tx};
use crate::query::{Arg, Sql};
use crate::{Effects, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The ticket columns a write stores, in [`state_args`] order (then `version, change_seq`).
pub(super) const WRITE_COLUMNS: &str =
    "id, tenant_id, requester_name, requester_email, subject, status, is_open, priority_rank, \
     assignee_id, group_id, tags, escalation_level, sla_active_ms, sla_running_since, sla_stage, \
     sla_state, sla_due_at, sla_due_sort, sla_check_at, first_responded_at, solved_at, \
     merged_into, created_at, updated_at";

/// A ticket's stored values, in [`WRITE_COLUMNS`] order.
pub(super) fn state_args(s: &TicketState) -> Vec<Arg> {
    let opt_ms = |t: Option<DateTime<Utc>>| Arg::from(t.map(ms));
    vec![
        s.id.to_string().into(),
        s.tenant_id.to_string().into(),
        s.requester_name.clone().into(),
        s.requester_email.clone().into(),
        s.subject.clone().into(),
        s.status.as_str().into(),
        i64::from(s.status.is_open()).into(),
        s.priority.rank().into(),
        s.assignee_id.map(|id| id.to_string()).into(),
        s.group_id.map(|id| id.to_string()).into(),
        join_tags(&s.tags).into(),
        s.escalation_level.number().into(),
        s.sla.active_ms.into(),
        opt_ms(s.sla.running_since),
        s.sla.stage.as_str().into(),
        s.sla.state.as_str().into(),
        opt_ms(s.sla_due_at),
        s.sla_due_at.map(ms).unwrap_or(i64::MAX).into(),
        opt_ms(s.sla_check_at),
        opt_ms(s.first_responded_at),
        opt_ms(s.solved_at),
        s.merged_into.map(|id| id.to_string()).into(),
        ms(s.created_at).into(),
        ms(s.updated_at).into(),
    ]
}

/// Writes one ticket's state: inserts a new ticket or updates one still at its expected
/// version. Returns the internal key and the new version.
async fn put_ticket<D: Dialect>(
    tx: &mut Tx<D>,
    w: &TicketWrite,
    change_seq: i64,
) -> StoreResult<(i64, i64)> {
    let mut q = match w.expected_version {
        None => {
            let mut q = Sql::new(format!(
                "INSERT INTO tickets ({WRITE_COLUMNS}, version, change_seq) VALUES ("
            ));
            q.push_list(state_args(&w.state))
                .push(", 1, ")
                .push_bind(change_seq)
                .push(")");
            q
        }
        Some(expected) => {
            let mut q = Sql::new("UPDATE tickets SET ");
            let columns = WRITE_COLUMNS.split(',').map(str::trim);
            for (column, value) in columns.zip(state_args(&w.state)) {
                q.push(column).push(" = ").push_bind(value).push(", ");
            }
            q.push("version = version + 1, change_seq = ")
                .push_bind(change_seq)
                .push(" WHERE id = $1 AND version = ")
                .push_bind(expected);
            q
        }
    };
    q.push(" RETURNING seq, version");
    let row: Option<(i64, i64)> = D::fetch_optional(&mut **tx, q).await?;
    row.ok_or(StoreError::VersionConflict)
}

/// Replaces a ticket's rows in `ticket_tags`.
async fn put_tags<D: Dialect>(
    tx: &mut Tx<D>,
    id: Uuid,
    tags: &[String],
    fresh: bool,
) -> StoreResult<()> {
    if !fresh {
        let clear = Sql::new("DELETE FROM ticket_tags WHERE ticket_id = $1").bind(id.to_string());
        D::execute(&mut **tx, clear).await?;
    }
    for tag in tags {
        let insert = Sql::new("INSERT INTO ticket_tags (tag, ticket_id) VALUES ($1, $2)")
            .bind(tag)
            .bind(id.to_string());
        D::execute(&mut **tx, insert).await?;
    }
    Ok(())
}

/// A message's stored values, in `ticket_messages` column order (`id, ticket_id, kind,
/// author_id, author_name, body, created_at, made_version`).
pub(super) fn message_args(ticket_id: Uuid, m: &NewMessage, version: i64) -> Vec<Arg> {
    vec![
        m.id.to_string().into(),
        ticket_id.to_string().into(),
        m.kind.as_str().into(),
        m.author_id.map(|id| id.to_string()).into(),
        m.author_name.clone().into(),
        m.body.clone().into(),
        ms(m.created_at).into(),
        version.into(),
    ]
}

/// The `ticket_messages` columns [`message_args`] fills.
pub(super) const MESSAGE_INSERT: &str = "INSERT INTO ticket_messages (id, ticket_id, kind, \
     author_id, author_name, body, created_at, made_version) ";

/// The next position in the changes feed. Callers hold the write lock, so positions commit in
/// order and a reader never skips one.
pub(super) async fn next_change_seq<D: Dialect>(tx: &mut Tx<D>) -> StoreResult<i64> {
    let sql = Sql::new("SELECT MAX(change_seq) FROM tickets");
    let (last,): (Option<i64>,) = fetch_one::<D, _>(&mut **tx, sql).await?;
    Ok(last.unwrap_or(0) + 1)
}

/// Stores every ticket of one action, the message move of a merge and the idempotent result,
/// with `fx`, in one transaction; returns the tickets as stored.
pub(crate) async fn write_tickets<D: Dialect>(
    store: &D,
    writes: Vec<TicketWrite>,
    moves: Option<MessageMove>,
    idempotency: Option<IdempotencyDraft>,
    fx: Effects,
) -> StoreResult<Vec<TicketRecord>> {
    let writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    // One writer at a time, so feed positions and audit entries commit in order.
    D::lock_audit(&mut tx).await?;
    let mut change_seq = next_change_seq::<D>(&mut tx).await?;
    let mut seqs = Vec::with_capacity(writes.len());
    for w in &writes {
        let (seq, version) = put_ticket::<D>(&mut tx, w, change_seq).await?;
        change_seq += 1;
        let fresh = w.expected_version.is_none();
        put_tags::<D>(&mut tx, w.state.id, &w.state.tags, fresh).await?;
        let mut added = String::new();
        for m in &w.messages {
            let mut insert = Sql::new(MESSAGE_INSERT);
            insert.push("VALUES (");
            insert
                .push_list(message_args(w.state.id, m, version))
                .push(")");
            D::execute(&mut *tx, insert).await?;
            added.push_str(&m.body);
            added.push('\n');
        }
        if fresh {
            D::index_new_ticket(&mut tx, seq, &w.state.subject, &added).await?;
        } else if !added.is_empty() {
            D::index_append(&mut tx, seq, &added).await?;
        }
        if !w.history.changes.is_empty() {
            let insert = Sql::new(
                "INSERT INTO ticket_history (ticket_id, version, at, actor, actor_name, \
                 changes) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(w.state.id.to_string())
            .bind(version)
            .bind(ms(w.state.updated_at))
            .bind(&w.history.actor)
            .bind(&w.history.actor_name)
            .bind(
                serde_json::to_string(&w.history.changes)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            );
            D::execute(&mut *tx, insert).await?;
        }
        seqs.push(seq);
    }
    if let Some(mv) = moves {
        let bodies =
            Sql::new("SELECT body FROM ticket_messages WHERE ticket_id = $1 ORDER BY created_at")
                .bind(mv.from.to_string());
        let bodies: Vec<(String,)> = D::fetch_all(&mut *tx, bodies).await?;
        let update = Sql::new(
            "UPDATE ticket_messages SET ticket_id = $1, \
             merged_from = COALESCE(merged_from, $2) WHERE ticket_id = $2",
        )
        .bind(mv.to.to_string())
        .bind(mv.from.to_string());
        D::execute(&mut *tx, update).await?;
        let target = Sql::new("SELECT seq FROM tickets WHERE id = $1").bind(mv.to.to_string());
        let target: Option<(i64,)> = D::fetch_optional(&mut *tx, target).await?;
        if let (Some((target,)), false) = (target, bodies.is_empty()) {
            let text: Vec<String> = bodies.into_iter().map(|(b,)| b).collect();
            D::index_append(&mut tx, target, &text.join("\n")).await?;
        }
    }
    if let Some(idem) = idempotency {
        let insert = Sql::new(
            "INSERT INTO idempotency_keys (principal, key, request_hash, result, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&idem.principal)
        .bind(&idem.key)
        .bind(&idem.request_hash)
        .bind(json_text(&idem.result)?)
        .bind(ms(idem.at));
        D::execute(&mut *tx, insert)
            .await
            .map_err(duplicate_as("idempotency_key"))?;
    }
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    drop(writing);
    by_seqs(store, &seqs).await
}
