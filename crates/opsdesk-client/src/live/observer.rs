//! What the shell hears from the live part of the core ([`DeskObserver`]), an observer that
//! hears nothing, and one that keeps what it heard for tests.

use super::{InboxUpdate, LiveChange, LiveCounts, LiveToast, OpenRequest};
use opsdesk_proto::{NotificationPrefs, SubjectKind};
use std::sync::Mutex;
use uuid::Uuid;

/// What the shell hears from the live part of the core. Called from background tasks and the
/// pop-up threads: implementations only pass it on (emit to the window, update the tray).
pub trait DeskObserver: Send + Sync {
    /// Records changed on the hub (the cache already holds the tickets' new state).
    fn changed(&self, _changes: &[LiveChange]) {}
    /// The hub could not replay what was missed: every screen should reload.
    fn resynced(&self) {}
    /// The inbox changed.
    fn inbox(&self, _update: &InboxUpdate) {}
    /// The tray's counts changed.
    fn counts(&self, _counts: &LiveCounts) {}
    /// A pop-up was clicked: bring the window forward on the item.
    fn open(&self, _request: &OpenRequest) {}
    /// The result of an action taken on a pop-up.
    fn toast(&self, _toast: &LiveToast) {}
    /// The stream opened or closed.
    fn connection(&self, _connected: bool) {}
    /// The notification settings changed (from the window or the tray).
    fn prefs(&self, _prefs: &NotificationPrefs) {}
    /// The hub no longer accepts the session: the window should go back to sign-in.
    fn session_ended(&self) {}
}

/// An observer that hears nothing (before the shell sets one, and in tests).
#[derive(Debug, Default)]
pub struct NoObserver;

impl DeskObserver for NoObserver {}

/// Keeps everything it hears, for tests.
#[derive(Debug, Default)]
pub struct RecordingObserver {
    pub changes: Mutex<Vec<LiveChange>>,
    pub opened: Mutex<Vec<OpenRequest>>,
    pub toasts: Mutex<Vec<LiveToast>>,
    /// The unread count the inbox last reported.
    pub unread: Mutex<Option<i64>>,
    pub counts: Mutex<Option<LiveCounts>>,
    pub resyncs: Mutex<usize>,
    pub sessions_ended: Mutex<usize>,
}

fn keep<T>(m: &Mutex<T>, f: impl FnOnce(&mut T)) {
    match m.lock() {
        Ok(mut v) => f(&mut v),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    }
}

fn get<T: Clone>(m: &Mutex<T>) -> T {
    match m.lock() {
        Ok(v) => v.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

impl RecordingObserver {
    /// The changes about `kind` heard so far, in order, as (event kind, subject).
    pub fn changes_of(&self, kind: SubjectKind) -> Vec<(opsdesk_proto::EventKind, Uuid)> {
        get(&self.changes)
            .into_iter()
            .filter(|c| c.subject_kind == kind)
            .map(|c| (c.kind, c.subject_id))
            .collect()
    }

    /// The items opened so far (clicked pop-ups).
    pub fn opened(&self) -> Vec<OpenRequest> {
        get(&self.opened)
    }

    /// The toasts so far.
    pub fn toasts(&self) -> Vec<LiveToast> {
        get(&self.toasts)
    }

    /// The unread count last reported.
    pub fn unread(&self) -> Option<i64> {
        get(&self.unread)
    }
}

impl DeskObserver for RecordingObserver {
    fn changed(&self, changes: &[LiveChange]) {
        keep(&self.changes, |c| c.extend_from_slice(changes));
    }
    fn resynced(&self) {
        keep(&self.resyncs, |n| *n += 1);
    }
    fn inbox(&self, update: &InboxUpdate) {
        keep(&self.unread, |u| *u = Some(update.unread));
    }
    fn counts(&self, counts: &LiveCounts) {
        keep(&self.counts, |c| *c = Some(*counts));
    }
    fn open(&self, request: &OpenRequest) {
        keep(&self.opened, |o| o.push(request.clone()));
    }
    fn toast(&self, toast: &LiveToast) {
        keep(&self.toasts, |t| t.push(toast.clone()));
    }
    fn session_ended(&self) {
        keep(&self.sessions_ended, |n| *n += 1);
    }
}
