//! The SLA job: every few seconds it claims tickets whose SLA check is due, raises the warning or
//! the breach the clock in core decides, and writes it. State lives in the database, so the job
//! is correct across restarts; claims lease rows (with `SKIP LOCKED` on PostgreSQL) and writes
//! check the ticket's version, so with several hubs each alarm is raised once.

use crate::domain::tickets::escalate::apply_sla_alarm;
use crate::domain::tickets::targets;
use crate::error::HubResult;
use crate::state::AppState;
use chrono::Duration;

/// How long a claim holds a ticket before another run may take it again.
pub const LEASE: Duration = Duration::seconds(60);
/// Tickets handled per round.
pub const BATCH: u32 = 200;

/// One round: claims due tickets and applies their alarms. Returns how many alarms it raised.
pub async fn run_once(state: &AppState) -> HubResult<usize> {
    let mut raised = 0;
    loop {
        let now = state.now();
        let claimed = state
            .store
            .claim_sla_checks(now, now + LEASE, BATCH)
            .await?;
        let n = claimed.len();
        for record in claimed {
            let mut clock = record.sla;
            let t = targets(state, record.summary.priority).await?;
            let Some(alarm) = clock.tick(t, now) else {
                // Not due after all (the deadline moved); a no-op write puts the next check back.
                continue;
            };
            match apply_sla_alarm(state, &record, alarm, clock).await {
                Ok(_) => raised += 1,
                // Someone changed the ticket meanwhile; their write set a fresh check time.
                Err(crate::error::HubError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        if n < BATCH as usize {
            return Ok(raised);
        }
    }
}
