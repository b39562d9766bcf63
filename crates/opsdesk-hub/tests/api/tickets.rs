//! The ticket queue through the API, on both databases: intake, views, versions, idempotency,
//! SLA pause and breach, escalation, merge, round-robin, bulk edit, search and the changes feed.

use crate::both;
use crate::helpers::*;
use chrono::Duration;
use opsdesk_core::Role;
use opsdesk_proto::*;
use serde_json::{json, Value};
use uuid::Uuid;

/// A desk: an admin, a tenant, and people of the ticket tiers.
struct Desk {
    admin: Person,
    agent: Person,
    agent2: Person,
    senior: Person,
    tenant: TenantView,
}

async fn desk(app: &TestApp) -> Desk {
    let admin = app.admin().await;
    let tenant: TenantView = app
        .client(&admin.token)
        .create_tenant(&from_json(
            json!({"name": "Acme Corp", "slug": "acme", "plan": "enterprise"}),
        ))
        .await
        .checked()
        .unwrap();
    Desk {
        agent: app.invite(&admin, "ana", Role::Agent).await,
        agent2: app.invite(&admin, "bob", Role::Agent).await,
        senior: app.invite(&admin, "sam", Role::SeniorAgent).await,
        admin,
        tenant,
    }
}

async fn open_ticket(
    app: &TestApp,
    by: &Person,
    tenant: &TenantView,
    subject: &str,
    body: &str,
    priority: &str,
) -> TicketSummary {
    app.client(&by.token)
        .create_ticket(
            &from_json(
                json!({"tenant_id": tenant.id, "requester_name": "Rita Requester",
                "requester_email": "rita@acme.example", "subject": subject, "body": body,
                "priority": priority}),
            ),
            None,
        )
        .await
        .checked()
        .unwrap()
}

async fn detail(app: &TestApp, by: &Person, id: Uuid) -> TicketDetail {
    app.client(&by.token).ticket(id).await.checked().unwrap()
}

async fn reply(
    app: &TestApp,
    by: &Person,
    t: &TicketSummary,
    body: &str,
    key: Option<&str>,
) -> Result<TicketDetail, ApiError> {
    let mut req = app
        .http
        .post(app.url(&routes::ticket_messages(t.id)))
        .bearer_auth(&by.token)
        .json(&json!({"version": t.version, "kind": "reply", "body": body}));
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    app.send(req).await
}

async fn patch(
    app: &TestApp,
    by: &Person,
    id: Uuid,
    body: Value,
) -> Result<TicketSummary, ApiError> {
    app.send(
        app.http
            .patch(app.url(&routes::ticket(id)))
            .bearer_auth(&by.token)
            .json(&body),
    )
    .await
}

async fn view(app: &TestApp, by: &Person, query: &str) -> Page<TicketSummary> {
    app.get(&format!("{}?{query}", routes::TICKETS), &by.token)
        .await
        .unwrap()
}

fn ids(page: &Page<TicketSummary>) -> Vec<Uuid> {
    page.items.iter().map(|t| t.id).collect()
}

both!(
    intake_with_an_integration_token_and_revocation,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let issued: IntegrationTokenIssued = app
            .client(&d.admin.token)
            .create_integration_token(&from_json(json!({"name": "Platform"})))
            .await
            .checked()
            .unwrap();
        let denied: Result<IntegrationTokenIssued, _> = app
            .client(&d.senior.token)
            .create_integration_token(&from_json(json!({"name": "x"})))
            .await
            .checked();
        assert_eq!(denied.unwrap_err().code, "permission_denied");
        let body = json!({"tenant": "ACME", "requester_name": "Rita", "requester_email": "rita@acme.example",
                      "subject": "Cannot log in", "body": "SSO loops back to the login page", "priority": "high"});
        let send = |token: String, body: Value| {
            let app = &app;
            async move {
                app.send::<TicketSummary>(
                    app.http
                        .post(app.url(routes::INTAKE_TICKETS))
                        .bearer_auth(token)
                        .json(&body),
                )
                .await
            }
        };
        let t = send(issued.secret.clone(), body.clone()).await.unwrap();
        assert_eq!(
            (t.status, t.priority, t.tenant_name.as_str()),
            (TicketStatus::New, Priority::High, "Acme Corp")
        );
        assert!(
            t.sla_due_at.is_some(),
            "the first-response clock runs from intake"
        );
        let bad = send(issued.secret.clone(), json!({"tenant": "nope", "requester_name": "R", "requester_email": "r@x.io", "subject": "s", "body": "b"})).await;
        assert_eq!(bad.unwrap_err().field.as_deref(), Some("tenant"));
        let bad = send(issued.secret.clone(), json!({"tenant": "acme", "requester_name": "R", "requester_email": "not-mail", "subject": "s", "body": "b"})).await;
        assert_eq!(bad.unwrap_err().field.as_deref(), Some("requester_email"));
        let staff_token = send(d.agent.token.clone(), body.clone()).await;
        assert_eq!(staff_token.unwrap_err().status, 401);
        let _: IntegrationTokenView = app
            .client(&d.admin.token)
            .revoke_integration_token(issued.token.id)
            .await
            .checked()
            .unwrap();
        assert_eq!(
            send(issued.secret, body).await.unwrap_err().code,
            "invalid_token"
        );
    }
);

