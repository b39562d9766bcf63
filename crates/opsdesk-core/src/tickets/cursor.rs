//! The queue's cursor: the sort key of the last row of a page, and its text form
//! (`<sort>.<a>.<b>.<seq>`), which is only valid for the sort it was made for.

use super::{Priority, QueueSort};
use crate::validate::FieldError;
use chrono::{DateTime, Utc};

/// Where a page starts: the sort key values of the last row of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCursor {
    pub a: i64,
    pub b: i64,
    pub seq: i64,
}

/// The fields of a ticket a queue sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortFields {
    pub sla_due_at: Option<DateTime<Utc>>,
    pub priority: Priority,
    pub updated_at: DateTime<Utc>,
    /// The ticket's place in the hub's order (its number), the last tie-breaker.
    pub seq: i64,
}

impl QueueCursor {
    /// The sort key of a ticket for `sort`: tickets without a deadline sort last by due time.
    pub fn of(t: SortFields, sort: QueueSort) -> QueueCursor {
        let due = t
            .sla_due_at
            .map(|d| d.timestamp_millis())
            .unwrap_or(i64::MAX);
        let (a, b) = match sort {
            QueueSort::SlaDue => (due, 0),
            QueueSort::Priority => (t.priority.rank(), due),
            QueueSort::Updated => (t.updated_at.timestamp_millis(), 0),
        };
        QueueCursor { a, b, seq: t.seq }
    }

    /// The cursor's text for `sort`.
    pub fn encode(self, sort: QueueSort) -> String {
        format!("{}.{}.{}.{}", sort.as_str(), self.a, self.b, self.seq)
    }

    /// Reads a cursor made by [`QueueCursor::encode`] for the same sort; anything else is
    /// refused naming the field `cursor`.
    pub fn decode(text: &str, sort: QueueSort) -> Result<QueueCursor, FieldError> {
        let bad = || FieldError::new("cursor", "is not a cursor of this queue and sort");
        let mut parts = text.split('.');
        if parts.next() != Some(sort.as_str()) {
            return Err(bad());
        }
        let mut num = || -> Result<i64, FieldError> {
            parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)
        };
        Ok(QueueCursor {
            a: num()?,
            b: num()?,
            seq: num()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_sorts_and_garbage() {
        for c in [
            QueueCursor {
                a: i64::MAX,
                b: -3,
                seq: 42,
            },
            QueueCursor {
                a: i64::MAX,
                b: -5,
                seq: 42,
            },
        ] {
            let text = c.encode(QueueSort::Priority);
            assert_eq!(QueueCursor::decode(&text, QueueSort::Priority), Ok(c));
            assert!(QueueCursor::decode(&text, QueueSort::Updated).is_err());
        }
        for bad in ["priority.1.x.3", "priority.1.2", ""] {
            let e = QueueCursor::decode(bad, QueueSort::Priority).unwrap_err();
            assert_eq!(e.field, "cursor", "{bad}");
        }
        assert!(QueueCursor::decode("", QueueSort::SlaDue).is_err());
    }

    #[test]
    fn sort_keys_follow_the_sort() {
        let due = DateTime::from_timestamp_millis(5_000).unwrap();
        let updated = DateTime::from_timestamp_millis(9_000).unwrap();
        let t = SortFields {
            sla_due_at: Some(due),
            priority: Priority::High,
            updated_at: updated,
            seq: 7,
        };
        let key = |t, sort| {
            let c = QueueCursor::of(t, sort);
            (c.a, c.b, c.seq)
        };
        assert_eq!(key(t, QueueSort::SlaDue), (5_000, 0, 7));
        assert_eq!(key(t, QueueSort::Priority), (1, 5_000, 7));
        assert_eq!(key(t, QueueSort::Updated), (9_000, 0, 7));
        let undated = SortFields {
            sla_due_at: None,
            ..t
        };
        assert_eq!(key(undated, QueueSort::SlaDue), (i64::MAX, 0, 7));
        assert_eq!(key(undated, QueueSort::Priority), (1, i64::MAX, 7));
    }
}
