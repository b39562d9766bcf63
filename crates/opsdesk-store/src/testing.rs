//! Fresh databases for tests and benchmarks (feature `testing`): a SQLite file in a new folder, or
//! a PostgreSQL database `opsdesk_test_<random>` on the local server, removed when dropped (even
//! when the test panics). PostgreSQL must be reachable; the server is
//! `postgres://postgres@127.0.0.1:5432` unless `OPSDESK_TEST_POSTGRES` says otherwise.

use crate::Backend;
use sqlx::{Connection, Executor, PgConnection};
use std::path::PathBuf;
use uuid::Uuid;

/// The PostgreSQL server tests use, without a database name.
pub fn postgres_server() -> String {
    std::env::var("OPSDESK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A database that exists for one test.
pub struct TestDatabase {
    pub backend: Backend,
    /// The URL to open it with.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFolder(PathBuf),
    PostgresDatabase(String),
}

impl TestDatabase {
    /// Makes a fresh, empty database of the given kind (the store migrates it when opened).
    pub async fn create(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let folder =
                    std::env::temp_dir().join(format!("opsdesk-test-{}", Uuid::new_v4().simple()));
                let url = format!(
                    "sqlite://{}",
                    folder.join("data").join("hub.sqlite").display()
                );
                TestDatabase {
                    backend,
                    url,
                    cleanup: Cleanup::SqliteFolder(folder),
                }
            }
            Backend::Postgres => {
                let server = postgres_server();
                let mut admin = PgConnection::connect(&format!("{server}/postgres"))
                    .await
                    .unwrap_or_else(|e| {
                        panic!(
                            "tests need PostgreSQL at {server} (user postgres, trust auth): {e}. \
                             Start it with `pg_ctlcluster --skip-systemctl-redirect 15 main start`."
                        )
                    });
                let name = format!("opsdesk_test_{}", Uuid::new_v4().simple());
                admin
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create the test database");
                let _ = admin.close().await;
                TestDatabase {
                    backend,
                    url: format!("{server}/{name}"),
                    cleanup: Cleanup::PostgresDatabase(name),
                }
            }
        }
    }

    /// The PostgreSQL database name, if this is one.
    pub fn postgres_name(&self) -> Option<&str> {
        match &self.cleanup {
            Cleanup::PostgresDatabase(name) => Some(name),
            Cleanup::SqliteFolder(_) => None,
        }
    }

    /// Runs statements in order on one new connection, outside any store, as someone with direct
    /// database access would. Returns the rows the last one changed.
    pub async fn execute_raw(&self, statements: &[&str]) -> Result<u64, sqlx::Error> {
        let mut changed = 0;
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url).await?;
                for sql in statements {
                    changed = conn.execute(*sql).await?.rows_affected();
                }
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(&self.url).await?;
                for sql in statements {
                    changed = conn.execute(*sql).await?.rows_affected();
                }
            }
        }
        Ok(changed)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFolder(folder) => {
                let _ = std::fs::remove_dir_all(folder);
            }
            Cleanup::PostgresDatabase(name) => {
                // Drop may run inside the test's runtime (or while unwinding from a panic), so
                // the database is dropped from a thread with a runtime of its own.
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let dropped = std::thread::spawn(move || -> Result<(), String> {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| e.to_string())?;
                    rt.block_on(async {
                        let mut admin =
                            PgConnection::connect(&format!("{}/postgres", postgres_server()))
                                .await?;
                        admin.execute(sql.as_str()).await?;
                        admin.close().await
                    })
                    .map_err(|e: sqlx::Error| e.to_string())
                })
                .join();
                match dropped {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => eprintln!("could not drop test database {name}: {e}"),
                    Err(_) => eprintln!("could not drop test database {name}: thread panicked"),
                }
            }
        }
    }
}
