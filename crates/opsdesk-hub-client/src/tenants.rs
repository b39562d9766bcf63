//! Tenants and their imports, integration tokens and intake, groups, assignees, SLA policies
//! and saved filters.

use crate::{routes, HubClient, HubResult};
use opsdesk_proto::{
    Assignee, CreateIntegrationTokenRequest, CreateTenantRequest, GroupRequest, GroupView,
    IntakeTicketRequest, IntegrationTokenIssued, IntegrationTokenView, Page, Priority,
    SaveFilterRequest, SavedFilterView, SlaPolicyRequest, SlaPolicyView, TenantImportResult,
    TenantQuery, TenantView, TicketSummary, UpdateTenantRequest,
};
use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use uuid::Uuid;

impl HubClient {
    /// `GET /api/v1/tenants`.
    pub async fn tenants(&self, q: &TenantQuery) -> HubResult<Page<TenantView>> {
        self.send_json(self.get_query(routes::TENANTS, q)).await
    }

    /// `POST /api/v1/tenants`.
    pub async fn create_tenant(&self, req: &CreateTenantRequest) -> HubResult<TenantView> {
        self.send_json(self.json(Method::POST, routes::TENANTS, req))
            .await
    }

    /// `PATCH /api/v1/tenants/{id}`.
    pub async fn update_tenant(
        &self,
        id: Uuid,
        req: &UpdateTenantRequest,
    ) -> HubResult<TenantView> {
        self.send_json(self.json(Method::PATCH, &routes::tenant(id), req))
            .await
    }

    /// `POST /api/v1/tenants/import` with a JSON array.
    pub async fn import_tenants(
        &self,
        tenants: &[CreateTenantRequest],
    ) -> HubResult<TenantImportResult> {
        self.send_json(self.json(Method::POST, routes::TENANTS_IMPORT, tenants))
            .await
    }

    /// `POST /api/v1/tenants/import` with CSV.
    pub async fn import_tenants_csv(&self, csv: &str) -> HubResult<TenantImportResult> {
        let req = self
            .request(Method::POST, routes::TENANTS_IMPORT)
            .header(CONTENT_TYPE, "text/csv")
            .body(csv.to_owned());
        self.send_json(req).await
    }

    /// `GET /api/v1/integration-tokens`.
    pub async fn integration_tokens(&self) -> HubResult<Vec<IntegrationTokenView>> {
        self.send_json(self.get(routes::INTEGRATION_TOKENS)).await
    }

    /// `POST /api/v1/integration-tokens`: the secret is in the answer, once.
    pub async fn create_integration_token(
        &self,
        req: &CreateIntegrationTokenRequest,
    ) -> HubResult<IntegrationTokenIssued> {
        self.send_json(self.json(Method::POST, routes::INTEGRATION_TOKENS, req))
            .await
    }

    /// `POST /api/v1/integration-tokens/{id}/revoke`.
    pub async fn revoke_integration_token(&self, id: Uuid) -> HubResult<IntegrationTokenView> {
        let path = routes::integration_token_revoke(id);
        self.send_json(self.request(Method::POST, &path)).await
    }

    /// `POST /api/v1/intake/tickets` (with an integration token).
    pub async fn intake_ticket(
        &self,
        req: &IntakeTicketRequest,
        key: Option<&str>,
    ) -> HubResult<TicketSummary> {
        self.send_json(self.write(Method::POST, routes::INTAKE_TICKETS, Some(req), key))
            .await
    }

    /// `GET /api/v1/groups`.
    pub async fn groups(&self) -> HubResult<Vec<GroupView>> {
        self.send_json(self.get(routes::GROUPS)).await
    }

    /// `POST /api/v1/groups`.
    pub async fn create_group(&self, req: &GroupRequest) -> HubResult<GroupView> {
        self.send_json(self.json(Method::POST, routes::GROUPS, req))
            .await
    }

    /// `PUT /api/v1/groups/{id}`.
    pub async fn set_group(&self, id: Uuid, req: &GroupRequest) -> HubResult<GroupView> {
        self.send_json(self.json(Method::PUT, &routes::group(id), req))
            .await
    }

    /// `GET /api/v1/assignees`.
    pub async fn assignees(&self) -> HubResult<Vec<Assignee>> {
        self.send_json(self.get(routes::ASSIGNEES)).await
    }

    /// `GET /api/v1/sla-policies`.
    pub async fn sla_policies(&self) -> HubResult<Vec<SlaPolicyView>> {
        self.send_json(self.get(routes::SLA_POLICIES)).await
    }

    /// `PUT /api/v1/sla-policies/{priority}`.
    pub async fn update_sla_policy(
        &self,
        priority: Priority,
        req: &SlaPolicyRequest,
    ) -> HubResult<SlaPolicyView> {
        self.send_json(self.json(Method::PUT, &routes::sla_policy(priority), req))
            .await
    }

    /// `GET /api/v1/saved-filters`.
    pub async fn saved_filters(&self) -> HubResult<Vec<SavedFilterView>> {
        self.send_json(self.get(routes::SAVED_FILTERS)).await
    }

    /// `POST /api/v1/saved-filters`.
    pub async fn save_filter(&self, req: &SaveFilterRequest) -> HubResult<SavedFilterView> {
        self.send_json(self.json(Method::POST, routes::SAVED_FILTERS, req))
            .await
    }

    /// `DELETE /api/v1/saved-filters/{id}`.
    pub async fn delete_saved_filter(&self, id: Uuid) -> HubResult<()> {
        self.send_empty(self.request(Method::DELETE, &routes::saved_filter(id)))
            .await
    }
}
