//! The ticket queue at scale, on SQLite and PostgreSQL: seeds 1,000,000 tickets for 500 tenants
//! with `seed` (`OPSDESK_BENCH_TICKETS` changes the size; the SQLite file is kept under
//! /var/tmp and reused when it holds the right count; PostgreSQL gets a fresh database
//! `opsdesk_bench_<pid>`, dropped at the end), then measures through the store and through the
//! HTTP API of a hub on port 0 with a signed-in senior agent: every view x sort, filters, page 2,
//! concurrent clients, full-text search, and the changes feed. `OPSDESK_BENCH_DB=sqlite` (or
//! `postgres`) runs one database; `OPSDESK_BENCH_KEEP_DB=1` keeps the PostgreSQL database for
//! `EXPLAIN ANALYZE` afterwards (drop it by hand). Run: `cargo bench -p opsdesk-hub --bench queue`.

use chrono::{DateTime, Utc};
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::ticket::{Priority, QueueSort, QueueView, TicketStatus};
use opsdesk_core::totp::TotpSecret;
use opsdesk_core::Role;
use opsdesk_hub::clock::{Clock, ShiftedClock};
use opsdesk_hub::domain::tickets::queue::view_spec;
use opsdesk_hub::seed::{seed, SeedPlan};
use opsdesk_hub::testing::{bench_settings, Db, PASSWORD};
use opsdesk_proto::{ChangesPage, Enrolled, EnrollmentOffer, Page, SearchHit, TicketSummary};
use opsdesk_store::{
    cursor_of, AuditFilter, Effects, InviteKind, QueuePage, StaffFilter, Store, TicketSpec,
};
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const TENANTS: u32 = 500;
/// Bump when the generator changes, so a cached file from an older one is not reused.
const DATASET_VERSION: u32 = 1;
/// Per case: stop after this many samples or this long, whichever comes first.
const SAMPLES: usize = 200;
const CASE_BUDGET: Duration = Duration::from_secs(3);

#[tokio::main]
async fn main() {
    let tickets: u64 = std::env::var("OPSDESK_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let only = std::env::var("OPSDESK_BENCH_DB").unwrap_or_default();
    for db in [Db::Sqlite, Db::Postgres] {
        if !only.is_empty() && only != db.as_str() {
            continue;
        }
        run(db, tickets).await;
    }
}

/// A PostgreSQL database made for this run and dropped when the run ends, even on panic.
struct PgDatabase {
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if std::env::var_os("OPSDESK_BENCH_KEEP_DB").is_some() {
            println!("kept PostgreSQL database {}", self.name);
            return;
        }
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let server = opsdesk_store::testing::postgres_server();
                let mut admin = PgConnection::connect(&format!("{server}/postgres")).await?;
                admin.execute(sql.as_str()).await?;
                admin.close().await
            })
        })
        .join();
    }
}

