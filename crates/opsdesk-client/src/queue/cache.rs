//! The cached tickets: storing what the changes feed and the hub's answers deliver, and reading
//! queue pages, counts, a LIKE search and ticket details back from them. Pages read the same
//! rows in the same order as the hub's (core's queue rules build the selection and cursor).

use super::views::Viewer;
use crate::cache::Cache;
use crate::error::ClientError;
use chrono::{DateTime, Utc};
use opsdesk_core::paging;
use opsdesk_core::sla::{SlaStage, SlaState};
use opsdesk_core::tickets::queue::{saved_spec, view_spec, QueuePage, TicketSpec};
use opsdesk_core::tickets::{EscalationLevel, Priority, QueueSort, QueueView, TicketStatus};
use opsdesk_proto::{
    Page, QueueCounts, SavedFilterCount, SavedFilterView, TicketDetail, TicketSummary, ViewCount,
};
use sqlx::{QueryBuilder, Sqlite};
use uuid::Uuid;

/// Rows per `INSERT`: 27 columns each, below SQLite's limit of bound values.
const UPSERT_CHUNK: usize = 1_000;
/// How many opened tickets keep their conversation for offline reading.
const DETAILS_KEPT: i64 = 500;
/// Most results of the offline search.
const SEARCH_LIMIT: i64 = 25;

/// The ticket columns, in [`TicketRow`] order; `t` is `tickets`.
const SELECT: &str = "SELECT t.id, t.number, t.tenant_id, t.tenant_name, t.requester_name, \
    t.requester_email, t.subject, t.status, t.priority_rank, t.assignee_id, t.assignee_name, \
    t.group_id, t.group_name, t.tags, t.escalation_level, t.sla_due_at, t.sla_stage, \
    t.sla_state, t.sla_paused, t.merged_into, t.created_at, t.updated_at, t.version, \
    t.change_seq FROM tickets t";

const INSERT: &str = "INSERT INTO tickets (id, number, tenant_id, tenant_name, requester_name, \
    requester_email, subject, status, is_open, priority_rank, assignee_id, assignee_name, \
    group_id, group_name, tags, escalation_level, sla_due_at, sla_due_sort, sla_stage, \
    sla_state, sla_paused, merged_into, created_at, updated_at, solved_at, version, change_seq) ";

/// A newer state replaces an older one only (an answer to a write may arrive before the feed
/// page that holds an older state); the solved time is the first time the app saw it finished.
const ON_CONFLICT: &str = " ON CONFLICT (id) DO UPDATE SET number = excluded.number, \
    tenant_id = excluded.tenant_id, tenant_name = excluded.tenant_name, \
    requester_name = excluded.requester_name, requester_email = excluded.requester_email, \
    subject = excluded.subject, status = excluded.status, is_open = excluded.is_open, \
    priority_rank = excluded.priority_rank, assignee_id = excluded.assignee_id, \
    assignee_name = excluded.assignee_name, group_id = excluded.group_id, \
    group_name = excluded.group_name, tags = excluded.tags, \
    escalation_level = excluded.escalation_level, sla_due_at = excluded.sla_due_at, \
    sla_due_sort = excluded.sla_due_sort, sla_stage = excluded.sla_stage, \
    sla_state = excluded.sla_state, sla_paused = excluded.sla_paused, \
    merged_into = excluded.merged_into, created_at = excluded.created_at, \
    updated_at = excluded.updated_at, \
    solved_at = CASE WHEN excluded.is_open = 1 THEN NULL \
        ELSE COALESCE(tickets.solved_at, excluded.solved_at) END, \
    version = excluded.version, change_seq = excluded.change_seq \
    WHERE excluded.change_seq >= tickets.change_seq";

/// Where the changes feed was last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedPosition {
    /// Pass as `since` to the changes feed.
    pub next: i64,
    /// When a sync last caught up with the hub.
    pub synced_at: Option<DateTime<Utc>>,
}

/// The ticket tables of the local cache.
#[derive(Debug, Clone)]
pub struct TicketCache {
    cache: Cache,
}

impl TicketCache {
    /// The tickets kept in `cache`.
    pub fn new(cache: Cache) -> Self {
        TicketCache { cache }
    }

