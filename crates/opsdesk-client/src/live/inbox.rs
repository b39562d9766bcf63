//! The in-app inbox and the stream's resume point, in the local cache. Every notification meant
//! for the signed-in person lands here once (keyed by event id, so a replay does not double it),
//! whether it popped up or not, so a missed one is never silent. Writes from the background are
//! dropped when the cache was wiped since the stream started (sign-out).

use crate::cache::Cache;
use crate::error::ClientError;
use chrono::{DateTime, TimeZone, Utc};
use opsdesk_proto::{Notification, NotificationAction, NotificationKind, SubjectKind, Urgency};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

/// How many notifications the inbox keeps (the oldest go first).
pub const INBOX_KEPT: i64 = 500;
/// Most notifications one listing returns.
pub const INBOX_PAGE: u32 = 200;

/// Whether a notification popped up and, when it did not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Shown as a desktop pop-up.
    Shown,
    /// Notifications were paused.
    Paused,
    /// This kind is turned off.
    Muted,
    /// Do-not-disturb hours, and it was not critical.
    Quiet,
    /// It happened while the app was closed, locked or offline.
    Missed,
    /// The desktop has no notification service, or it refused.
    Unavailable,
}

impl Delivery {
    fn as_str(self) -> &'static str {
        match self {
            Delivery::Shown => "shown",
            Delivery::Paused => "paused",
            Delivery::Muted => "muted",
            Delivery::Quiet => "quiet",
            Delivery::Missed => "missed",
            Delivery::Unavailable => "unavailable",
        }
    }

    fn parse(s: &str) -> Delivery {
        [
            Delivery::Shown,
            Delivery::Paused,
            Delivery::Muted,
            Delivery::Quiet,
            Delivery::Missed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
        .unwrap_or(Delivery::Unavailable)
    }
}

/// One notification in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct InboxItem {
    pub id: i64,
    /// The hub event it came from; none for the app's own notes.
    pub event_id: Option<i64>,
    /// When it happened (the hub's time).
    pub at: DateTime<Utc>,
    /// None for the app's own notes.
    pub kind: Option<NotificationKind>,
    pub urgency: Urgency,
    pub title: String,
    pub body: String,
    /// What opening it shows.
    pub subject_kind: Option<SubjectKind>,
    pub subject_id: Option<Uuid>,
    pub actions: Vec<NotificationAction>,
    pub delivery: Delivery,
    pub read: bool,
}

/// The inbox as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct InboxPage {
    /// Newest first.
    pub items: Vec<InboxItem>,
    pub unread: i64,
}

/// Where the stream stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventCursor {
    /// The last event handled; resume after it.
    pub last_id: Option<i64>,
    /// The hub's time when the stream first opened for this session: older events are not
    /// notified.
    pub floor_at: DateTime<Utc>,
}

/// The inbox and cursor tables of the local cache.
#[derive(Debug, Clone)]
pub struct Inbox {
    cache: Cache,
}

fn millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

const COLUMNS: &str = "id, event_id, at, kind, urgency, title, body, subject_kind, subject_id, \
    actions, delivery, read";

fn item_of(row: &sqlx::sqlite::SqliteRow) -> Result<InboxItem, sqlx::Error> {
    let kind: Option<String> = row.try_get("kind")?;
    let urgency: String = row.try_get("urgency")?;
    let subject_kind: Option<String> = row.try_get("subject_kind")?;
    let subject_id: Option<String> = row.try_get("subject_id")?;
    let actions: String = row.try_get("actions")?;
    let delivery: String = row.try_get("delivery")?;
    Ok(InboxItem {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        at: millis(row.try_get("at")?),
        kind: kind.as_deref().and_then(NotificationKind::parse),
        urgency: Urgency::parse(&urgency).unwrap_or(Urgency::Normal),
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        subject_kind: subject_kind.as_deref().and_then(SubjectKind::parse),
        subject_id: subject_id.as_deref().and_then(|s| Uuid::parse_str(s).ok()),
        actions: serde_json::from_str(&actions).unwrap_or_default(),
        delivery: Delivery::parse(&delivery),
        read: row.try_get::<i64, _>("read")? != 0,
    })
}

