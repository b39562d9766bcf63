//! Live events in the app: one Server-Sent Events stream from the hub per signed-in session
//! (`stream.rs`, parsed by `sse.rs`, reconnecting with `backoff.rs`), what each event does
//! (`route.rs`: the cache, the screens, the inbox and pop-ups), answering a pop-up
//! (`actions.rs`), the inbox and the resume point in the local cache (`inbox.rs`), and the
//! pop-ups themselves (`notifier.rs`). The shell hears about all of it through a
//! [`DeskObserver`] (`observer.rs`).

mod actions;
mod backoff;
mod inbox;
mod notifier;
mod observer;
mod route;
pub mod sse;
mod stream;

pub use backoff::Backoff;
pub use inbox::{Delivery, EventCursor, Inbox, InboxItem, InboxPage, INBOX_KEPT, INBOX_PAGE};
pub use notifier::{
    action_key, DesktopNotifier, Notifier, OnResponse, Popup, PopupResponse, RecordingNotifier,
};
pub use observer::{DeskObserver, NoObserver, RecordingObserver};
pub(crate) use stream::{spawn, StreamSetup};

use opsdesk_proto::{EventKind, NotificationKind, NotificationPrefs, SubjectKind};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use uuid::Uuid;

/// What changed on the hub, for the screens that show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LiveChange {
    pub kind: EventKind,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
}

/// The tray's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LiveCounts {
    /// Open tickets escalated to my tier and unassigned, or escalated and assigned to me.
    pub escalated_to_me: i64,
    /// Pending access requests I may review.
    pub waiting_for_my_review: i64,
    /// Unread notifications in the inbox.
    pub unread: i64,
}

/// What the live part of the app is doing, for the screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LiveStatus {
    /// The stream is open right now.
    pub connected: bool,
    pub counts: LiveCounts,
    pub prefs: NotificationPrefs,
}

/// Which part of an item to bring forward when opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum OpenFocus {
    /// The access request's deny comment (Deny on a pop-up: denying needs a comment).
    Deny,
}

/// Bring the window forward on an item (a pop-up was clicked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct OpenRequest {
    /// The inbox entry it came from.
    pub inbox_id: Option<i64>,
    pub kind: Option<NotificationKind>,
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    pub focus: Option<OpenFocus>,
}

/// How a short message in the window should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ToastTone {
    Success,
    Error,
}

/// A short message for the window: the result of acting on a pop-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LiveToast {
    pub tone: ToastTone,
    pub message: String,
}

/// The inbox changed: its unread count, and the notification just added, if one was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct InboxUpdate {
    pub unread: i64,
    pub added: Option<InboxItem>,
}

/// What the desk and its running stream share.
pub(crate) struct LiveShared {
    observer: RwLock<Arc<dyn DeskObserver>>,
    notifier: RwLock<Arc<dyn Notifier>>,
    prefs: RwLock<NotificationPrefs>,
    counts: RwLock<LiveCounts>,
    /// Bumped whenever a stream starts or stops: pop-ups of an older one are not acted on.
    generation: AtomicU64,
    connected: AtomicBool,
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    match lock.read() {
        Ok(v) => v.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

fn write<T>(lock: &RwLock<T>, value: T) {
    match lock.write() {
        Ok(mut v) => *v = value,
        Err(poisoned) => *poisoned.into_inner() = value,
    }
}

impl LiveShared {
    pub(crate) fn new(notifier: Arc<dyn Notifier>, prefs: NotificationPrefs) -> Self {
        LiveShared {
            observer: RwLock::new(Arc::new(NoObserver)),
            notifier: RwLock::new(notifier),
            prefs: RwLock::new(prefs),
            counts: RwLock::new(LiveCounts::default()),
            generation: AtomicU64::new(0),
            connected: AtomicBool::new(false),
        }
    }

    pub(crate) fn observer(&self) -> Arc<dyn DeskObserver> {
        read(&self.observer)
    }

    pub(crate) fn set_observer(&self, observer: Arc<dyn DeskObserver>) {
        write(&self.observer, observer);
    }

    pub(crate) fn notifier(&self) -> Arc<dyn Notifier> {
        read(&self.notifier)
    }

    pub(crate) fn set_notifier(&self, notifier: Arc<dyn Notifier>) {
        write(&self.notifier, notifier);
    }

    pub(crate) fn prefs(&self) -> NotificationPrefs {
        read(&self.prefs)
    }

    pub(crate) fn set_prefs(&self, prefs: NotificationPrefs) {
        write(&self.prefs, prefs.clone());
        self.observer().prefs(&prefs);
    }

    pub(crate) fn counts(&self) -> LiveCounts {
        read(&self.counts)
    }

    /// Keeps the counts and tells the shell when they changed.
    pub(crate) fn set_counts(&self, counts: LiveCounts) {
        let before = self.counts();
        write(&self.counts, counts);
        if before != counts {
            self.observer().counts(&counts);
        }
    }

    /// Keeps the unread count (the rest of the counts unchanged).
    pub(crate) fn set_unread(&self, unread: i64) {
        let counts = LiveCounts {
            unread,
            ..self.counts()
        };
        self.set_counts(counts);
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// A stream starts or stops: returns the new generation.
    pub(crate) fn next_generation(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub(crate) fn connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    pub(crate) fn set_connected(&self, connected: bool) {
        if self.connected.swap(connected, Ordering::SeqCst) != connected {
            self.observer().connection(connected);
        }
    }
}
