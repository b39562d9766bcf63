//! The one implementation of [`crate::Store`], expanded once per backend together with the
//! inherent steps of `tx_steps` and the queries of `listing`. Its SQL runs unchanged on SQLite
//! and PostgreSQL (both accept `$1` parameters); what differs lives in inherent hooks of each
//! store type: `write_guard` (SQLite serializes the process's writes), `begin_write` (SQLite
//! takes its write lock up front) and `lock_audit` (PostgreSQL takes an advisory lock before
//! reading the last audit entry).

/// Implements [`crate::Store`] for `$store` over database `$db`. `$store` must have a `pool`
/// field and the hooks `async fn write_guard(&self) -> Option<tokio::sync::MutexGuard<'_, ()>>`,
/// `async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, $db>>` (every write
/// transaction begins with it, under the guard) and
/// `async fn lock_audit(tx: &mut sqlx::Transaction<'static, $db>) -> StoreResult<()>`.
macro_rules! shared_store_impl {
    ($store:ty, $db:ty, $backend:expr) => {
        $crate::common::listing!($store, $db);
        $crate::common::tickets_impl!($store, $db);
        $crate::common::access_impl!($store, $db);

        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> $crate::Backend {
                $backend
            }

            async fn ping(&self) -> $crate::StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_staff(
                &self,
                staff: $crate::NewStaff,
                invite: $crate::NewInvite,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<$crate::StaffRecord> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let row: $crate::common::StaffRow = sqlx::query_as(concat!(
                    "INSERT INTO staff (id, username, display_name, email, role, status, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'invited', $6, $6) \
                     RETURNING ",
                    $crate::common::staff_columns!()
                ))
                .bind(staff.id.to_string())
                .bind(&staff.username)
                .bind(&staff.display_name)
                .bind(&staff.email)
                .bind(staff.role.as_str())
                .bind($crate::common::ms(staff.created_at))
                .fetch_one(&mut *tx)
                .await
                .map_err($crate::common::duplicate_or)?;
                let record = row.try_into()?;
                $crate::staff::insert_invite::<Self>(&mut tx, &invite).await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(record)
            }

            async fn staff_by_id(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<$crate::StaffRecord>> {
                let row: Option<$crate::common::StaffRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::common::staff_columns!(),
                    " FROM staff WHERE id = $1"
                ))
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
                $crate::common::convert_opt(row)
            }

            async fn staff_by_username(
                &self,
                username: &str,
            ) -> $crate::StoreResult<Option<$crate::StaffRecord>> {
                let row: Option<$crate::common::StaffRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::common::staff_columns!(),
                    " FROM staff WHERE username = $1"
                ))
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
                $crate::common::convert_opt(row)
            }

            async fn list_staff(
                &self,
                filter: &$crate::StaffFilter,
            ) -> $crate::StoreResult<Vec<$crate::StaffRecord>> {
                self.staff_page(filter).await
            }

            async fn count_active_with_role(
                &self,
                role: opsdesk_core::Role,
            ) -> $crate::StoreResult<i64> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM staff WHERE role = $1 AND status = 'active'",
                )
                .bind(role.as_str())
                .fetch_one(&self.pool)
                .await?;
                Ok(n)
            }

            async fn change_role(
                &self,
                id: uuid::Uuid,
                expected_version: i64,
                role: opsdesk_core::Role,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<$crate::StaffRecord> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let row = sqlx::query_as(concat!(
                    "UPDATE staff SET role = $1, version = version + 1, updated_at = $2 \
                     WHERE id = $3 AND version = $4 RETURNING ",
                    $crate::common::staff_columns!()
                ))
                .bind(role.as_str())
                .bind($crate::common::ms(now))
                .bind(id.to_string())
                .bind(expected_version)
                .fetch_optional(&mut *tx)
                .await?;
                let record = $crate::staff::versioned::<Self>(&mut tx, id, row).await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(record)
            }

            async fn reset_mfa(
                &self,
                id: uuid::Uuid,
                expected_version: i64,
                invite: $crate::NewInvite,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<$crate::StaffRecord> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let row = sqlx::query_as(concat!(
                    "UPDATE staff SET status = 'invited', password_hash = NULL, \
                     totp_secret = NULL, totp_last_step = NULL, version = version + 1, \
                     updated_at = $1 WHERE id = $2 AND version = $3 RETURNING ",
                    $crate::common::staff_columns!()
                ))
                .bind($crate::common::ms(now))
                .bind(id.to_string())
                .bind(expected_version)
                .fetch_optional(&mut *tx)
                .await?;
                let record = $crate::staff::versioned::<Self>(&mut tx, id, row).await?;
                sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                $crate::staff::cut_off::<Self>(&mut tx, id, "mfa_reset", now).await?;
                $crate::staff::insert_invite::<Self>(&mut tx, &invite).await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(record)
            }

            async fn deactivate(
                &self,
                id: uuid::Uuid,
                expected_version: i64,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<$crate::StaffRecord> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let row = sqlx::query_as(concat!(
                    "UPDATE staff SET status = 'deactivated', version = version + 1, \
                     updated_at = $1 WHERE id = $2 AND version = $3 RETURNING ",
                    $crate::common::staff_columns!()
                ))
                .bind($crate::common::ms(now))
                .bind(id.to_string())
                .bind(expected_version)
                .fetch_optional(&mut *tx)
                .await?;
                let record = $crate::staff::versioned::<Self>(&mut tx, id, row).await?;
                $crate::staff::cut_off::<Self>(&mut tx, id, "deactivated", now).await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(record)
            }

            async fn invite_by_token(
                &self,
                token_hash: &str,
            ) -> $crate::StoreResult<Option<$crate::InviteRecord>> {
                let row: Option<$crate::common::InviteRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::common::invite_columns!(),
                    " FROM invites WHERE token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                $crate::common::convert_opt(row)
            }

            async fn stage_enrollment(
                &self,
                invite_id: uuid::Uuid,
                password_hash: &str,
                totp_secret: &str,
            ) -> $crate::StoreResult<()> {
                let _writing = self.write_guard().await;
                let staged = sqlx::query(
                    "UPDATE invites SET staged_password_hash = $1, staged_totp_secret = $2 \
                     WHERE id = $3 AND used_at IS NULL",
                )
                .bind(password_hash)
                .bind(totp_secret)
                .bind(invite_id.to_string())
                .execute(&self.pool)
                .await?
                .rows_affected();
                if staged > 0 {
                    return Ok(());
                }
                let exists: Option<String> =
                    sqlx::query_scalar("SELECT id FROM invites WHERE id = $1")
                        .bind(invite_id.to_string())
                        .fetch_optional(&self.pool)
                        .await?;
                Err(match exists {
                    Some(_) => $crate::StoreError::AlreadyUsed("invite_used"),
                    None => $crate::StoreError::NotFound,
                })
            }

            async fn complete_enrollment(
                &self,
                enrollment: $crate::CompleteEnrollment,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<$crate::StaffRecord> {
                let e = enrollment;
                let (invite_id, staff_id) = (e.invite_id.to_string(), e.staff_id.to_string());
                let now = $crate::common::ms(e.now);
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let staged: Option<(String, String)> = sqlx::query_as(
                    "UPDATE invites SET used_at = $1 WHERE id = $2 AND staff_id = $3 \
                     AND used_at IS NULL AND staged_password_hash IS NOT NULL \
                     AND staged_totp_secret IS NOT NULL \
                     RETURNING staged_password_hash, staged_totp_secret",
                )
                .bind(now)
                .bind(&invite_id)
                .bind(&staff_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((password_hash, totp_secret)) = staged else {
                    let used: Option<Option<i64>> = sqlx::query_scalar(
                        "SELECT used_at FROM invites WHERE id = $1 AND staff_id = $2",
                    )
                    .bind(&invite_id)
                    .bind(&staff_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    return Err(match used {
                        None => $crate::StoreError::NotFound,
                        Some(Some(_)) => $crate::StoreError::AlreadyUsed("invite_used"),
                        Some(None) => $crate::StoreError::AlreadyUsed("invite_not_staged"),
                    });
                };
                let row: Option<$crate::common::StaffRow> = sqlx::query_as(concat!(
                    "UPDATE staff SET status = 'active', password_hash = $1, totp_secret = $2, \
                     totp_last_step = $3, failed_attempts = 0, locked_until = NULL, \
                     version = version + 1, updated_at = $4 WHERE id = $5 RETURNING ",
                    $crate::common::staff_columns!()
                ))
                .bind(password_hash)
                .bind(totp_secret)
                .bind(e.totp_step)
                .bind(now)
                .bind(&staff_id)
                .fetch_optional(&mut *tx)
                .await?;
                let record = row.ok_or($crate::StoreError::NotFound)?.try_into()?;
                sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1")
                    .bind(&staff_id)
                    .execute(&mut *tx)
                    .await?;
                for code_hash in &e.recovery_code_hashes {
                    sqlx::query(
                        "INSERT INTO recovery_codes (staff_id, code_hash) VALUES ($1, $2) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(&staff_id)
                    .bind(code_hash)
                    .execute(&mut *tx)
                    .await?;
                }
                $crate::staff::insert_session::<Self>(&mut tx, &e.session).await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(record)
            }

            async fn record_sign_in_failure(
                &self,
                staff_id: Option<uuid::Uuid>,
                failures: u32,
                locked_until: Option<chrono::DateTime<chrono::Utc>>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<()> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                if let Some(id) = staff_id {
                    // Sign-in bookkeeping does not bump the version: a stranger's failed guesses
                    // must not turn an administrator's pending edit into a conflict.
                    sqlx::query(
                        "UPDATE staff SET failed_attempts = $1, locked_until = $2 WHERE id = $3",
                    )
                    .bind(i64::from(failures))
                    .bind(locked_until.map($crate::common::ms))
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_login_challenge(
                &self,
                challenge: $crate::NewLoginChallenge,
            ) -> $crate::StoreResult<()> {
                let _writing = self.write_guard().await;
                sqlx::query(
                    "INSERT INTO login_challenges (id_hash, staff_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&challenge.id_hash)
                .bind(challenge.staff_id.to_string())
                .bind($crate::common::ms(challenge.created_at))
                .bind($crate::common::ms(challenge.expires_at))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn login_challenge(
                &self,
                id_hash: &str,
            ) -> $crate::StoreResult<Option<$crate::LoginChallengeRecord>> {
                let row: Option<$crate::common::LoginChallengeRow> = sqlx::query_as(
                    "SELECT id_hash, staff_id, created_at, expires_at FROM login_challenges \
                     WHERE id_hash = $1",
                )
                .bind(id_hash)
                .fetch_optional(&self.pool)
                .await?;
                $crate::common::convert_opt(row)
            }

            async fn complete_sign_in(
                &self,
                sign_in: $crate::CompleteSignIn,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<()> {
                let s = sign_in;
                let (staff_id, now) = (s.staff_id.to_string(), $crate::common::ms(s.now));
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                let consumed = sqlx::query(
                    "DELETE FROM login_challenges WHERE id_hash = $1 AND staff_id = $2",
                )
                .bind(&s.challenge_hash)
                .bind(&staff_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if consumed == 0 {
                    return Err($crate::StoreError::AlreadyUsed("challenge_used"));
                }
                if let Some(step) = s.totp_step {
                    $crate::staff::claim_totp_step::<Self>(&mut tx, s.staff_id, step).await?;
                }
                if let Some(code_hash) = &s.recovery_code_hash {
                    let unused = sqlx::query(
                        "UPDATE recovery_codes SET used_at = $1 WHERE staff_id = $2 \
                         AND code_hash = $3 AND used_at IS NULL",
                    )
                    .bind(now)
                    .bind(&staff_id)
                    .bind(code_hash)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if unused == 0 {
                        return Err($crate::StoreError::AlreadyUsed("recovery_code_used"));
                    }
                }
                let cleared = sqlx::query(
                    "UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = $1",
                )
                .bind(&staff_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if cleared == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                $crate::staff::insert_session::<Self>(&mut tx, &s.session).await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn record_totp_step(
                &self,
                staff_id: uuid::Uuid,
                step: i64,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<()> {
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                $crate::staff::claim_totp_step::<Self>(&mut tx, staff_id, step).await?;
                sqlx::query("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = $1")
                    .bind(staff_id.to_string())
                    .execute(&mut *tx)
                    .await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn recovery_code_unused(
                &self,
                staff_id: uuid::Uuid,
                code_hash: &str,
            ) -> $crate::StoreResult<bool> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1 AND code_hash = $2 \
                     AND used_at IS NULL",
                )
                .bind(staff_id.to_string())
                .bind(code_hash)
                .fetch_one(&self.pool)
                .await?;
                Ok(n > 0)
            }

            async fn recovery_codes_left(&self, staff_id: uuid::Uuid) -> $crate::StoreResult<i64> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1 AND used_at IS NULL",
                )
                .bind(staff_id.to_string())
                .fetch_one(&self.pool)
                .await?;
                Ok(n)
            }

            async fn session_by_token(
                &self,
                token_hash: &str,
            ) -> $crate::StoreResult<Option<($crate::SessionRecord, $crate::StaffRecord)>> {
                $crate::staff::sessions::by_token(self, token_hash).await
            }

            async fn session_by_id(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<$crate::SessionRecord>> {
                $crate::staff::sessions::by_id(self, id).await
            }

            async fn touch_session(
                &self,
                id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                $crate::staff::sessions::touch(self, id, now).await
            }

            async fn list_sessions(
                &self,
                staff_id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::SessionRecord>> {
                $crate::staff::sessions::open_of(self, staff_id).await
            }

            async fn end_session(
                &self,
                id: uuid::Uuid,
                reason: &str,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<bool> {
                $crate::staff::sessions::end(self, id, reason, now, fx).await
            }

            async fn end_sessions_of(
                &self,
                staff_id: uuid::Uuid,
                except: Option<uuid::Uuid>,
                reason: &str,
                now: chrono::DateTime<chrono::Utc>,
                fx: $crate::Effects,
            ) -> $crate::StoreResult<u64> {
                $crate::staff::sessions::end_all_of(self, staff_id, except, reason, now, fx).await
            }

            async fn record(&self, fx: $crate::Effects) -> $crate::StoreResult<()> {
                if fx.audit.is_empty() && fx.security.is_empty() {
                    return Ok(());
                }
                let _writing = self.write_guard().await;
                let mut tx = self.begin_write().await?;
                $crate::audit::write_effects::<Self>(&mut tx, fx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_audit(
                &self,
                filter: &$crate::AuditFilter,
            ) -> $crate::StoreResult<Vec<$crate::AuditRecord>> {
                self.audit_page(filter).await
            }

            async fn verify_audit(&self) -> $crate::StoreResult<$crate::ChainReport> {
                self.verify_chain().await
            }

            async fn list_security_events(
                &self,
                filter: &$crate::SecurityEventFilter,
            ) -> $crate::StoreResult<Vec<$crate::SecurityEventRecord>> {
                self.security_event_page(filter).await
            }
        }
    };
}

pub(crate) use shared_store_impl;
