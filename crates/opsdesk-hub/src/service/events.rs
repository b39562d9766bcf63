//! Live events: what each change tells the apps (drafts written with the change, in its
//! transaction), the dispatcher that reads newly committed events from the database and hands
//! them to this hub's open streams, and the per-person stream with resume.
//!
//! Events are numbered in commit order by the store. The dispatcher wakes on the store's signal
//! (after a write on SQLite; on `NOTIFY` from any hub on PostgreSQL, so a change made through one
//! hub reaches apps connected to another) and at least once a second. A stream subscribes to the
//! dispatcher before it replays from the database, so nothing falls between replay and live, and
//! it skips what it already sent, so nothing is doubled; if it falls behind it replays again.

use crate::error::HubResult;
use crate::context::Caller;
use crate::service::auth::authenticate;
use crate::state::AppState;
use chrono::Duration;
use opsdesk_core::access::RequestStatus;
use opsdesk_core::events::{
    AccessFacts, Audience, EventFacts, EventKind, SubjectKind, TicketFacts,
};
use opsdesk_core::Permission;
use opsdesk_proto::{AccessRequestView, GrantView, HubEvent, TicketEventKind};
use opsdesk_store::{EventDraft, EventRecord, TicketState};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

/// How long events are kept for resuming.
pub const RETENTION: Duration = Duration::hours(24);
/// Events read from the database per query.
const PAGE: u32 = 500;

/// This hub's fan-out of committed events to its open streams.
pub struct EventBus {
    tx: broadcast::Sender<Arc<EventRecord>>,
    /// The last event handed out.
    last: AtomicI64,
    /// Open streams, for metrics.
    pub streams: AtomicI64,
    /// Set when the hub stops: open streams end, so a graceful stop does not wait for them.
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            tx: broadcast::channel(4096).0,
            last: AtomicI64::new(-1),
            streams: AtomicI64::new(0),
            closing: tokio::sync::watch::channel(false).0,
        }
    }
}

impl EventBus {
    /// Ends every open stream (the hub is stopping); apps reconnect and resume elsewhere.
    pub fn close_streams(&self) {
        self.closing.send_replace(true);
    }

    /// A receiver of events handed out from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<EventRecord>> {
        self.tx.subscribe()
    }
}

/// The wire form of a stored event.
pub fn wire(e: &EventRecord) -> HubEvent {
    HubEvent {
        id: e.seq,
        at: e.draft.at,
        kind: e.draft.kind,
        subject_kind: e.draft.subject_kind,
        subject_id: e.draft.subject_id,
        actor_id: e.draft.actor_id,
        facts: e.draft.facts.clone(),
    }
}

/// Reads events committed since the last round and hands them out, in order.
pub async fn dispatch_once(state: &AppState) -> HubResult<usize> {
    let bus = &state.events;
    let mut last = bus.last.load(Ordering::Acquire);
    if last < 0 {
        // First round: only what commits from now on is live; streams replay the past.
        last = state.store.last_event_seq().await?;
    }
    let mut sent = 0;
    loop {
        let page = state.store.events_after(last, PAGE).await?;
        let n = page.len();
        for e in page {
            last = e.seq;
            sent += 1;
            let _ = bus.tx.send(Arc::new(e));
        }
        bus.last.store(last, Ordering::Release);
        if n < PAGE as usize {
            return Ok(sent);
        }
    }
}

/// Runs the dispatcher until the hub stops; also prunes events past retention hourly.
pub fn spawn_dispatcher(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let signal = state.store.event_signal();
        let mut prune = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tokio::select! {
                _ = signal.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                _ = prune.tick() => {
                    if let Err(e) = state.store.prune_events(state.now() - RETENTION).await {
                        tracing::warn!(error = %e, "pruning old events failed");
                    }
                }
            }
            if let Err(e) = dispatch_once(&state).await {
                tracing::warn!(error = %e, "event dispatch failed; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }
    })
}

/// What a stream sends.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamItem {
    Event(HubEvent),
    /// The resume point is older than the hub keeps: reload, then follow from `last`.
    Resync {
        last: i64,
    },
    /// Nothing to show, but resume after `last` from now on: every event up to it that the
    /// person may see was sent before. Sent as an SSE message with only an `id:` field, which
    /// moves the client's last event id without dispatching anything.
    Position {
        last: i64,
    },
}

