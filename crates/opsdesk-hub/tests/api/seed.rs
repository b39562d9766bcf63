//! The dataset generator: a seeded desk looks like a real one through the API (views, counts,
//! search, skewed tenants), a second run needs `--append`, the run is audited once, the same
//! seed gives the same desk, and the command refuses bad sizes.

use crate::both;
use crate::helpers::*;
use chrono::Duration;
use opsdesk_hub::seed::{seed, SeedError, SeedPlan};
use opsdesk_proto::*;
use std::collections::HashMap;
use std::process::Command;

fn count(counts: &QueueCounts, view: QueueView) -> i64 {
    counts
        .views
        .iter()
        .find(|c| c.view == view)
        .map(|c| c.count)
        .expect("every view is counted")
}

async fn all_changes(app: &TestApp, token: &str) -> Vec<TicketSummary> {
    let page: ChangesPage = app
        .get(
            &format!("{}?since=0&limit=5000", routes::TICKET_CHANGES),
            token,
        )
        .await
        .expect("changes");
    assert!(!page.more, "the test desk fits in one page");
    page.tickets
}

both!(
    a_seeded_desk_has_sensible_views_counts_and_search,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let store = app.hub.as_ref().expect("hub").state.store.clone();
        let plan = SeedPlan {
            staff: 20,
            ..SeedPlan::new(2_000, 40, app.clock_now())
        };
        let mut batches = 0;
        let report = seed(store.as_ref(), plan.clone(), |_| batches += 1)
            .await
            .expect("seed");
        assert_eq!(
            (report.tickets, report.tenants_created, report.staff_created),
            (2_000, 40, 20)
        );
        assert_eq!(batches, 1);

        // Views: a small open backlog, some of it due soon, escalated, unassigned.
        let counts: QueueCounts = app
            .client(&admin.token)
            .ticket_counts()
            .await
            .checked()
            .expect("counts");
        let open = count(&counts, QueueView::AllOpen);
        assert_eq!(open as u64, report.open);
        assert!((20..=200).contains(&open), "3-5% of 2,000 open, got {open}");
        let soon = count(&counts, QueueView::BreachingSoon);
        assert!(soon > 0 && soon < open, "breaching soon {soon} of {open}");
        assert!(count(&counts, QueueView::Unassigned) > 0);
        assert!(count(&counts, QueueView::Escalated) > 0);
        assert!(count(&counts, QueueView::RecentlySolved) > 0);
        assert_eq!(
            count(&counts, QueueView::Mine),
            0,
            "nothing is the new admin's"
        );

        // The queue sorted by SLA due, across two pages.
        let p1: Page<TicketSummary> = app
            .get(
                &format!("{}?view=all_open&sort=sla_due&limit=20", routes::TICKETS),
                &admin.token,
            )
            .await
            .expect("page 1");
        let cursor = p1.next_cursor.clone().expect("more than one page");
        let p2: Page<TicketSummary> = app
            .get(
                &format!(
                    "{}?view=all_open&sort=sla_due&limit=20&cursor={cursor}",
                    routes::TICKETS
                ),
                &admin.token,
            )
            .await
            .expect("page 2");
        let both_pages: Vec<&TicketSummary> = p1.items.iter().chain(&p2.items).collect();
        assert_eq!(both_pages.len(), 40);
        let due: Vec<i64> = both_pages
            .iter()
            .map(|t| t.sla_due_at.map_or(i64::MAX, |d| d.timestamp_millis()))
            .collect();
        assert!(
            due.windows(2).all(|w| w[0] <= w[1]),
            "sorted by due: {due:?}"
        );
        assert!(p1
            .items
            .iter()
            .all(|a| p2.items.iter().all(|b| a.id != b.id)));
        let now = app.clock_now();
        assert!(
            due[0] < now.timestamp_millis(),
            "the most urgent ticket is overdue"
        );

        // Every ticket's clock agrees with its status.
        let all = all_changes(&app, &admin.token).await;
        assert_eq!(all.len(), 2_000);
        for t in &all {
            let open = !matches!(t.status, TicketStatus::Solved | TicketStatus::Closed);
            let paused = t.status == TicketStatus::Pending;
            assert_eq!(
                t.sla_due_at.is_some(),
                open && !paused,
                "ticket {} ({:?}) due {:?}",
                t.number,
                t.status,
                t.sla_due_at
            );
            assert_eq!(t.sla_paused, paused, "ticket {}", t.number);
            assert!(t.created_at <= t.updated_at && t.updated_at <= now);
            assert!(!t.tags.is_empty());
            if t.escalation_level != EscalationLevel::L1 && t.status == TicketStatus::New {
                assert!(t.assignee_id.is_none(), "assigning opens a new ticket");
            }
        }
        let oldest = all.iter().map(|t| t.created_at).min().expect("tickets");
        assert!(now - oldest > Duration::days(600), "two years of history");
        let mut by_priority: HashMap<Priority, usize> = HashMap::new();
        let mut by_tenant: HashMap<uuid::Uuid, usize> = HashMap::new();
        for t in &all {
            *by_priority.entry(t.priority).or_default() += 1;
            *by_tenant.entry(t.tenant_id).or_default() += 1;
        }
        let share = |p| by_priority.get(&p).copied().unwrap_or(0) * 100 / all.len();
        assert!(
            share(Priority::Medium) + share(Priority::Low) >= 70,
            "{by_priority:?}"
        );
        assert!(share(Priority::Critical) <= 5, "{by_priority:?}");
        let mut sizes: Vec<usize> = by_tenant.values().copied().collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        assert!(
            sizes.len() >= 30,
            "most tenants have tickets: {}",
            sizes.len()
        );
        assert!(
            sizes[0] >= 10 * sizes[sizes.len() / 2],
            "a few big tenants and a long tail: {sizes:?}"
        );

        // A tenant filter keeps to the tenant.
        let big = by_tenant
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(t, _)| *t)
            .expect("tenant");
        let page: Page<TicketSummary> = app
            .get(
                &format!("{}?view=all_open&tenant_id={big}", routes::TICKETS),
                &admin.token,
            )
            .await
            .expect("tenant filter");
        assert!(!page.items.is_empty());
        assert!(page.items.iter().all(|t| t.tenant_id == big));

        // Search finds common words, fewer rare ones, phrases, and nothing for nonsense.
        let hits = |q: &'static str| {
            let app = &app;
            let token = admin.token.clone();
            async move {
                let found: Vec<SearchHit> = app
                    .get(
                        &format!("{}?q={q}&limit=100", routes::TICKET_SEARCH),
                        &token,
                    )
                    .await
                    .expect("search");
                found.len()
            }
        };
        assert_eq!(hits("invoice").await, 100, "a common word fills the page");
        let rare = hits("webhook").await;
        assert!((1..100).contains(&rare), "a rarer word: {rare}");
        assert!(hits("%22reset%20link%22").await > 0, "a phrase");
        assert_eq!(hits("zyzzyva").await, 0);
        let page: Page<TicketSummary> = app
            .get(
                &format!("{}?view=all_open&text=password", routes::TICKETS),
                &admin.token,
            )
            .await
            .expect("text filter");
        assert!(
            !page.items.is_empty(),
            "the queue's text filter finds open tickets"
        );

        // One audit entry for the run, with its counts.
        let entries = app.audit(&admin, "action=dataset.seeded").await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].details["tickets"], 2_000);

        // A second run needs --append, which reuses the tenants and staff.
        let again = seed(store.as_ref(), plan.clone(), |_| {}).await;
        assert!(
            matches!(again, Err(SeedError::NotEmpty(2_000))),
            "{again:?}"
        );
        let more = seed(
            store.as_ref(),
            SeedPlan {
                tickets: 100,
                append: true,
                ..plan
            },
            |_| {},
        )
        .await
        .expect("append");
        assert_eq!((more.tenants_created, more.staff_created), (0, 0));
        assert_eq!(all_changes(&app, &admin.token).await.len(), 2_100);
        assert_eq!(app.audit(&admin, "action=dataset.seeded").await.len(), 2);
    }
);