both!(
    views_follow_assignment_and_escalation_lands_with_senior_staff,
    |app: TestApp| async move {
        let d = desk(&app).await;
        // What the senior agents' apps hear, live.
        let mut senior_stream = crate::events::Stream::open(&app.base, &d.senior.token, None).await;
        let t = open_ticket(
            &app,
            &d.agent,
            &d.tenant,
            "Invoice missing",
            "Where is my invoice?",
            "medium",
        )
        .await;
        assert_eq!(
            ids(&view(&app, &d.agent, "view=unassigned").await),
            vec![t.id]
        );
        let t: TicketSummary = app
            .client(&d.agent.token)
            .assign_ticket(
                t.id,
                &from_json(json!({"version": t.version, "to": {"kind": "me"}})),
                None,
            )
            .await
            .checked()
            .unwrap();
        assert_eq!(
            (t.assignee_id, t.status),
            (Some(d.agent.id), TicketStatus::Open)
        );
        assert_eq!(ids(&view(&app, &d.agent, "view=mine").await), vec![t.id]);
        assert!(view(&app, &d.agent, "view=unassigned")
            .await
            .items
            .is_empty());
        // An agent may not hand tickets to others.
        let e: ApiError = app
            .client(&d.agent.token)
            .assign_ticket(
                t.id,
                &from_json(
                    json!({"version": t.version, "to": {"kind": "staff", "staff_id": d.agent2.id}}),
                ),
                None,
            )
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.permission.as_deref(), Some("tickets.assign"));
        // Escalation needs a reason, raises the level, leaves the agent and lands with senior agents.
        let e: ApiError = app
            .client(&d.agent.token)
            .escalate_ticket(
                t.id,
                &from_json(json!({"version": t.version, "reason": "  "})),
                None,
            )
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("reason"));
        let t: TicketSummary = app
            .client(&d.agent.token)
            .escalate_ticket(
                t.id,
                &from_json(json!({"version": t.version, "reason": "Refund over my limit"})),
                None,
            )
            .await
            .checked()
            .unwrap();
        assert_eq!(
            (t.escalation_level, t.assignee_id),
            (EscalationLevel::L2, None)
        );
        assert_eq!(
            ids(&view(&app, &d.senior, "view=escalated").await),
            vec![t.id]
        );
        assert!(
            view(&app, &d.agent, "view=escalated")
                .await
                .items
                .is_empty(),
            "agents do not handle L2"
        );
        let counts: QueueCounts = app
            .client(&d.senior.token)
            .ticket_counts()
            .await
            .checked()
            .unwrap();
        let count = |v: QueueView| counts.views.iter().find(|c| c.view == v).unwrap().count;
        assert_eq!(
            (
                count(QueueView::Escalated),
                count(QueueView::AllOpen),
                count(QueueView::Mine)
            ),
            (1, 1, 0)
        );
        // Opened, taken, escalated with the reason: the refused writes told nobody anything.
        let heard = senior_stream.until(EventKind::TicketEscalated).await;
        let kinds: Vec<(EventKind, Uuid)> = heard.iter().map(|e| (e.kind, e.subject_id)).collect();
        assert_eq!(
            kinds,
            vec![
                (EventKind::TicketCreated, t.id),
                (EventKind::TicketAssigned, t.id),
                (EventKind::TicketEscalated, t.id)
            ]
        );
        let EventFacts::Ticket(facts) = &heard[2].facts else {
            panic!("{:?}", heard[2])
        };
        assert_eq!(
            (
                facts.reason.as_deref(),
                facts.escalation_level,
                facts.assignee_id
            ),
            (Some("Refund over my limit"), EscalationLevel::L2, None)
        );
        assert_eq!(heard[2].actor_id, Some(d.agent.id));
        let detail = detail(&app, &d.senior, t.id).await;
        assert!(detail
            .messages
            .iter()
            .any(|m| m.kind == MessageKind::System && m.body.contains("Refund over my limit")));
        let audit = app.audit(&d.admin, "action=ticket.escalated").await;
        assert_eq!(audit.len(), 1);
    }
);

