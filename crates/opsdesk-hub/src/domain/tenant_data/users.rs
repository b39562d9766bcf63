//! A tenant's users: listing and reading them, their sign-ins, password resets, unlocking and
//! role changes, and the sign-ins the platform reports with an integration token.

use super::{data_fx, opened, user_not_found, SIGN_INS_SHOWN};
use crate::context::{Caller, ClientInfo, Integration};
use crate::error::{HubError, HubResult};
use crate::secrets;
use crate::state::AppState;
use crate::support::effects::{audit, security};
use crate::support::paging::page_limit;
use opsdesk_core::access::{TenantUserStatus, RESET_LINK_TTL};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{scope, TenantDataLoad};
use opsdesk_core::staff::Severity;
use opsdesk_core::validate::Email;
use opsdesk_proto::{
    ChangeTenantUserRole, IntakeSignIn, Page, PasswordResetIssued, TenantSignInView,
    TenantUserQuery, TenantUserVersion, TenantUserView,
};
use opsdesk_store::{Effects, NewPasswordReset, NewTenantSignIn, StoreError, TenantUserChange};
use serde_json::json;
use std::net::IpAddr;
use uuid::Uuid;

/// The tenant's users by name (read grant).
pub async fn users(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    q: TenantUserQuery,
) -> HubResult<Page<TenantUserView>> {
    let limit = page_limit(q.limit)?;
    let prefix = q.q.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if prefix.is_some_and(|p| p.chars().count() > 200) {
        return Err(HubError::field("q", "must be at most 200 characters"));
    }
    let after = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(
            c.rsplit_once('|')
                .and_then(|(n, id)| Some((n.to_owned(), Uuid::parse_str(id).ok()?)))
                .ok_or_else(|| HubError::field("cursor", "is not a cursor this hub issued"))?,
        ),
    };
    let access = opened::<scope::Read>(state, caller, client, tenant_id).await?;
    let fx = data_fx(
        state,
        caller,
        client,
        &access,
        AuditAction::TenantDataRead,
        "users.list",
        json!({ "q": prefix, "cursor": q.cursor }),
    );
    let rows = state
        .store
        .list_tenant_users(
            &access,
            prefix,
            after.as_ref().map(|(n, id)| (n.as_str(), *id)),
            limit + 1,
            fx,
        )
        .await?;
    Ok(crate::support::paging::page(
        rows,
        limit as usize,
        |u| format!("{}|{}", u.name.to_lowercase(), u.id),
        Clone::clone,
    ))
}

/// One user of the tenant (read grant).
pub async fn user(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    user_id: Uuid,
) -> HubResult<TenantUserView> {
    let access = opened::<scope::Read>(state, caller, client, tenant_id).await?;
    let fx = data_fx(
        state,
        caller,
        client,
        &access,
        AuditAction::TenantDataRead,
        "user",
        json!({ "user": user_id }),
    );
    state
        .store
        .tenant_user(&access, user_id, fx)
        .await?
        .ok_or(HubError::NotFound("tenant user"))
}

/// A user's sign-in history (support grant).
pub async fn sign_ins(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    user_id: Uuid,
) -> HubResult<Vec<TenantSignInView>> {
    let access = opened::<scope::Support>(state, caller, client, tenant_id).await?;
    let fx = data_fx(
        state,
        caller,
        client,
        &access,
        AuditAction::TenantDataRead,
        "user.sign_ins",
        json!({ "user": user_id }),
    );
    state
        .store
        .tenant_user_sign_ins(&access, user_id, SIGN_INS_SHOWN, fx)
        .await
        .map_err(user_not_found)
}

/// Issues a one-time password reset link for a user (support grant); earlier links stop working.
pub async fn reset_password(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    user_id: Uuid,
) -> HubResult<PasswordResetIssued> {
    let access = opened::<scope::Support>(state, caller, client, tenant_id).await?;
    let now = state.now();
    let token = secrets::new_token("otr_");
    let expires_at = now + RESET_LINK_TTL;
    let reset_id = Uuid::now_v7();
    let mut fx = data_fx(
        state,
        caller,
        client,
        &access,
        AuditAction::TenantDataWritten,
        "user.password_reset",
        json!({ "user": user_id, "reset": reset_id, "expires_at": expires_at }),
    );
    // The link is a credential for the tenant user's account, handed to a staff member.
    fx.security.push(security(
        now,
        "tenant_password_reset_issued",
        Severity::Medium,
        Some(caller.staff.id),
        &caller.actor(),
        client.addr,
        format!(
            "{} issued a password reset link for a user of tenant {}",
            caller.staff.display_name, tenant_id
        ),
        json!({ "tenant_id": tenant_id, "user": user_id, "grant": access.grant_id() }),
    ));
    let user = state
        .store
        .issue_tenant_password_reset(
            &access,
            NewPasswordReset {
                id: reset_id,
                user_id,
                token_hash: secrets::token_hash(&token),
                created_by: caller.staff.id,
                created_at: now,
                expires_at,
            },
            fx,
        )
        .await
        .map_err(user_not_found)?;
    let base = state.settings.access.reset_link_base.trim_end_matches('/');
    Ok(PasswordResetIssued {
        user,
        link: format!("{base}?token={token}"),
        expires_at,
    })
}