/// Every page of a queue, following cursors.
async fn all_pages(app: &TestApp, token: &str, query: &str) -> Vec<TicketSummary> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{}?{query}&limit=20&cursor={c}", routes::TICKETS),
            None => format!("{}?{query}&limit=20", routes::TICKETS),
        };
        let page: Page<TicketSummary> = app.get(&path, token).await.expect("queue page");
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

/// The order a sort shows tickets in, as a comparable key.
fn sort_key(t: &TicketSummary, sort: &str) -> (i64, i64, i64) {
    let due = t.sla_due_at.map_or(i64::MAX, |d| d.timestamp_millis());
    match sort {
        "sla_due" => (due, t.number, 0),
        "priority" => (t.priority.rank(), due, t.number),
        _ => (-t.updated_at.timestamp_millis(), -t.number, 0),
    }
}

both!(
    queue_pages_of_a_seeded_desk_hold_exactly_the_matching_tickets_in_order,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let store = app.hub.as_ref().expect("hub").state.store.clone();
        let plan = SeedPlan {
            staff: 20,
            ..SeedPlan::new(2_000, 40, app.clock_now())
        };
        seed(store.as_ref(), plan, |_| {}).await.expect("seed");
        let all = all_changes(&app, &admin.token).await;
        let now = app.clock_now();
        let open =
            |t: &TicketSummary| !matches!(t.status, TicketStatus::Solved | TicketStatus::Closed);
        let big = {
            let mut n: HashMap<uuid::Uuid, usize> = HashMap::new();
            for t in all.iter().filter(|t| open(t)) {
                *n.entry(t.tenant_id).or_default() += 1;
            }
            n.into_iter()
                .max_by_key(|(_, c)| *c)
                .map(|(t, _)| t)
                .expect("a tenant")
        };
        type Keep = Box<dyn Fn(&TicketSummary) -> bool>;
        let soon = now + Duration::hours(1);
        let cases: Vec<(String, &str, Keep)> = vec![
            (
                "view=all_open&tag=bug".into(),
                "priority",
                Box::new(move |t| open(t) && t.tags.iter().any(|g| g == "bug")),
            ),
            (
                "view=all_open&status=pending".into(),
                "sla_due",
                Box::new(|t| t.status == TicketStatus::Pending),
            ),
            (
                "view=all_open&status=pending".into(),
                "updated",
                Box::new(|t| t.status == TicketStatus::Pending),
            ),
            (
                format!("view=unassigned&tenant_id={big}"),
                "priority",
                Box::new(move |t| open(t) && t.assignee_id.is_none() && t.tenant_id == big),
            ),
            (
                format!("view=all_open&tenant_id={big}&priority=medium"),
                "updated",
                Box::new(move |t| open(t) && t.tenant_id == big && t.priority == Priority::Medium),
            ),
            (
                "view=breaching_soon".into(),
                "updated",
                Box::new(move |t| open(t) && t.sla_due_at.is_some_and(|d| d <= soon)),
            ),
            (
                "view=escalated".into(),
                "updated",
                Box::new(move |t| open(t) && t.escalation_level != EscalationLevel::L1),
            ),
            (
                "view=all_open&priority=high".into(),
                "sla_due",
                Box::new(move |t| open(t) && t.priority == Priority::High),
            ),
        ];
        for (query, sort, keep) in cases {
            let got = all_pages(&app, &admin.token, &format!("{query}&sort={sort}")).await;
            let mut want: Vec<&TicketSummary> = all.iter().filter(|t| keep(t)).collect();
            want.sort_by_key(|t| sort_key(t, sort));
            let got_ids: Vec<i64> = got.iter().map(|t| t.number).collect();
            let want_ids: Vec<i64> = want.iter().map(|t| t.number).collect();
            assert!(!want_ids.is_empty(), "{query}: the desk has such tickets");
            assert_eq!(got_ids, want_ids, "{query} by {sort}");
        }
        // Recently solved, in every order, page after page: finished, no repeats, all of them.
        let counts: QueueCounts = app
            .client(&admin.token)
            .ticket_counts()
            .await
            .checked()
            .expect("counts");
        for sort in ["sla_due", "priority", "updated"] {
            let got = all_pages(
                &app,
                &admin.token,
                &format!("view=recently_solved&sort={sort}"),
            )
            .await;
            assert_eq!(
                got.len() as i64,
                count(&counts, QueueView::RecentlySolved),
                "by {sort}"
            );
            assert!(got.iter().all(|t| !open(t)));
            let keys: Vec<_> = got.iter().map(|t| sort_key(t, sort)).collect();
            assert!(
                keys.windows(2).all(|w| w[0] < w[1]),
                "recently solved by {sort} is in order"
            );
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_desk() {
    let now = chrono::Utc::now();
    let mut desks = Vec::new();
    for _ in 0..2 {
        let db = fresh_database(Db::Sqlite).await;
        let store = opsdesk_store::open(&db.url).await.expect("open");
        let plan = SeedPlan {
            staff: 10,
            batch: 70,
            ..SeedPlan::new(300, 12, now)
        };
        seed(store.as_ref(), plan, |_| {}).await.expect("seed");
        let tickets = store.ticket_changes(0, 1_000).await.expect("changes");
        let first = tickets[0].id();
        let messages = store.ticket_messages(first).await.expect("messages");
        desks.push((tickets, messages, db));
    }
    let (a, b) = (&desks[0], &desks[1]);
    assert_eq!(a.0.len(), 300);
    for (x, y) in a.0.iter().zip(&b.0) {
        assert_eq!(x.summary, y.summary);
    }
    assert_eq!(a.1, b.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_command_checks_its_options_and_reports_its_rate() {
    let db = fresh_database(Db::Sqlite).await;
    let hub = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_opsdesk-hub"))
            .arg("--database")
            .arg(&db.url)
            .arg("seed")
            .args(args)
            .env("OPSDESK_LOG", "warn")
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("run opsdesk-hub")
    };
    let out = hub(&["--tickets", "0", "--tenants", "5"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--tickets must be between 1 and 10000000"),
        "{err}"
    );
    let out = hub(&["--tickets", "10", "--tenants", "5", "--staff", "3"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--staff must be between 7"));

    let out = hub(&[
        "--tickets",
        "250",
        "--tenants",
        "8",
        "--staff",
        "7",
        "--seed",
        "9",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Seeded 250 tickets"), "{stdout}");
    assert!(stdout.contains("tickets/s"), "{stdout}");
    assert!(stdout.contains("Seeded 160 tenant users"), "{stdout}");

    let out = hub(&["--tickets", "10", "--tenants", "8", "--staff", "7"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already holds 250 tickets") && err.contains("--append"),
        "{err}"
    );
    // An append never invents users for the (possibly real) tenants it finds.
    let out = hub(&[
        "--tickets",
        "10",
        "--tenants",
        "8",
        "--staff",
        "7",
        "--append",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tenant-users 0"));
    let out = hub(&[
        "--tickets",
        "10",
        "--tenants",
        "8",
        "--staff",
        "7",
        "--append",
        "--tenant-users",
        "0",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
