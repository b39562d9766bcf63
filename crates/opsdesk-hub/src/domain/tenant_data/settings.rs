//! A tenant's settings: reading them, and changing them with the IP allow-list checked.

use super::{data_fx, opened};
use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::scope;
use opsdesk_proto::{TenantSettingsView, UpdateTenantSettings};
use opsdesk_store::{StoreError, TenantSettingsValues};
use serde_json::json;
use std::net::IpAddr;
use uuid::Uuid;

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
}