both!(
    a_stale_write_is_refused_with_what_changed,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let t = open_ticket(
            &app,
            &d.agent,
            &d.tenant,
            "Export fails",
            "CSV export times out",
            "high",
        )
        .await;
        // Bo replies first; Ana still holds the old version.
        reply(&app, &d.agent2, &t, "Looking into it now", None)
            .await
            .unwrap();
        let e = reply(&app, &d.agent, &t, "I am on it too", None)
            .await
            .unwrap_err();
        assert_eq!((e.status, e.code.as_str()), (409, "version_conflict"));
        assert!(e.message.contains("bob"), "{}", e.message);
        let conflict: TicketConflict = serde_json::from_value(e.current.unwrap()).unwrap();
        assert_eq!(conflict.new_messages.len(), 1);
        assert_eq!(conflict.new_messages[0].body, "Looking into it now");
        assert!(conflict
            .changes
            .iter()
            .any(|c| c.changes.iter().any(|f| f.field == "status")));
        // Nothing of Ana's was written.
        let now = detail(&app, &d.agent, t.id).await;
        assert_eq!(now.messages.len(), 2);
        // Sent again on the current version, it goes through.
        reply(&app, &d.agent, &conflict.ticket, "I am on it too", None)
            .await
            .unwrap();
        let e = patch(
            &app,
            &d.agent,
            t.id,
            json!({"version": t.version, "priority": "low"}),
        )
        .await
        .unwrap_err();
        assert_eq!(e.status, 409);
    }
);

both!(
    an_idempotent_replay_is_applied_once,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let t = open_ticket(
            &app,
            &d.agent,
            &d.tenant,
            "Webhook retries",
            "Webhooks fire twice",
            "medium",
        )
        .await;
        let key = Uuid::new_v4().to_string();
        let first = reply(&app, &d.agent, &t, "We deduplicate now", Some(&key))
            .await
            .unwrap();
        let again = reply(&app, &d.agent, &t, "We deduplicate now", Some(&key))
            .await
            .unwrap();
        assert_eq!(first.ticket.version, again.ticket.version);
        let replies = detail(&app, &d.agent, t.id)
            .await
            .messages
            .into_iter()
            .filter(|m| m.body == "We deduplicate now")
            .count();
        assert_eq!(replies, 1);
        // The same key for a different request is refused, not silently replayed.
        let e = reply(&app, &d.agent, &t, "Something else", Some(&key))
            .await
            .unwrap_err();
        assert_eq!(e.code, "idempotency_key_reused");
        let e = reply(&app, &d.agent, &t, "x", Some("bad key with spaces"))
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("Idempotency-Key"));
    }
);

