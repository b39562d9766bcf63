//! Tenant data: a tenant's users, their sign-ins and password resets, and the tenant's settings.
//! Staff reach it only through [`opened`], which checks the caller's grants at the moment of the
//! request and returns the proof the store's functions demand; every read and write is audited
//! with the grant it happened under.

pub mod import;
pub mod settings;
pub mod users;

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::grant_ref;
use crate::support::effects::{audit, security};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{scope, TenantAccess};
use opsdesk_core::rules::may_request_access;
use opsdesk_core::staff::Severity;
use opsdesk_store::{Effects, StoreError};
use serde_json::json;
use uuid::Uuid;

/// Sign-ins shown per user.
pub(crate) const SIGN_INS_SHOWN: u32 = 100;

/// Checks the caller's grants for `tenant_id` now and returns the proof for scope `S`.
pub async fn opened<S: scope::Scope>(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
) -> HubResult<TenantAccess<S>> {
    let now = state.now();
    let facts = state
        .store
        .grant_facts(caller.staff.id, tenant_id, now)
        .await?;
    let access = match TenantAccess::<S>::check(&facts, caller.staff.id, tenant_id, now) {
        Ok(access) => access,
        Err(denied) => {
            // Someone reaching for tenant data without a grant is worth a look.
            state
                .store
                .record(Effects {
                    audit: Vec::new(),
                    security: vec![security(
                        now,
                        "tenant_data_denied",
                        Severity::Low,
                        Some(caller.staff.id),
                        &caller.actor(),
                        client.addr,
                        format!(
                            "{} was refused tenant data ({})",
                            caller.staff.display_name,
                            denied.code()
                        ),
                        json!({ "tenant_id": tenant_id, "needed": S::SCOPE, "reason": denied.code() }),
                    )],
                    ..Default::default()
                })
                .await?;
            return Err(denied.into());
        }
    };
    // A grant outlives neither the role that may ask for its scope nor onboarding clearance.
    let clearance = state.store.clearance_facts(caller.staff.id).await?;
    may_request_access(caller.staff.role, access.held(), clearance.is_complete())?;
    Ok(access)
}

/// The audit entry of one access to tenant data under `access`.
pub(crate) fn data_fx<S: scope::Scope>(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    access: &TenantAccess<S>,
    action: AuditAction,
    what: &str,
    details: serde_json::Value,
) -> Effects {
    Effects::audit(audit(
        state.now(),
        &caller.actor(),
        action,
        &format!("tenant:{}", access.tenant_id()),
        client.addr,
        json!({
            "grant": access.grant_id(),
            "grant_ref": grant_ref(access.grant_id()),
            "scope": access.held(),
            "what": what,
            "details": details,
        }),
    ))
}

pub(crate) fn user_not_found(e: StoreError) -> HubError {
    match e {
        StoreError::NotFound => HubError::NotFound("tenant user"),
        StoreError::VersionConflict => HubError::Conflict {
            code: "version_conflict",
            message: "this user changed since you loaded them; review them as they are now".into(),
            current: None,
        },
        other => other.into(),
    }
}
