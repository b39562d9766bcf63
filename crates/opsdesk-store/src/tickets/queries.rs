//! Reading tickets: by id or internal key, their messages and history, queue pages in sort
//! order after a cursor, counts, the changes feed, the SLA job's claim and stored idempotent
//! results.

use super::rows::{HistoryRow, MessageRow, TicketRow, MESSAGE_COLUMNS, TICKET_SELECT};
use super::spec::push_spec;
use super::{IdempotencyRecord, QueuePage, TicketRecord, TicketSpec};
use crate::common::{convert_all, convert_opt, ms};
use crate::dialect::{fetch_one, Dialect};
use crate::query::Sql;
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_core::ticket::QueueSort;
use opsdesk_proto::{MessageView, TicketChange};
use uuid::Uuid;

/// Reads tickets by internal key, keeping the order of `seqs`.
pub(crate) async fn by_seqs<D: Dialect>(store: &D, seqs: &[i64]) -> StoreResult<Vec<TicketRecord>> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!("{TICKET_SELECT} WHERE t.seq IN ("));
    q.push_list(seqs.iter().copied()).push(")");
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<TicketRow> = D::fetch_all(&mut conn, q).await?;
    let mut records: Vec<TicketRecord> = convert_all(rows)?;
    records.sort_by_key(|r| seqs.iter().position(|s| *s == r.seq));
    Ok(records)
}

/// One ticket by id.
pub(crate) async fn by_id<D: Dialect>(store: &D, id: Uuid) -> StoreResult<Option<TicketRecord>> {
    let sql = Sql::new(format!("{TICKET_SELECT} WHERE t.id = $1")).bind(id.to_string());
    let mut conn = store.pool().acquire().await?;
    let row: Option<TicketRow> = D::fetch_optional(&mut conn, sql).await?;
    convert_opt(row)
}

/// Tickets by id, in no particular order.
pub(crate) async fn by_ids<D: Dialect>(store: &D, ids: &[Uuid]) -> StoreResult<Vec<TicketRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!("{TICKET_SELECT} WHERE t.id IN ("));
    q.push_list(ids.iter().map(|id| id.to_string())).push(")");
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<TicketRow> = D::fetch_all(&mut conn, q).await?;
    convert_all(rows)
}

/// A ticket's messages made after version `after_version`, oldest first.
pub(crate) async fn messages_since<D: Dialect>(
    store: &D,
    id: Uuid,
    after_version: i64,
) -> StoreResult<Vec<MessageView>> {
    let sql = Sql::new(format!(
        "SELECT {MESSAGE_COLUMNS} FROM ticket_messages WHERE ticket_id = $1 \
         AND made_version > $2 ORDER BY created_at, id"
    ))
    .bind(id.to_string())
    .bind(after_version);
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<MessageRow> = D::fetch_all(&mut conn, sql).await?;
    convert_all(rows)
}

/// A ticket's recorded changes after version `after_version`, in order.
pub(crate) async fn history<D: Dialect>(
    store: &D,
    id: Uuid,
    after_version: i64,
) -> StoreResult<Vec<TicketChange>> {
    let sql = Sql::new(
        "SELECT version, at, actor, actor_name, changes FROM ticket_history \
         WHERE ticket_id = $1 AND version > $2 ORDER BY version",
    )
    .bind(id.to_string())
    .bind(after_version);
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<HistoryRow> = D::fetch_all(&mut conn, sql).await?;
    convert_all(rows)
}

