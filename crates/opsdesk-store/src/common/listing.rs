//! The reads that page through long lists and the audit chain verification, expanded once per
//! backend as inherent functions; filters become SQL so indexes do the work.

/// Adds the listing and verification queries to `$store` over database `$db`.
macro_rules! listing {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Staff ordered by username after the cursor.
            async fn staff_page(
                &self,
                filter: &$crate::StaffFilter,
            ) -> $crate::StoreResult<Vec<$crate::StaffRecord>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    "SELECT ",
                    $crate::common::staff_columns!(),
                    " FROM staff WHERE 1 = 1"
                ));
                if let Some(role) = filter.role {
                    q.push(" AND role = ").push_bind(role.as_str());
                }
                if let Some(status) = filter.status {
                    q.push(" AND status = ").push_bind(status.as_str());
                }
                if let Some(after) = &filter.after_username {
                    q.push(" AND username > ").push_bind(after.as_str());
                }
                q.push(" ORDER BY username LIMIT ")
                    .push_bind(i64::from(filter.limit));
                let rows = q
                    .build_query_as::<$crate::common::StaffRow>()
                    .fetch_all(&self.pool)
                    .await?;
                $crate::common::convert_all(rows)
            }

            /// Audit entries newest first (or oldest first), filtered in SQL.
            async fn audit_page(
                &self,
                filter: &$crate::AuditFilter,
            ) -> $crate::StoreResult<Vec<$crate::AuditRecord>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    "SELECT ",
                    $crate::common::audit_columns!(),
                    " FROM audit_log WHERE 1 = 1"
                ));
                if let Some(actor) = &filter.actor {
                    q.push(" AND actor = ").push_bind(actor.as_str());
                }
                if let Some(action) = &filter.action {
                    q.push(" AND action = ").push_bind(action.as_str());
                }
                if let Some(target) = &filter.target {
                    q.push(" AND target = ").push_bind(target.as_str());
                }
                if let Some(since) = filter.since {
                    q.push(" AND at >= ").push_bind($crate::common::ms(since));
                }
                if let Some(until) = filter.until {
                    q.push(" AND at < ").push_bind($crate::common::ms(until));
                }
                if let Some(before) = filter.before_seq {
                    q.push(" AND seq < ").push_bind(before);
                }
                if let Some(after) = filter.after_seq {
                    q.push(" AND seq > ").push_bind(after);
                }
                q.push(if filter.oldest_first {
                    " ORDER BY seq ASC LIMIT "
                } else {
                    " ORDER BY seq DESC LIMIT "
                })
                .push_bind(i64::from(filter.limit));
                let rows = q
                    .build_query_as::<$crate::common::AuditRow>()
                    .fetch_all(&self.pool)
                    .await?;
                $crate::common::convert_all(rows)
            }

            /// Streams the chain in order through the verifier; stops at the first break.
            async fn verify_chain(&self) -> $crate::StoreResult<$crate::ChainReport> {
                use futures::TryStreamExt as _;
                use opsdesk_core::audit::{AuditFields, ChainVerifier};
                use sqlx::Row as _;
                // Rows are handled in batches: freeing each row while the driver allocates the
                // next ones made both threads contend on SQLite's allocator lock (2-4x slower).
                let mut batches = sqlx::query(concat!(
                    "SELECT ",
                    $crate::common::audit_columns!(),
                    " FROM audit_log ORDER BY seq"
                ))
                .fetch(&self.pool)
                .try_chunks(1024);
                let mut verifier = ChainVerifier::new();
                while let Some(batch) = batches.try_next().await.map_err(|e| e.1)? {
                    for row in &batch {
                        // Borrowed text: no allocation per entry.
                        let fields = AuditFields {
                            seq: row.try_get(0)?,
                            at_ms: row.try_get(1)?,
                            actor: row.try_get(2)?,
                            action: row.try_get(3)?,
                            target: row.try_get(4)?,
                            client_addr: row.try_get(5)?,
                            details: row.try_get(6)?,
                        };
                        if let Err(first_break) =
                            verifier.push(&fields, row.try_get(7)?, row.try_get(8)?)
                        {
                            return Ok($crate::ChainReport {
                                checked: verifier.checked(),
                                first_break: Some(first_break),
                            });
                        }
                    }
                }
                Ok($crate::ChainReport {
                    checked: verifier.checked(),
                    first_break: None,
                })
            }

            /// Security events newest first by (time, id), filtered in SQL.
            async fn security_event_page(
                &self,
                filter: &$crate::SecurityEventFilter,
            ) -> $crate::StoreResult<Vec<$crate::SecurityEventRecord>> {
                let mut q = sqlx::QueryBuilder::<$db>::new(concat!(
                    "SELECT ",
                    $crate::common::security_event_columns!(),
                    " FROM security_events WHERE 1 = 1"
                ));
                if let Some(min) = filter.min_severity {
                    q.push(" AND severity_rank >= ")
                        .push_bind($crate::common::severity_rank(min));
                }
                if let Some(kind) = &filter.kind {
                    q.push(" AND kind = ").push_bind(kind.as_str());
                }
                if let Some((at, id)) = filter.before {
                    q.push(" AND (at, id) < (")
                        .push_bind($crate::common::ms(at))
                        .push(", ")
                        .push_bind(id.to_string())
                        .push(")");
                }
                q.push(" ORDER BY at DESC, id DESC LIMIT ")
                    .push_bind(i64::from(filter.limit));
                let rows = q
                    .build_query_as::<$crate::common::SecurityEventRow>()
                    .fetch_all(&self.pool)
                    .await?;
                $crate::common::convert_all(rows)
            }
        }
    };
}

pub(crate) use listing;
