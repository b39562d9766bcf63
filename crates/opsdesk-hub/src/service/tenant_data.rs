//! Tenant data: a tenant's users, their sign-ins and password resets, and the tenant's settings.
//! Staff reach it only through [`opened`], which checks the caller's grants at the moment of the
//! request and returns the proof the store's functions demand; every read and write is audited
//! with the grant it happened under. Admins load a tenant's users from the platform (import), and
//! the platform reports sign-ins with an integration token.

use crate::error::{HubError, HubResult};
use crate::context::ClientInfo;
use crate::secrets;
use crate::service::access::grant_ref;
use crate::context::Caller;
use crate::support::effects::{audit, security};
use crate::service::staff::page_limit;
use crate::context::Integration;
use crate::service::tenants::{import_rows, CsvTable};
use crate::state::AppState;
use opsdesk_core::access::{check_user_name, TenantUserRole, TenantUserStatus, RESET_LINK_TTL};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, scope, Granted, TenantAccess, TenantDataLoad};
use opsdesk_core::rules::may_request_access;
use opsdesk_core::staff::Severity;
use opsdesk_core::validate::Email;
use opsdesk_proto::{
    ChangeTenantUserRole, IntakeSignIn, Page, PasswordResetIssued, TenantSettingsView,
    TenantSignInView, TenantUserImport, TenantUserImportResult, TenantUserQuery, TenantUserVersion,
    TenantUserView, UpdateTenantSettings,
};
use opsdesk_store::{
    Effects, NewPasswordReset, NewTenantSignIn, StoreError, TenantSettingsValues, TenantUserChange,
    TenantUserDraft,
};
use serde_json::json;
use std::net::IpAddr;
use uuid::Uuid;

