//! The hub's ticket endpoints as typed calls: the changes feed, one ticket, every write (each
//! with its `Idempotency-Key`), presence, search, tenants, groups, assignees and saved filters.

use super::ApiClient;
use crate::error::ClientError;
use opsdesk_proto::{
    AddMessageRequest, AssignRequest, Assignee, ChangesPage, ChangesQuery, CreateTicketRequest,
    EscalateRequest, GroupView, Page, PresenceMode, PresenceRequest, PresenceView,
    SaveFilterRequest, SavedFilterView, SearchHit, SearchQuery, TenantQuery, TenantView,
    TicketDetail, TicketSummary, UpdateTicketRequest,
};
use uuid::Uuid;

impl ApiClient {
    /// `GET /api/v1/tickets/changes?since=&limit=`.
    pub async fn ticket_changes(&self, since: i64, limit: u32) -> Result<ChangesPage, ClientError> {
        let q = ChangesQuery {
            since: Some(since),
            limit: Some(limit),
        };
        self.lift(self.hub.ticket_changes(&q).await)
    }

    /// `GET /api/v1/tickets/{id}`.
    pub async fn ticket(&self, id: Uuid) -> Result<TicketDetail, ClientError> {
        self.lift(self.hub.ticket(id).await)
    }

    /// `POST /api/v1/tickets`.
    pub async fn create_ticket(
        &self,
        req: &CreateTicketRequest,
        key: &str,
    ) -> Result<TicketSummary, ClientError> {
        self.lift(self.hub.create_ticket(req, Some(key)).await)
    }

    /// `PATCH /api/v1/tickets/{id}`.
    pub async fn update_ticket(
        &self,
        id: Uuid,
        req: &UpdateTicketRequest,
        key: &str,
    ) -> Result<TicketSummary, ClientError> {
        self.lift(self.hub.update_ticket(id, req, Some(key)).await)
    }

    /// `POST /api/v1/tickets/{id}/messages`: answers with the whole ticket.
    pub async fn add_message(
        &self,
        id: Uuid,
        req: &AddMessageRequest,
        key: &str,
    ) -> Result<TicketDetail, ClientError> {
        self.lift(self.hub.add_message(id, req, Some(key)).await)
    }

    /// `POST /api/v1/tickets/{id}/assign`.
    pub async fn assign_ticket(
        &self,
        id: Uuid,
        req: &AssignRequest,
        key: &str,
    ) -> Result<TicketSummary, ClientError> {
        self.lift(self.hub.assign_ticket(id, req, Some(key)).await)
    }

    /// `POST /api/v1/tickets/{id}/escalate`.
    pub async fn escalate_ticket(
        &self,
        id: Uuid,
        req: &EscalateRequest,
        key: &str,
    ) -> Result<TicketSummary, ClientError> {
        self.lift(self.hub.escalate_ticket(id, req, Some(key)).await)
    }

    /// `PUT /api/v1/tickets/{id}/presence`: the others on the ticket.
    pub async fn ticket_presence(
        &self,
        id: Uuid,
        mode: PresenceMode,
    ) -> Result<Vec<PresenceView>, ClientError> {
        self.lift(
            self.hub
                .ticket_presence(id, &PresenceRequest { mode })
                .await,
        )
    }

    /// `GET /api/v1/tickets/search?q=`.
    pub async fn search_tickets(&self, q: &str) -> Result<Vec<SearchHit>, ClientError> {
        let q = SearchQuery {
            q: q.to_owned(),
            limit: None,
        };
        self.lift(self.hub.search_tickets(&q).await)
    }

    /// `GET /api/v1/tenants?q=`.
    pub async fn tenants(&self, q: &str) -> Result<Page<TenantView>, ClientError> {
        let q = TenantQuery {
            q: Some(q.trim().to_owned()).filter(|q| !q.is_empty()),
            ..TenantQuery::default()
        };
        self.lift(self.hub.tenants(&q).await)
    }

    /// `GET /api/v1/groups`.
    pub async fn groups(&self) -> Result<Vec<GroupView>, ClientError> {
        self.lift(self.hub.groups().await)
    }

    /// `GET /api/v1/assignees`.
    pub async fn assignees(&self) -> Result<Vec<Assignee>, ClientError> {
        self.lift(self.hub.assignees().await)
    }

    /// `GET /api/v1/saved-filters`.
    pub async fn saved_filters(&self) -> Result<Vec<SavedFilterView>, ClientError> {
        self.lift(self.hub.saved_filters().await)
    }

    /// `POST /api/v1/saved-filters`.
    pub async fn save_filter(
        &self,
        req: &SaveFilterRequest,
    ) -> Result<SavedFilterView, ClientError> {
        self.lift(self.hub.save_filter(req).await)
    }

    /// `DELETE /api/v1/saved-filters/{id}`.
    pub async fn delete_saved_filter(&self, id: Uuid) -> Result<(), ClientError> {
        self.lift(self.hub.delete_saved_filter(id).await)
    }
}
