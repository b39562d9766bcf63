//! The tenants directory: listing, creating and changing tenants; imports, integration tokens,
//! groups and SLA policies in the files beside it.

pub mod groups;
pub mod import;
pub mod sla;
pub mod tokens;

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use crate::support::paging::page_limit;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::tenant::{check_plan, check_slug, check_tenant_name, TenantStatus};
use opsdesk_proto::{CreateTenantRequest, Page, TenantQuery, TenantView, UpdateTenantRequest};
use opsdesk_store::{Effects, StoreError, TenantDraft, TenantPatch};
use serde_json::json;
use uuid::Uuid;

pub(crate) fn draft(req: CreateTenantRequest, prefix: &str) -> HubResult<TenantDraft> {
    let field = |name: &str| format!("{prefix}{name}");
    Ok(TenantDraft {
        name: check_tenant_name(&req.name).map_err(|e| HubError::field(&field("name"), e))?,
        slug: check_slug(&req.slug).map_err(|e| HubError::field(&field("slug"), e))?,
        plan: check_plan(&req.plan).map_err(|e| HubError::field(&field("plan"), e))?,
        status: req.status.unwrap_or(TenantStatus::Active),
    })
}

fn duplicate_slug(e: StoreError) -> HubError {
    match e {
        StoreError::Duplicate { .. } => HubError::Conflict {
            code: "duplicate",
            message: "`slug` is already taken by another tenant".into(),
            current: None,
        },
        other => other.into(),
    }
}

/// Lists tenants by name (anyone who reads tickets: the queue filters by tenant).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: TenantQuery,
) -> HubResult<Page<TenantView>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let limit = page_limit(q.limit)?;
    let prefix = q.q.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if prefix.is_some_and(|p| p.chars().count() > 120) {
        return Err(HubError::field("q", "must be at most 120 characters"));
    }
    let after = match q.cursor.as_deref() {
        None => None,
        Some(c) => {
            let (name, id) = c
                .rsplit_once('|')
                .and_then(|(n, id)| Some((n.to_owned(), Uuid::parse_str(id).ok()?)))
                .ok_or_else(|| HubError::field("cursor", "is not a cursor this hub issued"))?;
            Some((name, id))
        }
    };
    let rows = state
        .store
        .list_tenants(
            prefix,
            after.as_ref().map(|(n, id)| (n.as_str(), *id)),
            limit + 1,
        )
        .await?;
    Ok(crate::support::paging::page(
        rows,
        limit as usize,
        |t| format!("{}|{}", t.name, t.id),
        Clone::clone,
    ))
}

/// Creates a tenant (admins).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    req: CreateTenantRequest,
) -> HubResult<TenantView> {
    let admin = Granted::<cap::TenantsManage>::check(caller.staff.role)?;
    let d = draft(req, "")?;
    let now = state.now();
    let id = Uuid::now_v7();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::TenantCreated,
        &format!("tenant:{id}"),
        client.addr,
        json!({"name": d.name, "slug": d.slug, "plan": d.plan, "status": d.status}),
    ));
    state
        .store
        .create_tenant(&admin, id, d, now, fx)
        .await
        .map_err(duplicate_slug)
}

/// Edits a tenant (admins); a stale version gets 409 with the tenant now.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    req: UpdateTenantRequest,
) -> HubResult<TenantView> {
    let admin = Granted::<cap::TenantsManage>::check(caller.staff.role)?;
    let patch = TenantPatch {
        name: req
            .name
            .as_deref()
            .map(check_tenant_name)
            .transpose()
            .map_err(|e| HubError::field("name", e))?,
        plan: req
            .plan
            .as_deref()
            .map(check_plan)
            .transpose()
            .map_err(|e| HubError::field("plan", e))?,
        status: req.status,
    };
    let now = state.now();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::TenantUpdated,
        &format!("tenant:{id}"),
        client.addr,
        json!({"name": patch.name, "plan": patch.plan, "status": patch.status, "version": req.version}),
    ));
    match state
        .store
        .update_tenant(&admin, id, req.version, patch, now, fx)
        .await
    {
        Err(StoreError::VersionConflict) => {
            let current = state.store.tenant_by_id(id).await?;
            Err(HubError::Conflict {
                code: "version_conflict",
                message: "this tenant changed since you read it; review it and try again".into(),
                current: current.and_then(|t| serde_json::to_value(t).ok()),
            })
        }
        Err(StoreError::NotFound) => Err(HubError::NotFound("tenant")),
        other => Ok(other?),
    }
}