/// Opens `caller`'s stream: replays what they may see after `last_id` (or nothing, without
/// one), then follows live. Ends when the session ends or the receiver goes away.
///
/// Opened without `last_id`, the stream first gives the current last event number as its
/// position, so an app that receives no event still has a resume point (rather than replaying
/// from the start next time). After each replay, when the events it went through end with some
/// this person may not see, the stream gives its position again, and so it does while live at
/// each session check (every `stream_check_seconds`) when events it went through since the last
/// id it gave were all ones this person may not see; it never gives one lower than an id already
/// sent, and never one past an event it still has to send.
pub async fn open_stream(
    state: &AppState,
    caller: Caller,
    token: String,
    last_id: Option<i64>,
) -> HubResult<mpsc::Receiver<StreamItem>> {
    let mut live = state.events.subscribe();
    let (tx, rx) = mpsc::channel(256);
    let mut cursor = match last_id {
        None => {
            let last = state.store.last_event_seq().await?;
            let _ = tx.send(StreamItem::Position { last }).await;
            last
        }
        Some(id) => {
            let first = state.store.first_event_seq().await?;
            let last = state.store.last_event_seq().await?;
            // Older than what is kept, or past every event there is (the database was restored
            // from a backup, or the app knew another hub): nothing can be replayed from there.
            // Ids are sent only after their events commit, so a live app is never ahead.
            if (first > 0 && id < first - 1) || id > last {
                let _ = tx.send(StreamItem::Resync { last }).await;
                last
            } else {
                id
            }
        }
    };
    // The last id the app holds: what it sent, the position or resync given, or the last event.
    let mut given = cursor;
    let state = state.clone();
    tokio::spawn(async move {
        state.events.streams.fetch_add(1, Ordering::Relaxed);
        let mut me = caller.staff;
        // At least a second: an interval of zero panics, and settings built in code skip
        // validation.
        let check_every = state.settings.stream_check_seconds.max(1);
        let mut reauth = tokio::time::interval(std::time::Duration::from_secs(check_every));
        reauth.tick().await;
        let mut closing = state.events.closing.subscribe();
        let admits = |e: &EventRecord, me: &opsdesk_store::StaffRecord| {
            e.draft.audience.admits(me.id, me.role)
        };
        'replay: loop {
            // Catch up from the database.
            loop {
                let page = match state.store.events_after(cursor, PAGE).await {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::warn!(error = %e, "event replay failed; closing the stream");
                        break 'replay;
                    }
                };
                let n = page.len();
                for e in page {
                    cursor = e.seq;
                    if admits(&e, &me) {
                        if tx.send(StreamItem::Event(wire(&e))).await.is_err() {
                            break 'replay;
                        }
                        given = e.seq;
                    }
                }
                if n < PAGE as usize {
                    break;
                }
            }
            // Went through events this person may not see: resume after them next time.
            if cursor > given {
                if tx
                    .send(StreamItem::Position { last: cursor })
                    .await
                    .is_err()
                {
                    break 'replay;
                }
                given = cursor;
            }
            // Follow live.
            loop {
                tokio::select! {
                    got = live.recv() => match got {
                        Ok(e) => {
                            if e.seq <= cursor {
                                continue;
                            }
                            if e.seq > cursor + 1 {
                                // Something between was handed out before this stream
                                // subscribed; read it from the database.
                                continue 'replay;
                            }
                            cursor = e.seq;
                            if admits(&e, &me) {
                                if tx.send(StreamItem::Event(wire(&e))).await.is_err() {
                                    break 'replay;
                                }
                                given = e.seq;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => continue 'replay,
                        Err(broadcast::error::RecvError::Closed) => break 'replay,
                    },
                    _ = reauth.tick() => {
                        // A signed-out, revoked or idle session ends its stream; a role change
                        // applies to what follows.
                        match authenticate(&state, &token).await {
                            Ok(c) => me = c.staff,
                            Err(_) => break 'replay,
                        }
                        // Live events this person may not see moved the cursor only; give it,
                        // so a reconnect does not replay them. Every event up to the cursor was
                        // judged (and sent if visible); later ones are still to come.
                        if cursor > given {
                            if tx.send(StreamItem::Position { last: cursor }).await.is_err() {
                                break 'replay;
                            }
                            given = cursor;
                        }
                    }
                    _ = tx.closed() => break 'replay,
                    _ = closing.changed() => break 'replay,
                }
            }
        }
        state.events.streams.fetch_sub(1, Ordering::Relaxed);
    });
    Ok(rx)
}