    /// Stores `tickets` (newer states only) and, with `feed`, moves the feed position, all in
    /// one transaction. Returns false, storing nothing, when the cache was wiped since `epoch`.
    pub async fn store(
        &self,
        epoch: u64,
        tickets: &[TicketSummary],
        feed: Option<FeedPosition>,
    ) -> Result<bool, ClientError> {
        let current = self.cache.epoch_lock().await;
        if *current != epoch {
            return Ok(false);
        }
        let mut tx = self.cache.pool().begin().await?;
        for chunk in tickets.chunks(UPSERT_CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(INSERT);
            q.push_values(chunk, |mut b, t| {
                let tags = serde_json::to_string(&t.tags).unwrap_or_else(|_| "[]".into());
                let due = t.sla_due_at.map(|d| d.timestamp_millis());
                let finished_at = (!t.status.is_open()).then(|| t.updated_at.timestamp_millis());
                b.push_bind(t.id.to_string())
                    .push_bind(t.number)
                    .push_bind(t.tenant_id.to_string())
                    .push_bind(t.tenant_name.clone())
                    .push_bind(t.requester_name.clone())
                    .push_bind(t.requester_email.clone())
                    .push_bind(t.subject.clone())
                    .push_bind(t.status.as_str())
                    .push_bind(i64::from(t.status.is_open()))
                    .push_bind(t.priority.rank())
                    .push_bind(t.assignee_id.map(|id| id.to_string()))
                    .push_bind(t.assignee_name.clone())
                    .push_bind(t.group_id.map(|id| id.to_string()))
                    .push_bind(t.group_name.clone())
                    .push_bind(tags)
                    .push_bind(t.escalation_level.number())
                    .push_bind(due)
                    .push_bind(due.unwrap_or(i64::MAX))
                    .push_bind(t.sla_stage.as_str())
                    .push_bind(t.sla_state.as_str())
                    .push_bind(i64::from(t.sla_paused))
                    .push_bind(t.merged_into.map(|id| id.to_string()))
                    .push_bind(t.created_at.timestamp_millis())
                    .push_bind(t.updated_at.timestamp_millis())
                    .push_bind(finished_at)
                    .push_bind(t.version)
                    .push_bind(t.change_seq);
            });
            q.push(ON_CONFLICT);
            q.build().execute(&mut *tx).await?;
        }
        if let Some(feed) = feed {
            sqlx::query(
                "INSERT INTO sync_cursor (id, next, synced_at) VALUES (1, ?1, ?2) \
                 ON CONFLICT (id) DO UPDATE SET next = excluded.next, \
                 synced_at = COALESCE(excluded.synced_at, sync_cursor.synced_at)",
            )
            .bind(feed.next)
            .bind(feed.synced_at.map(|t| t.timestamp_millis()))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Where the changes feed was last read (the start when never).
    pub async fn feed_position(&self) -> Result<FeedPosition, ClientError> {
        let row: Option<(i64, Option<i64>)> =
            sqlx::query_as("SELECT next, synced_at FROM sync_cursor WHERE id = 1")
                .fetch_optional(self.cache.pool())
                .await?;
        Ok(match row {
            Some((next, synced_at)) => FeedPosition {
                next,
                synced_at: synced_at.and_then(DateTime::from_timestamp_millis),
            },
            None => FeedPosition::default(),
        })
    }

    /// How many tickets are cached.
    pub async fn count_all(&self) -> Result<i64, ClientError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
            .fetch_one(self.cache.pool())
            .await?)
    }

    /// One cached ticket.
    pub async fn summary(&self, id: Uuid) -> Result<Option<TicketSummary>, ClientError> {
        let row: Option<TicketRow> = sqlx::query_as(&format!("{SELECT} WHERE t.id = ?1"))
            .bind(id.to_string())
            .fetch_optional(self.cache.pool())
            .await?;
        row.map(TicketSummary::try_from).transpose()
    }

    /// One page of cached tickets, in the hub's order, with the cursor of the next.
    pub async fn page(&self, page: &QueuePage) -> Result<Page<TicketSummary>, ClientError> {
        let mut q = QueryBuilder::<Sqlite>::new(SELECT);
        q.push(" WHERE 1 = 1");
        push_spec(&mut q, &page.spec);
        // Row values let SQLite seek the sort index to the cursor, as the hub does.
        if let Some(c) = page.after {
            match page.sort {
                QueueSort::SlaDue => {
                    q.push(" AND (t.sla_due_sort, t.number) > (")
                        .push_bind(c.a)
                        .push(", ")
                        .push_bind(c.seq)
                        .push(")");
                }
                QueueSort::Priority => {
                    q.push(" AND (t.priority_rank, t.sla_due_sort, t.number) > (")
                        .push_bind(c.a)
                        .push(", ")
                        .push_bind(c.b)
                        .push(", ")
                        .push_bind(c.seq)
                        .push(")");
                }
                QueueSort::Updated => {
                    q.push(" AND (t.updated_at, t.number) < (")
                        .push_bind(c.a)
                        .push(", ")
                        .push_bind(c.seq)
                        .push(")");
                }
            }
        }
        q.push(match page.sort {
            QueueSort::SlaDue => " ORDER BY t.sla_due_sort, t.number",
            QueueSort::Priority => " ORDER BY t.priority_rank, t.sla_due_sort, t.number",
            QueueSort::Updated => " ORDER BY t.updated_at DESC, t.number DESC",
        });
        q.push(" LIMIT ")
            .push_bind(i64::from(paging::rows_to_read(page.limit)));
        let rows: Vec<TicketRow> = q.build_query_as().fetch_all(self.cache.pool()).await?;
        let items = rows
            .into_iter()
            .map(TicketSummary::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let (items, next_cursor) = paging::cut(items, page.limit as usize, |t| {
            t.queue_cursor(page.sort).encode(page.sort)
        });
        Ok(Page { items, next_cursor })
    }

    /// How many cached tickets `spec` selects.
    pub async fn count(&self, spec: &TicketSpec) -> Result<i64, ClientError> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM tickets t WHERE 1 = 1");
        push_spec(&mut q, spec);
        Ok(q.build_query_scalar().fetch_one(self.cache.pool()).await?)
    }