both!(
    sla_pauses_while_pending_then_breaches_and_escalates,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let state = app.hub.as_ref().unwrap().state.clone();
        // Critical: first response 15 min, resolution 4 h.
        let t = open_ticket(
            &app,
            &d.agent,
            &d.tenant,
            "Outage for tenant",
            "Nothing loads",
            "critical",
        )
        .await;
        let due_in = t.sla_due_at.unwrap() - app.clock_now();
        assert!(
            (Duration::minutes(15) - due_in).num_seconds().abs() <= 2,
            "{due_in}"
        );
        let t = reply(&app, &d.agent, &t, "Investigating", None)
            .await
            .unwrap()
            .ticket;
        assert_eq!(t.sla_stage, SlaStage::Resolution);
        let t = patch(
            &app,
            &d.agent,
            t.id,
            json!({"version": t.version, "status": "pending"}),
        )
        .await
        .unwrap();
        assert!(t.sla_paused && t.sla_due_at.is_none());
        // Three hours waiting on the requester: no warning, no breach.
        app.clock.advance(Duration::hours(3));
        assert_eq!(opsdesk_hub::jobs::sla::run_once(&state).await.unwrap(), 0);
        let t = patch(
            &app,
            &d.agent,
            t.id,
            json!({"version": detail(&app, &d.agent, t.id).await.ticket.version, "status": "open"}),
        )
        .await
        .unwrap();
        let due = t.sla_due_at.unwrap();
        // Keep the other sessions from idling out while the clock jumps.
        detail(&app, &d.senior, t.id).await;
        app.audit(&d.admin, "limit=1").await;
        assert!(
            due > app.clock_now() + Duration::hours(3),
            "the paused time does not count"
        );
        let listed: Vec<Uuid> = view(&app, &d.agent, "view=breaching_soon")
            .await
            .items
            .iter()
            .map(|t| t.id)
            .collect();
        assert!(listed.is_empty());
        // A fifth of the target left: warned once.
        app.clock
            .advance(due - app.clock_now() - Duration::minutes(40));
        assert_eq!(opsdesk_hub::jobs::sla::run_once(&state).await.unwrap(), 1);
        assert_eq!(opsdesk_hub::jobs::sla::run_once(&state).await.unwrap(), 0);
        let warned = detail(&app, &d.agent, t.id).await.ticket;
        app.audit(&d.admin, "limit=1").await;
        assert_eq!(warned.sla_state, SlaState::Warned);
        assert_eq!(
            ids(&view(&app, &d.agent, "view=breaching_soon").await),
            vec![t.id]
        );
        // Past due: breached once, escalated to L2.
        app.clock.advance(Duration::minutes(41));
        assert_eq!(opsdesk_hub::jobs::sla::run_once(&state).await.unwrap(), 1);
        assert_eq!(opsdesk_hub::jobs::sla::run_once(&state).await.unwrap(), 0);
        let breached = detail(&app, &d.agent, t.id).await;
        assert_eq!(
            (breached.ticket.sla_state, breached.ticket.escalation_level),
            (SlaState::Breached, EscalationLevel::L2)
        );
        assert!(breached.sla_remaining_ms.unwrap() < 0);
        assert_eq!(
            app.audit(&d.admin, "action=ticket.sla_breached")
                .await
                .len(),
            1
        );
    }
);

both!(
    merge_joins_conversations_and_points_to_the_survivor,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let a = open_ticket(
            &app,
            &d.agent,
            &d.tenant,
            "Login broken",
            "Cannot log in since Monday",
            "high",
        )
        .await;
        let b = open_ticket(
            &app,
            &d.agent,
            &d.tenant,
            "Login still broken",
            "Same problem, colleague",
            "medium",
        )
        .await;
        let body = json!({"version": b.version, "into": a.id, "into_version": a.version});
        let e: ApiError = app
            .client(&d.agent.token)
            .merge_ticket(b.id, &from_json(json!(body)), None)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.permission.as_deref(), Some("tickets.merge"));
        let self_merge: ApiError = app
            .client(&d.senior.token)
            .merge_ticket(
                a.id,
                &from_json(json!({"version": a.version, "into": a.id, "into_version": a.version})),
                None,
            )
            .await
            .checked()
            .unwrap_err();
        assert_eq!(self_merge.code, "merge_into_self");
        let survivor: TicketSummary = app
            .client(&d.senior.token)
            .merge_ticket(b.id, &from_json(json!(body)), None)
            .await
            .checked()
            .unwrap();
        assert_eq!(survivor.id, a.id);
        let merged = detail(&app, &d.senior, b.id).await;
        assert_eq!(
            (merged.ticket.status, merged.ticket.merged_into),
            (TicketStatus::Closed, Some(a.id))
        );
        let joined = detail(&app, &d.senior, a.id).await;
        let bodies: Vec<&str> = joined.messages.iter().map(|m| m.body.as_str()).collect();
        assert!(
            bodies.contains(&"Cannot log in since Monday")
                && bodies.contains(&"Same problem, colleague"),
            "{bodies:?}"
        );
        assert!(joined.messages.iter().any(|m| m.merged_from == Some(b.id)));
        // The merged ticket takes no more writes; search finds the joined text on the survivor.
        let e = reply(&app, &d.senior, &merged.ticket, "late", None)
            .await
            .unwrap_err();
        assert_eq!(e.code, "ticket_closed");
        let hits: Vec<SearchHit> = app
            .get(
                &format!("{}?q=colleague", routes::TICKET_SEARCH),
                &d.agent.token,
            )
            .await
            .unwrap();
        assert!(hits.iter().any(|h| h.ticket.id == a.id));
    }
);

