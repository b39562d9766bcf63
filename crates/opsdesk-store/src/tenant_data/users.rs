//! Tenant users under a grant or a data load: importing them and their sign-ins, listing and
//! reading them, their sign-in history, password resets and support changes.

use super::rows::{prefix_pattern, TenantSignInRow, TenantUserRow, TENANT_USER_COLUMNS};
use super::{grant_tx, tenant_tx, user_in};
use crate::audit::write_effects;
use crate::common::{convert_all, missing_or_duplicate, ms};
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::{
    Effects, NewPasswordReset, NewTenantSignIn, StoreError, StoreResult, TenantUserChange,
    TenantUserDraft,
};
use chrono::{DateTime, Utc};
use opsdesk_core::proof::{scope, TenantAccess, TenantDataLoad};
use opsdesk_proto::{TenantSignInView, TenantUserView};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Creates or updates (by email) the tenant's users; `(created, updated)`.
pub(crate) async fn import<D: Dialect>(
    store: &D,
    load: &TenantDataLoad,
    users: Vec<TenantUserDraft>,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<(u32, u32)> {
    let tenant = load.tenant_id().to_string();
    let now = ms(now);
    let _writing = store.write_guard().await;
    let mut tx = tenant_tx(store, load.tenant_id()).await?;
    let mut seen = HashSet::new();
    let (mut created, mut updated) = (0u32, 0u32);
    for u in users {
        // Two rows for one person: the batch is refused whole (the transaction drops
        // unfinished, undoing the rows before).
        if !seen.insert(u.email.clone()) {
            return Err(StoreError::Duplicate { field: "email" });
        }
        let last_sign_in = u.last_sign_in_at.map(ms);
        // An import never moves a recorded sign-in back.
        let update = Sql::new(
            "UPDATE tenant_users SET name = $1, name_key = $2, role = $3, \
             status = $4, mfa_enabled = $5, last_sign_in_at = CASE \
             WHEN last_sign_in_at IS NULL OR last_sign_in_at < $6 THEN $6 \
             ELSE last_sign_in_at END, updated_at = $7, version = version + 1 \
             WHERE tenant_id = $8 AND email = $9",
        )
        .bind(&u.name)
        .bind(u.name.to_lowercase())
        .bind(u.role.as_str())
        .bind(u.status.as_str())
        .bind(i64::from(u.mfa_enabled))
        .bind(last_sign_in)
        .bind(now)
        .bind(&tenant)
        .bind(&u.email);
        if D::execute(&mut *tx, update).await? > 0 {
            updated += 1;
            continue;
        }
        let insert = Sql::new(
            "INSERT INTO tenant_users (id, tenant_id, name, name_key, email, role, \
             status, mfa_enabled, last_sign_in_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(&tenant)
        .bind(&u.name)
        .bind(u.name.to_lowercase())
        .bind(&u.email)
        .bind(u.role.as_str())
        .bind(u.status.as_str())
        .bind(i64::from(u.mfa_enabled))
        .bind(last_sign_in)
        .bind(now);
        D::execute(&mut *tx, insert)
            .await
            .map_err(missing_or_duplicate("email"))?;
        created += 1;
    }
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok((created, updated))
}

/// Records sign-ins of the tenant's users (by email), moving their last sign-in forward.
pub(crate) async fn record_sign_ins<D: Dialect>(
    store: &D,
    load: &TenantDataLoad,
    sign_ins: Vec<NewTenantSignIn>,
    fx: Effects,
) -> StoreResult<()> {
    let tenant = load.tenant_id().to_string();
    let _writing = store.write_guard().await;
    let mut tx = tenant_tx(store, load.tenant_id()).await?;
    let mut user_ids = HashMap::new();
    for s in sign_ins {
        let user_id: String = match user_ids.get(&s.email) {
            Some(id) => String::clone(id),
            None => {
                let find =
                    Sql::new("SELECT id FROM tenant_users WHERE tenant_id = $1 AND email = $2")
                        .bind(&tenant)
                        .bind(&s.email);
                let id: Option<(String,)> = D::fetch_optional(&mut *tx, find).await?;
                let (id,) = id.ok_or(StoreError::NotFound)?;
                user_ids.insert(s.email.clone(), id.clone());
                id
            }
        };
        let at = ms(s.at);
        let insert = Sql::new(
            "INSERT INTO tenant_user_sign_ins (id, tenant_id, user_id, at, success, \
             address, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(&tenant)
        .bind(&user_id)
        .bind(at)
        .bind(i64::from(s.success))
        .bind(&s.address)
        .bind(&s.user_agent);
        D::execute(&mut *tx, insert).await?;
        if s.success {
            // Bookkeeping, not an edit: the version stays, so a support action prepared
            // meanwhile does not turn into a conflict.
            let update = Sql::new(
                "UPDATE tenant_users SET last_sign_in_at = $1 WHERE id = $2 \
                 AND tenant_id = $3 AND (last_sign_in_at IS NULL OR last_sign_in_at < $1)",
            )
            .bind(at)
            .bind(&user_id)
            .bind(&tenant);
            D::execute(&mut *tx, update).await?;
        }
    }
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(())
}

/// The tenant's users by name after the cursor, optionally starting with `prefix`.
pub(crate) async fn page<D: Dialect>(
    store: &D,
    access: &TenantAccess<scope::Read>,
    prefix: Option<&str>,
    after: Option<(&str, Uuid)>,
    limit: u32,
    fx: Effects,
) -> StoreResult<Vec<TenantUserView>> {
    let mut q = Sql::new(format!(
        "SELECT {TENANT_USER_COLUMNS} FROM tenant_users WHERE tenant_id = "
    ));
    q.push_bind(access.tenant_id().to_string());
    if let Some(p) = prefix.filter(|p| !p.is_empty()) {
        let pattern = prefix_pattern(p);
        q.push(" AND (name_key LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR email LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some((name_key, id)) = after {
        let name_key = name_key.to_lowercase();
        q.push(" AND (name_key > ")
            .push_bind(name_key.clone())
            .push(" OR (name_key = ")
            .push_bind(name_key)
            .push(" AND id > ")
            .push_bind(id.to_string())
            .push("))");
    }
    q.push(" ORDER BY name_key, id LIMIT ")
        .push_bind(i64::from(limit));
    let _writing = store.write_guard().await;
    let mut tx = grant_tx(store, access).await?;
    let rows: Vec<TenantUserRow> = D::fetch_all(&mut *tx, q).await?;
    let users = convert_all(rows)?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(users)
}

/// One user of the grant's tenant.
pub(crate) async fn one<D: Dialect>(
    store: &D,
    access: &TenantAccess<scope::Read>,
    user_id: Uuid,
    fx: Effects,
) -> StoreResult<Option<TenantUserView>> {
    let _writing = store.write_guard().await;
    let mut tx = grant_tx(store, access).await?;
    let user = user_in::<D>(&mut tx, access.tenant_id(), user_id).await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(user)
}

/// A user's sign-ins, newest first.
pub(crate) async fn sign_ins<D: Dialect>(
    store: &D,
    access: &TenantAccess<scope::Support>,
    user_id: Uuid,
    limit: u32,
    fx: Effects,
) -> StoreResult<Vec<TenantSignInView>> {
    let tenant = access.tenant_id();
    let _writing = store.write_guard().await;
    let mut tx = grant_tx(store, access).await?;
    if user_in::<D>(&mut tx, tenant, user_id).await?.is_none() {
        return Err(StoreError::NotFound);
    }
    let sql = Sql::new(
        "SELECT at, success, address, user_agent FROM tenant_user_sign_ins \
         WHERE user_id = $1 AND tenant_id = $2 ORDER BY at DESC, id DESC LIMIT $3",
    )
    .bind(user_id.to_string())
    .bind(tenant.to_string())
    .bind(i64::from(limit));
    let rows: Vec<TenantSignInRow> = D::fetch_all(&mut *tx, sql).await?;
    let sign_ins = convert_all(rows)?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(sign_ins)
}

/// Issues a password reset, voiding the user's unused ones.
pub(crate) async fn issue_reset<D: Dialect>(
    store: &D,
    access: &TenantAccess<scope::Support>,
    reset: NewPasswordReset,
    fx: Effects,
) -> StoreResult<TenantUserView> {
    let tenant = access.tenant_id();
    let _writing = store.write_guard().await;
    let mut tx = grant_tx(store, access).await?;
    let user = user_in::<D>(&mut tx, tenant, reset.user_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    // One working link at a time: the new one voids those still unused.
    let void = Sql::new(
        "UPDATE tenant_password_resets SET voided_at = $1 WHERE user_id = $2 \
         AND tenant_id = $3 AND used_at IS NULL AND voided_at IS NULL",
    )
    .bind(ms(reset.created_at))
    .bind(reset.user_id.to_string())
    .bind(tenant.to_string());
    D::execute(&mut *tx, void).await?;
    let insert = Sql::new(
        "INSERT INTO tenant_password_resets (id, tenant_id, user_id, token_hash, \
         created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(reset.id.to_string())
    .bind(tenant.to_string())
    .bind(reset.user_id.to_string())
    .bind(&reset.token_hash)
    .bind(reset.created_by.to_string())
    .bind(ms(reset.created_at))
    .bind(ms(reset.expires_at));
    D::execute(&mut *tx, insert)
        .await
        .map_err(missing_or_duplicate("token_hash"))?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(user)
}

/// Unlocks a locked user or changes a user's role, at the version the caller read.
pub(crate) async fn change<D: Dialect>(
    store: &D,
    access: &TenantAccess<scope::Support>,
    user_id: Uuid,
    expected_version: i64,
    change: TenantUserChange,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<TenantUserView> {
    let tenant = access.tenant_id();
    // Unlocking applies to a locked user only: one disabled on the platform stays so.
    let (set, only_if, role) = match change {
        TenantUserChange::Unlock => ("status = 'active'", "status = 'locked'", None),
        TenantUserChange::Role(r) => ("role = $5", "1 = 1", Some(r.as_str())),
    };
    let mut update = Sql::new(format!(
        "UPDATE tenant_users SET {set}, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND tenant_id = $3 AND version = $4 AND {only_if} \
         RETURNING {TENANT_USER_COLUMNS}"
    ))
    .bind(ms(now))
    .bind(user_id.to_string())
    .bind(tenant.to_string())
    .bind(expected_version);
    if let Some(role) = role {
        update = update.bind(role);
    }
    let _writing = store.write_guard().await;
    let mut tx = grant_tx(store, access).await?;
    let row: Option<TenantUserRow> = D::fetch_optional(&mut *tx, update).await?;
    let Some(row) = row else {
        return Err(match user_in::<D>(&mut tx, tenant, user_id).await? {
            Some(_) => StoreError::VersionConflict,
            None => StoreError::NotFound,
        });
    };
    let user = row.try_into()?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    Ok(user)
}