    /// The counts of every view and saved filter.
    pub async fn counts(
        &self,
        viewer: Viewer,
        saved: &[SavedFilterView],
        now: DateTime<Utc>,
    ) -> Result<QueueCounts, ClientError> {
        let mut views = Vec::with_capacity(QueueView::ALL.len());
        for view in QueueView::ALL {
            let count = self.count(&view_spec(viewer, *view, now)).await?;
            views.push(ViewCount { view: *view, count });
        }
        let mut counts = Vec::with_capacity(saved.len());
        for f in saved {
            // The hub checked the filter when it was saved.
            if let Ok(spec) = saved_spec(&f.filter) {
                counts.push(SavedFilterCount {
                    id: f.id,
                    count: self.count(&spec).await?,
                });
            }
        }
        Ok(QueueCounts {
            views,
            saved: counts,
        })
    }

    /// Cached tickets whose subject holds every word of `text`, latest first: the search when
    /// the hub cannot be reached.
    pub async fn search(&self, text: &str) -> Result<Vec<TicketSummary>, ClientError> {
        let mut q = QueryBuilder::<Sqlite>::new(SELECT);
        q.push(" WHERE 1 = 1");
        push_words(&mut q, text);
        q.push(" ORDER BY t.updated_at DESC, t.number DESC LIMIT ")
            .push_bind(SEARCH_LIMIT);
        let rows: Vec<TicketRow> = q.build_query_as().fetch_all(self.cache.pool()).await?;
        rows.into_iter().map(TicketSummary::try_from).collect()
    }

    /// Keeps an opened ticket with its conversation for offline reading (the latest 500), and
    /// its summary in the queue.
    pub async fn store_detail(&self, epoch: u64, detail: &TicketDetail) -> Result<(), ClientError> {
        if !self
            .store(epoch, std::slice::from_ref(&detail.ticket), None)
            .await?
        {
            return Ok(());
        }
        let json = serde_json::to_string(detail)
            .map_err(|e| ClientError::Storage(format!("cannot encode a ticket: {e}")))?;
        let current = self.cache.epoch_lock().await;
        if *current != epoch {
            return Ok(());
        }
        let mut tx = self.cache.pool().begin().await?;
        sqlx::query(
            "INSERT INTO ticket_details (ticket_id, json, fetched_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (ticket_id) DO UPDATE SET json = excluded.json, \
             fetched_at = excluded.fetched_at",
        )
        .bind(detail.ticket.id.to_string())
        .bind(json)
        .bind(Utc::now().timestamp_millis())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM ticket_details WHERE ticket_id NOT IN \
             (SELECT ticket_id FROM ticket_details ORDER BY fetched_at DESC LIMIT ?1)",
        )
        .bind(DETAILS_KEPT)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The ticket as last opened, with the newest summary the cache holds for it.
    pub async fn detail(&self, id: Uuid) -> Result<Option<TicketDetail>, ClientError> {
        let json: Option<String> =
            sqlx::query_scalar("SELECT json FROM ticket_details WHERE ticket_id = ?1")
                .bind(id.to_string())
                .fetch_optional(self.cache.pool())
                .await?;
        let Some(mut detail) = json.and_then(|j| serde_json::from_str::<TicketDetail>(&j).ok())
        else {
            return Ok(None);
        };
        if let Some(newer) = self
            .summary(id)
            .await?
            .filter(|s| s.change_seq > detail.ticket.change_seq)
        {
            detail.ticket = newer;
        }
        Ok(Some(detail))
    }
}

