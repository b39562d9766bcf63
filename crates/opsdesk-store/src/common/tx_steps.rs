//! The steps that several write transactions share (appending effects, ending sessions,
//! inserting invites and sessions), expanded once per backend as inherent functions.

/// Adds the shared transaction steps to `$store` over database `$db`; `$store` must have the
/// hook `async fn lock_audit(tx: &mut sqlx::Transaction<'static, $db>) -> StoreResult<()>`.
macro_rules! tx_steps {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Appends the audit entries (chained onto the last one) and the security events.
            async fn write_effects(
                tx: &mut sqlx::Transaction<'static, $db>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<()> {
                use opsdesk_core::audit::{entry_hash, AuditFields, GENESIS_HASH};
                if !fx.audit.is_empty() || !fx.events.is_empty() {
                    // Also orders live events: numbers are taken under this lock, which is held
                    // until commit, so they commit in order and a reader never skips one.
                    Self::lock_audit(tx).await?;
                }
                if !fx.events.is_empty() {
                    let (last,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM events")
                        .fetch_one(&mut **tx)
                        .await?;
                    let mut seq = last.unwrap_or(0);
                    for e in &fx.events {
                        seq += 1;
                        sqlx::query(
                            "INSERT INTO events (seq, at, kind, subject_kind, subject_id, \
                             actor_id, audience, facts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(seq)
                        .bind($crate::common::ms(e.at))
                        .bind(e.kind.as_str())
                        .bind(e.subject_kind.as_str())
                        .bind(e.subject_id.to_string())
                        .bind(e.actor_id.map(|a| a.to_string()))
                        .bind($crate::common::json_text(&e.audience)?)
                        .bind($crate::common::json_text(&e.facts)?)
                        .execute(&mut **tx)
                        .await?;
                    }
                    Self::announce_events(tx).await?;
                }
                if !fx.audit.is_empty() {
                    let last: Option<(i64, String)> =
                        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                            .fetch_optional(&mut **tx)
                            .await?;
                    let (mut seq, mut prev) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
                    for entry in fx.audit {
                        seq += 1;
                        let details = $crate::common::json_text(&entry.details)?;
                        let at_ms = $crate::common::ms(entry.at);
                        let hash = entry_hash(
                            &prev,
                            &AuditFields {
                                seq,
                                at_ms,
                                actor: &entry.actor,
                                action: &entry.action,
                                target: &entry.target,
                                client_addr: &entry.client_addr,
                                details: &details,
                            },
                        );
                        sqlx::query(concat!(
                            "INSERT INTO audit_log (",
                            $crate::common::audit_columns!(),
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        ))
                        .bind(seq)
                        .bind(at_ms)
                        .bind(&entry.actor)
                        .bind(&entry.action)
                        .bind(&entry.target)
                        .bind(&entry.client_addr)
                        .bind(&details)
                        .bind(&prev)
                        .bind(&hash)
                        .execute(&mut **tx)
                        .await?;
                        prev = hash;
                    }
                }
                for event in fx.security {
                    sqlx::query(
                        "INSERT INTO security_events (id, at, kind, severity, severity_rank, \
                         staff_id, actor, client_addr, summary, details) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(event.id.to_string())
                    .bind($crate::common::ms(event.at))
                    .bind(&event.kind)
                    .bind(event.severity.as_str())
                    .bind($crate::common::severity_rank(event.severity))
                    .bind(event.staff_id.map(|id| id.to_string()))
                    .bind(&event.actor)
                    .bind(&event.client_addr)
                    .bind(&event.summary)
                    .bind($crate::common::json_text(&event.details)?)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }

            /// Records `step` as the last TOTP step used by `staff_id`, refusing a step at or
            /// before the last one (`AlreadyUsed("totp_replayed")`), even under concurrency.
            async fn claim_totp_step(
                tx: &mut sqlx::Transaction<'static, $db>,
                staff_id: uuid::Uuid,
                step: i64,
            ) -> $crate::StoreResult<()> {
                let fresh = sqlx::query(
                    "UPDATE staff SET totp_last_step = $1 WHERE id = $2 \
                     AND (totp_last_step IS NULL OR totp_last_step < $1)",
                )
                .bind(step)
                .bind(staff_id.to_string())
                .execute(&mut **tx)
                .await?
                .rows_affected();
                if fresh == 0 {
                    return Err(match Self::stale_or_missing(tx, staff_id).await {
                        $crate::StoreError::VersionConflict => {
                            $crate::StoreError::AlreadyUsed("totp_replayed")
                        }
                        other => other,
                    });
                }
                Ok(())
            }

            /// Why a versioned update of staff `id` matched no row.
            async fn stale_or_missing(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
            ) -> $crate::StoreError {
                Self::conflict_or_missing(tx, "SELECT version FROM staff WHERE id = $1", id).await
            }

            /// Why a conditional update of row `id` matched no row: `VersionConflict` when
            /// `version_sql` (selecting the version by `$1`) still finds it, else `NotFound`.
            async fn conflict_or_missing(
                tx: &mut sqlx::Transaction<'static, $db>,
                version_sql: &str,
                id: uuid::Uuid,
            ) -> $crate::StoreError {
                let found: Result<Option<i64>, sqlx::Error> = sqlx::query_scalar(version_sql)
                    .bind(id.to_string())
                    .fetch_optional(&mut **tx)
                    .await;
                match found {
                    Ok(Some(_)) => $crate::StoreError::VersionConflict,
                    Ok(None) => $crate::StoreError::NotFound,
                    Err(e) => e.into(),
                }
            }

            /// The staff record a versioned `UPDATE ... RETURNING` produced, or why it matched
            /// no row.
            async fn versioned(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
                row: Option<$crate::common::StaffRow>,
            ) -> $crate::StoreResult<$crate::StaffRecord> {
                match row {
                    Some(row) => row.try_into(),
                    None => Err(Self::stale_or_missing(tx, id).await),
                }
            }

            /// Ends every open session of `staff_id`, voids its open invites and drops its
            /// pending sign-in challenges.
            async fn cut_off(
                tx: &mut sqlx::Transaction<'static, $db>,
                staff_id: uuid::Uuid,
                reason: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                let id = staff_id.to_string();
                let now = $crate::common::ms(now);
                sqlx::query(
                    "UPDATE sessions SET ended_at = $1, ended_reason = $2 \
                     WHERE staff_id = $3 AND ended_at IS NULL",
                )
                .bind(now)
                .bind(reason)
                .bind(&id)
                .execute(&mut **tx)
                .await?;
                sqlx::query(
                    "UPDATE invites SET used_at = $1 WHERE staff_id = $2 AND used_at IS NULL",
                )
                .bind(now)
                .bind(&id)
                .execute(&mut **tx)
                .await?;
                sqlx::query("DELETE FROM login_challenges WHERE staff_id = $1")
                    .bind(&id)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            async fn insert_invite(
                tx: &mut sqlx::Transaction<'static, $db>,
                invite: &$crate::NewInvite,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO invites (id, token_hash, staff_id, kind, created_by, created_at, \
                     expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(invite.id.to_string())
                .bind(&invite.token_hash)
                .bind(invite.staff_id.to_string())
                .bind(invite.kind.as_str())
                .bind(invite.created_by.map(|id| id.to_string()))
                .bind($crate::common::ms(invite.created_at))
                .bind($crate::common::ms(invite.expires_at))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn insert_session(
                tx: &mut sqlx::Transaction<'static, $db>,
                session: &$crate::NewSession,
            ) -> $crate::StoreResult<()> {
                let created_at = $crate::common::ms(session.created_at);
                sqlx::query(
                    "INSERT INTO sessions (id, token_hash, staff_id, created_at, last_seen_at, \
                     client_addr, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(session.id.to_string())
                .bind(&session.token_hash)
                .bind(session.staff_id.to_string())
                .bind(created_at)
                .bind(created_at)
                .bind(&session.client_addr)
                .bind(&session.user_agent)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use tx_steps;
