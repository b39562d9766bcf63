//! The outbox: ticket writes kept in the cache until the hub accepts them, sent in the order they
//! were made, each once. Every item carries an idempotency key made when it was queued and sent
//! on every retry, so a write whose answer was lost is not applied twice. A conflict or refusal
//! holds the ticket's later writes until the person resolves it; other tickets go on.

use super::cache::TicketCache;
use super::types::{OutboxItem, OutboxState, TicketAction};
use crate::api::ApiClient;
use crate::cache::Cache;
use crate::error::{ClientError, UiError};
use chrono::{DateTime, Utc};
use opsdesk_core::tickets::{check_body, check_reason, check_tags, MessageKind};
use opsdesk_proto::{
    AddMessageRequest, AssignRequest, EscalateRequest, TicketConflict, TicketDetail, TicketSummary,
    UpdateTicketRequest,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const COLUMNS: &str = "id, ticket_id, ticket_number, ticket_subject, base_version, send_version, \
    action, idempotency_key, state, error, conflict, created_at";

/// Checks an action before it is queued, naming the field at fault, so the outbox only holds
/// writes the hub can take.
pub fn check_action(version: i64, action: &TicketAction) -> Result<(), ClientError> {
    if version < 1 {
        return Err(ClientError::invalid(
            "version",
            "must be the ticket's version as shown (1 or more)",
        ));
    }
    match action {
        TicketAction::Reply { body, .. } | TicketAction::Note { body } => {
            check_body(body).map_err(|e| ClientError::invalid("body", e))?;
        }
        TicketAction::Update {
            status,
            priority,
            tags,
        } => {
            if status.is_none() && priority.is_none() && tags.is_none() {
                return Err(ClientError::invalid(
                    "status",
                    "nothing to change: give status, priority or tags",
                ));
            }
            if let Some(tags) = tags {
                check_tags(tags).map_err(|e| ClientError::invalid("tags", e))?;
            }
        }
        TicketAction::Assign { .. } => {}
        TicketAction::Escalate { reason } => {
            check_reason(reason).map_err(|e| ClientError::invalid("reason", e))?;
        }
    }
    Ok(())
}

/// What one flush did.
#[derive(Debug, Default)]
pub struct FlushReport {
    /// The tickets as the hub has them after each accepted item, by item id.
    pub accepted: HashMap<i64, TicketSummary>,
    /// Why sending stopped before the end (hub unreachable, session gone); the item it stopped
    /// at and those after it still wait.
    pub stopped: Option<ClientError>,
}

/// How a refused send is handled.
enum Failure {
    /// Try again later (the hub is unreachable, busy or failing).
    Later,
    /// Someone changed the ticket since the person saw it.
    Conflict(Box<TicketConflict>),
    /// The hub will not take it as it is.
    Refused,
}

fn failure_of(e: &ClientError) -> Failure {
    match e {
        ClientError::Api(api) => {
            if api.status == 409 && api.code == "version_conflict" {
                match api
                    .current
                    .clone()
                    .map(serde_json::from_value::<TicketConflict>)
                {
                    Some(Ok(conflict)) => Failure::Conflict(Box::new(conflict)),
                    _ => Failure::Refused,
                }
            } else if api.status >= 500
                || matches!(api.status, 401 | 408 | 429)
                || api.code == "idempotency_in_progress"
            {
                Failure::Later
            } else {
                Failure::Refused
            }
        }
        ClientError::InvalidInput { .. } => Failure::Refused,
        _ => Failure::Later,
    }
}

/// What the hub answered to an accepted item.
enum Sent {
    Summary(TicketSummary),
    Detail(TicketDetail),
}

impl Sent {
    fn summary(&self) -> &TicketSummary {
        match self {
            Sent::Summary(s) => s,
            Sent::Detail(d) => &d.ticket,
        }
    }
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    ticket_id: String,
    ticket_number: i64,
    ticket_subject: String,
    base_version: i64,
    send_version: Option<i64>,
    action: String,
    idempotency_key: String,
    state: String,
    error: Option<String>,
    conflict: Option<String>,
    created_at: i64,
}

impl OutboxRow {
    fn ticket(&self) -> Result<Uuid, ClientError> {
        Uuid::parse_str(&self.ticket_id)
            .map_err(|_| ClientError::Storage(format!("outbox: bad ticket id {}", self.ticket_id)))
    }

    fn action(&self) -> Result<TicketAction, ClientError> {
        serde_json::from_str(&self.action)
            .map_err(|e| ClientError::Storage(format!("outbox item {}: {e}", self.id)))
    }

    /// The version this item is sent at.
    fn version(&self) -> i64 {
        self.send_version.unwrap_or(self.base_version)
    }

    fn item(&self) -> Result<OutboxItem, ClientError> {
        let state = match self.state.as_str() {
            "conflict" => OutboxState::Conflict,
            "refused" => OutboxState::Refused,
            _ => OutboxState::Waiting,
        };
        Ok(OutboxItem {
            id: self.id,
            ticket_id: self.ticket()?,
            ticket_number: self.ticket_number,
            ticket_subject: self.ticket_subject.clone(),
            base_version: self.base_version,
            action: self.action()?,
            state,
            created_at: DateTime::from_timestamp_millis(self.created_at).unwrap_or_default(),
            error: self
                .error
                .as_deref()
                .and_then(|e| serde_json::from_str::<UiError>(e).ok()),
            conflict: self
                .conflict
                .as_deref()
                .and_then(|c| serde_json::from_str::<TicketConflict>(c).ok()),
        })
    }
}

fn state_name(state: OutboxState) -> &'static str {
    match state {
        OutboxState::Waiting => "waiting",
        OutboxState::Conflict => "conflict",
        OutboxState::Refused => "refused",
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, ClientError> {
    serde_json::to_string(value)
        .map_err(|e| ClientError::Storage(format!("cannot encode for the outbox: {e}")))
}

/// The outbox table of the local cache.
#[derive(Debug, Clone)]
pub struct Outbox {
    cache: Cache,
}

impl Outbox {
    /// The outbox kept in `cache`.
    pub fn new(cache: Cache) -> Self {
        Outbox { cache }
    }

    /// Queues `action` on `ticket` at the version the person saw, with a new idempotency key.
    pub async fn enqueue(
        &self,
        epoch: u64,
        ticket: &TicketSummary,
        version: i64,
        action: &TicketAction,
    ) -> Result<OutboxItem, ClientError> {
        let current = self.cache.epoch_lock().await;
        if *current != epoch {
            return Err(ClientError::NotSignedIn);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (ticket_id, ticket_number, ticket_subject, base_version, action, \
             idempotency_key, state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'waiting', ?7) \
             RETURNING id",
        )
        .bind(ticket.id.to_string())
        .bind(ticket.number)
        .bind(&ticket.subject)
        .bind(version)
        .bind(json(action)?)
        .bind(Uuid::new_v4().to_string())
        .bind(Utc::now().timestamp_millis())
        .fetch_one(self.cache.pool())
        .await?;
        drop(current);
        self.item(id)
            .await?
            .ok_or_else(|| ClientError::Storage("the queued write vanished".into()))
    }

    /// Every item, oldest first.
    pub async fn items(&self) -> Result<Vec<OutboxItem>, ClientError> {
        let rows: Vec<OutboxRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox ORDER BY id"))
                .fetch_all(self.cache.pool())
                .await?;
        rows.iter().map(OutboxRow::item).collect()
    }

    /// The items of one ticket, oldest first.
    pub async fn items_for(&self, ticket: Uuid) -> Result<Vec<OutboxItem>, ClientError> {
        let rows: Vec<OutboxRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE ticket_id = ?1 ORDER BY id"
        ))
        .bind(ticket.to_string())
        .fetch_all(self.cache.pool())
        .await?;
        rows.iter().map(OutboxRow::item).collect()
    }

    /// One item, if it is still there.
    pub async fn item(&self, id: i64) -> Result<Option<OutboxItem>, ClientError> {
        self.row(id)
            .await?
            .as_ref()
            .map(OutboxRow::item)
            .transpose()
    }

    async fn row(&self, id: i64) -> Result<Option<OutboxRow>, ClientError> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"))
                .bind(id)
                .fetch_optional(self.cache.pool())
                .await?,
        )
    }

    /// Drops an item; false when it was not there.
    pub async fn discard(&self, id: i64) -> Result<bool, ClientError> {
        let done = sqlx::query("DELETE FROM outbox WHERE id = ?1")
            .bind(id)
            .execute(self.cache.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Puts an item in conflict or refused back in line at `version` with a new idempotency key
    /// (the old one belongs to the request the hub refused).
    pub async fn retry_at(&self, id: i64, version: i64) -> Result<bool, ClientError> {
        let done = sqlx::query(
            "UPDATE outbox SET send_version = ?2, idempotency_key = ?3, state = 'waiting', \
             error = NULL, conflict = NULL WHERE id = ?1",
        )
        .bind(id)
        .bind(version)
        .bind(Uuid::new_v4().to_string())
        .execute(self.cache.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The next waiting item after `after` whose ticket is not held.
    async fn next_waiting(
        &self,
        after: i64,
        held: &HashSet<String>,
    ) -> Result<Option<OutboxRow>, ClientError> {
        let mut after = after;
        loop {
            let row: Option<OutboxRow> = sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM outbox WHERE state = 'waiting' AND id > ?1 \
                 ORDER BY id LIMIT 1"
            ))
            .bind(after)
            .fetch_optional(self.cache.pool())
            .await?;
            match row {
                Some(r) if held.contains(&r.ticket_id) => after = r.id,
                other => return Ok(other),
            }
        }
    }

    /// Sends the waiting items in order. Stops at the first that cannot reach the hub (it and
    /// the rest keep waiting); a conflict or refusal marks the item and holds that ticket's later
    /// items; accepted items leave the outbox and the tickets they changed are cached.
    pub async fn flush(&self, api: &ApiClient, tickets: &TicketCache, epoch: u64) -> FlushReport {
        let mut report = FlushReport::default();
        if let Err(e) = self.flush_into(api, tickets, epoch, &mut report).await {
            report.stopped = Some(e);
        }
        report
    }

    async fn flush_into(
        &self,
        api: &ApiClient,
        tickets: &TicketCache,
        epoch: u64,
        report: &mut FlushReport,
    ) -> Result<(), ClientError> {
        let mut held: HashSet<String> = sqlx::query_scalar::<_, String>(
            "SELECT DISTINCT ticket_id FROM outbox WHERE state <> 'waiting'",
        )
        .fetch_all(self.cache.pool())
        .await?
        .into_iter()
        .collect();
        let mut after = 0;
        while let Some(row) = self.next_waiting(after, &held).await? {
            after = row.id;
            match send(api, &row).await {
                Ok(sent) => {
                    self.accepted(&row, sent.summary()).await?;
                    match &sent {
                        Sent::Detail(d) => tickets.store_detail(epoch, d).await?,
                        Sent::Summary(s) => {
                            tickets.store(epoch, std::slice::from_ref(s), None).await?;
                        }
                    }
                    report.accepted.insert(row.id, sent.summary().clone());
                }
                Err(e) => match failure_of(&e) {
                    Failure::Later => return Err(e),
                    Failure::Conflict(conflict) => {
                        self.mark(
                            row.id,
                            OutboxState::Conflict,
                            &e.to_ui(),
                            Some(conflict.as_ref()),
                        )
                        .await?;
                        tickets
                            .store(epoch, std::slice::from_ref(&conflict.ticket), None)
                            .await?;
                        held.insert(row.ticket_id.clone());
                    }
                    Failure::Refused => {
                        self.mark(row.id, OutboxState::Refused, &e.to_ui(), None)
                            .await?;
                        held.insert(row.ticket_id.clone());
                    }
                },
            }
        }
        Ok(())
    }

    /// Removes an accepted item. The ticket's later items that were written on the same view
    /// of it build on this write, not against it: they move to the version it made.
    async fn accepted(&self, row: &OutboxRow, now: &TicketSummary) -> Result<(), ClientError> {
        let sent = row.version();
        // The hub answers a replayed key with the ticket as it is now, which may include other
        // people's later changes; this write made at most one version.
        let made = now.version.min(sent + 1);
        let mut tx = self.cache.pool().begin().await?;
        sqlx::query("DELETE FROM outbox WHERE id = ?1")
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE outbox SET send_version = ?1 WHERE ticket_id = ?2 AND id > ?3 \
             AND state = 'waiting' AND COALESCE(send_version, base_version) IN (?4, ?5)",
        )
        .bind(made)
        .bind(&row.ticket_id)
        .bind(row.id)
        .bind(row.base_version)
        .bind(sent)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn mark(
        &self,
        id: i64,
        state: OutboxState,
        error: &UiError,
        conflict: Option<&TicketConflict>,
    ) -> Result<(), ClientError> {
        sqlx::query("UPDATE outbox SET state = ?2, error = ?3, conflict = ?4 WHERE id = ?1")
            .bind(id)
            .bind(state_name(state))
            .bind(json(error)?)
            .bind(conflict.map(json).transpose()?)
            .execute(self.cache.pool())
            .await?;
        Ok(())
    }
}

/// Sends one item with its idempotency key at its version.
async fn send(api: &ApiClient, row: &OutboxRow) -> Result<Sent, ClientError> {
    let id = row.ticket()?;
    let version = row.version();
    let key = row.idempotency_key.as_str();
    match row.action()? {
        TicketAction::Reply { body, status } => {
            let req = AddMessageRequest {
                version,
                kind: MessageKind::Reply,
                body,
                status,
            };
            api.add_message(id, &req, key).await.map(Sent::Detail)
        }
        TicketAction::Note { body } => {
            let req = AddMessageRequest {
                version,
                kind: MessageKind::Note,
                body,
                status: None,
            };
            api.add_message(id, &req, key).await.map(Sent::Detail)
        }
        TicketAction::Update {
            status,
            priority,
            tags,
        } => {
            let req = UpdateTicketRequest {
                version,
                status,
                priority,
                tags,
            };
            api.update_ticket(id, &req, key).await.map(Sent::Summary)
        }
        TicketAction::Assign { to } => {
            let req = AssignRequest { version, to };
            api.assign_ticket(id, &req, key).await.map(Sent::Summary)
        }
        TicketAction::Escalate { reason } => {
            let req = EscalateRequest { version, reason };
            api.escalate_ticket(id, &req, key).await.map(Sent::Summary)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdesk_proto::{ApiError, TicketStatus};

    #[test]
    fn actions_are_checked_before_they_are_queued() {
        let field = |version: i64, action: TicketAction| match check_action(version, &action) {
            Err(ClientError::InvalidInput { field, .. }) => Some(field),
            Ok(()) => None,
            Err(other) => panic!("{other:?}"),
        };
        let reply = |body: &str| TicketAction::Reply {
            body: body.into(),
            status: None,
        };
        assert_eq!(field(1, reply("Thanks, looking into it")), None);
        assert_eq!(field(1, reply("   ")).as_deref(), Some("body"));
        assert_eq!(field(0, reply("hi")).as_deref(), Some("version"));
        assert_eq!(
            field(
                1,
                TicketAction::Note {
                    body: "\u{7}".into()
                }
            )
            .as_deref(),
            Some("body")
        );
        let nothing = TicketAction::Update {
            status: None,
            priority: None,
            tags: None,
        };
        assert_eq!(field(3, nothing).as_deref(), Some("status"));
        let bad_tags = TicketAction::Update {
            status: Some(TicketStatus::Pending),
            priority: None,
            tags: Some(vec!["no spaces".into()]),
        };
        assert_eq!(field(3, bad_tags).as_deref(), Some("tags"));
        let why = |reason: &str| TicketAction::Escalate {
            reason: reason.into(),
        };
        assert_eq!(field(2, why(" ")).as_deref(), Some("reason"));
        assert_eq!(field(2, why(&"x".repeat(501))).as_deref(), Some("reason"));
        assert_eq!(field(2, why("customer is down")), None);
    }

    #[test]
    fn only_unreachable_or_failing_hubs_keep_an_item_waiting() {
        let api = |status: u16, code: &str| ClientError::from(ApiError::new(status, code, "x"));
        let unreachable = ClientError::Unreachable {
            url: "http://hub".into(),
            detail: "refused".into(),
        };
        assert!(matches!(failure_of(&unreachable), Failure::Later));
        assert!(matches!(
            failure_of(&api(503, "unavailable")),
            Failure::Later
        ));
        assert!(matches!(
            failure_of(&api(429, "rate_limited")),
            Failure::Later
        ));
        assert!(matches!(
            failure_of(&api(409, "idempotency_in_progress")),
            Failure::Later
        ));
        assert!(matches!(
            failure_of(&api(422, "status_transition_not_allowed")),
            Failure::Refused
        ));
        assert!(matches!(
            failure_of(&api(403, "permission_denied")),
            Failure::Refused
        ));
        // A conflict without the ticket attached cannot be shown as one: refused, with its text.
        assert!(matches!(
            failure_of(&api(409, "version_conflict")),
            Failure::Refused
        ));
    }
}
