//! Staff administration: listing and reading staff and their capabilities; invites and changes
//! in the files beside it.

pub mod invite;
pub mod manage;
pub mod views;

use crate::context::Caller;
use crate::domain::staff::views::{capabilities, staff_view};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::paging::{page, page_limit};
use opsdesk_core::proof::{cap, Granted};
use opsdesk_proto::{Capabilities, Page, StaffQuery, StaffView};
use opsdesk_store::{StaffFilter, StaffRecord};
use uuid::Uuid;

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

pub(crate) async fn target(state: &AppState, id: Uuid) -> HubResult<StaffRecord> {
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
