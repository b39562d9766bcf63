//! Live events in the shell: what the core's [`DeskObserver`] hears is passed to the window as
//! Tauri events (named below) and to the tray icon (counts, pause, open, quit); a clicked pop-up
//! brings the window forward. Also the commands of the inbox and notification settings.

use opsdesk_client::live::{
    DeskObserver, InboxPage, InboxUpdate, LiveChange, LiveCounts, LiveStatus, LiveToast,
    OpenRequest,
};
use opsdesk_client::{Desk, UiError};
use opsdesk_proto::NotificationPrefs;
use std::sync::{Arc, Mutex};
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, State};

/// The events the window listens to (`ui/src/lib/live.ts`).
pub mod event {
    /// `LiveChange[]`: records changed on the hub.
    pub const CHANGE: &str = "live:change";
    /// No payload: reload every screen.
    pub const RESYNC: &str = "live:resync";
    /// `InboxUpdate`.
    pub const INBOX: &str = "live:inbox";
    /// `LiveCounts`.
    pub const COUNTS: &str = "live:counts";
    /// `OpenRequest`: show this item.
    pub const OPEN: &str = "live:open";
    /// `LiveToast`.
    pub const TOAST: &str = "live:toast";
    /// `boolean`: the stream is open.
    pub const CONNECTION: &str = "live:connection";
    /// `NotificationPrefs`.
    pub const PREFS: &str = "live:prefs";
    /// No payload: the hub no longer accepts the session.
    pub const SESSION_ENDED: &str = "live:session-ended";
}

/// The tray icon and the menu items that change.
struct Tray {
    icon: TrayIcon,
    counts: MenuItem<tauri::Wry>,
    pause: MenuItem<tauri::Wry>,
}

/// The shell's ears: the window and the tray.
pub struct ShellObserver {
    app: AppHandle,
    tray: Mutex<Option<Tray>>,
}

impl ShellObserver {
    /// An observer for `app`; call [`ShellObserver::add_tray`] once the app is set up.
    pub fn new(app: AppHandle) -> Arc<ShellObserver> {
        Arc::new(ShellObserver {
            app,
            tray: Mutex::new(None),
        })
    }

    fn emit<S: serde::Serialize + Clone>(&self, name: &str, payload: S) {
        if let Err(e) = self.app.emit(name, payload) {
            tracing::warn!(event = name, error = %e, "cannot tell the window");
        }
    }

    /// Puts the tray icon up. Without a tray host (a bare X server) the app runs without it.
    pub fn add_tray(&self, status: &LiveStatus) {
        match build_tray(&self.app, status) {
            Ok(tray) => {
                if let Ok(mut slot) = self.tray.lock() {
                    *slot = Some(tray);
                }
            }
            Err(e) => tracing::warn!(error = %e, "no tray icon; the app runs without it"),
        }
    }

    fn with_tray(&self, f: impl FnOnce(&Tray) -> tauri::Result<()>) {
        if let Ok(slot) = self.tray.lock() {
            if let Some(tray) = slot.as_ref() {
                if let Err(e) = f(tray) {
                    tracing::warn!(error = %e, "cannot update the tray icon");
                }
            }
        }
    }
}

/// "Escalated to me: N · Waiting for my review: M".
pub fn counts_text(c: &LiveCounts) -> String {
    format!(
        "Escalated to me: {} · Waiting for my review: {}",
        c.escalated_to_me, c.waiting_for_my_review
    )
}

fn pause_text(paused: bool) -> &'static str {
    if paused {
        "Resume notifications"
    } else {
        "Pause notifications"
    }
}

