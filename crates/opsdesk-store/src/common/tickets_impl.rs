//! The one implementation of [`crate::TicketStore`], expanded once per backend. Its SQL runs on
//! both databases; full-text search and the SLA job's claim differ and come from each backend's
//! hooks: `index_new_ticket`, `index_append`, `text_match_sql`, `text_query`, `search_sql`,
//! `claim_sla_sql`.

/// Implements [`crate::TicketStore`] for `$store` over database `$db`.
macro_rules! tickets_impl {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Adds the `WHERE` conditions of `spec` to `q` (which already says `WHERE 1 = 1`).
            ///
            /// For a page in `sort` order, the condition the page's index starts with is written
            /// plainly and the other filters as expressions no index serves (`+x`, `x || ''`):
            /// SQLite plans without statistics, and would otherwise often pick an index for a
            /// filter and sort thousands of rows, where walking one of the open-ticket indexes
            /// of the `queue_indexes` migration in order stops after a page. Counts (`sort`
            /// `None`) leave every index to the planner.
            fn push_spec<'a>(
                q: &mut sqlx::QueryBuilder<'a, $db>,
                spec: &'a $crate::tickets::TicketSpec,
                sort: Option<opsdesk_core::ticket::QueueSort>,
            ) -> $crate::StoreResult<()> {
                use $crate::common::ms;
                use opsdesk_core::ticket::QueueSort;
                #[derive(Clone, Copy, PartialEq)]
                enum Drive {
                    Any,
                    Tenant,
                    Assignee,
                    Status,
                    Priority,
                    Walk,
                }
                // A status says whether the ticket is open, so it selects the open indexes too.
                let open = spec.open.or(spec.status.map(|s| s.is_open()));
                let drive = match sort {
                    None => Drive::Any,
                    Some(_) if spec.tenant_id.is_some() => Drive::Tenant,
                    Some(s) if open == Some(true) => {
                        if spec.assignee.is_some() {
                            Drive::Assignee
                        } else if spec.status.is_some() && s == QueueSort::SlaDue {
                            Drive::Status
                        } else if spec.priority.is_some() && s != QueueSort::Updated {
                            Drive::Priority
                        } else {
                            Drive::Walk
                        }
                    }
                    Some(_) => Drive::Walk,
                };
                let plain = |d: Drive| drive == Drive::Any || drive == d;
                // A literal, not a parameter, so the partial indexes on open tickets apply.
                match open {
                    Some(true) => {
                        q.push(" AND t.is_open = 1");
                    }
                    Some(false) => {
                        q.push(" AND t.is_open = 0");
                    }
                    None => {}
                }
                let assignee = if plain(Drive::Assignee) {
                    " AND t.assignee_id"
                } else {
                    " AND (t.assignee_id || '')"
                };
                match &spec.assignee {
                    Some(Some(id)) => {
                        q.push(assignee).push(" = ").push_bind(id.to_string());
                    }
                    Some(None) => {
                        q.push(assignee).push(" IS NULL");
                    }
                    None => {}
                }
                if let Some(levels) = &spec.escalation_levels {
                    if levels.is_empty() {
                        q.push(" AND 1 = 0");
                    } else {
                        q.push(if drive == Drive::Any {
                            " AND t.escalation_level IN ("
                        } else {
                            " AND +t.escalation_level IN ("
                        });
                        let mut sep = q.separated(", ");
                        for l in levels {
                            sep.push_bind(l.number());
                        }
                        q.push(")");
                    }
                }
                if let Some(before) = spec.due_before {
                    q.push(match sort {
                        None | Some(QueueSort::SlaDue) => " AND t.sla_due_sort <= ",
                        Some(_) => " AND +t.sla_due_sort <= ",
                    })
                    .push_bind(ms(before));
                }
                if let Some(after) = spec.solved_after {
                    if spec.tenant_id.is_some() {
                        // Solving a ticket changes it, so it was updated since as well: that
                        // range finds one tenant's recent tickets in its index.
                        q.push(" AND +t.solved_at >= ")
                            .push_bind(ms(after))
                            .push(" AND t.updated_at >= ")
                            .push_bind(ms(after));
                    } else {
                        q.push(" AND t.solved_at >= ").push_bind(ms(after));
                    }
                }
                if let Some(tenant) = spec.tenant_id {
                    q.push(" AND t.tenant_id = ").push_bind(tenant.to_string());
                }
                if let Some(p) = spec.priority {
                    q.push(if plain(Drive::Priority) {
                        " AND t.priority_rank = "
                    } else {
                        " AND +t.priority_rank = "
                    })
                    .push_bind(p.rank());
                }
                if let Some(s) = spec.status {
                    q.push(if plain(Drive::Status) {
                        " AND t.status = "
                    } else {
                        " AND t.status || '' = "
                    })
                    .push_bind(s.as_str());
                }
                if let Some(g) = spec.group_id {
                    q.push(if drive == Drive::Any {
                        " AND t.group_id = "
                    } else {
                        " AND t.group_id || '' = "
                    })
                    .push_bind(g.to_string());
                }
                if let Some(tag) = &spec.tag {
                    // Checked per candidate: a common tag's thousands of tickets are never
                    // listed, and the open indexes carry `id` for the check.
                    q.push(
                        " AND EXISTS (SELECT 1 FROM ticket_tags tg WHERE tg.tag = ",
                    )
                    .push_bind(tag.as_str())
                    .push(" AND tg.ticket_id = t.id)");
                }
                if let Some(text) = &spec.text {
                    match Self::text_query(text) {
                        Some(query) => {
                            q.push(Self::text_match_sql().0)
                                .push_bind(query)
                                .push(Self::text_match_sql().1);
                        }
                        None => {
                            q.push(" AND 1 = 0");
                        }
                    }
                }
                Ok(())
            }

            /// Reads tickets by internal key, keeping the order of `seqs`.
            async fn tickets_by_seqs(
                &self,
                seqs: &[i64],
            ) -> $crate::StoreResult<Vec<$crate::tickets::TicketRecord>> {
                if seqs.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    $crate::common::ticket_rows::ticket_select!(),
                    " WHERE t.seq IN ("
                ));
                let mut sep = q.separated(", ");
                for s in seqs {
                    sep.push_bind(*s);
                }
                q.push(")");
                let rows = q
                    .build_query_as::<$crate::common::ticket_rows::TicketRow>()
                    .fetch_all(&self.pool)
                    .await?;
                let mut records: Vec<$crate::tickets::TicketRecord> =
                    $crate::common::convert_all(rows)?;
                records.sort_by_key(|r| seqs.iter().position(|s| *s == r.seq));
                Ok(records)
            }

            /// Writes one ticket's state: inserts a new ticket or updates one still at its
            /// expected version. Returns the internal key.
            async fn put_ticket(
                tx: &mut sqlx::Transaction<'static, $db>,
                w: &$crate::tickets::TicketWrite,
                change_seq: i64,
            ) -> $crate::StoreResult<(i64, i64)> {
                use $crate::common::ms;
                let s = &w.state;
                let due_sort = s.sla_due_at.map(ms).unwrap_or(i64::MAX);
                let opt_ms = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(ms);
                let tags = $crate::common::ticket_rows::join_tags(&s.tags);
                let (seq, version): (i64, i64) = match w.expected_version {
                    None => sqlx::query_as(
                        "INSERT INTO tickets (id, tenant_id, requester_name, requester_email, \
                         subject, status, is_open, priority_rank, assignee_id, group_id, tags, \
                         escalation_level, sla_active_ms, sla_running_since, sla_stage, \
                         sla_state, sla_due_at, sla_due_sort, sla_check_at, \
                         first_responded_at, solved_at, merged_into, created_at, updated_at, \
                         version, change_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
                         1, $25) RETURNING seq, version",
                    ),
                    Some(_) => sqlx::query_as(
                        "UPDATE tickets SET id = $1, tenant_id = $2, requester_name = $3, \
                         requester_email = $4, subject = $5, status = $6, is_open = $7, \
                         priority_rank = $8, assignee_id = $9, group_id = $10, tags = $11, \
                         escalation_level = $12, sla_active_ms = $13, sla_running_since = $14, \
                         sla_stage = $15, sla_state = $16, sla_due_at = $17, sla_due_sort = $18, \
                         sla_check_at = $19, first_responded_at = $20, solved_at = $21, \
                         merged_into = $22, created_at = $23, updated_at = $24, \
                         version = version + 1, change_seq = $25 \
                         WHERE id = $1 AND version = $26 RETURNING seq, version",
                    ),
                }
                .bind(s.id.to_string())
                .bind(s.tenant_id.to_string())
                .bind(&s.requester_name)
                .bind(&s.requester_email)
                .bind(&s.subject)
                .bind(s.status.as_str())
                .bind(i64::from(s.status.is_open()))
                .bind(s.priority.rank())
                .bind(s.assignee_id.map(|id| id.to_string()))
                .bind(s.group_id.map(|id| id.to_string()))
                .bind(tags)
                .bind(s.escalation_level.number())
                .bind(s.sla.active_ms)
                .bind(opt_ms(s.sla.running_since))
                .bind(s.sla.stage.as_str())
                .bind(s.sla.state.as_str())
                .bind(opt_ms(s.sla_due_at))
                .bind(due_sort)
                .bind(opt_ms(s.sla_check_at))
                .bind(opt_ms(s.first_responded_at))
                .bind(opt_ms(s.solved_at))
                .bind(s.merged_into.map(|id| id.to_string()))
                .bind(ms(s.created_at))
                .bind(ms(s.updated_at))
                .bind(change_seq)
                .bind(w.expected_version.unwrap_or(0))
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| $crate::StoreError::VersionConflict)?;
                Ok((seq, version))
            }

            /// Replaces a ticket's rows in `ticket_tags`.
            async fn put_tags(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
                tags: &[String],
                fresh: bool,
            ) -> $crate::StoreResult<()> {
                if !fresh {
                    sqlx::query("DELETE FROM ticket_tags WHERE ticket_id = $1")
                        .bind(id.to_string())
                        .execute(&mut **tx)
                        .await?;
                }
                for tag in tags {
                    sqlx::query("INSERT INTO ticket_tags (tag, ticket_id) VALUES ($1, $2)")
                        .bind(tag)
                        .bind(id.to_string())
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            async fn put_message(
                tx: &mut sqlx::Transaction<'static, $db>,
                ticket_id: uuid::Uuid,
                m: &$crate::tickets::NewMessage,
                version: i64,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO ticket_messages (id, ticket_id, kind, author_id, author_name, \
                     body, created_at, made_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(m.id.to_string())
                .bind(ticket_id.to_string())
                .bind(m.kind.as_str())
                .bind(m.author_id.map(|id| id.to_string()))
                .bind(&m.author_name)
                .bind(&m.body)
                .bind($crate::common::ms(m.created_at))
                .bind(version)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// The next position in the changes feed. Callers hold the write lock, so positions
            /// commit in order and a reader never skips one.
            async fn next_change_seq(
                tx: &mut sqlx::Transaction<'static, $db>,
            ) -> $crate::StoreResult<i64> {
                let last: Option<i64> = sqlx::query_scalar("SELECT MAX(change_seq) FROM tickets")
                    .fetch_one(&mut **tx)
                    .await?;
                Ok(last.unwrap_or(0) + 1)
            }

            async fn group_view(
                exec: impl sqlx::Executor<'_, Database = $db>,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<opsdesk_proto::GroupView>> {
                let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
                    "SELECT g.id, g.name, m.staff_id FROM ticket_groups g \
                     LEFT JOIN group_members m ON m.group_id = g.id WHERE g.id = $1 \
                     ORDER BY m.staff_id",
                )
                .bind(id.to_string())
                .fetch_all(exec)
                .await?;
                Ok($crate::common::ticket_rows::groups_from(rows)?.pop())
            }

            async fn put_members(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
                members: &[uuid::Uuid],
            ) -> $crate::StoreResult<()> {
                sqlx::query("DELETE FROM group_members WHERE group_id = $1")
                    .bind(id.to_string())
                    .execute(&mut **tx)
                    .await?;
                for m in members {
                    sqlx::query("INSERT INTO group_members (group_id, staff_id) VALUES ($1, $2)")
                        .bind(id.to_string())
                        .bind(m.to_string())
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| match &e {
                            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                                $crate::StoreError::NotFound
                            }
                            _ => e.into(),
                        })?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::tickets::TicketStore for $store {
            async fn create_tenant(
                &self,
                id: uuid::Uuid,
                draft: $crate::tickets::TenantDraft,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantView> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let row: $crate::common::ticket_rows::TenantRow = sqlx::query_as(concat!(
                    "INSERT INTO tenants (id, name, name_key, slug, plan, status, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ",
                    $crate::common::ticket_rows::tenant_columns!()
                ))
                .bind(id.to_string())
                .bind(&draft.name)
                .bind(draft.name.to_lowercase())
                .bind(&draft.slug)
                .bind(&draft.plan)
                .bind(draft.status.as_str())
                .bind($crate::common::ms(now))
                .fetch_one(&mut *tx)
                .await
                .map_err($crate::common::ticket_rows::duplicate_as("slug"))?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn update_tenant(
                &self,
                id: uuid::Uuid,
                expected_version: i64,
                patch: $crate::tickets::TenantPatch,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::TenantView> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let name_key = patch.name.as_ref().map(|n| n.to_lowercase());
                let row: Option<$crate::common::ticket_rows::TenantRow> = sqlx::query_as(concat!(
                    "UPDATE tenants SET name = COALESCE($1, name), \
                     name_key = COALESCE($2, name_key), plan = COALESCE($3, plan), \
                     status = COALESCE($4, status), updated_at = $5, version = version + 1 \
                     WHERE id = $6 AND version = $7 RETURNING ",
                    $crate::common::ticket_rows::tenant_columns!()
                ))
                .bind(patch.name)
                .bind(name_key)
                .bind(patch.plan)
                .bind(patch.status.map(|s| s.as_str()))
                .bind($crate::common::ms(now))
                .bind(id.to_string())
                .bind(expected_version)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    let exists: Option<i64> =
                        sqlx::query_scalar("SELECT version FROM tenants WHERE id = $1")
                            .bind(id.to_string())
                            .fetch_optional(&mut *tx)
                            .await?;
                    return Err(match exists {
                        Some(_) => $crate::StoreError::VersionConflict,
                        None => $crate::StoreError::NotFound,
                    });
                };
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn import_tenants(
                &self,
                drafts: Vec<$crate::tickets::TenantDraft>,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<(u32, u32)> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let (mut created, mut updated) = (0u32, 0u32);
                let now = $crate::common::ms(now);
                for d in drafts {
                    let changed = sqlx::query(
                        "UPDATE tenants SET name = $1, name_key = $2, plan = $3, status = $4, \
                         updated_at = $5, version = version + 1 WHERE slug = $6",
                    )
                    .bind(&d.name)
                    .bind(d.name.to_lowercase())
                    .bind(&d.plan)
                    .bind(d.status.as_str())
                    .bind(now)
                    .bind(&d.slug)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed > 0 {
                        updated += 1;
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO tenants (id, name, name_key, slug, plan, status, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                    )
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(&d.name)
                    .bind(d.name.to_lowercase())
                    .bind(&d.slug)
                    .bind(&d.plan)
                    .bind(d.status.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    created += 1;
                }
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok((created, updated))
            }

            async fn tenant_by_id(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<opsdesk_proto::TenantView>> {
                let row: Option<$crate::common::ticket_rows::TenantRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::common::ticket_rows::tenant_columns!(),
                    " FROM tenants WHERE id = $1"
                ))
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
                $crate::common::convert_opt(row)
            }

            async fn tenant_by_slug(
                &self,
                slug: &str,
            ) -> $crate::StoreResult<Option<opsdesk_proto::TenantView>> {
                let row: Option<$crate::common::ticket_rows::TenantRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::common::ticket_rows::tenant_columns!(),
                    " FROM tenants WHERE slug = $1"
                ))
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
                $crate::common::convert_opt(row)
            }

            async fn list_tenants(
                &self,
                prefix: Option<&str>,
                after: Option<(&str, uuid::Uuid)>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::TenantView>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    "SELECT ",
                    $crate::common::ticket_rows::tenant_columns!(),
                    " FROM tenants WHERE 1 = 1"
                ));
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
                let rows = q
                    .build_query_as::<$crate::common::ticket_rows::TenantRow>()
                    .fetch_all(&self.pool)
                    .await?;
                $crate::common::convert_all(rows)
            }

            async fn create_integration_token(
                &self,
                token: $crate::tickets::NewIntegrationToken,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::IntegrationTokenView> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let row: $crate::common::ticket_rows::TokenRow = sqlx::query_as(&format!(
                    "INSERT INTO integration_tokens (id, name, token_hash, created_by, \
                     created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {}",
                    $crate::common::ticket_rows::TOKEN_COLUMNS
                ))
                .bind(token.id.to_string())
                .bind(&token.name)
                .bind(&token.token_hash)
                .bind(token.created_by.to_string())
                .bind($crate::common::ms(token.created_at))
                .fetch_one(&mut *tx)
                .await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn list_integration_tokens(
                &self,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::IntegrationTokenView>> {
                let rows: Vec<$crate::common::ticket_rows::TokenRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM integration_tokens ORDER BY created_at DESC",
                    $crate::common::ticket_rows::TOKEN_COLUMNS
                ))
                .fetch_all(&self.pool)
                .await?;
                $crate::common::convert_all(rows)
            }

            async fn revoke_integration_token(
                &self,
                id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::IntegrationTokenView> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let row: Option<$crate::common::ticket_rows::TokenRow> = sqlx::query_as(&format!(
                    "UPDATE integration_tokens SET revoked_at = $1 \
                     WHERE id = $2 AND revoked_at IS NULL RETURNING {}",
                    $crate::common::ticket_rows::TOKEN_COLUMNS
                ))
                .bind($crate::common::ms(now))
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    let exists: Option<String> =
                        sqlx::query_scalar("SELECT id FROM integration_tokens WHERE id = $1")
                            .bind(id.to_string())
                            .fetch_optional(&mut *tx)
                            .await?;
                    return Err(match exists {
                        Some(_) => $crate::StoreError::AlreadyUsed("token_revoked"),
                        None => $crate::StoreError::NotFound,
                    });
                };
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn use_integration_token(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Option<opsdesk_proto::IntegrationTokenView>> {
                let row: Option<$crate::common::ticket_rows::TokenRow> = sqlx::query_as(&format!(
                    "UPDATE integration_tokens SET last_used_at = $1 \
                     WHERE token_hash = $2 AND revoked_at IS NULL RETURNING {}",
                    $crate::common::ticket_rows::TOKEN_COLUMNS
                ))
                .bind($crate::common::ms(now))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                $crate::common::convert_opt(row)
            }

            async fn create_group(
                &self,
                id: uuid::Uuid,
                name: &str,
                members: &[uuid::Uuid],
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::GroupView> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO ticket_groups (id, name, created_at) VALUES ($1, $2, $3)")
                    .bind(id.to_string())
                    .bind(name)
                    .bind($crate::common::ms(now))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::common::ticket_rows::duplicate_as("name"))?;
                Self::put_members(&mut tx, id, members).await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                let view = Self::group_view(&mut *tx, id).await?;
                tx.commit().await?;
                view.ok_or($crate::StoreError::NotFound)
            }

            async fn set_group_members(
                &self,
                id: uuid::Uuid,
                members: &[uuid::Uuid],
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::GroupView> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                if Self::group_view(&mut *tx, id).await?.is_none() {
                    return Err($crate::StoreError::NotFound);
                }
                Self::put_members(&mut tx, id, members).await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                let view = Self::group_view(&mut *tx, id).await?;
                tx.commit().await?;
                view.ok_or($crate::StoreError::NotFound)
            }

            async fn list_groups(&self) -> $crate::StoreResult<Vec<opsdesk_proto::GroupView>> {
                let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
                    "SELECT g.id, g.name, m.staff_id FROM ticket_groups g \
                     LEFT JOIN group_members m ON m.group_id = g.id ORDER BY g.name, m.staff_id",
                )
                .fetch_all(&self.pool)
                .await?;
                $crate::common::ticket_rows::groups_from(rows)
            }

            async fn group_by_id(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<opsdesk_proto::GroupView>> {
                Self::group_view(&self.pool, id).await
            }

            async fn take_round_robin_turn(
                &self,
                group_id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Option<uuid::Uuid>> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                // Turns are taken one at a time across hubs, so concurrent assignments to one
                // group never hand the same turn out twice.
                Self::lock_audit(&mut tx).await?;
                let next: Option<String> = sqlx::query_scalar(
                    "SELECT m.staff_id FROM group_members m JOIN staff s ON s.id = m.staff_id \
                     WHERE m.group_id = $1 AND s.status = 'active' \
                     ORDER BY m.last_assigned_at, m.staff_id LIMIT 1",
                )
                .bind(group_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(next) = next else {
                    return Ok(None);
                };
                sqlx::query(
                    "UPDATE group_members SET last_assigned_at = $1 \
                     WHERE group_id = $2 AND staff_id = $3",
                )
                .bind($crate::common::ms(now))
                .bind(group_id.to_string())
                .bind(&next)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                uuid::Uuid::parse_str(&next)
                    .map(Some)
                    .map_err(|_| $crate::StoreError::Corrupt(format!("`{next}` is not a UUID")))
            }

            async fn sla_policies(&self) -> $crate::StoreResult<Vec<opsdesk_proto::SlaPolicyView>> {
                let rows: Vec<$crate::common::ticket_rows::SlaPolicyRow> = sqlx::query_as(
                    "SELECT priority, first_response_minutes, resolution_minutes, version \
                     FROM sla_policies",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut policies: Vec<opsdesk_proto::SlaPolicyView> =
                    $crate::common::convert_all(rows)?;
                policies.sort_by_key(|p| p.priority.rank());
                Ok(policies)
            }

            async fn update_sla_policy(
                &self,
                priority: opsdesk_core::ticket::Priority,
                expected_version: i64,
                targets: opsdesk_core::sla::SlaTargets,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::SlaPolicyView> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let row: Option<$crate::common::ticket_rows::SlaPolicyRow> = sqlx::query_as(
                    "UPDATE sla_policies SET first_response_minutes = $1, \
                     resolution_minutes = $2, updated_at = $3, version = version + 1 \
                     WHERE priority = $4 AND version = $5 \
                     RETURNING priority, first_response_minutes, resolution_minutes, version",
                )
                .bind(targets.first_response_minutes)
                .bind(targets.resolution_minutes)
                .bind($crate::common::ms(now))
                .bind(priority.as_str())
                .bind(expected_version)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Err($crate::StoreError::VersionConflict);
                };
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn write_tickets(
                &self,
                writes: Vec<$crate::tickets::TicketWrite>,
                moves: Option<$crate::tickets::MessageMove>,
                idempotency: Option<$crate::tickets::IdempotencyDraft>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<Vec<$crate::tickets::TicketRecord>> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                // One writer at a time, so feed positions and audit entries commit in order.
                Self::lock_audit(&mut tx).await?;
                let mut change_seq = Self::next_change_seq(&mut tx).await?;
                let mut seqs = Vec::with_capacity(writes.len());
                for w in &writes {
                    let (seq, version) = Self::put_ticket(&mut tx, w, change_seq).await?;
                    change_seq += 1;
                    let fresh = w.expected_version.is_none();
                    Self::put_tags(&mut tx, w.state.id, &w.state.tags, fresh).await?;
                    let mut added = String::new();
                    for m in &w.messages {
                        Self::put_message(&mut tx, w.state.id, m, version).await?;
                        added.push_str(&m.body);
                        added.push('\n');
                    }
                    if fresh {
                        Self::index_new_ticket(&mut tx, seq, &w.state.subject, &added).await?;
                    } else if !added.is_empty() {
                        Self::index_append(&mut tx, seq, &added).await?;
                    }
                    if !w.history.changes.is_empty() {
                        sqlx::query(
                            "INSERT INTO ticket_history (ticket_id, version, at, actor, \
                             actor_name, changes) VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(w.state.id.to_string())
                        .bind(version)
                        .bind($crate::common::ms(w.state.updated_at))
                        .bind(&w.history.actor)
                        .bind(&w.history.actor_name)
                        .bind(
                            serde_json::to_string(&w.history.changes)
                                .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?,
                        )
                        .execute(&mut *tx)
                        .await?;
                    }
                    seqs.push(seq);
                }
                if let Some(mv) = moves {
                    let bodies: Vec<String> = sqlx::query_scalar(
                        "SELECT body FROM ticket_messages WHERE ticket_id = $1 ORDER BY created_at",
                    )
                    .bind(mv.from.to_string())
                    .fetch_all(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE ticket_messages SET ticket_id = $1, \
                         merged_from = COALESCE(merged_from, $2) WHERE ticket_id = $2",
                    )
                    .bind(mv.to.to_string())
                    .bind(mv.from.to_string())
                    .execute(&mut *tx)
                    .await?;
                    let target: Option<i64> =
                        sqlx::query_scalar("SELECT seq FROM tickets WHERE id = $1")
                            .bind(mv.to.to_string())
                            .fetch_optional(&mut *tx)
                            .await?;
                    if let (Some(target), false) = (target, bodies.is_empty()) {
                        Self::index_append(&mut tx, target, &bodies.join("\n")).await?;
                    }
                }
                if let Some(idem) = idempotency {
                    sqlx::query(
                        "INSERT INTO idempotency_keys (principal, key, request_hash, result, \
                         created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&idem.principal)
                    .bind(&idem.key)
                    .bind(&idem.request_hash)
                    .bind($crate::common::json_text(&idem.result)?)
                    .bind($crate::common::ms(idem.at))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::common::ticket_rows::duplicate_as("idempotency_key"))?;
                }
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                drop(_writing);
                self.tickets_by_seqs(&seqs).await
            }

            async fn ticket_by_id(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<$crate::tickets::TicketRecord>> {
                let row: Option<$crate::common::ticket_rows::TicketRow> = sqlx::query_as(concat!(
                    $crate::common::ticket_rows::ticket_select!(),
                    " WHERE t.id = $1"
                ))
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
                $crate::common::convert_opt(row)
            }

            async fn tickets_by_ids(
                &self,
                ids: &[uuid::Uuid],
            ) -> $crate::StoreResult<Vec<$crate::tickets::TicketRecord>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    $crate::common::ticket_rows::ticket_select!(),
                    " WHERE t.id IN ("
                ));
                let mut sep = q.separated(", ");
                for id in ids {
                    sep.push_bind(id.to_string());
                }
                q.push(")");
                let rows = q
                    .build_query_as::<$crate::common::ticket_rows::TicketRow>()
                    .fetch_all(&self.pool)
                    .await?;
                $crate::common::convert_all(rows)
            }

            async fn ticket_messages(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::MessageView>> {
                self.ticket_messages_since(id, 0).await
            }

            async fn ticket_messages_since(
                &self,
                id: uuid::Uuid,
                after_version: i64,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::MessageView>> {
                let rows: Vec<$crate::common::ticket_rows::MessageRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM ticket_messages WHERE ticket_id = $1 AND made_version > $2 \
                     ORDER BY created_at, id",
                    $crate::common::ticket_rows::MESSAGE_COLUMNS
                ))
                .bind(id.to_string())
                .bind(after_version)
                .fetch_all(&self.pool)
                .await?;
                $crate::common::convert_all(rows)
            }

            async fn ticket_history(
                &self,
                id: uuid::Uuid,
                after_version: i64,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::TicketChange>> {
                let rows: Vec<$crate::common::ticket_rows::HistoryRow> = sqlx::query_as(
                    "SELECT version, at, actor, actor_name, changes FROM ticket_history \
                     WHERE ticket_id = $1 AND version > $2 ORDER BY version",
                )
                .bind(id.to_string())
                .bind(after_version)
                .fetch_all(&self.pool)
                .await?;
                $crate::common::convert_all(rows)
            }

            async fn queue_page(
                &self,
                page: &$crate::tickets::QueuePage,
            ) -> $crate::StoreResult<Vec<$crate::tickets::TicketRecord>> {
                use opsdesk_core::ticket::QueueSort;
                // The page's keys come from the tickets table alone, so the index it walks
                // answers without reading rows; then only the page's rows are read and joined.
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    $crate::common::ticket_rows::ticket_select!(),
                    " WHERE t.seq IN (SELECT t.seq FROM tickets t WHERE 1 = 1"
                ));
                Self::push_spec(&mut q, &page.spec, Some(page.sort))?;
                // Row-value comparisons let both databases seek the sort index to the cursor.
                // Finished tickets are found by when they were solved, not in sort order, so
                // there the cursor must not lead SQLite to walk every finished ticket instead.
                let open = page.spec.open.or(page.spec.status.map(|s| s.is_open()));
                let seek = if open == Some(true) { "(t." } else { "(+t." };
                if let Some(c) = page.after {
                    match page.sort {
                        QueueSort::SlaDue => {
                            q.push(" AND ")
                                .push(seek)
                                .push("sla_due_sort, t.seq) > (")
                                .push_bind(c.a)
                                .push(", ")
                                .push_bind(c.seq)
                                .push(")");
                        }
                        QueueSort::Priority => {
                            q.push(" AND ")
                                .push(seek)
                                .push("priority_rank, t.sla_due_sort, t.seq) > (")
                                .push_bind(c.a)
                                .push(", ")
                                .push_bind(c.b)
                                .push(", ")
                                .push_bind(c.seq)
                                .push(")");
                        }
                        QueueSort::Updated => {
                            q.push(" AND ")
                                .push(seek)
                                .push("updated_at, t.seq) < (")
                                .push_bind(c.a)
                                .push(", ")
                                .push_bind(c.seq)
                                .push(")");
                        }
                    }
                }
                let order = match page.sort {
                    QueueSort::SlaDue => " ORDER BY t.sla_due_sort, t.seq",
                    QueueSort::Priority => " ORDER BY t.priority_rank, t.sla_due_sort, t.seq",
                    QueueSort::Updated => " ORDER BY t.updated_at DESC, t.seq DESC",
                };
                // Finished tickets are sorted after they are found: an order no index gives
                // keeps PostgreSQL from walking every finished ticket hoping to meet recent ones.
                q.push(if open == Some(true) {
                    order.to_owned()
                } else {
                    order.replacen("t.", "+t.", 1)
                });
                // A literal limit lets PostgreSQL cost the ordered walk that stops after a page.
                q.push(format!(" LIMIT {})", page.limit)).push(order);
                // Planned for this request's values each time (no cached generic plan), so
                // PostgreSQL sees which tenant or assignee it is; SQLite plans the same either way.
                let rows = q
                    .build_query_as::<$crate::common::ticket_rows::TicketRow>()
                    .persistent(false)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::common::convert_all(rows)
            }

            async fn count_tickets(
                &self,
                spec: &$crate::tickets::TicketSpec,
            ) -> $crate::StoreResult<i64> {
                let mut q =
                    sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM tickets t WHERE 1 = 1");
                Self::push_spec(&mut q, spec, None)?;
                let n: i64 = q
                    .build_query_scalar()
                    .persistent(false)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n)
            }

            async fn search_tickets(
                &self,
                text: &str,
                limit: u32,
            ) -> $crate::StoreResult<Vec<($crate::tickets::TicketRecord, f64)>> {
                let Some(query) = Self::text_query(text) else {
                    return Ok(Vec::new());
                };
                let hits: Vec<(i64, f64)> = sqlx::query_as(Self::search_sql())
                    .bind(query)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                let seqs: Vec<i64> = hits.iter().map(|h| h.0).collect();
                let records = self.tickets_by_seqs(&seqs).await?;
                Ok(records
                    .into_iter()
                    .filter_map(|r| {
                        let score = hits.iter().find(|h| h.0 == r.seq)?.1;
                        Some((r, score))
                    })
                    .collect())
            }

            async fn ticket_changes(
                &self,
                since: i64,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::tickets::TicketRecord>> {
                let rows: Vec<$crate::common::ticket_rows::TicketRow> = sqlx::query_as(concat!(
                    $crate::common::ticket_rows::ticket_select!(),
                    " WHERE t.change_seq > $1 ORDER BY t.change_seq LIMIT $2"
                ))
                .bind(since)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                $crate::common::convert_all(rows)
            }

            async fn claim_sla_checks(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::tickets::TicketRecord>> {
                let _writing = self.write_guard().await;
                let seqs: Vec<i64> = sqlx::query_scalar(Self::claim_sla_sql())
                    .bind($crate::common::ms(lease_until))
                    .bind($crate::common::ms(now))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                drop(_writing);
                self.tickets_by_seqs(&seqs).await
            }

            async fn idempotency_result(
                &self,
                principal: &str,
                key: &str,
            ) -> $crate::StoreResult<Option<$crate::tickets::IdempotencyRecord>> {
                let row: Option<(String, String)> = sqlx::query_as(
                    "SELECT request_hash, result FROM idempotency_keys \
                     WHERE principal = $1 AND key = $2",
                )
                .bind(principal)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(request_hash, result)| {
                    Ok($crate::tickets::IdempotencyRecord {
                        request_hash,
                        result: serde_json::from_str(&result)
                            .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?,
                    })
                })
                .transpose()
            }

            async fn set_presence(
                &self,
                ticket_id: uuid::Uuid,
                staff_id: uuid::Uuid,
                mode: opsdesk_proto::PresenceMode,
                now: chrono::DateTime<chrono::Utc>,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                let _writing = self.write_guard().await;
                if mode == opsdesk_proto::PresenceMode::Left {
                    sqlx::query(
                        "DELETE FROM ticket_presence WHERE ticket_id = $1 AND staff_id = $2",
                    )
                    .bind(ticket_id.to_string())
                    .bind(staff_id.to_string())
                    .execute(&self.pool)
                    .await?;
                    return Ok(());
                }
                let name = $crate::common::ticket_rows::presence_mode_name(mode);
                sqlx::query(
                    "INSERT INTO ticket_presence (ticket_id, staff_id, mode, since, expires_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ticket_id, staff_id) DO UPDATE \
                     SET since = CASE WHEN ticket_presence.mode = $3 \
                     AND ticket_presence.expires_at > $4 \
                     THEN ticket_presence.since ELSE $4 END, mode = $3, expires_at = $5",
                )
                .bind(ticket_id.to_string())
                .bind(staff_id.to_string())
                .bind(name)
                .bind($crate::common::ms(now))
                .bind($crate::common::ms(expires_at))
                .execute(&self.pool)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                        $crate::StoreError::NotFound
                    }
                    _ => e.into(),
                })?;
                Ok(())
            }

            async fn presence(
                &self,
                ticket_id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::PresenceView>> {
                let rows: Vec<$crate::common::ticket_rows::PresenceRow> = sqlx::query_as(
                    "SELECT p.staff_id, s.display_name, p.mode, p.since FROM ticket_presence p \
                     JOIN staff s ON s.id = p.staff_id WHERE p.ticket_id = $1 \
                     AND p.expires_at > $2 ORDER BY p.since",
                )
                .bind(ticket_id.to_string())
                .bind($crate::common::ms(now))
                .fetch_all(&self.pool)
                .await?;
                $crate::common::convert_all(rows)
            }

            async fn create_saved_filter(
                &self,
                staff_id: uuid::Uuid,
                filter: opsdesk_proto::SavedFilterView,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<opsdesk_proto::SavedFilterView> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO saved_filters (id, staff_id, name, filter, sort, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(filter.id.to_string())
                .bind(staff_id.to_string())
                .bind(&filter.name)
                .bind(
                    serde_json::to_string(&filter.filter)
                        .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?,
                )
                .bind(filter.sort.as_str())
                .bind($crate::common::ms(filter.created_at))
                .execute(&mut *tx)
                .await
                .map_err($crate::common::ticket_rows::duplicate_as("name"))?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(filter)
            }

            async fn saved_filters(
                &self,
                staff_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<opsdesk_proto::SavedFilterView>> {
                let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT id, name, filter, sort, created_at FROM saved_filters \
                     WHERE staff_id = $1 ORDER BY name",
                )
                .bind(staff_id.to_string())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, name, filter, sort, at)| {
                        let bad = |e: String| $crate::StoreError::Corrupt(e);
                        Ok(opsdesk_proto::SavedFilterView {
                            id: uuid::Uuid::parse_str(&id).map_err(|e| bad(e.to_string()))?,
                            name,
                            filter: serde_json::from_str(&filter)
                                .map_err(|e| bad(e.to_string()))?,
                            sort: opsdesk_core::ticket::QueueSort::parse(&sort)
                                .ok_or_else(|| bad(format!("`{sort}` is not a sort")))?,
                            created_at: chrono::DateTime::from_timestamp_millis(at)
                                .ok_or_else(|| bad(format!("`{at}` is not a time")))?,
                        })
                    })
                    .collect()
            }

            async fn delete_saved_filter(
                &self,
                staff_id: uuid::Uuid,
                id: uuid::Uuid,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<bool> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let gone = sqlx::query("DELETE FROM saved_filters WHERE id = $1 AND staff_id = $2")
                    .bind(id.to_string())
                    .bind(staff_id.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if gone == 0 {
                    return Ok(false);
                }
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn seed_batch(&self, batch: $crate::tickets::SeedBatch) -> $crate::StoreResult<()> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                Self::lock_audit(&mut tx).await?;
                for (id, t, at) in &batch.tenants {
                    sqlx::query(
                        "INSERT INTO tenants (id, name, name_key, slug, plan, status, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                    )
                    .bind(id.to_string())
                    .bind(&t.name)
                    .bind(t.name.to_lowercase())
                    .bind(&t.slug)
                    .bind(&t.plan)
                    .bind(t.status.as_str())
                    .bind($crate::common::ms(*at))
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::common::ticket_rows::duplicate_as("slug"))?;
                }
                // Many rows per statement: one statement per row made seeding a million tickets
                // take most of an hour. New tickets start at version 1, like `put_ticket`'s.
                use $crate::common::ms;
                let opt_ms = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(ms);
                let first_change = Self::next_change_seq(&mut tx).await?;
                let mut seqs = std::collections::HashMap::with_capacity(batch.tickets.len());
                for (n, chunk) in batch.tickets.chunks(500).enumerate() {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO tickets (id, tenant_id, requester_name, requester_email, \
                         subject, status, is_open, priority_rank, assignee_id, group_id, tags, \
                         escalation_level, sla_active_ms, sla_running_since, sla_stage, \
                         sla_state, sla_due_at, sla_due_sort, sla_check_at, \
                         first_responded_at, solved_at, merged_into, created_at, updated_at, \
                         version, change_seq) ",
                    );
                    q.push_values(chunk.iter().enumerate(), |mut b, (i, w)| {
                        let s = &w.state;
                        b.push_bind(s.id.to_string())
                            .push_bind(s.tenant_id.to_string())
                            .push_bind(s.requester_name.clone())
                            .push_bind(s.requester_email.clone())
                            .push_bind(s.subject.clone())
                            .push_bind(s.status.as_str())
                            .push_bind(i64::from(s.status.is_open()))
                            .push_bind(s.priority.rank())
                            .push_bind(s.assignee_id.map(|id| id.to_string()))
                            .push_bind(s.group_id.map(|id| id.to_string()))
                            .push_bind($crate::common::ticket_rows::join_tags(&s.tags))
                            .push_bind(s.escalation_level.number())
                            .push_bind(s.sla.active_ms)
                            .push_bind(opt_ms(s.sla.running_since))
                            .push_bind(s.sla.stage.as_str())
                            .push_bind(s.sla.state.as_str())
                            .push_bind(opt_ms(s.sla_due_at))
                            .push_bind(s.sla_due_at.map(ms).unwrap_or(i64::MAX))
                            .push_bind(opt_ms(s.sla_check_at))
                            .push_bind(opt_ms(s.first_responded_at))
                            .push_bind(opt_ms(s.solved_at))
                            .push_bind(s.merged_into.map(|id| id.to_string()))
                            .push_bind(ms(s.created_at))
                            .push_bind(ms(s.updated_at))
                            .push_bind(1_i64)
                            .push_bind(first_change + (n * 500 + i) as i64);
                    });
                    q.push(" RETURNING seq, id");
                    let rows: Vec<(i64, String)> =
                        q.build_query_as().fetch_all(&mut *tx).await?;
                    seqs.extend(rows.into_iter().map(|(seq, id)| (id, seq)));
                }
                let tags: Vec<(&String, String)> = batch
                    .tickets
                    .iter()
                    .flat_map(|w| w.state.tags.iter().map(|t| (t, w.state.id.to_string())))
                    .collect();
                for chunk in tags.chunks(2_000) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO ticket_tags (tag, ticket_id) ",
                    );
                    q.push_values(chunk, |mut b, (tag, id)| {
                        b.push_bind((*tag).clone()).push_bind(id.clone());
                    });
                    q.build().execute(&mut *tx).await?;
                }
                let messages: Vec<(uuid::Uuid, &$crate::tickets::NewMessage)> = batch
                    .tickets
                    .iter()
                    .flat_map(|w| w.messages.iter().map(|m| (w.state.id, m)))
                    .collect();
                for chunk in messages.chunks(1_000) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO ticket_messages (id, ticket_id, kind, author_id, \
                         author_name, body, created_at, made_version) ",
                    );
                    q.push_values(chunk, |mut b, (ticket, m)| {
                        b.push_bind(m.id.to_string())
                            .push_bind(ticket.to_string())
                            .push_bind(m.kind.as_str())
                            .push_bind(m.author_id.map(|id| id.to_string()))
                            .push_bind(m.author_name.clone())
                            .push_bind(m.body.clone())
                            .push_bind(ms(m.created_at))
                            .push_bind(1_i64);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                for w in &batch.tickets {
                    let seq = *seqs.get(&w.state.id.to_string()).ok_or_else(|| {
                        $crate::StoreError::Corrupt(format!("ticket {} not inserted", w.state.id))
                    })?;
                    let mut text = String::new();
                    for m in &w.messages {
                        text.push_str(&m.body);
                        text.push('\n');
                    }
                    Self::index_new_ticket(&mut tx, seq, &w.state.subject, &text).await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use tickets_impl;