/// What is stored of a notification.
struct NewItem<'a> {
    event_id: Option<i64>,
    at: DateTime<Utc>,
    kind: Option<NotificationKind>,
    urgency: Urgency,
    title: &'a str,
    body: &'a str,
    subject: Option<(SubjectKind, Uuid)>,
    actions: &'a [NotificationAction],
    delivery: Delivery,
}

impl Inbox {
    /// The inbox kept in `cache`.
    pub fn new(cache: Cache) -> Self {
        Inbox { cache }
    }

    /// Where the stream stands, if it ever opened for this session.
    pub async fn cursor(&self) -> Result<Option<EventCursor>, ClientError> {
        let row: Option<(Option<i64>, i64)> =
            sqlx::query_as("SELECT last_id, floor_at FROM event_cursor WHERE id = 1")
                .fetch_optional(self.cache.pool())
                .await?;
        Ok(row.map(|(last_id, floor)| EventCursor {
            last_id,
            floor_at: millis(floor),
        }))
    }

    /// Keeps where the stream stands, unless the cache was wiped since `epoch`.
    pub async fn set_cursor(&self, epoch: u64, cursor: EventCursor) -> Result<bool, ClientError> {
        let current = self.cache.epoch_lock().await;
        if *current != epoch {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO event_cursor (id, last_id, floor_at) VALUES (1, ?1, ?2) \
             ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, \
             floor_at = excluded.floor_at",
        )
        .bind(cursor.last_id)
        .bind(cursor.floor_at.timestamp_millis())
        .execute(self.cache.pool())
        .await?;
        Ok(true)
    }