async fn change(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    user_id: Uuid,
    version: i64,
    change: TenantUserChange,
) -> HubResult<TenantUserView> {
    let access = opened::<scope::Support>(state, caller, client, tenant_id).await?;
    // Reading the user first is itself tenant data access; it goes in the trail too.
    let read_fx = data_fx(
        state,
        caller,
        client,
        &access,
        AuditAction::TenantDataRead,
        "user",
        json!({ "user": user_id }),
    );
    let user = state
        .store
        .tenant_user(&access.narrow(), user_id, read_fx)
        .await?
        .ok_or(HubError::NotFound("tenant user"))?;
    let what = match change {
        TenantUserChange::Unlock => {
            if user.status != TenantUserStatus::Locked {
                return Err(HubError::unprocessable(
                    "not_locked",
                    format!("{} is {}, not locked", user.name, user.status),
                ));
            }
            json!({ "user": user_id, "unlock": true })
        }
        TenantUserChange::Role(role) => {
            if user.role == role {
                return Err(HubError::unprocessable(
                    "role_unchanged",
                    format!("{} already has the role {role}", user.name),
                ));
            }
            json!({ "user": user_id, "role": { "from": user.role, "to": role } })
        }
    };
    let fx = data_fx(
        state,
        caller,
        client,
        &access,
        AuditAction::TenantDataWritten,
        match change {
            TenantUserChange::Unlock => "user.unlock",
            TenantUserChange::Role(_) => "user.role",
        },
        what,
    );
    state
        .store
        .change_tenant_user(&access, user_id, version, change, state.now(), fx)
        .await
        .map_err(user_not_found)
}

/// Unlocks a locked user (support grant).
pub async fn unlock(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    user_id: Uuid,
    req: TenantUserVersion,
) -> HubResult<TenantUserView> {
    change(
        state,
        caller,
        client,
        tenant_id,
        user_id,
        req.version,
        TenantUserChange::Unlock,
    )
    .await
}

/// Changes a user's role in their tenant (support grant).
pub async fn change_role(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    user_id: Uuid,
    req: ChangeTenantUserRole,
) -> HubResult<TenantUserView> {
    change(
        state,
        caller,
        client,
        tenant_id,
        user_id,
        req.version,
        TenantUserChange::Role(req.role),
    )
    .await
}

/// A sign-in the platform reports (integration token).
pub async fn intake_sign_in(
    state: &AppState,
    integration: &Integration,
    client: &ClientInfo,
    req: IntakeSignIn,
) -> HubResult<()> {
    let tenant = state
        .store
        .tenant_by_slug(req.tenant_slug.trim())
        .await?
        .ok_or_else(|| HubError::field("tenant_slug", "is not a tenant in the directory"))?;
    let email = Email::parse(req.email.trim())
        .map_err(|e| HubError::field("email", e))?
        .as_str()
        .to_lowercase();
    let address = req.address.trim();
    if address.parse::<IpAddr>().is_err() {
        return Err(HubError::field("address", "must be an IP address"));
    }
    if req.user_agent.chars().count() > 500 {
        return Err(HubError::field(
            "user_agent",
            "must be at most 500 characters",
        ));
    }
    let now = state.now();
    let at = req.at.unwrap_or(now);
    if at > now + chrono::Duration::minutes(5) {
        return Err(HubError::field("at", "is in the future"));
    }
    let fx = Effects::audit(audit(
        now,
        &integration.actor(),
        AuditAction::TenantDataWritten,
        &format!("tenant:{}", tenant.id),
        client.addr,
        json!({ "what": "user.sign_in", "email": email, "success": req.success }),
    ));
    let load = TenantDataLoad::from_platform(tenant.id);
    state
        .store
        .record_tenant_sign_ins(
            &load,
            vec![NewTenantSignIn {
                email,
                at,
                success: req.success,
                address: address.to_owned(),
                user_agent: req.user_agent,
            }],
            fx,
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => HubError::field("email", "is not a user of this tenant"),
            other => other.into(),
        })
}
