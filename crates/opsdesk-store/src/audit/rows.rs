//! Audit and security event rows as the database returns them, their column lists, and their
//! conversion into records.

use crate::common::{corrupt, time, uuid};
use crate::records::*;
use crate::{StoreError, StoreResult};
use opsdesk_core::staff::Severity;

/// The audit columns, in [`AuditRow`] order (also the order the chain verification reads by
/// index).
pub(crate) const AUDIT_COLUMNS: &str =
    "seq, at, actor, action, target, client_addr, details, prev_hash, hash";

/// The security event columns, in [`SecurityEventRow`] order.
pub(crate) const SECURITY_EVENT_COLUMNS: &str =
    "id, at, kind, severity, staff_id, actor, client_addr, summary, details";

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    target: String,
    client_addr: String,
    details: String,
    prev_hash: String,
    hash: String,
}

impl TryFrom<AuditRow> for AuditRecord {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> StoreResult<Self> {
        Ok(AuditRecord {
            seq: r.seq,
            at: time(r.at)?,
            actor: r.actor,
            action: r.action,
            target: r.target,
            client_addr: r.client_addr,
            details: r.details,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SecurityEventRow {
    id: String,
    at: i64,
    kind: String,
    severity: String,
    staff_id: Option<String>,
    actor: String,
    client_addr: String,
    summary: String,
    details: String,
}

impl TryFrom<SecurityEventRow> for SecurityEventRecord {
    type Error = StoreError;
    fn try_from(r: SecurityEventRow) -> StoreResult<Self> {
        Ok(SecurityEventRecord {
            id: uuid(&r.id)?,
            at: time(r.at)?,
            severity: Severity::parse(&r.severity)
                .ok_or_else(|| corrupt("severity", &r.severity))?,
            staff_id: r.staff_id.as_deref().map(uuid).transpose()?,
            details: serde_json::from_str(&r.details)
                .map_err(|e| StoreError::Corrupt(format!("security event details: {e}")))?,
            kind: r.kind,
            actor: r.actor,
            client_addr: r.client_addr,
            summary: r.summary,
        })
    }
}
