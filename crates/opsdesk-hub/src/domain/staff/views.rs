//! Store records turned into what the API shows.

use opsdesk_core::rules::may_assign_role;
use opsdesk_core::session::SessionPolicy;
use opsdesk_core::staff::StaffStatus;
use opsdesk_core::Role;
use opsdesk_proto::{Capabilities, PermissionView, SessionView, StaffView};
use opsdesk_store::{SessionRecord, StaffRecord};
use uuid::Uuid;

/// A staff member without secrets.
pub fn staff_view(s: &StaffRecord) -> StaffView {
    StaffView {
        id: s.id,
        username: s.username.clone(),
        display_name: s.display_name.clone(),
        email: s.email.clone(),
        role: s.role,
        status: s.status,
        mfa_enrolled: s.totp_secret.is_some(),
        locked_until: s.locked_until,
        created_at: s.created_at,
        updated_at: s.updated_at,
        version: s.version,
    }
}

/// A session with its computed expiry.
pub fn session_view(
    s: &SessionRecord,
    policy: &SessionPolicy,
    current: Option<Uuid>,
) -> SessionView {
    SessionView {
        id: s.id,
        staff_id: s.staff_id,
        created_at: s.created_at,
        last_seen_at: s.last_seen_at,
        expires_at: policy.expires_at(s.created_at, s.last_seen_at),
        client_addr: s.client_addr.clone(),
        user_agent: s.user_agent.clone(),
        current: current == Some(s.id),
    }
}

/// What a staff member can do: the same checks the hub enforces, listed. An account that is not
/// active can do nothing.
pub fn capabilities(s: &StaffRecord) -> Capabilities {
    let active = s.status == StaffStatus::Active;
    let permissions = if active {
        s.role
            .permissions()
            .into_iter()
            .map(|p| PermissionView {
                permission: p,
                description: p.describe().to_owned(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let assignable_roles = if active {
        Role::ALL
            .into_iter()
            .filter(|r| may_assign_role(s.role, *r).is_ok())
            .collect()
    } else {
        Vec::new()
    };
    Capabilities {
        staff_id: s.id,
        role: s.role,
        tier: s.role.tier(),
        active,
        permissions,
        assignable_roles,
    }
}
