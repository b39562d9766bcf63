//! Tenants (the customers whose tickets the desk handles): creating, renaming and importing
//! them, finding them by id, slug or name prefix; and the integration tokens ([`tokens`])
//! other systems use to reach the hub. Their rows are in [`rows`].

mod rows;
pub(crate) mod tokens;

use crate::audit::write_effects;
use crate::common::{convert_all, convert_opt, duplicate_as, ms};
use crate::dialect::{fetch_one, Dialect};
use crate::query::Sql;
use crate::staff::conflict_or_missing;
use crate::tickets::{TenantDraft, TenantPatch};
use crate::{Effects, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_proto::TenantView;
use rows::{TenantRow, TENANT_COLUMNS};
use uuid::Uuid;

/// Creates a tenant; `Duplicate{field:"slug"}` when the slug is taken.
pub(crate) async fn create<D: Dialect>(
    store: &D,
    id: Uuid,
    draft: TenantDraft,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<TenantView> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let insert = Sql::new(format!(
        "INSERT INTO tenants (id, name, name_key, slug, plan, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {TENANT_COLUMNS}"
    ))
    .bind(id.to_string())
    .bind(&draft.name)
    .bind(draft.name.to_lowercase())
    .bind(&draft.slug)
    .bind(&draft.plan)
    .bind(draft.status.as_str())
    .bind(ms(now));
    let row: TenantRow = fetch_one::<D, _>(&mut *tx, insert)
        .await
        .map_err(duplicate_as("slug"))?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    row.try_into()
}

/// Applies `patch` if the tenant is still at `expected_version`.
pub(crate) async fn update<D: Dialect>(
    store: &D,
    id: Uuid,
    expected_version: i64,
    patch: TenantPatch,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<TenantView> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let name_key = patch.name.as_ref().map(|n| n.to_lowercase());
    let update = Sql::new(format!(
        "UPDATE tenants SET name = COALESCE($1, name), name_key = COALESCE($2, name_key), \
         plan = COALESCE($3, plan), status = COALESCE($4, status), updated_at = $5, \
         version = version + 1 WHERE id = $6 AND version = $7 RETURNING {TENANT_COLUMNS}"
    ))
    .bind(patch.name)
    .bind(name_key)
    .bind(patch.plan)
    .bind(patch.status.map(|s| s.as_str()))
    .bind(ms(now))
    .bind(id.to_string())
    .bind(expected_version);
    let row: Option<TenantRow> = D::fetch_optional(&mut *tx, update).await?;
    let Some(row) = row else {
        let sql = "SELECT version FROM tenants WHERE id = $1";
        return Err(conflict_or_missing::<D>(&mut tx, sql, id).await);
    };
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    row.try_into()
}

/// Creates or updates (by slug) tenants; `(created, updated)`.
pub(crate) async fn import<D: Dialect>(
    store: &D,
    drafts: Vec<TenantDraft>,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<(u32, u32)> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let (mut created, mut updated) = (0u32, 0u32);
    let now = ms(now);
    for d in drafts {
        let update = Sql::new(
            "UPDATE tenants SET name = $1, name_key = $2, plan = $3, status = $4, \
             updated_at = $5, version = version + 1 WHERE slug = $6",
        )
        .bind(&d.name)
        .bind(d.name.to_lowercase())
        .bind(&d.plan)
        .bind(d.status.as_str())
        .bind(now)
        .bind(&d.slug);
        if D::execute(&mut *tx, update).await? > 0 {
            updated += 1;
            continue;
        }
        let insert = Sql::new(
            "INSERT INTO tenants (id, name, name_key, slug, plan, status, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(&d.name)
        .bind(d.name.to_lowercase())
        .bind(&d.slug)
        .bind(&d.plan)
        .bind(d.status.as_str())
        .bind(now);
        D::execute(&mut *tx, insert).await?;
        created += 1;
    }
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok((created, updated))
}

/// One tenant by `column` (`id` or `slug`).
pub(crate) async fn by<D: Dialect>(
    store: &D,
    column: &'static str,
    value: String,
) -> StoreResult<Option<TenantView>> {
    let sql = Sql::new(format!(
        "SELECT {TENANT_COLUMNS} FROM tenants WHERE {column} = $1"
    ))
    .bind(value);
    let mut conn = store.pool().acquire().await?;
    let row: Option<TenantRow> = D::fetch_optional(&mut conn, sql).await?;
    convert_opt(row)
}

/// Tenants by name after `(name, id)`, optionally whose name or slug starts with `prefix`.
pub(crate) async fn list<D: Dialect>(
    store: &D,
    prefix: Option<&str>,
    after: Option<(&str, Uuid)>,
    limit: u32,
) -> StoreResult<Vec<TenantView>> {
    let mut q = Sql::new(format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE 1 = 1"));
    if let Some(p) = prefix {
        // Prefix ranges instead of LIKE, so the name and slug indexes answer.
        let lo = p.to_lowercase();
        let hi = format!("{lo}\u{10ffff}");
        q.push(" AND ((name_key >= ")
            .push_bind(lo.clone())
            .push(" AND name_key < ")
            .push_bind(hi.clone())
            .push(") OR (slug >= ")
            .push_bind(lo)
            .push(" AND slug < ")
            .push_bind(hi)
            .push("))");
    }
    if let Some((name, id)) = after {
        q.push(" AND (name_key > ")
            .push_bind(name.to_lowercase())
            .push(" OR (name_key = ")
            .push_bind(name.to_lowercase())
            .push(" AND id > ")
            .push_bind(id.to_string())
            .push("))");
    }
    q.push(" ORDER BY name_key, id LIMIT ")
        .push_bind(i64::from(limit));
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<TenantRow> = D::fetch_all(&mut conn, q).await?;
    convert_all(rows)
}
