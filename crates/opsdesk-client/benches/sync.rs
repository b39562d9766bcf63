//! The app's cache sync against a real hub: the first sync of 100,000 tickets into an empty
//! cache (budget 10 s), an incremental sync of 100 changes (budget 100 ms), and the first queue
//! page read from the filled cache (what the app paints at start). The hub runs in process on
//! SQLite with a generated desk (`opsdesk-hub seed`'s generator); the client talks HTTP to it.
//!
//! `cargo bench -p opsdesk-client --bench sync`; `OPSDESK_BENCH_SYNC_TICKETS` changes the size.

use opsdesk_client::api::SessionToken;
use opsdesk_client::queue::QueueSync;
use opsdesk_client::{ApiClient, Cache};
use opsdesk_core::tickets::queue::{QueuePage, TicketSpec};
use opsdesk_core::tickets::QueueSort;
use opsdesk_hub::seed::{seed, SeedPlan};
use opsdesk_hub::testing::{bench_settings, spawn_app_with, Db};
use serde_json::json;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let tickets: u64 = std::env::var("OPSDESK_BENCH_SYNC_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let app = spawn_app_with(Db::Sqlite, bench_settings()).await;
    let admin = app.admin().await;
    let state = app.hub.as_ref().expect("hub").state.clone();
    let started = Instant::now();
    let mut plan = SeedPlan::new(tickets, 200, state.now());
    plan.staff = 20;
    seed(state.store.as_ref(), plan, |_| {})
        .await
        .expect("seed the hub");
    println!(
        "seeded {tickets} tickets in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let api = ApiClient::new(&app.base)
        .expect("client")
        .with_token(SessionToken::new(admin.token.clone()));

    // First sync into an empty cache, three times on fresh caches.
    let mut firsts = Vec::new();
    let mut kept = None;
    for run in 0..3 {
        let dir =
            std::env::temp_dir().join(format!("opsdesk-bench-sync-{}-{run}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = Cache::open(&dir).await.expect("cache");
        let sync = QueueSync::new(cache);
        let t = Instant::now();
        sync.run(&api).await.expect("first sync");
        firsts.push(t.elapsed());
        let n = sync.tickets().count_all().await.expect("count");
        assert_eq!(n as u64, tickets, "every ticket cached");
        kept = Some((sync, dir));
    }
    let (sync, dir) = kept.expect("a cache");

    // Incremental: 100 tickets change on the hub, then one sync.
    let ids: Vec<(uuid::Uuid, i64)> = open_tickets(&app, &admin.token, 100).await;
    let mut increments = Vec::new();
    for round in 0..5 {
        for (id, version) in ids.iter() {
            let r: opsdesk_proto::TicketSummary = app
                .send(
                    app.http
                        .patch(app.url(&format!("/api/v1/tickets/{id}")))
                        .bearer_auth(&admin.token)
                        .json(
                            &json!({"version": version + round, "tags": [format!("round{round}")]}),
                        ),
                )
                .await
                .expect("change a ticket");
            assert_eq!(r.version, version + round + 1);
        }
        let t = Instant::now();
        sync.run(&api).await.expect("incremental sync");
        increments.push(t.elapsed());
    }

    // The first page of the queue the app paints at start, from the filled cache.
    let tickets_cache = sync.tickets();
    let mut pages = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let page = QueuePage {
            spec: TicketSpec {
                open: Some(true),
                ..TicketSpec::default()
            },
            sort: QueueSort::SlaDue,
            after: None,
            limit: 50,
        };
        let got = tickets_cache.page(&page).await.expect("page");
        assert_eq!(got.items.len(), 50);
        pages.push(t.elapsed());
    }

    println!("| measure | median | runs |");
    println!("|---|---|---|");
    println!(
        "| first sync of {tickets} tickets into an empty cache | {:.2} s | {:?} |",
        median(firsts.clone()).as_secs_f64(),
        firsts
            .iter()
            .map(|d| format!("{:.2}", d.as_secs_f64()))
            .collect::<Vec<_>>()
    );
    println!(
        "| incremental sync of 100 changes | {:.1} ms | {:?} |",
        ms(median(increments.clone())),
        increments
            .iter()
            .map(|d| format!("{:.1}", ms(*d)))
            .collect::<Vec<_>>()
    );
    println!(
        "| first queue page (50, all open, SLA due) from the cache | {:.2} ms | 50 |",
        ms(median(pages))
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The first `n` open tickets with their versions, from the hub's API.
async fn open_tickets(
    app: &opsdesk_hub::testing::TestApp,
    token: &str,
    n: usize,
) -> Vec<(uuid::Uuid, i64)> {
    let page: opsdesk_proto::Page<opsdesk_proto::TicketSummary> = app
        .get(&format!("/api/v1/tickets?view=all_open&limit={n}"), token)
        .await
        .expect("queue page");
    page.items.into_iter().map(|t| (t.id, t.version)).collect()
}
