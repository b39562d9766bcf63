//! Builders for the audit entries and security events that actions cause.

use chrono::{DateTime, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::staff::Severity;
use opsdesk_store::{AuditDraft, SecurityEventDraft};
use std::net::IpAddr;
use uuid::Uuid;

/// The audit name of a staff member: `staff:<id>`.
pub fn staff_ref(id: Uuid) -> String {
    format!("staff:{id}")
}

/// The audit name of a grant: `grant:<id>`.
pub fn grant_ref(id: Uuid) -> String {
    format!("grant:{id}")
}

/// One audit entry.
pub fn audit(
    at: DateTime<Utc>,
    actor: &str,
    action: AuditAction,
    target: &str,
    addr: IpAddr,
    details: serde_json::Value,
) -> AuditDraft {
    AuditDraft {
        at,
        actor: actor.to_owned(),
        action: action.as_str().to_owned(),
        target: target.to_owned(),
        client_addr: addr.to_string(),
        details,
    }
}

/// One security event.
#[allow(clippy::too_many_arguments)]
pub fn security(
    at: DateTime<Utc>,
    kind: &str,
    severity: Severity,
    staff_id: Option<Uuid>,
    actor: &str,
    addr: IpAddr,
    summary: String,
    details: serde_json::Value,
) -> SecurityEventDraft {
    SecurityEventDraft {
        id: Uuid::now_v7(),
        at,
        kind: kind.to_owned(),
        severity,
        staff_id,
        actor: actor.to_owned(),
        client_addr: addr.to_string(),
        summary,
        details,
    }
}
