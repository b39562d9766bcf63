//! The local cache (`cache.sqlite` in the data folder): JSON documents by key, so the app opens
//! on what it last saw and can be read offline, the ticket queue's tables (`queue::cache`), and
//! the inbox and the event stream's resume point (`live::inbox`).
//! Everything in it but the outbox can be fetched again, so a cache that cannot be opened is
//! rebuilt empty; sign-out wipes it all.

use crate::error::ClientError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// The cache file's name inside the data folder.
pub const CACHE_FILE: &str = "cache.sqlite";

/// Keys of the documents the app keeps.
pub mod keys {
    /// The signed-in person ([`opsdesk_proto::Me`]).
    pub const ME: &str = "me";
    /// The first page of the unfiltered staff list.
    pub const STAFF_LIST: &str = "staff:list";
    /// My saved filters ([`opsdesk_proto::SavedFilterView`]s), refreshed on every sync.
    pub const SAVED_FILTERS: &str = "queue:saved_filters";
    /// The ticket groups, as last fetched.
    pub const GROUPS: &str = "queue:groups";
    /// The people tickets can be assigned to, as last fetched.
    pub const ASSIGNEES: &str = "queue:assignees";
}

/// Every table the cache keeps, children before parents: what a wipe empties.
const TABLES: &[&str] = &[
    "documents",
    "ticket_tags",
    "tickets",
    "sync_cursor",
    "outbox",
    "ticket_details",
    "inbox",
    "event_cursor",
];

/// The local cache.
#[derive(Debug, Clone)]
pub struct Cache {
    pool: SqlitePool,
    path: PathBuf,
    /// Counts wipes. Work that started before a wipe (a sync in the background, a write's
    /// answer arriving) checks it under this lock and does not put back what the wipe removed.
    epoch: Arc<Mutex<u64>>,
}

impl Cache {
    /// Opens (or creates) the cache in `data_dir`. A file that is not a usable cache (damaged,
    /// from an unknown version) is removed and made again.
    pub async fn open(data_dir: &Path) -> Result<Cache, ClientError> {
        tokio::fs::create_dir_all(data_dir).await.map_err(|e| {
            ClientError::Storage(format!("cannot create {}: {e}", data_dir.display()))
        })?;
        let path = data_dir.join(CACHE_FILE);
        match Cache::connect(&path).await {
            Ok(cache) => Ok(cache),
            Err(first) => {
                tracing::warn!(error = %first, path = %path.display(), "rebuilding the local cache");
                for suffix in ["", "-wal", "-shm"] {
                    let file = PathBuf::from(format!("{}{suffix}", path.display()));
                    match tokio::fs::remove_file(&file).await {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(ClientError::Storage(format!(
                            "the local cache {} is damaged ({first}) and cannot be removed: {e}",
                            path.display()
                        )))
                        }
                    }
                }
                Cache::connect(&path).await
            }
        }
    }

    async fn connect(path: &Path) -> Result<Cache, ClientError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5))
            // Wiping overwrites the deleted content instead of leaving it in free pages.
            .pragma("secure_delete", "on");
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        sqlx::migrate!("../../migrations/app-cache")
            .run(&pool)
            .await?;
        Ok(Cache {
            pool,
            path: path.to_owned(),
            epoch: Arc::new(Mutex::new(0)),
        })
    }

    /// The connections, for the queue's tables.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// How many wipes happened so far: take it before work whose results go into the cache.
    pub(crate) async fn epoch(&self) -> u64 {
        *self.epoch.lock().await
    }

    /// Held while writing what depends on the cache not having been wiped since
    /// [`Cache::epoch`]; serializes those writes too.
    pub(crate) async fn epoch_lock(&self) -> MutexGuard<'_, u64> {
        self.epoch.lock().await
    }

    /// Where the cache lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps `value` under `key`, replacing what was there.
    pub async fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), ClientError> {
        let json = serde_json::to_string(value).map_err(|e| {
            ClientError::Storage(format!("cannot encode `{key}` for the cache: {e}"))
        })?;
        sqlx::query(
            "INSERT INTO documents (key, json, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (key) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(json)
        .bind(chrono::Utc::now().timestamp_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The document under `key`. One that no longer decodes (written by another version) is
    /// treated as missing.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ClientError> {
        let json: Option<String> = sqlx::query_scalar("SELECT json FROM documents WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(json.and_then(|j| match serde_json::from_str(&j) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(key, error = %e, "ignoring a cached document that does not decode");
                None
            }
        }))
    }

    /// Removes one document.
    pub async fn remove(&self, key: &str) -> Result<(), ClientError> {
        sqlx::query("DELETE FROM documents WHERE key = ?1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes everything (documents, tickets, the outbox), including what the write-ahead log
    /// still holds.
    pub async fn wipe(&self) -> Result<(), ClientError> {
        let mut epoch = self.epoch.lock().await;
        *epoch += 1;
        let mut tx = self.pool.begin().await?;
        for table in TABLES {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many documents are kept.
    pub async fn len(&self) -> Result<i64, ClientError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM documents")
            .fetch_one(&self.pool)
            .await?)
    }

    /// True when nothing is kept.
    pub async fn is_empty(&self) -> Result<bool, ClientError> {
        Ok(self.len().await? == 0)
    }

    /// Closes the connections (before the files are removed or the app exits).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> PathBuf {
        std::env::temp_dir().join(format!("opsdesk-cache-{}", uuid::Uuid::new_v4()))
    }

    #[tokio::test]
    async fn documents_are_kept_replaced_and_wiped() {
        let dir = temp_dir();
        let cache = Cache::open(&dir).await.unwrap();
        assert_eq!(cache.get::<String>("me").await.unwrap(), None);
        cache.put("me", &"ana").await.unwrap();
        cache.put("me", &"bea").await.unwrap();
        cache.put("staff:list", &vec![1, 2]).await.unwrap();
        assert_eq!(
            cache.get::<String>("me").await.unwrap().as_deref(),
            Some("bea")
        );
        assert_eq!(cache.len().await.unwrap(), 2);
        // Read back with the wrong shape: treated as missing, not an error.
        assert_eq!(cache.get::<Vec<u8>>("me").await.unwrap(), None);
        cache.wipe().await.unwrap();
        assert!(cache.is_empty().await.unwrap());
        cache.close().await;
        let reopened = Cache::open(&dir).await.unwrap();
        assert!(reopened.is_empty().await.unwrap());
        reopened.close().await;
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_damaged_cache_file_is_rebuilt() {
        let dir = temp_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(CACHE_FILE),
            b"this is not a database, just some bytes",
        )
        .unwrap();
        let cache = Cache::open(&dir).await.unwrap();
        cache.put("me", &1).await.unwrap();
        assert_eq!(cache.get::<i32>("me").await.unwrap(), Some(1));
        cache.close().await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
