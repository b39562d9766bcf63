//! Shared set-up: a temporary app folder, the OS keyring, a desk connected to a test hub,
//! sign-in with TOTP codes computed at the hub's clock, a relay in front of a hub that can lose
//! an answer, cut its connections, refuse new ones or follow the hub to a new address, and
//! waiting for what the app does in the background.

use opsdesk_client::live::RecordingNotifier;
use opsdesk_client::{ClientError, Desk, DeskPaths, KeyringStore, SecretStore};
use opsdesk_core::totp::TotpSecret;
use opsdesk_hub::clock::Clock;
use opsdesk_hub::testing::{Person, TestApp, PASSWORD};
use opsdesk_proto::Me;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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
/// tokens the test left when dropped. Desks it opens record their pop-ups in `popups` instead
/// of showing them on the desktop (the D-Bus test puts the real notifier back).
pub struct Fixture {
    pub paths: DeskPaths,
    pub secrets: Arc<KeyringStore>,
    pub popups: RecordingNotifier,
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
            popups: RecordingNotifier::new(),
            root,
            keys: Mutex::new(Vec::new()),
        }
    }

    /// Opens a desk on this fixture's folders and keyring.
    pub async fn open(&self) -> Desk {
        let desk = Desk::open(
            self.paths.clone(),
            self.secrets.clone() as Arc<dyn SecretStore>,
        )
        .await
        .expect("desk opens");
        desk.set_notifier(Arc::new(self.popups.clone()));
        desk
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

    /// The key the session of `username` on the hub at `url` is kept under; removed at the end.
    pub fn key_for(&self, url: &str, username: &str) -> String {
        self.track(opsdesk_client::session_key(url, username))
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

/// A TCP relay in front of a hub, as a network between the app and the hub: it can lose the
/// hub's next answer (after the hub committed the write), cut every open connection, refuse new
/// ones, and follow a restarted hub to its new address. While the hub is down, connections
/// through it close at once. It notes where each event stream asked to resume.
pub struct Relay {
    pub url: String,
    target: Arc<Mutex<SocketAddr>>,
    lose_answer: Arc<AtomicBool>,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    resumes: Arc<Mutex<Vec<Option<i64>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    /// Starts relaying to the hub at `hub`.
    pub async fn start(hub: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let url = format!("http://{}", listener.local_addr().expect("relay address"));
        let target = Arc::new(Mutex::new(hub));
        let lose_answer = Arc::new(AtomicBool::new(false));
        let down = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let resumes = Arc::new(Mutex::new(Vec::new()));
        let (t, lose, d, o, r) = (
            target.clone(),
            lose_answer.clone(),
            down.clone(),
            open.clone(),
            resumes.clone(),
        );
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if d.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let hub = *t.lock().expect("relay target");
                let one = tokio::spawn(relay_one(client, hub, lose.clone(), r.clone()));
                let mut open = o.lock().expect("relay connections");
                open.retain(|c: &tokio::task::JoinHandle<()>| !c.is_finished());
                open.push(one);
            }
        });
        Relay {
            url,
            target,
            lose_answer,
            down,
            open,
            resumes,
            task,
        }
    }

    /// The `Last-Event-ID` of every event stream opened through the relay, in order (None for
    /// a stream opened without one).
    pub fn stream_resumes(&self) -> Vec<Option<i64>> {
        self.resumes.lock().expect("relay resumes").clone()
    }

    /// Closes every connection open through the relay, as a network that drops them.
    pub fn cut(&self) {
        for c in self.open.lock().expect("relay connections").drain(..) {
            c.abort();
        }
    }

    /// While down, connections through the relay close at once, as when the hub is away.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Sends new connections to the hub at `hub`.
    pub fn point_at(&self, hub: SocketAddr) {
        *self.target.lock().expect("relay target") = hub;
    }

    /// The hub's next answer to a write is dropped with its connection, as when a network fails
    /// between the hub committing a write and the app hearing about it.
    pub fn lose_next_answer(&self) {
        self.lose_answer.store(true, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
        self.cut();
    }
}

/// Stops the test hub: it takes no new connection from then on. Its graceful stop also waits
/// for open event streams (a signed-in desk's), which end only when their app goes away, so this
/// waits for that a few seconds at most.
pub async fn stop_hub(app: &mut TestApp) {
    let hub = app.hub.take().expect("running");
    if let Ok(stopped) = tokio::time::timeout(std::time::Duration::from_secs(3), hub.stop()).await {
        stopped.expect("the hub stops");
    }
}

/// Polls `check` every 50 ms until it gives a value; fails the test naming `what` after 20 s
/// (a bound on a hang, not a timing assertion).
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("gave up waiting: {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn relay_one(
    client: TcpStream,
    hub: SocketAddr,
    lose_answer: Arc<AtomicBool>,
    resumes: Arc<Mutex<Vec<Option<i64>>>>,
) {
    let Ok(hub) = TcpStream::connect(hub).await else {
        return;
    };
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_hub, mut to_hub) = hub.into_split();
    // Whether the request this connection carries now is a write (not a GET, such as the
    // desk's reads and its event stream, which share the relay).
    let writing = Arc::new(AtomicBool::new(false));
    let w = writing.clone();
    let up = AbortOnDrop(tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from_client.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let head = &buf[..n];
            let method = head.iter().position(|b| *b == b' ').map(|at| &head[..at]);
            if let Some(m) =
                method.filter(|m| !m.is_empty() && m.iter().all(u8::is_ascii_uppercase))
            {
                w.store(m != b"GET" && m != b"HEAD", Ordering::SeqCst);
            }
            if head.starts_with(b"GET /api/v1/events ") {
                if let Ok(mut r) = resumes.lock() {
                    r.push(last_event_id(head));
                }
            }
            if to_hub.write_all(head).await.is_err() {
                break;
            }
        }
    }));
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from_hub.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let answers_a_write = writing.load(Ordering::SeqCst) && buf[..n].starts_with(b"HTTP/");
        if answers_a_write && lose_answer.swap(false, Ordering::SeqCst) {
            break;
        }
        if to_client.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    drop(up);
}

/// The `Last-Event-ID` header of a request head (a small GET arrives in one read).
fn last_event_id(head: &[u8]) -> Option<i64> {
    String::from_utf8_lossy(head).lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("last-event-id")
            .then(|| value.trim().parse().ok())?
    })
}

/// Ends the other direction of a relayed connection with it, also when the relay is cut.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs this binary's test `name` of `module` (its `module_path!()`) again, alone, as the last
/// arguments of `command` (which prepares the copy's environment), and fails unless it passed
/// there. `what` names the copy in messages; `how_to` says what it needs when it cannot start.
pub fn run_test_copy(
    mut command: std::process::Command,
    module: &str,
    name: &str,
    what: &str,
    how_to: &str,
) {
    let module = module.split_once("::").map_or(module, |(_, m)| m);
    let out = command
        .arg(std::env::current_exe().expect("this test binary"))
        .args([&format!("{module}::{name}"), "--exact", "--test-threads=1"])
        .output()
        .unwrap_or_else(|e| panic!("cannot start {what} ({e}): {how_to}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(" 1 passed;"),
        "{what}: {}\n{stdout}\n{stderr}",
        out.status
    );
}
