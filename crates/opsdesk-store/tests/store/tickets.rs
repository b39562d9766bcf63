//! The ticket store on both databases: versioned writes all or nothing, the changes feed in
//! order, the SLA claim taken once, queue keyset pages, and search.

use crate::harness::{admin, t, work};
use opsdesk_core::sla::{SlaClock, SlaStage, SlaState};
use opsdesk_core::ticket::{EscalationLevel, MessageKind, Priority, QueueSort, TicketStatus};
use opsdesk_proto::TenantStatus;
use opsdesk_store::*;
use std::sync::Arc;
use uuid::Uuid;

store_tests!(
    a_stale_write_changes_nothing,
    the_feed_and_pages_follow_their_order,
    the_sla_claim_hands_each_ticket_out_once,
    search_finds_subject_and_conversation_words
);

/// A new active tenant named Acme (slug `acme-<random>`).
pub(crate) async fn tenant(store: &Arc<dyn Store>) -> Uuid {
    let id = Uuid::new_v4();
    store
        .create_tenant(
            &admin(),
            id,
            TenantDraft {
                name: "Acme".into(),
                slug: format!("acme-{}", &id.simple().to_string()[..6]),
                plan: "pro".into(),
                status: TenantStatus::Active,
            },
            t(0),
            Effects::default(),
        )
        .await
        .expect("tenant");
    id
}

/// A new ticket's state.
pub(crate) fn state(tenant: Uuid, subject: &str, at: i64, due: Option<i64>) -> TicketState {
    TicketState {
        id: Uuid::new_v4(),
        tenant_id: tenant,
        requester_name: "Rita".into(),
        requester_email: "rita@example.com".into(),
        subject: subject.into(),
        status: TicketStatus::New,
        priority: Priority::Medium,
        assignee_id: None,
        group_id: None,
        tags: vec!["billing".into()],
        escalation_level: EscalationLevel::L1,
        sla: SlaClock {
            active_ms: 0,
            running_since: Some(t(at)),
            stage: SlaStage::FirstResponse,
            state: SlaState::Ok,
        },
        sla_due_at: due.map(t),
        sla_check_at: due.map(t),
        first_responded_at: None,
        solved_at: None,
        merged_into: None,
        created_at: t(at),
        updated_at: t(at),
    }
}

fn new_write(s: TicketState, body: &str) -> TicketWrite {
    TicketWrite {
        expected_version: None,
        messages: vec![NewMessage {
            id: Uuid::new_v4(),
            kind: MessageKind::Reply,
            author_id: None,
            author_name: "Rita".into(),
            body: body.into(),
            created_at: s.created_at,
        }],
        state: s,
        history: HistoryDraft {
            actor: "system".into(),
            actor_name: "Opsdesk".into(),
            changes: Vec::new(),
        },
    }
}

/// Creates a ticket.
pub(crate) async fn create(store: &Arc<dyn Store>, s: TicketState, body: &str) -> TicketRecord {
    store
        .write_tickets(
            &work(),
            vec![new_write(s, body)],
            None,
            None,
            Effects::default(),
        )
        .await
        .expect("create")
        .remove(0)
}

async fn a_stale_write_changes_nothing(store: Arc<dyn Store>) {
    let tn = tenant(&store).await;
    let a = create(&store, state(tn, "One", 0, Some(600)), "first").await;
    let b = create(&store, state(tn, "Two", 1, Some(600)), "second").await;
    let mut sa = state(tn, "One", 0, Some(600));
    sa.id = a.id();
    sa.priority = Priority::High;
    let mut sb = state(tn, "Two", 1, Some(600));
    sb.id = b.id();
    sb.priority = Priority::High;
    let write = |s: TicketState, v: i64| TicketWrite {
        expected_version: Some(v),
        ..new_write(s, "more")
    };
    // The second ticket's version is stale: neither ticket nor any message is written.
    let err = store
        .write_tickets(
            &work(),
            vec![write(sa.clone(), 1), write(sb.clone(), 7)],
            None,
            None,
            Effects::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::VersionConflict), "{err:?}");
    let a_now = store.ticket_by_id(a.id()).await.unwrap().unwrap();
    assert_eq!(
        (a_now.summary.version, a_now.summary.priority),
        (1, Priority::Medium)
    );
    assert_eq!(store.ticket_messages(a.id()).await.unwrap().len(), 1);
    let saved = store
        .write_tickets(
            &work(),
            vec![write(sa, 1), write(sb, 1)],
            None,
            None,
            Effects::default(),
        )
        .await
        .unwrap();
    assert!(saved
        .iter()
        .all(|t| t.summary.version == 2 && t.summary.priority == Priority::High));
    // An idempotency key is recorded once; a second write with it is refused.
    let idem = |key: &str| IdempotencyDraft {
        principal: "staff:x".into(),
        key: key.into(),
        request_hash: "h".into(),
        result: serde_json::json!({"tickets": [a.id()]}),
        at: t(5),
    };
    let agent = work();
    let record_k1 = || {
        let key = Some(idem("k1"));
        store.write_tickets(&agent, Vec::new(), None, key, Effects::default())
    };
    record_k1().await.unwrap();
    let dup = record_k1().await.unwrap_err();
    assert!(matches!(
        dup,
        StoreError::Duplicate {
            field: "idempotency_key"
        }
    ));
    assert_eq!(
        store
            .idempotency_result("staff:x", "k1")
            .await
            .unwrap()
            .unwrap()
            .request_hash,
        "h"
    );
}

