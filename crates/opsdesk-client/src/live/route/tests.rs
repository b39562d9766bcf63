//! Unit tests of routing live events to pop-ups, the inbox and the queue.
use super::*;
use crate::live::notifier::{PopupResponse, RecordingNotifier};
use crate::live::sse::SseMessage;
use crate::live::{LiveShared, Notifier, OpenFocus, RecordingObserver};
use crate::queue::QueueSync;
use chrono::{DateTime, NaiveTime, Timelike};
use opsdesk_core::events::{EventFacts, EventKind, TicketFacts};
use opsdesk_core::ticket::Priority;
use opsdesk_core::Role;
use opsdesk_proto::{NotificationAction, NotificationKind, Urgency};
use std::sync::Arc;
use uuid::Uuid;

const SENIOR: Uuid = Uuid::from_u128(1);
const AGENT: Uuid = Uuid::from_u128(2);
const TICKET: Uuid = Uuid::from_u128(99);

struct Rig {
    router: Router,
    inbox: Inbox,
    popups: RecordingNotifier,
    heard: Arc<RecordingObserver>,
    shared: Arc<LiveShared>,
    opened_at: DateTime<Utc>,
    dir: std::path::PathBuf,
}

impl Rig {
    async fn new(prefs: NotificationPrefs) -> Rig {
        let dir = std::env::temp_dir().join(format!("opsdesk-route-{}", Uuid::new_v4()));
        let cache = Cache::open(&dir).await.unwrap();
        let popups = RecordingNotifier::new();
        let shared = Arc::new(LiveShared::new(
            Arc::new(popups.clone()) as Arc<dyn Notifier>,
            prefs,
        ));
        let heard = Arc::new(RecordingObserver::default());
        shared.set_observer(heard.clone());
        let setup = StreamSetup {
            // Nothing answers there: syncs and counts fail fast and are only logged.
            api: ApiClient::new("http://127.0.0.1:9").unwrap(),
            sync: Arc::new(QueueSync::new(cache.clone())),
            shared: shared.clone(),
            generation: shared.next_generation(),
            epoch: cache.epoch().await,
            cache: cache.clone(),
        };
        let opened_at = Utc::now();
        let cursor = EventCursor {
            last_id: Some(10),
            floor_at: opened_at - chrono::Duration::hours(1),
        };
        let me = Viewer {
            id: SENIOR,
            role: Role::SeniorAgent,
        };
        let inbox = Inbox::new(cache.clone());
        Rig {
            router: Router::new(setup, inbox.clone(), me, cursor, false),
            inbox,
            popups,
            heard,
            shared,
            opened_at,
            dir,
        }
    }

    /// An agent escalates ticket #`id` to L2 at `at`.
    async fn escalation(&mut self, id: i64, at: DateTime<Utc>, priority: Priority) {
        let e = HubEvent {
            id,
            at,
            kind: EventKind::TicketEscalated,
            subject_kind: SubjectKind::Ticket,
            subject_id: TICKET,
            actor_id: Some(AGENT),
            facts: EventFacts::Ticket(TicketFacts {
                number: Some(id),
                subject: "Checkout <fails>".into(),
                tenant_name: "Acme".into(),
                priority,
                escalation_level: EscalationLevel::L2,
                assignee_id: None,
                reason: Some("needs logs".into()),
            }),
        };
        let m = SseMessage {
            event: EVENT_CHANGE.into(),
            data: serde_json::to_string(&e).unwrap(),
            id: Some(id.to_string()),
        };
        assert!(self.router.handle(vec![m], Some(id)).await.is_none());
    }

    async fn items(&self) -> Vec<InboxItem> {
        self.inbox.list(false, 50).await.unwrap().items
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Quiet hours around the current local time, whatever it is.
fn quiet_now() -> NotificationPrefs {
    let now = Local::now().time();
    let hour =
        |h: i64| NaiveTime::from_hms_opt(((i64::from(now.hour()) + 24 + h) % 24) as u32, 0, 0);
    NotificationPrefs {
        quiet_from: hour(-1),
        quiet_until: hour(2),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_live_escalation_pops_up_lands_unread_and_names_the_ticket() {
    let mut rig = Rig::new(NotificationPrefs::default()).await;
    rig.escalation(11, rig.opened_at, Priority::High).await;
    let shown = rig.popups.shown();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].title, "#11 escalated to L2 · Acme");
    assert_eq!(shown[0].urgency, Urgency::Normal);
    assert_eq!(shown[0].actions, vec![NotificationAction::Open]);
    let items = rig.items().await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0].delivery, items[0].read, items[0].kind),
        (Delivery::Shown, false, Some(NotificationKind::Escalation))
    );
    assert_eq!(rig.shared.counts().unread, 1);
    assert_eq!(
        rig.heard.changes_of(SubjectKind::Ticket),
        vec![(EventKind::TicketEscalated, TICKET)]
    );
    // Clicking it opens the ticket and marks it read.
    assert!(rig.popups.respond(0, PopupResponse::Open));
    let opened = rig.heard.opened();
    assert_eq!(opened.len(), 1);
    assert_eq!(
        (opened[0].subject_kind, opened[0].subject_id),
        (SubjectKind::Ticket, TICKET)
    );
    assert_eq!(opened[0].inbox_id, Some(items[0].id));
    for _ in 0..100 {
        if rig.inbox.unread().await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(rig.inbox.unread().await.unwrap(), 0);
    assert_eq!(rig.heard.unread(), Some(0));
}

