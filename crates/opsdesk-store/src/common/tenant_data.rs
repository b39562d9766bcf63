//! Tenant data behind a grant (tenant users, their sign-ins and password resets, the tenant's
//! settings), expanded once per backend as inherent functions that `access_impl` calls. Each one
//! takes the proof the hub's check returned, runs in one transaction that first declares the
//! proof's tenant (`declare_tenants`: row-level security on PostgreSQL), names the tenant in its
//! queries as well (SQLite has no row-level security), and writes the audit entry of the read or
//! write in that same transaction.

/// Adds the tenant data functions to `$store` over database `$db`; `$store` must have the hook
/// `async fn declare_tenants(tx: &mut sqlx::Transaction<'static, $db>, tenants: &[Uuid])`.
macro_rules! tenant_data {
    ($store:ty, $db:ty) => {
        impl $store {
            /// A write transaction (tenant data reads write their audit entry) that declares
            /// `tenant`. Take the write guard first.
            async fn tenant_tx(
                &self,
                tenant: uuid::Uuid,
            ) -> $crate::StoreResult<sqlx::Transaction<'static, $db>> {
                let mut tx = self.begin_write().await?;
                Self::declare_tenants(&mut tx, &[tenant]).await?;
                Ok(tx)
            }

            /// The transaction for data under a grant: declares the grant's tenant and checks,
            /// inside the transaction, that the grant is still active (not ended, within its
            /// window at the time the hub checked it). The check is an update that changes
            /// nothing, so on PostgreSQL it locks the grant's row and a release or revocation
            /// waits for this transaction, or this one sees it ended.
            async fn grant_tx<S: opsdesk_core::proof::scope::Scope>(
                &self,
                access: &opsdesk_core::proof::TenantAccess<S>,
            ) -> $crate::StoreResult<sqlx::Transaction<'static, $db>> {
                let mut tx = self.tenant_tx(access.tenant_id()).await?;
                let at = $crate::common::ms(access.checked_at());
                let held = sqlx::query(
                    "UPDATE grants SET start_recorded = start_recorded WHERE id = $1 \
                     AND holder_id = $2 AND tenant_id = $3 AND ended_at IS NULL \
                     AND starts_at <= $4 AND ends_at > $4",
                )
                .bind(access.grant_id().to_string())
                .bind(access.staff_id().to_string())
                .bind(access.tenant_id().to_string())
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if held == 0 {
                    return Err($crate::StoreError::GrantEnded);
                }
                Ok(tx)
            }

            /// One user of `tenant`; `None` for another tenant's.
            async fn user_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: uuid::Uuid,
                user_id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<opsdesk_proto::TenantUserView>> {
                let row: Option<$crate::common::access_rows::TenantUserRow> =
                    sqlx::query_as(concat!(
                        "SELECT ",
                        $crate::common::access_rows::tenant_user_columns!(),
                        " FROM tenant_users WHERE id = $1 AND tenant_id = $2"
                    ))
                    .bind(user_id.to_string())
                    .bind(tenant.to_string())
                    .fetch_optional(&mut **tx)
                    .await?;
                $crate::common::convert_opt(row)
            }

            async fn import_users(
                &self,
                load: &opsdesk_core::proof::TenantDataLoad,
                users: Vec<$crate::TenantUserDraft>,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<(u32, u32)> {
                use $crate::common::access_rows::missing_or_duplicate;
                use $crate::common::ms;
                let tenant = load.tenant_id().to_string();
                let now = ms(now);
                let _writing = self.write_guard().await;
                let mut tx = self.tenant_tx(load.tenant_id()).await?;
                let mut seen = std::collections::HashSet::new();
                let (mut created, mut updated) = (0u32, 0u32);
                for u in users {
                    // Two rows for one person: the batch is refused whole (the transaction
                    // drops unfinished, undoing the rows before).
                    if !seen.insert(u.email.clone()) {
                        return Err($crate::StoreError::Duplicate { field: "email" });
                    }
                    let last_sign_in = u.last_sign_in_at.map(ms);
                    // An import never moves a recorded sign-in back.
                    let changed = sqlx::query(
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
                    .bind(&u.email)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed > 0 {
                        updated += 1;
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO tenant_users (id, tenant_id, name, name_key, email, role, \
                         status, mfa_enabled, last_sign_in_at, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
                    )
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(&tenant)
                    .bind(&u.name)
                    .bind(u.name.to_lowercase())
                    .bind(&u.email)
                    .bind(u.role.as_str())
                    .bind(u.status.as_str())
                    .bind(i64::from(u.mfa_enabled))
                    .bind(last_sign_in)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(missing_or_duplicate("email"))?;
                    created += 1;
                }
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok((created, updated))
            }

            async fn record_sign_ins(
                &self,
                load: &opsdesk_core::proof::TenantDataLoad,
                sign_ins: Vec<$crate::NewTenantSignIn>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<()> {
                use $crate::common::ms;
                let tenant = load.tenant_id().to_string();
                let _writing = self.write_guard().await;
                let mut tx = self.tenant_tx(load.tenant_id()).await?;
                let mut user_ids = std::collections::HashMap::new();
                for s in sign_ins {
                    let user_id: String = match user_ids.get(&s.email) {
                        Some(id) => String::clone(id),
                        None => {
                            let id: Option<String> = sqlx::query_scalar(
                                "SELECT id FROM tenant_users WHERE tenant_id = $1 AND email = $2",
                            )
                            .bind(&tenant)
                            .bind(&s.email)
                            .fetch_optional(&mut *tx)
                            .await?;
                            let id = id.ok_or($crate::StoreError::NotFound)?;
                            user_ids.insert(s.email.clone(), id.clone());
                            id
                        }
                    };
                    let at = ms(s.at);
                    sqlx::query(
                        "INSERT INTO tenant_user_sign_ins (id, tenant_id, user_id, at, success, \
                         address, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(&tenant)
                    .bind(&user_id)
                    .bind(at)
                    .bind(i64::from(s.success))
                    .bind(&s.address)
                    .bind(&s.user_agent)
                    .execute(&mut *tx)
                    .await?;
                    if s.success {
                        // Bookkeeping, not an edit: the version stays, so a support action
                        // prepared meanwhile does not turn into a conflict.
                        sqlx::query(
                            "UPDATE tenant_users SET last_sign_in_at = $1 WHERE id = $2 \
                             AND tenant_id = $3 \
                             AND (last_sign_in_at IS NULL OR last_sign_in_at < $1)",
                        )
                        .bind(at)
                        .bind(&user_id)
                        .bind(&tenant)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn users_page(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Read>,
                prefix: Option<&str>,
                after: Option<(&str, uuid::Uuid)>,
                limit: u32,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::TenantUserView>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    "SELECT ",
                    $crate::common::access_rows::tenant_user_columns!(),
                    " FROM tenant_users WHERE tenant_id = "
                ));
                q.push_bind(access.tenant_id().to_string());
                if let Some(p) = prefix.filter(|p| !p.is_empty()) {
                    let pattern = $crate::common::access_rows::prefix_pattern(p);
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
                let _writing = self.write_guard().await;
                let mut tx = self.grant_tx(access).await?;
                let rows: Vec<$crate::common::access_rows::TenantUserRow> =
                    q.build_query_as().fetch_all(&mut *tx).await?;
                let users = $crate::common::convert_all(rows)?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(users)
            }

            async fn one_user(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Read>,
                user_id: uuid::Uuid,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<Option<opsdesk_proto::TenantUserView>> {
                let _writing = self.write_guard().await;
                let mut tx = self.grant_tx(access).await?;
                let user = Self::user_in(&mut tx, access.tenant_id(), user_id).await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(user)
            }

            async fn user_sign_ins(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Support>,
                user_id: uuid::Uuid,
                limit: u32,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::TenantSignInView>> {
                let tenant = access.tenant_id();
                let _writing = self.write_guard().await;
                let mut tx = self.grant_tx(access).await?;
                if Self::user_in(&mut tx, tenant, user_id).await?.is_none() {
                    return Err($crate::StoreError::NotFound);
                }
                let rows: Vec<$crate::common::access_rows::TenantSignInRow> = sqlx::query_as(
                    "SELECT at, success, address, user_agent FROM tenant_user_sign_ins \
                     WHERE user_id = $1 AND tenant_id = $2 ORDER BY at DESC, id DESC LIMIT $3",
                )
                .bind(user_id.to_string())
                .bind(tenant.to_string())
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await?;
                let sign_ins = $crate::common::convert_all(rows)?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(sign_ins)
            }

            async fn issue_reset(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Support>,
                reset: $crate::NewPasswordReset,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantUserView> {
                use $crate::common::ms;
                let tenant = access.tenant_id();
                let _writing = self.write_guard().await;
                let mut tx = self.grant_tx(access).await?;
                let user = Self::user_in(&mut tx, tenant, reset.user_id)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                // One working link at a time: the new one voids those still unused.
                sqlx::query(
                    "UPDATE tenant_password_resets SET voided_at = $1 WHERE user_id = $2 \
                     AND tenant_id = $3 AND used_at IS NULL AND voided_at IS NULL",
                )
                .bind(ms(reset.created_at))
                .bind(reset.user_id.to_string())
                .bind(tenant.to_string())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO tenant_password_resets (id, tenant_id, user_id, token_hash, \
                     created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(reset.id.to_string())
                .bind(tenant.to_string())
                .bind(reset.user_id.to_string())
                .bind(&reset.token_hash)
                .bind(reset.created_by.to_string())
                .bind(ms(reset.created_at))
                .bind(ms(reset.expires_at))
                .execute(&mut *tx)
                .await
                .map_err($crate::common::access_rows::missing_or_duplicate("token_hash"))?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(user)
            }

            async fn change_user(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Support>,
                user_id: uuid::Uuid,
                expected_version: i64,
                change: $crate::TenantUserChange,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantUserView> {
                let tenant = access.tenant_id();
                // Unlocking applies to a locked user only: one disabled on the platform stays so.
                let (set, only_if, role) = match change {
                    $crate::TenantUserChange::Unlock => ("status = 'active'", "status = 'locked'", None),
                    $crate::TenantUserChange::Role(r) => ("role = $5", "1 = 1", Some(r.as_str())),
                };
                let sql = format!(
                    "UPDATE tenant_users SET {set}, version = version + 1, updated_at = $1 \
                     WHERE id = $2 AND tenant_id = $3 AND version = $4 AND {only_if} RETURNING {}",
                    $crate::common::access_rows::tenant_user_columns!()
                );
                let _writing = self.write_guard().await;
                let mut tx = self.grant_tx(access).await?;
                let mut q = sqlx::query_as(&sql)
                    .bind($crate::common::ms(now))
                    .bind(user_id.to_string())
                    .bind(tenant.to_string())
                    .bind(expected_version);
                if let Some(role) = role {
                    q = q.bind(role);
                }
                let row: Option<$crate::common::access_rows::TenantUserRow> =
                    q.fetch_optional(&mut *tx).await?;
                let Some(row) = row else {
                    return Err(match Self::user_in(&mut tx, tenant, user_id).await? {
                        Some(_) => $crate::StoreError::VersionConflict,
                        None => $crate::StoreError::NotFound,
                    });
                };
                let user = row.try_into()?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(user)
            }

            async fn settings_of(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Admin>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantSettingsView> {
                let tenant = access.tenant_id();
                let _writing = self.write_guard().await;
                let mut tx = self.grant_tx(access).await?;
                let row: Option<$crate::common::access_rows::TenantSettingsRow> =
                    sqlx::query_as(concat!(
                        "SELECT ",
                        $crate::common::access_rows::tenant_settings_columns!(),
                        " FROM tenant_settings WHERE tenant_id = $1"
                    ))
                    .bind(tenant.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                let settings = match row {
                    Some(row) => row.try_into()?,
                    None => $crate::common::access_rows::default_settings(tenant),
                };
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(settings)
            }

            async fn put_settings(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Admin>,
                values: $crate::TenantSettingsValues,
                expected_version: i64,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantSettingsView> {
                let tenant = access.tenant_id();
                let v = values;
                // Version 0 is the defaults: the first change inserts (losing to a concurrent
                // first change), later ones update the version they read.
                let sql = if expected_version == 0 {
                    concat!(
                        "INSERT INTO tenant_settings (sso_required, mfa_required, \
                         session_timeout_minutes, ip_allowlist, data_retention_days, updated_at, \
                         tenant_id) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (tenant_id) DO NOTHING RETURNING ",
                        $crate::common::access_rows::tenant_settings_columns!()
                    )
                } else {
                    concat!(
                        "UPDATE tenant_settings SET sso_required = $1, mfa_required = $2, \
                         session_timeout_minutes = $3, ip_allowlist = $4, \
                         data_retention_days = $5, updated_at = $6, version = version + 1 \
                         WHERE tenant_id = $7 AND version = $8 RETURNING ",
                        $crate::common::access_rows::tenant_settings_columns!()
                    )
                };
                let allowlist = serde_json::to_string(&v.ip_allowlist)
                    .map_err(|e| $crate::StoreError::Corrupt(format!("ip_allowlist: {e}")))?;
                let _writing = self.write_guard().await;
                let mut tx = self.grant_tx(access).await?;
                let mut q = sqlx::query_as(sql)
                    .bind(i64::from(v.sso_required))
                    .bind(i64::from(v.mfa_required))
                    .bind(v.session_timeout_minutes)
                    .bind(allowlist)
                    .bind(v.data_retention_days)
                    .bind($crate::common::ms(now))
                    .bind(tenant.to_string());
                if expected_version != 0 {
                    q = q.bind(expected_version);
                }
                let row: Option<$crate::common::access_rows::TenantSettingsRow> =
                    q.fetch_optional(&mut *tx).await?;
                let settings = row.ok_or($crate::StoreError::VersionConflict)?.try_into()?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(settings)
            }
        }
    };
}

pub(crate) use tenant_data;
