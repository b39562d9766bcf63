//! The real OS keyring: whichever backend `detect()` picks, which one it picks in an environment a
//! test prepared, and each Linux backend on its own.
//! Each test fails (never silently passes) when its backend is missing, saying how to provide it.

use crate::helpers::{run_test_copy, KEYRING_HOW_TO};
use opsdesk_client::{KeyringStore, SecretStore};
use std::process::Command;

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

/// Set in a copy of this binary started in an environment a test prepared: the backend
/// `detect()` must pick there.
const EXPECTED_BACKEND: &str = "OPSDESK_TEST_EXPECTED_KEYRING";

/// In a copy started by [`expect_copy_detects`], checks that `detect()` picks the backend that
/// copy's environment was prepared with and returns true; in the test run itself, false.
fn checked_in_prepared_copy() -> bool {
    let Some(expected) = std::env::var_os(EXPECTED_BACKEND) else {
        return false;
    };
    let store = KeyringStore::detect().unwrap_or_else(|e| panic!("{KEYRING_HOW_TO}. {e}"));
    assert_eq!(
        store.backend_name(),
        expected.to_string_lossy(),
        "detect() in the environment the test set up"
    );
    true
}

/// Runs this binary's test `name` again, alone, as the last arguments of `command` (which
/// prepares its environment), and fails unless there `detect()` picked `expected`.
fn expect_copy_detects(mut command: Command, name: &str, expected: &str) {
    command.env(EXPECTED_BACKEND, expected);
    run_test_copy(
        command,
        module_path!(),
        name,
        &format!("{name}, expecting {expected}"),
        KEYRING_HOW_TO,
    );
}

/// Starts gnome-keyring's Secret Service on a throwaway login keyring, waits until it owns its
/// name on the bus, then runs the command given after the script.
const SECRET_SERVICE_SCRIPT: &str = r#"printf opsdesk | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
for _ in $(seq 200); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q 'boolean true'; then
        exec "$@"
    fi
    sleep 0.05
done
echo "gnome-keyring's Secret Service never appeared on the bus" >&2
exit 1
"#;

#[test]
fn detect_prefers_the_secret_service_when_both_keyrings_are_there() {
    if checked_in_prepared_copy() {
        return;
    }
    // A private session bus with its own unlocked gnome-keyring (its files in a folder of this
    // test), and the kernel session keyring this process has: both backends are there.
    let dir = std::env::temp_dir().join(format!("opsdesk-keyring-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("keyring folder");
    let mut command = Command::new("dbus-run-session");
    command
        .args(["--", "sh", "-c", SECRET_SERVICE_SCRIPT, "sh"])
        .env("XDG_DATA_HOME", &dir)
        .env("XDG_RUNTIME_DIR", &dir)
        .env_remove("GNOME_KEYRING_CONTROL");
    expect_copy_detects(
        command,
        "detect_prefers_the_secret_service_when_both_keyrings_are_there",
        "secret-service",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn detect_falls_back_to_the_kernel_keyring_without_a_secret_service() {
    if checked_in_prepared_copy() {
        return;
    }
    // A session bus address where nothing listens, so no Secret Service can answer; the copy
    // keeps this process's kernel session keyring.
    let dir = std::env::temp_dir().join(format!("opsdesk-no-bus-{}", uuid::Uuid::new_v4()));
    // `env` runs the copy with the environment set here, like the other test's wrapper does.
    let mut command = Command::new("env");
    command.env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", dir.join("bus").display()),
    );
    expect_copy_detects(
        command,
        "detect_falls_back_to_the_kernel_keyring_without_a_secret_service",
        "kernel-keyring",
    );
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
