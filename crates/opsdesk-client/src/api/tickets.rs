//! The hub's ticket endpoints as typed calls: the changes feed, one ticket, every write (each
//! with its `Idempotency-Key`), presence, search, tenants, groups, assignees and saved filters.

use super::ApiClient;
use crate::error::ClientError;
use opsdesk_proto::{
    AddMessageRequest, AssignRequest, Assignee, ChangesPage, CreateTicketRequest, EscalateRequest,
    GroupView, Page, PresenceMode, PresenceRequest, PresenceView, SaveFilterRequest,
    SavedFilterView, SearchHit, TenantView, TicketDetail, TicketSummary, UpdateTicketRequest,
};
use reqwest::{Method, RequestBuilder};
use serde::Serialize;
use uuid::Uuid;

/// The header that makes a write safe to retry.
pub(super) const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

impl ApiClient {
    /// A write carrying its idempotency key.
    pub(super) fn write<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        key: &str,
    ) -> RequestBuilder {
        self.request(method, path)
            .header(IDEMPOTENCY_KEY, key)
            .json(body)
    }

    /// `GET /api/v1/tickets/changes?since=&limit=`.
    pub async fn ticket_changes(&self, since: i64, limit: u32) -> Result<ChangesPage, ClientError> {
        let req = self
            .get("/api/v1/tickets/changes")
            .query(&[("since", since), ("limit", i64::from(limit))]);
        self.call(req).await
    }

    /// `GET /api/v1/tickets/{id}`.
    pub async fn ticket(&self, id: Uuid) -> Result<TicketDetail, ClientError> {
        self.call(self.get(&format!("/api/v1/tickets/{id}"))).await
    }

    /// `POST /api/v1/tickets`.
    pub async fn create_ticket(
        &self,
        req: &CreateTicketRequest,
        key: &str,
    ) -> Result<TicketSummary, ClientError> {
        self.call(self.write(Method::POST, "/api/v1/tickets", req, key))
            .await
    }

    /// `PATCH /api/v1/tickets/{id}`.
    pub async fn update_ticket(
        &self,
        id: Uuid,
        req: &UpdateTicketRequest,
        key: &str,
    ) -> Result<TicketSummary, ClientError> {
        let path = format!("/api/v1/tickets/{id}");
        self.call(self.write(Method::PATCH, &path, req, key)).await
    }

    /// `POST /api/v1/tickets/{id}/messages`: answers with the whole ticket.
    pub async fn add_message(
        &self,
        id: Uuid,
        req: &AddMessageRequest,
        key: &str,
    ) -> Result<TicketDetail, ClientError> {
        let path = format!("/api/v1/tickets/{id}/messages");
        self.call(self.write(Method::POST, &path, req, key)).await
    }

    /// `POST /api/v1/tickets/{id}/assign`.
    pub async fn assign_ticket(
        &self,
        id: Uuid,
        req: &AssignRequest,
        key: &str,
    ) -> Result<TicketSummary, ClientError> {
        let path = format!("/api/v1/tickets/{id}/assign");
        self.call(self.write(Method::POST, &path, req, key)).await
    }

    /// `POST /api/v1/tickets/{id}/escalate`.
    pub async fn escalate_ticket(
        &self,
        id: Uuid,
        req: &EscalateRequest,
        key: &str,
    ) -> Result<TicketSummary, ClientError> {
        let path = format!("/api/v1/tickets/{id}/escalate");
        self.call(self.write(Method::POST, &path, req, key)).await
    }

    /// `PUT /api/v1/tickets/{id}/presence`: the others on the ticket.
    pub async fn ticket_presence(
        &self,
        id: Uuid,
        mode: PresenceMode,
    ) -> Result<Vec<PresenceView>, ClientError> {
        let path = format!("/api/v1/tickets/{id}/presence");
        let req = self
            .request(Method::PUT, &path)
            .json(&PresenceRequest { mode });
        self.call(req).await
    }

    /// `GET /api/v1/tickets/search?q=`.
    pub async fn search_tickets(&self, q: &str) -> Result<Vec<SearchHit>, ClientError> {
        let req = self.get("/api/v1/tickets/search").query(&[("q", q)]);
        self.call(req).await
    }

    /// `GET /api/v1/tenants?q=`.
    pub async fn tenants(&self, q: &str) -> Result<Page<TenantView>, ClientError> {
        let req = self.get("/api/v1/tenants");
        let req = if q.trim().is_empty() {
            req
        } else {
            req.query(&[("q", q.trim())])
        };
        self.call(req).await
    }

    /// `GET /api/v1/groups`.
    pub async fn groups(&self) -> Result<Vec<GroupView>, ClientError> {
        self.call(self.get("/api/v1/groups")).await
    }

    /// `GET /api/v1/assignees`.
    pub async fn assignees(&self) -> Result<Vec<Assignee>, ClientError> {
        self.call(self.get("/api/v1/assignees")).await
    }

    /// `GET /api/v1/saved-filters`.
    pub async fn saved_filters(&self) -> Result<Vec<SavedFilterView>, ClientError> {
        self.call(self.get("/api/v1/saved-filters")).await
    }

    /// `POST /api/v1/saved-filters`.
    pub async fn save_filter(
        &self,
        req: &SaveFilterRequest,
    ) -> Result<SavedFilterView, ClientError> {
        self.call(self.post("/api/v1/saved-filters", req)).await
    }

    /// `DELETE /api/v1/saved-filters/{id}`.
    pub async fn delete_saved_filter(&self, id: Uuid) -> Result<(), ClientError> {
        let path = format!("/api/v1/saved-filters/{id}");
        self.call_empty(self.request(Method::DELETE, &path)).await
    }
}
