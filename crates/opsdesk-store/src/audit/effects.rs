//! Appending [`Effects`]: audit entries chained onto the last one, live events numbered in
//! commit order, and security events, all in the caller's transaction.

use super::rows::AUDIT_COLUMNS;
use crate::common::{json_text, ms, severity_rank};
use crate::dialect::{fetch_one, Dialect, Tx};
use crate::query::Sql;
use crate::{Effects, StoreResult};
use opsdesk_core::audit::{entry_hash, AuditFields, GENESIS_HASH};

/// Appends the audit entries (chained onto the last one), the live events and the security
/// events of `fx`.
pub(crate) async fn write_effects<D: Dialect>(tx: &mut Tx<D>, fx: Effects) -> StoreResult<()> {
    if !fx.audit.is_empty() || !fx.events.is_empty() {
        // Also orders live events: numbers are taken under this lock, which is held until
        // commit, so they commit in order and a reader never skips one.
        D::lock_audit(tx).await?;
    }
    if !fx.events.is_empty() {
        let (last,): (Option<i64>,) =
            fetch_one::<D, _>(&mut **tx, Sql::new("SELECT MAX(seq) FROM events")).await?;
        let mut seq = last.unwrap_or(0);
        for e in &fx.events {
            seq += 1;
            let insert = Sql::new(
                "INSERT INTO events (seq, at, kind, subject_kind, subject_id, \
                 actor_id, audience, facts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(seq)
            .bind(ms(e.at))
            .bind(e.kind.as_str())
            .bind(e.subject_kind.as_str())
            .bind(e.subject_id.to_string())
            .bind(e.actor_id.map(|a| a.to_string()))
            .bind(json_text(&e.audience)?)
            .bind(json_text(&e.facts)?);
            D::execute(&mut **tx, insert).await?;
        }
        D::announce_events(tx).await?;
    }
    if !fx.audit.is_empty() {
        let last: Option<(i64, String)> = D::fetch_optional(
            &mut **tx,
            Sql::new("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"),
        )
        .await?;
        let (mut seq, mut prev) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
        for entry in fx.audit {
            seq += 1;
            let details = json_text(&entry.details)?;
            let at_ms = ms(entry.at);
            let hash = entry_hash(
                &prev,
                &AuditFields {
                    seq,
                    at_ms,
                    actor: &entry.actor,
                    action: &entry.action,
                    target: &entry.target,
                    client_addr: &entry.client_addr,
                    details: &details,
                },
            );
            let insert = Sql::new(format!(
                "INSERT INTO audit_log ({AUDIT_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ))
            .bind(seq)
            .bind(at_ms)
            .bind(entry.actor)
            .bind(entry.action)
            .bind(entry.target)
            .bind(entry.client_addr)
            .bind(details)
            .bind(prev)
            .bind(hash.clone());
            D::execute(&mut **tx, insert).await?;
            prev = hash;
        }
    }
    for event in fx.security {
        let insert = Sql::new(
            "INSERT INTO security_events (id, at, kind, severity, severity_rank, \
             staff_id, actor, client_addr, summary, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(event.id.to_string())
        .bind(ms(event.at))
        .bind(event.kind)
        .bind(event.severity.as_str())
        .bind(severity_rank(event.severity))
        .bind(event.staff_id.map(|id| id.to_string()))
        .bind(event.actor)
        .bind(event.client_addr)
        .bind(event.summary)
        .bind(json_text(&event.details)?);
        D::execute(&mut **tx, insert).await?;
    }
    Ok(())
}
