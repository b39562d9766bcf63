//! The live event stream over real HTTP, on both databases: each person receives only what they
//! may see, a dropped connection resumes from `Last-Event-ID` with nothing lost or doubled, and
//! with PostgreSQL an app connected to one hub hears about a change made through another.

use crate::both;
use crate::helpers::*;
use opsdesk_core::Role;
use opsdesk_proto::*;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// A Server-Sent Events reader over a real connection.
struct Stream {
    resp: reqwest::Response,
    buf: String,
}

/// One parsed SSE message.
#[derive(Debug)]
struct Message {
    id: Option<String>,
    event: String,
    data: String,
}

impl Stream {
    async fn open(base: &str, token: &str, last_id: Option<i64>) -> Stream {
        let mut req = reqwest::Client::new()
            .get(format!("{base}/api/v1/events"))
            .bearer_auth(token);
        if let Some(id) = last_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let resp = req.send().await.expect("stream opens");
        assert_eq!(resp.status(), 200);
        assert!(resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream")));
        Stream {
            resp,
            buf: String::new(),
        }
    }

    /// The next message, or None after `wait` without one.
    async fn next(&mut self, wait: Duration) -> Option<Message> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut m = Message {
                    id: None,
                    event: "message".into(),
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        m.id = Some(v.trim().to_owned());
                        any = true;
                    } else if let Some(v) = line.strip_prefix("event:") {
                        m.event = v.trim().to_owned();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("data:") {
                        m.data.push_str(v.trim_start());
                        any = true;
                    }
                }
                if any {
                    return Some(m);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// The next `change` event, skipping nothing else but heartbeats.
    async fn event(&mut self) -> Option<HubEvent> {
        let m = self.next(Duration::from_secs(5)).await?;
        assert_eq!(m.event, "change", "{m:?}");
        let e: HubEvent = serde_json::from_str(&m.data).expect("a HubEvent");
        assert_eq!(m.id.as_deref(), Some(e.id.to_string().as_str()));
        Some(e)
    }

    /// Events until `kind` arrives (returned last).
    async fn until(&mut self, kind: EventKind) -> Vec<HubEvent> {
        let mut seen = Vec::new();
        loop {
            let e = self
                .event()
                .await
                .unwrap_or_else(|| panic!("no {kind} event; got {seen:?}"));
            let done = e.kind == kind;
            seen.push(e);
            if done {
                return seen;
            }
        }
    }

    /// Asserts nothing (but heartbeats) arrives for a moment.
    async fn quiet(&mut self) {
        if let Some(m) = self.next(Duration::from_millis(700)).await {
            panic!("expected nothing, got {m:?}");
        }
    }
}

async fn tenant(app: &TestApp, admin: &Person) -> TenantView {
    app.post(
        "/api/v1/tenants",
        Some(&admin.token),
        &json!({"name": "Acme Corp", "slug": "acme", "plan": "enterprise"}),
    )
    .await
    .unwrap()
}

async fn clear(app: &TestApp, admin: &Person, who: &Person) {
    let _: ClearanceView = app
        .put(
            &format!("/api/v1/staff/{}/clearance", who.id),
            &admin.token,
            &json!({"nda": true, "background_check": true, "training": true, "version": 0}),
        )
        .await
        .unwrap();
}

async fn open_ticket(app: &TestApp, by: &Person, tenant: Uuid, subject: &str) -> TicketSummary {
    app.post(
        "/api/v1/tickets",
        Some(&by.token),
        &json!({"tenant_id": tenant, "requester_name": "Rita Ruiz",
                "requester_email": "rita@acme.example", "subject": subject,
                "body": "Since this morning", "priority": "high"}),
    )
    .await
    .unwrap()
}

both!(
    each_person_receives_only_what_they_may_see,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let acme = tenant(&app, &admin).await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let other = app.invite(&admin, "ben", Role::Agent).await;
        let senior = app.invite(&admin, "sam", Role::SeniorAgent).await;
        let manager = app.invite(&admin, "maria", Role::Manager).await;
        clear(&app, &admin, &agent).await;
        let mut s_agent = Stream::open(&app.base, &agent.token, None).await;
        let mut s_other = Stream::open(&app.base, &other.token, None).await;
        let mut s_senior = Stream::open(&app.base, &senior.token, None).await;
        let mut s_manager = Stream::open(&app.base, &manager.token, None).await;

        // A ticket escalation reaches everyone who reads tickets, with the facts pop-ups need.
        let t = open_ticket(&app, &agent, acme.id, "Checkout returns 500").await;
        let _: TicketSummary = app
            .post(
                &format!("/api/v1/tickets/{}/escalate", t.id),
                Some(&agent.token),
                &json!({"version": t.version, "reason": "Needs the gateway logs"}),
            )
            .await
            .unwrap();
        for s in [&mut s_agent, &mut s_other, &mut s_senior, &mut s_manager] {
            let seen = s.until(EventKind::TicketEscalated).await;
            assert_eq!(seen.len(), 2, "created then escalated: {seen:?}");
            let e = seen.last().unwrap();
            assert_eq!((e.subject_kind, e.subject_id), (SubjectKind::Ticket, t.id));
            assert_eq!(e.actor_id, Some(agent.id));
            let EventFacts::Ticket(f) = &e.facts else {
                panic!("{e:?}")
            };
            assert_eq!(f.number, Some(t.number));
            assert_eq!(f.escalation_level, EscalationLevel::L2);
            assert_eq!(f.reason.as_deref(), Some("Needs the gateway logs"));
            // The pop-up rule: only the senior agent's app pops up.
            let sam = opsdesk_core::events::Viewer {
                id: senior.id,
                role: Role::SeniorAgent,
            };
            let n = opsdesk_core::events::notification_for(
                e.kind,
                e.subject_id,
                &e.facts,
                e.actor_id,
                sam,
            );
            assert!(n.is_some());
        }

        // An access request reaches its requester and the reviewers, never another agent.
        let r: AccessRequestView = app
            .post(
                "/api/v1/access/requests",
                Some(&agent.token),
                &json!({"tenant_id": acme.id, "scope": "read", "duration_minutes": 60,
                    "reason": "Customer cannot sign in; checking their account"}),
            )
            .await
            .unwrap();
        let e = s_manager
            .until(EventKind::AccessRequested)
            .await
            .pop()
            .unwrap();
        assert_eq!(e.subject_id, r.id);
        let n = opsdesk_core::events::notification_for(
            e.kind,
            e.subject_id,
            &e.facts,
            e.actor_id,
            opsdesk_core::events::Viewer {
                id: manager.id,
                role: Role::Manager,
            },
        )
        .expect("the manager is asked to review");
        assert_eq!(
            n.actions,
            vec![
                NotificationAction::Open,
                NotificationAction::Approve,
                NotificationAction::Deny
            ]
        );
        s_agent.until(EventKind::AccessRequested).await;
        s_other.quiet().await;
        s_senior.quiet().await;

        // The decision reaches the requester (and reviewers), not the other agent.
        let _: AccessRequestView = app
            .post(
                &format!("/api/v1/access/requests/{}/reviews", r.id),
                Some(&manager.token),
                &json!({"approve": true, "version": r.version}),
            )
            .await
            .unwrap();
        let decided = s_agent.until(EventKind::AccessDecided).await.pop().unwrap();
        let EventFacts::Access(a) = &decided.facts else {
            panic!()
        };
        assert_eq!(a.status, RequestStatus::Approved);
        assert!(a.grant_ends_at.is_some());
        assert_eq!(s_agent.event().await.unwrap().kind, EventKind::GrantStarted);
        s_other.quiet().await;

        // Staff changes reach the person and staff readers.
        let ben: StaffView = app.staff(&admin, other.id).await;
        let _: StaffView = app
            .put(
                &format!("/api/v1/staff/{}/role", other.id),
                &admin.token,
                &json!({"role": "senior_agent", "version": ben.version}),
            )
            .await
            .unwrap();
        assert_eq!(s_other.event().await.unwrap().kind, EventKind::StaffChanged);
        assert_eq!(
            s_manager
                .until(EventKind::StaffChanged)
                .await
                .last()
                .unwrap()
                .subject_id,
            other.id
        );
        s_agent.quiet().await;

        // Without a session there is no stream.
        let resp = reqwest::Client::new()
            .get(format!("{}/api/v1/events", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        let resp = reqwest::Client::new()
            .get(format!("{}/api/v1/events", app.base))
            .bearer_auth(&agent.token)
            .header("Last-Event-ID", "yesterday")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
    }
);

both!(
    a_dropped_stream_resumes_without_loss_or_doubles,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let acme = tenant(&app, &admin).await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let mut s = Stream::open(&app.base, &agent.token, None).await;
        let first = open_ticket(&app, &agent, acme.id, "First").await;
        let e1 = s.until(EventKind::TicketCreated).await.pop().unwrap();
        assert_eq!(e1.subject_id, first.id);
        drop(s);
        // While disconnected: three changes.
        let mut made = Vec::new();
        for subject in ["Second", "Third", "Fourth"] {
            made.push(open_ticket(&app, &agent, acme.id, subject).await.id);
        }
        let mut s = Stream::open(&app.base, &agent.token, Some(e1.id)).await;
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(s.event().await.expect("a missed event"));
        }
        assert_eq!(got.iter().map(|e| e.subject_id).collect::<Vec<_>>(), made);
        assert!(
            got.windows(2).all(|w| w[1].id == w[0].id + 1),
            "in order: {got:?}"
        );
        assert!(got[0].id == e1.id + 1);
        s.quiet().await;
        // And live again after the replay, without repeating it.
        let fifth = open_ticket(&app, &agent, acme.id, "Fifth").await;
        let e = s.event().await.unwrap();
        assert_eq!((e.subject_id, e.id), (fifth.id, got[2].id + 1));

        // A resume point older than the hub keeps asks the app to reload.
        let state = app.hub.as_ref().unwrap().state.clone();
        app.clock.advance(chrono::Duration::hours(25));
        let person = app
            .sign_in(&agent.username, PASSWORD, &agent.secret)
            .await
            .unwrap();
        open_ticket(
            &app,
            &Person {
                token: person.token.clone(),
                ..agent.clone()
            },
            acme.id,
            "Sixth",
        )
        .await;
        let pruned = state
            .store
            .prune_events(state.now() - chrono::Duration::hours(24))
            .await
            .unwrap();
        assert!(pruned >= 5, "{pruned}");
        let mut s = Stream::open(&app.base, &person.token, Some(e1.id)).await;
        let m = s.next(Duration::from_secs(5)).await.unwrap();
        assert_eq!(m.event, "resync", "{m:?}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_events_cross_hubs() {
    let app = spawn_app(Db::Postgres).await;
    let (other_base, _other_hub) = app.another_hub().await;
    let admin = app.admin().await;
    let acme = tenant(&app, &admin).await;
    let senior = app.invite(&admin, "sam", Role::SeniorAgent).await;
    // The senior agent's app is connected to the other hub.
    let mut s = Stream::open(&other_base, &senior.token, None).await;
    let t = open_ticket(&app, &admin, acme.id, "Made through the first hub").await;
    let e = s.until(EventKind::TicketCreated).await.pop().unwrap();
    assert_eq!(e.subject_id, t.id);
}