    /// Whether the notification of `event_id` is already in the inbox.
    pub async fn has_event(&self, event_id: i64) -> Result<bool, ClientError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE event_id = ?1")
            .bind(event_id)
            .fetch_one(self.cache.pool())
            .await?;
        Ok(n > 0)
    }

    /// The hub numbers its events again from `last` (its database was restored from a backup):
    /// entries of events numbered after it keep their place in the inbox but no longer stand
    /// for those numbers, so the hub's new events under them are not taken as already seen.
    pub async fn forget_events_after(&self, epoch: u64, last: i64) -> Result<(), ClientError> {
        let current = self.cache.epoch_lock().await;
        if *current != epoch {
            return Ok(());
        }
        sqlx::query("UPDATE inbox SET event_id = NULL WHERE event_id > ?1")
            .bind(last)
            .execute(self.cache.pool())
            .await?;
        drop(current);
        Ok(())
    }

    /// Adds the notification of event `event_id` that happened `at`; `None` when it is already
    /// there or the cache was wiped since `epoch`.
    pub async fn add(
        &self,
        epoch: u64,
        event_id: i64,
        at: DateTime<Utc>,
        n: &Notification,
        delivery: Delivery,
    ) -> Result<Option<InboxItem>, ClientError> {
        self.insert(
            epoch,
            NewItem {
                event_id: Some(event_id),
                at,
                kind: Some(n.kind),
                urgency: n.urgency,
                title: &n.title,
                body: &n.body,
                subject: Some((n.subject_kind, n.subject_id)),
                actions: &n.actions,
                delivery,
            },
        )
        .await
    }

    /// Adds a note of the app's own (unread, no pop-up).
    pub async fn note(
        &self,
        epoch: u64,
        at: DateTime<Utc>,
        title: &str,
        body: &str,
    ) -> Result<Option<InboxItem>, ClientError> {
        self.insert(
            epoch,
            NewItem {
                event_id: None,
                at,
                kind: None,
                urgency: Urgency::Normal,
                title,
                body,
                subject: None,
                actions: &[],
                delivery: Delivery::Missed,
            },
        )
        .await
    }

    async fn insert(
        &self,
        epoch: u64,
        item: NewItem<'_>,
    ) -> Result<Option<InboxItem>, ClientError> {
        let current = self.cache.epoch_lock().await;
        if *current != epoch {
            return Ok(None);
        }
        let actions = serde_json::to_string(item.actions)
            .map_err(|e| ClientError::Storage(format!("cannot encode actions: {e}")))?;
        let mut tx = self.cache.pool().begin().await?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO inbox (event_id, at, kind, urgency, title, body, subject_kind, \
             subject_id, actions, delivery, read) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0) \
             ON CONFLICT (event_id) DO NOTHING RETURNING {COLUMNS}"
        ))
        .bind(item.event_id)
        .bind(item.at.timestamp_millis())
        .bind(item.kind.map(|k| k.as_str()))
        .bind(item.urgency.as_str())
        .bind(item.title)
        .bind(item.body)
        .bind(item.subject.map(|(k, _)| k.as_str()))
        .bind(item.subject.map(|(_, id)| id.to_string()))
        .bind(actions)
        .bind(item.delivery.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = inserted else {
            return Ok(None);
        };
        let added = item_of(&row)?;
        sqlx::query(
            "DELETE FROM inbox WHERE id <= (SELECT id FROM inbox ORDER BY id DESC \
             LIMIT 1 OFFSET ?1)",
        )
        .bind(INBOX_KEPT)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        drop(current);
        Ok(Some(added))
    }

    /// Newest first, at most `limit` (up to [`INBOX_PAGE`]); only unread ones with `unread_only`.
    pub async fn list(&self, unread_only: bool, limit: u32) -> Result<InboxPage, ClientError> {
        let limit = i64::from(limit.clamp(1, INBOX_PAGE));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM inbox WHERE (?1 = 0 OR read = 0) ORDER BY id DESC LIMIT ?2"
        ))
        .bind(unread_only)
        .bind(limit)
        .fetch_all(self.cache.pool())
        .await?;
        let items = rows.iter().map(item_of).collect::<Result<Vec<_>, _>>()?;
        Ok(InboxPage {
            items,
            unread: self.unread().await?,
        })
    }

    /// One notification.
    pub async fn item(&self, id: i64) -> Result<Option<InboxItem>, ClientError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM inbox WHERE id = ?1"))
            .bind(id)
            .fetch_optional(self.cache.pool())
            .await?;
        Ok(row.as_ref().map(item_of).transpose()?)
    }

    /// Notes how a notification was delivered after all (the pop-up failed).
    pub async fn set_delivery(&self, id: i64, delivery: Delivery) -> Result<(), ClientError> {
        sqlx::query("UPDATE inbox SET delivery = ?1 WHERE id = ?2")
            .bind(delivery.as_str())
            .bind(id)
            .execute(self.cache.pool())
            .await?;
        Ok(())
    }

    /// How many are unread.
    pub async fn unread(&self) -> Result<i64, ClientError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE read = 0")
                .fetch_one(self.cache.pool())
                .await?,
        )
    }

    /// Marks notifications read (all of them with `None`); answers the unread count.
    pub async fn mark_read(&self, ids: Option<&[i64]>) -> Result<i64, ClientError> {
        match ids {
            None => {
                sqlx::query("UPDATE inbox SET read = 1 WHERE read = 0")
                    .execute(self.cache.pool())
                    .await?;
            }
            Some(ids) => {
                for id in ids {
                    sqlx::query("UPDATE inbox SET read = 1 WHERE id = ?1")
                        .bind(id)
                        .execute(self.cache.pool())
                        .await?;
                }
            }
        }
        self.unread().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(kind: NotificationKind, title: &str) -> Notification {
        Notification {
            kind,
            urgency: Urgency::Normal,
            title: title.into(),
            body: "body".into(),
            actions: vec![NotificationAction::Open],
            subject_kind: SubjectKind::Ticket,
            subject_id: Uuid::from_u128(7),
        }
    }

    async fn cache() -> (Cache, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("opsdesk-inbox-{}", Uuid::new_v4()));
        (Cache::open(&dir).await.unwrap(), dir)
    }

    #[tokio::test]
    async fn each_event_lands_once_newest_first_and_read_marks_stick() {
        let (cache, dir) = cache().await;
        let inbox = Inbox::new(cache.clone());
        let epoch = cache.epoch().await;
        let at = Utc::now();
        let first = inbox
            .add(
                epoch,
                1,
                at,
                &note(NotificationKind::Escalation, "#1"),
                Delivery::Shown,
            )
            .await
            .unwrap()
            .expect("added");
        assert_eq!(first.kind, Some(NotificationKind::Escalation));
        assert_eq!(first.subject_id, Some(Uuid::from_u128(7)));
        assert_eq!(first.actions, vec![NotificationAction::Open]);
        assert!(!first.read && first.delivery == Delivery::Shown);
        assert!(inbox.has_event(1).await.unwrap());
        // The same event replayed after a reconnect: not added again.
        assert!(inbox
            .add(
                epoch,
                1,
                at,
                &note(NotificationKind::Escalation, "#1"),
                Delivery::Quiet
            )
            .await
            .unwrap()
            .is_none());
        inbox
            .add(
                epoch,
                2,
                at,
                &note(NotificationKind::Review, "#2"),
                Delivery::Paused,
            )
            .await
            .unwrap();
        inbox
            .note(epoch, at, "Some notifications may be missing", "x")
            .await
            .unwrap();
        let page = inbox.list(false, 50).await.unwrap();
        let titles: Vec<&str> = page.items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["Some notifications may be missing", "#2", "#1"]);
        assert_eq!(page.unread, 3);
        assert_eq!(page.items[0].kind, None);
        assert_eq!(page.items[1].delivery, Delivery::Paused);
        assert_eq!(inbox.mark_read(Some(&[first.id])).await.unwrap(), 2);
        assert_eq!(inbox.list(true, 50).await.unwrap().items.len(), 2);
        assert!(inbox.item(first.id).await.unwrap().unwrap().read);
        assert_eq!(inbox.mark_read(None).await.unwrap(), 0);
        cache.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn the_cursor_and_inbox_survive_a_restart_but_not_a_wipe() {
        let (cache, dir) = cache().await;
        let inbox = Inbox::new(cache.clone());
        let epoch = cache.epoch().await;
        assert_eq!(inbox.cursor().await.unwrap(), None);
        let floor = Utc.timestamp_millis_opt(1_700_000_000_123).unwrap();
        let at = EventCursor {
            last_id: Some(41),
            floor_at: floor,
        };
        assert!(inbox.set_cursor(epoch, at).await.unwrap());
        inbox
            .add(
                epoch,
                41,
                floor,
                &note(NotificationKind::Assignment, "#41"),
                Delivery::Missed,
            )
            .await
            .unwrap();
        cache.close().await;
        let cache = Cache::open(&dir).await.unwrap();
        let inbox = Inbox::new(cache.clone());
        assert_eq!(inbox.cursor().await.unwrap(), Some(at));
        assert_eq!(inbox.unread().await.unwrap(), 1);
        let epoch = cache.epoch().await;
        cache.wipe().await.unwrap();
        assert_eq!(inbox.cursor().await.unwrap(), None);
        assert_eq!(inbox.unread().await.unwrap(), 0);
        // Work that started before the wipe does not put anything back.
        assert!(!inbox.set_cursor(epoch, at).await.unwrap());
        assert!(inbox
            .add(
                epoch,
                42,
                floor,
                &note(NotificationKind::Assignment, "#42"),
                Delivery::Shown
            )
            .await
            .unwrap()
            .is_none());
        assert!(inbox.list(false, 10).await.unwrap().items.is_empty());
        cache.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn the_inbox_keeps_only_the_newest() {
        let (cache, dir) = cache().await;
        let inbox = Inbox::new(cache.clone());
        let epoch = cache.epoch().await;
        for id in 0..(INBOX_KEPT + 5) {
            inbox
                .add(
                    epoch,
                    id,
                    Utc::now(),
                    &note(NotificationKind::Assignment, &format!("#{id}")),
                    Delivery::Shown,
                )
                .await
                .unwrap();
        }
        let page = inbox.list(false, INBOX_PAGE).await.unwrap();
        assert_eq!(page.unread, INBOX_KEPT);
        assert_eq!(page.items.len(), INBOX_PAGE as usize);
        assert_eq!(page.items[0].event_id, Some(INBOX_KEPT + 4));
        assert!(!inbox.has_event(4).await.unwrap() && inbox.has_event(5).await.unwrap());
        cache.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
