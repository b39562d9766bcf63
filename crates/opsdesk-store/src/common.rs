//! Conversions every area shares: stored times and UUIDs, JSON text, turning rows into records,
//! and mapping database errors (unique and foreign key violations) to [`StoreError`]s.

use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_core::staff::Severity;
use uuid::Uuid;

/// Converts each row, failing on the first unreadable one.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// Converts an optional row.
pub(crate) fn convert_opt<R, T>(row: Option<R>) -> StoreResult<Option<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    row.map(T::try_from).transpose()
}

/// The rank stored beside the severity name so `min_severity` filters in SQL.
pub(crate) fn severity_rank(severity: Severity) -> i64 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// Unix milliseconds, the stored form of every time.
pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The JSON text stored (and, for audit entries, hashed) for `details`.
pub(crate) fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("details: {e}")))
}

/// Maps a unique violation on `staff.username` to `Duplicate`; other errors pass through.
pub(crate) fn duplicate_or(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            let names = [db.constraint().unwrap_or_default(), db.message()];
            if names.iter().any(|n| n.contains("username")) {
                return StoreError::Duplicate { field: "username" };
            }
        }
    }
    StoreError::Database(err)
}

pub(crate) fn uuid(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| corrupt("UUID", s))
}

pub(crate) fn time(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt("time", ms))
}

pub(crate) fn corrupt(what: &str, value: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("`{value}` is not a valid {what}"))
}

pub(crate) fn opt_time(ms: Option<i64>) -> StoreResult<Option<DateTime<Utc>>> {
    ms.map(time).transpose()
}

/// A foreign key violation (an unknown tenant, staff member or user) becomes `NotFound`, a
/// unique violation `Duplicate{field}`; other errors pass through.
pub(crate) fn missing_or_duplicate(field: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |err| {
        if let sqlx::Error::Database(db) = &err {
            if db.is_foreign_key_violation() {
                return StoreError::NotFound;
            }
            if db.is_unique_violation() {
                return StoreError::Duplicate { field };
            }
        }
        StoreError::Database(err)
    }
}

/// A unique violation becomes `Duplicate{field}`; other errors pass through.
pub(crate) fn duplicate_as(field: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |err| {
        if let sqlx::Error::Database(db) = &err {
            if db.is_unique_violation() {
                return StoreError::Duplicate { field };
            }
        }
        StoreError::Database(err)
    }
}
