//! (b) Writes made while the hub is down (and across an app restart) wait in the outbox and
//! reach the hub once each, in the order typed, when it comes back on the same database; a
//! write whose answer was lost is not applied twice.

use super::{bodies_by, hub_ticket, note, open_ticket, reply, set_status, tenant};
use crate::helpers::{sign_in, Fixture, Relay};
use opsdesk_client::queue::{OutboxState, TicketAction};
use opsdesk_client::ClientError;
use opsdesk_core::ticket::{Priority, TicketStatus};
use opsdesk_hub::clock::Clock;
use opsdesk_hub::testing::{spawn_app, test_settings, Db};
use opsdesk_proto::QueueQuery;
use std::sync::Arc;
use uuid::Uuid;

#[tokio::test]
async fn offline_writes_arrive_once_each_and_in_order_after_the_hub_comes_back() {
    let mut app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let acme = tenant(&app, &admin, "Acme").await;
    let t1 = open_ticket(
        &app,
        &admin,
        &acme,
        "Invoices missing",
        Priority::Medium,
        &[],
    )
    .await;
    let t2 = open_ticket(&app, &admin, &acme, "Login loop", Priority::Medium, &[]).await;
    let t3 = open_ticket(&app, &admin, &acme, "Export times out", Priority::Low, &[]).await;
    let relay = Relay::start(app.hub.as_ref().expect("running").addr).await;
    let fx = Fixture::new();
    fx.key_for(&relay.url, &admin.username);
    let desk = fx.open().await;
    desk.connect_hub(&relay.url).await.unwrap();
    sign_in(&desk, &app, &admin).await;
    assert_eq!(desk.sync_now().await.unwrap().cached_tickets, 3);

    // Online: the hub takes it at once.
    let done = desk
        .ticket_act(t1.id, t1.version, reply("We are on it.", None))
        .await
        .unwrap();
    let t1_seen = done.ticket.expect("accepted");
    assert!(done.queued.is_none());
    assert_eq!(t1_seen.version, t1.version + 1);

    // The hub commits this note but its answer is lost on the way: the desk keeps it waiting.
    relay.lose_next_answer();
    let lost = desk
        .ticket_act(t2.id, t2.version, note("Checked the SSO logs."))
        .await
        .unwrap();
    let lost = lost.queued.expect("no answer: still in the outbox");
    assert_eq!(lost.state, OutboxState::Waiting);
    assert_eq!(
        bodies_by(&app, &admin, t2.id, admin.id).await,
        ["Checked the SSO logs."],
        "the hub did apply it"
    );

    // The hub goes down in the middle of the burst (what was open to it drops, the desk's event
    // stream included).
    relay.cut();
    app.hub.take().expect("running").stop().await.unwrap();
    let burst = [
        (t1.id, t1_seen.version, note("Finance confirmed the gap.")),
        (
            t3.id,
            t3.version,
            reply("Can you try a smaller range?", Some(TicketStatus::Pending)),
        ),
        (t2.id, t2.version, set_status(TicketStatus::Pending)),
        (
            t1.id,
            t1_seen.version,
            reply("Fixed, invoices are back.", Some(TicketStatus::Solved)),
        ),
    ];
    for (id, version, action) in burst {
        let outcome = desk.ticket_act(id, version, action).await.unwrap();
        assert!(outcome.ticket.is_none());
        assert_eq!(outcome.queued.expect("queued").state, OutboxState::Waiting);
    }
    let status = desk.sync_now().await.unwrap();
    assert!(status.stale);
    assert_eq!(
        status.last_error.map(|e| e.code).as_deref(),
        Some("hub_unreachable")
    );
    assert_eq!(status.outbox.len(), 5);
    let offline = desk.ticket(t1.id).await.unwrap();
    assert!(offline.from_cache);
    assert_eq!(offline.pending.len(), 2);

    // The app is closed and opened again while the hub is still down: the outbox stays.
    desk.close().await;
    drop(desk);
    let desk = fx.open().await;
    assert!(matches!(
        desk.restore_session().await,
        Err(ClientError::Unreachable { .. } | ClientError::Protocol { .. })
    ));
    let screen = desk.queue(QueueQuery::default()).await.unwrap();
    assert!(screen.sync.stale, "not caught up since the app opened");
    assert_eq!(screen.items.len(), 3, "the queue reads from the cache");
    for (id, version, action) in [
        (t3.id, t3.version, note("Asked for the export id.")),
        (
            t2.id,
            t2.version,
            reply("Please clear your cookies and retry.", None),
        ),
    ] {
        let outcome = desk.ticket_act(id, version, action).await.unwrap();
        assert_eq!(outcome.queued.expect("queued").state, OutboxState::Waiting);
    }
    let status = desk.sync_now().await.unwrap();
    let queued: Vec<(Uuid, &TicketAction)> = status
        .outbox
        .iter()
        .map(|i| (i.ticket_id, &i.action))
        .collect();
    assert_eq!(queued.len(), 7);
    assert_eq!(queued[0], (t2.id, &note("Checked the SSO logs.")));
    assert_eq!(
        queued[6],
        (t2.id, &reply("Please clear your cookies and retry.", None))
    );
    assert!(status.outbox.windows(2).all(|w| w[0].id < w[1].id));

    // The hub comes back on the same database (at a new address the network leads to).
    let store = opsdesk_hub::open_sqlite(&app.db.url)
        .await
        .expect("reopen the hub's database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let clock: Arc<dyn Clock> = app.clock.clone();
    let hub = opsdesk_hub::start(store, test_settings(), clock, listener).expect("hub restarts");
    relay.point_at(hub.addr);
    app.base = format!("http://{}", hub.addr);
    app.hub = Some(hub);

    let status = desk.sync_now().await.unwrap();
    assert!(status.outbox.is_empty(), "{:?}", status.outbox);
    assert!(!status.stale);
    assert_eq!(status.last_error, None);

    // Each write arrived once, in the order typed; the lost one was not applied twice.
    assert_eq!(
        bodies_by(&app, &admin, t1.id, admin.id).await,
        [
            "We are on it.",
            "Finance confirmed the gap.",
            "Fixed, invoices are back."
        ]
    );
    assert_eq!(
        bodies_by(&app, &admin, t2.id, admin.id).await,
        [
            "Checked the SSO logs.",
            "Please clear your cookies and retry."
        ]
    );
    assert_eq!(
        bodies_by(&app, &admin, t3.id, admin.id).await,
        ["Can you try a smaller range?", "Asked for the export id."]
    );
    let (h1, h2, h3) = (
        hub_ticket(&app, &admin, t1.id).await.ticket,
        hub_ticket(&app, &admin, t2.id).await.ticket,
        hub_ticket(&app, &admin, t3.id).await.ticket,
    );
    assert_eq!(
        (h1.status, h1.version),
        (TicketStatus::Solved, t1.version + 3)
    );
    assert_eq!(
        (h2.status, h2.version),
        (TicketStatus::Pending, t2.version + 3)
    );
    assert_eq!(
        (h3.status, h3.version),
        (TicketStatus::Pending, t3.version + 2)
    );
    let cached = desk.ticket(t2.id).await.unwrap();
    assert!(!cached.from_cache && cached.pending.is_empty());
    assert_eq!(cached.detail.ticket, h2);
}
