//! Where session tokens are kept: the OS keyring, never a file. [`KeyringStore`] picks the
//! backend at run time (on Linux the Secret Service when one answers on the session bus,
//! otherwise the kernel keyring); [`MemorySecretStore`] is for unit tests.

use crate::error::ClientError;
use keyring_core::{CredentialStore, Entry};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Service name the keyring entries are filed under.
const SERVICE: &str = "opsdesk";

/// A place to keep secrets by key. Calls may block (D-Bus round trips); async callers run them
/// on the blocking pool.
pub trait SecretStore: Send + Sync {
    /// The secret under `key`, or `None` when there is none.
    fn get(&self, key: &str) -> Result<Option<String>, ClientError>;
    /// Keeps `secret` under `key`, replacing any earlier one.
    fn set(&self, key: &str, secret: &str) -> Result<(), ClientError>;
    /// Removes the secret under `key`; removing one that is not there is not an error.
    fn delete(&self, key: &str) -> Result<(), ClientError>;
}

/// The identity of a remote hub in secret keys: its normalized URL.
pub fn remote_hub_id(url: &str) -> String {
    url.to_owned()
}

/// The identity of the local workspace in secret keys. Its port changes on every launch, so the
/// folder it keeps its data in names it instead.
pub fn local_hub_id(data_dir: &Path) -> String {
    format!("local:{}", data_dir.display())
}

/// The key a session token is kept under: `opsdesk:<hub-id>:<username>`.
pub fn session_key(hub_id: &str, username: &str) -> String {
    format!("{SERVICE}:{hub_id}:{username}")
}

/// Which OS keyring a [`KeyringStore`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ))]
    SecretService,
    #[cfg(target_os = "linux")]
    KernelKeyring,
    #[cfg(target_os = "macos")]
    MacosKeychain,
    #[cfg(target_os = "windows")]
    WindowsCredentialManager,
}

/// The OS keyring.
pub struct KeyringStore {
    store: Arc<CredentialStore>,
    backend: Backend,
    /// One keyring call at a time: an app's keyring traffic is sequential anyway, and some
    /// Secret Service daemons (gnome-keyring) drop connections under concurrent calls.
    calls: Mutex<()>,
}

impl std::fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyringStore")
            .field("backend", &self.backend_name())
            .finish()
    }
}

impl KeyringStore {
    /// Picks the keyring for this machine. On Linux: the Secret Service (GNOME Keyring, KWallet,
    /// KeePassXC) if one answers on the session bus, otherwise the kernel keyring (kept for the
    /// login session; sign-in is needed again after a reboot).
    pub fn detect() -> Result<KeyringStore, ClientError> {
        #[cfg(target_os = "linux")]
        {
            match KeyringStore::secret_service() {
                Ok(store) => Ok(store),
                Err(ss) => {
                    tracing::info!(error = %ss, "no Secret Service; using the kernel keyring");
                    KeyringStore::kernel_keyring().map_err(|kernel| {
                        ClientError::Keyring(format!(
                            "neither the Secret Service ({}) nor the kernel keyring ({}) is \
                             available",
                            inner(&ss),
                            inner(&kernel)
                        ))
                    })
                }
            }
        }
        #[cfg(target_os = "macos")]
        {
            let store =
                apple_native_keyring_store::keychain::Store::new().map_err(keyring_error)?;
            Ok(KeyringStore {
                store,
                backend: Backend::MacosKeychain,
                calls: Mutex::new(()),
            })
        }
        #[cfg(target_os = "windows")]
        {
            let store = windows_native_keyring_store::Store::new().map_err(keyring_error)?;
            Ok(KeyringStore {
                store,
                backend: Backend::WindowsCredentialManager,
                calls: Mutex::new(()),
            })
        }
        #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
        {
            Err(ClientError::Keyring(
                "this platform has no supported keyring".into(),
            ))
        }
    }