/// The event kind of a ticket change.
pub fn ticket_kind(kind: TicketEventKind) -> EventKind {
    match kind {
        TicketEventKind::Created => EventKind::TicketCreated,
        TicketEventKind::Changed | TicketEventKind::Merged => EventKind::TicketUpdated,
        TicketEventKind::Assigned => EventKind::TicketAssigned,
        TicketEventKind::Escalated => EventKind::TicketEscalated,
        TicketEventKind::SlaWarning => EventKind::TicketSlaWarning,
        TicketEventKind::SlaBreached => EventKind::TicketSlaBreached,
    }
}

/// The event of a ticket write: everyone who reads tickets may see it.
pub fn ticket_event(
    kind: TicketEventKind,
    s: &TicketState,
    number: Option<i64>,
    tenant_name: &str,
    actor_id: Option<Uuid>,
    reason: Option<String>,
) -> EventDraft {
    EventDraft {
        at: s.updated_at,
        kind: ticket_kind(kind),
        subject_kind: SubjectKind::Ticket,
        subject_id: s.id,
        actor_id,
        audience: Audience::with(Permission::TicketsRead),
        facts: EventFacts::Ticket(TicketFacts {
            number,
            subject: s.subject.clone(),
            tenant_name: tenant_name.to_owned(),
            priority: s.priority,
            escalation_level: s.escalation_level,
            assignee_id: s.assignee_id,
            reason,
        }),
    }
}

/// The facts of an access request (and its grant), for events about either.
pub fn access_facts(
    r: &AccessRequestView,
    status: RequestStatus,
    grant: Option<&GrantView>,
) -> AccessFacts {
    AccessFacts {
        request_id: r.id,
        requester_id: r.requester.id,
        requester_name: r.requester.display_name.clone(),
        requester_role: r.requester.role,
        tenant_name: r.tenant.name.clone(),
        scope: r.scope,
        status,
        reviewed_by: r.reviews.iter().map(|rv| rv.reviewer.id).collect(),
        grant_id: grant.map(|g| g.id),
        grant_ends_at: grant.map(|g| g.ends_at),
    }
}

/// Who may see events about `requester`'s access: they, and reviewers at or above their tier.
pub fn access_audience(requester: Uuid, requester_tier: u8) -> Audience {
    Audience {
        permission: Some(Permission::AccessReview),
        min_tier: requester_tier.max(5),
        staff: vec![requester],
    }
}

/// An event about an access request.
pub fn access_event(
    kind: EventKind,
    at: chrono::DateTime<chrono::Utc>,
    facts: AccessFacts,
    actor_id: Option<Uuid>,
) -> EventDraft {
    let (subject_kind, subject_id) = match (kind, facts.grant_id) {
        (EventKind::GrantStarted | EventKind::GrantExpiring | EventKind::GrantEnded, Some(g)) => {
            (SubjectKind::Grant, g)
        }
        _ => (SubjectKind::AccessRequest, facts.request_id),
    };
    EventDraft {
        at,
        kind,
        subject_kind,
        subject_id,
        actor_id,
        audience: access_audience(facts.requester_id, facts.requester_role.tier()),
        facts: EventFacts::Access(facts),
    }
}

/// An event about a staff member (invited, enrolled, role, MFA, status, clearance, sessions ended
/// by someone else): they and staff readers see it.
pub fn staff_event(
    kind: EventKind,
    at: chrono::DateTime<chrono::Utc>,
    staff_id: Uuid,
    actor_id: Option<Uuid>,
) -> EventDraft {
    EventDraft {
        at,
        kind,
        subject_kind: SubjectKind::Staff,
        subject_id: staff_id,
        actor_id,
        audience: Audience::with(Permission::StaffRead).and([staff_id]),
        facts: EventFacts::None,
    }
}

/// The facts of a grant, for events about it (the holder is the requester).
pub fn grant_facts(g: &GrantView) -> AccessFacts {
    AccessFacts {
        request_id: g.request_id,
        requester_id: g.holder.id,
        requester_name: g.holder.display_name.clone(),
        requester_role: g.holder.role,
        tenant_name: g.tenant.name.clone(),
        scope: g.scope,
        status: RequestStatus::Approved,
        reviewed_by: Vec::new(),
        grant_id: Some(g.id),
        grant_ends_at: Some(g.ends_at),
    }
}
