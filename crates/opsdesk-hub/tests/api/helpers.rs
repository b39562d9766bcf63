//! `spawn_app()`: a real hub on port 0 with a fresh database (a SQLite file, or a PostgreSQL
//! database made and dropped for the test), and a typed client for it. Tracing prints only when
//! `TEST_LOG` is set.

use chrono::Duration;
use opsdesk_core::totp::TotpSecret;
use opsdesk_core::Role;
use opsdesk_hub::clock::{Clock, ShiftedClock};
use opsdesk_hub::config::Settings;
use opsdesk_hub::RunningHub;
use opsdesk_proto::*;
use opsdesk_store::Store;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// Which database a test hub runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per database from one body: `both!(name, |app| async move {..})`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app($crate::helpers::Db::Sqlite).await;
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::helpers::spawn_app($crate::helpers::Db::Postgres).await;
                ($body)(app).await;
            }
        }
    };
}

/// A PostgreSQL database that exists for one test and is dropped afterwards.
pub struct PgDatabase {
    pub name: String,
    pub url: String,
}

const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

impl PgDatabase {
    /// Creates `opsdesk_test_<random>`. PostgreSQL must be running (CI starts it).
    pub async fn create() -> PgDatabase {
        use sqlx::Connection;
        let name = format!("opsdesk_test_{}", Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(PG_ADMIN_URL)
            .await
            .expect("PostgreSQL must be reachable at 127.0.0.1:5432 (start it with pg_ctlcluster)");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        PgDatabase {
            url: format!("postgres://postgres@127.0.0.1:5432/{name}"),
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime; use a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(PG_ADMIN_URL).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// Where a test hub keeps its data; removed when the test ends.
pub enum TestDatabase {
    Sqlite { _dir: tempdir::TempDir, url: String },
    Postgres(PgDatabase),
}

impl TestDatabase {
    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. } => url,
            TestDatabase::Postgres(pg) => &pg.url,
        }
    }
}

mod tempdir {
    /// A temporary folder removed on drop.
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn new() -> TempDir {
            let p = std::env::temp_dir()
                .join(format!("opsdesk-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&p).expect("create temp dir");
            TempDir(p)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Settings for tests: cheaper argon2 (still argon2id), generous rate limits.
pub fn test_settings() -> Settings {
    let mut s = Settings::default();
    s.auth.argon2_memory_kib = 8192;
    s.auth.argon2_iterations = 1;
    s.auth.sign_in_burst = 1000;
    s.auth.sign_in_per_minute = 1000;
    s
}

/// A running test hub and a typed client for it.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Arc<ShiftedClock>,
    pub db: TestDatabase,
    pub hub: Option<RunningHub>,
}

/// Starts a hub on port 0 with a fresh database.
pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, test_settings()).await
}

/// Makes a fresh database of the given kind.
pub async fn fresh_database(db: Db) -> TestDatabase {
    match db {
        Db::Sqlite => {
            let dir = tempdir::TempDir::new();
            let url = format!("sqlite://{}", dir.0.join("hub.sqlite").display());
            TestDatabase::Sqlite { _dir: dir, url }
        }
        Db::Postgres => TestDatabase::Postgres(PgDatabase::create().await),
    }
}

/// Starts a hub with custom settings.
pub async fn spawn_app_with(db: Db, settings: Settings) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        opsdesk_hub::telemetry::init_tracing();
    }
    let db = fresh_database(db).await;
    let store: Arc<dyn Store> = opsdesk_store::open(db.url()).await.expect("open store");
    let clock = Arc::new(ShiftedClock::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hub =
        opsdesk_hub::start(store.clone(), settings, clock.clone(), listener).expect("start hub");
    TestApp {
        base: format!("http://{}", hub.addr),
        http: reqwest::Client::builder()
            .user_agent("opsdesk-tests")
            .build()
            .expect("client"),
        clock,
        db,
        hub: Some(hub),
    }
}

/// A staff member with everything needed to act as them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub username: String,
    pub secret: TotpSecret,
    pub token: String,
    pub recovery_codes: Vec<String>,
}