/// Adds the `WHERE` conditions of `spec` to `q` (which already says `WHERE 1 = 1`).
fn push_spec<'a>(q: &mut QueryBuilder<'a, Sqlite>, spec: &'a TicketSpec) {
    if let Some(open) = spec.open {
        q.push(" AND t.is_open = ").push_bind(i64::from(open));
    }
    match &spec.assignee {
        Some(Some(id)) => {
            q.push(" AND t.assignee_id = ").push_bind(id.to_string());
        }
        Some(None) => {
            q.push(" AND t.assignee_id IS NULL");
        }
        None => {}
    }
    if let Some(levels) = &spec.escalation_levels {
        if levels.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(" AND t.escalation_level IN (");
            let mut sep = q.separated(", ");
            for l in levels {
                sep.push_bind(l.number());
            }
            q.push(")");
        }
    }
    if let Some(before) = spec.due_before {
        q.push(" AND t.sla_due_sort <= ")
            .push_bind(before.timestamp_millis());
    }
    if let Some(after) = spec.solved_after {
        q.push(" AND t.solved_at >= ")
            .push_bind(after.timestamp_millis());
    }
    if let Some(tenant) = spec.tenant_id {
        q.push(" AND t.tenant_id = ").push_bind(tenant.to_string());
    }
    if let Some(p) = spec.priority {
        q.push(" AND t.priority_rank = ").push_bind(p.rank());
    }
    if let Some(s) = spec.status {
        q.push(" AND t.status = ").push_bind(s.as_str());
    }
    if let Some(g) = spec.group_id {
        q.push(" AND t.group_id = ").push_bind(g.to_string());
    }
    if let Some(tag) = &spec.tag {
        q.push(" AND t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = ")
            .push_bind(tag.as_str())
            .push(")");
    }
    if let Some(text) = &spec.text {
        push_words(q, text);
    }
}

/// Every word of `text` must appear in the subject (case-insensitively for ASCII, as SQLite's
/// LIKE does); the hub also searches conversations, which the cache does not hold for every
/// ticket.
fn push_words(q: &mut QueryBuilder<'_, Sqlite>, text: &str) {
    let words: Vec<&str> = text.split_whitespace().take(20).collect();
    if words.is_empty() {
        q.push(" AND 1 = 0");
    }
    for word in words {
        let escaped = word
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND t.subject LIKE ")
            .push_bind(format!("%{escaped}%"))
            .push(" ESCAPE '\\'");
    }
}

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: String,
    number: i64,
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
    sla_due_at: Option<i64>,
    sla_stage: String,
    sla_state: String,
    sla_paused: i64,
    merged_into: Option<String>,
    created_at: i64,
    updated_at: i64,
    version: i64,
    change_seq: i64,
}

fn corrupt(what: &str, value: impl std::fmt::Display) -> ClientError {
    ClientError::Storage(format!("local cache: `{value}` is not a valid {what}"))
}

fn uuid(text: &str) -> Result<Uuid, ClientError> {
    Uuid::parse_str(text).map_err(|_| corrupt("id", text))
}

fn time(ms: i64) -> Result<DateTime<Utc>, ClientError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt("time", ms))
}

impl TryFrom<TicketRow> for TicketSummary {
    type Error = ClientError;
    fn try_from(r: TicketRow) -> Result<Self, ClientError> {
        Ok(TicketSummary {
            id: uuid(&r.id)?,
            number: r.number,
            tenant_id: uuid(&r.tenant_id)?,
            tenant_name: r.tenant_name,
            requester_name: r.requester_name,
            requester_email: r.requester_email,
            subject: r.subject,
            status: TicketStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
            priority: Priority::from_rank(r.priority_rank)
                .ok_or_else(|| corrupt("priority", r.priority_rank))?,
            assignee_id: r.assignee_id.as_deref().map(uuid).transpose()?,
            assignee_name: r.assignee_name,
            group_id: r.group_id.as_deref().map(uuid).transpose()?,
            group_name: r.group_name,
            tags: serde_json::from_str(&r.tags).map_err(|_| corrupt("tag list", &r.tags))?,
            escalation_level: EscalationLevel::from_number(r.escalation_level)
                .ok_or_else(|| corrupt("escalation level", r.escalation_level))?,
            sla_due_at: r.sla_due_at.map(time).transpose()?,
            sla_stage: SlaStage::parse(&r.sla_stage)
                .ok_or_else(|| corrupt("SLA stage", &r.sla_stage))?,
            sla_state: SlaState::parse(&r.sla_state)
                .ok_or_else(|| corrupt("SLA state", &r.sla_state))?,
            sla_paused: r.sla_paused != 0,
            merged_into: r.merged_into.as_deref().map(uuid).transpose()?,
            created_at: time(r.created_at)?,
            updated_at: time(r.updated_at)?,
            version: r.version,
            change_seq: r.change_seq,
        })
    }
}
