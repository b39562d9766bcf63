//! Live events at the hub: the `opsdesk-hub` binary runs as its own process (so its resident
//! memory is its own) on a fresh SQLite file, or on a fresh PostgreSQL database with
//! `OPSDESK_BENCH_DB=postgres`. A senior agent's streams receive escalations made by an agent.
//!
//! - latency: one stream; 200 escalations one after another; for each, the time from the event's
//!   own timestamp (taken by the hub inside the write, just before commit) to its arrival at the
//!   client, parsed;
//! - fan-out: 1,000 open streams; 20 escalations; for each, the time until the last of the 1,000
//!   has it;
//! - memory: the hub's VmRSS before the streams open and with 1,000 open.
//!
//! Run: `cargo bench -p opsdesk-hub --bench events`.

use opsdesk_core::totp::TotpSecret;
use opsdesk_proto::{Enrolled, EnrollmentOffer, HubEvent, InviteIssued, TenantView, TicketSummary};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const PASSWORD: &str = "bench-kettle-94-orbit";
const CLIENTS: usize = 1000;
const LATENCY_SAMPLES: usize = 200;
const FANOUT_ROUNDS: usize = 20;

struct Hub {
    child: Child,
    base: String,
    http: reqwest::Client,
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A folder removed at drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn hub_cmd(dir: &std::path::Path, db_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdesk-hub"));
    cmd.arg("--data-dir").arg(dir);
    if !db_url.is_empty() {
        cmd.arg("--database").arg(db_url);
    }
    cmd.env("OPSDESK_AUTH__ARGON2_MEMORY_KIB", "8192")
        .env("OPSDESK_AUTH__ARGON2_ITERATIONS", "1")
        .env("OPSDESK_SLA_JOB_SECONDS", "0")
        .env("OPSDESK_ACCESS__JOB_SECONDS", "0")
        .env("OPSDESK_LOG", "warn");
    cmd
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

impl Hub {
    async fn start(db_url: &str) -> (Hub, String) {
        let dir = std::env::temp_dir().join(format!("opsdesk-bench-events-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let out = hub_cmd(&dir, db_url)
            .args([
                "bootstrap-admin",
                "--username",
                "root.admin",
                "--email",
                "root@example.com",
            ])
            .output()
            .expect("bootstrap");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let invite = stdout
            .lines()
            .skip_while(|l| !l.contains("One-time invite"))
            .nth(1)
            .expect("invite token line")
            .trim()
            .to_owned();
        let port = free_port();
        let child = hub_cmd(&dir, db_url)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .expect("start the hub");
        let hub = Hub {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            _dir: tempdir::Dir(dir),
        };
        for _ in 0..200 {
            if hub
                .http
                .get(format!("{}/readyz", hub.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (hub, invite)
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Value {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("hub answers");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).expect("json")
    }

    async fn enroll(&self, invite: &str) -> String {
        let offer: EnrollmentOffer = serde_json::from_value(
            self.post(
                "/api/v1/auth/enroll",
                None,
                json!({"invite_token": invite, "password": PASSWORD}),
            )
            .await,
        )
        .expect("offer");
        let secret = TotpSecret::from_base32(&offer.totp_secret).expect("secret");
        let now = chrono::Utc::now().timestamp();
        let enrolled: Enrolled = serde_json::from_value(
            self.post(
                "/api/v1/auth/enroll/confirm",
                None,
                json!({"invite_token": invite, "code": secret.code_at(now)}),
            )
            .await,
        )
        .expect("enrolled");
        enrolled.signed_in.token
    }

    async fn person(&self, admin: &str, username: &str, role: &str) -> String {
        let issued: InviteIssued = serde_json::from_value(
            self.post(
                "/api/v1/staff",
                Some(admin),
                json!({"username": username, "display_name": username,
                       "email": format!("{username}@example.com"), "role": role}),
            )
            .await,
        )
        .expect("invite");
        self.enroll(&issued.invite_token).await
    }
}

/// Opens a stream and forwards each `change` event with its arrival time.
async fn stream(
    base: String,
    token: String,
    out: mpsc::UnboundedSender<(HubEvent, Instant, chrono::DateTime<chrono::Utc>)>,
) {
    let client = reqwest::Client::new();
    let mut resp = client
        .get(format!("{base}/api/v1/events"))
        .bearer_auth(token)
        .send()
        .await
        .expect("stream");
    assert!(resp.status().is_success());
    let mut buf = String::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                if block.contains("event:change") || block.contains("event: change") {
                    let e: HubEvent = serde_json::from_str(data.trim()).expect("event");
                    let _ = out.send((e, Instant::now(), chrono::Utc::now()));
                }
            }
        }
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn escalate(hub: &Hub, agent: &str, tenant: &TenantView, n: usize) {
    let t: TicketSummary = serde_json::from_value(
        hub.post(
            "/api/v1/tickets",
            Some(agent),
            json!({"tenant_id": tenant.id, "requester_name": "Rita Ruiz",
                   "requester_email": "rita@acme.example", "subject": format!("Checkout fails #{n}"),
                   "body": "Since this morning", "priority": "high"}),
        )
        .await,
    )
    .expect("ticket");
    hub.post(
        &format!("/api/v1/tickets/{}/escalate", t.id),
        Some(agent),
        json!({"version": t.version, "reason": "Needs the gateway logs"}),
    )
    .await;
}

#[tokio::main]
async fn main() {
    let db = std::env::var("OPSDESK_BENCH_DB").unwrap_or_else(|_| "sqlite".into());
    let pg_name = format!("opsdesk_bench_events_{}", std::process::id());
    let url = if db == "postgres" {
        let admin = "postgres://postgres@127.0.0.1:5432/postgres";
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(admin)
            .await
            .expect("pg");
        sqlx::Executor::execute(&mut c, format!("CREATE DATABASE {pg_name}").as_str())
            .await
            .expect("create db");
        format!("postgres://postgres@127.0.0.1:5432/{pg_name}")
    } else {
        String::new()
    };
    let (hub, invite) = Hub::start(&url).await;
    let admin = hub.enroll(&invite).await;
    let tenant: TenantView = serde_json::from_value(
        hub.post(
            "/api/v1/tenants",
            Some(&admin),
            json!({"name": "Acme", "slug": "acme", "plan": "pro"}),
        )
        .await,
    )
    .expect("tenant");
    let agent = hub.person(&admin, "ana.agent", "agent").await;
    let senior = Arc::new(hub.person(&admin, "sam.senior", "senior_agent").await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = rss_kib(hub.child.id());

    // Latency through one stream.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let one = tokio::spawn(stream(hub.base.clone(), senior.to_string(), tx));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut lat = Vec::new();
    for n in 0..LATENCY_SAMPLES {
        escalate(&hub, &agent, &tenant, n).await;
        loop {
            let (e, _, arrived) = rx.recv().await.expect("event");
            if e.kind == opsdesk_proto::EventKind::TicketEscalated {
                lat.push((arrived - e.at).num_microseconds().unwrap_or(0) as f64 / 1000.0);
                break;
            }
        }
    }
    one.abort();
    lat.sort_by(f64::total_cmp);

    // Fan-out to 1,000 streams.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        tasks.push(tokio::spawn(stream(
            hub.base.clone(),
            senior.to_string(),
            tx.clone(),
        )));
    }
    // Let them all connect.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_streams = rss_kib(hub.child.id());
    let mut fan = Vec::new();
    for n in 0..FANOUT_ROUNDS {
        escalate(&hub, &agent, &tenant, 1000 + n).await;
        let mut got = 0;
        let mut last = chrono::DateTime::<chrono::Utc>::MIN_UTC;
        let mut at = None;
        let deadline = Instant::now() + Duration::from_secs(30);
        while got < CLIENTS && Instant::now() < deadline {
            let Ok(Some((e, _, arrived))) =
                tokio::time::timeout(Duration::from_secs(30), rx.recv()).await
            else {
                break;
            };
            if e.kind == opsdesk_proto::EventKind::TicketEscalated {
                got += 1;
                last = last.max(arrived);
                at = Some(e.at);
            }
        }
        assert_eq!(got, CLIENTS, "every stream got the escalation");
        fan.push((last - at.expect("event")).num_microseconds().unwrap_or(0) as f64 / 1000.0);
    }
    fan.sort_by(f64::total_cmp);
    let rss_after = rss_kib(hub.child.id());
    for t in tasks {
        t.abort();
    }

    println!("events on {db}, hub process pid {}", hub.child.id());
    println!(
        "escalation -> client, 1 stream, {} samples: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lat.len(),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat.last().copied().unwrap_or(0.0)
    );
    println!(
        "fan-out to {CLIENTS} streams, {} rounds (time until the last stream has it): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        fan.len(),
        pct(&fan, 0.5),
        pct(&fan, 0.99),
        fan.last().copied().unwrap_or(0.0)
    );
    println!(
        "hub resident memory: idle {:.1} MB, with {CLIENTS} streams {:.1} MB, after {} fan-out rounds {:.1} MB",
        rss_idle as f64 / 1024.0,
        rss_streams as f64 / 1024.0,
        fan.len(),
        rss_after as f64 / 1024.0
    );
    drop(hub);
    if db == "postgres" {
        let admin = "postgres://postgres@127.0.0.1:5432/postgres";
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(admin)
            .await
            .expect("pg");
        let _ = sqlx::Executor::execute(
            &mut c,
            format!("DROP DATABASE {pg_name} WITH (FORCE)").as_str(),
        )
        .await;
    }
}
