//! [`Desk`]: the one object the Tauri shell talks to. It owns the choice of hub (a team hub by URL,
//! or the local workspace), the signed-in session (token in the OS keyring), the settings file and
//! the local cache, and offers every operation the screens need. Signing in and out lives in
//! `desk/session.rs`, the calls of the signed-in screens in `desk/screens.rs`, the ticket queue's
//! in `desk/queue.rs`, cross-tenant access and tenant data in `desk/access.rs`, live events,
//! the inbox and notification settings in `desk/live.rs`.

mod access;
mod live;
mod queue;
mod screens;
mod session;

use crate::access::AccessMemory;
use crate::api::{self, ApiClient, SessionToken};
use crate::cache::Cache;
use crate::config::{AppConfig, Mode, IDLE_LOCK_RANGE};
use crate::error::{ClientError, UiError};
use crate::queue::QueueSync;
use crate::secrets::{local_hub_id, remote_hub_id, SecretStore};
use crate::workspace::LocalWorkspace;
use opsdesk_proto::{HubInfo, Me};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, RwLock};

/// How long checking a hub address may take before it counts as unreachable.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the app keeps its files: settings in `config_dir`; the cache and the local workspace
/// in `data_dir`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct DeskPaths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

/// Everything the first screen needs to decide what to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AppStatus {
    pub mode: Mode,
    /// The hub's address (for the local workspace, where it answers right now).
    pub hub_url: Option<String>,
    /// A short name for the hub: its host, or `Local workspace`.
    pub hub_label: Option<String>,
    /// True when the hub answered just now as an Opsdesk hub.
    pub hub_reachable: bool,
    /// What the hub said about itself, when it answered.
    pub hub: Option<HubInfo>,
    /// The signed-in person; while offline, as last seen.
    pub signed_in: Option<Me>,
    /// Who signed in last on this hub, to prefill the sign-in form.
    pub last_username: Option<String>,
    /// The local workspace has no enrolled admin yet: show the first-admin setup.
    pub needs_first_admin: bool,
    pub idle_lock_minutes: u32,
    /// Why the local workspace is not running, when it failed to start.
    pub workspace_error: Option<UiError>,
}

/// A signed-in session: whose, and the token (kept in the keyring too).
struct Session {
    username: String,
    token: SessionToken,
    /// Latest known `Me`; `None` only while offline with nothing cached.
    me: Option<Me>,
    /// The tenant in scope and my grants: in memory, gone with the session.
    access: AccessMemory,
}

/// What can change while the app runs.
struct DeskState {
    config: AppConfig,
    /// Client for the hub in use (built once per hub: building one loads the trust store).
    api: Option<ApiClient>,
    workspace: Option<LocalWorkspace>,
    workspace_error: Option<ClientError>,
    session: Option<Session>,
}

/// The desktop app's core. `Send + Sync`; every method takes `&self`.
pub struct Desk {
    paths: DeskPaths,
    secrets: Arc<dyn SecretStore>,
    cache: Cache,
    /// The ticket queue's sync and outbox, over `cache`.
    sync: Arc<QueueSync>,
    state: RwLock<DeskState>,
    /// Held by operations that change the hub or the session (connect, start, sign in, restore,
    /// sign out, forget) so two clicks cannot interleave them. Reads never wait for it.
    changes: Mutex<()>,
    /// The session's event stream, the inbox, pop-ups and the tray's counts.
    live: live::Live,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("paths", &self.paths).finish()
    }
}

