//! Integration tokens: issuing, listing and revoking them, and resolving one on an intake call.

use crate::context::{Caller, ClientInfo, Integration};
use crate::error::{HubError, HubResult};
use crate::secrets;
use crate::state::AppState;
use crate::support::effects::audit;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::tenant::check_tenant_name;
use opsdesk_proto::{CreateIntegrationTokenRequest, IntegrationTokenIssued, IntegrationTokenView};
use opsdesk_store::{Effects, NewIntegrationToken, StoreError};
use serde_json::json;
use uuid::Uuid;

/// Resolves an integration token (stored hashed); revoked tokens fail.
pub async fn authenticate_integration(state: &AppState, token: &str) -> HubResult<Integration> {
    state
        .store
        .use_integration_token(&secrets::token_hash(token), state.now())
        .await?
        .map(|token| Integration { token })
        .ok_or_else(|| {
            HubError::unauthenticated(
                "invalid_token",
                "this integration token is unknown or revoked; ask an admin for a new one",
            )
        })
}

/// Creates an integration token; the secret is returned once (admins).
pub async fn create_token(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    req: CreateIntegrationTokenRequest,
) -> HubResult<IntegrationTokenIssued> {
    let admin = Granted::<cap::SettingsManage>::check(caller.staff.role)?;
    let name = check_tenant_name(&req.name).map_err(|e| HubError::field("name", e))?;
    let secret = secrets::new_token("odt_");
    let now = state.now();
    let id = Uuid::now_v7();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::IntegrationTokenCreated,
        &format!("integration:{id}"),
        client.addr,
        json!({"name": name}),
    ));
    let token = state
        .store
        .create_integration_token(
            &admin,
            NewIntegrationToken {
                id,
                name,
                token_hash: secrets::token_hash(&secret),
                created_by: caller.staff.id,
                created_at: now,
            },
            fx,
        )
        .await?;
    Ok(IntegrationTokenIssued { token, secret })
}

/// Lists integration tokens (admins).
pub async fn list_tokens(
    state: &AppState,
    caller: &Caller,
) -> HubResult<Vec<IntegrationTokenView>> {
    Granted::<cap::SettingsManage>::check(caller.staff.role)?;
    Ok(state.store.list_integration_tokens().await?)
}

/// Revokes an integration token; it stops working at once (admins).
pub async fn revoke_token(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
) -> HubResult<IntegrationTokenView> {
    let admin = Granted::<cap::SettingsManage>::check(caller.staff.role)?;
    let now = state.now();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::IntegrationTokenRevoked,
        &format!("integration:{id}"),
        client.addr,
        json!({}),
    ));
    match state
        .store
        .revoke_integration_token(&admin, id, now, fx)
        .await
    {
        Err(StoreError::NotFound) => Err(HubError::NotFound("integration token")),
        Err(StoreError::AlreadyUsed(_)) => Err(HubError::unprocessable(
            "already_revoked",
            "this integration token is already revoked",
        )),
        other => Ok(other?),
    }
}