/// One page of a queue in its sort order, after its cursor.
pub(crate) async fn queue_page<D: Dialect>(
    store: &D,
    page: &QueuePage,
) -> StoreResult<Vec<TicketRecord>> {
    // The page's keys come from the tickets table alone, so the index it walks answers without
    // reading rows; then only the page's rows are read and joined.
    let mut q = Sql::new(format!(
        "{TICKET_SELECT} WHERE t.seq IN (SELECT t.seq FROM tickets t WHERE 1 = 1"
    ));
    push_spec::<D>(&mut q, &page.spec, Some(page.sort));
    // Row-value comparisons let both databases seek the sort index to the cursor. Finished
    // tickets are found by when they were solved, not in sort order, so there the cursor must
    // not lead SQLite to walk every finished ticket instead.
    let open = page.spec.open.or(page.spec.status.map(|s| s.is_open()));
    let seek = if open == Some(true) { "(t." } else { "(+t." };
    if let Some(c) = page.after {
        q.push(" AND ").push(seek);
        match page.sort {
            QueueSort::SlaDue => {
                q.push("sla_due_sort, t.seq) > (")
                    .push_bind(c.a)
                    .push(", ")
                    .push_bind(c.seq);
            }
            QueueSort::Priority => {
                q.push("priority_rank, t.sla_due_sort, t.seq) > (")
                    .push_bind(c.a)
                    .push(", ")
                    .push_bind(c.b)
                    .push(", ")
                    .push_bind(c.seq);
            }
            QueueSort::Updated => {
                q.push("updated_at, t.seq) < (")
                    .push_bind(c.a)
                    .push(", ")
                    .push_bind(c.seq);
            }
        }
        q.push(")");
    }
    let order = match page.sort {
        QueueSort::SlaDue => " ORDER BY t.sla_due_sort, t.seq",
        QueueSort::Priority => " ORDER BY t.priority_rank, t.sla_due_sort, t.seq",
        QueueSort::Updated => " ORDER BY t.updated_at DESC, t.seq DESC",
    };
    // Finished tickets are sorted after they are found: an order no index gives keeps
    // PostgreSQL from walking every finished ticket hoping to meet recent ones.
    q.push(&if open == Some(true) {
        order.to_owned()
    } else {
        order.replacen("t.", "+t.", 1)
    });
    // A literal limit lets PostgreSQL cost the ordered walk that stops after a page.
    q.push(&format!(" LIMIT {})", page.limit)).push(order);
    // Planned for this request's values each time (no cached generic plan), so PostgreSQL sees
    // which tenant or assignee it is; SQLite plans the same either way.
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<TicketRow> = D::fetch_all(&mut conn, q.once()).await?;
    convert_all(rows)
}

/// How many tickets match `spec`.
pub(crate) async fn count<D: Dialect>(store: &D, spec: &TicketSpec) -> StoreResult<i64> {
    let mut q = Sql::new("SELECT COUNT(*) FROM tickets t WHERE 1 = 1");
    push_spec::<D>(&mut q, spec, None);
    let mut conn = store.pool().acquire().await?;
    let (n,): (i64,) = fetch_one::<D, _>(&mut conn, q.once()).await?;
    Ok(n)
}

/// Tickets changed after feed position `since`, in feed order.
pub(crate) async fn changes<D: Dialect>(
    store: &D,
    since: i64,
    limit: u32,
) -> StoreResult<Vec<TicketRecord>> {
    let sql = Sql::new(format!(
        "{TICKET_SELECT} WHERE t.change_seq > $1 ORDER BY t.change_seq LIMIT $2"
    ))
    .bind(since)
    .bind(i64::from(limit));
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<TicketRow> = D::fetch_all(&mut conn, sql).await?;
    convert_all(rows)
}

/// Claims tickets due for an SLA check until `lease_until` (the backend's claim).
pub(crate) async fn claim_sla_checks<D: Dialect>(
    store: &D,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<TicketRecord>> {
    let writing = store.write_guard().await;
    let claim = Sql::new(D::claim_sla_sql())
        .bind(ms(lease_until))
        .bind(ms(now))
        .bind(i64::from(limit));
    let mut conn = store.pool().acquire().await?;
    let seqs: Vec<(i64,)> = D::fetch_all(&mut conn, claim).await?;
    drop(conn);
    drop(writing);
    let seqs: Vec<i64> = seqs.into_iter().map(|(s,)| s).collect();
    by_seqs(store, &seqs).await
}

/// The stored result of an idempotent request.
pub(crate) async fn idempotency_result<D: Dialect>(
    store: &D,
    principal: &str,
    key: &str,
) -> StoreResult<Option<IdempotencyRecord>> {
    let sql = Sql::new(
        "SELECT request_hash, result FROM idempotency_keys WHERE principal = $1 AND key = $2",
    )
    .bind(principal)
    .bind(key);
    let mut conn = store.pool().acquire().await?;
    let row: Option<(String, String)> = D::fetch_optional(&mut conn, sql).await?;
    row.map(|(request_hash, result)| {
        Ok(IdempotencyRecord {
            request_hash,
            result: serde_json::from_str(&result)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    })
    .transpose()
}
