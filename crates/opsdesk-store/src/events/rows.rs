//! The event log's row as the database returns it, and its conversion into [`EventRecord`].

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
                at: crate::common::time(r.at)?,
                kind: EventKind::parse(&r.kind).ok_or_else(|| bad("kind", &r.kind))?,
                subject_kind: SubjectKind::parse(&r.subject_kind)
                    .ok_or_else(|| bad("subject_kind", &r.subject_kind))?,
                subject_id: crate::common::uuid(&r.subject_id)?,
                actor_id: r.actor_id.as_deref().map(crate::common::uuid).transpose()?,
                audience: serde_json::from_str(&r.audience).map_err(|e| bad("audience", &e))?,
                facts: serde_json::from_str(&r.facts).map_err(|e| bad("facts", &e))?,
            },
        })
    }
}
