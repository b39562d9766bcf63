//! A demo workspace: one or two people of every role, so a newcomer sees a realistic team (they
//! are invited, not enrolled, exactly as real staff start out), and a small desk of generated
//! tenants and tickets to work.

use crate::domain::staff::invite::create_with_invite;
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use opsdesk_core::proof::Granted;
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

/// Invites the demo team (members that already exist are left alone) and generates the demo
/// desk when the workspace has no tickets yet. Returns how many people were added.
pub async fn seed_demo_staff(state: &AppState, by: Option<uuid::Uuid>) -> HubResult<usize> {
    let added = invite_demo_team(state, by).await?;
    if seed_demo_desk(state).await? > 0 {
        crate::seed::seed_tenant_users(state.store.as_ref(), DEMO_TENANT_USERS, state.now())
            .await?;
    }
    clear_demo_team(state, by).await?;
    Ok(added)
}

/// Users per demo tenant.
pub const DEMO_TENANT_USERS: u32 = 24;

/// Records onboarding clearance for the demo team, except one agent who has not done the
/// training yet (so the gate shows). Recorded by `by` (the admin who asked for the demo).
async fn clear_demo_team(state: &AppState, by: Option<uuid::Uuid>) -> HubResult<()> {
    use opsdesk_core::access::Clearance;
    use opsdesk_core::audit::AuditAction;
    // Recorded by the admin who asked, or else the workspace's first admin.
    let by = match by {
        Some(by) => by,
        None => match state
            .store
            .active_staff_in_roles(&[opsdesk_core::Role::Admin])
            .await?
            .first()
        {
            Some(admin) => admin.id,
            None => return Ok(()),
        },
    };
    let now = state.now();
    for (username, _, _) in DEMO_STAFF {
        let Some(person) = state.store.staff_by_username(username).await? else {
            continue;
        };
        let current = state.store.clearance(person.id).await?;
        if current.version > 0 {
            continue;
        }
        let clearance = Clearance {
            nda_at: Some(now),
            background_check_at: Some(now),
            training_at: (*username != "ana.agent").then_some(now),
        };
        let fx = opsdesk_store::Effects::audit(crate::support::effects::audit(
            now,
            &crate::support::effects::staff_ref(by),
            AuditAction::ClearanceRecorded,
            &crate::support::effects::staff_ref(person.id),
            std::net::Ipv4Addr::LOCALHOST.into(),
            serde_json::json!({ "demo": true, "complete": clearance.is_complete() }),
        ));
        state
            .store
            .record_clearance(&Granted::system(), person.id, 0, clearance, by, now, fx)
            .await?;
    }
    Ok(())
}

async fn invite_demo_team(state: &AppState, by: Option<uuid::Uuid>) -> HubResult<usize> {
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
            .map(crate::support::effects::staff_ref)
            .unwrap_or_else(|| "system".into());
        create_with_invite(
            state,
            &Granted::system(),
            req,
            &actor,
            by,
            std::net::Ipv4Addr::LOCALHOST.into(),
        )
        .await?;
        added += 1;
    }
    Ok(added)
}

/// Tickets in a demo desk.
pub const DEMO_TICKETS: u64 = 600;
/// Tenants in a demo desk.
pub const DEMO_TENANTS: u32 = 25;

/// Generates a small desk (tenants, a few more staff, tickets with conversations) unless the
/// workspace already has tickets. Returns how many tickets were added.
pub async fn seed_demo_desk(state: &AppState) -> HubResult<u64> {
    use crate::seed::{seed, SeedError, SeedPlan};
    let mut plan = SeedPlan::new(DEMO_TICKETS, DEMO_TENANTS, state.now());
    plan.staff = 12;
    match seed(state.store.as_ref(), plan, |_| {}).await {
        Ok(report) => Ok(report.tickets),
        Err(SeedError::NotEmpty(_)) => Ok(0),
        Err(SeedError::Store(e)) => Err(e.into()),
        Err(e) => Err(HubError::Internal(e.to_string())),
    }
}
