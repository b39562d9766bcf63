//! SLA policies: the first-response and resolution targets per priority.

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::sla::SlaTargets;
use opsdesk_core::ticket::Priority;
use opsdesk_proto::{SlaPolicyRequest, SlaPolicyView};
use opsdesk_store::{Effects, StoreError};
use serde_json::json;

/// The SLA policies, critical first (anyone who reads tickets).
pub async fn sla_policies(state: &AppState, caller: &Caller) -> HubResult<Vec<SlaPolicyView>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    Ok(state.store.sla_policies().await?)
}

/// Changes one priority's SLA targets (managers). Tickets pick the new targets up on their
/// next change.
pub async fn update_sla_policy(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    priority: Priority,
    req: SlaPolicyRequest,
) -> HubResult<SlaPolicyView> {
    let manager = Granted::<cap::SlaManage>::check(caller.staff.role)?;
    let targets = SlaTargets {
        first_response_minutes: req.first_response_minutes,
        resolution_minutes: req.resolution_minutes,
    }
    .check()
    .map_err(|e| {
        let field = e.split_whitespace().next().unwrap_or("targets").to_owned();
        HubError::field(&field, e.trim_start_matches(&field).trim())
    })?;
    let now = state.now();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::SlaPolicyChanged,
        &format!("sla_policy:{priority}"),
        client.addr,
        json!({"first_response_minutes": targets.first_response_minutes, "resolution_minutes": targets.resolution_minutes}),
    ));
    match state
        .store
        .update_sla_policy(&manager, priority, req.version, targets, now, fx)
        .await
    {
        Err(StoreError::VersionConflict) => {
            let current = state
                .store
                .sla_policies()
                .await?
                .into_iter()
                .find(|p| p.priority == priority);
            Err(HubError::Conflict {
                code: "version_conflict",
                message: "this SLA policy changed since you read it; review it and try again"
                    .into(),
                current: current.and_then(|p| serde_json::to_value(p).ok()),
            })
        }
        other => Ok(other?),
    }
}
