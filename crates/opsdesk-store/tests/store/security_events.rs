//! Security events: newest first, filtered by minimum severity and kind, paged by (time, id).

use crate::harness::*;
use opsdesk_core::staff::Severity;
use opsdesk_store::*;
use std::sync::Arc;
use uuid::Uuid;

store_tests!(security_events_filter_by_severity_and_page_by_time_and_id);

async fn security_events_filter_by_severity_and_page_by_time_and_id(store: Arc<dyn Store>) {
    let severities = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    let mut events = Vec::new();
    for i in 0..10i64 {
        // Pairs share a time, so the id decides their order.
        let mut e = event(
            if i % 2 == 0 {
                "sign_in_failed"
            } else {
                "role_changed"
            },
            severities[(i % 5) as usize],
            t(i / 2),
        );
        e.staff_id = (i % 3 == 0).then(Uuid::new_v4);
        e.details = serde_json::json!({"i": i, "nested": {"ok": true}});
        events.push(e);
    }
    store
        .record(Effects {
            audit: vec![],
            security: events[..4].to_vec(),
            ..Default::default()
        })
        .await
        .unwrap();
    for e in &events[4..] {
        store
            .record(Effects::default().with_security(e.clone()))
            .await
            .unwrap();
    }
    let mut newest_first = events.clone();
    newest_first.sort_by_key(|e| std::cmp::Reverse((e.at, e.id.to_string())));

    assert_eq!(all_events(&*store).await, newest_first);
    let list = |f: SecurityEventFilter| {
        let store = store.clone();
        async move {
            store
                .list_security_events(&SecurityEventFilter { limit: 100, ..f })
                .await
                .unwrap()
        }
    };
    let high = list(SecurityEventFilter {
        min_severity: Some(Severity::High),
        ..Default::default()
    })
    .await;
    let expected: Vec<_> = newest_first
        .iter()
        .filter(|e| e.severity >= Severity::High)
        .cloned()
        .collect();
    assert_eq!(high, expected);
    assert_eq!(high.len(), 4);
    let kind = list(SecurityEventFilter {
        kind: Some("role_changed".into()),
        ..Default::default()
    })
    .await;
    assert!(kind.iter().all(|e| e.kind == "role_changed"));
    assert_eq!(kind.len(), 5);
    let both = list(SecurityEventFilter {
        kind: Some("role_changed".into()),
        min_severity: Some(Severity::Medium),
        ..Default::default()
    })
    .await;
    let expected: Vec<_> = newest_first
        .iter()
        .filter(|e| e.kind == "role_changed" && e.severity >= Severity::Medium)
        .cloned()
        .collect();
    assert_eq!(both, expected);

    // Pages of 3 by the (time, id) cursor visit every event once, in order, even across ties.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .list_security_events(&SecurityEventFilter {
                before,
                limit: 3,
                ..Default::default()
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        before = page.last().map(|e| (e.at, e.id));
        seen.extend(page);
    }
    assert_eq!(seen, newest_first);
}
