//! The one implementation of [`crate::EventStore`], expanded once per backend. `$store` must have
//! an `events: Arc<Notify>` field.

/// Implements [`crate::EventStore`] for `$store` over database `$db`.
macro_rules! events_impl {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::EventStore for $store {
            async fn events_after(
                &self,
                after: i64,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::EventRecord>> {
                let rows: Vec<$crate::common::events_impl::EventRow> = sqlx::query_as(
                    "SELECT seq, at, kind, subject_kind, subject_id, actor_id, audience, facts \
                     FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
                )
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn last_event_seq(&self) -> $crate::StoreResult<i64> {
                let (seq,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM events")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(seq.unwrap_or(0))
            }

            async fn first_event_seq(&self) -> $crate::StoreResult<i64> {
                let (seq,): (Option<i64>,) = sqlx::query_as("SELECT MIN(seq) FROM events")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(seq.unwrap_or(0))
            }

            async fn prune_events(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<u64> {
                let _writing = self.write_guard().await;
                let done = sqlx::query(
                    "DELETE FROM events WHERE at < $1 \
                     AND seq < (SELECT COALESCE(MAX(seq), 0) FROM events)",
                )
                .bind($crate::common::ms(before))
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            fn event_signal(&self) -> std::sync::Arc<tokio::sync::Notify> {
                self.events.clone()
            }
        }
    };
}
pub(crate) use events_impl;

use crate::{EventDraft, EventRecord, StoreError};

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    at: i64,
    kind: String,
    subject_kind: String,
    subject_id: String,
    actor_id: Option<String>,
    audience: String,
    facts: String,
}

impl TryFrom<EventRow> for EventRecord {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        use opsdesk_core::events::{EventKind, SubjectKind};
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("event {}: {what}: {e}", r.seq))
        };
        Ok(EventRecord {
            seq: r.seq,
            draft: EventDraft {
                at: super::time(r.at)?,
                kind: EventKind::parse(&r.kind).ok_or_else(|| bad("kind", &r.kind))?,
                subject_kind: SubjectKind::parse(&r.subject_kind)
                    .ok_or_else(|| bad("subject_kind", &r.subject_kind))?,
                subject_id: super::uuid(&r.subject_id)?,
                actor_id: r.actor_id.as_deref().map(super::uuid).transpose()?,
                audience: serde_json::from_str(&r.audience).map_err(|e| bad("audience", &e))?,
                facts: serde_json::from_str(&r.facts).map_err(|e| bad("facts", &e))?,
            },
        })
    }
}