pub const PASSWORD: &str = "correct-horse-battery-42";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request and decodes the answer, or the problem document into `ApiError`.
    pub async fn send<R: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<R, ApiError> {
        decode(req.send().await.expect("request reaches the hub")).await
    }

    pub async fn get<R: DeserializeOwned>(&self, path: &str, token: &str) -> Result<R, ApiError> {
        self.send(self.http.get(self.url(path)).bearer_auth(token))
            .await
    }

    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<R, ApiError> {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    pub async fn put<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &B,
    ) -> Result<R, ApiError> {
        self.send(self.http.put(self.url(path)).bearer_auth(token).json(body))
            .await
    }

    pub async fn delete<R: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
    ) -> Result<R, ApiError> {
        self.send(self.http.delete(self.url(path)).bearer_auth(token))
            .await
    }

    /// The TOTP code for `secret` at the hub's time, after moving the clock one step on so a
    /// code is never reused by accident.
    pub fn next_code(&self, secret: &TotpSecret) -> String {
        self.clock.advance(Duration::seconds(30));
        secret.code_at(self.clock.now().timestamp())
    }

    /// Creates the first admin through the service the CLI uses, and enrolls them.
    pub async fn admin(&self) -> Person {
        let state = &self.hub.as_ref().expect("hub running").state;
        let req: InviteStaffRequest = serde_json::from_value(json!({
            "username": "root.admin", "display_name": "Root Admin", "email": "root@example.com", "role": "admin"
        }))
        .expect("request");
        let issued = opsdesk_hub::service::staff::bootstrap_admin(state, req)
            .await
            .expect("bootstrap admin");
        self.enroll(&issued.invite_token, Role::Admin).await
    }

    /// Accepts an invite: password, then TOTP confirmation. Returns the enrolled person.
    pub async fn enroll(&self, invite_token: &str, _role: Role) -> Person {
        let offer: EnrollmentOffer = self
            .post(
                "/api/v1/auth/enroll",
                None,
                &json!({"invite_token": invite_token, "password": PASSWORD}),
            )
            .await
            .expect("enroll start");
        let secret = TotpSecret::from_base32(&offer.totp_secret).expect("secret is base32");
        let enrolled: Enrolled = self
            .post(
                "/api/v1/auth/enroll/confirm",
                None,
                &json!({"invite_token": invite_token, "code": self.next_code(&secret)}),
            )
            .await
            .expect("enroll confirm");
        Person {
            id: enrolled.signed_in.staff.id,
            username: offer.username,
            secret,
            token: enrolled.signed_in.token,
            recovery_codes: enrolled.recovery_codes,
        }
    }

    /// `by` invites a new person with `role`; they enroll.
    pub async fn invite(&self, by: &Person, username: &str, role: Role) -> Person {
        let issued: InviteIssued = self
            .post(
                "/api/v1/staff",
                Some(&by.token),
                &json!({"username": username, "display_name": username, "email": format!("{username}@example.com"), "role": role}),
            )
            .await
            .expect("invite");
        self.enroll(&issued.invite_token, role).await
    }

    /// Both sign-in steps; returns the new session.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        secret: &TotpSecret,
    ) -> Result<SignedIn, ApiError> {
        let challenge: LoginChallenge = self
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"username": username, "password": password}),
            )
            .await?;
        self.post(
            "/api/v1/auth/login/mfa",
            None,
            &json!({"challenge": challenge.challenge, "code": self.next_code(secret)}),
        )
        .await
    }

    /// The staff record as the admin sees it.
    pub async fn staff(&self, admin: &Person, id: Uuid) -> StaffView {
        self.get(&format!("/api/v1/staff/{id}"), &admin.token)
            .await
            .expect("get staff")
    }

    /// Audit entries matching a query string, newest first.
    pub async fn audit(&self, auditor: &Person, query: &str) -> Vec<AuditEntry> {
        let page: Page<AuditEntry> = self
            .get(&format!("/api/v1/audit?{query}"), &auditor.token)
            .await
            .expect("audit");
        page.items
    }
}

/// Decodes a response: the body on success, the problem document on failure.
pub async fn decode<R: DeserializeOwned>(resp: reqwest::Response) -> Result<R, ApiError> {
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = resp.bytes().await.expect("body");
    if status.is_success() {
        let body = if bytes.is_empty() {
            b"null".as_slice()
        } else {
            &bytes
        };
        return Ok(serde_json::from_slice(body).unwrap_or_else(|e| {
            panic!("decode {status}: {e}: {}", String::from_utf8_lossy(&bytes))
        }));
    }
    assert_eq!(
        content_type,
        PROBLEM_JSON,
        "errors are problem+json: {}",
        String::from_utf8_lossy(&bytes)
    );
    let err: ApiError =
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("problem document {status}: {e}"));
    assert_eq!(err.status, status.as_u16());
    assert!(status.as_u16() < 500, "the hub answered 500: {err:?}");
    Err(err)
}
