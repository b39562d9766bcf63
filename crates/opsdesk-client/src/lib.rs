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
pub mod workspace;

pub use api::ApiClient;
pub use cache::Cache;
pub use config::{AppConfig, Mode};
pub use desk::{AppStatus, Desk, DeskPaths};
pub use error::{ClientError, UiError};
pub use secrets::{
    session_key, KeyringStore, MemorySecretStore, SecretStore, UnavailableSecretStore,
};
pub use workspace::LocalWorkspace;
