//! The SQLite store: the embedded default, one hub process per database file.

use crate::common::shared_store_impl;
use crate::{Backend, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// The hub's store on a SQLite file.
pub struct SqliteStore {
    pool: SqlitePool,
    /// SQLite has one writer at a time, and a deferred transaction that reads before it writes
    /// can fail to upgrade its lock; holding this across every write transaction of the process
    /// avoids both, and keeps audit sequence numbers contiguous.
    writes: Mutex<()>,
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
        })
    }

    /// The connection pool, for tools and tests that need raw access.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn write_guard(&self) -> Option<MutexGuard<'_, ()>> {
        Some(self.writes.lock().await)
    }

    /// Appends are already serialized by `write_guard`.
    async fn lock_audit(_tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>) -> StoreResult<()> {
        Ok(())
    }
}

shared_store_impl!(SqliteStore, sqlx::Sqlite, Backend::Sqlite);
