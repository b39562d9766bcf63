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