async fn run(db: Db, tickets: u64) {
    println!(
        "\n## {} ({} tickets, {TENANTS} tenants)\n",
        db.as_str(),
        tickets
    );
    let mut _pg = None;
    let url = match db {
        Db::Sqlite => {
            let dir = std::path::Path::new("/var/tmp/opsdesk-bench");
            std::fs::create_dir_all(dir).expect("bench folder");
            let file = dir.join(format!("queue-v{DATASET_VERSION}-{tickets}.sqlite"));
            format!("sqlite://{}", file.display())
        }
        Db::Postgres => {
            let server = opsdesk_store::testing::postgres_server();
            let name = format!("opsdesk_bench_{}", std::process::id());
            let mut admin = PgConnection::connect(&format!("{server}/postgres"))
                .await
                .expect("PostgreSQL at OPSDESK_TEST_POSTGRES (postgres://postgres@127.0.0.1:5432)");
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create the bench database");
            let _ = admin.close().await;
            _pg = Some(PgDatabase { name: name.clone() });
            format!("{server}/{name}")
        }
    };
    let mut store = opsdesk_store::open(&url).await.expect("open store");
    let held = store
        .count_tickets(&TicketSpec::default())
        .await
        .expect("count");
    if held != 0 && held as u64 != tickets {
        // A file from an interrupted or different run: start again.
        drop(store);
        let path = url.trim_start_matches("sqlite://");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        store = opsdesk_store::open(&url).await.expect("reopen store");
    }
    let seeded_at = if held as u64 == tickets {
        println!("reusing {url} ({held} tickets)");
        seeded_time(store.as_ref()).await
    } else {
        let plan = SeedPlan::new(tickets, TENANTS, Utc::now());
        let now = plan.now;
        let mut last = Instant::now();
        let report = seed(store.as_ref(), plan, |p| {
            if last.elapsed() > Duration::from_secs(30) {
                last = Instant::now();
                eprintln!(
                    "  seeded {} / {}, {:.0} tickets/s",
                    p.written,
                    p.total,
                    p.rate()
                );
            }
        })
        .await
        .expect("seed");
        println!(
            "seeded {} tickets ({} messages, {} open, {} breaching soon, {} escalated) in {:.1} s: {:.0} tickets/s",
            report.tickets,
            report.messages,
            report.open,
            report.breaching_soon,
            report.escalated,
            report.elapsed.as_secs_f64(),
            report.tickets as f64 / report.elapsed.as_secs_f64()
        );
        now
    };
    if db == Db::Postgres {
        // Autovacuum would analyze the new rows within a minute or two; do it now so the
        // planner's statistics do not depend on when the bench starts measuring.
        let mut conn = PgConnection::connect(&url).await.expect("connect");
        conn.execute("VACUUM ANALYZE")
            .await
            .expect("vacuum analyze");
        let _ = conn.close().await;
    }

    // The hub's clock reads the time the desk was seeded, so "now" matches the data.
    let clock = Arc::new(ShiftedClock::default());
    clock.advance(seeded_at - Utc::now());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hub = opsdesk_hub::start(store.clone(), bench_settings(), clock.clone(), listener)
        .expect("start hub");
    let base = format!("http://{}", hub.addr);
    let http = reqwest::Client::new();
    let (token, me) =
        sign_in_seeded(store.as_ref(), &hub.state, clock.as_ref(), &http, &base).await;
    let caller = opsdesk_hub::domain::auth::authenticate(&hub.state, &token)
        .await
        .expect("caller");
    let api_owned = Api {
        http: http.clone(),
        base: base.clone(),
        token: token.clone(),
    };
    let api = &api_owned;

    // ---- queue pages -------------------------------------------------------------------------
    let mine = store
        .count_tickets(&view_spec(&hub.state, &caller, QueueView::Mine))
        .await
        .expect("count");
    println!("signed in as a seeded senior agent ({me}) with {mine} open tickets assigned\n");
    let (big, small) = tenants(store.as_ref()).await;
    let mut cases: Vec<Case> = Vec::new();
    for view in QueueView::ALL {
        for sort in QueueSort::ALL {
            cases.push(Case::view(*view, *sort));
        }
    }
    let filter = |name: &str, f: fn(&mut TicketSpec, &mut Vec<(String, String)>)| {
        let mut c = Case::view(QueueView::AllOpen, QueueSort::SlaDue);
        c.name = format!("all_open + {name}");
        f(&mut c.spec_extra, &mut c.query);
        c
    };
    let mut big_case = Case::view(QueueView::AllOpen, QueueSort::SlaDue);
    big_case.name = "all_open + tenant (largest)".into();
    big_case.spec_extra.tenant_id = Some(big);
    big_case.query.push(("tenant_id".into(), big.to_string()));
    let mut small_case = Case::view(QueueView::AllOpen, QueueSort::SlaDue);
    small_case.name = "all_open + tenant (median)".into();
    small_case.spec_extra.tenant_id = Some(small);
    small_case
        .query
        .push(("tenant_id".into(), small.to_string()));
    cases.push(big_case);
    cases.push(small_case);
    cases.push(filter("priority=critical", |s, q| {
        s.priority = Some(Priority::Critical);
        q.push(("priority".into(), "critical".into()));
    }));
    cases.push(filter("status=pending", |s, q| {
        s.status = Some(TicketStatus::Pending);
        q.push(("status".into(), "pending".into()));
    }));
    cases.push(filter("tag=bug (common)", |s, q| {
        s.tag = Some("bug".into());
        q.push(("tag".into(), "bug".into()));
    }));
    cases.push(filter("tag=gdpr (rare)", |s, q| {
        s.tag = Some("gdpr".into());
        q.push(("tag".into(), "gdpr".into()));
    }));
    cases.push(filter("text=invoice (common)", |s, q| {
        s.text = Some("invoice".into());
        q.push(("text".into(), "invoice".into()));
    }));
    cases.push(filter("text=kerberos (rare)", |s, q| {
        s.text = Some("kerberos".into());
        q.push(("text".into(), "kerberos".into()));
    }));
    let mut recent = Case::view(QueueView::RecentlySolved, QueueSort::Updated);
    recent.name = "recently_solved + tag=billing, sort updated".into();
    recent.spec_extra.tag = Some("billing".into());
    recent.query.push(("tag".into(), "billing".into()));
    cases.push(recent);

    println!("| queue page (50 rows) | rows | store p50 / p99 | HTTP p50 / p99 | page 2 store p50 / p99 | page 2 HTTP p50 / p99 |");
    println!("|---|---|---|---|---|---|");
    let mut worst_store: (f64, String) = (0.0, String::new());
    let mut worst_http: (f64, String) = (0.0, String::new());
    for case in &cases {
        let page = case.page(&hub.state, &caller, None);
        let rows = store.queue_page(&page).await.expect("page");
        let s1 = measure(|| {
            let page = page.clone();
            let store = store.clone();
            async move {
                store.queue_page(&page).await.expect("page");
            }
        })
        .await;
        let h1 = measure(move || api.queue(case.query.clone())).await;
        // Page 2 through the cursor of page 1's last row.
        let (s2, h2) = match rows.get(49).filter(|_| rows.len() > 50) {
            Some(last) => {
                let cursor = cursor_of(last, case.sort);
                let page2 = case.page(&hub.state, &caller, Some(cursor));
                let s2 = measure(|| {
                    let page = page2.clone();
                    let store = store.clone();
                    async move {
                        store.queue_page(&page).await.expect("page 2");
                    }
                })
                .await;
                let first: Page<TicketSummary> = api.queue_page(case.query.clone()).await;
                let mut q = case.query.clone();
                q.push(("cursor".into(), first.next_cursor.expect("a second page")));
                let h2 = measure(move || api.queue(q.clone())).await;
                (Some(s2), Some(h2))
            }
            None => (None, None),
        };
        for (stats, worst) in [(&s1, &mut worst_store), (&h1, &mut worst_http)] {
            if stats.p99 > worst.0 {
                *worst = (stats.p99, case.name.clone());
            }
        }
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            case.name,
            rows.len().min(50),
            s1,
            h1,
            s2.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
            h2.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
        );
    }
    println!(
        "\nworst p99: store {:.2} ms ({}), HTTP {:.2} ms ({})",
        worst_store.0, worst_store.1, worst_http.0, worst_http.1
    );
    let counts = measure(move || async move {
        api.get_json::<serde_json::Value>("/api/v1/tickets/counts".into(), vec![])
            .await;
    })
    .await;
    println!("queue counts (GET /api/v1/tickets/counts, every view): {counts}");

    // ---- concurrent clients -------------------------------------------------------------------
    println!("\n| concurrent HTTP clients (queue pages, every view x sort, 10 s) | requests/s | p50 | p99 |");
    println!("|---|---|---|---|");
    let mix: Vec<Vec<(String, String)>> = cases.iter().take(18).map(|c| c.query.clone()).collect();
    for clients in [1usize, 4, 16] {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for i in 0..clients {
            let api = api_owned.clone();
            let mix = mix.clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut k = i;
                while started.elapsed() < Duration::from_secs(10) {
                    let t = Instant::now();
                    api.queue(mix[k % mix.len()].clone()).await;
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    k += 1;
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.expect("client"));
        }
        let wall = started.elapsed().as_secs_f64();
        let n = all.len();
        println!(
            "| {clients} | {:.0} | {:.2} ms | {:.2} ms |",
            n as f64 / wall,
            pct(&mut all, 0.50),
            pct(&mut all, 0.99)
        );
    }

    // ---- full-text search -----------------------------------------------------------------------
    println!("\n| search (25 best) | hits | store p50 / p99 | HTTP p50 / p99 |");
    println!("|---|---|---|---|");
    let mut all_store = Vec::new();
    let mut all_http = Vec::new();
    for q in [
        "invoice",
        "browser error",
        "password",
        "webhook",
        "kerberos",
        "ERR-4821",
        "\"reset link\"",
        "\"charged twice\"",
        "refund -invoice",
    ] {
        let hits = store.search_tickets(q, 25).await.expect("search").len();
        let s = measure(|| {
            let store = store.clone();
            async move {
                store.search_tickets(q, 25).await.expect("search");
            }
        })
        .await;
        let h = measure(move || async move {
            api.get_json::<Vec<SearchHit>>(
                "/api/v1/tickets/search".into(),
                vec![("q".into(), q.into()), ("limit".into(), "25".into())],
            )
            .await;
        })
        .await;
        all_store.extend(s.samples.iter().copied());
        all_http.extend(h.samples.iter().copied());
        println!("| `{q}` | {hits} | {s} | {h} |");
    }
    println!(
        "| all of the above | | {:.2} / {:.2} ms | {:.2} / {:.2} ms |",
        pct(&mut all_store, 0.5),
        pct(&mut all_store, 0.99),
        pct(&mut all_http, 0.5),
        pct(&mut all_http, 0.99)
    );

    // ---- changes feed ---------------------------------------------------------------------------
    let first_sync = tickets.min(100_000) as usize;
    let started = Instant::now();
    let (mut since, mut got) = (0, 0);
    while got < first_sync {
        let rows = store.ticket_changes(since, 5_000).await.expect("changes");
        got += rows.len();
        since = rows.last().map(|r| r.summary.change_seq).unwrap_or(since);
    }
    let store_sync = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let (mut since, mut got) = (0, 0);
    while got < first_sync {
        let page: ChangesPage = api
            .get_json(
                "/api/v1/tickets/changes".into(),
                vec![
                    ("since".into(), since.to_string()),
                    ("limit".into(), "5000".into()),
                ],
            )
            .await;
        got += page.tickets.len();
        since = page.next;
    }
    let http_sync = started.elapsed().as_secs_f64();
    let last: ChangesPage = api
        .get_json(
            "/api/v1/tickets/changes".into(),
            vec![
                ("since".into(), (tickets as i64 - 1).to_string()),
                ("limit".into(), "5000".into()),
            ],
        )
        .await;
    let head = last.next;
    let inc_store = measure(|| {
        let store = store.clone();
        async move {
            let rows = store
                .ticket_changes(head - 100, 100)
                .await
                .expect("changes");
            assert_eq!(rows.len(), 100);
        }
    })
    .await;
    let inc_http = measure(move || async move {
        api.get_json::<ChangesPage>(
            "/api/v1/tickets/changes".into(),
            vec![
                ("since".into(), (head - 100).to_string()),
                ("limit".into(), "100".into()),
            ],
        )
        .await;
    })
    .await;
    println!("\n| changes feed | store | HTTP |");
    println!("|---|---|---|");
    println!(
        "| first sync: {first_sync} tickets from since=0 in pages of 5,000 | {store_sync:.2} s | {http_sync:.2} s |"
    );
    println!("| incremental: 100 changes, p50 / p99 | {inc_store} | {inc_http} |");

    hub.stop().await.expect("stop hub");
}