both!(
    round_robin_shares_a_group_fairly,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let manager = app.invite(&d.admin, "meg", Role::Manager).await;
        let group: GroupView = app
            .client(&manager.token)
            .create_group(&from_json(
                json!({"name": "Billing", "member_ids": [d.agent.id, d.agent2.id, d.senior.id]}),
            ))
            .await
            .checked()
            .unwrap();
        let mut counts = std::collections::HashMap::new();
        for i in 0..9 {
            let t = open_ticket(
                &app,
                &d.agent,
                &d.tenant,
                &format!("Billing question {i}"),
                "Charge unclear",
                "low",
            )
            .await;
            let t: TicketSummary = app.client(&d.senior.token)
                .assign_ticket(t.id, &from_json(json!({"version": t.version, "to": {"kind": "group", "group_id": group.id}})), None).await.checked()
                .unwrap();
            assert_eq!(t.group_id, Some(group.id));
            *counts.entry(t.assignee_id.unwrap()).or_insert(0) += 1;
        }
        assert_eq!(counts.len(), 3, "{counts:?}");
        assert!(counts.values().all(|n| *n == 3), "{counts:?}");
    }
);

both!(bulk_edit_is_all_or_nothing, |app: TestApp| async move {
    let d = desk(&app).await;
    let a = open_ticket(&app, &d.agent, &d.tenant, "Bulk one", "one", "low").await;
    let b = open_ticket(&app, &d.agent, &d.tenant, "Bulk two", "two", "low").await;
    let body = |bv: i64| json!({"tickets": [{"id": a.id, "version": a.version}, {"id": b.id, "version": bv}], "priority": "high", "add_tags": ["vip"]});
    let e: ApiError = app
        .client(&d.senior.token)
        .bulk_edit(&from_json(json!(body(b.version + 5))), None)
        .await
        .checked()
        .unwrap_err();
    assert_eq!(e.status, 409);
    assert_eq!(
        detail(&app, &d.agent, a.id).await.ticket.priority,
        Priority::Low,
        "nothing half written"
    );
    let done: BulkEditResult = app
        .client(&d.senior.token)
        .bulk_edit(&from_json(json!(body(b.version))), None)
        .await
        .checked()
        .unwrap();
    assert!(done
        .tickets
        .iter()
        .all(|t| t.priority == Priority::High && t.tags == vec!["vip"]));
    assert_eq!(
        ids(&view(&app, &d.agent, "tag=vip&sort=updated").await).len(),
        2
    );
    let e: ApiError = app
        .client(&d.agent.token)
        .bulk_edit(&from_json(json!(body(b.version))), None)
        .await
        .checked()
        .unwrap_err();
    assert_eq!(e.permission.as_deref(), Some("tickets.bulk_edit"));
});

