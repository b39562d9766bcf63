//! The desk's live part: the signed-in session's event stream (started with the session, stopped
//! by sign-out, the idle lock or another session), the in-app inbox, the notification settings
//! and the tray's counts, and the shell's observer and notifier.

use super::Desk;
use crate::error::ClientError;
use crate::live::{
    self, DeskObserver, DesktopNotifier, Inbox, InboxPage, InboxUpdate, LiveCounts, LiveShared,
    LiveStatus, Notifier, StreamSetup, INBOX_PAGE,
};
use opsdesk_proto::NotificationPrefs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// What the desk keeps of the live part.
pub(crate) struct Live {
    shared: Arc<LiveShared>,
    /// The running stream, if any.
    task: Mutex<Option<JoinHandle<()>>>,
    /// The idle lock is on: no stream, so nothing pops up over a locked window.
    locked: AtomicBool,
}

impl Live {
    /// The live part with the desktop's notifications and the settings as saved.
    pub(crate) fn new(prefs: NotificationPrefs) -> Self {
        Live {
            shared: Arc::new(LiveShared::new(Arc::new(DesktopNotifier::new()), prefs)),
            task: Mutex::new(None),
            locked: AtomicBool::new(false),
        }
    }
}

impl Desk {
    /// Who hears about live changes, the inbox, the counts and clicked pop-ups (the shell).
    pub fn set_observer(&self, observer: Arc<dyn DeskObserver>) {
        self.live.shared.set_observer(observer);
    }

    /// What shows pop-ups ([`DesktopNotifier`] unless replaced, e.g. by a test).
    pub fn set_notifier(&self, notifier: Arc<dyn Notifier>) {
        self.live.shared.set_notifier(notifier);
    }

    /// Whether the stream is open, the counts and the notification settings.
    pub async fn live_status(&self) -> LiveStatus {
        LiveStatus {
            connected: self.live.shared.connected(),
            counts: self.live.shared.counts(),
            prefs: self.live.shared.prefs(),
        }
    }

    /// The inbox, newest first (only unread ones with `unread_only`).
    pub async fn inbox(&self, unread_only: bool) -> Result<InboxPage, ClientError> {
        self.signed_in().await?;
        Inbox::new(self.cache.clone())
            .list(unread_only, INBOX_PAGE)
            .await
    }

    /// Marks notifications read (every one with `None`); answers the unread count.
    pub async fn inbox_mark_read(&self, ids: Option<Vec<i64>>) -> Result<i64, ClientError> {
        self.signed_in().await?;
        let unread = Inbox::new(self.cache.clone())
            .mark_read(ids.as_deref())
            .await?;
        let shared = &self.live.shared;
        shared.set_unread(unread);
        shared.observer().inbox(&InboxUpdate {
            unread,
            added: None,
        });
        Ok(unread)
    }

    /// The notification settings.
    pub async fn notification_prefs(&self) -> NotificationPrefs {
        self.state.read().await.config.notifications.clone()
    }

    /// Changes the notification settings; they apply to the next event and are kept. Quiet
    /// hours need both ends, and different ones.
    pub async fn set_notification_prefs(
        &self,
        mut prefs: NotificationPrefs,
    ) -> Result<NotificationPrefs, ClientError> {
        match (prefs.quiet_from, prefs.quiet_until) {
            (Some(_), None) => {
                return Err(ClientError::invalid(
                    "quiet_until",
                    "is needed when quiet hours start at a time",
                ))
            }
            (None, Some(_)) => {
                return Err(ClientError::invalid(
                    "quiet_from",
                    "is needed when quiet hours end at a time",
                ))
            }
            (Some(from), Some(until)) if from == until => {
                return Err(ClientError::invalid(
                    "quiet_until",
                    "must differ from the start of the quiet hours",
                ))
            }
            _ => {}
        }
        prefs.muted.sort();
        prefs.muted.dedup();
        {
            let mut state = self.state.write().await;
            let mut next = state.config.clone();
            next.notifications = prefs.clone();
            next.save(&self.paths.config_dir)?;
            state.config = next;
        }
        self.live.shared.set_prefs(prefs.clone());
        Ok(prefs)
    }

    /// Pauses or resumes every pop-up (the tray's menu); what arrives meanwhile lands in the
    /// inbox.
    pub async fn set_notifications_paused(
        &self,
        paused: bool,
    ) -> Result<NotificationPrefs, ClientError> {
        let prefs = NotificationPrefs {
            paused,
            ..self.notification_prefs().await
        };
        self.set_notification_prefs(prefs).await
    }

    /// The idle lock went on or off. While locked the stream is closed (no pop-up shows over a
    /// locked window); unlocking resumes it, and what came meanwhile lands in the inbox.
    pub async fn set_locked(&self, locked: bool) {
        let was = self.live.locked.swap(locked, Ordering::SeqCst);
        if locked && !was {
            self.live_stop().await;
        } else if !locked && was {
            self.live_start().await;
        }
    }

    /// (Re)starts the stream for the signed-in session, unless locked or signed out.
    pub(super) async fn live_start(&self) {
        self.live_stop().await;
        if self.live.locked.load(Ordering::SeqCst) {
            return;
        }
        let Some(api) = self.session_api().await else {
            return;
        };
        let shared = self.live.shared.clone();
        let mut task = self.live.task.lock().await;
        if let Ok(unread) = Inbox::new(self.cache.clone()).unread().await {
            shared.set_unread(unread);
        }
        let setup = StreamSetup {
            api,
            cache: self.cache.clone(),
            sync: self.sync.clone(),
            generation: shared.next_generation(),
            shared,
            epoch: self.cache.epoch().await,
        };
        *task = Some(live::spawn(setup));
    }

    /// Stops the stream, waiting until it has stopped (so nothing is written after a wipe).
    pub(super) async fn live_stop(&self) {
        let running = self.live.task.lock().await.take();
        self.live.shared.next_generation();
        if let Some(task) = running {
            task.abort();
            let _ = task.await;
        }
        self.live.shared.set_connected(false);
    }

    /// After sign-out: the counts belonged to the person who left.
    pub(super) fn live_forget(&self) {
        self.live.shared.set_counts(LiveCounts::default());
    }

    async fn signed_in(&self) -> Result<(), ClientError> {
        match self.state.read().await.session {
            Some(_) => Ok(()),
            None => Err(ClientError::NotSignedIn),
        }
    }
}
