//! The event log's SQL, as functions generic over the [`Dialect`]. Events are written by
//! `write_effects` (with the change that causes them); here they are read and pruned.

use super::rows::EventRow;
use crate::common::ms;
use crate::dialect::{fetch_one, Dialect};
use crate::query::Sql;
use crate::{EventRecord, StoreResult};
use chrono::{DateTime, Utc};

/// The number of the last event (0 when there is none).
pub(super) const LAST_SEQ: &str = "SELECT MAX(seq) FROM events";
/// The number of the oldest event kept (0 when there is none).
pub(super) const FIRST_SEQ: &str = "SELECT MIN(seq) FROM events";

/// Events numbered after `after`, in order, at most `limit`.
pub(super) async fn events_after<D: Dialect>(
    store: &D,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<EventRecord>> {
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<EventRow> = D::fetch_all(
        &mut conn,
        Sql::new(
            "SELECT seq, at, kind, subject_kind, subject_id, actor_id, audience, facts \
             FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit)),
    )
    .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// `LAST_SEQ` or `FIRST_SEQ`.
pub(super) async fn seq_bound<D: Dialect>(store: &D, sql: &'static str) -> StoreResult<i64> {
    let mut conn = store.pool().acquire().await?;
    let (seq,): (Option<i64>,) = fetch_one::<D, _>(&mut conn, Sql::new(sql)).await?;
    Ok(seq.unwrap_or(0))
}

/// Deletes events older than `before`, keeping the last one (so numbering continues).
pub(super) async fn prune<D: Dialect>(store: &D, before: DateTime<Utc>) -> StoreResult<u64> {
    let _writing = store.write_guard().await;
    let mut conn = store.pool().acquire().await?;
    Ok(D::execute(
        &mut conn,
        Sql::new(
            "DELETE FROM events WHERE at < $1 \
             AND seq < (SELECT COALESCE(MAX(seq), 0) FROM events)",
        )
        .bind(ms(before)),
    )
    .await?)
}
