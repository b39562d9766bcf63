//! Reading the audit log and the security events, page by page, with the filters written as SQL
//! so indexes do the work; and recording effects on their own.

use super::rows::{AuditRow, SecurityEventRow, AUDIT_COLUMNS, SECURITY_EVENT_COLUMNS};
use super::write_effects;
use crate::common::{convert_all, ms, severity_rank};
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::{
    AuditFilter, AuditRecord, Effects, SecurityEventFilter, SecurityEventRecord, StoreResult,
};

/// Appends audit entries and security events on their own.
pub(crate) async fn record<D: Dialect>(store: &D, fx: Effects) -> StoreResult<()> {
    if fx.audit.is_empty() && fx.security.is_empty() {
        return Ok(());
    }
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(())
}

/// Audit entries newest first (or oldest first), filtered in SQL.
pub(crate) async fn audit_page<D: Dialect>(
    store: &D,
    filter: &AuditFilter,
) -> StoreResult<Vec<AuditRecord>> {
    let mut q = Sql::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1 = 1"));
    if let Some(actor) = &filter.actor {
        q.push(" AND actor = ").push_bind(actor.as_str());
    }
    if let Some(action) = &filter.action {
        q.push(" AND action = ").push_bind(action.as_str());
    }
    if let Some(target) = &filter.target {
        q.push(" AND target = ").push_bind(target.as_str());
    }
    if let Some(since) = filter.since {
        q.push(" AND at >= ").push_bind(ms(since));
    }
    if let Some(until) = filter.until {
        q.push(" AND at < ").push_bind(ms(until));
    }
    if let Some(before) = filter.before_seq {
        q.push(" AND seq < ").push_bind(before);
    }
    if let Some(after) = filter.after_seq {
        q.push(" AND seq > ").push_bind(after);
    }
    q.push(if filter.oldest_first {
        " ORDER BY seq ASC LIMIT "
    } else {
        " ORDER BY seq DESC LIMIT "
    })
    .push_bind(i64::from(filter.limit));
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<AuditRow> = D::fetch_all(&mut conn, q).await?;
    convert_all(rows)
}

/// Security events newest first by (time, id), filtered in SQL.
pub(crate) async fn security_event_page<D: Dialect>(
    store: &D,
    filter: &SecurityEventFilter,
) -> StoreResult<Vec<SecurityEventRecord>> {
    let mut q = Sql::new(format!(
        "SELECT {SECURITY_EVENT_COLUMNS} FROM security_events WHERE 1 = 1"
    ));
    if let Some(min) = filter.min_severity {
        q.push(" AND severity_rank >= ")
            .push_bind(severity_rank(min));
    }
    if let Some(kind) = &filter.kind {
        q.push(" AND kind = ").push_bind(kind.as_str());
    }
    if let Some((at, id)) = filter.before {
        q.push(" AND (at, id) < (")
            .push_bind(ms(at))
            .push(", ")
            .push_bind(id.to_string())
            .push(")");
    }
    q.push(" ORDER BY at DESC, id DESC LIMIT ")
        .push_bind(i64::from(filter.limit));
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<SecurityEventRow> = D::fetch_all(&mut conn, q).await?;
    convert_all(rows)
}
