//! From the hub's commit to the app's pop-up: a senior agent's desk (the app's own core: its
//! event stream, SSE parser, notification rules, inbox in the local cache) against a real hub
//! over HTTP; an agent escalates tickets one after another; for each escalation, the time from
//! the event's timestamp (taken by the hub inside the write, just before it commits) to the
//! moment the desk calls its [`Notifier`].
//!
//! The notifier records the time of the call and, with `OPSDESK_BENCH_POPUPS=desktop`, passes
//! the pop-up on to the desktop's notification service through notify-rust (run it inside
//! `scripts/desktop-session`, which starts a session bus and dunst), so the time until the
//! service has accepted it is measured too. Between samples the pop-ups are closed
//! (`dunstctl close-all`) unless `OPSDESK_BENCH_POPUPS_PILE=1` leaves them piling up.
//!
//! The hub runs in this process (on its own tasks, same runtime) on a fresh SQLite database, or
//! PostgreSQL with `OPSDESK_BENCH_DB=postgres`. The desk keeps its session in the OS keyring:
//! run under `keyctl session -` or in `scripts/desktop-session`.
//!
//! `keyctl session - cargo bench -p opsdesk-client --bench live`;
//! `OPSDESK_BENCH_LIVE_SAMPLES` changes the number of escalations (default 300).

use chrono::{DateTime, Utc};
use opsdesk_client::live::{DesktopNotifier, Notifier, OnResponse, Popup};
use opsdesk_client::{Desk, DeskPaths, KeyringStore, SecretStore};
use opsdesk_core::events::{EventKind, SubjectKind};
use opsdesk_core::Role;
use opsdesk_hub::clock::{Clock, ShiftedClock};
use opsdesk_hub::testing::{bench_settings, spawn_app_with, Db, Person, TestApp, PASSWORD};
use opsdesk_proto::{TenantView, TicketSummary};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// One call of the notifier: the pop-up's title, when the call came (on the hub's clock), and
/// how long the desktop's notification service took to accept it, if one was asked.
struct Call {
    title: String,
    at: DateTime<Utc>,
    service: Option<Duration>,
}

/// Notes the time of every call, then hands the pop-up to `inner`, if there is one.
struct TimedNotifier {
    clock: Arc<ShiftedClock>,
    inner: Option<DesktopNotifier>,
    calls: mpsc::UnboundedSender<Call>,
}

