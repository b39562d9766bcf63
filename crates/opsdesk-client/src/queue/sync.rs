//! Keeping the cache current: a sync sends the outbox, then reads the hub's changes feed from
//! where it stopped, 5,000 tickets a page, one transaction per page, until the hub has no more.
//! [`QueueSync`] makes sure one flush and one pull run at a time, runs syncs in the background
//! for the queue screen, and knows what the screens show about it ([`SyncStatus`]).

use super::cache::{FeedPosition, TicketCache};
use super::outbox::{FlushReport, Outbox};
use super::types::SyncStatus;
use crate::api::ApiClient;
use crate::cache::{keys, Cache};
use crate::error::{ClientError, UiError};
use chrono::Utc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Tickets per page of the changes feed (the most the hub gives).
pub const CHANGES_PAGE: u32 = 5_000;
/// The queue screen starts a background sync at most this often.
const BACKGROUND_GAP: Duration = Duration::from_secs(5);

/// What is known about syncing since the app opened.
#[derive(Debug, Default)]
struct SyncMeta {
    /// A sync read the feed to its end since the app opened.
    caught_up: bool,
    /// Why the last sync (or send) failed; cleared by the next that succeeds.
    last_error: Option<UiError>,
    /// When the last background sync started.
    last_started: Option<Instant>,
}

/// The queue's sync: the locks that keep one flush and one pull at a time, and its state.
#[derive(Debug)]
pub struct QueueSync {
    cache: Cache,
    flushing: Mutex<()>,
    pulling: Mutex<()>,
    background: AtomicBool,
    meta: std::sync::Mutex<SyncMeta>,
}

/// Clears the background flag when the background sync ends, however it ends.
struct BackgroundRun(Arc<QueueSync>);

impl Drop for BackgroundRun {
    fn drop(&mut self) {
        self.0.background.store(false, Ordering::SeqCst);
    }
}

impl QueueSync {
    /// The sync of the tickets kept in `cache`.
    pub fn new(cache: Cache) -> Self {
        QueueSync {
            cache,
            flushing: Mutex::new(()),
            pulling: Mutex::new(()),
            background: AtomicBool::new(false),
            meta: std::sync::Mutex::new(SyncMeta::default()),
        }
    }

    /// The cached tickets.
    pub fn tickets(&self) -> TicketCache {
        TicketCache::new(self.cache.clone())
    }

    /// The outbox.
    pub fn outbox(&self) -> Outbox {
        Outbox::new(self.cache.clone())
    }

    fn with_meta<T>(&self, f: impl FnOnce(&mut SyncMeta) -> T) -> T {
        match self.meta.lock() {
            Ok(mut meta) => f(&mut meta),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Notes that the hub could not be reached (or refused the session): the cache may be
    /// behind until a sync succeeds.
    pub fn failed(&self, e: &ClientError) {
        let ui = e.to_ui();
        self.with_meta(|m| m.last_error = Some(ui));
    }

    fn succeeded(&self) {
        self.with_meta(|m| {
            m.caught_up = true;
            m.last_error = None;
        });
    }

    /// Sends the outbox (waiting for a flush already running).
    pub async fn flush(&self, api: &ApiClient) -> FlushReport {
        let epoch = self.cache.epoch().await;
        let _one_at_a_time = self.flushing.lock().await;
        let report = self.outbox().flush(api, &self.tickets(), epoch).await;
        if let Some(e) = &report.stopped {
            self.failed(e);
        } else if !report.accepted.is_empty() {
            // The hub answered: it is reachable again.
            self.with_meta(|m| m.last_error = None);
        }
        report
    }

    /// Reads the changes feed to its end and refreshes my saved filters. False when the cache
    /// was wiped meanwhile (what was read is dropped).
    pub async fn pull(&self, api: &ApiClient) -> Result<bool, ClientError> {
        let epoch = self.cache.epoch().await;
        let _one_at_a_time = self.pulling.lock().await;
        let tickets = self.tickets();
        let mut since = tickets.feed_position().await?.next;
        loop {
            let page = api.ticket_changes(since, CHANGES_PAGE).await?;
            if page.more && page.next <= since {
                return Err(ClientError::Protocol {
                    url: api.base_url().to_owned(),
                    detail: format!("the changes feed did not move past {since}"),
                });
            }
            let feed = FeedPosition {
                next: page.next,
                synced_at: (!page.more).then(Utc::now),
            };
            if !tickets.store(epoch, &page.tickets, Some(feed)).await? {
                return Ok(false);
            }
            if !page.more {
                break;
            }
            since = page.next;
        }
        let filters = api.saved_filters().await?;
        let current = self.cache.epoch_lock().await;
        if *current != epoch {
            return Ok(false);
        }
        self.cache.put(keys::SAVED_FILTERS, &filters).await?;
        Ok(true)
    }

    /// Sends the outbox, then reads the changes; records how it went. An unreachable hub stops
    /// it before the feed is read.
    pub async fn run(&self, api: &ApiClient) -> Result<(), ClientError> {
        let result = async {
            if let Some(e) = self.flush(api).await.stopped {
                return Err(e);
            }
            self.pull(api).await
        }
        .await;
        match &result {
            Ok(true) => self.succeeded(),
            Ok(false) => {}
            Err(e) => self.failed(e),
        }
        result.map(|_| ())
    }

    /// Starts a sync in the background unless one runs or one started moments ago.
    pub fn spawn(self: &Arc<Self>, api: ApiClient) {
        let recent = self.with_meta(|m| {
            m.last_started
                .is_some_and(|at| at.elapsed() < BACKGROUND_GAP)
        });
        if recent
            || self
                .background
                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
        {
            return;
        }
        self.with_meta(|m| m.last_started = Some(Instant::now()));
        let run = BackgroundRun(self.clone());
        tokio::spawn(async move {
            if let Err(e) = run.0.run(&api).await {
                tracing::info!(error = %e, "background sync did not finish");
            }
            drop(run);
        });
    }

    /// Where the cache stands, with the whole outbox.
    pub async fn status(&self) -> Result<SyncStatus, ClientError> {
        let tickets = self.tickets();
        let synced_at = tickets.feed_position().await?.synced_at;
        let cached_tickets = tickets.count_all().await?;
        let outbox = self.outbox().items().await?;
        let (caught_up, last_error) = self.with_meta(|m| (m.caught_up, m.last_error.clone()));
        Ok(SyncStatus {
            stale: !caught_up || last_error.is_some(),
            synced_at,
            cached_tickets,
            last_error,
            outbox,
        })
    }
}
