//! Tickets: the queue, counts, search, the changes feed, one ticket and every write on it (each
//! with its optional `Idempotency-Key`), presence.

use crate::{routes, HubClient, HubResult};
use opsdesk_proto::{
    AddMessageRequest, AssignRequest, BulkEditRequest, BulkEditResult, ChangesPage, ChangesQuery,
    CreateTicketRequest, EscalateRequest, MergeRequest, Page, PresenceRequest, PresenceView,
    QueueCounts, QueueQuery, SearchHit, SearchQuery, TicketDetail, TicketSummary,
    UpdateTicketRequest,
};
use reqwest::Method;
use uuid::Uuid;

impl HubClient {
    /// `GET /api/v1/tickets`: one page of a queue view.
    pub async fn queue_page(&self, q: &QueueQuery) -> HubResult<Page<TicketSummary>> {
        self.send_json(self.get_query(routes::TICKETS, q)).await
    }

    /// `POST /api/v1/tickets`.
    pub async fn create_ticket(
        &self,
        req: &CreateTicketRequest,
        key: Option<&str>,
    ) -> HubResult<TicketSummary> {
        self.send_json(self.write(Method::POST, routes::TICKETS, Some(req), key))
            .await
    }

    /// `GET /api/v1/tickets/counts`.
    pub async fn ticket_counts(&self) -> HubResult<QueueCounts> {
        self.send_json(self.get(routes::TICKET_COUNTS)).await
    }

    /// `GET /api/v1/tickets/search`.
    pub async fn search_tickets(&self, q: &SearchQuery) -> HubResult<Vec<SearchHit>> {
        self.send_json(self.get_query(routes::TICKET_SEARCH, q))
            .await
    }

    /// `GET /api/v1/tickets/changes`.
    pub async fn ticket_changes(&self, q: &ChangesQuery) -> HubResult<ChangesPage> {
        self.send_json(self.get_query(routes::TICKET_CHANGES, q))
            .await
    }

    /// `POST /api/v1/tickets/bulk`.
    pub async fn bulk_edit(
        &self,
        req: &BulkEditRequest,
        key: Option<&str>,
    ) -> HubResult<BulkEditResult> {
        self.send_json(self.write(Method::POST, routes::TICKETS_BULK, Some(req), key))
            .await
    }

    /// `GET /api/v1/tickets/{id}`.
    pub async fn ticket(&self, id: Uuid) -> HubResult<TicketDetail> {
        self.send_json(self.get(&routes::ticket(id))).await
    }

    /// `PATCH /api/v1/tickets/{id}`.
    pub async fn update_ticket(
        &self,
        id: Uuid,
        req: &UpdateTicketRequest,
        key: Option<&str>,
    ) -> HubResult<TicketSummary> {
        self.send_json(self.write(Method::PATCH, &routes::ticket(id), Some(req), key))
            .await
    }

    /// `POST /api/v1/tickets/{id}/messages`: answers with the whole ticket.
    pub async fn add_message(
        &self,
        id: Uuid,
        req: &AddMessageRequest,
        key: Option<&str>,
    ) -> HubResult<TicketDetail> {
        let path = routes::ticket_messages(id);
        self.send_json(self.write(Method::POST, &path, Some(req), key))
            .await
    }

    /// `POST /api/v1/tickets/{id}/assign`.
    pub async fn assign_ticket(
        &self,
        id: Uuid,
        req: &AssignRequest,
        key: Option<&str>,
    ) -> HubResult<TicketSummary> {
        let path = routes::ticket_assign(id);
        self.send_json(self.write(Method::POST, &path, Some(req), key))
            .await
    }

    /// `POST /api/v1/tickets/{id}/escalate`.
    pub async fn escalate_ticket(
        &self,
        id: Uuid,
        req: &EscalateRequest,
        key: Option<&str>,
    ) -> HubResult<TicketSummary> {
        let path = routes::ticket_escalate(id);
        self.send_json(self.write(Method::POST, &path, Some(req), key))
            .await
    }

    /// `POST /api/v1/tickets/{id}/merge`: merges ticket `id` into `req.into`.
    pub async fn merge_ticket(
        &self,
        id: Uuid,
        req: &MergeRequest,
        key: Option<&str>,
    ) -> HubResult<TicketSummary> {
        let path = routes::ticket_merge(id);
        self.send_json(self.write(Method::POST, &path, Some(req), key))
            .await
    }

    /// `PUT /api/v1/tickets/{id}/presence`: the others on the ticket.
    pub async fn ticket_presence(
        &self,
        id: Uuid,
        req: &PresenceRequest,
    ) -> HubResult<Vec<PresenceView>> {
        self.send_json(self.json(Method::PUT, &routes::ticket_presence(id), req))
            .await
    }
}
