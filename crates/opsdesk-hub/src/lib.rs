//! The Opsdesk hub: the HTTP API over a store, with staff sign-in (password and TOTP), the
//! seven-tier role rules, and the audit trail. `serve` runs it; `start` runs it on a listener the
//! caller made (tests, and the desktop app's local workspace).
//!
//! Layout: `routes` (thin axum handlers by area, the extractors and the OpenAPI document) calls
//! `domain` (the behaviour by area, one file per action or small group of actions), which uses
//! `support` (effects, events, paging, CSV, idempotency, JSON), the request `context` and the
//! store; `jobs` runs background work and `seed` generates datasets. Nothing below `routes`
//! imports it, and `error` is the one place an error becomes an HTTP status.
#![forbid(unsafe_code)]

pub mod clock;
pub mod config;
#[cfg(feature = "testing")]
pub mod conformance;
pub mod context;
pub mod domain;
pub mod error;
pub mod jobs;
pub mod routes;
pub mod secrets;
pub mod seed;
pub mod state;
pub mod support;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

use crate::clock::Clock;
use crate::config::Settings;
use crate::state::AppState;
use opsdesk_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A hub serving on a listener.
pub struct RunningHub {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    jobs: Vec<JoinHandle<()>>,
}

impl RunningHub {
    /// Stops accepting requests and waits for open ones to finish.
    pub async fn stop(mut self) -> std::io::Result<()> {
        // Event streams never end on their own; end them so the graceful stop can finish.
        self.state.events.close_streams();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        for job in self.jobs.drain(..) {
            job.abort();
        }
        self.task.await.map_err(std::io::Error::other)?
    }

    /// Waits until the server ends (it ends on its own only on error).
    pub async fn wait(self) -> std::io::Result<()> {
        let _keep_open = self.shutdown;
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Opens the SQLite store at `url` (created and migrated if new), for programs that run a hub
/// without naming the store crate (the desktop app's local workspace). Its future is `Send`,
/// which the PostgreSQL connect path could not promise.
pub async fn open_sqlite(url: &str) -> opsdesk_store::StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(opsdesk_store::SqliteStore::connect(url).await?))
}

/// Serves the API for `store` on `listener` in a background task.
pub fn start(
    store: Arc<dyn Store>,
    settings: Settings,
    clock: Arc<dyn Clock>,
    listener: TcpListener,
) -> std::io::Result<RunningHub> {
    telemetry::init_metrics();
    let addr = listener.local_addr()?;
    let state = AppState::new(store, settings, clock);
    let jobs = jobs::spawn(&state);
    let app = routes::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(RunningHub {
        addr,
        state,
        shutdown: Some(tx),
        task,
        jobs,
    })
}
