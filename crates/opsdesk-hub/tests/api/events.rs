//! The live event stream over real HTTP, on both databases: each person receives only what they
//! may see, a dropped connection resumes from `Last-Event-ID` with nothing lost or doubled, a
//! stream gives its resume point even when it has no event to send (also while live, at its
//! periodic session check), and with PostgreSQL an app connected to one hub hears about a change
//! made through another.

use crate::both;
use crate::helpers::*;
use opsdesk_core::Role;
use opsdesk_proto::*;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// A Server-Sent Events reader over a real connection.
pub struct Stream {
    resp: reqwest::Response,
    buf: String,
    /// The resume points given by id-only messages, in order (skipped by `event` and
    /// `nothing_before`).
    pub positions: Vec<i64>,
}

/// One parsed SSE message.
#[derive(Debug)]
pub struct Message {
    id: Option<String>,
    event: String,
    data: String,
}

impl Message {
    /// A message with only an `id:` line: it moves the resume point and dispatches nothing.
    fn position(&self) -> Option<i64> {
        let id = self.id.as_deref()?;
        (self.event == "message" && self.data.is_empty()).then(|| id.parse().expect("a number"))
    }
}

impl Stream {
    /// Opens the stream; without `last_id` it must start with an id-only message giving the
    /// resume point (kept as the first of `positions`).
    pub async fn open(base: &str, token: &str, last_id: Option<i64>) -> Stream {
        let mut req = reqwest::Client::new()
            .get(format!("{base}{}", routes::EVENTS))
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
        let mut s = Stream {
            resp,
            buf: String::new(),
            positions: Vec::new(),
        };
        if last_id.is_none() {
            let m = s
                .next(Duration::from_secs(5))
                .await
                .expect("a first message");
            let at = m
                .position()
                .unwrap_or_else(|| panic!("not a resume point: {m:?}"));
            s.positions.push(at);
        }
        s
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

    /// The next message that is not a resume point (those are kept in `positions`).
    async fn next_dispatched(&mut self, wait: Duration) -> Option<Message> {
        loop {
            let m = self.next(wait).await?;
            match m.position() {
                Some(at) => self.positions.push(at),
                None => return Some(m),
            }
        }
    }

    /// The next `change` event, skipping nothing else but heartbeats and resume points.
    pub async fn event(&mut self) -> Option<HubEvent> {
        let m = self.next_dispatched(Duration::from_secs(5)).await?;
        assert_eq!(m.event, "change", "{m:?}");
        let e: HubEvent = serde_json::from_str(&m.data).expect("a HubEvent");
        assert_eq!(m.id.as_deref(), Some(e.id.to_string().as_str()));
        Some(e)
    }

    /// Events until `kind` arrives (returned last).
    pub async fn until(&mut self, kind: EventKind) -> Vec<HubEvent> {
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

    /// Asserts nothing (but heartbeats and resume points) reached this stream before the event
    /// about `marker`, which the caller made after the moment in question and this person sees:
    /// a stream sends events in order, so anything sent earlier would have come first.
    pub async fn nothing_before(&mut self, marker: Uuid) {
        let e = self
            .event()
            .await
            .unwrap_or_else(|| panic!("no event about the marker {marker}"));
        assert_eq!(
            e.subject_id, marker,
            "expected nothing before the marker, got {e:?}"
        );
    }
}

async fn tenant(app: &TestApp, admin: &Person) -> TenantView {
    app.client(&admin.token)
        .create_tenant(&from_json(
            json!({"name": "Acme Corp", "slug": "acme", "plan": "enterprise"}),
        ))
        .await
        .checked()
        .unwrap()
}

async fn clear(app: &TestApp, admin: &Person, who: &Person) {
    let _: ClearanceView = app
        .client(&admin.token)
        .record_clearance(
            who.id,
            &from_json(
                json!({"nda": true, "background_check": true, "training": true, "version": 0}),
            ),
            None,
        )
        .await
        .checked()
        .unwrap();
}

async fn open_ticket(app: &TestApp, by: &Person, tenant: Uuid, subject: &str) -> TicketSummary {
    app.client(&by.token)
        .create_ticket(
            &from_json(json!({"tenant_id": tenant, "requester_name": "Rita Ruiz",
                "requester_email": "rita@acme.example", "subject": subject,
                "body": "Since this morning", "priority": "high"})),
            None,
        )
        .await
        .checked()
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
            .client(&agent.token)
            .escalate_ticket(
                t.id,
                &from_json(json!({"version": t.version, "reason": "Needs the gateway logs"})),
                None,
            )
            .await
            .checked()
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
            .client(&agent.token)
            .create_access_request(
                &from_json(
                    json!({"tenant_id": acme.id, "scope": "read", "duration_minutes": 60,
                    "reason": "Customer cannot sign in; checking their account"}),
                ),
                None,
            )
            .await
            .checked()
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
        let marker = open_ticket(&app, &agent, acme.id, "Marker after the request").await;
        s_other.nothing_before(marker.id).await;
        s_senior.nothing_before(marker.id).await;

        // The decision reaches the requester (and reviewers), not the other agent.
        let _: AccessRequestView = app
            .client(&manager.token)
            .review_access_request(
                r.id,
                &from_json(json!({"approve": true, "version": r.version})),
                None,
            )
            .await
            .checked()
            .unwrap();
        let decided = s_agent.until(EventKind::AccessDecided).await.pop().unwrap();
        let EventFacts::Access(a) = &decided.facts else {
            panic!()
        };
        assert_eq!(a.status, RequestStatus::Approved);
        assert!(a.grant_ends_at.is_some());
        assert_eq!(s_agent.event().await.unwrap().kind, EventKind::GrantStarted);

        // Staff changes reach the person and staff readers.
        let ben: StaffView = app.staff(&admin, other.id).await;
        let _: StaffView = app
            .client(&admin.token)
            .change_role(
                other.id,
                &from_json(json!({"role": "senior_agent", "version": ben.version})),
            )
            .await
            .checked()
            .unwrap();
        // The other agent's next event: nothing of the decision reached them before it.
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
        let marker = open_ticket(&app, &agent, acme.id, "Marker after the role change").await;
        s_agent.nothing_before(marker.id).await;

        // Without a session there is no stream.
        let resp = reqwest::Client::new()
            .get(format!("{}{}", app.base, routes::EVENTS))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        let resp = reqwest::Client::new()
            .get(format!("{}{}", app.base, routes::EVENTS))
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
        // And live again after the replay, without repeating it: the next event is the one made
        // now, so nothing of the replay came twice before it.
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

        // A resume point past every event there is (the hub's database was restored from a
        // backup) asks for a reload too, and gives the hub's own last id to resume from.
        let last = state.store.last_event_seq().await.unwrap();
        let mut s = Stream::open(&app.base, &person.token, Some(last + 50)).await;
        let m = s.next(Duration::from_secs(5)).await.unwrap();
        assert_eq!(m.event, "resync", "{m:?}");
        assert_eq!(m.id.as_deref(), Some(last.to_string().as_str()), "{m:?}");
        let seventh = open_ticket(
            &app,
            &Person {
                token: person.token.clone(),
                ..agent.clone()
            },
            acme.id,
            "Seventh",
        )
        .await;
        let e = s
            .event()
            .await
            .expect("the next event after the hub's last");
        assert_eq!((e.subject_id, e.id), (seventh.id, last + 1));
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

/// The events kept after `after`, straight from the event log.
async fn logged(app: &TestApp, after: i64) -> Vec<opsdesk_store::EventRecord> {
    let state = &app.hub.as_ref().expect("hub running").state;
    state
        .store
        .events_after(after, 500)
        .await
        .expect("event log")
}

both!(
    invites_and_enrollments_reach_staff_readers_only,
    |app: TestApp| async move {
        // The first admin is invited, invited again (the first invite was lost), and enrolls:
        // each is a staff event in the log, for staff readers and the person only.
        let state = app.hub.as_ref().unwrap().state.clone();
        let req: InviteStaffRequest = serde_json::from_value(json!({
            "username": "root.admin", "display_name": "Root Admin",
            "email": "root@example.com", "role": "admin"
        }))
        .unwrap();
        let first = opsdesk_hub::domain::staff::invite::bootstrap_admin(&state, req.clone())
            .await
            .unwrap();
        let again = opsdesk_hub::domain::staff::invite::bootstrap_admin(&state, req)
            .await
            .unwrap();
        let admin = app.enroll(&again.invite_token, Role::Admin).await;
        let log = logged(&app, 0).await;
        let kinds: Vec<(EventKind, Uuid, Option<Uuid>)> = log
            .iter()
            .map(|e| (e.draft.kind, e.draft.subject_id, e.draft.actor_id))
            .collect();
        let root = first.staff.id;
        assert_eq!(
            kinds,
            vec![
                (EventKind::StaffInvited, root, None),
                (EventKind::StaffInvited, root, None),
                (EventKind::StaffEnrolled, root, Some(root)),
            ]
        );
        for e in &log {
            assert_eq!(e.draft.subject_kind, SubjectKind::Staff);
            let audience = &e.draft.audience;
            assert!(audience.admits(root, Role::Admin));
            assert!(audience.admits(Uuid::now_v7(), Role::Manager));
            assert!(!audience.admits(Uuid::now_v7(), Role::SeniorAgent));
        }

        // An admin's and a manager's streams hear of an invite and of the enrollment; an
        // agent's stream hears of neither.
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let manager = app.invite(&admin, "maria", Role::Manager).await;
        let mut s_admin = Stream::open(&app.base, &admin.token, None).await;
        let mut s_manager = Stream::open(&app.base, &manager.token, None).await;
        let mut s_agent = Stream::open(&app.base, &agent.token, None).await;
        let issued: InviteIssued = app
            .client(&admin.token)
            .invite_staff(&from_json(
                json!({"username": "nina", "display_name": "Nina Novak",
                        "email": "nina@example.com", "role": "agent"}),
            ))
            .await
            .checked()
            .unwrap();
        let nina = issued.staff.id;
        for s in [&mut s_admin, &mut s_manager] {
            let e = s.event().await.expect("the invite");
            assert_eq!(
                (e.kind, e.subject_kind, e.subject_id, e.actor_id),
                (
                    EventKind::StaffInvited,
                    SubjectKind::Staff,
                    nina,
                    Some(admin.id)
                )
            );
            assert_eq!(e.facts, EventFacts::None);
        }
        let enrolled = app.enroll(&issued.invite_token, Role::Agent).await;
        assert_eq!(enrolled.id, nina);
        for s in [&mut s_admin, &mut s_manager] {
            let e = s.event().await.expect("the enrollment");
            assert_eq!(
                (e.kind, e.subject_id, e.actor_id),
                (EventKind::StaffEnrolled, nina, Some(nina))
            );
        }
        // The screens can read what changed: the new person is active.
        let view = app.staff(&admin, nina).await;
        assert_eq!(view.status, opsdesk_core::staff::StaffStatus::Active);
        let acme = tenant(&app, &admin).await;
        let marker = open_ticket(&app, &admin, acme.id, "Marker after the enrollment").await;
        s_agent.nothing_before(marker.id).await;
        s_admin.nothing_before(marker.id).await;
    }
);

both!(
    a_stream_gives_its_resume_point_even_without_an_event,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let acme = tenant(&app, &admin).await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        open_ticket(&app, &agent, acme.id, "Seen by agents").await;
        let state = app.hub.as_ref().unwrap().state.clone();
        let last = state.store.last_event_seq().await.unwrap();
        assert!(last >= 5, "invites, enrollments and a ticket: {last}");

        // Opened without Last-Event-ID, the stream's first bytes are `id: <last event>` and a
        // blank line: no event, no data, so nothing is dispatched but the id is kept.
        let mut resp = reqwest::Client::new()
            .get(format!("{}{}", app.base, routes::EVENTS))
            .bearer_auth(&agent.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let mut raw = Vec::new();
        while !raw.windows(2).any(|w| w == b"\n\n") {
            let chunk = tokio::time::timeout(Duration::from_secs(5), resp.chunk())
                .await
                .expect("the first message comes at once")
                .unwrap()
                .expect("the stream stays open");
            raw.extend_from_slice(&chunk);
        }
        assert!(
            raw.starts_with(format!("id: {last}\n\n").as_bytes()),
            "{:?}",
            String::from_utf8_lossy(&raw)
        );
        drop(resp);

        // Resuming from there needs nothing replayed, and what comes next is the next event.
        let mut s = Stream::open(&app.base, &agent.token, None).await;
        assert_eq!(s.positions, vec![last]);
        let mut resumed = Stream::open(&app.base, &agent.token, Some(last)).await;
        let second = open_ticket(&app, &agent, acme.id, "Next").await;
        for s in [&mut s, &mut resumed] {
            let e = s.event().await.unwrap();
            assert_eq!((e.id, e.subject_id), (last + 1, second.id));
        }
        assert_eq!(s.positions, vec![last]);
        assert!(resumed.positions.is_empty(), "{:?}", resumed.positions);
        drop((s, resumed));

        // Events the agent may not see (staff changes) while away: the replay sends what the
        // agent may see first, then the position after the rest, so the next resume skips them.
        let before = state.store.last_event_seq().await.unwrap();
        open_ticket(&app, &agent, acme.id, "Seen").await;
        app.invite(&admin, "ben", Role::Agent).await;
        let after = state.store.last_event_seq().await.unwrap();
        assert_eq!(after, before + 3, "a ticket, an invite, an enrollment");
        let mut s = Stream::open(&app.base, &agent.token, Some(before)).await;
        let m = s.next(Duration::from_secs(5)).await.unwrap();
        assert_eq!(m.event, "change", "the visible event first: {m:?}");
        assert_eq!(m.id.as_deref(), Some((before + 1).to_string().as_str()));
        let m = s.next(Duration::from_secs(5)).await.unwrap();
        assert_eq!(m.position(), Some(after), "{m:?}");
        let marker = open_ticket(&app, &agent, acme.id, "Marker after the replay").await;
        s.nothing_before(marker.id).await;
        assert!(s.positions.is_empty(), "{:?}", s.positions);
        // The admin may see them all: replayed in order, with no position after them.
        let mut s = Stream::open(&app.base, &admin.token, Some(before)).await;
        let ids: Vec<i64> = [s.event().await, s.event().await, s.event().await]
            .into_iter()
            .map(|e| e.expect("replayed").id)
            .collect();
        assert_eq!(ids, vec![before + 1, before + 2, before + 3]);
        s.nothing_before(marker.id).await;
        assert!(s.positions.is_empty(), "{:?}", s.positions);
    }
);

both!(
    clearance_and_sessions_ended_by_others_reach_staff_readers_only,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let ben = app.invite(&admin, "ben", Role::Agent).await;
        let mut s_admin = Stream::open(&app.base, &admin.token, None).await;
        let mut s_agent = Stream::open(&app.base, &agent.token, None).await;
        let state = app.hub.as_ref().unwrap().state.clone();
        // Each change is the newest event in the log when the admin receives it.
        let changed = |e: HubEvent, last: i64| {
            assert_eq!(e.id, last, "{e:?}");
            (e.kind, e.subject_kind, e.subject_id, e.actor_id, e.facts)
        };
        let expected = (
            EventKind::StaffChanged,
            SubjectKind::Staff,
            ben.id,
            Some(admin.id),
            EventFacts::None,
        );

        // The admin records Ben's clearance.
        clear(&app, &admin, &ben).await;
        let e = s_admin.event().await.expect("the clearance");
        let last = state.store.last_event_seq().await.unwrap();
        assert_eq!(changed(e, last), expected);

        // The admin ends every session of Ben's.
        let ended: SessionsEnded = app
            .client(&admin.token)
            .end_staff_sessions(ben.id)
            .await
            .checked()
            .unwrap();
        assert_eq!(ended.ended, 1);
        let e = s_admin.event().await.expect("the sessions ended");
        let last = state.store.last_event_seq().await.unwrap();
        assert_eq!(changed(e, last), expected);

        // Ben signs in again; the admin ends that one session.
        let again = app
            .sign_in(&ben.username, PASSWORD, &ben.secret)
            .await
            .unwrap();
        let () = app
            .client(&admin.token)
            .end_session(again.session.id)
            .await
            .checked()
            .unwrap();
        let e = s_admin.event().await.expect("the session ended");
        let last = state.store.last_event_seq().await.unwrap();
        assert_eq!(changed(e, last), expected);

        // Ending one's own sessions is no staff change: no event.
        let again = app
            .sign_in(&ben.username, PASSWORD, &ben.secret)
            .await
            .unwrap();
        let _: SessionsEnded = app
            .delete(
                &format!("{}?keep_current=false", routes::SESSIONS),
                &again.token,
            )
            .await
            .unwrap();
        let again = app
            .sign_in(&ben.username, PASSWORD, &ben.secret)
            .await
            .unwrap();
        let () = app.client(&again.token).logout().await.checked().unwrap();
        // A change about the agent reaches the agent and the admin: nothing came before it, so
        // neither Ben's own sign-outs nor (for the agent) the changes above reached them.
        clear(&app, &admin, &agent).await;
        s_admin.nothing_before(agent.id).await;
        s_agent.nothing_before(agent.id).await;
    }
);

/// Settings whose streams check their session (and give their position) every second.
fn quick_checks() -> opsdesk_hub::config::Settings {
    let mut s = test_settings();
    s.stream_check_seconds = 1;
    s
}

/// Waits until a session check of `who`'s stream has begun after this call. A check touches the
/// session once a minute has passed since its last use: the test clock moves a minute on, and
/// the admin reads `who`'s sessions until one was seen at or after that time.
async fn session_checked(app: &TestApp, admin: &Person, who: &Person) {
    let state = app.hub.as_ref().expect("hub running").state.clone();
    app.clock.advance(chrono::Duration::seconds(61));
    let since = state.now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let sessions: Page<SessionView> = app
            .client(&admin.token)
            .staff_sessions(who.id)
            .await
            .checked()
            .unwrap();
        if sessions.items.iter().any(|s| s.last_seen_at >= since) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no session check of {}'s stream: {:?}",
            who.username,
            sessions.items
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs `a_live_stream_gives_its_position_at_its_session_check` on one database.
async fn live_position(db: Db) {
    let app = spawn_app_with(db, quick_checks()).await;
    let admin = app.admin().await;
    let acme = tenant(&app, &admin).await;
    let agent = app.invite(&admin, "ana", Role::Agent).await;
    let ben = app.invite(&admin, "ben", Role::Agent).await;
    let state = app.hub.as_ref().unwrap().state.clone();
    let mut s_agent = Stream::open(&app.base, &agent.token, None).await;
    let mut s_admin = Stream::open(&app.base, &admin.token, None).await;
    let start = state.store.last_event_seq().await.unwrap();
    assert_eq!(s_agent.positions, vec![start]);

    // A staff change only managers and above see: the agent's stream goes past it and, at its
    // next session check, gives that event's number as an id-only message.
    clear(&app, &admin, &ben).await;
    let hidden = state.store.last_event_seq().await.unwrap();
    assert_eq!(hidden, start + 1);
    assert_eq!(s_admin.event().await.unwrap().id, hidden);
    let m = s_agent
        .next(Duration::from_secs(10))
        .await
        .expect("the position, at the next check");
    assert_eq!(m.position(), Some(hidden), "{m:?}");

    // Nothing moved since: later checks give nothing more, and the next visible event follows.
    // Two more checks have run (the second began after the first had sent whatever it would),
    // so a repeated position would be in the stream before the ticket's event.
    for _ in 0..2 {
        session_checked(&app, &admin, &agent).await;
    }
    let t = open_ticket(&app, &agent, acme.id, "After the hidden one").await;
    let e = s_agent.event().await.unwrap();
    assert_eq!((e.id, e.subject_id), (hidden + 1, t.id));
    // (The hidden event's position was read above, outside `positions`.)
    assert_eq!(s_agent.positions, vec![start], "the position is given once");
    // The admin saw every event, so their stream (checked as often) gave no position after
    // its first one.
    assert_eq!(s_admin.event().await.unwrap().id, hidden + 1);
    assert_eq!(s_admin.positions, vec![start]);

    // Resuming from the given position replays nothing of what the agent may not see.
    drop(s_agent);
    let mut resumed = Stream::open(&app.base, &agent.token, Some(hidden)).await;
    let e = resumed.event().await.expect("the ticket, replayed");
    assert_eq!(e.id, hidden + 1);
    let marker = open_ticket(&app, &agent, acme.id, "After the replay").await;
    resumed.nothing_before(marker.id).await;
    assert!(resumed.positions.is_empty(), "{:?}", resumed.positions);
}

mod a_live_stream_gives_its_position_at_its_session_check {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        live_position(Db::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        live_position(Db::Postgres).await;
    }
}
