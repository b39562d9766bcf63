//! Cross-tenant access: the policy, requests and their reviews, grants, onboarding clearance,
//! and the tenant data a grant opens (users, their sign-ins, support actions, settings,
//! imports, sign-in intake). Writes take an optional `Idempotency-Key`.

use crate::{routes, HubClient, HubResult};
use opsdesk_proto::{
    AccessExportQuery, AccessPolicyView, AccessRequestQuery, AccessRequestView,
    CancelAccessRequest, ChangeTenantUserRole, ClearanceView, CreateAccessRequest, GrantQuery,
    GrantView, IntakeSignIn, Page, PasswordResetIssued, RecordClearanceRequest,
    ReviewAccessRequest, RevokeGrantRequest, TenantSettingsView, TenantSignInView,
    TenantUserImport, TenantUserImportResult, TenantUserQuery, TenantUserVersion, TenantUserView,
    UpdateTenantSettings,
};
use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use uuid::Uuid;

/// No body, for writes that have none.
const NO_BODY: Option<&()> = None;

impl HubClient {
    /// `GET /api/v1/access/policy`: the rules as they apply to the caller.
    pub async fn access_policy(&self) -> HubResult<AccessPolicyView> {
        self.send_json(self.get(routes::ACCESS_POLICY)).await
    }

    /// `GET /api/v1/access/requests`, newest first.
    pub async fn access_requests(
        &self,
        q: &AccessRequestQuery,
    ) -> HubResult<Page<AccessRequestView>> {
        self.send_json(self.get_query(routes::ACCESS_REQUESTS, q))
            .await
    }

    /// `POST /api/v1/access/requests`.
    pub async fn create_access_request(
        &self,
        req: &CreateAccessRequest,
        key: Option<&str>,
    ) -> HubResult<AccessRequestView> {
        self.send_json(self.write(Method::POST, routes::ACCESS_REQUESTS, Some(req), key))
            .await
    }

    /// `GET /api/v1/access/requests/{id}`.
    pub async fn access_request(&self, id: Uuid) -> HubResult<AccessRequestView> {
        self.send_json(self.get(&routes::access_request(id))).await
    }

    /// `POST /api/v1/access/requests/{id}/reviews`: approve or deny at the version seen.
    pub async fn review_access_request(
        &self,
        id: Uuid,
        req: &ReviewAccessRequest,
        key: Option<&str>,
    ) -> HubResult<AccessRequestView> {
        let path = routes::access_request_reviews(id);
        self.send_json(self.write(Method::POST, &path, Some(req), key))
            .await
    }

    /// `POST /api/v1/access/requests/{id}/cancel`.
    pub async fn cancel_access_request(
        &self,
        id: Uuid,
        req: &CancelAccessRequest,
        key: Option<&str>,
    ) -> HubResult<AccessRequestView> {
        let path = routes::access_request_cancel(id);
        self.send_json(self.write(Method::POST, &path, Some(req), key))
            .await
    }

    /// `GET /api/v1/access/requests/export`: JSON lines or CSV, as text.
    pub async fn export_access_requests(&self, q: &AccessExportQuery) -> HubResult<String> {
        self.send_text(self.get_query(routes::ACCESS_REQUESTS_EXPORT, q))
            .await
    }

    /// `GET /api/v1/access/grants`.
    pub async fn grants(&self, q: &GrantQuery) -> HubResult<Vec<GrantView>> {
        self.send_json(self.get_query(routes::ACCESS_GRANTS, q))
            .await
    }

    /// `POST /api/v1/access/grants/{id}/release`: the holder ends their own grant.
    pub async fn release_grant(&self, id: Uuid, key: Option<&str>) -> HubResult<GrantView> {
        let path = routes::access_grant_release(id);
        self.send_json(self.write(Method::POST, &path, NO_BODY, key))
            .await
    }

    /// `POST /api/v1/access/grants/{id}/revoke`.
    pub async fn revoke_grant(
        &self,
        id: Uuid,
        req: &RevokeGrantRequest,
        key: Option<&str>,
    ) -> HubResult<GrantView> {
        let path = routes::access_grant_revoke(id);
        self.send_json(self.write(Method::POST, &path, Some(req), key))
            .await
    }

    /// `GET /api/v1/staff/{id}/clearance`.
    pub async fn clearance(&self, staff_id: Uuid) -> HubResult<ClearanceView> {
        self.send_json(self.get(&routes::staff_clearance(staff_id)))
            .await
    }

