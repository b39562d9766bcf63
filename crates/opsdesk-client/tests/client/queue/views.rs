//! (a) The first sync fills the cache; every view, sort, filter and saved filter read from it
//! lists what the hub lists, with the same counts; an incremental sync picks up changes.

use super::{desk_queue, hub_queue, hub_ticket, hub_write, note_elsewhere, open_ticket, tenant};
use crate::helpers::{sign_in, Fixture};
use opsdesk_core::ticket::{Priority, QueueSort, QueueView, TicketStatus};
use opsdesk_core::Role;
use opsdesk_hub::testing::{spawn_app, Db};
use opsdesk_proto::{QueueCounts, QueueQuery, SaveFilterRequest, TicketFilter, TicketSummary};
use serde_json::json;

#[tokio::test]
async fn the_first_sync_fills_the_cache_and_views_list_what_the_hub_lists() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let sam = app.invite(&admin, "sam.senior", Role::SeniorAgent).await;
    let acme = tenant(&app, &admin, "Acme").await;
    let globex = tenant(&app, &admin, "Globex").await;
    // High is left out: its one-hour first response sits on the edge of "breaching soon", where
    // the app's clock and the test hub's shifted clock may disagree.
    let priorities = [Priority::Critical, Priority::Medium, Priority::Low];
    let mut tickets = Vec::new();
    for i in 0..24 {
        let (tenant, word) = if i % 2 == 0 {
            (&acme, "Printer")
        } else {
            (&globex, "Network")
        };
        let tags: &[&str] = match i % 3 {
            0 => &["billing"],
            1 => &["vpn", "billing"],
            _ => &[],
        };
        let subject = format!("{word} trouble number {i}");
        tickets.push(open_ticket(&app, &admin, tenant, &subject, priorities[i % 3], tags).await);
    }
    // A day's work on the hub: some assigned to Sam, some escalated (one to L3, which a senior
    // agent does not handle), some solved, some waiting on the requester.
    for t in &mut tickets[0..6] {
        *t = hub_write(
            &app,
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/tickets/{}/assign", t.id),
            &json!({"version": t.version, "to": {"kind": "staff", "staff_id": sam.id}}),
        )
        .await
        .expect("assigned");
    }
    for t in &mut tickets[6..11] {
        *t = hub_write(
            &app,
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/tickets/{}/escalate", t.id),
            &json!({"version": t.version, "reason": "the customer is down"}),
        )
        .await
        .expect("escalated");
    }
    let t10 = &mut tickets[10];
    *t10 = hub_write(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("/api/v1/tickets/{}/escalate", t10.id),
        &json!({"version": t10.version, "reason": "needs engineering"}),
    )
    .await
    .expect("escalated to L3");
    for (range, status) in [(11..15, "solved"), (15..18, "pending")] {
        for t in &mut tickets[range] {
            *t = hub_write(
                &app,
                &admin,
                reqwest::Method::PATCH,
                &format!("/api/v1/tickets/{}", t.id),
                &json!({"version": t.version, "status": status}),
            )
            .await
            .expect("status changed");
        }
    }

    let fx = Fixture::new();
    fx.remote_key(&app, &sam.username);
    let desk = fx.connected(&app).await;
    sign_in(&desk, &app, &sam).await;
    let status = desk.sync_now().await.unwrap();
    assert!(!status.stale, "{status:?}");
    assert_eq!(status.last_error, None);
    assert_eq!(status.cached_tickets, 24);
    assert!(status.synced_at.is_some());
    assert!(status.outbox.is_empty());

    let saved = desk
        .save_filter(SaveFilterRequest {
            name: "Billing at Acme".into(),
            filter: TicketFilter {
                tenant_id: Some(acme.id),
                tag: Some("billing".into()),
                ..TicketFilter::default()
            },
            sort: Some(QueueSort::Priority),
        })
        .await
        .unwrap();

    // Every view in every order, then filters, page by page: the same tickets, same order,
    // same fields as the hub's own pages.
    let mut queries = Vec::new();
    for view in QueueView::ALL {
        for sort in [
            None,
            Some(QueueSort::SlaDue),
            Some(QueueSort::Priority),
            Some(QueueSort::Updated),
        ] {
            queries.push(QueueQuery {
                view: Some(*view),
                sort,
                ..QueueQuery::default()
            });
        }
    }
    queries.extend([
        QueueQuery {
            tenant_id: Some(acme.id),
            ..QueueQuery::default()
        },
        QueueQuery {
            priority: Some(Priority::Critical),
            ..QueueQuery::default()
        },
        QueueQuery {
            status: Some(TicketStatus::Pending),
            ..QueueQuery::default()
        },
        QueueQuery {
            view: Some(QueueView::Escalated),
            status: Some(TicketStatus::Solved),
            ..QueueQuery::default()
        },
        QueueQuery {
            view: Some(QueueView::RecentlySolved),
            tenant_id: Some(globex.id),
            ..QueueQuery::default()
        },
        QueueQuery {
            tag: Some("vpn".into()),
            sort: Some(QueueSort::Updated),
            ..QueueQuery::default()
        },
        QueueQuery {
            text: Some("printer".into()),
            ..QueueQuery::default()
        },
        QueueQuery {
            assignee_id: Some(sam.id),
            tag: Some("billing".into()),
            ..QueueQuery::default()
        },
        QueueQuery {
            saved: Some(saved.id),
            ..QueueQuery::default()
        },
    ]);
    let mut nonempty = 0;
    for q in &queries {
        let (local, _) = desk_queue(&desk, q).await;
        let hub = hub_queue(&app, &sam, q).await;
        assert_eq!(local, hub, "{q:?}");
        nonempty += usize::from(!hub.is_empty());
    }
    assert!(
        nonempty >= queries.len() - 2,
        "the data set exercises the views"
    );

    let screen = desk.queue(QueueQuery::default()).await.unwrap();
    let hub_counts: QueueCounts = app.get("/api/v1/tickets/counts", &sam.token).await.unwrap();
    assert_eq!(screen.counts, hub_counts);
    assert_eq!(screen.saved_filters, vec![saved.clone()]);

    // Incremental: a note, a priority change and a new ticket on the hub reach the cache.
    let noted = note_elsewhere(&app, &admin, &tickets[20], "Called the customer back").await;
    let t21 = &tickets[21];
    let raised: TicketSummary = hub_write(
        &app,
        &admin,
        reqwest::Method::PATCH,
        &format!("/api/v1/tickets/{}", t21.id),
        &json!({"version": t21.version, "priority": "critical"}),
    )
    .await
    .unwrap();
    let fresh = open_ticket(
        &app,
        &admin,
        &acme,
        "Printer jammed again",
        Priority::Low,
        &[],
    )
    .await;
    let status = desk.sync_now().await.unwrap();
    assert_eq!(status.cached_tickets, 25);
    let all = QueueQuery {
        view: Some(QueueView::AllOpen),
        ..QueueQuery::default()
    };
    let (local, _) = desk_queue(&desk, &all).await;
    assert_eq!(local, hub_queue(&app, &sam, &all).await);
    for changed in [&noted, &raised, &fresh] {
        assert!(
            local.contains(changed),
            "{} is current in the cache",
            changed.number
        );
    }
    let screen = desk.queue(QueueQuery::default()).await.unwrap();
    let hub_counts: QueueCounts = app.get("/api/v1/tickets/counts", &sam.token).await.unwrap();
    assert_eq!(screen.counts, hub_counts);

    // Opening a ticket reads the hub and keeps the conversation.
    let opened = desk.ticket(noted.id).await.unwrap();
    assert!(!opened.from_cache);
    let on_hub = hub_ticket(&app, &sam, noted.id).await;
    assert_eq!(opened.detail.ticket, on_hub.ticket);
    assert_eq!(opened.detail.messages, on_hub.messages);
    let hits = desk.search_tickets("jammed").await.unwrap();
    assert_eq!(hits.first().map(|h| h.ticket.id), Some(fresh.id));
}
