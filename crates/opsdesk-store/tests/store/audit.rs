//! The audit chain: effects land with their action, entries chain and filter, concurrent
//! writers keep the sequence contiguous.

use crate::harness::*;
use opsdesk_core::audit::{entry_hash, AuditFields, GENESIS_HASH};
use opsdesk_core::staff::Severity;
use opsdesk_core::Role;
use opsdesk_store::*;
use std::sync::Arc;

store_tests!(
    effects_land_with_their_action_or_not_at_all,
    entries_chain_filter_and_page,
    concurrent_appends_keep_one_contiguous_chain,
);

async fn effects_land_with_their_action_or_not_at_all(store: Arc<dyn Store>) {
    assert_eq!(
        store.verify_audit().await.unwrap(),
        ChainReport {
            checked: 0,
            first_break: None
        }
    );
    let alice = enrolled(&*store, "alice", Role::Agent).await;
    let two = Effects {
        audit: vec![
            entry("staff:admin", "staff.role_changed", "staff:alice", t(50)),
            entry("staff:admin", "session.ended", "staff:alice", t(50)),
        ],
        security: vec![event("role_changed", Severity::Medium, t(50))],
        ..Default::default()
    };
    store
        .change_role(
            &admin(),
            alice.staff.id,
            2,
            Role::Manager,
            t(50),
            two.clone(),
        )
        .await
        .unwrap();
    assert_eq!(audit_len(&*store).await, 4);
    let events = all_events(&*store).await;
    assert_eq!(events, two.security);

    // Refused: the version is stale now. Neither the change nor its effects are written.
    let err = store
        .change_role(&admin(), alice.staff.id, 2, Role::Admin, t(60), two)
        .await;
    assert!(matches!(err, Err(StoreError::VersionConflict)), "{err:?}");
    assert_eq!(audit_len(&*store).await, 4);
    assert_eq!(all_events(&*store).await.len(), 1);
    assert_eq!(
        store
            .staff_by_id(alice.staff.id)
            .await
            .unwrap()
            .unwrap()
            .role,
        Role::Manager
    );

    // Effects on their own.
    store
        .record(Effects::audit(entry(
            "staff:bob",
            "audit.verified",
            "audit",
            t(70),
        )))
        .await
        .unwrap();
    store.record(Effects::default()).await.unwrap();
    assert_eq!(audit_len(&*store).await, 5);
}

async fn entries_chain_filter_and_page(store: Arc<dyn Store>) {
    let actors = ["staff:a", "staff:b"];
    let actions = ["auth.sign_in", "staff.role_changed", "session.ended"];
    let mut drafts = Vec::new();
    for i in 0..12i64 {
        let mut draft = entry(
            actors[(i % 2) as usize],
            actions[(i % 3) as usize],
            &format!("staff:t{}", i % 4),
            t(10 * i),
        );
        draft.details =
            serde_json::json!({"i": i, "text": "ünïcode \"quoted\"", "z": null, "a": 1.5});
        drafts.push(draft);
    }
    // Several entries in one call, the rest one by one.
    store
        .record(Effects {
            audit: drafts[..3].to_vec(),
            security: vec![],
            ..Default::default()
        })
        .await
        .unwrap();
    for draft in &drafts[3..] {
        store.record(Effects::audit(draft.clone())).await.unwrap();
    }

    let all = store
        .list_audit(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=12).rev().collect::<Vec<_>>()
    );
    let mut prev = GENESIS_HASH.to_owned();
    for (stored, draft) in all.iter().rev().zip(&drafts) {
        assert_eq!(
            stored.details,
            serde_json::to_string(&draft.details).unwrap()
        );
        assert_eq!(
            (stored.at, &stored.actor, &stored.action),
            (draft.at, &draft.actor, &draft.action)
        );
        assert_eq!(
            (&stored.target, &stored.client_addr),
            (&draft.target, &draft.client_addr)
        );
        assert_eq!(stored.prev_hash, prev);
        let fields = AuditFields {
            seq: stored.seq,
            at_ms: stored.at.timestamp_millis(),
            actor: &stored.actor,
            action: &stored.action,
            target: &stored.target,
            client_addr: &stored.client_addr,
            details: &stored.details,
        };
        assert_eq!(stored.hash, entry_hash(&prev, &fields));
        prev = stored.hash.clone();
    }
    let report = store.verify_audit().await.unwrap();
    assert_eq!(
        report,
        ChainReport {
            checked: 12,
            first_break: None
        }
    );

    let seqs = |f: AuditFilter| {
        let store = store.clone();
        async move {
            let list = store
                .list_audit(&AuditFilter { limit: 100, ..f })
                .await
                .unwrap();
            list.into_iter().map(|e| e.seq).collect::<Vec<_>>()
        }
    };
    let by_actor = AuditFilter {
        actor: Some("staff:b".into()),
        ..Default::default()
    };
    assert_eq!(seqs(by_actor).await, [12, 10, 8, 6, 4, 2]);
    let by_action = AuditFilter {
        action: Some("session.ended".into()),
        ..Default::default()
    };
    assert_eq!(seqs(by_action).await, [12, 9, 6, 3]);
    let by_target = AuditFilter {
        target: Some("staff:t1".into()),
        ..Default::default()
    };
    assert_eq!(seqs(by_target).await, [10, 6, 2]);
    let both = AuditFilter {
        actor: Some("staff:a".into()),
        action: Some("auth.sign_in".into()),
        ..Default::default()
    };
    assert_eq!(seqs(both).await, [7, 1]);
    // [since, until): entry i is at t(10 i) and has seq i + 1.
    let window = AuditFilter {
        since: Some(t(30)),
        until: Some(t(70)),
        ..Default::default()
    };
    assert_eq!(seqs(window).await, [7, 6, 5, 4]);
    let nothing = AuditFilter {
        actor: Some("staff:nobody".into()),
        ..Default::default()
    };
    assert!(seqs(nothing).await.is_empty());

    // Paging newest first with a cursor visits every entry once.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = AuditFilter {
            before_seq: before,
            limit: 5,
            ..Default::default()
        };
        let page = store.list_audit(&page).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 5);
        before = page.last().map(|e| e.seq);
        seen.extend(page.into_iter().map(|e| e.seq));
    }
    assert_eq!(seen, (1..=12).rev().collect::<Vec<_>>());
    let filtered = AuditFilter {
        actor: Some("staff:b".into()),
        before_seq: Some(8),
        limit: 2,
        ..Default::default()
    };
    let page = store.list_audit(&filtered).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [6, 4]);
}

async fn concurrent_appends_keep_one_contiguous_chain(store: Arc<dyn Store>) {
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..50 {
                    let draft = entry(
                        &format!("staff:w{w}"),
                        "auth.sign_in",
                        &format!("n{i}"),
                        t(i),
                    );
                    store.record(Effects::audit(draft)).await.unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    assert_eq!(
        store.verify_audit().await.unwrap(),
        ChainReport {
            checked: 400,
            first_break: None
        }
    );
    let all = store
        .list_audit(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=400).rev().collect::<Vec<_>>()
    );
    for w in 0..8 {
        let mine = AuditFilter {
            actor: Some(format!("staff:w{w}")),
            limit: 1000,
            ..Default::default()
        };
        assert_eq!(store.list_audit(&mine).await.unwrap().len(), 50);
    }
}