impl Notifier for TimedNotifier {
    fn show(&self, popup: Popup, on_response: OnResponse) -> Result<(), String> {
        let at = self.clock.now();
        let title = popup.title.clone();
        let service = match &self.inner {
            Some(desktop) => {
                let t = Instant::now();
                desktop.show(popup, on_response)?;
                Some(t.elapsed())
            }
            None => None,
        };
        let _ = self.calls.send(Call { title, at, service });
        Ok(())
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(label: &str, mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    format!(
        "{label}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} samples)",
        pct(&v, 0.5),
        pct(&v, 0.99),
        v.last().copied().unwrap_or(0.0),
        v.len()
    )
}

async fn post<T: serde::de::DeserializeOwned>(
    app: &TestApp,
    who: &Person,
    path: &str,
    body: serde_json::Value,
) -> T {
    app.post(path, Some(&who.token), &body)
        .await
        .unwrap_or_else(|e| panic!("{path}: {e:?}"))
}

/// The timestamp the hub gave the escalation event of ticket `id`, read from its event log.
async fn escalated_at(app: &TestApp, after: i64, id: uuid::Uuid) -> (DateTime<Utc>, i64) {
    let store = &app.hub.as_ref().expect("hub running").state.store;
    let events = store.events_after(after, 100).await.expect("event log");
    let e = events
        .iter()
        .find(|e| {
            e.draft.kind == EventKind::TicketEscalated
                && e.draft.subject_kind == SubjectKind::Ticket
                && e.draft.subject_id == id
        })
        .expect("the escalation is in the event log");
    let last = events.last().map_or(after, |e| e.seq);
    (e.draft.at, last)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let samples: usize = std::env::var("OPSDESK_BENCH_LIVE_SAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let postgres = std::env::var("OPSDESK_BENCH_DB").is_ok_and(|v| v == "postgres");
    let desktop = std::env::var("OPSDESK_BENCH_POPUPS").is_ok_and(|v| v == "desktop");
    // `OPSDESK_BENCH_POPUPS_PILE=1`: leave the pop-ups on screen (a flood of them).
    let close_between = std::env::var_os("OPSDESK_BENCH_POPUPS_PILE").is_none();
    let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::detect().unwrap_or_else(|e| {
        panic!("no OS keyring ({e}): run under `keyctl session -` or scripts/desktop-session")
    }));

    let db = if postgres { Db::Postgres } else { Db::Sqlite };
    let app = spawn_app_with(db, bench_settings()).await;
    let admin = app.admin().await;
    let acme: TenantView = post(
        &app,
        &admin,
        "/api/v1/tenants",
        json!({"name": "Acme", "slug": "acme", "plan": "pro"}),
    )
    .await;
    let agent = app.invite(&admin, "ana.agent", Role::Agent).await;
    let senior = app.invite(&admin, "sam.senior", Role::SeniorAgent).await;

    // The senior agent's app, signed in, its stream open.
    let root = std::env::temp_dir().join(format!("opsdesk-bench-live-{}", std::process::id()));
    let paths = DeskPaths {
        config_dir: root.join("config"),
        data_dir: root.join("data"),
    };
    let desk = Desk::open(paths, secrets.clone()).await.expect("desk");
    let (tx, mut calls) = mpsc::unbounded_channel();
    desk.set_notifier(Arc::new(TimedNotifier {
        clock: app.clock.clone(),
        inner: desktop.then(DesktopNotifier::new),
        calls: tx,
    }));
    desk.connect_hub(&app.base).await.expect("connect");
    let challenge = desk
        .sign_in_password(&senior.username, PASSWORD)
        .await
        .expect("password");
    desk.sign_in_mfa(
        &challenge.challenge,
        Some(&app.next_code(&senior.secret)),
        None,
    )
    .await
    .expect("code");
    let opened = Instant::now();
    while !desk.live_status().await.connected {
        assert!(opened.elapsed() < Duration::from_secs(10), "stream opens");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Past the stream's first-connection replay window: what comes now is live.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let store = &app.hub.as_ref().expect("hub running").state.store;
    let mut seq = store.last_event_seq().await.expect("event log");
    let (mut to_call, mut to_service) = (Vec::new(), Vec::new());
    for n in 0..samples {
        let t: TicketSummary = post(
            &app,
            &agent,
            "/api/v1/tickets",
            json!({"tenant_id": acme.id, "requester_name": "Rita Ruiz",
                   "requester_email": "rita@acme.example", "subject": format!("Checkout fails {n}"),
                   "body": "Since this morning", "priority": "high"}),
        )
        .await;
        let _: TicketSummary = post(
            &app,
            &agent,
            &format!("/api/v1/tickets/{}/escalate", t.id),
            json!({"version": t.version, "reason": "Needs the gateway logs"}),
        )
        .await;
        let title = format!("#{} escalated to L2 · Acme", t.number);
        let call = tokio::time::timeout(Duration::from_secs(10), calls.recv())
            .await
            .expect("the pop-up within 10 s")
            .expect("notifier alive");
        assert_eq!(call.title, title, "the escalation's pop-up, and only it");
        let (at, last) = escalated_at(&app, seq, t.id).await;
        seq = last;
        to_call.push((call.at - at).num_microseconds().unwrap_or(0) as f64 / 1000.0);
        if let Some(d) = call.service {
            to_service.push(
                (call.at - at).num_microseconds().unwrap_or(0) as f64 / 1000.0
                    + d.as_secs_f64() * 1000.0,
            );
            if close_between {
                // One pop-up on screen at a time, as an escalation usually arrives: dunst slows
                // down with dozens displayed at once (see BENCHMARKS.md).
                let _ = std::process::Command::new("dunstctl")
                    .arg("close-all")
                    .status();
            }
        }
    }
    desk.close().await;
    let _ = std::fs::remove_dir_all(&root);

    println!(
        "live events on {}, hub in process, the desk over HTTP",
        if postgres { "postgres" } else { "sqlite" }
    );
    println!("{}", summary("hub commit -> notifier call", to_call));
    if desktop {
        println!(
            "{}",
            summary(
                "hub commit -> notification service accepted it (D-Bus Notify answered)",
                to_service
            )
        );
    }
}
