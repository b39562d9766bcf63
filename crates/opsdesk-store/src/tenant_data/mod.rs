//! Tenant data behind a grant: tenant users, their sign-ins and password resets ([`users`]), the
//! tenant's settings ([`settings`]). Each function takes the proof the hub's check returned,
//! runs in one transaction that first declares the proof's tenant
//! ([`Dialect::declare_tenants`]: row-level security on PostgreSQL), names the tenant in its
//! queries as well (SQLite has no row-level security), and writes the audit entry of the read or
//! write in that same transaction.

mod rows;
pub(crate) mod settings;
pub(crate) mod users;

use crate::common::{convert_opt, ms};
use crate::dialect::{Dialect, Tx};
use crate::query::Sql;
use crate::{StoreError, StoreResult};
use opsdesk_core::proof::scope::Scope;
use opsdesk_core::proof::TenantAccess;
use opsdesk_proto::TenantUserView;
use rows::{TenantUserRow, TENANT_USER_COLUMNS};
use uuid::Uuid;

/// A write transaction (tenant data reads write their audit entry) that declares `tenant`.
/// Take the write guard first.
async fn tenant_tx<D: Dialect>(store: &D, tenant: Uuid) -> StoreResult<Tx<D>> {
    let mut tx = store.begin_write().await?;
    D::declare_tenants(&mut tx, &[tenant]).await?;
    Ok(tx)
}

/// The transaction for data under a grant: declares the grant's tenant and checks, inside the
/// transaction, that the grant is still active (not ended, within its window at the time the
/// hub checked it). The check is an update that changes nothing, so on PostgreSQL it locks the
/// grant's row and a release or revocation waits for this transaction, or this one sees it
/// ended.
async fn grant_tx<D: Dialect, S: Scope>(store: &D, access: &TenantAccess<S>) -> StoreResult<Tx<D>> {
    let mut tx = tenant_tx(store, access.tenant_id()).await?;
    let check = Sql::new(
        "UPDATE grants SET start_recorded = start_recorded WHERE id = $1 \
         AND holder_id = $2 AND tenant_id = $3 AND ended_at IS NULL \
         AND starts_at <= $4 AND ends_at > $4",
    )
    .bind(access.grant_id().to_string())
    .bind(access.staff_id().to_string())
    .bind(access.tenant_id().to_string())
    .bind(ms(access.checked_at()));
    if D::execute(&mut *tx, check).await? == 0 {
        return Err(StoreError::GrantEnded);
    }
    Ok(tx)
}

/// One user of `tenant`; `None` for another tenant's.
async fn user_in<D: Dialect>(
    tx: &mut Tx<D>,
    tenant: Uuid,
    user_id: Uuid,
) -> StoreResult<Option<TenantUserView>> {
    let sql = Sql::new(format!(
        "SELECT {TENANT_USER_COLUMNS} FROM tenant_users WHERE id = $1 AND tenant_id = $2"
    ))
    .bind(user_id.to_string())
    .bind(tenant.to_string());
    let row: Option<TenantUserRow> = D::fetch_optional(&mut **tx, sql).await?;
    convert_opt(row)
}
