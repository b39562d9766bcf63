//! What each event does, in the order the hub sent them: ticket events bring the cache up to date
//! through the changes feed (one pull per chunk of events, not one per event); every event is
//! named to the screens; the core's `notification_for` decides whether it concerns the signed-in
//! person, and if so it lands in the inbox and, when the settings allow it and it happened while
//! the app was listening, pops up (`actions.rs` acts on the answer).

use super::actions::PopupActions;
use super::inbox::{Delivery, EventCursor, Inbox, InboxItem};
use super::notifier::Popup;
use super::stream::StreamSetup;
use super::{InboxUpdate, LiveChange, LiveCounts};
use crate::api::ApiClient;
use crate::cache::Cache;
use crate::error::ClientError;
use chrono::{Local, Utc};
use opsdesk_core::events::{notification_for, Viewer};
use opsdesk_core::tickets::queue::TicketSpec;
use opsdesk_core::tickets::EscalationLevel;
use opsdesk_core::Permission;
use opsdesk_proto::{
    AccessBox, AccessRequestQuery, HubEvent, Notification, NotificationPrefs, SubjectKind,
    EVENT_CHANGE, EVENT_RESYNC,
};

/// Most access requests counted as waiting for my review.
const REVIEW_COUNT_MAX: u32 = 100;

/// Why a notification does not pop up (the settings decided that with `allows`).
pub(crate) fn held_back(prefs: &NotificationPrefs, n: &Notification) -> Delivery {
    if prefs.paused {
        Delivery::Paused
    } else if prefs.muted.contains(&n.kind) {
        Delivery::Muted
    } else {
        Delivery::Quiet
    }
}

/// One connection's handling of events.
pub(crate) struct Router {
    setup: StreamSetup,
    inbox: Inbox,
    viewer: Viewer,
    cursor: EventCursor,
    /// The hub is replaying what happened while the app was closed or locked: it lands in the
    /// inbox without popping up, rather than as a burst of stale pop-ups.
    catching_up: bool,
}

impl Router {
    pub(crate) fn new(
        setup: StreamSetup,
        inbox: Inbox,
        viewer: Viewer,
        cursor: EventCursor,
        catching_up: bool,
    ) -> Self {
        Router {
            setup,
            inbox,
            viewer,
            cursor,
            catching_up,
        }
    }

    /// The replay is over: what comes now is live.
    pub(crate) fn caught_up(&mut self) {
        self.catching_up = false;
    }

