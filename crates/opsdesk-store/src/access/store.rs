//! [`AccessStore`] for every [`Dialect`]: each method delegates to its area's function
//! (requests, grants, clearance, and the tenant data of `crate::tenant_data`).

use super::grants::Due;
use super::*;
use super::{clearance, grants, requests};
use crate::dialect::Dialect;
use crate::tenant_data::{settings, users};

#[async_trait]
impl<D: Dialect> AccessStore for D {
    async fn create_access_request(
        &self,
        request: NewAccessRequest,
        fx: Effects,
    ) -> StoreResult<AccessRequestRecord> {
        requests::create(self, request, fx).await
    }

    async fn access_request(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<AccessRequestRecord>> {
        requests::one(self, id, now).await
    }

    async fn list_access_requests(
        &self,
        filter: &AccessRequestFilter,
    ) -> StoreResult<Vec<AccessRequestRecord>> {
        requests::list(self, filter).await
    }

    async fn review_access_request(
        &self,
        _proof: &Granted<cap::AccessReview>,
        review: NewReview,
        decision: ReviewDecision,
        fx: Effects,
    ) -> StoreResult<AccessRequestRecord> {
        requests::review(self, review, decision, fx).await
    }

    async fn cancel_access_request(
        &self,
        id: Uuid,
        expected_version: i64,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<AccessRequestRecord> {
        requests::cancel(self, id, expected_version, now, fx).await
    }

    async fn access_requests_to_expire(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<AccessRequestRecord>> {
        requests::to_expire(self, now, limit).await
    }

    async fn expire_access_request(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<bool> {
        requests::expire(self, id, now, fx).await
    }

    async fn grant(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<Option<GrantView>> {
        grants::one(self, id, now).await
    }

    async fn list_grants(&self, filter: &GrantFilter) -> StoreResult<Vec<GrantView>> {
        grants::list(self, filter).await
    }

    async fn grant_facts(
        &self,
        holder_id: Uuid,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<GrantFacts>> {
        grants::facts(self, holder_id, tenant_id, now).await
    }

    async fn grants_to_end(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<GrantView>> {
        grants::due(self, Due::Ending, now, limit).await
    }

    async fn grants_to_start(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<GrantView>> {
        grants::due(self, Due::Starting, now, limit).await
    }

    async fn end_grant(
        &self,
        _right: &OwnOrAny<cap::GrantsRevokeAny>,
        end: EndGrant,
        fx: Effects,
    ) -> StoreResult<Option<GrantView>> {
        grants::end(self, end, fx).await
    }

    async fn grants_to_warn(
        &self,
        until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<GrantView>> {
        grants::due(self, Due::Warning, until, limit).await
    }

    async fn record_grant_warned(&self, grant_id: Uuid, fx: Effects) -> StoreResult<bool> {
        grants::mark(self, grant_id, "expiry_warned", fx).await
    }

    async fn record_grant_started(&self, grant_id: Uuid, fx: Effects) -> StoreResult<bool> {
        grants::mark(self, grant_id, "start_recorded", fx).await
    }

    async fn clearance(&self, staff_id: Uuid) -> StoreResult<ClearanceView> {
        clearance::view(self, staff_id).await
    }

    async fn clearance_facts(&self, staff_id: Uuid) -> StoreResult<Clearance> {
        clearance::facts(self, staff_id).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_clearance(
        &self,
        _proof: &Granted<cap::OnboardingRecord>,
        staff_id: Uuid,
        expected_version: i64,
        clearance: Clearance,
        recorded_by: Uuid,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<ClearanceView> {
        clearance::record(
            self,
            staff_id,
            expected_version,
            clearance,
            recorded_by,
            now,
            fx,
        )
        .await
    }

    async fn active_staff_in_roles(&self, roles: &[Role]) -> StoreResult<Vec<StaffRef>> {
        clearance::active_in_roles(self, roles).await
    }

    async fn import_tenant_users(
        &self,
        load: &TenantDataLoad,
        users: Vec<TenantUserDraft>,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<(u32, u32)> {
        users::import(self, load, users, now, fx).await
    }

    async fn record_tenant_sign_ins(
        &self,
        load: &TenantDataLoad,
        sign_ins: Vec<NewTenantSignIn>,
        fx: Effects,
    ) -> StoreResult<()> {
        users::record_sign_ins(self, load, sign_ins, fx).await
    }

    async fn list_tenant_users(
        &self,
        access: &TenantAccess<scope::Read>,
        prefix: Option<&str>,
        after: Option<(&str, Uuid)>,
        limit: u32,
        fx: Effects,
    ) -> StoreResult<Vec<TenantUserView>> {
        users::page(self, access, prefix, after, limit, fx).await
    }

    async fn tenant_user(
        &self,
        access: &TenantAccess<scope::Read>,
        user_id: Uuid,
        fx: Effects,
    ) -> StoreResult<Option<TenantUserView>> {
        users::one(self, access, user_id, fx).await
    }

    async fn tenant_user_sign_ins(
        &self,
        access: &TenantAccess<scope::Support>,
        user_id: Uuid,
        limit: u32,
        fx: Effects,
    ) -> StoreResult<Vec<TenantSignInView>> {
        users::sign_ins(self, access, user_id, limit, fx).await
    }

    async fn issue_tenant_password_reset(
        &self,
        access: &TenantAccess<scope::Support>,
        reset: NewPasswordReset,
        fx: Effects,
    ) -> StoreResult<TenantUserView> {
        users::issue_reset(self, access, reset, fx).await
    }

    async fn change_tenant_user(
        &self,
        access: &TenantAccess<scope::Support>,
        user_id: Uuid,
        expected_version: i64,
        change: TenantUserChange,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<TenantUserView> {
        users::change(self, access, user_id, expected_version, change, now, fx).await
    }

    async fn tenant_settings(
        &self,
        access: &TenantAccess<scope::Admin>,
        fx: Effects,
    ) -> StoreResult<TenantSettingsView> {
        settings::read(self, access, fx).await
    }

    async fn update_tenant_settings(
        &self,
        access: &TenantAccess<scope::Admin>,
        values: TenantSettingsValues,
        expected_version: i64,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<TenantSettingsView> {
        settings::update(self, access, values, expected_version, now, fx).await
    }
}
