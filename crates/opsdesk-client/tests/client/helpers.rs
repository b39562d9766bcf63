//! Shared set-up: a temporary app folder, the OS keyring, a desk connected to a test hub, and
//! sign-in with TOTP codes computed at the hub's clock.

use opsdesk_client::{ClientError, Desk, DeskPaths, KeyringStore, SecretStore};
use opsdesk_core::totp::TotpSecret;
use opsdesk_hub::clock::Clock;
use opsdesk_hub::testing::{Person, TestApp, PASSWORD};
use opsdesk_proto::Me;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// How to give the tests a keyring when none answers.
pub const KEYRING_HOW_TO: &str = "these tests keep session tokens in the OS keyring and none is \
    available. Run them in a session with one: `dbus-run-session -- bash -c 'export \
    XDG_DATA_HOME=$(mktemp -d); echo -n opsdesk | gnome-keyring-daemon --unlock \
    --components=secrets >/dev/null; keyctl session - cargo test -p opsdesk-client'` (Secret \
    Service and kernel keyring; the password must not be empty or no login keyring is created), \
    or `keyctl session - cargo test -p opsdesk-client` (kernel keyring only)";

/// The OS keyring, as the app picks it, shared by the tests of this binary as one app shares
/// one; fails the test when there is none.
pub fn keyring() -> Arc<KeyringStore> {
    static SHARED: std::sync::OnceLock<Arc<KeyringStore>> = std::sync::OnceLock::new();
    SHARED
        .get_or_init(|| match KeyringStore::detect() {
            Ok(store) => Arc::new(store),
            Err(e) => panic!("{KEYRING_HOW_TO}. detect() said: {e}"),
        })
        .clone()
}

/// A temporary config and data folder and the keyring; removes the folder and the session
/// tokens the test left when dropped.
pub struct Fixture {
    pub paths: DeskPaths,
    pub secrets: Arc<KeyringStore>,
    root: PathBuf,
    keys: Mutex<Vec<String>>,
}

impl Fixture {
    pub fn new() -> Fixture {
        let root =
            std::env::temp_dir().join(format!("opsdesk-client-test-{}", uuid::Uuid::new_v4()));
        Fixture {
            paths: DeskPaths {
                config_dir: root.join("config"),
                data_dir: root.join("data"),
            },
            secrets: keyring(),
            root,
            keys: Mutex::new(Vec::new()),
        }
    }

    /// Opens a desk on this fixture's folders and keyring.
    pub async fn open(&self) -> Desk {
        Desk::open(
            self.paths.clone(),
            self.secrets.clone() as Arc<dyn SecretStore>,
        )
        .await
        .expect("desk opens")
    }

    /// A desk connected to the test hub.
    pub async fn connected(&self, app: &TestApp) -> Desk {
        let desk = self.open().await;
        desk.connect_hub(&app.base)
            .await
            .expect("connect to the test hub");
        desk
    }

    /// The key the session of `username` on the test hub is kept under; removed at the end.
    pub fn remote_key(&self, app: &TestApp, username: &str) -> String {
        self.track(opsdesk_client::session_key(&app.base, username))
    }

    /// The key the session of `username` in the local workspace is kept under.
    pub fn local_key(&self, username: &str) -> String {
        let hub_id = opsdesk_client::secrets::local_hub_id(&self.paths.data_dir);
        self.track(opsdesk_client::session_key(&hub_id, username))
    }

    fn track(&self, key: String) -> String {
        if let Ok(mut keys) = self.keys.lock() {
            keys.push(key.clone());
        }
        key
    }

    /// What the keyring holds under `key`.
    pub fn secret(&self, key: &str) -> Option<String> {
        self.secrets.get(key).expect("keyring answers")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Ok(keys) = self.keys.lock() {
            for key in keys.iter() {
                let _ = self.secrets.delete(key);
            }
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A six-digit code that is wrong for every step the hub accepts right now.
pub fn wrong_code(app: &TestApp, secret: &TotpSecret) -> String {
    let now = app.clock.now().timestamp();
    let valid: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|d| secret.code_at(now + d))
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .expect("some code is wrong")
}

/// Both sign-in steps through the desk.
pub async fn sign_in(desk: &Desk, app: &TestApp, person: &Person) -> Me {
    let challenge = desk
        .sign_in_password(&person.username, PASSWORD)
        .await
        .expect("password accepted");
    desk.sign_in_mfa(
        &challenge.challenge,
        Some(&app.next_code(&person.secret)),
        None,
    )
    .await
    .expect("code accepted")
}

/// The hub's refusal code, failing the test on any other error.
pub fn api_code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> (String, ClientError) {
    match result {
        Err(e @ ClientError::Api(_)) => (e.api_code().unwrap_or_default().to_owned(), e),
        other => panic!("expected a refusal from the hub, got {other:?}"),
    }
}
