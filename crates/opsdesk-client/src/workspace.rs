//! The local workspace: the same hub code the team deployment runs, started inside the app on a
//! SQLite file in the data folder and bound to 127.0.0.1 on a free port. It stops when dropped.

use crate::error::ClientError;
use opsdesk_core::validate::{DisplayName, Email, Username};
use opsdesk_core::Role;
use opsdesk_hub::clock::SystemClock;
use opsdesk_hub::config::{DatabaseUrl, Settings};
use opsdesk_hub::error::HubError;
use opsdesk_hub::RunningHub;
use opsdesk_proto::{InviteIssued, InviteStaffRequest};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The hub's database file inside the workspace folder.
pub const HUB_FILE: &str = "hub.sqlite";

/// A hub running in this process.
pub struct LocalWorkspace {
    hub: Option<RunningHub>,
    base_url: String,
    folder: PathBuf,
}

impl std::fmt::Debug for LocalWorkspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalWorkspace")
            .field("base_url", &self.base_url)
            .field("folder", &self.folder)
            .field("running", &self.hub.is_some())
            .finish()
    }
}

impl LocalWorkspace {
    /// Starts the hub on `<folder>/hub.sqlite` (created and migrated if new), on 127.0.0.1 and a
    /// port the system picks.
    pub async fn start(folder: &Path) -> Result<LocalWorkspace, ClientError> {
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            ClientError::LocalWorkspace(format!("{what}: {e}"))
        };
        tokio::fs::create_dir_all(folder)
            .await
            .map_err(|e| fail(&format!("cannot create {}", folder.display()), &e))?;
        let database_url = sqlite_url(&folder.join(HUB_FILE));
        let settings = Settings {
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: DatabaseUrl(database_url.clone()),
            data_dir: folder.to_owned(),
            ..Settings::default()
        };
        // The workspace is SQLite by definition, so it opens that backend rather than any
        // database URL: the app's commands run on Tauri's multi-threaded runtime and need this
        // future to be `Send`, which the PostgreSQL connect path must not be able to take away.
        let store = opsdesk_hub::open_sqlite(&database_url)
            .await
            .map_err(|e| fail("cannot open the workspace database", &e))?;
        let listener = tokio::net::TcpListener::bind(settings.bind)
            .await
            .map_err(|e| fail("cannot listen on 127.0.0.1", &e))?;
        let hub = opsdesk_hub::start(store, settings, Arc::new(SystemClock), listener)
            .map_err(|e| fail("cannot start the hub", &e))?;
        let base_url = format!("http://{}", hub.addr);
        tracing::info!(%base_url, folder = %folder.display(), "local workspace started");
        Ok(LocalWorkspace {
            hub: Some(hub),
            base_url,
            folder: folder.to_owned(),
        })
    }

    /// Where the hub answers (`http://127.0.0.1:<port>`); changes on every start.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The folder holding the workspace's database.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    fn hub(&self) -> Result<&RunningHub, ClientError> {
        self.hub
            .as_ref()
            .ok_or_else(|| ClientError::LocalWorkspace("the hub has stopped".into()))
    }

    /// True until an admin has finished enrolling (an invited admin does not count).
    pub async fn needs_first_admin(&self) -> Result<bool, ClientError> {
        let count = self
            .hub()?
            .state
            .store
            .count_active_with_role(Role::Admin)
            .await
            .map_err(|e| ClientError::LocalWorkspace(format!("cannot read staff: {e}")))?;
        Ok(count == 0)
    }

    /// Creates the first admin, as `opsdesk-hub` does from the command line, and returns their
    /// invite. Refused once an active admin exists.
    pub async fn create_first_admin(
        &self,
        username: &str,
        display_name: &str,
        email: &str,
    ) -> Result<InviteIssued, ClientError> {
        let req = InviteStaffRequest {
            username: Username::parse(username).map_err(|e| ClientError::invalid("username", e))?,
            display_name: DisplayName::parse(display_name)
                .map_err(|e| ClientError::invalid("display_name", e))?,
            email: Email::parse(email).map_err(|e| ClientError::invalid("email", e))?,
            role: Role::Admin,
        };
        opsdesk_hub::domain::staff::invite::bootstrap_admin(&self.hub()?.state, req)
            .await
            .map_err(hub_error)
    }

    /// Invites the demo team (one or two people of every role); existing members are left
    /// alone. Returns how many were added.
    pub async fn seed_demo_staff(&self) -> Result<usize, ClientError> {
        opsdesk_hub::seed::demo::seed_demo_staff(&self.hub()?.state, None)
            .await
            .map_err(hub_error)
    }

    /// Stops accepting requests and waits for open ones to finish.
    pub async fn stop(mut self) -> Result<(), ClientError> {
        match self.hub.take() {
            Some(hub) => hub
                .stop()
                .await
                .map_err(|e| ClientError::LocalWorkspace(format!("stopping: {e}"))),
            None => Ok(()),
        }
    }
}

// Dropping the RunningHub drops its shutdown sender, which ends the server gracefully in the
// background; nothing else to do on drop.

/// A hub refusal as the app shows it, exactly as if it had come over HTTP.
fn hub_error(e: HubError) -> ClientError {
    if let HubError::Internal(detail) = &e {
        tracing::error!(error = %detail, "local workspace failed");
    }
    ClientError::from(e.to_api_error())
}

/// `sqlite://<path>`, with the characters sqlx would read as URL syntax escaped.
fn sqlite_url(path: &Path) -> String {
    let mut url = String::from("sqlite://");
    for c in path.display().to_string().chars() {
        match c {
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            c => url.push(c),
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_paths_survive_url_syntax() {
        assert_eq!(
            sqlite_url(Path::new("/home/ana/App Support/50%?#/hub.sqlite")),
            "sqlite:///home/ana/App Support/50%25%3F%23/hub.sqlite"
        );
    }
}