/// Sign-ins shown per user.
const SIGN_INS_SHOWN: u32 = 100;

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
fn data_fx<S: scope::Scope>(
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

fn user_not_found(e: StoreError) -> HubError {
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
    Ok(crate::service::staff::page(
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

/// The tenant's settings (admin grant).
pub async fn settings(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
) -> HubResult<TenantSettingsView> {
    let access = opened::<scope::Admin>(state, caller, client, tenant_id).await?;
    let fx = data_fx(
        state,
        caller,
        client,
        &access,
        AuditAction::TenantDataRead,
        "settings",
        json!({}),
    );
    Ok(state.store.tenant_settings(&access, fx).await?)
}

/// Checks one IP allowlist entry: an address or a CIDR range.
fn check_ip_entry(entry: &str) -> Result<String, String> {
    let entry = entry.trim();
    let (addr, prefix) = match entry.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (entry, None),
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("`{entry}` is not an IP address or CIDR range"))?;
    if let Some(p) = prefix {
        let bits: u8 = p
            .parse()
            .map_err(|_| format!("`{entry}` has a prefix length that is not a number"))?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        if bits > max {
            return Err(format!("`{entry}` has a prefix longer than {max} bits"));
        }
    }
    Ok(entry.to_owned())
}

/// Merges and checks a settings change.
fn merged(now: &TenantSettingsView, req: &UpdateTenantSettings) -> HubResult<TenantSettingsValues> {
    let v = TenantSettingsValues {
        sso_required: req.sso_required.unwrap_or(now.sso_required),
        mfa_required: req.mfa_required.unwrap_or(now.mfa_required),
        session_timeout_minutes: req
            .session_timeout_minutes
            .unwrap_or(now.session_timeout_minutes),
        ip_allowlist: match &req.ip_allowlist {
            None => now.ip_allowlist.clone(),
            Some(list) => {
                if list.len() > 100 {
                    return Err(HubError::field(
                        "ip_allowlist",
                        "may hold at most 100 entries",
                    ));
                }
                let mut out = Vec::with_capacity(list.len());
                for (i, e) in list.iter().enumerate() {
                    let e = check_ip_entry(e)
                        .map_err(|m| HubError::field(&format!("ip_allowlist[{i}]"), m))?;
                    if !out.contains(&e) {
                        out.push(e);
                    }
                }
                out
            }
        },
        data_retention_days: req.data_retention_days.unwrap_or(now.data_retention_days),
    };
    if !(5..=1440).contains(&v.session_timeout_minutes) {
        return Err(HubError::field(
            "session_timeout_minutes",
            "must be 5 to 1440 minutes",
        ));
    }
    if !(30..=3650).contains(&v.data_retention_days) {
        return Err(HubError::field(
            "data_retention_days",
            "must be 30 to 3650 days",
        ));
    }
    Ok(v)
}

/// Changes the tenant's settings (admin grant).
pub async fn update_settings(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    req: UpdateTenantSettings,
) -> HubResult<TenantSettingsView> {
    let access = opened::<scope::Admin>(state, caller, client, tenant_id).await?;
    let read_fx = data_fx(
        state,
        caller,
        client,
        &access,
        AuditAction::TenantDataRead,
        "settings",
        json!({}),
    );
    let current = state.store.tenant_settings(&access, read_fx).await?;
    let values = merged(&current, &req)?;
    let fx = data_fx(
        state,
        caller,
        client,
        &access,
        AuditAction::TenantDataWritten,
        "settings",
        json!({ "from": current, "to": {
            "sso_required": values.sso_required,
            "mfa_required": values.mfa_required,
            "session_timeout_minutes": values.session_timeout_minutes,
            "ip_allowlist": values.ip_allowlist,
            "data_retention_days": values.data_retention_days,
        }}),
    );
    match state
        .store
        .update_tenant_settings(&access, values, req.version, state.now(), fx)
        .await
    {
        Ok(v) => Ok(v),
        Err(StoreError::VersionConflict) => Err(HubError::Conflict {
            code: "version_conflict",
            message: "these settings changed since you loaded them; review them as they are now"
                .into(),
            current: serde_json::to_value(&current).ok(),
        }),
        Err(e) => Err(e.into()),
    }
}

fn parse_users_csv(text: &str) -> HubResult<Vec<(String, TenantUserImport)>> {
    let table = CsvTable::parse(
        text,
        &["name", "email", "role"],
        &["status", "mfa_enabled", "last_sign_in_at"],
    )?;
    let mut out = Vec::new();
    for row in &table.rows {
        let at = |f: &str| row.field(f);
        out.push((
            row.prefix(),
            TenantUserImport {
                name: row.cell(&table, "name"),
                email: row.cell(&table, "email"),
                role: row
                    .cell(&table, "role")
                    .trim()
                    .parse::<TenantUserRole>()
                    .map_err(|e| HubError::field(&at("role"), e))?,
                status: row
                    .optional(&table, "status")
                    .map(|s| s.parse::<TenantUserStatus>())
                    .transpose()
                    .map_err(|e| HubError::field(&at("status"), e))?,
                mfa_enabled: match row.optional(&table, "mfa_enabled").as_deref() {
                    None | Some("false") | Some("0") | Some("no") => false,
                    Some("true") | Some("1") | Some("yes") => true,
                    Some(other) => {
                        return Err(HubError::field(
                            &at("mfa_enabled"),
                            format!("`{other}` is not true or false"),
                        ))
                    }
                },
                last_sign_in_at: row
                    .optional(&table, "last_sign_in_at")
                    .map(|s| chrono::DateTime::parse_from_rfc3339(&s).map(|t| t.to_utc()))
                    .transpose()
                    .map_err(|_| {
                        HubError::field(
                            &at("last_sign_in_at"),
                            "must be an RFC 3339 time such as 2026-11-21T09:30:00Z",
                        )
                    })?,
            },
        ));
    }
    Ok(out)
}

/// Checks an import: every row, and no email twice.
pub fn parse_users_import(content_type: &str, body: &[u8]) -> HubResult<Vec<TenantUserDraft>> {
    let rows = import_rows(content_type, body, "users", parse_users_csv)?;
    let mut seen = std::collections::HashSet::new();
    let mut drafts = Vec::with_capacity(rows.len());
    for (prefix, r) in rows {
        let field = |f: &str| format!("{prefix}{f}");
        let name = check_user_name(&r.name).map_err(|e| HubError::field(&field("name"), e))?;
        let email = Email::parse(r.email.trim())
            .map_err(|e| HubError::field(&field("email"), e))?
            .as_str()
            .to_lowercase();
        if !seen.insert(email.clone()) {
            return Err(HubError::field(
                &field("email"),
                format!("`{email}` appears twice in this import"),
            ));
        }
        drafts.push(TenantUserDraft {
            name,
            email,
            role: r.role,
            status: r.status.unwrap_or(TenantUserStatus::Active),
            mfa_enabled: r.mfa_enabled,
            last_sign_in_at: r.last_sign_in_at,
        });
    }
    Ok(drafts)
}

/// Loads a tenant's users from the platform (admins), all or nothing; users are matched by
/// email.
pub async fn import_users(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    content_type: &str,
    body: &[u8],
) -> HubResult<TenantUserImportResult> {
    let admin = Granted::<cap::TenantsManage>::check(caller.staff.role)?;
    let tenant = state
        .store
        .tenant_by_id(tenant_id)
        .await?
        .ok_or(HubError::NotFound("tenant"))?;
    let drafts = parse_users_import(content_type, body)?;
    let now = state.now();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::TenantUsersImported,
        &format!("tenant:{tenant_id}"),
        client.addr,
        json!({
            "tenant": tenant.slug,
            "rows": drafts.len(),
            // Who was loaded (the first 500), so a change to a user traces to its import.
            "users": drafts
                .iter()
                .take(500)
                .map(|d| json!({ "email": d.email, "role": d.role, "status": d.status, "mfa": d.mfa_enabled }))
                .collect::<Vec<_>>(),
        }),
    ));
    let load = TenantDataLoad::check(&admin, tenant_id);
    let (created, updated) = state
        .store
        .import_tenant_users(&load, drafts, now, fx)
        .await?;
    Ok(TenantUserImportResult { created, updated })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_entries_are_addresses_or_ranges() {
        assert!(check_ip_entry("10.0.0.1").is_ok());
        assert!(check_ip_entry("10.0.0.0/8").is_ok());
        assert!(check_ip_entry("2001:db8::/32").is_ok());
        assert!(check_ip_entry("10.0.0.0/33").is_err());
        assert!(check_ip_entry("example.com").is_err());
        assert!(check_ip_entry("10.0.0.0/x").is_err());
    }

    #[test]
    fn user_imports_name_the_line_and_field() {
        let csv = "name,email,role\nAda,ada@acme.test,owner\nBob,not-an-email,member\n";
        let e = parse_users_import("text/csv", csv.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("line 3: email"), "{e}");
        let csv = "name,email,role\nAda,ada@acme.test,owner\nAda 2,ADA@acme.test,member\n";
        let e = parse_users_import("text/csv", csv.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
        let csv = "name,email,role,mfa_enabled\nAda,ada@acme.test,wizard,true\n";
        let e = parse_users_import("text/csv", csv.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("line 2: role"), "{e}");
        let ok = parse_users_import(
            "application/json",
            br#"[{"name":"Ada","email":"Ada@Acme.test","role":"owner","mfa_enabled":true}]"#,
        )
        .unwrap();
        assert_eq!(ok[0].email, "ada@acme.test");
        assert!(ok[0].mfa_enabled);
    }
}
