//! Inviting staff: new invites, the first admin (bootstrap), and invites with their tokens.

use super::manage::versioned;
use crate::context::{Caller, ClientInfo};
use crate::domain::staff::views::staff_view;
use crate::error::{HubError, HubResult};
use crate::secrets;
use crate::state::AppState;
use crate::support::effects::{audit, staff_ref};
use crate::support::events::staff_event;
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::EventKind;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::rules::may_assign_role;
use opsdesk_core::staff::StaffStatus;
use opsdesk_core::Role;
use opsdesk_proto::{InviteIssued, InviteStaffRequest};
use opsdesk_store::{Effects, InviteKind, NewInvite, NewStaff, StoreError};
use serde_json::json;
use uuid::Uuid;

/// A new invite token and its record.
pub fn new_invite(
    state: &AppState,
    staff_id: Uuid,
    kind: InviteKind,
    created_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> (String, NewInvite) {
    let token = secrets::new_token("odi_");
    let invite = NewInvite {
        id: Uuid::now_v7(),
        token_hash: secrets::token_hash(&token),
        staff_id,
        kind,
        created_by,
        created_at: now,
        expires_at: now + Duration::hours(state.settings.auth.invite_hours),
    };
    (token, invite)
}

/// Creates a staff member and their invite, with `actor` (`staff:<id>` or `system`) in the audit.
pub async fn create_with_invite(
    state: &AppState,
    manager: &Granted<cap::StaffManage>,
    req: InviteStaffRequest,
    actor: &str,
    created_by: Option<Uuid>,
    addr: std::net::IpAddr,
) -> HubResult<InviteIssued> {
    let now = state.now();
    let id = Uuid::now_v7();
    let (token, invite) = new_invite(state, id, InviteKind::Enroll, created_by, now);
    let expires_at = invite.expires_at;
    let fx = Effects::audit(audit(
        now,
        actor,
        AuditAction::StaffInvited,
        &staff_ref(id),
        addr,
        json!({"username": req.username.as_str(), "role": req.role, "email": req.email.as_str(), "invite_expires_at": expires_at}),
    ))
    .with_event(staff_event(EventKind::StaffInvited, now, id, created_by));
    let staff = NewStaff {
        id,
        username: req.username.as_str().to_owned(),
        display_name: req.display_name.as_str().to_owned(),
        email: req.email.as_str().to_owned(),
        role: req.role,
        created_at: now,
    };
    let record = state
        .store
        .create_staff(manager, staff, invite, fx)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { field } => HubError::Conflict {
                code: "duplicate",
                message: format!("`{field}` is already taken by another staff member"),
                current: None,
            },
            other => other.into(),
        })?;
    Ok(InviteIssued {
        staff: staff_view(&record),
        invite_token: token,
        expires_at,
    })
}

/// Invites a staff member with a role the caller may assign.
pub async fn invite(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    req: InviteStaffRequest,
) -> HubResult<InviteIssued> {
    let manager = Granted::<cap::StaffManage>::check(caller.staff.role)?;
    may_assign_role(caller.staff.role, req.role)?;
    create_with_invite(
        state,
        &manager,
        req,
        &caller.actor(),
        Some(caller.staff.id),
        client.addr,
    )
    .await
}

/// The first admin, created from the command line or the app's local workspace: refused once an
/// active admin exists. Asked again for an admin who never finished enrolling (the invite was
/// lost), the old invite is voided and a new one issued.
pub async fn bootstrap_admin(state: &AppState, req: InviteStaffRequest) -> HubResult<InviteIssued> {
    if state.store.count_active_with_role(Role::Admin).await? > 0 {
        return Err(HubError::unprocessable(
            "admin_exists",
            "an active admin already exists; have them invite new staff from the app",
        ));
    }
    let system = std::net::Ipv4Addr::LOCALHOST.into();
    // The hub creates the first admin itself (command line, local workspace): no caller to check.
    let hub = Granted::<cap::StaffManage>::system();
    if let Some(existing) = state.store.staff_by_username(req.username.as_str()).await? {
        if existing.role != Role::Admin || existing.status != StaffStatus::Invited {
            return Err(HubError::Conflict {
                code: "duplicate",
                message: "`username` is already taken by another staff member".into(),
                current: None,
            });
        }
        let now = state.now();
        let (token, invite) = new_invite(state, existing.id, InviteKind::Enroll, None, now);
        let expires_at = invite.expires_at;
        let fx = Effects::audit(audit(
            now,
            "system",
            AuditAction::StaffInvited,
            &staff_ref(existing.id),
            system,
            json!({"username": existing.username, "role": Role::Admin, "reissued": true, "invite_expires_at": expires_at}),
        ))
        .with_event(staff_event(EventKind::StaffInvited, now, existing.id, None));
        let result = state
            .store
            .reset_mfa(&hub, existing.id, existing.version, invite, now, fx)
            .await;
        let record = versioned(state, existing.id, result).await?;
        return Ok(InviteIssued {
            staff: staff_view(&record),
            invite_token: token,
            expires_at,
        });
    }
    create_with_invite(
        state,
        &hub,
        InviteStaffRequest {
            role: Role::Admin,
            ..req
        },
        "system",
        None,
        system,
    )
    .await
}