both!(
    search_ranks_subject_matches_first_and_survives_odd_input,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let body_only = open_ticket(
            &app,
            &d.agent,
            &d.tenant,
            "Account question",
            "The invoice total looks wrong to me",
            "low",
        )
        .await;
        let subject = open_ticket(
            &app,
            &d.agent,
            &d.tenant,
            "Invoice total wrong",
            "Please check the numbers",
            "low",
        )
        .await;
        open_ticket(
            &app,
            &d.agent,
            &d.tenant,
            "Unrelated",
            "Password reset email never arrives",
            "low",
        )
        .await;
        let hits: Vec<SearchHit> = app
            .get(
                &format!("{}?q=invoice", routes::TICKET_SEARCH),
                &d.agent.token,
            )
            .await
            .unwrap();
        assert_eq!(
            hits.iter().map(|h| h.ticket.id).collect::<Vec<_>>(),
            vec![subject.id, body_only.id]
        );
        assert!(hits[0].score > hits[1].score);
        let hits: Vec<SearchHit> = app
            .get(
                &format!("{}?q=invoice%20-numbers", routes::TICKET_SEARCH),
                &d.agent.token,
            )
            .await
            .unwrap();
        assert_eq!(
            hits.iter().map(|h| h.ticket.id).collect::<Vec<_>>(),
            vec![body_only.id]
        );
        // Whatever a person types is searched as words, never as query syntax: stray quotes,
        // operators and punctuation find what the words in them find, and nothing when no word
        // is left (the store's `search_terms`), so each answer is a plain 200.
        let both = vec![subject.id, body_only.id];
        for (odd, expected) in [
            ("%22unclosed", vec![]),
            ("NEAR(", vec![]),
            ("a%27b%22c", vec![]),
            ("*", vec![]),
            ("%22invoice", both.clone()),
            ("invoice*", both.clone()),
            // `OR` is a word to find, not an operator that would add the password ticket.
            ("invoice%20OR%20password", vec![]),
        ] {
            let hits: Vec<SearchHit> = app
                .get(
                    &format!("{}?q={odd}", routes::TICKET_SEARCH),
                    &d.agent.token,
                )
                .await
                .unwrap_or_else(|e| panic!("{odd}: {e:?}"));
            assert_eq!(
                hits.iter().map(|h| h.ticket.id).collect::<Vec<_>>(),
                expected,
                "{odd}"
            );
        }
        let e: ApiError = app
            .get::<Vec<SearchHit>>(&format!("{}?q=%20", routes::TICKET_SEARCH), &d.agent.token)
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("q"));
        // The text filter of a queue uses the same index.
        assert_eq!(ids(&view(&app, &d.agent, "text=password").await).len(), 1);
    }
);

both!(
    the_changes_feed_returns_each_change_once_in_order,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let a = open_ticket(&app, &d.agent, &d.tenant, "Feed one", "one", "low").await;
        let b = open_ticket(&app, &d.agent, &d.tenant, "Feed two", "two", "low").await;
        let first: ChangesPage = app
            .get(
                &format!("{}?since=0&limit=1", routes::TICKET_CHANGES),
                &d.agent.token,
            )
            .await
            .unwrap();
        assert_eq!((first.tickets[0].id, first.more), (a.id, true));
        let rest: ChangesPage = app
            .get(
                &format!("{}?since={}", routes::TICKET_CHANGES, first.next),
                &d.agent.token,
            )
            .await
            .unwrap();
        assert_eq!(
            (rest.tickets.len(), rest.tickets[0].id, rest.more),
            (1, b.id, false)
        );
        patch(
            &app,
            &d.agent,
            a.id,
            json!({"version": a.version, "tags": ["sso"]}),
        )
        .await
        .unwrap();
        let later: ChangesPage = app
            .get(
                &format!("{}?since={}", routes::TICKET_CHANGES, rest.next),
                &d.agent.token,
            )
            .await
            .unwrap();
        assert_eq!(later.tickets.len(), 1);
        assert_eq!(
            (later.tickets[0].id, later.tickets[0].tags.clone()),
            (a.id, vec!["sso".to_string()])
        );
        let e: ApiError = app
            .get::<ChangesPage>(
                &format!("{}?since=-1", routes::TICKET_CHANGES),
                &d.agent.token,
            )
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("since"));
    }
);

