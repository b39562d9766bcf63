//! Changing a staff member: role, MFA reset and deactivation, each within the manager's reach.

use super::invite::new_invite;
use super::target;
use crate::context::{Caller, ClientInfo};
use crate::domain::staff::views::staff_view;
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::{audit, security, staff_ref};
use crate::support::events::staff_event;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::EventKind;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::rules::{may_assign_role, may_manage_staff};
use opsdesk_core::staff::{Severity, StaffStatus};
use opsdesk_core::Role;
use opsdesk_proto::{InviteIssued, StaffView};
use opsdesk_store::{Effects, InviteKind, StaffRecord, StoreError};
use serde_json::json;
use uuid::Uuid;

fn conflict_with(current: &StaffRecord) -> HubError {
    HubError::Conflict {
        code: "version_conflict",
        message: format!(
            "this staff record changed since you read it (now version {}); review it and try again",
            current.version
        ),
        current: serde_json::to_value(staff_view(current)).ok(),
    }
}

/// Maps a store failure on a versioned write to a conflict showing the current record.
pub(crate) async fn versioned(
    state: &AppState,
    id: Uuid,
    result: Result<StaffRecord, StoreError>,
) -> HubResult<StaffRecord> {
    match result {
        Ok(r) => Ok(r),
        Err(StoreError::VersionConflict) => Err(conflict_with(&target(state, id).await?)),
        Err(StoreError::NotFound) => Err(HubError::NotFound("staff member")),
        Err(e) => Err(e.into()),
    }
}

/// Loads the staff member an action targets and applies the rules every such action shares:
/// the management rules, not on a deactivated account, and at the version the caller saw.
/// Returns the proof of `staff.manage` the store's write takes, with the target.
async fn managed_target(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    version: i64,
    action: &'static str,
) -> HubResult<(Granted<cap::StaffManage>, StaffRecord)> {
    let current = target(state, id).await?;
    let manager = Granted::<cap::StaffManage>::check(caller.staff.role)?;
    may_manage_staff(
        caller.staff.role,
        current.role,
        id == caller.staff.id,
        action,
    )?;
    if current.status == StaffStatus::Deactivated {
        return Err(HubError::unprocessable(
            "staff_deactivated",
            "this account is deactivated; it cannot be changed (reactivation is not supported)",
        ));
    }
    if current.version != version {
        return Err(conflict_with(&current));
    }
    Ok((manager, current))
}

/// Changes a staff member's role under the management rules.
pub async fn change_role(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    role: Role,
    version: i64,
) -> HubResult<StaffView> {
    let (manager, current) =
        managed_target(state, caller, id, version, "change the role of").await?;
    may_assign_role(caller.staff.role, role)?;
    let now = state.now();
    let actor = caller.actor();
    let severity =
        if role.tier() >= Role::Manager.tier() || current.role.tier() >= Role::Manager.tier() {
            Severity::High
        } else {
            Severity::Medium
        };
    let fx = Effects::audit(audit(
        now,
        &actor,
        AuditAction::RoleChanged,
        &staff_ref(id),
        client.addr,
        json!({"from": current.role, "to": role}),
    ))
    .with_security(security(
        now,
        "role_changed",
        severity,
        Some(id),
        &actor,
        client.addr,
        format!(
            "`{}` changed the role of `{}` from {} to {role}",
            caller.staff.username, current.username, current.role
        ),
        json!({"from": current.role, "to": role}),
    ));
    let result = state
        .store
        .change_role(
            &manager,
            id,
            version,
            role,
            now,
            fx.with_event(staff_event(
                EventKind::StaffChanged,
                now,
                id,
                Some(caller.staff.id),
            )),
        )
        .await;
    Ok(staff_view(&versioned(state, id, result).await?))
}

/// Resets a staff member's MFA: their credentials are cleared, their sessions end, and a new
/// invite lets them set a password and enroll again.
pub async fn reset_mfa(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    version: i64,
) -> HubResult<InviteIssued> {
    let (manager, current) = managed_target(state, caller, id, version, "reset the MFA of").await?;
    let now = state.now();
    let actor = caller.actor();
    let (token, invite) = new_invite(state, id, InviteKind::MfaReset, Some(caller.staff.id), now);
    let expires_at = invite.expires_at;
    let fx = Effects::audit(audit(
        now,
        &actor,
        AuditAction::MfaReset,
        &staff_ref(id),
        client.addr,
        json!({"invite_expires_at": expires_at}),
    ))
    .with_security(security(
        now,
        "mfa_reset",
        Severity::High,
        Some(id),
        &actor,
        client.addr,
        format!(
            "`{}` reset the MFA of `{}`; their sessions were ended",
            caller.staff.username, current.username
        ),
        json!({}),
    ));
    let result = state
        .store
        .reset_mfa(
            &manager,
            id,
            version,
            invite,
            now,
            fx.with_event(staff_event(
                EventKind::StaffChanged,
                now,
                id,
                Some(caller.staff.id),
            )),
        )
        .await;
    let record = versioned(state, id, result).await?;
    Ok(InviteIssued {
        staff: staff_view(&record),
        invite_token: token,
        expires_at,
    })
}

/// Deactivates a staff member; their sessions end at once.
pub async fn deactivate(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    version: i64,
) -> HubResult<StaffView> {
    let (manager, current) = managed_target(state, caller, id, version, "deactivate").await?;
    let now = state.now();
    let actor = caller.actor();
    let fx = Effects::audit(audit(
        now,
        &actor,
        AuditAction::Deactivated,
        &staff_ref(id),
        client.addr,
        json!({"role": current.role}),
    ))
    .with_security(security(
        now,
        "staff_deactivated",
        Severity::Medium,
        Some(id),
        &actor,
        client.addr,
        format!(
            "`{}` deactivated `{}`; their sessions were ended",
            caller.staff.username, current.username
        ),
        json!({}),
    ));
    let result = state
        .store
        .deactivate(
            &manager,
            id,
            version,
            now,
            fx.with_event(staff_event(
                EventKind::StaffChanged,
                now,
                id,
                Some(caller.staff.id),
            )),
        )
        .await;
    Ok(staff_view(&versioned(state, id, result).await?))
}