    /// Handles the messages of one chunk; `last` is the stream's last event id after them (also
    /// moved by messages without data, such as the hub's id-only resume point, so the cursor
    /// is kept even when `messages` is empty). `Some` when the stream must end (the session is
    /// gone).
    pub(crate) async fn handle(
        &mut self,
        messages: Vec<super::sse::SseMessage>,
        last: Option<i64>,
    ) -> Option<ClientError> {
        let mut changes = Vec::new();
        let (mut tickets, mut access, mut resync) = (false, false, false);
        for m in messages {
            match m.event.as_str() {
                EVENT_CHANGE => {
                    let e: HubEvent = match serde_json::from_str(&m.data) {
                        Ok(e) => e,
                        Err(e) => {
                            tracing::warn!(error = %e, "event stream: an event does not decode");
                            continue;
                        }
                    };
                    if self.cursor.last_id.is_some_and(|l| e.id <= l) {
                        continue;
                    }
                    self.cursor.last_id = Some(e.id);
                    match e.subject_kind {
                        SubjectKind::Ticket => tickets = true,
                        SubjectKind::AccessRequest | SubjectKind::Grant => access = true,
                        SubjectKind::Staff if e.subject_id == self.viewer.id => {
                            // My role may have changed: what pops up follows it.
                            match self.setup.api.me().await {
                                Ok(me) => self.viewer.role = me.staff.role,
                                Err(err) if err.is_session_gone() => return Some(err),
                                Err(_) => {}
                            }
                        }
                        SubjectKind::Staff => {}
                    }
                    changes.push(LiveChange {
                        kind: e.kind,
                        subject_kind: e.subject_kind,
                        subject_id: e.subject_id,
                    });
                    self.notify(&e).await;
                }
                EVENT_RESYNC => {
                    resync = true;
                    // Where the hub starts again, even below the id kept here (its database was
                    // restored from a backup): what it numbers from now on must not be skipped.
                    if let Some(id) = m.id.as_deref().and_then(|v| v.parse::<i64>().ok()) {
                        if self.cursor.last_id.is_some_and(|l| id < l) {
                            if let Err(e) =
                                self.inbox.forget_events_after(self.setup.epoch, id).await
                            {
                                tracing::warn!(error = %e, "the inbox cannot follow the hub's numbering");
                            }
                        }
                        self.cursor.last_id = Some(id);
                    }
                }
                _ => {}
            }
        }
        if let Some(last) = last {
            self.cursor.last_id = Some(self.cursor.last_id.map_or(last, |l| l.max(last)));
        }
        if tickets || resync {
            // The incremental sync through the changes feed (the outbox sends on its own).
            if let Err(e) = self.setup.sync.pull(&self.setup.api).await {
                tracing::info!(error = %e, "event stream: the queue did not sync");
                self.setup.sync.failed(&e);
            }
        }
        let observer = self.setup.shared.observer();
        if resync {
            self.missed_note().await;
            observer.resynced();
        }
        if !changes.is_empty() {
            observer.changed(&changes);
        }
        if let Err(e) = self.inbox.set_cursor(self.setup.epoch, self.cursor).await {
            tracing::warn!(error = %e, "event stream: cannot keep where it stands");
        }
        if tickets || access || resync {
            self.refresh_counts().await;
        }
        None
    }

