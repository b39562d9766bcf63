//! (c) A write on a ticket someone changed meanwhile is shown as a conflict with what changed;
//! the person sends it anyway or discards it; refusals keep the hub's reason; sign-out wipes
//! the queue and the outbox.

use super::{
    bodies_by, hub_ticket, note, note_elsewhere, open_ticket, queue_rows, reply, set_status, tenant,
};
use crate::helpers::{sign_in, Fixture};
use opsdesk_client::queue::{OutboxResolution, OutboxState, TicketAction};
use opsdesk_client::ClientError;
use opsdesk_core::ticket::{Priority, TicketStatus};
use opsdesk_core::Role;
use opsdesk_hub::testing::{spawn_app, Db};
use opsdesk_proto::QueueQuery;

#[tokio::test]
async fn conflicts_are_shown_then_sent_anyway_or_discarded() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let ana = app.invite(&admin, "ana.agent", Role::Agent).await;
    let acme = tenant(&app, &admin, "Acme").await;
    let a = open_ticket(
        &app,
        &admin,
        &acme,
        "Reports are empty",
        Priority::Medium,
        &[],
    )
    .await;
    let b = open_ticket(&app, &admin, &acme, "Webhooks fail", Priority::Medium, &[]).await;
    let fx = Fixture::new();
    fx.remote_key(&app, &admin.username);
    let desk = fx.connected(&app).await;
    sign_in(&desk, &app, &admin).await;
    desk.sync_now().await.unwrap();

    // Bad input is refused before anything is queued, naming the field.
    match desk.ticket_act(a.id, a.version, reply("   ", None)).await {
        Err(ClientError::InvalidInput { field, .. }) => assert_eq!(field, "body"),
        other => panic!("{other:?}"),
    }
    assert!(desk.sync_now().await.unwrap().outbox.is_empty());

    // Ana notes the ticket while I write my reply on the version I saw.
    let a_now = note_elsewhere(&app, &ana, &a, "Customer sent a screenshot.").await;
    let outcome = desk
        .ticket_act(a.id, a.version, reply("Rebuilt the report cache.", None))
        .await
        .unwrap();
    assert!(outcome.ticket.is_none());
    let conflict = outcome.queued.expect("in the outbox");
    assert_eq!(conflict.state, OutboxState::Conflict);
    assert_eq!(
        conflict.error.as_ref().map(|e| e.code.as_str()),
        Some("version_conflict")
    );
    let shown = conflict.conflict.as_ref().expect("what changed is shown");
    assert_eq!(shown.ticket.version, a_now.version);
    assert_eq!(
        shown
            .new_messages
            .iter()
            .map(|m| m.body.as_str())
            .collect::<Vec<_>>(),
        ["Customer sent a screenshot."]
    );
    // My next write on that ticket waits behind the conflict; other tickets go on.
    let held = desk
        .ticket_act(a.id, a.version, note("Will check again tomorrow."))
        .await
        .unwrap()
        .queued
        .expect("held");
    assert_eq!(held.state, OutboxState::Waiting);
    let other = desk
        .ticket_act(b.id, b.version, note("Retried the deliveries."))
        .await
        .unwrap();
    let b_now = other.ticket.expect("another ticket goes on");
    let status = desk.sync_now().await.unwrap();
    assert_eq!(
        status
            .outbox
            .iter()
            .map(|i| (i.id, i.state))
            .collect::<Vec<_>>(),
        [
            (conflict.id, OutboxState::Conflict),
            (held.id, OutboxState::Waiting)
        ]
    );
    assert_eq!(desk.ticket(a.id).await.unwrap().pending.len(), 2);
    assert!(bodies_by(&app, &admin, a.id, admin.id).await.is_empty());

    // Send anyway: mine goes on top of Ana's note, then the held one follows.
    let status = desk
        .outbox_resolve(conflict.id, OutboxResolution::SendAnyway)
        .await
        .unwrap();
    assert!(status.outbox.is_empty(), "{:?}", status.outbox);
    let conversation: Vec<String> = hub_ticket(&app, &admin, a.id)
        .await
        .messages
        .into_iter()
        .filter(|m| m.author_id.is_some())
        .map(|m| m.body)
        .collect();
    assert_eq!(
        conversation,
        [
            "Customer sent a screenshot.",
            "Rebuilt the report cache.",
            "Will check again tomorrow."
        ]
    );

    // Discard: the write is dropped and the hub never sees it.
    note_elsewhere(&app, &ana, &b_now, "Endpoint was down, it is back.").await;
    let stale = desk
        .ticket_act(
            b.id,
            b_now.version,
            TicketAction::Update {
                status: None,
                priority: Some(Priority::Low),
                tags: None,
            },
        )
        .await
        .unwrap()
        .queued
        .expect("conflict");
    assert_eq!(stale.state, OutboxState::Conflict);
    let status = desk
        .outbox_resolve(stale.id, OutboxResolution::Discard)
        .await
        .unwrap();
    assert!(status.outbox.is_empty());
    assert_eq!(
        hub_ticket(&app, &admin, b.id).await.ticket.priority,
        Priority::Medium
    );

    // A write the hub refuses for another reason is kept with the hub's reason.
    let a_now = hub_ticket(&app, &admin, a.id).await.ticket;
    let refused = desk
        .ticket_act(a.id, a_now.version, set_status(TicketStatus::New))
        .await
        .unwrap()
        .queued
        .expect("refused");
    assert_eq!(refused.state, OutboxState::Refused);
    assert_eq!(
        refused.error.as_ref().map(|e| e.code.as_str()),
        Some("status_transition_not_allowed")
    );
    assert!(matches!(
        desk.outbox_resolve(refused.id + 100, OutboxResolution::Discard)
            .await,
        Err(ClientError::InvalidInput { .. })
    ));

    // Signing out wipes the queue, the outbox with it.
    assert!(queue_rows(&fx).await > 0);
    desk.sign_out().await.unwrap();
    assert_eq!(queue_rows(&fx).await, 0);
    assert_eq!(
        desk.queue(QueueQuery::default()).await.unwrap_err(),
        ClientError::NotSignedIn
    );
}
