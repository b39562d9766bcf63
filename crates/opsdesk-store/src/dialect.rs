//! The [`Dialect`] trait: everything that differs between SQLite and PostgreSQL, declared once
//! and implemented once per backend (`sqlite.rs`, `postgres.rs`). The store's areas are plain
//! functions generic over it; their SQL runs unchanged on both databases (both accept `$1`
//! placeholders, `RETURNING` and `ON CONFLICT`), so what is left here is what really differs:
//! how writes are serialized and begun, how audit appends are ordered, how new events are
//! announced (PostgreSQL `NOTIFY`, SQLite an in-process signal), how tenant data is scoped
//! (PostgreSQL row-level security, SQLite explicit conditions), full-text search and the SLA
//! job's claim.

use crate::query::{Decodable, Sql};
use crate::{Backend, ChainReport, StoreResult};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

/// A write transaction of dialect `D`.
pub type Tx<D> = sqlx::Transaction<'static, <D as Dialect>::Db>;

/// One connection of dialect `D` (a transaction or a pooled connection dereferences to it).
pub type Conn<D> = <<D as Dialect>::Db as sqlx::Database>::Connection;

/// What differs between the backends. Implemented by each store type; sealed (the module is
/// private), so the store's public traits can be implemented once for every dialect.
pub trait Dialect: Send + Sync + 'static {
    /// The sqlx database.
    type Db: sqlx::Database;
    /// Held across a write transaction (SQLite: the process's write lock).
    type WriteGuard<'a>: Send
    where
        Self: 'a;
    /// Which database this is.
    const BACKEND: Backend;

    /// The connection pool.
    fn pool(&self) -> &sqlx::Pool<Self::Db>;
    /// Notified whenever new live events may have committed.
    fn event_signal(&self) -> Arc<Notify>;

    // ---- writes --------------------------------------------------------------------------
    /// Taken before every write transaction begins and held until it ends.
    fn write_guard(&self) -> impl Future<Output = Self::WriteGuard<'_>> + Send;
    /// Begins a write transaction (under `write_guard`).
    fn begin_write(&self) -> impl Future<Output = StoreResult<Tx<Self>>> + Send;
    /// Serializes audit and event appends until the transaction ends.
    fn lock_audit(tx: &mut Tx<Self>) -> impl Future<Output = StoreResult<()>> + Send;
    /// Announces, at commit, that live events were written.
    fn announce_events(tx: &mut Tx<Self>) -> impl Future<Output = StoreResult<()>> + Send;
    /// Declares the tenants whose data the rest of the transaction may see (row-level
    /// security where the database has it).
    fn declare_tenants(
        tx: &mut Tx<Self>,
        tenants: &[Uuid],
    ) -> impl Future<Output = StoreResult<()>> + Send;

    // ---- full-text search and the SLA claim ----------------------------------------------
    /// Indexes a new ticket's subject and first message.
    fn index_new_ticket(
        tx: &mut Tx<Self>,
        seq: i64,
        subject: &str,
        body: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Adds a message to a ticket's indexed conversation.
    fn index_append(
        tx: &mut Tx<Self>,
        seq: i64,
        body: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The condition a queue's text filter adds, around the bound query.
    fn text_match_sql() -> (&'static str, &'static str);
    /// The search text bound into `text_match_sql` and `search_sql`; `None` when no word is
    /// left.
    fn text_query(text: &str) -> Option<String>;
    /// Ranked search: `$1` the query, `$2` the limit; rows `(seq, score)`, best first.
    fn search_sql() -> &'static str;
    /// Claims tickets due for an SLA check: `$1` the new check time, `$2` now, `$3` the limit;
    /// returns `seq`.
    fn claim_sla_sql() -> &'static str;

    // ---- running SQL ---------------------------------------------------------------------
    /// Streams the audit chain through the verifier (`crate::audit::verify_chain` with this
    /// backend's database: rows read by index with borrowed text, which [`Sql`] does not do).
    fn verify_audit_chain(&self) -> impl Future<Output = StoreResult<ChainReport>> + Send;
    /// Runs `sql`; how many rows it changed.
    fn execute(conn: &mut Conn<Self>, sql: Sql) -> impl Future<Output = sqlx::Result<u64>> + Send;
    /// Every row `sql` returns.
    fn fetch_all<R: Decodable>(
        conn: &mut Conn<Self>,
        sql: Sql,
    ) -> impl Future<Output = sqlx::Result<Vec<R>>> + Send;
    /// The first row `sql` returns, if any.
    fn fetch_optional<R: Decodable>(
        conn: &mut Conn<Self>,
        sql: Sql,
    ) -> impl Future<Output = sqlx::Result<Option<R>>> + Send;
}

/// Exactly one row (`RowNotFound` otherwise).
pub async fn fetch_one<D: Dialect, R: Decodable>(conn: &mut Conn<D>, sql: Sql) -> sqlx::Result<R> {
    D::fetch_optional(conn, sql)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}
