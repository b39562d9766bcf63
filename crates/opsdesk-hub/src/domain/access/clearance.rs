//! Onboarding clearance: the record that a staff member may be given access to tenant data.

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::{audit, staff_ref};
use crate::support::events;
use chrono::{DateTime, Utc};
use opsdesk_core::access::Clearance;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::EventKind;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::rules::RuleViolation;
use opsdesk_proto::{ClearanceView, RecordClearanceRequest};
use opsdesk_store::{Effects, StoreError};
use serde_json::json;
use uuid::Uuid;

/// A staff member's clearance: their own, or anyone's for those who read staff.
pub async fn clearance(
    state: &AppState,
    caller: &Caller,
    staff_id: Uuid,
) -> HubResult<ClearanceView> {
    if staff_id != caller.staff.id {
        Granted::<cap::StaffRead>::check(caller.staff.role)?;
    }
    state
        .store
        .staff_by_id(staff_id)
        .await?
        .ok_or(HubError::NotFound("staff member"))?;
    Ok(state.store.clearance(staff_id).await?)
}

/// Admins record onboarding clearance (never their own).
pub async fn record_clearance(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    staff_id: Uuid,
    req: RecordClearanceRequest,
) -> HubResult<ClearanceView> {
    let recorder = Granted::<cap::OnboardingRecord>::check(caller.staff.role)?;
    if staff_id == caller.staff.id {
        return Err(RuleViolation::SelfAction("record the clearance of").into());
    }
    let target = state
        .store
        .staff_by_id(staff_id)
        .await?
        .ok_or(HubError::NotFound("staff member"))?;
    let now = state.now();
    let before = state.store.clearance_facts(staff_id).await?;
    let keep = |done: bool, at: Option<DateTime<Utc>>| if done { at.or(Some(now)) } else { None };
    let after = Clearance {
        nda_at: keep(req.nda, before.nda_at),
        background_check_at: keep(req.background_check, before.background_check_at),
        training_at: keep(req.training, before.training_at),
    };
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::ClearanceRecorded,
        &staff_ref(staff_id),
        client.addr,
        json!({
            "nda": req.nda,
            "background_check": req.background_check,
            "training": req.training,
            "complete": after.is_complete(),
            "username": target.username,
        }),
    ))
    .with_event(events::staff_event(
        EventKind::StaffChanged,
        now,
        staff_id,
        Some(caller.staff.id),
    ));
    match state
        .store
        .record_clearance(
            &recorder,
            staff_id,
            req.version,
            after,
            caller.staff.id,
            now,
            fx,
        )
        .await
    {
        Ok(v) => Ok(v),
        Err(StoreError::VersionConflict) => Err(HubError::Conflict {
            code: "version_conflict",
            message: "someone else recorded this clearance meanwhile; review it as it is now"
                .into(),
            current: serde_json::to_value(state.store.clearance(staff_id).await?).ok(),
        }),
        Err(e) => Err(e.into()),
    }
}