/// When the cached desk was seeded (its audit entry says).
async fn seeded_time(store: &dyn Store) -> DateTime<Utc> {
    let entries = store
        .list_audit(&AuditFilter {
            action: Some("dataset.seeded".into()),
            limit: 1,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    entries
        .first()
        .and_then(|e| serde_json::from_str::<serde_json::Value>(&e.details).ok())
        .and_then(|d| d.get("now").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .expect("the cached desk has its dataset.seeded entry")
}

/// The largest tenant and one from the middle of the tail, by ticket count.
async fn tenants(store: &dyn Store) -> (Uuid, Uuid) {
    let page = store
        .queue_page(&QueuePage {
            spec: TicketSpec::default(),
            sort: QueueSort::Updated,
            after: None,
            limit: 5_000,
        })
        .await
        .expect("sample");
    let mut by: std::collections::HashMap<Uuid, usize> = Default::default();
    for r in &page {
        *by.entry(r.summary.tenant_id).or_default() += 1;
    }
    let mut sizes: Vec<(usize, Uuid)> = by.into_iter().map(|(t, n)| (n, t)).collect();
    sizes.sort_by(|a, b| b.cmp(a));
    (sizes[0].1, sizes[sizes.len() / 2].1)
}

/// Reissues a seeded senior agent's invite (as an admin's MFA reset would) and enrolls them
/// over HTTP. Returns the session token and their username.
async fn sign_in_seeded(
    store: &dyn Store,
    state: &opsdesk_hub::state::AppState,
    clock: &ShiftedClock,
    http: &reqwest::Client,
    base: &str,
) -> (String, String) {
    let staff = store
        .list_staff(&StaffFilter {
            role: Some(Role::SeniorAgent),
            limit: 1,
            ..StaffFilter::default()
        })
        .await
        .expect("staff")
        .pop()
        .expect("a seeded senior agent");
    let now = state.now();
    let (invite_token, invite) = opsdesk_hub::domain::staff::invite::new_invite(
        state,
        staff.id,
        InviteKind::MfaReset,
        None,
        now,
    );
    let admin = Granted::<cap::StaffManage>::check(Role::Admin).expect("admins manage staff");
    store
        .reset_mfa(
            &admin,
            staff.id,
            staff.version,
            invite,
            now,
            Effects::default(),
        )
        .await
        .expect("reissue invite");
    let offer: EnrollmentOffer = http
        .post(format!("{base}/api/v1/auth/enroll"))
        .json(&json!({"invite_token": invite_token, "password": PASSWORD}))
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("offer");
    let secret = TotpSecret::from_base32(&offer.totp_secret).expect("secret");
    let code = secret.code_at(clock.now().timestamp());
    let enrolled: Enrolled = http
        .post(format!("{base}/api/v1/auth/enroll/confirm"))
        .json(&json!({"invite_token": invite_token, "code": code}))
        .send()
        .await
        .expect("confirm")
        .json()
        .await
        .expect("enrolled");
    (enrolled.signed_in.token, staff.username)
}

/// A queue page to time: a view and sort, extra conditions, and the same as query parameters.
struct Case {
    name: String,
    view: QueueView,
    sort: QueueSort,
    spec_extra: TicketSpec,
    query: Vec<(String, String)>,
}

impl Case {
    fn view(view: QueueView, sort: QueueSort) -> Case {
        Case {
            name: format!("{} by {}", view.as_str(), sort.as_str()),
            view,
            sort,
            spec_extra: TicketSpec::default(),
            query: vec![
                ("view".into(), view.as_str().into()),
                ("sort".into(), sort.as_str().into()),
                ("limit".into(), "50".into()),
            ],
        }
    }

    /// The store request the hub makes for this case (51 rows: 50 and one to know there are
    /// more).
    fn page(
        &self,
        state: &opsdesk_hub::state::AppState,
        caller: &opsdesk_hub::context::Caller,
        after: Option<opsdesk_store::QueueCursor>,
    ) -> QueuePage {
        let mut spec = view_spec(state, caller, self.view);
        let x = &self.spec_extra;
        spec.tenant_id = x.tenant_id.or(spec.tenant_id);
        spec.priority = x.priority.or(spec.priority);
        spec.status = x.status.or(spec.status);
        spec.tag = x.tag.clone().or(spec.tag);
        spec.text = x.text.clone().or(spec.text);
        QueuePage {
            spec,
            sort: self.sort,
            after,
            limit: 51,
        }
    }
}

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: String,
        query: Vec<(String, String)>,
    ) -> T {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .query(&query)
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request");
        let status = resp.status();
        let bytes = resp.bytes().await.expect("body");
        assert!(
            status.is_success(),
            "{path} {query:?}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).expect("decode")
    }

    async fn queue_page(&self, query: Vec<(String, String)>) -> Page<TicketSummary> {
        self.get_json("/api/v1/tickets".into(), query).await
    }

    async fn queue(&self, query: Vec<(String, String)>) {
        self.queue_page(query).await;
    }
}

/// Latencies of one case, in milliseconds.
struct Stats {
    samples: Vec<f64>,
    p50: f64,
    p99: f64,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} / {:.2} ms", self.p50, self.p99)
    }
}

/// Runs `op` a few times to warm up, then up to [`SAMPLES`] times within [`CASE_BUDGET`].
async fn measure<F, Fut>(mut op: F) -> Stats
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..3 {
        op().await;
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < SAMPLES && (samples.len() < 20 || started.elapsed() < CASE_BUDGET) {
        let t = Instant::now();
        op().await;
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut sorted = samples.clone();
    Stats {
        p50: pct(&mut sorted, 0.50),
        p99: pct(&mut sorted, 0.99),
        samples,
    }
}

fn pct(samples: &mut [f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let idx = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples[idx]
}
