//! The desk's live event stream against a real hub: an escalation reaches the senior agent's app
//! (cache, screens, inbox, pop-up); the stream survives a dropped connection and a hub restart
//! and resumes with nothing missed or doubled; an app restart resumes from the kept event id and
//! what happened while it was closed waits in the inbox; a manager approves a request from its
//! pop-up; paused notifications and the idle lock; sign-out stops it all.

use crate::helpers::{eventually, sign_in, Fixture, Relay};
use crate::queue::{hub_write, open_ticket, tenant};
use opsdesk_client::live::{
    Delivery, DeskObserver, InboxUpdate, LiveChange, LiveCounts, LiveToast, OpenRequest,
    PopupResponse, ToastTone,
};
use opsdesk_client::Desk;
use opsdesk_core::events::{EventKind, SubjectKind};
use opsdesk_core::ticket::{EscalationLevel, Priority, QueueView};
use opsdesk_core::Role;
use opsdesk_hub::clock::Clock;
use opsdesk_hub::testing::{spawn_app, test_settings, Db, Person, TestApp};
use opsdesk_proto::{QueueQuery, TenantView, TicketSummary};
use serde_json::json;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// What the shell heard from the desk.
#[derive(Default)]
pub struct Heard {
    pub changes: Mutex<Vec<LiveChange>>,
    pub opened: Mutex<Vec<OpenRequest>>,
    pub unread: Mutex<Option<i64>>,
    pub counts: Mutex<Option<LiveCounts>>,
    pub toasts: Mutex<Vec<LiveToast>>,
}

impl DeskObserver for Heard {
    fn changed(&self, changes: &[LiveChange]) {
        self.changes.lock().unwrap().extend_from_slice(changes);
    }
    fn open(&self, request: &OpenRequest) {
        self.opened.lock().unwrap().push(request.clone());
    }
    fn inbox(&self, update: &InboxUpdate) {
        *self.unread.lock().unwrap() = Some(update.unread);
    }
    fn counts(&self, counts: &LiveCounts) {
        *self.counts.lock().unwrap() = Some(*counts);
    }
    fn toast(&self, toast: &LiveToast) {
        self.toasts.lock().unwrap().push(toast.clone());
    }
}

impl Heard {
    /// The ticket events heard so far, as (kind, ticket).
    pub fn ticket_events(&self) -> Vec<(EventKind, Uuid)> {
        self.changes
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.subject_kind == SubjectKind::Ticket)
            .map(|c| (c.kind, c.subject_id))
            .collect()
    }
}

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
    fx.remote_key(&app, &senior.username);
    let desk = fx.connected(&app).await;
    let heard = Arc::new(Heard::default());
    desk.set_observer(heard.clone());
    sign_in(&desk, &app, &senior).await;
    connected(&desk).await;

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
    eventually("the screens hear of it", || async {
        (heard.ticket_events().len() == 2).then_some(())
    })
    .await;
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
    assert_eq!(
        heard.ticket_events(),
        vec![
            (EventKind::TicketCreated, t.id),
            (EventKind::TicketEscalated, t.id)
        ]
    );
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
    assert_eq!(heard.opened.lock().unwrap()[0].subject_id, t.id);
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
    fx.key_for(&relay.url, &senior.username);
    let desk = fx.open().await;
    desk.connect_hub(&relay.url).await.unwrap();
    let heard = Arc::new(Heard::default());
    desk.set_observer(heard.clone());
    sign_in(&desk, &app, &senior).await;
    connected(&desk).await;

    let t1 = open_ticket(&app, &agent, &acme, "Login loop", Priority::High, &[]).await;
    let mut expected = vec![(EventKind::TicketCreated, t1.id)];
    eventually("t1 heard", || async {
        (heard.ticket_events() == expected).then_some(())
    })
    .await;

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
    eventually("replayed after the drop", || async {
        (heard.ticket_events().len() >= expected.len()).then_some(())
    })
    .await;
    assert_eq!(heard.ticket_events(), expected);

    // The hub restarts on the same database (at a new address the network leads to).
    relay.set_down(true);
    relay.cut();
    let hub = app.hub.take().expect("running");
    tokio::time::timeout(std::time::Duration::from_secs(20), hub.stop())
        .await
        .expect("the hub stops once its streams are gone")
        .unwrap();
    let store = opsdesk_store::open(&app.db.url).await.expect("reopen");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let clock: Arc<dyn Clock> = app.clock.clone();
    let hub = opsdesk_hub::start(store, test_settings(), clock, listener).expect("restarts");
    app.base = format!("http://{}", hub.addr);
    relay.point_at(hub.addr);
    app.hub = Some(hub);
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
    eventually("replayed after the restart", || async {
        (heard.ticket_events().len() >= expected.len()).then_some(())
    })
    .await;
    // And live again after it.
    escalate(
        &app,
        &agent,
        &crate::queue::hub_ticket(&app, &agent, t3.id).await.ticket,
        "Customer waiting",
    )
    .await;
    expected.push((EventKind::TicketEscalated, t3.id));
    eventually("live after the restart", || async {
        (heard.ticket_events().len() >= expected.len()).then_some(())
    })
    .await;
    assert_eq!(heard.ticket_events(), expected, "each event once, in order");

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

#[tokio::test]
async fn an_app_restart_resumes_from_the_kept_id_and_what_it_missed_waits_unread() {
    let app = spawn_app(Db::Sqlite).await;
    let (acme, agent, senior) = desk_team(&app).await;
    let fx = Fixture::new();
    fx.remote_key(&app, &senior.username);
    let desk = fx.connected(&app).await;
    let heard = Arc::new(Heard::default());
    desk.set_observer(heard.clone());
    sign_in(&desk, &app, &senior).await;
    connected(&desk).await;
    let t1 = open_ticket(&app, &agent, &acme, "Invoices missing", Priority::High, &[]).await;
    eventually("t1 heard", || async {
        (!heard.ticket_events().is_empty()).then_some(())
    })
    .await;
    desk.close().await;
    drop(desk);

    // While the app is closed, t1 is escalated to the senior agents' tier.
    escalate(&app, &agent, &t1, "Finance escalation").await;

    let desk = fx.open().await;
    let heard = Arc::new(Heard::default());
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
    assert_eq!(
        heard.ticket_events(),
        vec![(EventKind::TicketEscalated, t1.id)]
    );
    assert_eq!(*heard.unread.lock().unwrap(), Some(1));
    desk.close().await;
}

#[tokio::test]
async fn paused_notifications_land_in_the_inbox_and_locking_stops_the_stream() {
    let app = spawn_app(Db::Sqlite).await;
    let (acme, agent, senior) = desk_team(&app).await;
    let fx = Fixture::new();
    fx.remote_key(&app, &senior.username);
    let desk = fx.connected(&app).await;
    sign_in(&desk, &app, &senior).await;
    connected(&desk).await;
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
    fx.remote_key(&app, &manager.username);
    let desk = fx.connected(&app).await;
    let heard = Arc::new(Heard::default());
    desk.set_observer(heard.clone());
    sign_in(&desk, &app, &manager).await;
    connected(&desk).await;

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
    let opened = heard.opened.lock().unwrap()[0].clone();
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
        heard.toasts.lock().unwrap().first().cloned()
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
