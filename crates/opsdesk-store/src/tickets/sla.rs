//! SLA policies: the targets per priority, and changing them at the version the caller read.

use super::rows::SlaPolicyRow;
use crate::audit::write_effects;
use crate::common::{convert_all, ms};
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::{Effects, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_core::sla::SlaTargets;
use opsdesk_core::ticket::Priority;
use opsdesk_proto::SlaPolicyView;

/// Every policy, most urgent priority first.
pub(crate) async fn policies<D: Dialect>(store: &D) -> StoreResult<Vec<SlaPolicyView>> {
    let sql = Sql::new(
        "SELECT priority, first_response_minutes, resolution_minutes, version FROM sla_policies",
    );
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<SlaPolicyRow> = D::fetch_all(&mut conn, sql).await?;
    let mut policies: Vec<SlaPolicyView> = convert_all(rows)?;
    policies.sort_by_key(|p| p.priority.rank());
    Ok(policies)
}

/// Sets a priority's targets if its policy is still at `expected_version`.
pub(crate) async fn update<D: Dialect>(
    store: &D,
    priority: Priority,
    expected_version: i64,
    targets: SlaTargets,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<SlaPolicyView> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let update = Sql::new(
        "UPDATE sla_policies SET first_response_minutes = $1, resolution_minutes = $2, \
         updated_at = $3, version = version + 1 WHERE priority = $4 AND version = $5 \
         RETURNING priority, first_response_minutes, resolution_minutes, version",
    )
    .bind(targets.first_response_minutes)
    .bind(targets.resolution_minutes)
    .bind(ms(now))
    .bind(priority.as_str())
    .bind(expected_version);
    let row: Option<SlaPolicyRow> = D::fetch_optional(&mut *tx, update).await?;
    let Some(row) = row else {
        return Err(StoreError::VersionConflict);
    };
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    row.try_into()
}
