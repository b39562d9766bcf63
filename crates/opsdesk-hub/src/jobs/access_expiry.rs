//! The access job: every few seconds it expires requests that waited too long, records the start
//! of grants whose requested start has come, and records the end of grants past their end. A
//! grant stops working at its end whether or not the job has run (every tenant-data request
//! checks the time); the job puts the end in the audit trail. Every step is a conditional write,
//! so the job is correct across restarts and, with several hubs on one database, each end is
//! recorded once.

use crate::error::HubResult;
use crate::state::AppState;
use crate::support::effects::audit;
use crate::support::effects::grant_ref;
use crate::support::events;
use opsdesk_core::access::GrantEndReason;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::EventKind;
use opsdesk_core::proof::OwnOrAny;
use opsdesk_store::{Effects, EndGrant};
use serde_json::json;
use std::net::Ipv4Addr;

/// Records handled per query.
pub const BATCH: u32 = 200;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub requests_expired: usize,
    pub grants_started: usize,
    pub grants_ended: usize,
    pub grants_warned: usize,
}

/// How long before its end a holder hears that their grant is ending.
pub const EXPIRY_WARNING: chrono::Duration = chrono::Duration::minutes(10);

/// One round. Returns what it recorded (not what other hubs recorded meanwhile).
pub async fn run_once(state: &AppState) -> HubResult<Round> {
    let mut round = Round::default();
    let local = Ipv4Addr::LOCALHOST.into();
    loop {
        let now = state.now();
        let due = state.store.access_requests_to_expire(now, BATCH).await?;
        for r in &due {
            if crate::domain::access::requests::expire(state, r, now).await? {
                round.requests_expired += 1;
            }
        }
        if due.len() < BATCH as usize {
            break;
        }
    }
    loop {
        let now = state.now();
        let due = state.store.grants_to_start(now, BATCH).await?;
        for g in &due {
            let fx = Effects::audit(audit(
                g.starts_at,
                "system",
                AuditAction::GrantStarted,
                &grant_ref(g.id),
                local,
                json!({
                    "request_id": g.request_id,
                    "holder": g.holder.id,
                    "tenant_id": g.tenant.id,
                    "scope": g.scope,
                    "starts_at": g.starts_at,
                    "ends_at": g.ends_at,
                }),
            ))
            .with_event(events::access_event(
                EventKind::GrantStarted,
                g.starts_at,
                events::grant_facts(g),
                None,
            ));
            if state.store.record_grant_started(g.id, fx).await? {
                round.grants_started += 1;
            }
        }
        if due.len() < BATCH as usize {
            break;
        }
    }
    loop {
        let now = state.now();
        let due = state
            .store
            .grants_to_warn(now + EXPIRY_WARNING, BATCH)
            .await?;
        for g in &due {
            if g.ends_at <= now {
                // Ending now: the end is the news; just do not look at it again.
                state
                    .store
                    .record_grant_warned(g.id, Effects::default())
                    .await?;
                continue;
            }
            let fx = Effects::default().with_event(events::access_event(
                EventKind::GrantExpiring,
                now,
                events::grant_facts(g),
                None,
            ));
            if state.store.record_grant_warned(g.id, fx).await? {
                round.grants_warned += 1;
            }
        }
        if due.len() < BATCH as usize {
            break;
        }
    }
    loop {
        let now = state.now();
        let due = state.store.grants_to_end(now, BATCH).await?;
        for g in &due {
            let fx = Effects::audit(audit(
                now,
                "system",
                AuditAction::GrantEnded,
                &grant_ref(g.id),
                local,
                json!({
                    "reason": GrantEndReason::Expired,
                    "holder": g.holder.id,
                    "tenant_id": g.tenant.id,
                    "scope": g.scope,
                    "ended_at": g.ends_at,
                }),
            ))
            .with_event(events::access_event(
                EventKind::GrantEnded,
                now,
                events::grant_facts(g),
                None,
            ));
            let end = EndGrant {
                grant_id: g.id,
                reason: GrantEndReason::Expired,
                by: None,
                comment: None,
                at: g.ends_at,
            };
            let job = OwnOrAny::system(g.holder.id);
            if state.store.end_grant(&job, end, fx).await?.is_some() {
                round.grants_ended += 1;
            }
        }
        if due.len() < BATCH as usize {
            break;
        }
    }
    Ok(round)
}
