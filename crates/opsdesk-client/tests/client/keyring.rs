//! The real OS keyring: whichever backend `detect()` picks, and each Linux backend on its own.
//! Each test fails (never silently passes) when its backend is missing, saying how to provide it.

use crate::helpers::KEYRING_HOW_TO;
use opsdesk_client::{KeyringStore, SecretStore};

/// A key nobody else uses, so tests can run in parallel and never touch real sessions.
fn random_key() -> String {
    format!("opsdesk:test:{}:probe.user", uuid::Uuid::new_v4())
}

/// Keeps, reads, replaces and deletes a secret, and checks a missing one reads as `None`.
fn round_trip(store: &KeyringStore) {
    let key = random_key();
    assert_eq!(
        store.get(&key).unwrap(),
        None,
        "{}: unknown key",
        store.backend_name()
    );
    store.set(&key, "ods_first-token").unwrap();
    assert_eq!(store.get(&key).unwrap().as_deref(), Some("ods_first-token"));
    store.set(&key, "ods_second-token").unwrap();
    assert_eq!(
        store.get(&key).unwrap().as_deref(),
        Some("ods_second-token"),
        "replaced"
    );
    // A second handle (as a restarted app would have) sees the same secret.
    let again = match store.backend_name() {
        "secret-service" => KeyringStore::secret_service(),
        _ => KeyringStore::kernel_keyring(),
    }
    .unwrap();
    assert_eq!(
        again.get(&key).unwrap().as_deref(),
        Some("ods_second-token")
    );
    store.delete(&key).unwrap();
    assert_eq!(store.get(&key).unwrap(), None, "deleted");
    assert_eq!(again.get(&key).unwrap(), None, "deleted for every handle");
    store.delete(&key).unwrap();
}

#[test]
fn the_detected_keyring_keeps_and_forgets_secrets() {
    let store = KeyringStore::detect().unwrap_or_else(|e| panic!("{KEYRING_HOW_TO}. {e}"));
    round_trip(&store);
}

#[test]
fn detect_prefers_the_secret_service_and_falls_back_to_the_kernel_keyring() {
    let store = KeyringStore::detect().unwrap_or_else(|e| panic!("{KEYRING_HOW_TO}. {e}"));
    let expected = match KeyringStore::secret_service() {
        Ok(_) => "secret-service",
        Err(_) => "kernel-keyring",
    };
    assert_eq!(store.backend_name(), expected);
}

#[test]
fn the_kernel_keyring_keeps_and_forgets_secrets() {
    let store = KeyringStore::kernel_keyring().unwrap_or_else(|e| {
        panic!(
            "the kernel keyring is not usable here ({e}). Run the tests in a fresh session \
             keyring: `keyctl session - cargo test -p opsdesk-client keyring` (package keyutils); \
             in a container, allow the keyctl system calls"
        )
    });
    assert_eq!(store.backend_name(), "kernel-keyring");
    round_trip(&store);
}

#[test]
fn the_secret_service_keeps_and_forgets_secrets() {
    let store = KeyringStore::secret_service().unwrap_or_else(|e| {
        panic!(
            "no usable Secret Service ({e}). Run the tests on a session bus with an unlocked \
             login keyring: `dbus-run-session -- bash -c 'export XDG_DATA_HOME=$(mktemp -d); \
             echo -n opsdesk | gnome-keyring-daemon --unlock --components=secrets >/dev/null; \
             cargo test -p opsdesk-client keyring'` (packages dbus-x11, gnome-keyring; a \
             non-empty password makes gnome-keyring create the login keyring)"
        )
    });
    assert_eq!(store.backend_name(), "secret-service");
    round_trip(&store);
}
