//! The Rust core of the Opsdesk desktop app: the hub client, the session kept in the OS keyring,
//! the local cache, and the in-process local workspace hub. The Tauri shell calls [`Desk`] and
//! nothing else; every method answers with data or a [`ClientError`] that
//! [`ClientError::to_ui`] turns into a code and a sentence for people.
#![forbid(unsafe_code)]

pub mod access;
pub mod api;
pub mod cache;
pub mod config;
pub mod desk;
pub mod error;
pub mod live;
pub mod queue;
pub mod secrets;
#[cfg(feature = "local-workspace")]
pub mod workspace;

#[cfg(not(feature = "local-workspace"))]
pub mod workspace {
    //! Built without the `local-workspace` feature there is no hub in the app: a workspace can
    //! never be made, and starting one is refused with a sentence that says why.

    use crate::error::ClientError;
    use opsdesk_proto::InviteIssued;
    use std::path::Path;

    /// Has no value: [`LocalWorkspace::start`] always refuses, so no other method can be called.
    #[derive(Debug)]
    pub struct LocalWorkspace(std::convert::Infallible);

    impl LocalWorkspace {
        /// Refuses: this build has no hub inside.
        pub async fn start(_folder: &Path) -> Result<LocalWorkspace, ClientError> {
            Err(ClientError::LocalWorkspace(
                "this build of the app has no local workspace".to_owned(),
            ))
        }

        pub fn base_url(&self) -> &str {
            match self.0 {}
        }

        pub fn folder(&self) -> &Path {
            match self.0 {}
        }

        pub async fn needs_first_admin(&self) -> Result<bool, ClientError> {
            match self.0 {}
        }

        pub async fn create_first_admin(
            &self,
            _username: &str,
            _display_name: &str,
            _email: &str,
        ) -> Result<InviteIssued, ClientError> {
            match self.0 {}
        }

        pub async fn seed_demo_staff(&self) -> Result<usize, ClientError> {
            match self.0 {}
        }

        pub async fn stop(self) -> Result<(), ClientError> {
            match self.0 {}
        }
    }
}

pub use api::ApiClient;
pub use cache::Cache;
pub use config::{AppConfig, Mode};
pub use desk::{AppStatus, Desk, DeskPaths};
pub use error::{ClientError, UiError};
pub use secrets::{
    session_key, KeyringStore, MemorySecretStore, SecretStore, UnavailableSecretStore,
};
pub use workspace::LocalWorkspace;

/// Logging to stderr filtered by `OPSDESK_LOG`, set up exactly as the hub does: the app runs the
/// hub's code in the local workspace, and both log the same way.
#[cfg(feature = "local-workspace")]
pub use opsdesk_hub::telemetry::init_tracing;