both!(
    status_rules_permissions_and_bad_input_name_the_field,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let viewer = app.invite(&d.admin, "vic", Role::Viewer).await;
        let t = open_ticket(&app, &d.agent, &d.tenant, "Rules", "rules", "low").await;
        let e: ApiError = app.client(&viewer.token).create_ticket(&from_json(json!({"tenant_id": d.tenant.id, "requester_name": "R", "requester_email": "r@x.io", "subject": "s", "body": "b", "priority": "low"})), None).await.checked().unwrap_err();
        assert_eq!(e.permission.as_deref(), Some("tickets.work"));
        assert_eq!(
            view(&app, &viewer, "view=all_open").await.items.len(),
            1,
            "viewers read the queue"
        );
        let e = patch(
            &app,
            &d.agent,
            t.id,
            json!({"version": t.version, "status": "closed"}),
        )
        .await
        .unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (422, "status_transition_not_allowed")
        );
        let e = patch(
            &app,
            &d.agent,
            t.id,
            json!({"version": t.version, "status": "urgent"}),
        )
        .await
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("status"));
        let e = patch(
            &app,
            &d.agent,
            t.id,
            json!({"version": t.version, "tags": ["two words"]}),
        )
        .await
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tags"));
        let e: ApiError = app.client(&d.agent.token).create_ticket(&from_json(json!({"tenant_id": d.tenant.id, "requester_name": "R", "requester_email": "r@x.io", "subject": "  ", "body": "b", "priority": "low"})), None).await.checked().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("subject"));
        let e: ApiError = app
            .get::<Page<TicketSummary>>(
                &format!("{}?view=everything", routes::TICKETS),
                &d.agent.token,
            )
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("view"));
        let e: ApiError = app
            .get::<Page<TicketSummary>>(
                &format!("{}?cursor=garbage", routes::TICKETS),
                &d.agent.token,
            )
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cursor"));
        // Solved, then closed: closed takes nothing more.
        let t = patch(
            &app,
            &d.agent,
            t.id,
            json!({"version": t.version, "status": "solved"}),
        )
        .await
        .unwrap();
        let t = patch(
            &app,
            &d.agent,
            t.id,
            json!({"version": t.version, "status": "closed"}),
        )
        .await
        .unwrap();
        assert_eq!(
            ids(&view(&app, &d.agent, "view=recently_solved").await),
            vec![t.id]
        );
        let e = patch(
            &app,
            &d.agent,
            t.id,
            json!({"version": t.version, "status": "open"}),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code, "status_transition_not_allowed");
    }
);

both!(
    presence_shows_who_else_is_on_a_ticket,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let t = open_ticket(&app, &d.agent, &d.tenant, "Presence", "p", "low").await;
        let others: Vec<PresenceView> = app
            .client(&d.agent.token)
            .ticket_presence(t.id, &from_json(json!({"mode": "replying"})))
            .await
            .checked()
            .unwrap();
        assert!(others.is_empty());
        let others: Vec<PresenceView> = app
            .client(&d.agent2.token)
            .ticket_presence(t.id, &from_json(json!({"mode": "viewing"})))
            .await
            .checked()
            .unwrap();
        assert_eq!((others.len(), others[0].mode), (1, PresenceMode::Replying));
        assert_eq!(detail(&app, &d.agent2, t.id).await.presence.len(), 1);
        app.clock.advance(Duration::minutes(2));
        assert!(
            detail(&app, &d.agent2, t.id).await.presence.is_empty(),
            "presence expires"
        );
    }
);

both!(
    tenants_import_from_csv_all_or_nothing,
    |app: TestApp| async move {
        let d = desk(&app).await;
        let import = |body: &'static str, token: &str| {
            app.send::<TenantImportResult>(
                app.http
                    .post(app.url(routes::TENANTS_IMPORT))
                    .bearer_auth(token)
                    .header("content-type", "text/csv")
                    .body(body),
            )
        };
        let r = import(
            "name,slug,plan\nAcme Renamed,acme,pro\nBeta,beta,free\n",
            &d.admin.token,
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated), (1, 1));
        let e = import(
            "name,slug,plan\nGamma,gamma,pro\nBad,b@d,pro\n",
            &d.admin.token,
        )
        .await
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("line 3: slug"));
        let page: Page<TenantView> = app
            .get(&format!("{}?q=ga", routes::TENANTS), &d.agent.token)
            .await
            .unwrap();
        assert!(
            page.items.is_empty(),
            "nothing of a failed import is written"
        );
        let page: Page<TenantView> = app
            .get(&format!("{}?q=acme", routes::TENANTS), &d.agent.token)
            .await
            .unwrap();
        assert_eq!(page.items[0].name, "Acme Renamed");
        assert_eq!(
            import("name,slug,plan\nX,xx,pro\n", &d.senior.token)
                .await
                .unwrap_err()
                .permission
                .as_deref(),
            Some("tenants.manage")
        );
    }
);
