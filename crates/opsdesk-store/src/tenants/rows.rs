//! Tenant and integration token rows as the database returns them, their column lists, and
//! their conversion into views.

use crate::common::{corrupt, time, uuid};
use crate::{StoreError, StoreResult};
use opsdesk_proto::{IntegrationTokenView, TenantStatus, TenantView};

/// The tenant columns, in [`TenantRow`] order.
pub(crate) const TENANT_COLUMNS: &str =
    "id, name, slug, plan, status, created_at, updated_at, version";

#[derive(sqlx::FromRow)]
pub(crate) struct TenantRow {
    id: String,
    name: String,
    slug: String,
    plan: String,
    status: String,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

impl TryFrom<TenantRow> for TenantView {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> StoreResult<Self> {
        Ok(TenantView {
            id: uuid(&r.id)?,
            status: TenantStatus::parse(&r.status)
                .ok_or_else(|| corrupt("tenant status", &r.status))?,
            created_at: time(r.created_at)?,
            updated_at: time(r.updated_at)?,
            name: r.name,
            slug: r.slug,
            plan: r.plan,
            version: r.version,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TokenRow {
    id: String,
    name: String,
    created_by: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// The integration token columns, in [`TokenRow`] order.
pub(crate) const TOKEN_COLUMNS: &str = "id, name, created_by, created_at, last_used_at, revoked_at";

impl TryFrom<TokenRow> for IntegrationTokenView {
    type Error = StoreError;
    fn try_from(r: TokenRow) -> StoreResult<Self> {
        Ok(IntegrationTokenView {
            id: uuid(&r.id)?,
            name: r.name,
            created_by: uuid(&r.created_by)?,
            created_at: time(r.created_at)?,
            last_used_at: r.last_used_at.map(time).transpose()?,
            revoked_at: r.revoked_at.map(time).transpose()?,
        })
    }
}
