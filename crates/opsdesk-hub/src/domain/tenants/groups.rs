//! Groups of staff that tickets are assigned to, and who tickets may be assigned to.

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::tenant::check_tenant_name;
use opsdesk_core::Role;
use opsdesk_proto::{Assignee, GroupRequest, GroupView};
use opsdesk_store::{Effects, StaffFilter, StoreError};
use serde_json::json;
use uuid::Uuid;

async fn check_members(state: &AppState, members: &[Uuid]) -> HubResult<Vec<Uuid>> {
    let mut ids = members.to_vec();
    ids.sort();
    ids.dedup();
    if ids.len() > 200 {
        return Err(HubError::field(
            "member_ids",
            "must hold at most 200 people",
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        let staff = state.store.staff_by_id(*id).await?;
        match staff {
            Some(s) if s.role >= Role::Agent => {}
            Some(_) => {
                return Err(HubError::field(
                    &format!("member_ids[{i}]"),
                    "is a viewer; only agents and above work tickets",
                ))
            }
            None => {
                return Err(HubError::field(
                    &format!("member_ids[{i}]"),
                    "is not a staff member",
                ))
            }
        }
    }
    Ok(ids)
}

/// Lists groups with their members (anyone who reads tickets).
pub async fn groups(state: &AppState, caller: &Caller) -> HubResult<Vec<GroupView>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    Ok(state.store.list_groups().await?)
}

/// Creates a group (managers).
pub async fn create_group(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    req: GroupRequest,
) -> HubResult<GroupView> {
    let manager = Granted::<cap::SlaManage>::check(caller.staff.role)?;
    let name = check_tenant_name(&req.name).map_err(|e| HubError::field("name", e))?;
    let members = check_members(state, &req.member_ids).await?;
    let now = state.now();
    let id = Uuid::now_v7();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::GroupChanged,
        &format!("group:{id}"),
        client.addr,
        json!({"name": name, "members": members}),
    ));
    state
        .store
        .create_group(&manager, id, &name, &members, now, fx)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => HubError::Conflict {
                code: "duplicate",
                message: "`name` is already taken by another group".into(),
                current: None,
            },
            other => other.into(),
        })
}

/// Replaces a group's members (managers).
pub async fn set_group_members(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    req: GroupRequest,
) -> HubResult<GroupView> {
    let manager = Granted::<cap::SlaManage>::check(caller.staff.role)?;
    let members = check_members(state, &req.member_ids).await?;
    let fx = Effects::audit(audit(
        state.now(),
        &caller.actor(),
        AuditAction::GroupChanged,
        &format!("group:{id}"),
        client.addr,
        json!({"members": members}),
    ));
    match state
        .store
        .set_group_members(&manager, id, &members, fx)
        .await
    {
        Err(StoreError::NotFound) => Err(HubError::NotFound("group")),
        other => Ok(other?),
    }
}

/// Staff a ticket can be given to: active agents and above (needs `tickets.assign`).
pub async fn assignees(state: &AppState, caller: &Caller) -> HubResult<Vec<Assignee>> {
    Granted::<cap::TicketsAssign>::check(caller.staff.role)?;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let rows = state
            .store
            .list_staff(&StaffFilter {
                role: None,
                status: Some(opsdesk_core::staff::StaffStatus::Active),
                after_username: after.clone(),
                limit: 500,
            })
            .await?;
        let done = rows.len() < 500;
        after = rows.last().map(|s| s.username.clone());
        out.extend(
            rows.into_iter()
                .filter(|s| s.role >= Role::Agent)
                .map(|s| Assignee {
                    id: s.id,
                    display_name: s.display_name,
                    role: s.role,
                }),
        );
        if done {
            break;
        }
    }
    out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(out)
}
