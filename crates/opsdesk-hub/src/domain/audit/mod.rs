//! The audit trail (read, filter, verify) and the security event log, for security officers.

pub mod export;

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use crate::support::paging::{page, page_limit};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_proto::{
    AuditEntry, AuditQuery, AuditVerification, Page, SecurityEvent, SecurityEventQuery,
};
use opsdesk_store::{
    AuditFilter, AuditRecord, ChainReport, Effects, SecurityEventFilter, SecurityEventRecord,
};
use serde_json::json;
use uuid::Uuid;

/// A stored entry as the API shows it (details parsed back into JSON).
pub(crate) fn entry(r: &AuditRecord) -> AuditEntry {
    AuditEntry {
        seq: r.seq,
        at: r.at,
        actor: r.actor.clone(),
        action: r.action.clone(),
        target: r.target.clone(),
        client_addr: r.client_addr.clone(),
        details: serde_json::from_str(&r.details)
            .unwrap_or(serde_json::Value::String(r.details.clone())),
        prev_hash: r.prev_hash.clone(),
        hash: r.hash.clone(),
    }
}

fn exact(field: &str, value: Option<String>) -> HubResult<Option<String>> {
    match value {
        Some(v) if v.is_empty() || v.len() > 200 => {
            Err(HubError::field(field, "must be 1 to 200 characters"))
        }
        other => Ok(other),
    }
}

/// Checks the filters a listing and an export share: known action, bounded texts, and a time
/// range that ends after it starts.
pub(crate) fn validated_filter(
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    since: Option<chrono::DateTime<chrono::Utc>>,
    until: Option<chrono::DateTime<chrono::Utc>>,
) -> HubResult<AuditFilter> {
    if let Some(action) = &action {
        if AuditAction::parse(action).is_none() {
            let known: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
            return Err(HubError::field(
                "action",
                format!("is not an audit action; known: {}", known.join(", ")),
            ));
        }
    }
    if let (Some(since), Some(until)) = (since, until) {
        if until <= since {
            return Err(HubError::field("until", "must be after `since`"));
        }
    }
    Ok(AuditFilter {
        actor: exact("actor", actor)?,
        action,
        target: exact("target", target)?,
        since,
        until,
        ..AuditFilter::default()
    })
}

/// Lists audit entries newest first, filtered.
pub async fn list(state: &AppState, caller: &Caller, q: AuditQuery) -> HubResult<Page<AuditEntry>> {
    Granted::<cap::AuditRead>::check(caller.staff.role)?;
    let limit = page_limit(q.limit)?;
    let before_seq =
        match q.cursor.as_deref() {
            None => None,
            Some(c) => Some(c.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                HubError::field("cursor", "is not a cursor from a previous page")
            })?),
        };
    let filter = AuditFilter {
        before_seq,
        limit: limit + 1,
        ..validated_filter(q.actor, q.action, q.target, q.since, q.until)?
    };
    let rows = state.store.list_audit(&filter).await?;
    Ok(page(rows, limit as usize, |r| r.seq.to_string(), entry))
}

/// Recomputes the chain, names the first broken entry, and records that it was checked.
pub async fn verify(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
) -> HubResult<AuditVerification> {
    Granted::<cap::AuditRead>::check(caller.staff.role)?;
    let report = state.store.verify_audit().await?;
    let now = state.now();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::AuditVerified,
        "audit",
        client.addr,
        json!({"intact": report.first_break.is_none(), "checked": report.checked, "first_break": report.first_break}),
    ));
    state.store.record(fx).await?;
    Ok(verification(report, now))
}

/// A chain report as the API shows it.
pub fn verification(report: ChainReport, at: chrono::DateTime<chrono::Utc>) -> AuditVerification {
    AuditVerification {
        intact: report.first_break.is_none(),
        checked: report.checked,
        first_break: report.first_break,
        verified_at: at,
    }
}

fn event(r: &SecurityEventRecord) -> SecurityEvent {
    SecurityEvent {
        id: r.id,
        at: r.at,
        kind: r.kind.clone(),
        severity: r.severity,
        staff_id: r.staff_id,
        actor: r.actor.clone(),
        client_addr: r.client_addr.clone(),
        summary: r.summary.clone(),
        details: r.details.clone(),
    }
}

/// Lists security events newest first.
pub async fn security_events(
    state: &AppState,
    caller: &Caller,
    q: SecurityEventQuery,
) -> HubResult<Page<SecurityEvent>> {
    Granted::<cap::SecurityEventsRead>::check(caller.staff.role)?;
    let limit = page_limit(q.limit)?;
    let before = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(
            parse_event_cursor(c)
                .ok_or_else(|| HubError::field("cursor", "is not a cursor from a previous page"))?,
        ),
    };
    let filter = SecurityEventFilter {
        min_severity: q.min_severity,
        kind: exact("kind", q.kind)?,
        before,
        limit: limit + 1,
    };
    let rows = state.store.list_security_events(&filter).await?;
    Ok(page(
        rows,
        limit as usize,
        |r| format!("{}_{}", r.at.timestamp_millis(), r.id),
        event,
    ))
}

fn parse_event_cursor(c: &str) -> Option<(chrono::DateTime<chrono::Utc>, Uuid)> {
    let (ms, id) = c.split_once('_')?;
    Some((
        chrono::DateTime::from_timestamp_millis(ms.parse().ok()?)?,
        id.parse().ok()?,
    ))
}
