//! Sample staff for a demo workspace: one or two people of every role, so a newcomer sees a
//! realistic team. They are invited (not enrolled), exactly as real staff start out.

use crate::error::{HubError, HubResult};
use crate::service::staff::create_with_invite;
use crate::state::AppState;
use opsdesk_core::validate::{DisplayName, Email, Username};
use opsdesk_core::Role;
use opsdesk_proto::InviteStaffRequest;

/// The demo team: (username, display name, role).
pub const DEMO_STAFF: &[(&str, &str, Role)] = &[
    ("vera.viewer", "Vera Lindqvist", Role::Viewer),
    ("amir.agent", "Amir Haddad", Role::Agent),
    ("ana.agent", "Ana López", Role::Agent),
    ("sam.senior", "Sam Okafor", Role::SeniorAgent),
    ("erin.engineer", "Erin Walsh", Role::Engineer),
    ("kenji.engineer", "Kenji Sato", Role::Engineer),
    ("maria.manager", "María Fernández", Role::Manager),
    ("sofia.security", "Sofia Novak", Role::SecurityOfficer),
];

/// Invites the demo team; members that already exist are left alone. Returns how many were added.
pub async fn seed_demo_staff(state: &AppState, by: Option<uuid::Uuid>) -> HubResult<usize> {
    let mut added = 0;
    for (username, name, role) in DEMO_STAFF {
        if state.store.staff_by_username(username).await?.is_some() {
            continue;
        }
        let req = InviteStaffRequest {
            username: Username::parse(username).map_err(|e| HubError::field("username", e))?,
            display_name: DisplayName::parse(name)
                .map_err(|e| HubError::field("display_name", e))?,
            email: Email::parse(&format!("{username}@demo.opsdesk.invalid"))
                .map_err(|e| HubError::field("email", e))?,
            role: *role,
        };
        let actor = by
            .map(crate::service::effects::staff_ref)
            .unwrap_or_else(|| "system".into());
        create_with_invite(state, req, &actor, by, std::net::Ipv4Addr::LOCALHOST.into()).await?;
        added += 1;
    }
    Ok(added)
}
