//! [`Store`] for every [`Dialect`]: each method delegates to the function of its area (staff,
//! sessions, audit), so SQLite and PostgreSQL share one implementation.

use crate::audit::queries as audit;
use crate::dialect::Dialect;
use crate::query::Sql;
use crate::staff::{accounts, enrollment, sessions, sign_in};
use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use opsdesk_core::proof::{cap, Granted, OwnOrAny};
use opsdesk_core::Role;
use uuid::Uuid;

#[async_trait]
impl<D: Dialect> Store for D {
    fn backend(&self) -> Backend {
        D::BACKEND
    }

    async fn ping(&self) -> StoreResult<()> {
        let mut conn = self.pool().acquire().await?;
        D::execute(&mut conn, Sql::new("SELECT 1")).await?;
        Ok(())
    }

    async fn create_staff(
        &self,
        _proof: &Granted<cap::StaffManage>,
        staff: NewStaff,
        invite: NewInvite,
        fx: Effects,
    ) -> StoreResult<StaffRecord> {
        accounts::create(self, staff, invite, fx).await
    }

    async fn staff_by_id(&self, id: Uuid) -> StoreResult<Option<StaffRecord>> {
        accounts::by(self, "id", id.to_string()).await
    }

    async fn staff_by_username(&self, username: &str) -> StoreResult<Option<StaffRecord>> {
        accounts::by(self, "username", username.to_owned()).await
    }

    async fn list_staff(&self, filter: &StaffFilter) -> StoreResult<Vec<StaffRecord>> {
        accounts::list(self, filter).await
    }

    async fn count_active_with_role(&self, role: Role) -> StoreResult<i64> {
        accounts::count_active_with_role(self, role).await
    }

    async fn change_role(
        &self,
        _proof: &Granted<cap::StaffManage>,
        id: Uuid,
        expected_version: i64,
        role: Role,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<StaffRecord> {
        accounts::change_role(self, id, expected_version, role, now, fx).await
    }

    async fn reset_mfa(
        &self,
        _proof: &Granted<cap::StaffManage>,
        id: Uuid,
        expected_version: i64,
        invite: NewInvite,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<StaffRecord> {
        accounts::reset_mfa(self, id, expected_version, invite, now, fx).await
    }

    async fn deactivate(
        &self,
        _proof: &Granted<cap::StaffManage>,
        id: Uuid,
        expected_version: i64,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<StaffRecord> {
        accounts::deactivate(self, id, expected_version, now, fx).await
    }

    async fn invite_by_token(&self, token_hash: &str) -> StoreResult<Option<InviteRecord>> {
        enrollment::invite_by_token(self, token_hash).await
    }

    async fn stage_enrollment(
        &self,
        invite_id: Uuid,
        password_hash: &str,
        totp_secret: &str,
    ) -> StoreResult<()> {
        enrollment::stage(self, invite_id, password_hash, totp_secret).await
    }

    async fn complete_enrollment(
        &self,
        enrollment: CompleteEnrollment,
        fx: Effects,
    ) -> StoreResult<StaffRecord> {
        enrollment::complete(self, enrollment, fx).await
    }

    async fn record_sign_in_failure(
        &self,
        staff_id: Option<Uuid>,
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
        fx: Effects,
    ) -> StoreResult<()> {
        sign_in::record_failure(self, staff_id, failures, locked_until, fx).await
    }

    async fn create_login_challenge(&self, challenge: NewLoginChallenge) -> StoreResult<()> {
        sign_in::create_challenge(self, challenge).await
    }

    async fn login_challenge(&self, id_hash: &str) -> StoreResult<Option<LoginChallengeRecord>> {
        sign_in::challenge(self, id_hash).await
    }

    async fn complete_sign_in(&self, sign_in: CompleteSignIn, fx: Effects) -> StoreResult<()> {
        sign_in::complete(self, sign_in, fx).await
    }

    async fn record_totp_step(&self, staff_id: Uuid, step: i64, fx: Effects) -> StoreResult<()> {
        sign_in::record_totp_step(self, staff_id, step, fx).await
    }

    async fn recovery_code_unused(&self, staff_id: Uuid, code_hash: &str) -> StoreResult<bool> {
        Ok(sign_in::unused_codes(self, staff_id, Some(code_hash)).await? > 0)
    }

    async fn recovery_codes_left(&self, staff_id: Uuid) -> StoreResult<i64> {
        sign_in::unused_codes(self, staff_id, None).await
    }

    async fn session_by_token(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(SessionRecord, StaffRecord)>> {
        sessions::by_token(self, token_hash).await
    }

    async fn session_by_id(&self, id: Uuid) -> StoreResult<Option<SessionRecord>> {
        sessions::by_id(self, id).await
    }

    async fn touch_session(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        sessions::touch(self, id, now).await
    }

    async fn list_sessions(&self, staff_id: Uuid) -> StoreResult<Vec<SessionRecord>> {
        sessions::open_of(self, staff_id).await
    }

    async fn end_session(
        &self,
        _right: &OwnOrAny<cap::SessionsRevokeAny>,
        id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<bool> {
        sessions::end(self, id, reason, now, fx).await
    }

    async fn end_sessions_of(
        &self,
        right: &OwnOrAny<cap::SessionsRevokeAny>,
        except: Option<Uuid>,
        reason: &str,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<u64> {
        sessions::end_all_of(self, right.owner(), except, reason, now, fx).await
    }

    async fn record(&self, fx: Effects) -> StoreResult<()> {
        audit::record(self, fx).await
    }

    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
        audit::audit_page(self, filter).await
    }

    async fn verify_audit(&self) -> StoreResult<ChainReport> {
        self.verify_audit_chain().await
    }

    async fn list_security_events(
        &self,
        filter: &SecurityEventFilter,
    ) -> StoreResult<Vec<SecurityEventRecord>> {
        audit::security_event_page(self, filter).await
    }
}