async fn the_feed_and_pages_follow_their_order(store: Arc<dyn Store>) {
    let tn = tenant(&store).await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(
            create(
                &store,
                state(tn, &format!("T{i}"), i, Some(1000 - i * 10)),
                "x",
            )
            .await,
        );
    }
    let feed = store.ticket_changes(0, 100).await.unwrap();
    let seqs: Vec<i64> = feed.iter().map(|t| t.summary.change_seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let tail = store.ticket_changes(seqs[4], 100).await.unwrap();
    assert_eq!(tail.len(), 2);
    // SLA-due pages: earliest due first, the cursor continues exactly after the last row.
    let spec = TicketSpec {
        open: Some(true),
        ..TicketSpec::default()
    };
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .queue_page(&QueuePage {
                spec: spec.clone(),
                sort: QueueSort::SlaDue,
                after,
                limit: 3,
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|r| cursor_of(r, QueueSort::SlaDue));
        seen.extend(page.into_iter().map(|r| r.id()));
    }
    let expected: Vec<Uuid> = made.iter().rev().map(|r| r.id()).collect();
    assert_eq!(seen, expected);
    assert_eq!(store.count_tickets(&spec).await.unwrap(), 7);
    let tagged = TicketSpec {
        tag: Some("billing".into()),
        ..spec
    };
    assert_eq!(store.count_tickets(&tagged).await.unwrap(), 7);
}

async fn the_sla_claim_hands_each_ticket_out_once(store: Arc<dyn Store>) {
    let tn = tenant(&store).await;
    for i in 0..20 {
        create(
            &store,
            state(tn, &format!("Due {i}"), 0, Some(100 + i)),
            "x",
        )
        .await;
    }
    create(&store, state(tn, "Later", 0, Some(10_000)), "x").await;
    // Two jobs claim at once: together they get every due ticket, none twice.
    let (a, b) = tokio::join!(
        store.claim_sla_checks(t(500), t(560), 15),
        store.claim_sla_checks(t(500), t(560), 15)
    );
    let mut ids: Vec<Uuid> = a
        .unwrap()
        .iter()
        .chain(b.unwrap().iter())
        .map(|r| r.id())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((n, ids.len()), (20, 20));
    // Leased: nothing more is due until the lease ends.
    assert!(store
        .claim_sla_checks(t(520), t(580), 50)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .claim_sla_checks(t(561), t(620), 50)
            .await
            .unwrap()
            .len(),
        20
    );
}

async fn search_finds_subject_and_conversation_words(store: Arc<dyn Store>) {
    let tn = tenant(&store).await;
    let subject = create(&store, state(tn, "Invoice overdue", 0, None), "please help").await;
    let body = create(
        &store,
        state(tn, "Question", 1, None),
        "my invoice is wrong",
    )
    .await;
    create(&store, state(tn, "Other", 2, None), "password reset").await;
    let hits = store.search_tickets("invoice", 10).await.unwrap();
    let ids: Vec<Uuid> = hits.iter().map(|(r, _)| r.id()).collect();
    assert_eq!(ids, vec![subject.id(), body.id()]);
    assert!(store
        .search_tickets("-invoice", 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store.search_tickets("\"unclosed", 10).await.is_ok());
}