#[tokio::test]
async fn paused_muted_and_quiet_hours_keep_it_in_the_inbox_but_critical_passes_quiet_hours() {
    let paused = NotificationPrefs {
        paused: true,
        ..Default::default()
    };
    let muted = NotificationPrefs {
        muted: vec![NotificationKind::Escalation],
        ..Default::default()
    };
    for (prefs, priority, delivery) in [
        (paused.clone(), Priority::Critical, Delivery::Paused),
        (muted, Priority::Critical, Delivery::Muted),
        (quiet_now(), Priority::High, Delivery::Quiet),
        (quiet_now(), Priority::Critical, Delivery::Shown),
    ] {
        let mut rig = Rig::new(prefs.clone()).await;
        rig.escalation(11, rig.opened_at, priority).await;
        let items = rig.items().await;
        assert_eq!(items.len(), 1, "{prefs:?}");
        assert_eq!(items[0].delivery, delivery, "{prefs:?} {priority}");
        assert!(!items[0].read);
        let popped = usize::from(delivery == Delivery::Shown);
        assert_eq!(rig.popups.shown().len(), popped, "{prefs:?} {priority}");
    }
    // Resuming applies at once to what comes next.
    let mut rig = Rig::new(paused).await;
    rig.escalation(11, rig.opened_at, Priority::High).await;
    rig.shared.set_prefs(NotificationPrefs::default());
    rig.escalation(12, rig.opened_at, Priority::High).await;
    assert_eq!(rig.popups.shown().len(), 1);
    assert_eq!(rig.inbox.unread().await.unwrap(), 2);
}

#[tokio::test]
async fn replayed_events_land_once_without_a_pop_up_and_older_ones_not_at_all() {
    let mut rig = Rig::new(NotificationPrefs::default()).await;
    // Replayed after the app opened (it happened while it was closed): in the inbox,
    // unread, no pop-up.
    rig.router.catching_up = true;
    let earlier = rig.opened_at - chrono::Duration::minutes(5);
    rig.escalation(11, earlier, Priority::Critical).await;
    // From before this session began on this computer: not notified.
    let before = rig.opened_at - chrono::Duration::hours(2);
    rig.escalation(12, before, Priority::Critical).await;
    // The same event again (a reconnect replays it): nothing new.
    rig.router.caught_up();
    rig.router.cursor.last_id = Some(10);
    rig.escalation(11, earlier, Priority::Critical).await;
    let items = rig.items().await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(
        (items[0].event_id, items[0].delivery),
        (Some(11), Delivery::Missed)
    );
    assert!(rig.popups.shown().is_empty());
    // Once caught up, what comes pops up.
    rig.escalation(14, rig.opened_at, Priority::High).await;
    assert_eq!(rig.popups.shown().len(), 1);
    // Older than the cursor: skipped before anything else.
    rig.router.cursor.last_id = Some(20);
    rig.escalation(13, rig.opened_at, Priority::High).await;
    assert_eq!(rig.items().await.len(), 2);
    assert_eq!(rig.router.cursor.last_id, Some(20));
}

#[tokio::test]
async fn without_a_notification_service_it_is_still_in_the_inbox() {
    let mut rig = Rig::new(NotificationPrefs::default()).await;
    rig.popups
        .set_unavailable(Some("org.freedesktop.Notifications was not provided"));
    rig.escalation(11, rig.opened_at, Priority::High).await;
    let items = rig.items().await;
    assert_eq!(items[0].delivery, Delivery::Unavailable);
    assert!(!items[0].read);
}

#[tokio::test]
async fn what_is_not_for_me_changes_screens_but_notifies_nothing() {
    let mut rig = Rig::new(NotificationPrefs::default()).await;
    rig.router.viewer.role = Role::Agent;
    rig.escalation(11, rig.opened_at, Priority::Critical).await;
    assert!(rig.items().await.is_empty());
    assert!(rig.popups.shown().is_empty());
    assert_eq!(rig.heard.changes_of(SubjectKind::Ticket).len(), 1);
    assert_eq!(rig.router.cursor.last_id, Some(11));
}

#[tokio::test]
async fn a_pop_up_of_an_ended_stream_acts_on_nothing_and_deny_opens_the_comment() {
    let mut rig = Rig::new(NotificationPrefs::default()).await;
    rig.escalation(11, rig.opened_at, Priority::High).await;
    rig.escalation(12, rig.opened_at, Priority::High).await;
    assert!(rig.popups.respond(0, PopupResponse::Deny));
    let opened = rig.heard.opened();
    assert_eq!(opened[0].focus, Some(OpenFocus::Deny));
    rig.shared.next_generation(); // signed out meanwhile
    assert!(rig.popups.respond(1, PopupResponse::Open));
    assert_eq!(rig.heard.opened().len(), 1);
}

#[test]
fn held_back_names_the_setting_that_held_it() {
    let n = Notification {
        kind: NotificationKind::Review,
        urgency: Urgency::Normal,
        title: String::new(),
        body: String::new(),
        actions: vec![],
        subject_kind: SubjectKind::AccessRequest,
        subject_id: TICKET,
    };
    let paused_and_muted = NotificationPrefs {
        paused: true,
        muted: vec![NotificationKind::Review],
        ..Default::default()
    };
    assert_eq!(held_back(&paused_and_muted, &n), Delivery::Paused);
    let muted = NotificationPrefs {
        paused: false,
        ..paused_and_muted
    };
    assert_eq!(held_back(&muted, &n), Delivery::Muted);
    assert_eq!(held_back(&quiet_now(), &n), Delivery::Quiet);
}
