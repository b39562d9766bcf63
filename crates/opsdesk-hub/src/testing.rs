//! Test support (feature `testing`): `spawn_app()` starts a real hub on port 0 with a fresh
//! database (a SQLite file, or a PostgreSQL database made and dropped for the test) and returns a
//! typed client for it (`app.client(token)`, an [`opsdesk_hub_client::HubClient`]; `.checked()`
//! turns its answer into the problem document after checking it as `decode` does). Tracing prints only when `TEST_LOG` is set. Used by this crate's API
//! tests and benchmarks and by the desktop client's tests.

use crate::clock::{Clock, ShiftedClock};
use crate::config::Settings;
use crate::RunningHub;
use chrono::Duration;
use opsdesk_core::totp::TotpSecret;
use opsdesk_core::Role;
pub use opsdesk_hub_client::{routes, HubClient, HubClientError};
use opsdesk_proto::*;
pub use opsdesk_store::testing::TestDatabase;
/// Which database a test hub runs on.
pub use opsdesk_store::Backend as Db;
use opsdesk_store::Store;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// Settings for tests: cheaper argon2 (still argon2id), generous rate limits.
pub fn test_settings() -> Settings {
    let mut s = Settings::default();
    s.auth.argon2_memory_kib = 8192;
    s.auth.argon2_iterations = 1;
    s.auth.sign_in_burst = 1000;
    s.auth.sign_in_per_minute = 1000;
    // Tests run the SLA job by hand (jobs::sla::run_once) with a shifted clock.
    s.sla_job_seconds = 0;
    // ... and the access job (jobs::access_expiry::run_once).
    s.access.job_seconds = 0;
    // Every answer a test causes is checked against the OpenAPI document.
    s.check_answers = true;
    s
}

/// Settings for benchmarks: the test settings without the answer check, which would be measured.
pub fn bench_settings() -> Settings {
    let mut s = test_settings();
    s.check_answers = false;
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
    TestDatabase::create(db).await
}

/// Starts a hub with custom settings.
pub async fn spawn_app_with(db: Db, settings: Settings) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        crate::telemetry::init_tracing("info");
    }
    let db = fresh_database(db).await;
    let store: Arc<dyn Store> = opsdesk_store::open(&db.url).await.expect("open store");
    let clock = Arc::new(ShiftedClock::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hub = crate::start(store.clone(), settings, clock.clone(), listener).expect("start hub");
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
    /// Another hub on this app's database (as a team runs several behind a load balancer), on
    /// the same clock. Returns its base URL and the running hub.
    pub async fn another_hub(&self) -> (String, RunningHub) {
        let store: Arc<dyn Store> = opsdesk_store::open(&self.db.url).await.expect("open store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let hub =
            crate::start(store, test_settings(), self.clock.clone(), listener).expect("start hub");
        (format!("http://{}", hub.addr), hub)
    }

    /// The typed client acting with `token`.
    pub fn client(&self, token: &str) -> HubClient {
        self.anonymous().with_token(token)
    }

    /// The typed client without a token.
    pub fn anonymous(&self) -> HubClient {
        HubClient::new(self.http.clone(), self.base.clone())
    }

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

    /// The hub's time now.
    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
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
        let issued = crate::domain::staff::invite::bootstrap_admin(state, req)
            .await
            .expect("bootstrap admin");
        self.enroll(&issued.invite_token, Role::Admin).await
    }

    /// Accepts an invite: password, then TOTP confirmation. Returns the enrolled person.
    pub async fn enroll(&self, invite_token: &str, _role: Role) -> Person {
        let hub = self.anonymous();
        let offer = hub
            .enroll_start(&EnrollStartRequest {
                invite_token: invite_token.to_owned(),
                password: PASSWORD.to_owned(),
            })
            .await
            .checked()
            .expect("enroll start");
        let secret = TotpSecret::from_base32(&offer.totp_secret).expect("secret is base32");
        let enrolled = hub
            .enroll_confirm(&EnrollConfirmRequest {
                invite_token: invite_token.to_owned(),
                code: self.next_code(&secret),
            })
            .await
            .checked()
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
        let req: InviteStaffRequest = serde_json::from_value(json!({
            "username": username, "display_name": username,
            "email": format!("{username}@example.com"), "role": role
        }))
        .expect("request");
        let issued = self
            .client(&by.token)
            .invite_staff(&req)
            .await
            .checked()
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
        let hub = self.anonymous();
        let challenge = hub
            .login(&LoginRequest {
                username: username.to_owned(),
                password: password.to_owned(),
            })
            .await
            .checked()?;
        hub.login_mfa(&MfaRequest {
            challenge: challenge.challenge,
            code: Some(self.next_code(secret)),
            recovery_code: None,
        })
        .await
        .checked()
    }

    /// The staff record as the admin sees it.
    pub async fn staff(&self, admin: &Person, id: Uuid) -> StaffView {
        self.client(&admin.token)
            .get_staff(id)
            .await
            .checked()
            .expect("get staff")
    }

    /// Audit entries matching a query string, newest first.
    pub async fn audit(&self, auditor: &Person, query: &str) -> Vec<AuditEntry> {
        let page: Page<AuditEntry> = self
            .get(&format!("{}?{query}", routes::AUDIT), &auditor.token)
            .await
            .expect("audit");
        page.items
    }
}

/// A typed client's answer checked as [`decode`] checks a response: an error is a problem
/// document (`application/problem+json`, its `status` the answer's) and never a 500; anything
/// else (no answer, a body that does not decode) fails the test.
pub trait Checked<T> {
    /// Tests compare the whole problem document, so it is returned as is, not boxed.
    #[allow(clippy::result_large_err)]
    fn checked(self) -> Result<T, ApiError>;
}

impl<T> Checked<T> for Result<T, HubClientError> {
    fn checked(self) -> Result<T, ApiError> {
        match self {
            Ok(value) => Ok(value),
            Err(HubClientError::Problem {
                status,
                problem_json,
                problem,
            }) => {
                assert!(problem_json, "errors are problem+json: {problem:?}");
                assert_eq!(problem.status, status);
                assert!(status < 500, "the hub answered 500: {problem:?}");
                Err(*problem)
            }
            Err(other) => panic!("the hub's answer: {other}"),
        }
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
