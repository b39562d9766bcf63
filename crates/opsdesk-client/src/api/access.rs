//! The hub's cross-tenant access endpoints as typed calls: the policy, access requests and their
//! reviews, grants, onboarding clearance, and the tenant data a grant opens (tenant users, their
//! sign-ins and support actions, the tenant's settings). Writes carry an `Idempotency-Key`.

use super::ApiClient;
use crate::error::ClientError;
use opsdesk_proto::{
    AccessExportQuery, AccessPolicyView, AccessRequestQuery, AccessRequestView,
    CancelAccessRequest, ChangeTenantUserRole, ClearanceView, CreateAccessRequest, GrantQuery,
    GrantView, Page, PasswordResetIssued, RecordClearanceRequest, ReviewAccessRequest,
    RevokeGrantRequest, TenantSettingsView, TenantSignInView, TenantUserQuery, TenantUserVersion,
    TenantUserView, UpdateTenantSettings,
};
use uuid::Uuid;

impl ApiClient {
    // ---- policy and requests -------------------------------------------------------------------

    /// `GET /api/v1/access/policy`: the rules as they apply to the caller.
    pub async fn access_policy(&self) -> Result<AccessPolicyView, ClientError> {
        self.lift(self.hub.access_policy().await)
    }

    /// `POST /api/v1/access/requests`.
    pub async fn create_access_request(
        &self,
        req: &CreateAccessRequest,
        key: &str,
    ) -> Result<AccessRequestView, ClientError> {
        self.lift(self.hub.create_access_request(req, Some(key)).await)
    }

    /// `GET /api/v1/access/requests?box=&status=&tenant_id=&from=&to=&cursor=&limit=`, newest
    /// first.
    pub async fn access_requests(
        &self,
        q: &AccessRequestQuery,
    ) -> Result<Page<AccessRequestView>, ClientError> {
        self.lift(self.hub.access_requests(q).await)
    }

    /// `GET /api/v1/access/requests/{id}`.
    pub async fn access_request(&self, id: Uuid) -> Result<AccessRequestView, ClientError> {
        self.lift(self.hub.access_request(id).await)
    }

    /// `POST /api/v1/access/requests/{id}/reviews`: approve or deny at the version seen.
    pub async fn review_access_request(
        &self,
        id: Uuid,
        req: &ReviewAccessRequest,
        key: &str,
    ) -> Result<AccessRequestView, ClientError> {
        self.lift(self.hub.review_access_request(id, req, Some(key)).await)
    }

    /// `POST /api/v1/access/requests/{id}/cancel`.
    pub async fn cancel_access_request(
        &self,
        id: Uuid,
        version: i64,
        key: &str,
    ) -> Result<AccessRequestView, ClientError> {
        let body = CancelAccessRequest { version };
        self.lift(self.hub.cancel_access_request(id, &body, Some(key)).await)
    }

    /// `GET /api/v1/access/requests/export?format=jsonl|csv`: the text to save.
    pub async fn export_access_requests(
        &self,
        q: &AccessExportQuery,
    ) -> Result<String, ClientError> {
        self.lift(self.hub.export_access_requests(q).await)
    }

    // ---- grants --------------------------------------------------------------------------------

    /// `GET /api/v1/access/grants?all=&current=&tenant_id=`.
    pub async fn grants(&self, q: &GrantQuery) -> Result<Vec<GrantView>, ClientError> {
        self.lift(self.hub.grants(q).await)
    }

    /// `POST /api/v1/access/grants/{id}/release`: the holder ends their own grant.
    pub async fn release_grant(&self, id: Uuid, key: &str) -> Result<GrantView, ClientError> {
        self.lift(self.hub.release_grant(id, Some(key)).await)
    }

    /// `POST /api/v1/access/grants/{id}/revoke` (security officers and admins).
    pub async fn revoke_grant(
        &self,
        id: Uuid,
        req: &RevokeGrantRequest,
        key: &str,
    ) -> Result<GrantView, ClientError> {
        self.lift(self.hub.revoke_grant(id, req, Some(key)).await)
    }

    // ---- onboarding clearance ------------------------------------------------------------------

    /// `GET /api/v1/staff/{id}/clearance`.
    pub async fn clearance(&self, staff_id: Uuid) -> Result<ClearanceView, ClientError> {
        self.lift(self.hub.clearance(staff_id).await)
    }

    /// `PUT /api/v1/staff/{id}/clearance` (admins).
    pub async fn record_clearance(
        &self,
        staff_id: Uuid,
        req: &RecordClearanceRequest,
        key: &str,
    ) -> Result<ClearanceView, ClientError> {
        self.lift(self.hub.record_clearance(staff_id, req, Some(key)).await)
    }

    // ---- tenant data (under a grant) -----------------------------------------------------------

    /// `GET /api/v1/tenants/{id}/users?q=&cursor=&limit=` (a `read` grant).
    pub async fn tenant_users(
        &self,
        tenant_id: Uuid,
        q: &TenantUserQuery,
    ) -> Result<Page<TenantUserView>, ClientError> {
        self.lift(self.hub.tenant_users(tenant_id, q).await)
    }

    /// `GET /api/v1/tenants/{id}/users/{uid}`.
    pub async fn tenant_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> Result<TenantUserView, ClientError> {
        self.lift(self.hub.tenant_user(tenant_id, user_id).await)
    }

    /// `GET /api/v1/tenants/{id}/users/{uid}/sign-ins` (a `support` grant).
    pub async fn tenant_user_sign_ins(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> Result<Vec<TenantSignInView>, ClientError> {
        self.lift(self.hub.tenant_user_sign_ins(tenant_id, user_id).await)
    }

    /// `POST /api/v1/tenants/{id}/users/{uid}/password-reset`: a one-time link, shown once.
    pub async fn reset_tenant_user_password(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        key: &str,
    ) -> Result<PasswordResetIssued, ClientError> {
        self.lift(
            self.hub
                .reset_tenant_user_password(tenant_id, user_id, Some(key))
                .await,
        )
    }

    /// `POST /api/v1/tenants/{id}/users/{uid}/unlock`.
    pub async fn unlock_tenant_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        version: i64,
        key: &str,
    ) -> Result<TenantUserView, ClientError> {
        let body = TenantUserVersion { version };
        self.lift(
            self.hub
                .unlock_tenant_user(tenant_id, user_id, &body, Some(key))
                .await,
        )
    }

    /// `PUT /api/v1/tenants/{id}/users/{uid}/role`.
    pub async fn change_tenant_user_role(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        req: &ChangeTenantUserRole,
        key: &str,
    ) -> Result<TenantUserView, ClientError> {
        self.lift(
            self.hub
                .change_tenant_user_role(tenant_id, user_id, req, Some(key))
                .await,
        )
    }

    /// `GET /api/v1/tenants/{id}/settings` (an `admin` grant).
    pub async fn tenant_settings(
        &self,
        tenant_id: Uuid,
    ) -> Result<TenantSettingsView, ClientError> {
        self.lift(self.hub.tenant_settings(tenant_id).await)
    }

    /// `PATCH /api/v1/tenants/{id}/settings`.
    pub async fn update_tenant_settings(
        &self,
        tenant_id: Uuid,
        req: &UpdateTenantSettings,
        key: &str,
    ) -> Result<TenantSettingsView, ClientError> {
        self.lift(
            self.hub
                .update_tenant_settings(tenant_id, req, Some(key))
                .await,
        )
    }
}
