//! Staff administration under the role rules: invite, list, change role, reset MFA, deactivate,
//! and "what can this person do".

use crate::error::{HubError, HubResult};
use crate::context::ClientInfo;
use crate::secrets;
use crate::context::Caller;
use crate::support::effects::{audit, security, staff_ref};
use crate::service::events::staff_event;
use crate::service::views::{capabilities, staff_view};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::EventKind;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::rules::{may_assign_role, may_manage_staff};
use opsdesk_core::staff::{Severity, StaffStatus};
use opsdesk_core::Role;
use opsdesk_proto::{Capabilities, InviteIssued, InviteStaffRequest, Page, StaffQuery, StaffView};
use opsdesk_store::{
    Effects, InviteKind, NewInvite, NewStaff, StaffFilter, StaffRecord, StoreError,
};
use serde_json::json;
use uuid::Uuid;

/// Clamps a page size, naming the field when it is out of range.
pub fn page_limit(limit: Option<u32>) -> HubResult<u32> {
    match limit {
        None => Ok(opsdesk_proto::DEFAULT_PAGE_SIZE),
        Some(n) if (1..=opsdesk_proto::MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(_) => Err(HubError::field(
            "limit",
            format!("must be between 1 and {}", opsdesk_proto::MAX_PAGE_SIZE),
        )),
    }
}

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
        .create_staff(staff, invite, fx)
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
    Granted::<cap::StaffManage>::check(caller.staff.role)?;
    may_assign_role(caller.staff.role, req.role)?;
    create_with_invite(
        state,
        req,
        &caller.actor(),
        Some(caller.staff.id),
        client.addr,
    )
    .await
}

/// Lists staff (needs `staff.read`).
pub async fn list(state: &AppState, caller: &Caller, q: StaffQuery) -> HubResult<Page<StaffView>> {
    Granted::<cap::StaffRead>::check(caller.staff.role)?;
    let limit = page_limit(q.limit)?;
    let rows = state
        .store
        .list_staff(&StaffFilter {
            role: q.role,
            status: q.status,
            after_username: q.cursor.clone(),
            limit: limit + 1,
        })
        .await?;
    Ok(page(
        rows,
        limit as usize,
        |s| s.username.clone(),
        staff_view,
    ))
}

/// Cuts `rows` (fetched with one extra) to a page with the next cursor.
pub fn page<R, T>(
    mut rows: Vec<R>,
    limit: usize,
    cursor_of: impl Fn(&R) -> String,
    view: impl Fn(&R) -> T,
) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last().map(&cursor_of)
    } else {
        None
    };
    Page {
        items: rows.iter().map(view).collect(),
        next_cursor,
    }
}

async fn target(state: &AppState, id: Uuid) -> HubResult<StaffRecord> {
    state
        .store
        .staff_by_id(id)
        .await?
        .ok_or(HubError::NotFound("staff member"))
}

/// One staff member: anyone may read their own record; others need `staff.read`.
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> HubResult<StaffView> {
    if id != caller.staff.id {
        Granted::<cap::StaffRead>::check(caller.staff.role)?;
    }
    Ok(staff_view(&target(state, id).await?))
}

/// What a staff member can do: anyone for themselves; others need `staff.read`.
pub async fn capabilities_of(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> HubResult<Capabilities> {
    if id != caller.staff.id {
        Granted::<cap::StaffRead>::check(caller.staff.role)?;
    }
    Ok(capabilities(&target(state, id).await?))
}

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
async fn versioned(
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
async fn managed_target(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    version: i64,
    action: &'static str,
) -> HubResult<StaffRecord> {
    let current = target(state, id).await?;
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
    Ok(current)
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
    let current = managed_target(state, caller, id, version, "change the role of").await?;
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
    let current = managed_target(state, caller, id, version, "reset the MFA of").await?;
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
    let current = managed_target(state, caller, id, version, "deactivate").await?;
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
            .reset_mfa(existing.id, existing.version, invite, now, fx)
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