impl Desk {
    /// Loads the settings, opens the local cache and, if the local workspace was in use, starts
    /// it (a workspace that fails to start is reported by [`Desk::status`], not here, so the app
    /// can still open and offer to forget it).
    pub async fn open(
        paths: DeskPaths,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Desk, ClientError> {
        let config = AppConfig::load(&paths.config_dir)?;
        let cache = Cache::open(&paths.data_dir).await?;
        let mut state = DeskState {
            config,
            api: None,
            workspace: None,
            workspace_error: None,
            session: None,
        };
        match state.config.mode {
            Mode::None => {}
            Mode::Remote => {
                let url = state.config.hub_url.clone().unwrap_or_default();
                let api = ApiClient::new(&url)?;
                state.config.hub_url = Some(api.base_url().to_owned());
                state.api = Some(api);
            }
            Mode::Local => match LocalWorkspace::start(&workspace_dir(&paths)).await {
                Ok(ws) => {
                    state.api = Some(ApiClient::new(ws.base_url())?);
                    state.workspace = Some(ws);
                }
                Err(e) => {
                    tracing::error!(error = %e, "the local workspace did not start");
                    state.workspace_error = Some(e);
                }
            },
        }
        Ok(Desk {
            paths,
            secrets,
            sync: Arc::new(QueueSync::new(cache.clone())),
            cache,
            live: live::Live::new(state.config.notifications.clone()),
            state: RwLock::new(state),
            changes: Mutex::new(()),
        })
    }

    /// The paths this desk was opened on.
    pub fn paths(&self) -> &DeskPaths {
        &self.paths
    }

    /// Mode, hub, reachability, the signed-in person and the settings. Never fails: what cannot
    /// be found out shows as absent or unreachable.
    pub async fn status(&self) -> AppStatus {
        let (mut status, api) = {
            let state = self.state.read().await;
            let needs_first_admin = match &state.workspace {
                Some(ws) => ws.needs_first_admin().await.unwrap_or(false),
                None => false,
            };
            let hub_label = match state.config.mode {
                Mode::None => None,
                Mode::Local => Some("Local workspace".to_owned()),
                Mode::Remote => state.config.hub_url.as_deref().map(host_label),
            };
            let status = AppStatus {
                mode: state.config.mode,
                hub_url: state.api.as_ref().map(|a| a.base_url().to_owned()),
                hub_label,
                hub_reachable: false,
                hub: None,
                signed_in: state.session.as_ref().and_then(|s| s.me.clone()),
                last_username: state.config.last_username.clone(),
                needs_first_admin,
                idle_lock_minutes: state.config.idle_lock_minutes,
                workspace_error: state.workspace_error.as_ref().map(ClientError::to_ui),
            };
            (status, state.api.clone())
        };
        if let Some(api) = api {
            if let Ok(info) = api.hub_info(api::PROBE_TIMEOUT).await {
                status.hub_reachable = info.product == "opsdesk-hub";
                status.hub = Some(info);
            }
        }
        status
    }

    /// Checks that `url` is an Opsdesk hub this app can talk to.
    pub async fn check_hub(&self, url: &str) -> Result<HubInfo, ClientError> {
        probe_hub(url).await.map(|(_, info)| info)
    }

    /// Checks `url` and makes it the hub in use. Leaving another hub signs out of it and stops
    /// the local workspace.
    pub async fn connect_hub(&self, url: &str) -> Result<AppStatus, ClientError> {
        let _changing = self.changes.lock().await;
        let (api, _) = probe_hub(url).await?;
        let hub_id = remote_hub_id(api.base_url());
        let same_hub = self.hub_id().await.as_deref() == Some(hub_id.as_str());
        if !same_hub {
            self.leave_hub().await;
        }
        {
            let mut state = self.state.write().await;
            let mut next = state.config.clone();
            next.mode = Mode::Remote;
            next.hub_url = Some(api.base_url().to_owned());
            if !same_hub {
                next.last_username = None;
            }
            next.save(&self.paths.config_dir)?;
            state.config = next;
            state.api = Some(api);
        }
        Ok(self.status().await)
    }

    /// Starts the hub inside the app on `<data_dir>/workspace/hub.sqlite` and makes it the hub in
    /// use. With `demo`, the demo team is invited right away (by `system`; they are invited, not
    /// enrolled, so they do not count as the first admin). Leaving a team hub signs out of it.
    /// Calling it again while the workspace runs only adds the demo team if asked.
    pub async fn start_local_workspace(&self, demo: bool) -> Result<AppStatus, ClientError> {
        let _changing = self.changes.lock().await;
        let running = {
            let state = self.state.read().await;
            state.config.mode == Mode::Local && state.workspace.is_some()
        };
        if !running {
            if self.state.read().await.config.mode == Mode::Remote {
                self.leave_hub().await;
            }
            let ws = LocalWorkspace::start(&workspace_dir(&self.paths)).await?;
            let api = ApiClient::new(ws.base_url())?;
            let mut state = self.state.write().await;
            let mut next = state.config.clone();
            if next.mode != Mode::Local {
                next.last_username = None;
            }
            next.mode = Mode::Local;
            next.hub_url = None;
            next.save(&self.paths.config_dir)?;
            state.config = next;
            state.api = Some(api);
            state.workspace = Some(ws);
            state.workspace_error = None;
        }
        if demo {
            let state = self.state.read().await;
            if let Some(ws) = &state.workspace {
                ws.seed_demo_staff().await?;
            }
        }
        Ok(self.status().await)
    }

    /// Creates the local workspace's first admin and returns their one-time invite token, to be
    /// used with [`Desk::enroll_start`] and [`Desk::enroll_confirm`].
    pub async fn create_first_admin(
        &self,
        username: &str,
        display_name: &str,
        email: &str,
    ) -> Result<String, ClientError> {
        let state = self.state.read().await;
        let ws = match (&state.workspace, &state.workspace_error) {
            (Some(ws), _) => ws,
            (None, Some(e)) => return Err(e.clone()),
            (None, None) => return Err(ClientError::NotLocalWorkspace),
        };
        let issued = ws.create_first_admin(username, display_name, email).await?;
        Ok(issued.invite_token)
    }

    /// Back to first launch: signs out, stops the local workspace (its data stays for next
    /// time) and forgets the hub. The idle lock and notification settings are kept.
    pub async fn forget_hub(&self) -> Result<AppStatus, ClientError> {
        let _changing = self.changes.lock().await;
        let signed_out = self.sign_out_here().await;
        let workspace = {
            let mut state = self.state.write().await;
            let next = AppConfig {
                idle_lock_minutes: state.config.idle_lock_minutes,
                notifications: state.config.notifications.clone(),
                ..AppConfig::default()
            };
            next.save(&self.paths.config_dir)?;
            state.config = next;
            state.api = None;
            state.workspace_error = None;
            state.workspace.take()
        };
        if let Some(ws) = workspace {
            if let Err(e) = ws.stop().await {
                tracing::warn!(error = %e, "the local workspace did not stop cleanly");
            }
        }
        signed_out?;
        Ok(self.status().await)
    }

    /// Sets the idle lock, 1 to 480 minutes, and keeps it in the settings.
    pub async fn set_idle_lock_minutes(&self, minutes: u32) -> Result<AppStatus, ClientError> {
        if !IDLE_LOCK_RANGE.contains(&minutes) {
            return Err(ClientError::invalid(
                "idle_lock_minutes",
                format!(
                    "must be {} to {} minutes (got {minutes})",
                    IDLE_LOCK_RANGE.start(),
                    IDLE_LOCK_RANGE.end()
                ),
            ));
        }
        {
            let mut state = self.state.write().await;
            let mut next = state.config.clone();
            next.idle_lock_minutes = minutes;
            next.save(&self.paths.config_dir)?;
            state.config = next;
        }
        Ok(self.status().await)
    }

    /// Stops the local workspace and closes the cache; call when the app exits.
    pub async fn close(&self) {
        self.live_stop().await;
        let workspace = self.state.write().await.workspace.take();
        if let Some(ws) = workspace {
            if let Err(e) = ws.stop().await {
                tracing::warn!(error = %e, "the local workspace did not stop cleanly");
            }
        }
        self.cache.close().await;
    }

    // ---- internals -----------------------------------------------------------------------------

    /// The hub in use and its identity in secret keys.
    async fn hub(&self) -> Result<(ApiClient, String), ClientError> {
        let state = self.state.read().await;
        match (&state.api, self.hub_id_in(&state), &state.workspace_error) {
            (Some(api), Some(id), _) => Ok((api.clone(), id)),
            (None, _, Some(e)) => Err(e.clone()),
            _ => Err(ClientError::NoHub),
        }
    }

    async fn hub_id(&self) -> Option<String> {
        self.hub_id_in(&*self.state.read().await)
    }

    /// `local:<data_dir>` for the local workspace (its port changes on every launch), the URL
    /// for a team hub.
    fn hub_id_in(&self, state: &DeskState) -> Option<String> {
        match state.config.mode {
            Mode::None => None,
            Mode::Local => Some(local_hub_id(&self.paths.data_dir)),
            Mode::Remote => state.config.hub_url.as_deref().map(remote_hub_id),
        }
    }

    /// Signs out of the hub being left (best effort: leaving must not be blocked by it).
    async fn leave_hub(&self) {
        if let Err(e) = self.sign_out_here().await {
            tracing::warn!(error = %e, "signing out of the previous hub failed");
        }
        let workspace = self.state.write().await.workspace.take();
        if let Some(ws) = workspace {
            if let Err(e) = ws.stop().await {
                tracing::warn!(error = %e, "the local workspace did not stop cleanly");
            }
        }
    }
}

/// Checks `url` and that an Opsdesk hub speaking API v1 answers there.
async fn probe_hub(url: &str) -> Result<(ApiClient, HubInfo), ClientError> {
    let api = ApiClient::new(url)?;
    let not_opsdesk = || ClientError::NotAnOpsdeskHub {
        url: api.base_url().to_owned(),
    };
    let info = match api.hub_info(CHECK_TIMEOUT).await {
        Ok(info) => info,
        Err(e @ ClientError::Unreachable { .. }) => return Err(e),
        Err(_) => return Err(not_opsdesk()),
    };
    if info.product != "opsdesk-hub" {
        return Err(not_opsdesk());
    }
    if info.api_version != "v1" {
        return Err(ClientError::IncompatibleHub {
            url: api.base_url().to_owned(),
            api_version: info.api_version,
        });
    }
    Ok((api, info))
}

/// The folder of the local workspace's hub.
fn workspace_dir(paths: &DeskPaths) -> PathBuf {
    paths.data_dir.join("workspace")
}

/// `hub.example.com` (with the port when there is one) from a hub URL.
fn host_label(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => url.to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;

    fn paths() -> DeskPaths {
        let root = std::env::temp_dir().join(format!("opsdesk-desk-{}", uuid::Uuid::new_v4()));
        DeskPaths {
            config_dir: root.join("config"),
            data_dir: root.join("data"),
        }
    }

    fn cleanup(paths: &DeskPaths) {
        if let Some(root) = paths.config_dir.parent() {
            let _ = std::fs::remove_dir_all(root);
        }
    }

    /// Tauri runs commands on a multi-threaded runtime: the desk and its futures must be Send.
    #[allow(dead_code, clippy::let_underscore_future)]
    fn every_future_is_send(desk: &Desk) {
        fn send<T: Send + Sync>(_: &T) {}
        fn future<T: Send>(_: T) {}
        send(desk);
        future(desk.status());
        future(desk.check_hub(""));
        future(desk.connect_hub(""));
        future(desk.start_local_workspace(false));
        future(desk.create_first_admin("", "", ""));
        future(desk.enroll_start("", ""));
        future(desk.enroll_confirm("", ""));
        future(desk.sign_in_password("", ""));
        future(desk.sign_in_mfa("", None, None));
        future(desk.restore_session());
        future(desk.sign_out());
        future(desk.forget_hub());
        future(desk.reauthenticate(""));
        future(desk.set_idle_lock_minutes(1));
        future(desk.me());
        future(desk.list_staff(Default::default()));
        future(desk.list_audit(Default::default()));
        future(desk.queue(Default::default()));
        future(desk.sync_now());
        future(desk.ticket(uuid::Uuid::nil()));
        future(desk.ticket_act(
            uuid::Uuid::nil(),
            1,
            crate::queue::TicketAction::Note { body: "x".into() },
        ));
        future(desk.outbox_resolve(1, crate::queue::OutboxResolution::Discard));
        future(desk.ticket_presence(uuid::Uuid::nil(), opsdesk_proto::PresenceMode::Viewing));
        future(desk.search_tickets("x"));
        future(desk.tenants(""));
        future(desk.assignees());
        future(desk.groups());
        future(desk.delete_saved_filter(uuid::Uuid::nil()));
        let nil = uuid::Uuid::nil();
        future(desk.access_policy());
        future(desk.access_requests(Default::default()));
        future(desk.access_request(nil));
        future(desk.review_access_request(
            nil,
            opsdesk_proto::ReviewAccessRequest {
                approve: true,
                comment: None,
                version: 1,
            },
        ));
        future(desk.cancel_access_request(nil, 1));
        future(desk.export_access_requests(Default::default()));
        future(desk.grants(Default::default()));
        future(desk.release_grant(nil));
        future(desk.revoke_grant(nil, String::new()));
        future(desk.clearance(nil));
        future(desk.tenant_scope());
        future(desk.select_tenant(None));
        future(desk.tenant_users(nil, Default::default()));
        future(desk.tenant_user_sign_ins(nil, nil));
        future(desk.reset_tenant_user_password(nil, nil));
        future(desk.unlock_tenant_user(nil, nil, 1));
        future(desk.tenant_settings(nil));
        future(desk.live_status());
        future(desk.inbox(false));
        future(desk.inbox_mark_read(None));
        future(desk.notification_prefs());
        future(desk.set_notification_prefs(Default::default()));
        future(desk.set_notifications_paused(true));
        future(desk.set_locked(true));
        future(desk.close());
    }

    #[tokio::test]
    async fn a_first_launch_has_no_hub_and_no_session() {
        let paths = paths();
        let desk = Desk::open(paths.clone(), Arc::new(MemorySecretStore::new()))
            .await
            .unwrap();
        let status = desk.status().await;
        assert_eq!(status.mode, Mode::None);
        assert!(!status.hub_reachable && status.hub_url.is_none() && status.signed_in.is_none());
        assert_eq!(
            status.idle_lock_minutes,
            crate::config::DEFAULT_IDLE_LOCK_MINUTES
        );
        assert_eq!(desk.restore_session().await, Ok(None));
        assert_eq!(desk.me().await, Err(ClientError::NotSignedIn));
        assert_eq!(
            desk.sign_in_password("ana", "pw").await,
            Err(ClientError::NoHub)
        );
        assert_eq!(desk.sign_out().await, Ok(()));
        assert_eq!(
            desk.set_idle_lock_minutes(90)
                .await
                .unwrap()
                .idle_lock_minutes,
            90
        );
        desk.close().await;
        cleanup(&paths);
    }

    #[tokio::test]
    async fn a_corrupt_settings_file_stops_the_desk_with_a_clear_error() {
        let paths = paths();
        std::fs::create_dir_all(&paths.config_dir).unwrap();
        std::fs::write(paths.config_dir.join("opsdesk.json"), "{ not json").unwrap();
        let err = Desk::open(paths.clone(), Arc::new(MemorySecretStore::new()))
            .await
            .unwrap_err();
        assert!(matches!(err, ClientError::CorruptConfig { .. }), "{err:?}");
        assert_eq!(err.to_ui().code, "config_unreadable");
        cleanup(&paths);
    }
}