    /// `PUT /api/v1/staff/{id}/clearance`.
    pub async fn record_clearance(
        &self,
        staff_id: Uuid,
        req: &RecordClearanceRequest,
        key: Option<&str>,
    ) -> HubResult<ClearanceView> {
        let path = routes::staff_clearance(staff_id);
        self.send_json(self.write(Method::PUT, &path, Some(req), key))
            .await
    }

    /// `GET /api/v1/tenants/{id}/users` (a `read` grant).
    pub async fn tenant_users(
        &self,
        tenant_id: Uuid,
        q: &TenantUserQuery,
    ) -> HubResult<Page<TenantUserView>> {
        self.send_json(self.get_query(&routes::tenant_users(tenant_id), q))
            .await
    }

    /// `GET /api/v1/tenants/{id}/users/{user_id}`.
    pub async fn tenant_user(&self, tenant_id: Uuid, user_id: Uuid) -> HubResult<TenantUserView> {
        self.send_json(self.get(&routes::tenant_user(tenant_id, user_id)))
            .await
    }

    /// `GET /api/v1/tenants/{id}/users/{user_id}/sign-ins` (a `support` grant).
    pub async fn tenant_user_sign_ins(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> HubResult<Vec<TenantSignInView>> {
        self.send_json(self.get(&routes::tenant_user_sign_ins(tenant_id, user_id)))
            .await
    }

    /// `POST /api/v1/tenants/{id}/users/{user_id}/password-reset`: a one-time link.
    pub async fn reset_tenant_user_password(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        key: Option<&str>,
    ) -> HubResult<PasswordResetIssued> {
        let path = routes::tenant_user_password_reset(tenant_id, user_id);
        self.send_json(self.write(Method::POST, &path, NO_BODY, key))
            .await
    }

    /// `POST /api/v1/tenants/{id}/users/{user_id}/unlock`.
    pub async fn unlock_tenant_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        req: &TenantUserVersion,
        key: Option<&str>,
    ) -> HubResult<TenantUserView> {
        let path = routes::tenant_user_unlock(tenant_id, user_id);
        self.send_json(self.write(Method::POST, &path, Some(req), key))
            .await
    }

    /// `PUT /api/v1/tenants/{id}/users/{user_id}/role`.
    pub async fn change_tenant_user_role(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        req: &ChangeTenantUserRole,
        key: Option<&str>,
    ) -> HubResult<TenantUserView> {
        let path = routes::tenant_user_role(tenant_id, user_id);
        self.send_json(self.write(Method::PUT, &path, Some(req), key))
            .await
    }

    /// `GET /api/v1/tenants/{id}/settings` (an `admin` grant).
    pub async fn tenant_settings(&self, tenant_id: Uuid) -> HubResult<TenantSettingsView> {
        self.send_json(self.get(&routes::tenant_settings(tenant_id)))
            .await
    }

    /// `PATCH /api/v1/tenants/{id}/settings`.
    pub async fn update_tenant_settings(
        &self,
        tenant_id: Uuid,
        req: &UpdateTenantSettings,
        key: Option<&str>,
    ) -> HubResult<TenantSettingsView> {
        let path = routes::tenant_settings(tenant_id);
        self.send_json(self.write(Method::PATCH, &path, Some(req), key))
            .await
    }

    /// `POST /api/v1/tenants/{id}/users/import` with a JSON array.
    pub async fn import_tenant_users(
        &self,
        tenant_id: Uuid,
        users: &[TenantUserImport],
    ) -> HubResult<TenantUserImportResult> {
        let path = routes::tenant_users_import(tenant_id);
        self.send_json(self.json(Method::POST, &path, users)).await
    }

    /// `POST /api/v1/tenants/{id}/users/import` with CSV.
    pub async fn import_tenant_users_csv(
        &self,
        tenant_id: Uuid,
        csv: &str,
    ) -> HubResult<TenantUserImportResult> {
        let req = self
            .request(Method::POST, &routes::tenant_users_import(tenant_id))
            .header(CONTENT_TYPE, "text/csv")
            .body(csv.to_owned());
        self.send_json(req).await
    }

    /// `POST /api/v1/intake/sign-ins` (with an integration token).
    pub async fn intake_sign_in(&self, req: &IntakeSignIn) -> HubResult<()> {
        self.send_empty(self.json(Method::POST, routes::INTAKE_SIGN_INS, req))
            .await
    }
}