fn build_tray(app: &AppHandle, status: &LiveStatus) -> tauri::Result<Tray> {
    let text = counts_text(&status.counts);
    let counts = MenuItem::with_id(app, "counts", &text, false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Opsdesk", true, None::<&str>)?;
    let pause = MenuItem::with_id(
        app,
        "pause",
        pause_text(status.prefs.paused),
        true,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &counts,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id("opsdesk")
        .menu(&menu)
        .tooltip(&text)
        .title(&text)
        .on_menu_event(on_menu);
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    Ok(Tray {
        icon: builder.build(app)?,
        counts,
        pause,
    })
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    match event.id().as_ref() {
        "open" => show_window(app),
        "pause" => {
            let Some(desk) = app.try_state::<Arc<Desk>>().map(|d| d.inner().clone()) else {
                return;
            };
            tauri::async_runtime::spawn(async move {
                let paused = desk.notification_prefs().await.paused;
                if let Err(e) = desk.set_notifications_paused(!paused).await {
                    tracing::warn!(error = %e, "cannot change the pause");
                }
            });
        }
        "quit" => app.exit(0),
        _ => {}
    }
}

/// Brings the main window forward.
fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        if let Err(e) = window.set_focus() {
            tracing::warn!(error = %e, "cannot focus the window");
        }
    }
}

impl DeskObserver for ShellObserver {
    fn changed(&self, changes: &[LiveChange]) {
        self.emit(event::CHANGE, changes.to_vec());
    }

    fn resynced(&self) {
        self.emit(event::RESYNC, ());
    }

    fn inbox(&self, update: &InboxUpdate) {
        self.emit(event::INBOX, update.clone());
    }

    fn counts(&self, counts: &LiveCounts) {
        let text = counts_text(counts);
        self.with_tray(|t| {
            t.counts.set_text(&text)?;
            t.icon.set_tooltip(Some(&text))?;
            t.icon.set_title(Some(&text))
        });
        self.emit(event::COUNTS, *counts);
    }

    fn open(&self, request: &OpenRequest) {
        show_window(&self.app);
        self.emit(event::OPEN, request.clone());
    }

    fn toast(&self, toast: &LiveToast) {
        self.emit(event::TOAST, toast.clone());
    }

    fn connection(&self, connected: bool) {
        self.emit(event::CONNECTION, connected);
    }

    fn prefs(&self, prefs: &NotificationPrefs) {
        let text = pause_text(prefs.paused);
        self.with_tray(|t| t.pause.set_text(text));
        self.emit(event::PREFS, prefs.clone());
    }

    fn session_ended(&self) {
        self.emit(event::SESSION_ENDED, ());
    }
}

// ---- commands ---------------------------------------------------------------------------------

type Shared<'a> = State<'a, Arc<Desk>>;

#[tauri::command(rename_all = "snake_case")]
pub async fn live_status(desk: Shared<'_>) -> Result<LiveStatus, UiError> {
    Ok(desk.live_status().await)
}

/// Newest first; every notification meant for me, popped up or not.
#[tauri::command(rename_all = "snake_case")]
pub async fn inbox(desk: Shared<'_>, unread_only: bool) -> Result<InboxPage, UiError> {
    desk.inbox(unread_only).await.map_err(|e| e.to_ui())
}

/// `None` (`null`) marks every notification read; answers the unread count.
#[tauri::command(rename_all = "snake_case")]
pub async fn inbox_mark_read(desk: Shared<'_>, ids: Option<Vec<i64>>) -> Result<i64, UiError> {
    desk.inbox_mark_read(ids).await.map_err(|e| e.to_ui())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn notification_prefs(desk: Shared<'_>) -> Result<NotificationPrefs, UiError> {
    Ok(desk.notification_prefs().await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_notification_prefs(
    desk: Shared<'_>,
    prefs: NotificationPrefs,
) -> Result<NotificationPrefs, UiError> {
    desk.set_notification_prefs(prefs)
        .await
        .map_err(|e| e.to_ui())
}

/// The idle lock: the event stream stops while locked and catches up when unlocked.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_locked(desk: Shared<'_>, locked: bool) -> Result<(), UiError> {
    desk.set_locked(locked).await;
    Ok(())
}