    /// The Secret Service on the D-Bus session bus; fails when none answers.
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ))]
    pub fn secret_service() -> Result<KeyringStore, ClientError> {
        let store = zbus_secret_service_keyring_store::Store::new().map_err(|e| {
            ClientError::Keyring(format!("no Secret Service answers on the session bus: {e}"))
        })?;
        // Sessions are written into the default collection ("login" keyring). A service without
        // one answers but refuses every write, so it does not count as available.
        let service =
            secret_service::blocking::SecretService::connect(secret_service::EncryptionType::Plain)
                .map_err(|e| {
                    ClientError::Keyring(format!(
                        "no Secret Service answers on the session bus: {e}"
                    ))
                })?;
        service.get_default_collection().map_err(|e| {
            ClientError::Keyring(format!(
                "the Secret Service has no default keyring to keep sessions in ({e}); create or \
                 unlock the login keyring (for example with your desktop's password manager)"
            ))
        })?;
        Ok(KeyringStore {
            store,
            backend: Backend::SecretService,
            calls: Mutex::new(()),
        })
    }

    /// The kernel keyring (keyutils) of this login session; fails when the kernel refuses it.
    #[cfg(target_os = "linux")]
    pub fn kernel_keyring() -> Result<KeyringStore, ClientError> {
        let store = linux_keyutils_keyring_store::Store::new().map_err(keyring_error)?;
        let candidate = KeyringStore {
            store,
            backend: Backend::KernelKeyring,
            calls: Mutex::new(()),
        };
        // Building an entry opens the session keyring; a lookup proves the kernel lets us in.
        candidate.get("opsdesk:probe").map_err(|e| {
            ClientError::Keyring(format!("the kernel keyring is not usable: {}", inner(&e)))
        })?;
        Ok(candidate)
    }

    /// Which backend this is: `secret-service`, `kernel-keyring`, `macos-keychain` or
    /// `windows-credential-manager`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            #[cfg(all(
                unix,
                not(any(target_os = "macos", target_os = "ios", target_os = "android"))
            ))]
            Backend::SecretService => "secret-service",
            #[cfg(target_os = "linux")]
            Backend::KernelKeyring => "kernel-keyring",
            #[cfg(target_os = "macos")]
            Backend::MacosKeychain => "macos-keychain",
            #[cfg(target_os = "windows")]
            Backend::WindowsCredentialManager => "windows-credential-manager",
        }
    }

    fn entry(&self, key: &str) -> Result<Entry, ClientError> {
        let label = format!("Opsdesk session ({key})");
        let mut mods: HashMap<&str, &str> = HashMap::new();
        match self.backend {
            #[cfg(all(
                unix,
                not(any(target_os = "macos", target_os = "ios", target_os = "android"))
            ))]
            Backend::SecretService => {
                mods.insert("label", &label);
            }
            // The kernel keyring names a key by one description; use ours as it is.
            #[cfg(target_os = "linux")]
            Backend::KernelKeyring => {
                mods.insert("description", key);
            }
            #[allow(unreachable_patterns)]
            _ => {}
        }
        let mods = (!mods.is_empty()).then_some(&mods);
        self.store.build(SERVICE, key, mods).map_err(keyring_error)
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<String>, ClientError> {
        let _one_at_a_time = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        match self.entry(key)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn set(&self, key: &str, secret: &str) -> Result<(), ClientError> {
        if secret.is_empty() {
            return Err(ClientError::Keyring(
                "refusing to keep an empty secret".into(),
            ));
        }
        let _one_at_a_time = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        self.entry(key)?.set_password(secret).map_err(keyring_error)
    }

    fn delete(&self, key: &str) -> Result<(), ClientError> {
        let _one_at_a_time = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            // Several items match (another tool wrote one too): remove them all.
            Err(keyring_core::Error::Ambiguous(entries)) => {
                for entry in entries {
                    match entry.delete_credential() {
                        Ok(()) | Err(keyring_core::Error::NoEntry) => {}
                        Err(e) => return Err(keyring_error(e)),
                    }
                }
                Ok(())
            }
            Err(e) => Err(keyring_error(e)),
        }
    }
}

