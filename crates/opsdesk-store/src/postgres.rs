//! The PostgreSQL store: team deployments, possibly several hubs on one database.

use crate::dialect::{Conn, Dialect, Tx};
use crate::query::{Decodable, Runner, Sql};
use crate::{Backend, ChainReport, StoreResult};
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{Executor, PgPool};
use std::sync::Arc;
use tokio::sync::{MutexGuard, Notify};

/// Key of the advisory lock that serializes audit appends ("opsdesk" in ASCII).
const AUDIT_APPEND_LOCK: i64 = 0x006f_7073_6465_736b;

/// The hub's store on a PostgreSQL database.
pub struct PostgresStore {
    pool: PgPool,
    /// Told on every `NOTIFY opsdesk_events` from any hub on this database.
    events: Arc<Notify>,
    listener: tokio::task::JoinHandle<()>,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://...`) and migrates the database.
    ///
    /// The migrations run on a short-lived connection of their own, as the user `url` names
    /// (the tables' owner). Every connection of the store's pool then runs `SET ROLE
    /// opsdesk_hub` as it opens, so the hub never queries as the owner: row-level security
    /// applies to tenant data (only tenants a transaction declares are visible) and the audit
    /// log is append-only by privilege as well as by trigger. The user must be a member of
    /// `opsdesk_hub` (the access migration makes it one) or a superuser.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // A one-connection pool rather than a bare connection: migrating through `&mut
        // PgConnection` makes this future not `Send`, which callers on a multi-threaded
        // runtime (the desktop app's commands) need.
        let owner = PgPoolOptions::new().max_connections(1).connect(url).await?;
        let migrated = sqlx::migrate!("../../migrations/hub-postgres")
            .run(&owner)
            .await;
        // Closing is a courtesy to the server; a failed migration is the error that matters.
        owner.close().await;
        migrated?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("SET ROLE opsdesk_hub").await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        let events = Arc::new(Notify::new());
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(crate::events::EVENTS_CHANNEL).await?;
        let signal = events.clone();
        let listener = tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(_) => signal.notify_one(),
                    Err(e) => {
                        // The listener reconnects on its next call; meanwhile the dispatcher's
                        // own timer keeps events flowing, a little later.
                        tracing::warn!(error = %e, "event listener lost its connection");
                        signal.notify_one();
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(PostgresStore {
            pool,
            events,
            listener,
        })
    }

    /// The connection pool, for tools that need raw access. Its connections act as the hub's
    /// role `opsdesk_hub`, not as the tables' owner: tenant data is visible only inside a
    /// transaction that declares the tenant, and the audit log cannot be changed.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl Dialect for PostgresStore {
    type Db = sqlx::Postgres;
    type WriteGuard<'a> = Option<MutexGuard<'a, ()>>;
    const BACKEND: Backend = Backend::Postgres;

    fn pool(&self) -> &sqlx::Pool<sqlx::Postgres> {
        &self.pool
    }

    fn event_signal(&self) -> Arc<Notify> {
        self.events.clone()
    }

    async fn verify_audit_chain(&self) -> StoreResult<ChainReport> {
        crate::audit::verify_chain(&self.pool).await
    }

    async fn execute(conn: &mut Conn<Self>, sql: Sql) -> sqlx::Result<u64> {
        Runner::<sqlx::Postgres>::execute(conn, sql).await
    }

    async fn fetch_all<R: Decodable>(conn: &mut Conn<Self>, sql: Sql) -> sqlx::Result<Vec<R>> {
        Runner::<sqlx::Postgres>::fetch_all(conn, sql).await
    }

    async fn fetch_optional<R: Decodable>(
        conn: &mut Conn<Self>,
        sql: Sql,
    ) -> sqlx::Result<Option<R>> {
        Runner::<sqlx::Postgres>::fetch_optional(conn, sql).await
    }

    /// Row locks and transactions are enough; nothing is serialized in the process.
    async fn write_guard(&self) -> Self::WriteGuard<'_> {
        None
    }

    /// Tells every hub listening on this database that events committed (PostgreSQL delivers
    /// the notification when the transaction commits, and not at all if it rolls back).
    async fn announce_events(tx: &mut Tx<Self>) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(crate::events::EVENTS_CHANNEL)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Begins a write transaction; row locks order concurrent writers.
    async fn begin_write(&self) -> StoreResult<Tx<Self>> {
        Ok(self.pool.begin().await?)
    }

    async fn index_new_ticket(
        tx: &mut Tx<Self>,
        seq: i64,
        subject: &str,
        body: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO ticket_search (seq, doc) VALUES ($1, \
             setweight(to_tsvector('english', $2), 'A') || \
             setweight(to_tsvector('english', $3), 'B'))",
        )
        .bind(seq)
        .bind(subject)
        .bind(body)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn index_append(tx: &mut Tx<Self>, seq: i64, body: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE ticket_search SET doc = doc || setweight(to_tsvector('english', $1), 'B') \
             WHERE seq = $2",
        )
        .bind(body)
        .bind(seq)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The condition a queue's text filter adds, around the bound query.
    fn text_match_sql() -> (&'static str, &'static str) {
        (
            " AND t.seq IN (SELECT seq FROM ticket_search \
             WHERE doc @@ websearch_to_tsquery('english', ",
            "))",
        )
    }

    /// `websearch_to_tsquery` text, built from the same terms as SQLite's.
    fn text_query(text: &str) -> Option<String> {
        crate::tickets::search::websearch_query(text)
    }

    /// `ts_rank` over the weighted document (subject A, conversation B).
    fn search_sql() -> &'static str {
        "SELECT s.seq, ts_rank(s.doc, q)::float8 AS score \
         FROM ticket_search s, websearch_to_tsquery('english', $1) q \
         WHERE s.doc @@ q ORDER BY score DESC, s.seq DESC LIMIT $2"
    }

    /// Rows another hub's job holds are skipped, so each ticket is claimed once.
    fn claim_sla_sql() -> &'static str {
        "UPDATE tickets SET sla_check_at = $1 WHERE seq IN (SELECT seq FROM tickets \
         WHERE sla_check_at <= $2 ORDER BY sla_check_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING seq"
    }

    /// Declares, for the rest of the transaction, the tenants whose data it may see: row-level
    /// security on the tenant data tables shows and accepts only their rows.
    async fn declare_tenants(tx: &mut Tx<Self>, tenants: &[uuid::Uuid]) -> StoreResult<()> {
        let list = tenants
            .iter()
            .map(uuid::Uuid::to_string)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query("SELECT set_config('opsdesk.tenants', $1, true)")
            .bind(list)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Serializes audit appends across connections and hubs until the transaction ends, so two
    /// writers never both take the next sequence number.
    async fn lock_audit(tx: &mut Tx<Self>) -> StoreResult<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_APPEND_LOCK)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}
