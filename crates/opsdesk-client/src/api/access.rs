//! The hub's cross-tenant access endpoints as typed calls: the policy, access requests and their
//! reviews, grants, onboarding clearance, and the tenant data a grant opens (tenant users, their
//! sign-ins and support actions, the tenant's settings). Writes carry an `Idempotency-Key`.

use super::tickets::IDEMPOTENCY_KEY;
use super::ApiClient;
use crate::error::ClientError;
use opsdesk_proto::{
    AccessExportQuery, AccessPolicyView, AccessRequestQuery, AccessRequestView,
    CancelAccessRequest, ChangeTenantUserRole, ClearanceView, CreateAccessRequest, GrantQuery,
    GrantView, Page, PasswordResetIssued, RecordClearanceRequest, ReviewAccessRequest,
    RevokeGrantRequest, TenantSettingsView, TenantSignInView, TenantUserQuery, TenantUserVersion,
    TenantUserView, UpdateTenantSettings,
};
use reqwest::{Method, RequestBuilder};
use uuid::Uuid;

impl ApiClient {
    /// A write without a body, carrying its idempotency key.
    fn bare_write(&self, path: &str, key: &str) -> RequestBuilder {
        self.request(Method::POST, path)
            .header(IDEMPOTENCY_KEY, key)
    }