fn keyring_error(e: keyring_core::Error) -> ClientError {
    ClientError::Keyring(e.to_string())
}

#[cfg(target_os = "linux")]
fn inner(e: &ClientError) -> String {
    match e {
        ClientError::Keyring(detail) => detail.clone(),
        other => other.to_string(),
    }
}

/// Secrets in memory, gone when dropped. For unit tests only: the app never uses it.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    secrets: Mutex<HashMap<String, String>>,
}

impl MemorySecretStore {
    /// An empty store.
    pub fn new() -> Self {
        MemorySecretStore::default()
    }

    /// The keys held now.
    pub fn keys(&self) -> Vec<String> {
        self.secrets
            .lock()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, String>) -> R) -> Result<R, ClientError> {
        let mut map = self
            .secrets
            .lock()
            .map_err(|_| ClientError::Keyring("memory store poisoned".into()))?;
        Ok(f(&mut map))
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, ClientError> {
        self.with(|m| m.get(key).cloned())
    }

    fn set(&self, key: &str, secret: &str) -> Result<(), ClientError> {
        self.with(|m| {
            m.insert(key.to_owned(), secret.to_owned());
        })
    }

    fn delete(&self, key: &str) -> Result<(), ClientError> {
        self.with(|m| {
            m.remove(key);
        })
    }
}

/// Stands in when no OS keyring could be found: every call fails with the reason, so the app
/// runs and says why a session cannot be kept, instead of keeping it anywhere less safe.
pub struct UnavailableSecretStore {
    reason: String,
}

impl UnavailableSecretStore {
    /// A store that refuses every call, giving `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        UnavailableSecretStore {
            reason: reason.into(),
        }
    }

    fn refuse<T>(&self) -> Result<T, ClientError> {
        Err(ClientError::Keyring(format!(
            "no OS keyring is available to keep your session ({})",
            self.reason
        )))
    }
}

impl SecretStore for UnavailableSecretStore {
    fn get(&self, _key: &str) -> Result<Option<String>, ClientError> {
        // Nothing can have been kept, so there is nothing to restore.
        Ok(None)
    }

    fn set(&self, _key: &str, _secret: &str) -> Result<(), ClientError> {
        self.refuse()
    }

    fn delete(&self, _key: &str) -> Result<(), ClientError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_keyring_nothing_is_kept_and_the_reason_is_given() {
        let store = UnavailableSecretStore::new("no Secret Service and no kernel keyring");
        assert_eq!(store.get("k").ok(), Some(None));
        let err = store.set("k", "token").unwrap_err().to_ui();
        assert_eq!(err.code, "keyring_unavailable");
        assert!(err.message.contains("no Secret Service"), "{}", err.message);
        assert!(store.delete("k").is_ok());
    }

    #[test]
    fn keys_name_the_hub_and_the_person() {
        assert_eq!(
            session_key(&remote_hub_id("https://hub.example.com"), "ana.agent"),
            "opsdesk:https://hub.example.com:ana.agent"
        );
        assert_eq!(
            session_key(
                &local_hub_id(Path::new("/home/ana/.local/share/opsdesk")),
                "root"
            ),
            "opsdesk:local:/home/ana/.local/share/opsdesk:root"
        );
    }

    #[test]
    fn the_memory_store_keeps_replaces_and_forgets() {
        let store = MemorySecretStore::new();
        assert_eq!(store.get("k").unwrap(), None);
        store.set("k", "one").unwrap();
        store.set("k", "two").unwrap();
        assert_eq!(store.get("k").unwrap().as_deref(), Some("two"));
        store.delete("k").unwrap();
        store.delete("k").unwrap();
        assert_eq!(store.get("k").unwrap(), None);
    }
}
