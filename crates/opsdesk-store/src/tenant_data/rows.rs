//! Tenant data rows as the database returns them (tenant users, their sign-ins, the tenant's
//! settings), their column lists and their conversion into wire views.

use crate::common::{corrupt, opt_time, time, uuid};
use crate::{StoreError, StoreResult, TenantSettingsValues};
use opsdesk_core::access::{TenantUserRole, TenantUserStatus};
use opsdesk_proto::{TenantSettingsView, TenantSignInView, TenantUserView};
use uuid::Uuid;

/// The tenant user columns, in [`TenantUserRow`] order.
pub(crate) const TENANT_USER_COLUMNS: &str =
    "id, tenant_id, name, email, role, status, last_sign_in_at, mfa_enabled, version";

/// The tenant settings columns, in [`TenantSettingsRow`] order.
pub(crate) const TENANT_SETTINGS_COLUMNS: &str =
    "tenant_id, sso_required, mfa_required, session_timeout_minutes, ip_allowlist, \
     data_retention_days, version";

#[derive(sqlx::FromRow)]
pub(crate) struct TenantUserRow {
    id: String,
    tenant_id: String,
    name: String,
    email: String,
    role: String,
    status: String,
    last_sign_in_at: Option<i64>,
    mfa_enabled: i64,
    version: i64,
}

impl TryFrom<TenantUserRow> for TenantUserView {
    type Error = StoreError;
    fn try_from(r: TenantUserRow) -> StoreResult<Self> {
        Ok(TenantUserView {
            id: uuid(&r.id)?,
            tenant_id: uuid(&r.tenant_id)?,
            role: TenantUserRole::parse(&r.role)
                .ok_or_else(|| corrupt("tenant user role", &r.role))?,
            status: TenantUserStatus::parse(&r.status)
                .ok_or_else(|| corrupt("tenant user status", &r.status))?,
            last_sign_in_at: opt_time(r.last_sign_in_at)?,
            mfa_enabled: r.mfa_enabled != 0,
            name: r.name,
            email: r.email,
            version: r.version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TenantSignInRow {
    at: i64,
    success: i64,
    address: String,
    user_agent: String,
}

impl TryFrom<TenantSignInRow> for TenantSignInView {
    type Error = StoreError;
    fn try_from(r: TenantSignInRow) -> StoreResult<Self> {
        Ok(TenantSignInView {
            at: time(r.at)?,
            success: r.success != 0,
            address: r.address,
            user_agent: r.user_agent,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TenantSettingsRow {
    tenant_id: String,
    sso_required: i64,
    mfa_required: i64,
    session_timeout_minutes: i64,
    ip_allowlist: String,
    data_retention_days: i64,
    version: i64,
}

impl TryFrom<TenantSettingsRow> for TenantSettingsView {
    type Error = StoreError;
    fn try_from(r: TenantSettingsRow) -> StoreResult<Self> {
        Ok(TenantSettingsView {
            tenant_id: uuid(&r.tenant_id)?,
            sso_required: r.sso_required != 0,
            mfa_required: r.mfa_required != 0,
            session_timeout_minutes: r.session_timeout_minutes,
            ip_allowlist: serde_json::from_str(&r.ip_allowlist)
                .map_err(|e| StoreError::Corrupt(format!("tenant ip_allowlist: {e}")))?,
            data_retention_days: r.data_retention_days,
            version: r.version,
        })
    }
}

/// What a tenant has before anyone changes its settings.
pub(crate) fn default_settings(tenant_id: Uuid) -> TenantSettingsView {
    let d = TenantSettingsValues::default();
    TenantSettingsView {
        tenant_id,
        sso_required: d.sso_required,
        mfa_required: d.mfa_required,
        session_timeout_minutes: d.session_timeout_minutes,
        ip_allowlist: d.ip_allowlist,
        data_retention_days: d.data_retention_days,
        version: 0,
    }
}

/// A `LIKE` pattern matching values that start with `prefix` (lowercased), taken literally.
pub(crate) fn prefix_pattern(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for c in prefix.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_literally() {
        assert_eq!(prefix_pattern("Ann"), "ann%");
        assert_eq!(prefix_pattern("50%_off\\"), "50\\%\\_off\\\\%");
    }
}