    /// Sends and reads a text answer (an export), or the problem document into `ApiError`.
    async fn call_text(&self, req: RequestBuilder) -> Result<String, ClientError> {
        let resp = self.send(req).await?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| self.transport_error(e))?;
        if !status.is_success() {
            return Err(self.problem(status, &bytes));
        }
        String::from_utf8(bytes.to_vec()).map_err(|e| ClientError::Protocol {
            url: self.base_url().to_owned(),
            detail: format!("{status} with a body that is not UTF-8: {e}"),
        })
    }

    // ---- policy and requests -------------------------------------------------------------------

    /// `GET /api/v1/access/policy`: the rules as they apply to the caller.
    pub async fn access_policy(&self) -> Result<AccessPolicyView, ClientError> {
        self.call(self.get("/api/v1/access/policy")).await
    }

    /// `POST /api/v1/access/requests`.
    pub async fn create_access_request(
        &self,
        req: &CreateAccessRequest,
        key: &str,
    ) -> Result<AccessRequestView, ClientError> {
        self.call(self.write(Method::POST, "/api/v1/access/requests", req, key))
            .await
    }

    /// `GET /api/v1/access/requests?box=&status=&tenant_id=&from=&to=&cursor=&limit=`, newest
    /// first.
    pub async fn access_requests(
        &self,
        q: &AccessRequestQuery,
    ) -> Result<Page<AccessRequestView>, ClientError> {
        self.call(self.get("/api/v1/access/requests").query(q))
            .await
    }

    /// `GET /api/v1/access/requests/{id}`.
    pub async fn access_request(&self, id: Uuid) -> Result<AccessRequestView, ClientError> {
        self.call(self.get(&format!("/api/v1/access/requests/{id}")))
            .await
    }

    /// `POST /api/v1/access/requests/{id}/reviews`: approve or deny at the version seen.
    pub async fn review_access_request(
        &self,
        id: Uuid,
        req: &ReviewAccessRequest,
        key: &str,
    ) -> Result<AccessRequestView, ClientError> {
        let path = format!("/api/v1/access/requests/{id}/reviews");
        self.call(self.write(Method::POST, &path, req, key)).await
    }

    /// `POST /api/v1/access/requests/{id}/cancel`.
    pub async fn cancel_access_request(
        &self,
        id: Uuid,
        version: i64,
        key: &str,
    ) -> Result<AccessRequestView, ClientError> {
        let path = format!("/api/v1/access/requests/{id}/cancel");
        let body = CancelAccessRequest { version };
        self.call(self.write(Method::POST, &path, &body, key)).await
    }

    /// `GET /api/v1/access/requests/export?format=jsonl|csv`: the text to save.
    pub async fn export_access_requests(
        &self,
        q: &AccessExportQuery,
    ) -> Result<String, ClientError> {
        self.call_text(self.get("/api/v1/access/requests/export").query(q))
            .await
    }

    // ---- grants --------------------------------------------------------------------------------

    /// `GET /api/v1/access/grants?all=&current=&tenant_id=`.
    pub async fn grants(&self, q: &GrantQuery) -> Result<Vec<GrantView>, ClientError> {
        self.call(self.get("/api/v1/access/grants").query(q)).await
    }

    /// `POST /api/v1/access/grants/{id}/release`: the holder ends their own grant.
    pub async fn release_grant(&self, id: Uuid, key: &str) -> Result<GrantView, ClientError> {
        let path = format!("/api/v1/access/grants/{id}/release");
        self.call(self.bare_write(&path, key)).await
    }

    /// `POST /api/v1/access/grants/{id}/revoke` (security officers and admins).
    pub async fn revoke_grant(
        &self,
        id: Uuid,
        req: &RevokeGrantRequest,
        key: &str,
    ) -> Result<GrantView, ClientError> {
        let path = format!("/api/v1/access/grants/{id}/revoke");
        self.call(self.write(Method::POST, &path, req, key)).await
    }

    // ---- onboarding clearance ------------------------------------------------------------------

    /// `GET /api/v1/staff/{id}/clearance`.
    pub async fn clearance(&self, staff_id: Uuid) -> Result<ClearanceView, ClientError> {
        self.call(self.get(&format!("/api/v1/staff/{staff_id}/clearance")))
            .await
    }

    /// `PUT /api/v1/staff/{id}/clearance` (admins).
    pub async fn record_clearance(
        &self,
        staff_id: Uuid,
        req: &RecordClearanceRequest,
        key: &str,
    ) -> Result<ClearanceView, ClientError> {
        let path = format!("/api/v1/staff/{staff_id}/clearance");
        self.call(self.write(Method::PUT, &path, req, key)).await
    }

    // ---- tenant data (under a grant) -----------------------------------------------------------

    /// `GET /api/v1/tenants/{id}/users?q=&cursor=&limit=` (a `read` grant).
    pub async fn tenant_users(
        &self,
        tenant_id: Uuid,
        q: &TenantUserQuery,
    ) -> Result<Page<TenantUserView>, ClientError> {
        let path = format!("/api/v1/tenants/{tenant_id}/users");
        self.call(self.get(&path).query(q)).await
    }

    /// `GET /api/v1/tenants/{id}/users/{uid}`.
    pub async fn tenant_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> Result<TenantUserView, ClientError> {
        let path = format!("/api/v1/tenants/{tenant_id}/users/{user_id}");
        self.call(self.get(&path)).await
    }

    /// `GET /api/v1/tenants/{id}/users/{uid}/sign-ins` (a `support` grant).
    pub async fn tenant_user_sign_ins(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> Result<Vec<TenantSignInView>, ClientError> {
        let path = format!("/api/v1/tenants/{tenant_id}/users/{user_id}/sign-ins");
        self.call(self.get(&path)).await
    }

    /// `POST /api/v1/tenants/{id}/users/{uid}/password-reset`: a one-time link, shown once.
    pub async fn reset_tenant_user_password(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        key: &str,
    ) -> Result<PasswordResetIssued, ClientError> {
        let path = format!("/api/v1/tenants/{tenant_id}/users/{user_id}/password-reset");
        self.call(self.bare_write(&path, key)).await
    }

    /// `POST /api/v1/tenants/{id}/users/{uid}/unlock`.
    pub async fn unlock_tenant_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        version: i64,
        key: &str,
    ) -> Result<TenantUserView, ClientError> {
        let path = format!("/api/v1/tenants/{tenant_id}/users/{user_id}/unlock");
        let body = TenantUserVersion { version };
        self.call(self.write(Method::POST, &path, &body, key)).await
    }

    /// `PUT /api/v1/tenants/{id}/users/{uid}/role`.
    pub async fn change_tenant_user_role(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        req: &ChangeTenantUserRole,
        key: &str,
    ) -> Result<TenantUserView, ClientError> {
        let path = format!("/api/v1/tenants/{tenant_id}/users/{user_id}/role");
        self.call(self.write(Method::PUT, &path, req, key)).await
    }

    /// `GET /api/v1/tenants/{id}/settings` (an `admin` grant).
    pub async fn tenant_settings(
        &self,
        tenant_id: Uuid,
    ) -> Result<TenantSettingsView, ClientError> {
        self.call(self.get(&format!("/api/v1/tenants/{tenant_id}/settings")))
            .await
    }

    /// `PATCH /api/v1/tenants/{id}/settings`.
    pub async fn update_tenant_settings(
        &self,
        tenant_id: Uuid,
        req: &UpdateTenantSettings,
        key: &str,
    ) -> Result<TenantSettingsView, ClientError> {
        let path = format!("/api/v1/tenants/{tenant_id}/settings");
        self.call(self.write(Method::PATCH, &path, req, key)).await
    }
}
