//! Desktop pop-ups behind a small trait: [`DesktopNotifier`] shows them through notify-rust (on
//! Linux the freedesktop notification service on the D-Bus session bus) and waits for the
//! person's answer on a thread of its own; [`RecordingNotifier`] keeps them for tests.

use opsdesk_proto::{NotificationAction, Urgency};
use std::sync::{Arc, Mutex};

/// A pop-up to show. Clicking it opens what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Popup {
    pub title: String,
    pub body: String,
    pub urgency: Urgency,
    /// What it offers; `Open` is the click on the pop-up itself.
    pub actions: Vec<NotificationAction>,
}

/// What the person did with a pop-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopupResponse {
    Open,
    Approve,
    Deny,
    /// Dismissed, expired, or the notification service went away.
    Closed,
}

impl PopupResponse {
    /// The response to a freedesktop action key (`default` is the click on the pop-up).
    pub fn from_action(key: &str) -> PopupResponse {
        match key {
            "default" | "open" => PopupResponse::Open,
            "approve" => PopupResponse::Approve,
            "deny" => PopupResponse::Deny,
            _ => PopupResponse::Closed,
        }
    }
}

/// Called once with what the person did, on the notifier's own thread.
pub type OnResponse = Box<dyn FnOnce(PopupResponse) + Send + 'static>;

/// Shows desktop pop-ups.
pub trait Notifier: Send + Sync {
    /// Shows `popup` (blocking: call it off the async threads). `Err` says why it could not be
    /// shown; `on_response` is then never called.
    fn show(&self, popup: Popup, on_response: OnResponse) -> Result<(), String>;
}

/// The action key and label of each action, as the freedesktop service receives them.
pub fn action_key(action: NotificationAction) -> (&'static str, &'static str) {
    match action {
        NotificationAction::Open => ("default", "Open"),
        NotificationAction::Approve => ("approve", "Approve"),
        NotificationAction::Deny => ("deny", "Deny"),
    }
}

/// Escapes what the freedesktop body markup would read as tags or entities.
fn plain_body(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The operating system's notifications, through notify-rust.
#[derive(Debug, Default, Clone, Copy)]
pub struct DesktopNotifier;

impl DesktopNotifier {
    /// The desktop's notification service.
    pub fn new() -> Self {
        DesktopNotifier
    }
}

impl Notifier for DesktopNotifier {
    #[cfg(all(unix, not(target_os = "macos")))]
    fn show(&self, popup: Popup, on_response: OnResponse) -> Result<(), String> {
        use notify_rust::{Hint, Notification, Urgency as Level};
        let mut n = Notification::new();
        n.appname("Opsdesk")
            .summary(&popup.title)
            .body(&plain_body(&popup.body))
            .icon("dialog-information")
            .hint(Hint::Category("x-opsdesk".into()))
            .urgency(match popup.urgency {
                Urgency::Low => Level::Low,
                Urgency::Normal => Level::Normal,
                Urgency::Critical => Level::Critical,
            });
        for action in &popup.actions {
            let (key, label) = action_key(*action);
            n.action(key, label);
        }
        let handle = n.show().map_err(|e| e.to_string())?;
        if popup.actions.is_empty() {
            return Ok(());
        }
        // `wait_for_action` blocks until the person acts or the pop-up closes.
        std::thread::Builder::new()
            .name("opsdesk-popup".into())
            .spawn(move || {
                handle.wait_for_action(|key| on_response(PopupResponse::from_action(key)));
            })
            .map(|_| ())
            .map_err(|e| format!("cannot wait for the pop-up's answer: {e}"))
    }

    #[cfg(not(all(unix, not(target_os = "macos"))))]
    fn show(&self, popup: Popup, _on_response: OnResponse) -> Result<(), String> {
        // Actions and urgency are freedesktop features; elsewhere the pop-up only informs.
        notify_rust::Notification::new()
            .appname("Opsdesk")
            .summary(&popup.title)
            .body(&popup.body)
            .show()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Keeps every pop-up instead of showing it, and lets a test answer them.
#[derive(Default, Clone)]
pub struct RecordingNotifier {
    inner: Arc<Mutex<Recorded>>,
}

#[derive(Default)]
struct Recorded {
    shown: Vec<Popup>,
    answers: Vec<Option<OnResponse>>,
    unavailable: Option<String>,
}

impl std::fmt::Debug for RecordingNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingNotifier")
            .field("shown", &self.shown())
            .finish()
    }
}

impl RecordingNotifier {
    /// A notifier that records.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Recorded) -> T) -> T {
        match self.inner.lock() {
            Ok(mut r) => f(&mut r),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// The pop-ups shown so far, in order.
    pub fn shown(&self) -> Vec<Popup> {
        self.with(|r| r.shown.clone())
    }

    /// From now on, showing fails with `why` (`None`: works again).
    pub fn set_unavailable(&self, why: Option<&str>) {
        self.with(|r| r.unavailable = why.map(str::to_owned));
    }

    /// Answers the `index`-th pop-up as the person would; false if it was answered already.
    pub fn respond(&self, index: usize, response: PopupResponse) -> bool {
        let answer = self.with(|r| r.answers.get_mut(index).and_then(Option::take));
        match answer {
            Some(f) => {
                f(response);
                true
            }
            None => false,
        }
    }
}

impl Notifier for RecordingNotifier {
    fn show(&self, popup: Popup, on_response: OnResponse) -> Result<(), String> {
        self.with(|r| {
            if let Some(why) = &r.unavailable {
                return Err(why.clone());
            }
            r.shown.push(popup);
            r.answers.push(Some(on_response));
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_keys_follow_the_freedesktop_default_action() {
        assert_eq!(action_key(NotificationAction::Open).0, "default");
        for a in [
            NotificationAction::Open,
            NotificationAction::Approve,
            NotificationAction::Deny,
        ] {
            let expected = match a {
                NotificationAction::Open => PopupResponse::Open,
                NotificationAction::Approve => PopupResponse::Approve,
                NotificationAction::Deny => PopupResponse::Deny,
            };
            assert_eq!(PopupResponse::from_action(action_key(a).0), expected);
        }
        assert_eq!(
            PopupResponse::from_action("__closed"),
            PopupResponse::Closed
        );
        assert_eq!(plain_body("a <b> & c"), "a &lt;b&gt; &amp; c");
    }

    #[test]
    fn the_recording_notifier_answers_once_and_can_fail() {
        let n = RecordingNotifier::new();
        let (tx, rx) = std::sync::mpsc::channel();
        let popup = Popup {
            title: "t".into(),
            body: "b".into(),
            urgency: Urgency::Normal,
            actions: vec![NotificationAction::Open],
        };
        n.show(popup.clone(), Box::new(move |r| tx.send(r).unwrap()))
            .unwrap();
        assert_eq!(n.shown(), vec![popup.clone()]);
        assert!(n.respond(0, PopupResponse::Open));
        assert!(!n.respond(0, PopupResponse::Open));
        assert_eq!(rx.recv().unwrap(), PopupResponse::Open);
        n.set_unavailable(Some("no service"));
        assert_eq!(
            n.show(popup, Box::new(|_| {})),
            Err("no service".to_owned())
        );
        assert_eq!(n.shown().len(), 1);
    }
}
