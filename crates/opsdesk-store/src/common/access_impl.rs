//! The one implementation of [`crate::AccessStore`], expanded once per backend: requests and
//! their reviews, grants, clearance, and (delegated to `tenant_data`) the tenant data grants
//! open. Every decision is a conditional update (`WHERE version = ... AND status = 'pending'`),
//! so two reviewers, or a reviewer and the expiry job, never both win.

/// Implements [`crate::AccessStore`] for `$store` over database `$db`; `$store` must have the
/// hook `async fn declare_tenants(tx: &mut sqlx::Transaction<'static, $db>, tenants: &[Uuid])`.
macro_rules! access_impl {
    ($store:ty, $db:ty) => {
        $crate::common::tenant_data!($store, $db);

        impl $store {
            /// Requests with their reviews (in order) and grants: one query each for the page.
            async fn request_records(
                conn: &mut <$db as sqlx::Database>::Connection,
                rows: Vec<$crate::common::access_rows::AccessRequestRow>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Vec<$crate::AccessRequestRecord>> {
                use $crate::common::access_rows::{GrantRow, ReviewRow, REVIEW_SELECT};
                use std::collections::HashMap;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(REVIEW_SELECT);
                q.push(" WHERE v.request_id IN (");
                let mut sep = q.separated(", ");
                for r in &rows {
                    sep.push_bind(r.id.clone());
                }
                q.push(") ORDER BY v.at, v.reviewer_id");
                let review_rows: Vec<ReviewRow> =
                    q.build_query_as().fetch_all(&mut *conn).await?;
                let mut reviews: HashMap<String, Vec<opsdesk_proto::ReviewView>> = HashMap::new();
                for r in review_rows {
                    let request = r.request_id.clone();
                    reviews.entry(request).or_default().push(r.try_into()?);
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    $crate::common::access_rows::grant_select!(),
                    " WHERE g.request_id IN ("
                ));
                let mut sep = q.separated(", ");
                for r in &rows {
                    sep.push_bind(r.id.clone());
                }
                q.push(")");
                let grant_rows: Vec<GrantRow> = q.build_query_as().fetch_all(&mut *conn).await?;
                let mut grants = HashMap::new();
                for g in grant_rows {
                    grants.insert(g.request_id.clone(), g.into_view(now)?);
                }
                rows.into_iter()
                    .map(|r| {
                        let grant = grants.remove(&r.id);
                        let reviews = reviews.remove(&r.id).unwrap_or_default();
                        r.into_record(reviews, grant)
                    })
                    .collect()
            }

            /// One request with its reviews and grant.
            async fn request_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Option<$crate::AccessRequestRecord>> {
                let row: Option<$crate::common::access_rows::AccessRequestRow> =
                    sqlx::query_as(concat!(
                        $crate::common::access_rows::request_select!(),
                        " WHERE r.id = $1"
                    ))
                    .bind(id.to_string())
                    .fetch_optional(&mut *conn)
                    .await?;
                Ok(Self::request_records(conn, row.into_iter().collect(), now)
                    .await?
                    .pop())
            }

            /// Writes `fx`, reads request `id` as the transaction left it, and commits.
            async fn commit_request(
                mut tx: sqlx::Transaction<'static, $db>,
                fx: $crate::Effects,
                id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<$crate::AccessRequestRecord> {
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                let record = Self::request_in(&mut tx, id, now)
                    .await?
                    .ok_or($crate::StoreError::NotFound)?;
                tx.commit().await?;
                Ok(record)
            }

            /// Why a conditional update of request `id` matched no row.
            async fn request_conflict(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
            ) -> $crate::StoreError {
                let sql = "SELECT version FROM access_requests WHERE id = $1";
                $crate::staff::conflict_or_missing::<Self>(tx, sql, id).await
            }

            /// Runs one conditional update and, when it changed a row, writes `fx` with it;
            /// false (and nothing written) when it matched none: someone got there first.
            async fn change_once<'q>(
                &self,
                update: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<bool> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                if update.execute(&mut *tx).await?.rows_affected() == 0 {
                    return Ok(false);
                }
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(true)
            }

            /// Grants matching `condition` (which also orders them; `$1` is now, `$2` the
            /// limit), their state at `now`.
            async fn grants_where(
                conn: &mut <$db as sqlx::Database>::Connection,
                condition: &str,
                now: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::GrantView>> {
                let rows = sqlx::query_as(&format!(
                    "{} WHERE {condition} LIMIT $2",
                    $crate::common::access_rows::grant_select!()
                ))
                .bind($crate::common::ms(now))
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?;
                $crate::common::access_rows::grant_views(rows, now)
            }

            /// A staff member's clearance row, if one is recorded.
            async fn clearance_row(
                conn: &mut <$db as sqlx::Database>::Connection,
                staff_id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<$crate::common::access_rows::ClearanceRow>> {
                Ok(sqlx::query_as($crate::common::access_rows::CLEARANCE_SELECT)
                    .bind(staff_id.to_string())
                    .fetch_optional(&mut *conn)
                    .await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::AccessStore for $store {
            async fn create_access_request(
                &self,
                request: $crate::NewAccessRequest,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<$crate::AccessRequestRecord> {
                use $crate::common::{access_rows, ms};
                let r = request;
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO access_requests (id, tenant_id, requester_id, requester_tier, \
                     scope, reason, duration_minutes, start_at, ticket_id, status, created_at, \
                     expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11)",
                )
                .bind(r.id.to_string())
                .bind(r.tenant_id.to_string())
                .bind(r.requester_id.to_string())
                .bind(r.requester_tier)
                .bind(access_rows::scope_name(r.scope))
                .bind(&r.reason)
                .bind(r.duration_minutes)
                .bind(r.start_at.map(ms))
                .bind(r.ticket_id.map(|t| t.to_string()))
                .bind(ms(r.created_at))
                .bind(ms(r.expires_at))
                .execute(&mut *tx)
                .await
                .map_err(access_rows::missing_or_duplicate("id"))?;
                Self::commit_request(tx, fx, r.id, r.created_at).await
            }

            async fn access_request(
                &self,
                id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Option<$crate::AccessRequestRecord>> {
                let mut conn = self.pool.acquire().await?;
                Self::request_in(&mut conn, id, now).await
            }

            async fn list_access_requests(
                &self,
                filter: &$crate::AccessRequestFilter,
            ) -> $crate::StoreResult<Vec<$crate::AccessRequestRecord>> {
                use $crate::common::ms;
                let f = filter;
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    $crate::common::access_rows::request_select!(),
                    " WHERE 1 = 1"
                ));
                if let Some(id) = f.requester_id {
                    q.push(" AND r.requester_id = ").push_bind(id.to_string());
                }
                if let Some((reviewer, tier)) = f.reviewable_by {
                    q.push(" AND r.status = 'pending' AND r.requester_id <> ")
                        .push_bind(reviewer.to_string())
                        .push(" AND r.requester_tier <= ")
                        .push_bind(tier)
                        .push(
                            " AND NOT EXISTS (SELECT 1 FROM access_reviews v \
                             WHERE v.request_id = r.id AND v.reviewer_id = ",
                        )
                        .push_bind(reviewer.to_string())
                        .push(")");
                }
                if let Some(status) = f.status {
                    q.push(" AND r.status = ").push_bind(status.as_str());
                }
                if let Some(tenant) = f.tenant_id {
                    q.push(" AND r.tenant_id = ").push_bind(tenant.to_string());
                }
                if let Some(from) = f.from {
                    q.push(" AND r.created_at >= ").push_bind(ms(from));
                }
                if let Some(to) = f.to {
                    q.push(" AND r.created_at < ").push_bind(ms(to));
                }
                if let Some(before) = f.before_seq {
                    q.push(" AND r.seq < ").push_bind(before);
                }
                q.push(" ORDER BY r.seq DESC LIMIT ")
                    .push_bind(i64::from(f.limit));
                let mut conn = self.pool.acquire().await?;
                let rows = q.build_query_as().fetch_all(&mut *conn).await?;
                Self::request_records(&mut conn, rows, f.now).await
            }

            async fn review_access_request(
                &self,
                review: $crate::NewReview,
                decision: $crate::ReviewDecision,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<$crate::AccessRequestRecord> {
                use $crate::common::{access_rows, ms};
                use $crate::ReviewDecision;
                use opsdesk_core::access::RequestStatus;
                let (status, grant) = match &decision {
                    ReviewDecision::StillPending => (None, None),
                    ReviewDecision::Denied => (Some(RequestStatus::Denied), None),
                    ReviewDecision::Approved(g) => (Some(RequestStatus::Approved), Some(g)),
                };
                let id = review.request_id.to_string();
                let at = ms(review.at);
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(
                    "UPDATE access_requests SET version = version + 1, \
                     status = COALESCE($1, status), decided_at = COALESCE($2, decided_at) \
                     WHERE id = $3 AND version = $4 AND status = 'pending' AND expires_at > $5",
                )
                .bind(status.map(|s| s.as_str()))
                .bind(status.map(|_| at))
                .bind(&id)
                .bind(review.expected_version)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(Self::request_conflict(&mut tx, review.request_id).await);
                }
                sqlx::query(
                    "INSERT INTO access_reviews (request_id, reviewer_id, approved, comment, at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&id)
                .bind(review.reviewer_id.to_string())
                .bind(i64::from(review.approved))
                .bind(&review.comment)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(access_rows::missing_or_duplicate("reviewer"))?;
                if let Some(g) = grant {
                    sqlx::query(
                        "INSERT INTO grants (id, request_id, tenant_id, holder_id, scope, \
                         starts_at, ends_at, start_recorded) \
                         SELECT $1, id, tenant_id, requester_id, scope, $2, $3, $4 \
                         FROM access_requests WHERE id = $5",
                    )
                    .bind(g.id.to_string())
                    .bind(ms(g.starts_at))
                    .bind(ms(g.ends_at))
                    .bind(i64::from(g.start_recorded))
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .map_err(access_rows::missing_or_duplicate("grant"))?;
                }
                Self::commit_request(tx, fx, review.request_id, review.at).await
            }

            async fn cancel_access_request(
                &self,
                id: uuid::Uuid,
                expected_version: i64,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<$crate::AccessRequestRecord> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let changed = sqlx::query(
                    "UPDATE access_requests SET status = 'cancelled', decided_at = $1, \
                     version = version + 1 WHERE id = $2 AND version = $3 AND status = 'pending'",
                )
                .bind($crate::common::ms(now))
                .bind(id.to_string())
                .bind(expected_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(Self::request_conflict(&mut tx, id).await);
                }
                Self::commit_request(tx, fx, id, now).await
            }

            async fn access_requests_to_expire(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::AccessRequestRecord>> {
                let mut conn = self.pool.acquire().await?;
                let rows = sqlx::query_as(concat!(
                    $crate::common::access_rows::request_select!(),
                    " WHERE r.status = 'pending' AND r.expires_at <= $1 \
                     ORDER BY r.expires_at, r.seq LIMIT $2"
                ))
                .bind($crate::common::ms(now))
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await?;
                Self::request_records(&mut conn, rows, now).await
            }

            async fn expire_access_request(
                &self,
                id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<bool> {
                let expire = sqlx::query(
                    "UPDATE access_requests SET status = 'expired', decided_at = $1, \
                     version = version + 1 WHERE id = $2 AND status = 'pending' \
                     AND expires_at <= $1",
                )
                .bind($crate::common::ms(now))
                .bind(id.to_string());
                self.change_once(expire, fx).await
            }

            async fn grant(
                &self,
                id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Option<opsdesk_proto::GrantView>> {
                let row: Option<$crate::common::access_rows::GrantRow> = sqlx::query_as(concat!(
                    $crate::common::access_rows::grant_select!(),
                    " WHERE g.id = $1"
                ))
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| r.into_view(now)).transpose()
            }

            async fn list_grants(
                &self,
                filter: &$crate::GrantFilter,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::GrantView>> {
                let f = filter;
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    $crate::common::access_rows::grant_select!(),
                    " WHERE 1 = 1"
                ));
                if let Some(holder) = f.holder_id {
                    q.push(" AND g.holder_id = ").push_bind(holder.to_string());
                }
                if let Some(tenant) = f.tenant_id {
                    q.push(" AND g.tenant_id = ").push_bind(tenant.to_string());
                }
                if f.current_only {
                    // Not ended at `now`, as `GrantFacts::state` sees it.
                    let now = $crate::common::ms(f.now);
                    q.push(" AND (g.ended_at IS NULL OR g.ended_at > ")
                        .push_bind(now)
                        .push(") AND g.ends_at > ")
                        .push_bind(now);
                }
                q.push(" ORDER BY g.starts_at DESC, g.id DESC LIMIT ")
                    .push_bind(i64::from(f.limit));
                let rows = q.build_query_as().fetch_all(&self.pool).await?;
                $crate::common::access_rows::grant_views(rows, f.now)
            }

            async fn grant_facts(
                &self,
                holder_id: uuid::Uuid,
                tenant_id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Vec<opsdesk_core::access::GrantFacts>> {
                let day_ago = $crate::common::ms(now - chrono::Duration::days(1));
                let rows: Vec<$crate::common::access_rows::GrantFactsRow> =
                    sqlx::query_as(&format!(
                        "SELECT {} FROM grants WHERE holder_id = $1 AND tenant_id = $2 \
                         AND (ended_at IS NULL OR ended_at >= $3 OR ends_at >= $3) \
                         ORDER BY starts_at, id",
                        $crate::common::access_rows::GRANT_FACTS_COLUMNS
                    ))
                    .bind(holder_id.to_string())
                    .bind(tenant_id.to_string())
                    .bind(day_ago)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::common::convert_all(rows)
            }

            async fn grants_to_end(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::GrantView>> {
                let mut conn = self.pool.acquire().await?;
                Self::grants_where(
                    &mut conn,
                    "g.ended_at IS NULL AND g.ends_at <= $1 ORDER BY g.ends_at, g.id",
                    now,
                    limit,
                )
                .await
            }

            async fn grants_to_start(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::GrantView>> {
                let mut conn = self.pool.acquire().await?;
                Self::grants_where(
                    &mut conn,
                    "g.start_recorded = 0 AND g.starts_at <= $1 AND g.ended_at IS NULL \
                     ORDER BY g.starts_at, g.id",
                    now,
                    limit,
                )
                .await
            }

            async fn end_grant(
                &self,
                end: $crate::EndGrant,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<Option<opsdesk_proto::GrantView>> {
                let id = end.grant_id.to_string();
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let ended = sqlx::query(
                    "UPDATE grants SET ended_at = $1, end_reason = $2, ended_by = $3, \
                     end_comment = $4 WHERE id = $5 AND ended_at IS NULL",
                )
                .bind($crate::common::ms(end.at))
                .bind(end.reason.as_str())
                .bind(end.by.map(|b| b.to_string()))
                .bind(&end.comment)
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err($crate::common::access_rows::missing_or_duplicate("grant"))?
                .rows_affected();
                let row: Option<$crate::common::access_rows::GrantRow> = sqlx::query_as(concat!(
                    $crate::common::access_rows::grant_select!(),
                    " WHERE g.id = $1"
                ))
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Err($crate::StoreError::NotFound);
                };
                if ended == 0 {
                    return Ok(None);
                }
                let view = row.into_view(end.at)?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(Some(view))
            }

            async fn grants_to_warn(
                &self,
                until: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::GrantView>> {
                let mut conn = self.pool.acquire().await?;
                Self::grants_where(
                    &mut conn,
                    "g.ended_at IS NULL AND g.expiry_warned = 0 AND g.ends_at <= $1 \
                     ORDER BY g.ends_at, g.id",
                    until,
                    limit,
                )
                .await
            }

            async fn record_grant_warned(
                &self,
                grant_id: uuid::Uuid,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<bool> {
                let warn = sqlx::query(
                    "UPDATE grants SET expiry_warned = 1 WHERE id = $1 AND expiry_warned = 0",
                )
                .bind(grant_id.to_string());
                self.change_once(warn, fx).await
            }

            async fn record_grant_started(
                &self,
                grant_id: uuid::Uuid,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<bool> {
                let start = sqlx::query(
                    "UPDATE grants SET start_recorded = 1 WHERE id = $1 AND start_recorded = 0",
                )
                .bind(grant_id.to_string());
                self.change_once(start, fx).await
            }

            async fn clearance(
                &self,
                staff_id: uuid::Uuid,
            ) -> $crate::StoreResult<opsdesk_proto::ClearanceView> {
                let mut conn = self.pool.acquire().await?;
                let row = Self::clearance_row(&mut conn, staff_id).await?;
                $crate::common::access_rows::clearance_view(staff_id, row)
            }

            async fn clearance_facts(
                &self,
                staff_id: uuid::Uuid,
            ) -> $crate::StoreResult<opsdesk_core::access::Clearance> {
                let mut conn = self.pool.acquire().await?;
                let row = Self::clearance_row(&mut conn, staff_id).await?;
                $crate::common::access_rows::clearance_facts(row)
            }

            async fn record_clearance(
                &self,
                staff_id: uuid::Uuid,
                expected_version: i64,
                clearance: opsdesk_core::access::Clearance,
                recorded_by: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::ClearanceView> {
                use $crate::common::ms;
                let c = clearance;
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                // The first record inserts (a concurrent first record makes this one stale);
                // later ones update the version they read.
                let sql = if expected_version == 0 {
                    "INSERT INTO staff_clearance (nda_at, background_check_at, training_at, \
                     recorded_by, updated_at, staff_id) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (staff_id) DO NOTHING"
                } else {
                    "UPDATE staff_clearance SET nda_at = $1, background_check_at = $2, \
                     training_at = $3, recorded_by = $4, updated_at = $5, version = version + 1 \
                     WHERE staff_id = $6 AND version = $7"
                };
                let mut q = sqlx::query(sql)
                    .bind(c.nda_at.map(ms))
                    .bind(c.background_check_at.map(ms))
                    .bind(c.training_at.map(ms))
                    .bind(recorded_by.to_string())
                    .bind(ms(now))
                    .bind(staff_id.to_string());
                if expected_version != 0 {
                    q = q.bind(expected_version);
                }
                let stored = q
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::common::access_rows::missing_or_duplicate("staff_id"))?
                    .rows_affected();
                if stored == 0 {
                    return Err($crate::staff::stale_or_missing::<Self>(&mut tx, staff_id).await);
                }
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                let row = Self::clearance_row(&mut tx, staff_id).await?;
                tx.commit().await?;
                $crate::common::access_rows::clearance_view(staff_id, row)
            }

            async fn active_staff_in_roles(
                &self,
                roles: &[opsdesk_core::Role],
            ) -> $crate::StoreResult<Vec<opsdesk_proto::StaffRef>> {
                if roles.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id, display_name, role FROM staff WHERE status = ",
                );
                q.push_bind(opsdesk_core::staff::StaffStatus::Active.as_str())
                    .push(" AND role IN (");
                let mut sep = q.separated(", ");
                for r in roles {
                    sep.push_bind(r.as_str());
                }
                q.push(") ORDER BY display_name, id");
                let rows = q.build_query_as().fetch_all(&self.pool).await?;
                $crate::common::access_rows::staff_refs(rows)
            }

            async fn import_tenant_users(
                &self,
                load: &opsdesk_core::proof::TenantDataLoad,
                users: Vec<$crate::TenantUserDraft>,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<(u32, u32)> {
                self.import_users(load, users, now, fx).await
            }

            async fn record_tenant_sign_ins(
                &self,
                load: &opsdesk_core::proof::TenantDataLoad,
                sign_ins: Vec<$crate::NewTenantSignIn>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<()> {
                self.record_sign_ins(load, sign_ins, fx).await
            }

            async fn list_tenant_users(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Read>,
                prefix: Option<&str>,
                after: Option<(&str, uuid::Uuid)>,
                limit: u32,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::TenantUserView>> {
                self.users_page(access, prefix, after, limit, fx).await
            }

            async fn tenant_user(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Read>,
                user_id: uuid::Uuid,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<Option<opsdesk_proto::TenantUserView>> {
                self.one_user(access, user_id, fx).await
            }

            async fn tenant_user_sign_ins(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Support>,
                user_id: uuid::Uuid,
                limit: u32,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::TenantSignInView>> {
                self.user_sign_ins(access, user_id, limit, fx).await
            }

            async fn issue_tenant_password_reset(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Support>,
                reset: $crate::NewPasswordReset,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantUserView> {
                self.issue_reset(access, reset, fx).await
            }

            async fn change_tenant_user(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Support>,
                user_id: uuid::Uuid,
                expected_version: i64,
                change: $crate::TenantUserChange,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantUserView> {
                self.change_user(access, user_id, expected_version, change, now, fx)
                    .await
            }

            async fn tenant_settings(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Admin>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantSettingsView> {
                self.settings_of(access, fx).await
            }

            async fn update_tenant_settings(
                &self,
                access: &opsdesk_core::proof::TenantAccess<opsdesk_core::proof::scope::Admin>,
                values: $crate::TenantSettingsValues,
                expected_version: i64,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantSettingsView> {
                self.put_settings(access, values, expected_version, now, fx)
                    .await
            }
        }
    };
}
pub(crate) use access_impl;