    /// Lands the event's notification (if it concerns me) in the inbox and pops it up.
    async fn notify(&self, e: &HubEvent) {
        if e.at < self.cursor.floor_at {
            return; // from before this session began here
        }
        let Some(n) = notification_for(e.kind, e.subject_id, &e.facts, e.actor_id, self.viewer)
        else {
            return;
        };
        match self.inbox.has_event(e.id).await {
            Ok(false) => {}
            Ok(true) => return,
            Err(err) => tracing::warn!(error = %err, "the inbox cannot be read"),
        }
        let shared = &self.setup.shared;
        let prefs = shared.prefs();
        let delivery = if self.catching_up {
            Delivery::Missed
        } else if !prefs.allows(&n, Local::now().time()) {
            held_back(&prefs, &n)
        } else {
            Delivery::Shown
        };
        let item = match self
            .inbox
            .add(self.setup.epoch, e.id, e.at, &n, delivery)
            .await
        {
            Ok(Some(item)) => item,
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(error = %err, "a notification could not be kept in the inbox");
                return;
            }
        };
        let item = if delivery == Delivery::Shown {
            self.pop_up(item).await
        } else {
            tracing::info!(target: "opsdesk::notify", title = %item.title, delivery = ?delivery,
                "notification kept in the inbox without a pop-up");
            item
        };
        let unread = self.inbox.unread().await.unwrap_or_default();
        shared.set_unread(unread);
        shared.observer().inbox(&InboxUpdate {
            unread,
            added: Some(item),
        });
    }

    /// Shows `item` as a pop-up whose answer is acted on; marks it unavailable if it fails.
    async fn pop_up(&self, mut item: InboxItem) -> InboxItem {
        let popup = Popup {
            title: item.title.clone(),
            body: item.body.clone(),
            urgency: item.urgency,
            actions: item.actions.clone(),
        };
        let act = PopupActions {
            api: self.setup.api.clone(),
            cache: self.setup.cache.clone(),
            shared: self.setup.shared.clone(),
            generation: self.setup.generation,
            runtime: tokio::runtime::Handle::current(),
            item: item.clone(),
        };
        let notifier = self.setup.shared.notifier();
        let shown =
            tokio::task::spawn_blocking(move || notifier.show(popup, Box::new(move |r| act.on(r))))
                .await
                .unwrap_or_else(|e| Err(format!("the notifier stopped: {e}")));
        match shown {
            Ok(()) => {
                tracing::info!(target: "opsdesk::notify", title = %item.title, "notification shown");
            }
            Err(why) => {
                tracing::warn!(target: "opsdesk::notify", title = %item.title, error = %why,
                    "the notification could not pop up; it is in the inbox");
                if let Err(e) = self
                    .inbox
                    .set_delivery(item.id, Delivery::Unavailable)
                    .await
                {
                    tracing::warn!(error = %e, "cannot note the pop-up failed");
                }
                item.delivery = Delivery::Unavailable;
            }
        }
        item
    }

    /// After a resume from too long ago: say in the inbox that notifications may be missing.
    async fn missed_note(&self) {
        let added = self
            .inbox
            .note(
                self.setup.epoch,
                Utc::now(),
                "Some notifications may be missing",
                "Opsdesk was away longer than the hub keeps events, so what happened meanwhile \
                 could not be replayed. The screens were reloaded; check the queue and your \
                 access requests.",
            )
            .await;
        if let Ok(Some(item)) = added {
            let unread = self.inbox.unread().await.unwrap_or_default();
            self.setup.shared.set_unread(unread);
            self.setup.shared.observer().inbox(&InboxUpdate {
                unread,
                added: Some(item),
            });
        }
    }

    /// Recounts the tray's numbers from the cache and the hub.
    pub(crate) async fn refresh_counts(&self) {
        let shared = &self.setup.shared;
        let before = shared.counts();
        let counts = LiveCounts {
            escalated_to_me: escalated_to(&self.setup.cache, self.viewer)
                .await
                .unwrap_or(before.escalated_to_me),
            waiting_for_my_review: waiting_for_review(&self.setup.api, self.viewer)
                .await
                .unwrap_or(before.waiting_for_my_review),
            unread: self.inbox.unread().await.unwrap_or(before.unread),
        };
        shared.set_counts(counts);
    }
}

/// Open tickets escalated to `me`: to my tier and unassigned, or escalated and assigned to me
/// (who `notification_for` tells about an escalation).
pub(crate) async fn escalated_to(cache: &Cache, me: Viewer) -> Result<i64, ClientError> {
    let tickets = crate::queue::TicketCache::new(cache.clone());
    let escalated = [EscalationLevel::L2, EscalationLevel::L3];
    let mine = TicketSpec {
        open: Some(true),
        assignee: Some(Some(me.id)),
        escalation_levels: Some(escalated.to_vec()),
        ..TicketSpec::default()
    };
    let mut n = tickets.count(&mine).await?;
    let my_tier: Vec<EscalationLevel> = escalated
        .into_iter()
        .filter(|l| l.handled_by() == me.role)
        .collect();
    if !my_tier.is_empty() {
        let unassigned = TicketSpec {
            open: Some(true),
            assignee: Some(None),
            escalation_levels: Some(my_tier),
            ..TicketSpec::default()
        };
        n += tickets.count(&unassigned).await?;
    }
    Ok(n)
}

/// Pending requests `me` may review (0 for people who review none).
async fn waiting_for_review(api: &ApiClient, me: Viewer) -> Result<i64, ClientError> {
    if !me.role.has(Permission::AccessReview) {
        return Ok(0);
    }
    let page = api
        .access_requests(&AccessRequestQuery {
            r#box: Some(AccessBox::ToReview),
            limit: Some(REVIEW_COUNT_MAX),
            ..AccessRequestQuery::default()
        })
        .await?;
    Ok(page.items.len() as i64)
}

#[cfg(test)]
mod tests;
