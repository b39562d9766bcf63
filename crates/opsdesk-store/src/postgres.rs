//! The PostgreSQL store: team deployments, possibly several hubs on one database.

use crate::common::{shared_store_impl, AUDIT_APPEND_LOCK};
use crate::{Backend, StoreResult};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::sync::MutexGuard;

/// The hub's store on a PostgreSQL database.
pub struct PostgresStore {
    pool: PgPool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://...`) and migrates the database.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect(url)
            .await?;
        sqlx::migrate!("../../migrations/hub-postgres")
            .run(&pool)
            .await?;
        Ok(PostgresStore { pool })
    }

    /// The connection pool, for tools and tests that need raw access.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Row locks and transactions are enough; nothing is serialized in the process.
    async fn write_guard(&self) -> Option<MutexGuard<'_, ()>> {
        None
    }

    async fn index_new_ticket(
        tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
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

    async fn index_append(
        tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        seq: i64,
        body: &str,
    ) -> StoreResult<()> {
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
        crate::common::ticket_rows::websearch_query(text)
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

    /// Serializes audit appends across connections and hubs until the transaction ends, so two
    /// writers never both take the next sequence number.
    async fn lock_audit(tx: &mut sqlx::Transaction<'static, sqlx::Postgres>) -> StoreResult<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_APPEND_LOCK)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

shared_store_impl!(PostgresStore, sqlx::Postgres, Backend::Postgres);
