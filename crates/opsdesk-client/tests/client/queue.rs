//! The ticket queue through the desk against a real hub: the first and incremental sync into the
//! cache and views that list what the hub lists (`queue/views.rs`); offline writes that survive
//! a hub restart (and an app restart) and arrive once each, in order, even when an answer was
//! lost (`queue/offline.rs`); conflicts and refusals shown in the outbox and resolved, and
//! sign-out wiping the queue (`queue/conflicts.rs`). This file holds what they share: the hub
//! as other people use it, and reading whole queues page by page.

mod conflicts;
mod offline;
mod views;

use crate::helpers::Fixture;
use opsdesk_client::queue::{QueueScreen, TicketAction};
use opsdesk_client::Desk;
use opsdesk_core::ticket::{MessageKind, Priority, TicketStatus};
use opsdesk_hub::testing::{Person, TestApp};
use opsdesk_proto::{ApiError, Page, QueueQuery, TenantView, TicketDetail, TicketSummary};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

// ---- the hub side, as other people and the platform use it -------------------------------------

pub async fn tenant(app: &TestApp, admin: &Person, name: &str) -> TenantView {
    let slug = name.to_lowercase();
    app.post(
        "/api/v1/tenants",
        Some(&admin.token),
        &json!({"name": name, "slug": slug, "plan": "pro"}),
    )
    .await
    .expect("tenant created")
}

pub async fn open_ticket(
    app: &TestApp,
    by: &Person,
    tenant: &TenantView,
    subject: &str,
    priority: Priority,
    tags: &[&str],
) -> TicketSummary {
    app.post(
        "/api/v1/tickets",
        Some(&by.token),
        &json!({"tenant_id": tenant.id, "requester_name": "Rita Requester",
                "requester_email": "rita@example.com", "subject": subject,
                "body": "It stopped working this morning.", "priority": priority, "tags": tags}),
    )
    .await
    .expect("ticket opened")
}

pub async fn hub_write<B: Serialize, R: DeserializeOwned>(
    app: &TestApp,
    by: &Person,
    method: reqwest::Method,
    path: &str,
    body: &B,
) -> Result<R, ApiError> {
    let req = app
        .http
        .request(method, app.url(path))
        .bearer_auth(&by.token)
        .json(body);
    app.send(req).await
}

pub async fn note_elsewhere(
    app: &TestApp,
    by: &Person,
    t: &TicketSummary,
    body: &str,
) -> TicketSummary {
    let detail: TicketDetail = hub_write(
        app,
        by,
        reqwest::Method::POST,
        &format!("/api/v1/tickets/{}/messages", t.id),
        &json!({"version": t.version, "kind": "note", "body": body}),
    )
    .await
    .expect("note added on the hub");
    detail.ticket
}

pub async fn hub_ticket(app: &TestApp, by: &Person, id: Uuid) -> TicketDetail {
    app.get(&format!("/api/v1/tickets/{id}"), &by.token)
        .await
        .expect("ticket on the hub")
}

/// The bodies `author` wrote on a ticket, in the hub's order.
pub async fn bodies_by(app: &TestApp, by: &Person, id: Uuid, author: Uuid) -> Vec<String> {
    hub_ticket(app, by, id)
        .await
        .messages
        .into_iter()
        .filter(|m| m.author_id == Some(author) && m.kind != MessageKind::System)
        .map(|m| m.body)
        .collect()
}

/// Every page of a queue as the hub lists it for `by`, seven at a time.
pub async fn hub_queue(app: &TestApp, by: &Person, q: &QueueQuery) -> Vec<TicketSummary> {
    let mut q = QueueQuery {
        limit: Some(7),
        ..q.clone()
    };
    let mut all = Vec::new();
    loop {
        let req = app
            .http
            .get(app.url("/api/v1/tickets"))
            .query(&q)
            .bearer_auth(&by.token);
        let page: Page<TicketSummary> = app.send(req).await.expect("hub queue page");
        all.extend(page.items);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return all,
        }
    }
}

/// Every page of a queue as the desk reads it from its cache, seven at a time.
pub async fn desk_queue(desk: &Desk, q: &QueueQuery) -> (Vec<TicketSummary>, QueueScreen) {
    let mut q = QueueQuery {
        limit: Some(7),
        ..q.clone()
    };
    let mut all = Vec::new();
    loop {
        let screen = desk.queue(q.clone()).await.expect("desk queue page");
        all.extend(screen.items.clone());
        match screen.next_cursor.clone() {
            Some(c) => q.cursor = Some(c),
            None => return (all, screen),
        }
    }
}

/// Row counts of the queue's tables in the cache file.
pub async fn queue_rows(fx: &Fixture) -> i64 {
    let url = format!(
        "sqlite://{}",
        fx.paths.data_dir.join("cache.sqlite").display()
    );
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open cache");
    let mut total = 0;
    for table in [
        "tickets",
        "ticket_tags",
        "outbox",
        "ticket_details",
        "sync_cursor",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .expect("count");
        total += n;
    }
    pool.close().await;
    total
}

pub fn reply(body: &str, status: Option<TicketStatus>) -> TicketAction {
    TicketAction::Reply {
        body: body.into(),
        status,
    }
}

pub fn note(body: &str) -> TicketAction {
    TicketAction::Note { body: body.into() }
}

pub fn set_status(status: TicketStatus) -> TicketAction {
    TicketAction::Update {
        status: Some(status),
        priority: None,
        tags: None,
    }
}
