//! The desk's live event stream against a real hub: an escalation reaches the senior agent's app
//! (cache, screens, inbox, pop-up); the stream survives a dropped connection and a hub restart
//! and resumes with nothing missed or doubled; an app restart resumes from the kept event id and
//! what happened while it was closed waits in the inbox, also when the app never heard an event
//! (it resumes from where the hub said the stream started, not from the beginning); a manager
//! approves a request from its pop-up; paused notifications and the idle lock; sign-out stops it
//! all.

use crate::helpers::{eventually, sign_in, Fixture, Relay};
use crate::queue::{hub_write, open_ticket, tenant};
use opsdesk_client::live::{
    Delivery, Inbox, LiveCounts, PopupResponse, RecordingObserver, ToastTone,
};
use opsdesk_client::{Cache, Desk};
use opsdesk_core::events::{EventKind, SubjectKind};
use opsdesk_core::ticket::{EscalationLevel, Priority, QueueView};
use opsdesk_core::Role;
use opsdesk_hub::clock::Clock;
use opsdesk_hub::testing::{spawn_app, test_settings, Db, Person, TestApp};
use opsdesk_proto::{QueueQuery, TenantView, TicketSummary};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// `by` escalates `t` to L2, as an agent does.
pub async fn escalate(app: &TestApp, by: &Person, t: &TicketSummary, reason: &str) {
    let _: TicketSummary = hub_write(
        app,
        by,
        reqwest::Method::POST,
        &format!("/api/v1/tickets/{}/escalate", t.id),
        &json!({"version": t.version, "reason": reason}),
    )
    .await
    .expect("escalated on the hub");
}

/// A hub with a tenant, an agent and a senior agent.
pub async fn desk_team(app: &TestApp) -> (TenantView, Person, Person) {
    let admin = app.admin().await;
    let acme = tenant(app, &admin, "Acme").await;
    let agent = app.invite(&admin, "ana.agent", Role::Agent).await;
    let senior = app.invite(&admin, "sam.senior", Role::SeniorAgent).await;
    (acme, agent, senior)
}

/// `who`'s desk on the hub at `url` (the test hub or a relay to it), signed in, its stream open,
/// with what it tells the shell recorded.
pub async fn live_desk(
    fx: &Fixture,
    url: &str,
    app: &TestApp,
    who: &Person,
) -> (Desk, Arc<RecordingObserver>) {
    fx.key_for(url, &who.username);
    let desk = fx.open().await;
    desk.connect_hub(url).await.expect("connect");
    let heard = Arc::new(RecordingObserver::default());
    desk.set_observer(heard.clone());
    sign_in(&desk, app, who).await;
    connected(&desk).await;
    (desk, heard)
}

/// Waits until the screens heard as many ticket events as `expected`, then checks they are those,
/// in order: nothing missed, nothing twice.
async fn heard_exactly(heard: &RecordingObserver, expected: &[(EventKind, Uuid)], what: &str) {
    eventually(what, || async {
        (heard.changes_of(SubjectKind::Ticket).len() >= expected.len()).then_some(())
    })
    .await;
    assert_eq!(heard.changes_of(SubjectKind::Ticket), expected, "{what}");
}

