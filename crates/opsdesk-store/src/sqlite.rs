//! The SQLite store: the embedded default, one hub process per database file.

use crate::dialect::{Conn, Dialect, Tx};
use crate::query::{Decodable, Runner, Sql};
use crate::{Backend, ChainReport, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard, Notify};

/// The hub's store on a SQLite file.
pub struct SqliteStore {
    pool: SqlitePool,
    /// SQLite has one writer at a time, and a deferred transaction that reads before it writes
    /// can fail to upgrade its lock; holding this across every write transaction of the process
    /// avoids both, and keeps audit sequence numbers contiguous.
    writes: Mutex<()>,
    /// Told after every write, so the hub's dispatcher reads new live events.
    events: Arc<Notify>,
}

/// Holds the process's write lock; on release (after the transaction under it committed or was
/// dropped) it tells the event dispatcher to look for new events.
pub struct WriteGuard<'a> {
    _lock: MutexGuard<'a, ()>,
    events: &'a Notify,
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        self.events.notify_one();
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating the file and its folder if missing) and migrates the database at `url`,
    /// e.g. `sqlite:///var/lib/opsdesk/hub.db` or `sqlite://hub.db`.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            if let Some(folder) = options.get_filename().parent() {
                if !folder.as_os_str().is_empty() {
                    tokio::fs::create_dir_all(folder)
                        .await
                        .map_err(sqlx::Error::Io)?;
                }
            }
        }
        // An in-memory database lives only as long as its one connection.
        let pool = if in_memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(8)
        }
        .connect_with(options)
        .await?;
        sqlx::migrate!("../../migrations/hub-sqlite")
            .run(&pool)
            .await?;
        Ok(SqliteStore {
            pool,
            writes: Mutex::new(()),
            events: Arc::new(Notify::new()),
        })
    }

    /// The connection pool, for tools and tests that need raw access.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl Dialect for SqliteStore {
    type Db = sqlx::Sqlite;
    type WriteGuard<'a> = WriteGuard<'a>;
    const BACKEND: Backend = Backend::Sqlite;

    fn pool(&self) -> &sqlx::Pool<sqlx::Sqlite> {
        &self.pool
    }

    fn event_signal(&self) -> Arc<Notify> {
        self.events.clone()
    }

    async fn verify_audit_chain(&self) -> StoreResult<ChainReport> {
        crate::audit::verify_chain(&self.pool).await
    }

    async fn execute(conn: &mut Conn<Self>, sql: Sql) -> sqlx::Result<u64> {
        Runner::<sqlx::Sqlite>::execute(conn, sql).await
    }

    async fn fetch_all<R: Decodable>(conn: &mut Conn<Self>, sql: Sql) -> sqlx::Result<Vec<R>> {
        Runner::<sqlx::Sqlite>::fetch_all(conn, sql).await
    }

    async fn fetch_optional<R: Decodable>(
        conn: &mut Conn<Self>,
        sql: Sql,
    ) -> sqlx::Result<Option<R>> {
        Runner::<sqlx::Sqlite>::fetch_optional(conn, sql).await
    }

    async fn write_guard(&self) -> Self::WriteGuard<'_> {
        WriteGuard {
            _lock: self.writes.lock().await,
            events: &self.events,
        }
    }

    /// Nothing to announce: the write guard's release wakes this process's dispatcher.
    async fn announce_events(_tx: &mut Tx<Self>) -> StoreResult<()> {
        Ok(())
    }

    /// Begins a write transaction (under `write_guard`). `BEGIN IMMEDIATE` takes the write lock
    /// at once, waiting out the busy timeout if need be: a transaction dropped on an error is
    /// rolled back by sqlx on its connection's worker, possibly after the guard is released, and
    /// a deferred transaction that read before writing would then fail at once with "database
    /// is locked" (SQLite does not wait to upgrade a read to a write).
    async fn begin_write(&self) -> StoreResult<Tx<Self>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn index_new_ticket(
        tx: &mut Tx<Self>,
        seq: i64,
        subject: &str,
        body: &str,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO ticket_fts (rowid, subject, body) VALUES ($1, $2, $3)")
            .bind(seq)
            .bind(subject)
            .bind(body)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn index_append(tx: &mut Tx<Self>, seq: i64, body: &str) -> StoreResult<()> {
        sqlx::query("UPDATE ticket_fts SET body = body || $1 WHERE rowid = $2")
            .bind(format!("\n{body}"))
            .bind(seq)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The condition a queue's text filter adds, around the bound query.
    fn text_match_sql() -> (&'static str, &'static str) {
        (
            " AND t.seq IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ",
            ")",
        )
    }

    /// FTS5 query syntax, built from terms so no input can break it.
    fn text_query(text: &str) -> Option<String> {
        crate::tickets::search::fts5_query(text)
    }

    /// BM25 with the subject weighted four times the conversation; higher scores are better.
    fn search_sql() -> &'static str {
        "SELECT rowid, -bm25(ticket_fts, 4.0, 1.0) AS score FROM ticket_fts \
         WHERE ticket_fts MATCH $1 ORDER BY bm25(ticket_fts, 4.0, 1.0) LIMIT $2"
    }

    /// One process writes, so a plain update claims.
    fn claim_sla_sql() -> &'static str {
        "UPDATE tickets SET sla_check_at = $1 WHERE seq IN (SELECT seq FROM tickets \
         WHERE sla_check_at <= $2 ORDER BY sla_check_at LIMIT $3) RETURNING seq"
    }

    /// SQLite has no row-level security: tenant data queries name the proof's tenant themselves.
    async fn declare_tenants(_tx: &mut Tx<Self>, _tenants: &[uuid::Uuid]) -> StoreResult<()> {
        Ok(())
    }

    /// Appends are already serialized by `write_guard`.
    async fn lock_audit(_tx: &mut Tx<Self>) -> StoreResult<()> {
        Ok(())
    }
}
