//! A tenant's settings under an admin grant: reading them (the defaults until first changed) and
//! changing them at the version the caller read.

use super::grant_tx;
use super::rows::{default_settings, TenantSettingsRow, TENANT_SETTINGS_COLUMNS};
use crate::audit::write_effects;
use crate::common::ms;
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::{Effects, StoreError, StoreResult, TenantSettingsValues};
use chrono::{DateTime, Utc};
use opsdesk_core::proof::{scope, TenantAccess};
use opsdesk_proto::TenantSettingsView;

/// The tenant's settings.
pub(crate) async fn read<D: Dialect>(
    store: &D,
    access: &TenantAccess<scope::Admin>,
    fx: Effects,
) -> StoreResult<TenantSettingsView> {
    let tenant = access.tenant_id();
    let _writing = store.write_guard().await;
    let mut tx = grant_tx(store, access).await?;
    let sql = Sql::new(format!(
        "SELECT {TENANT_SETTINGS_COLUMNS} FROM tenant_settings WHERE tenant_id = $1"
    ))
    .bind(tenant.to_string());
    let row: Option<TenantSettingsRow> = D::fetch_optional(&mut *tx, sql).await?;
    let settings = match row {
        Some(row) => row.try_into()?,
        None => default_settings(tenant),
    };
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(settings)
}

/// Stores new settings if `expected_version` is still current.
pub(crate) async fn update<D: Dialect>(
    store: &D,
    access: &TenantAccess<scope::Admin>,
    values: TenantSettingsValues,
    expected_version: i64,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<TenantSettingsView> {
    let tenant = access.tenant_id();
    let v = values;
    // Version 0 is the defaults: the first change inserts (losing to a concurrent first
    // change), later ones update the version they read.
    let sql = if expected_version == 0 {
        format!(
            "INSERT INTO tenant_settings (sso_required, mfa_required, session_timeout_minutes, \
             ip_allowlist, data_retention_days, updated_at, tenant_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id) DO NOTHING RETURNING {TENANT_SETTINGS_COLUMNS}"
        )
    } else {
        format!(
            "UPDATE tenant_settings SET sso_required = $1, mfa_required = $2, \
             session_timeout_minutes = $3, ip_allowlist = $4, data_retention_days = $5, \
             updated_at = $6, version = version + 1 \
             WHERE tenant_id = $7 AND version = $8 RETURNING {TENANT_SETTINGS_COLUMNS}"
        )
    };
    let allowlist = serde_json::to_string(&v.ip_allowlist)
        .map_err(|e| StoreError::Corrupt(format!("ip_allowlist: {e}")))?;
    let mut q = Sql::new(sql)
        .bind(i64::from(v.sso_required))
        .bind(i64::from(v.mfa_required))
        .bind(v.session_timeout_minutes)
        .bind(allowlist)
        .bind(v.data_retention_days)
        .bind(ms(now))
        .bind(tenant.to_string());
    if expected_version != 0 {
        q = q.bind(expected_version);
    }
    let _writing = store.write_guard().await;
    let mut tx = grant_tx(store, access).await?;
    let row: Option<TenantSettingsRow> = D::fetch_optional(&mut *tx, q).await?;
    let settings = row.ok_or(StoreError::VersionConflict)?.try_into()?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(settings)
}