/// Stops the test hub (once its streams are gone) and starts it again on the database at `url`,
/// at a new address the relay leads to.
async fn restart_hub(app: &mut TestApp, relay: &Relay, url: &str) {
    let hub = app.hub.take().expect("running");
    tokio::time::timeout(std::time::Duration::from_secs(20), hub.stop())
        .await
        .expect("the hub stops once its streams are gone")
        .unwrap();
    let store = opsdesk_hub::open_sqlite(url)
        .await
        .expect("the database opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let clock: Arc<dyn Clock> = app.clock.clone();
    let hub = opsdesk_hub::start(store, test_settings(), clock, listener).expect("restarts");
    app.base = format!("http://{}", hub.addr);
    relay.point_at(hub.addr);
    app.hub = Some(hub);
}

/// Waits until the desk's stream is open.
pub async fn connected(desk: &Desk) {
    eventually("the event stream opens", || async {
        desk.live_status().await.connected.then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_escalation_updates_the_cache_screens_inbox_and_pops_up_for_the_senior_agent() {
    let app = spawn_app(Db::Sqlite).await;
    let (acme, agent, senior) = desk_team(&app).await;
    let fx = Fixture::new();
    let (desk, heard) = live_desk(&fx, &app.base, &app, &senior).await;

    let t = open_ticket(&app, &agent, &acme, "Checkout fails", Priority::High, &[]).await;
    escalate(&app, &agent, &t, "Needs the gateway logs").await;

    let popups = eventually("the pop-up", || async {
        let shown = fx.popups.shown();
        (!shown.is_empty()).then_some(shown)
    })
    .await;
    assert_eq!(
        popups[0].title,
        format!("#{} escalated to L2 · Acme", t.number)
    );
    assert!(popups[0].body.contains("Needs the gateway logs"));
    // The screens hear of it once the cache holds it: the escalated view lists it, read locally.
    let events = [
        (EventKind::TicketCreated, t.id),
        (EventKind::TicketEscalated, t.id),
    ];
    heard_exactly(&heard, &events, "the screens hear of it").await;
    let escalated = desk
        .queue(QueueQuery {
            view: Some(QueueView::Escalated),
            ..QueueQuery::default()
        })
        .await
        .unwrap();
    let cached = escalated
        .items
        .iter()
        .find(|i| i.id == t.id)
        .expect("in the escalated view");
    assert_eq!(cached.escalation_level, EscalationLevel::L2);
    // The inbox has it, unread; the tray counts it.
    let inbox = desk.inbox(false).await.unwrap();
    assert_eq!(inbox.unread, 1);
    assert_eq!(inbox.items[0].delivery, Delivery::Shown);
    assert_eq!(inbox.items[0].subject_id, Some(t.id));
    let counts = eventually("the tray counts", || async {
        let c = desk.live_status().await.counts;
        (c.escalated_to_me == 1).then_some(c)
    })
    .await;
    assert_eq!((counts.waiting_for_my_review, counts.unread), (0, 1));
    // Clicking the pop-up opens the ticket and marks it read.
    assert!(fx.popups.respond(0, PopupResponse::Open));
    assert_eq!(heard.opened()[0].subject_id, t.id);
    eventually("read after opening", || async {
        (desk.inbox(true).await.unwrap().items.is_empty()).then_some(())
    })
    .await;

    // Sign-out stops the stream and forgets the counts.
    desk.sign_out().await.unwrap();
    assert!(!desk.live_status().await.connected);
    assert_eq!(desk.live_status().await.counts, LiveCounts::default());
    desk.close().await;
}

#[tokio::test]
async fn the_stream_resumes_after_a_drop_and_a_hub_restart_with_nothing_lost_or_doubled() {
    let mut app = spawn_app(Db::Sqlite).await;
    let (acme, agent, senior) = desk_team(&app).await;
    let relay = Relay::start(app.hub.as_ref().expect("running").addr).await;
    let fx = Fixture::new();
    let (desk, heard) = live_desk(&fx, &relay.url, &app, &senior).await;

    let t1 = open_ticket(&app, &agent, &acme, "Login loop", Priority::High, &[]).await;
    let mut expected = vec![(EventKind::TicketCreated, t1.id)];
    heard_exactly(&heard, &expected, "t1 heard").await;

    // The network drops the connection; changes made meanwhile arrive after the reconnect.
    relay.set_down(true);
    relay.cut();
    eventually("the stream notices", || async {
        (!desk.live_status().await.connected).then_some(())
    })
    .await;
    escalate(&app, &agent, &t1, "SSO misconfigured").await;
    let t2 = open_ticket(&app, &agent, &acme, "Export slow", Priority::Low, &[]).await;
    expected.extend([
        (EventKind::TicketEscalated, t1.id),
        (EventKind::TicketCreated, t2.id),
    ]);
    relay.set_down(false);
    heard_exactly(&heard, &expected, "replayed after the drop").await;

    // The hub restarts on the same database (at a new address the network leads to).
    relay.set_down(true);
    relay.cut();
    let url = app.db.url.clone();
    restart_hub(&mut app, &relay, &url).await;
    escalate(&app, &agent, &t2, "Big tenant").await;
    let t3 = open_ticket(
        &app,
        &agent,
        &acme,
        "Webhook retries",
        Priority::Medium,
        &[],
    )
    .await;
    expected.extend([
        (EventKind::TicketEscalated, t2.id),
        (EventKind::TicketCreated, t3.id),
    ]);
    relay.set_down(false);
    heard_exactly(&heard, &expected, "replayed after the restart").await;
    // And live again after it.
    escalate(
        &app,
        &agent,
        &crate::queue::hub_ticket(&app, &agent, t3.id).await.ticket,
        "Customer waiting",
    )
    .await;
    expected.push((EventKind::TicketEscalated, t3.id));
    heard_exactly(&heard, &expected, "live after the restart").await;

    // Seconds-old events replayed after a reconnect still pop up, once each; one inbox entry
    // per escalation; and the cache caught up with all of it.
    let titles: Vec<String> = fx.popups.shown().into_iter().map(|p| p.title).collect();
    let number = |t: &TicketSummary| format!("#{} escalated to L2 · Acme", t.number);
    assert_eq!(titles, [number(&t1), number(&t2), number(&t3)]);
    let inbox = desk.inbox(false).await.unwrap();
    let mut notified: Vec<Option<Uuid>> = inbox.items.iter().map(|i| i.subject_id).collect();
    notified.reverse();
    assert_eq!(notified, [Some(t1.id), Some(t2.id), Some(t3.id)]);
    let escalated = desk
        .queue(QueueQuery {
            view: Some(QueueView::Escalated),
            ..QueueQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(escalated.items.len(), 3);
    desk.close().await;
}

/// The hub's database is restored from a backup taken before the app's last event: the app's
/// resume point is past every event the hub has. The hub answers `resync` with its own last id,
/// and the app follows the hub's numbering from there, so what happens next pops up instead of
/// being skipped as already seen.
#[tokio::test]
async fn after_the_hub_is_restored_from_a_backup_the_app_follows_its_numbering_again() {
    let mut app = spawn_app(Db::Sqlite).await;
    let (acme, agent, senior) = desk_team(&app).await;
    let relay = Relay::start(app.hub.as_ref().expect("running").addr).await;
    let fx = Fixture::new();
    let (desk, heard) = live_desk(&fx, &relay.url, &app, &senior).await;

    // A backup, with everyone's sessions in it.
    let backup = std::env::temp_dir().join(format!("opsdesk-backup-{}.sqlite", Uuid::new_v4()));
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&app.db.url)
        .await
        .expect("the hub's database");
    sqlx::query("VACUUM INTO ?")
        .bind(backup.to_string_lossy().to_string())
        .execute(&mut conn)
        .await
        .expect("backup");
    drop(conn);

    // After it, an escalation the app hears: its resume point is now past the backup's events.
    let t1 = open_ticket(&app, &agent, &acme, "Login loop", Priority::High, &[]).await;
    escalate(&app, &agent, &t1, "SSO misconfigured").await;
    eventually("the first pop-up", || async {
        (fx.popups.shown().len() == 1).then_some(())
    })
    .await;

    // The hub is restored from the backup (at a new address the network leads to).
    relay.set_down(true);
    relay.cut();
    restart_hub(&mut app, &relay, &format!("sqlite://{}", backup.display())).await;
    relay.set_down(false);
    eventually("the app is told to reload", || async {
        (*heard.resyncs.lock().unwrap() >= 1).then_some(())
    })
    .await;

    // The restored hub numbers its events again from where the backup ends; the app hears them.
    let t2 = open_ticket(&app, &agent, &acme, "Export slow", Priority::High, &[]).await;
    escalate(&app, &agent, &t2, "Big tenant").await;
    let shown = eventually("the pop-up after the restore", || async {
        let shown = fx.popups.shown();
        (shown.len() == 2).then_some(shown)
    })
    .await;
    assert_eq!(
        shown[1].title,
        format!("#{} escalated to L2 · Acme", t2.number)
    );
    desk.close().await;
    let _ = std::fs::remove_file(&backup);
}

#[tokio::test]
async fn an_app_restart_resumes_from_the_kept_id_and_what_it_missed_waits_unread() {
    let app = spawn_app(Db::Sqlite).await;
    let (acme, agent, senior) = desk_team(&app).await;
    let fx = Fixture::new();
    let (desk, heard) = live_desk(&fx, &app.base, &app, &senior).await;
    let t1 = open_ticket(&app, &agent, &acme, "Invoices missing", Priority::High, &[]).await;
    heard_exactly(&heard, &[(EventKind::TicketCreated, t1.id)], "t1 heard").await;
    desk.close().await;
    drop(desk);

    // While the app is closed, t1 is escalated to the senior agents' tier.
    escalate(&app, &agent, &t1, "Finance escalation").await;

    let desk = fx.open().await;
    let heard = Arc::new(RecordingObserver::default());
    desk.set_observer(heard.clone());
    desk.restore_session().await.unwrap().expect("kept session");
    let item = eventually("the missed escalation in the inbox", || async {
        desk.inbox(false).await.unwrap().items.into_iter().next()
    })
    .await;
    assert_eq!(item.title, format!("#{} escalated to L2 · Acme", t1.number));
    assert_eq!((item.delivery, item.read), (Delivery::Missed, false));
    assert!(
        fx.popups.shown().is_empty(),
        "missed ones do not pop up late"
    );
    // The screens hear of it once the cache caught up.
    let missed = [(EventKind::TicketEscalated, t1.id)];
    heard_exactly(&heard, &missed, "the screens hear of it").await;
    assert_eq!(heard.unread(), Some(1));
    desk.close().await;
}

#[tokio::test]
async fn an_app_that_heard_no_event_resumes_from_where_its_stream_started_not_from_the_start() {
    let app = spawn_app(Db::Sqlite).await;
    let (acme, agent, senior) = desk_team(&app).await;
    // Before the senior agent's app first connects: events it never needs.
    let old = open_ticket(&app, &agent, &acme, "Old news", Priority::High, &[]).await;
    escalate(&app, &agent, &old, "Handled by phone").await;
    let state = app.hub.as_ref().expect("running").state.clone();
    let started = state.store.last_event_seq().await.expect("event log");
    let relay = Relay::start(app.hub.as_ref().expect("running").addr).await;
    let fx = Fixture::new();
    let (desk, heard) = live_desk(&fx, &relay.url, &app, &senior).await;
    // No event arrives, but the stream said where it starts: the cache keeps that.
    let cache = Cache::open(&fx.paths.data_dir)
        .await
        .expect("the desk's cache");
    let kept = eventually("the resume point is kept", || async {
        let cursor = Inbox::new(cache.clone()).cursor().await.expect("readable");
        cursor.and_then(|c| c.last_id)
    })
    .await;
    assert_eq!(kept, started);
    assert!(heard.changes_of(SubjectKind::Ticket).is_empty());
    desk.close().await;
    drop((desk, cache));

    // While the app is closed, a ticket is opened and escalated to the senior agents.
    let t = open_ticket(&app, &agent, &acme, "Refund twice", Priority::High, &[]).await;
    escalate(&app, &agent, &t, "Over my limit").await;

    let desk = fx.open().await;
    let heard = Arc::new(RecordingObserver::default());
    desk.set_observer(heard.clone());
    desk.restore_session().await.unwrap().expect("kept session");
    // Only what happened while closed is replayed: the stream resumed after the kept id.
    let missed = [
        (EventKind::TicketCreated, t.id),
        (EventKind::TicketEscalated, t.id),
    ];
    heard_exactly(&heard, &missed, "only the events after the kept id").await;
    assert_eq!(relay.stream_resumes(), [None, Some(started)]);
    // The missed escalation waits in the inbox, unread; nothing about the old ticket.
    let item = eventually("the missed escalation in the inbox", || async {
        desk.inbox(false).await.unwrap().items.into_iter().next()
    })
    .await;
    assert_eq!(
        (item.subject_id, item.delivery, item.read),
        (Some(t.id), Delivery::Missed, false)
    );
    assert_eq!(desk.inbox(false).await.unwrap().items.len(), 1);
    assert!(fx.popups.shown().is_empty());
    desk.close().await;
}

#[tokio::test]
async fn paused_notifications_land_in_the_inbox_and_locking_stops_the_stream() {
    let app = spawn_app(Db::Sqlite).await;
    let (acme, agent, senior) = desk_team(&app).await;
    let fx = Fixture::new();
    let (desk, _) = live_desk(&fx, &app.base, &app, &senior).await;
    let prefs = desk.set_notifications_paused(true).await.unwrap();
    assert!(prefs.paused);
    let t = open_ticket(&app, &agent, &acme, "Refund stuck", Priority::Critical, &[]).await;
    escalate(&app, &agent, &t, "Payment provider").await;
    let item = eventually("in the inbox", || async {
        desk.inbox(false).await.unwrap().items.into_iter().next()
    })
    .await;
    assert_eq!(item.delivery, Delivery::Paused);
    assert!(fx.popups.shown().is_empty());
    // The setting is kept for the next start.
    desk.close().await;
    drop(desk);
    let desk = fx.open().await;
    assert!(desk.notification_prefs().await.paused);
    desk.restore_session().await.unwrap();
    connected(&desk).await;
    desk.set_locked(true).await;
    assert!(!desk.live_status().await.connected);
    desk.set_locked(false).await;
    connected(&desk).await;
    // Quiet hours need both ends.
    let half = opsdesk_proto::NotificationPrefs {
        quiet_from: chrono::NaiveTime::from_hms_opt(22, 0, 0),
        ..Default::default()
    };
    let err = desk.set_notification_prefs(half).await.unwrap_err();
    assert_eq!(err.to_ui().field.as_deref(), Some("quiet_until"));
    desk.close().await;
}

#[tokio::test]
async fn a_manager_approves_an_access_request_from_its_pop_up() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let acme = tenant(&app, &admin, "Acme").await;
    let agent = app.invite(&admin, "ana.agent", Role::Agent).await;
    let manager = app.invite(&admin, "maria.manager", Role::Manager).await;
    let path = format!("/api/v1/staff/{}/clearance", agent.id);
    let c: opsdesk_proto::ClearanceView = app.get(&path, &admin.token).await.unwrap();
    let _: opsdesk_proto::ClearanceView = app
        .put(
            &path,
            &admin.token,
            &json!({"nda": true, "background_check": true, "training": true, "version": c.version}),
        )
        .await
        .unwrap();
    let fx = Fixture::new();
    let (desk, heard) = live_desk(&fx, &app.base, &app, &manager).await;

    let request: opsdesk_proto::AccessRequestView = hub_write(
        &app,
        &agent,
        reqwest::Method::POST,
        "/api/v1/access/requests",
        &json!({"tenant_id": acme.id, "scope": "read", "reason": "Customer reports missing invoices",
                "duration_minutes": 60}),
    )
    .await
    .expect("requested");
    let popup = eventually("the review pop-up", || async {
        fx.popups.shown().into_iter().next()
    })
    .await;
    assert_eq!(popup.title, "ana.agent asks for read access to Acme");
    assert_eq!(
        popup.actions,
        [
            opsdesk_proto::NotificationAction::Open,
            opsdesk_proto::NotificationAction::Approve,
            opsdesk_proto::NotificationAction::Deny
        ]
    );
    eventually("counted as waiting for my review", || async {
        (desk.live_status().await.counts.waiting_for_my_review == 1).then_some(())
    })
    .await;

    // Deny needs a comment: it opens the request with the comment in focus.
    assert!(fx.popups.respond(0, PopupResponse::Deny));
    let opened = heard.opened()[0].clone();
    assert_eq!(
        (opened.subject_kind, opened.subject_id),
        (SubjectKind::AccessRequest, request.id)
    );
    assert_eq!(opened.focus, Some(opsdesk_client::live::OpenFocus::Deny));
    // It stays in the inbox, unread, until dealt with.
    let inbox = desk.inbox(false).await.unwrap();
    assert_eq!(
        inbox.items[0].kind,
        Some(opsdesk_proto::NotificationKind::Review)
    );
    assert!(!inbox.items[0].read);

    // Another request, approved from its pop-up.
    let other = tenant(&app, &admin, "Globex").await;
    let second: opsdesk_proto::AccessRequestView = hub_write(
        &app,
        &agent,
        reqwest::Method::POST,
        "/api/v1/access/requests",
        &json!({"tenant_id": other.id, "scope": "read", "reason": "Export stuck", "duration_minutes": 30}),
    )
    .await
    .expect("requested");
    eventually("the second pop-up", || async {
        (fx.popups.shown().len() == 2).then_some(())
    })
    .await;
    assert!(fx.popups.respond(1, PopupResponse::Approve));
    let toast = eventually("the approval's result", || async {
        heard.toasts().first().cloned()
    })
    .await;
    assert_eq!(toast.tone, ToastTone::Success, "{toast:?}");
    let on_hub: opsdesk_proto::AccessRequestView = app
        .get(
            &format!("/api/v1/access/requests/{}", second.id),
            &admin.token,
        )
        .await
        .unwrap();
    assert_eq!(on_hub.status, opsdesk_proto::RequestStatus::Approved);
    let follow_up = eventually("the follow-up pop-up", || async {
        fx.popups.shown().get(2).cloned()
    })
    .await;
    assert_eq!(follow_up.title, "Access request approved");
    assert!(follow_up.actions.is_empty());
    desk.close().await;
}
