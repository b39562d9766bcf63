//! Access requests, reviews and grants on both databases: decisions are conditional on the
//! version and on the request still pending, so a stale or repeated review, or a review racing
//! the expiry job, changes nothing; grants start and end once; listings filter and page in SQL;
//! clearance is versioned.

use crate::harness::{admin, audit_len, enrolled, fx, new_staff, t};
use chrono::Duration;
use opsdesk_core::access::{Clearance, GrantEndReason, GrantState, RequestStatus};
use opsdesk_core::proof::{scope, OwnOrAny, TenantAccess};
use opsdesk_core::rules::AccessScope;
use opsdesk_core::Role;
use opsdesk_store::*;
use std::sync::Arc;
use uuid::Uuid;

store_tests!(
    two_approvals_make_one_admin_grant,
    a_stale_review_writes_nothing,
    expiry_and_reviews_do_not_both_win,
    grants_start_and_end_once,
    listings_filter_and_page,
    clearance_is_versioned_and_reviewers_are_active_staff,
);

/// Two tenants and the staff who request and review access to them.
pub(crate) struct Desk {
    pub tenant_a: Uuid,
    pub tenant_b: Uuid,
    /// An engineer (tier 4), who may request any scope.
    pub engineer: Uuid,
    pub manager: Uuid,
    pub manager2: Uuid,
    pub officer: Uuid,
}

pub(crate) async fn desk(store: &Arc<dyn Store>) -> Desk {
    let staff = |name: &'static str, role: Role| {
        let store = store.clone();
        async move {
            let (s, invite) = new_staff(name, role);
            let id = s.id;
            store
                .create_staff(&admin(), s, invite, Effects::default())
                .await
                .expect("staff");
            id
        }
    };
    Desk {
        tenant_a: crate::tickets::tenant(store).await,
        tenant_b: crate::tickets::tenant(store).await,
        engineer: staff("eng", Role::Engineer).await,
        manager: staff("mgr", Role::Manager).await,
        manager2: staff("mgr2", Role::Manager).await,
        officer: staff("sec", Role::SecurityOfficer).await,
    }
}

/// Stores `new` (without audit entries).
pub(crate) async fn requested(
    store: &Arc<dyn Store>,
    new: NewAccessRequest,
) -> AccessRequestRecord {
    let req = store.create_access_request(new, Effects::default()).await;
    req.expect("the request is stored")
}

/// A request for `scope` made at `at` seconds, waiting a day.
pub(crate) fn ask(
    tenant: Uuid,
    requester: Uuid,
    tier: i64,
    scope: AccessScope,
    at: i64,
) -> NewAccessRequest {
    NewAccessRequest {
        id: Uuid::new_v4(),
        tenant_id: tenant,
        requester_id: requester,
        requester_tier: tier,
        scope,
        reason: "Ticket 42: the customer cannot sign in".into(),
        duration_minutes: 60,
        start_at: None,
        ticket_id: None,
        created_at: t(at),
        expires_at: t(at) + Duration::hours(24),
    }
}

fn review(request: &AccessRequestRecord, reviewer: Uuid, approved: bool, at: i64) -> NewReview {
    NewReview {
        request_id: request.view.id,
        expected_version: request.view.version,
        reviewer_id: reviewer,
        approved,
        comment: (!approved).then(|| "no linked ticket".to_owned()),
        at: t(at),
    }
}

/// The grant an approval at `at` seconds makes: an hour from then.
fn window(at: i64) -> NewGrant {
    NewGrant {
        id: Uuid::new_v4(),
        starts_at: t(at),
        ends_at: t(at) + Duration::hours(1),
        start_recorded: true,
    }
}

/// `holder` asks for `scope` on `tenant` at `at` seconds and the managers approve it (both, for
/// admin); returns the grant's id.
pub(crate) async fn granted(
    store: &Arc<dyn Store>,
    d: &Desk,
    tenant: Uuid,
    holder: Uuid,
    scope: AccessScope,
    at: i64,
) -> Uuid {
    let mut req = requested(store, ask(tenant, holder, 4, scope, at)).await;
    if scope == AccessScope::Admin {
        let first = review(&req, d.manager2, true, at);
        req = store
            .review_access_request(
                &admin(),
                first,
                ReviewDecision::StillPending,
                Effects::default(),
            )
            .await
            .unwrap();
    }
    let grant = window(at);
    let id = grant.id;
    let decision = ReviewDecision::Approved(grant);
    let last = review(&req, d.manager, true, at);
    store
        .review_access_request(&admin(), last, decision, Effects::default())
        .await
        .unwrap();
    id
}

/// The request as the store holds it now, its grant's state at `at`.
async fn current(
    store: &Arc<dyn Store>,
    req: &AccessRequestRecord,
    at: chrono::DateTime<chrono::Utc>,
) -> AccessRequestRecord {
    let found = store.access_request(req.view.id, at).await.unwrap();
    found.expect("the request is stored")
}

/// The proof the hub's check gives `holder` for `tenant` at `at` seconds, from the store's facts.
pub(crate) async fn proof<S: scope::Scope>(
    store: &Arc<dyn Store>,
    holder: Uuid,
    tenant: Uuid,
    at: i64,
) -> TenantAccess<S> {
    let facts = store.grant_facts(holder, tenant, t(at)).await.unwrap();
    TenantAccess::<S>::check(&facts, holder, tenant, t(at)).expect("an active grant")
}

async fn two_approvals_make_one_admin_grant(store: Arc<dyn Store>) {
    let d = desk(&store).await;
    let ticket = crate::tickets::create(
        &store,
        crate::tickets::state(d.tenant_a, "Cannot sign in", 0, None),
        "help",
    )
    .await;
    let mut new = ask(d.tenant_a, d.engineer, 4, AccessScope::Admin, 10);
    new.ticket_id = Some(ticket.id());
    let req = store
        .create_access_request(new, fx("access.requested", "req"))
        .await
        .unwrap();
    let v = &req.view;
    assert_eq!(
        (v.status, v.version, v.approvals_needed),
        (RequestStatus::Pending, 1, 2)
    );
    assert_eq!((v.tenant.id, v.requester.id), (d.tenant_a, d.engineer));
    assert_eq!(v.requester.display_name, "eng display");
    assert_eq!(v.ticket_number, Some(ticket.seq));
    assert_eq!((v.reviews.len(), v.grant.is_none()), (0, true));

    // The first approval of two leaves it pending.
    let first = review(&req, d.manager, true, 20);
    let req = store
        .review_access_request(
            &admin(),
            first.clone(),
            ReviewDecision::StillPending,
            Effects::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (req.view.status, req.view.version),
        (RequestStatus::Pending, 2)
    );
    assert_eq!(req.view.reviews[0].reviewer.id, d.manager);
    assert_eq!(req.view.decided_at, None);

    // The same reviewer again, on the current version: refused, nothing changes.
    let again = NewReview {
        expected_version: 2,
        ..first
    };
    assert_refused!(
        store.review_access_request(
            &admin(),
            again,
            ReviewDecision::Approved(window(25)),
            Effects::default(),
        ),
        StoreError::Duplicate { field: "reviewer" }
    );
    let unchanged = current(&store, &req, t(25)).await;
    assert_eq!((unchanged.view.version, unchanged.view.grant), (2, None));

    // The second approval makes the grant, held by the requester.
    let grant = window(30);
    let second = review(&req, d.manager2, true, 30);
    let req = store
        .review_access_request(
            &admin(),
            second,
            ReviewDecision::Approved(grant.clone()),
            Effects::default(),
        )
        .await
        .unwrap();
    assert_eq!(req.view.status, RequestStatus::Approved);
    assert_eq!((req.view.version, req.view.decided_at), (3, Some(t(30))));
    let reviewers: Vec<Uuid> = req.view.reviews.iter().map(|r| r.reviewer.id).collect();
    assert_eq!(reviewers, vec![d.manager, d.manager2]);
    let g = req.view.grant.clone().expect("a grant");
    assert_eq!(
        (g.id, g.request_id, g.holder.id),
        (grant.id, req.view.id, d.engineer)
    );
    assert_eq!(
        (g.scope, g.state, g.tenant.id),
        (AccessScope::Admin, GrantState::Active, d.tenant_a)
    );
    assert_eq!((g.starts_at, g.ends_at), (grant.starts_at, grant.ends_at));

    // Decided: no more reviews, and still one grant.
    let late = review(&req, d.officer, true, 40);
    assert_refused!(
        store.review_access_request(
            &admin(),
            late,
            ReviewDecision::Approved(window(40)),
            Effects::default(),
        ),
        StoreError::VersionConflict
    );
    let grants = store
        .list_grants(&GrantFilter {
            holder_id: Some(d.engineer),
            tenant_id: None,
            current_only: false,
            limit: 10,
            now: t(40),
        })
        .await
        .unwrap();
    assert_eq!(grants, vec![g.clone()]);
    assert_eq!(store.grant(g.id, t(40)).await.unwrap(), Some(g));
}

async fn a_stale_review_writes_nothing(store: Arc<dyn Store>) {
    let d = desk(&store).await;
    let req = requested(&store, ask(d.tenant_a, d.engineer, 4, AccessScope::Read, 0)).await;
    let before = audit_len(&*store).await;
    let stale = NewReview {
        expected_version: 7,
        ..review(&req, d.manager, true, 5)
    };
    assert_refused!(
        store.review_access_request(
            &admin(),
            stale,
            ReviewDecision::Approved(window(5)),
            fx("access.reviewed", "req"),
        ),
        StoreError::VersionConflict
    );
    let now = current(&store, &req, t(5)).await;
    assert_eq!(now, req, "no review, no grant, no new version");
    assert_eq!(audit_len(&*store).await, before, "no audit entry");

    let unknown = NewReview {
        request_id: Uuid::new_v4(),
        ..review(&req, d.manager, true, 5)
    };
    assert_refused!(
        store.review_access_request(
            &admin(),
            unknown,
            ReviewDecision::StillPending,
            Effects::default()
        ),
        StoreError::NotFound
    );
    assert_eq!(
        store.access_request(Uuid::new_v4(), t(5)).await.unwrap(),
        None
    );
}

async fn expiry_and_reviews_do_not_both_win(store: Arc<dyn Store>) {
    let d = desk(&store).await;
    let mut new = ask(d.tenant_a, d.engineer, 4, AccessScope::Read, 0);
    new.expires_at = t(100);
    let req = requested(&store, new).await;
    // (One pending request per requester, tenant and scope: the other one asks for support.)
    let later = requested(
        &store,
        ask(d.tenant_a, d.engineer, 4, AccessScope::Support, 1),
    )
    .await;

    assert!(store
        .access_requests_to_expire(t(99), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(!store
        .expire_access_request(req.view.id, t(99), fx("access.expired", "early"))
        .await
        .unwrap());
    let due = store.access_requests_to_expire(t(100), 10).await.unwrap();
    assert_eq!(
        due.iter().map(|r| r.view.id).collect::<Vec<_>>(),
        vec![req.view.id]
    );

    // The expiry job gets there first; the reviewer's decision on the version they saw loses.
    let before = audit_len(&*store).await;
    assert!(store
        .expire_access_request(req.view.id, t(100), fx("access.expired", "req"))
        .await
        .unwrap());
    assert_eq!(audit_len(&*store).await, before + 1);
    assert_refused!(
        store.review_access_request(
            &admin(),
            review(&req, d.manager, true, 101),
            ReviewDecision::Approved(window(101)),
            fx("access.reviewed", "req"),
        ),
        StoreError::VersionConflict
    );
    let expired = current(&store, &req, t(101)).await;
    assert_eq!(
        (expired.view.status, expired.view.version),
        (RequestStatus::Expired, 2)
    );
    assert_eq!(expired.view.decided_at, Some(t(100)));
    assert!(expired.view.reviews.is_empty() && expired.view.grant.is_none());
    // A second hub's expiry of the same request writes nothing.
    assert!(!store
        .expire_access_request(req.view.id, t(102), fx("access.expired", "req"))
        .await
        .unwrap());
    assert_eq!(audit_len(&*store).await, before + 1);

    // Denied first: the expiry job finds nothing to do, and cancelling is too late.
    let denied = store
        .review_access_request(
            &admin(),
            review(&later, d.manager, false, 50),
            ReviewDecision::Denied,
            Effects::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (denied.view.status, denied.view.decided_at),
        (RequestStatus::Denied, Some(t(50)))
    );
    assert_eq!(
        denied.view.reviews[0].comment.as_deref(),
        Some("no linked ticket")
    );
    let day_later = t(1) + Duration::hours(25);
    assert!(store
        .access_requests_to_expire(day_later, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(!store
        .expire_access_request(later.view.id, day_later, Effects::default())
        .await
        .unwrap());
    assert_refused!(
        store.cancel_access_request(
            later.view.id,
            denied.view.version,
            t(60),
            Effects::default(),
        ),
        StoreError::VersionConflict
    );

    // Cancelling one's own pending request, at the version read.
    let mine = requested(
        &store,
        ask(d.tenant_b, d.engineer, 4, AccessScope::Support, 2),
    )
    .await;
    assert_refused!(
        store.cancel_access_request(mine.view.id, 5, t(3), Effects::default()),
        StoreError::VersionConflict
    );
    let cancelled = store
        .cancel_access_request(mine.view.id, 1, t(3), fx("access.cancelled", "mine"))
        .await
        .unwrap();
    assert_eq!(
        (cancelled.view.status, cancelled.view.version),
        (RequestStatus::Cancelled, 2)
    );
    assert_eq!(cancelled.view.decided_at, Some(t(3)));
    assert_refused!(
        store.cancel_access_request(Uuid::new_v4(), 1, t(3), Effects::default()),
        StoreError::NotFound
    );
}

async fn grants_start_and_end_once(store: Arc<dyn Store>) {
    let d = desk(&store).await;
    // A grant scheduled for t(1000)..t(2000), its start left to the access job.
    let req = requested(&store, ask(d.tenant_a, d.engineer, 4, AccessScope::Read, 0)).await;
    let scheduled = NewGrant {
        id: Uuid::new_v4(),
        starts_at: t(1000),
        ends_at: t(2000),
        start_recorded: false,
    };
    let gid = scheduled.id;
    store
        .review_access_request(
            &admin(),
            review(&req, d.manager, true, 10),
            ReviewDecision::Approved(scheduled),
            Effects::default(),
        )
        .await
        .unwrap();
    let state_at = |secs| {
        let store = store.clone();
        async move { store.grant(gid, t(secs)).await.unwrap().unwrap().state }
    };
    assert_eq!(state_at(500).await, GrantState::Scheduled);
    assert_eq!(state_at(1500).await, GrantState::Active);
    assert_eq!(state_at(2000).await, GrantState::Ended);

    assert!(store.grants_to_start(t(999), 10).await.unwrap().is_empty());
    let due = store.grants_to_start(t(1000), 10).await.unwrap();
    assert_eq!(due.iter().map(|g| g.id).collect::<Vec<_>>(), vec![gid]);
    let before = audit_len(&*store).await;
    assert!(store
        .record_grant_started(gid, fx("grant.started", "g"))
        .await
        .unwrap());
    assert!(!store
        .record_grant_started(gid, fx("grant.started", "g"))
        .await
        .unwrap());
    assert_eq!(audit_len(&*store).await, before + 1);
    assert!(store.grants_to_start(t(1500), 10).await.unwrap().is_empty());

    // Another grant, active now and revoked early by the security officer.
    let other = granted(
        &store,
        &d,
        d.tenant_b,
        d.engineer,
        AccessScope::Support,
        1100,
    )
    .await;
    let current = GrantFilter {
        holder_id: Some(d.engineer),
        tenant_id: None,
        current_only: true,
        limit: 10,
        now: t(1200),
    };
    let ids = |gs: Vec<opsdesk_proto::GrantView>| gs.into_iter().map(|g| g.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.list_grants(&current).await.unwrap()),
        vec![other, gid]
    );
    let revoke = EndGrant {
        grant_id: other,
        reason: GrantEndReason::Revoked,
        by: Some(d.officer),
        comment: Some("left the team".into()),
        at: t(1300),
    };
    let holder = |id| {
        let store = store.clone();
        async move { store.grant(id, t(1300)).await.unwrap().unwrap().holder.id }
    };
    let revoker = OwnOrAny::any(&admin(), holder(other).await);
    let ended = store
        .end_grant(&revoker, revoke.clone(), fx("grant.revoked", "other"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ended.state, ended.ended_at),
        (GrantState::Ended, Some(t(1300)))
    );
    assert_eq!(ended.end_reason, Some(GrantEndReason::Revoked));
    assert_eq!(ended.ended_by.map(|s| s.id), Some(d.officer));
    assert_eq!(ended.end_comment.as_deref(), Some("left the team"));
    let facts = store
        .grant_facts(d.engineer, d.tenant_b, t(1301))
        .await
        .unwrap();
    assert_eq!(facts.len(), 1);
    assert!(TenantAccess::<scope::Read>::check(&facts, d.engineer, d.tenant_b, t(1301)).is_err());
    let current = GrantFilter {
        now: t(1301),
        ..current
    };
    assert_eq!(ids(store.list_grants(&current).await.unwrap()), vec![gid]);

    // Expiry: due at its end, recorded once.
    assert!(store.grants_to_end(t(1999), 10).await.unwrap().is_empty());
    assert_eq!(
        ids(store.grants_to_end(t(2000), 10).await.unwrap()),
        vec![gid]
    );
    let expire = EndGrant {
        grant_id: gid,
        reason: GrantEndReason::Expired,
        by: None,
        comment: None,
        at: t(2000),
    };
    let before = audit_len(&*store).await;
    let job = OwnOrAny::system(holder(gid).await);
    let ended = store
        .end_grant(&job, expire.clone(), fx("grant.expired", "g"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ended.end_reason, ended.ended_by),
        (Some(GrantEndReason::Expired), None)
    );
    assert_eq!(
        store
            .end_grant(&job, expire.clone(), fx("grant.expired", "g"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(audit_len(&*store).await, before + 1);
    assert!(store.grants_to_end(t(3000), 10).await.unwrap().is_empty());
    let unknown = EndGrant {
        grant_id: Uuid::new_v4(),
        ..expire
    };
    assert_refused!(
        store.end_grant(
            &OwnOrAny::system(Uuid::new_v4()),
            unknown,
            Effects::default()
        ),
        StoreError::NotFound
    );

    // The facts keep a grant for a day after it ended, then forget it.
    assert_eq!(
        store
            .grant_facts(d.engineer, d.tenant_a, t(2000) + Duration::hours(23))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .grant_facts(d.engineer, d.tenant_a, t(2000) + Duration::hours(25))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .grant_facts(d.manager, d.tenant_a, t(1500))
        .await
        .unwrap()
        .is_empty());
}

async fn listings_filter_and_page(store: Arc<dyn Store>) {
    let d = desk(&store).await;
    let make = |tenant, requester, tier, at| {
        let store = store.clone();
        async move { requested(&store, ask(tenant, requester, tier, AccessScope::Read, at)).await }
    };
    let e1 = make(d.tenant_a, d.engineer, 4, 10).await;
    let e2 = make(d.tenant_b, d.engineer, 4, 20).await;
    // (One pending request per requester, tenant and scope: this one asks for support.)
    let e3 = requested(
        &store,
        ask(d.tenant_a, d.engineer, 4, AccessScope::Support, 30),
    )
    .await;
    let m1 = make(d.tenant_a, d.manager, 5, 40).await;
    let s1 = make(d.tenant_b, d.officer, 6, 50).await;
    // The manager denies e3.
    store
        .review_access_request(
            &admin(),
            review(&e3, d.manager, false, 60),
            ReviewDecision::Denied,
            Effects::default(),
        )
        .await
        .unwrap();

    let list = |f: AccessRequestFilter| {
        let store = store.clone();
        async move {
            let recs = store.list_access_requests(&f).await.unwrap();
            recs.into_iter().map(|r| r.view.id).collect::<Vec<_>>()
        }
    };
    let all = AccessRequestFilter {
        limit: 100,
        now: t(100),
        ..Default::default()
    };
    let ids = |rs: &[&AccessRequestRecord]| rs.iter().map(|r| r.view.id).collect::<Vec<_>>();
    assert_eq!(list(all.clone()).await, ids(&[&s1, &m1, &e3, &e2, &e1]));
    let mine = AccessRequestFilter {
        requester_id: Some(d.engineer),
        ..all.clone()
    };
    assert_eq!(list(mine).await, ids(&[&e3, &e2, &e1]));
    let pending_a = AccessRequestFilter {
        status: Some(RequestStatus::Pending),
        tenant_id: Some(d.tenant_a),
        ..all.clone()
    };
    assert_eq!(list(pending_a).await, ids(&[&m1, &e1]));
    let window = AccessRequestFilter {
        from: Some(t(20)),
        to: Some(t(40)),
        ..all.clone()
    };
    assert_eq!(list(window).await, ids(&[&e3, &e2]));

    // To review: pending, not one's own, requester's tier at most one's own, not yet reviewed.
    let for_manager = AccessRequestFilter {
        reviewable_by: Some((d.manager, 5)),
        ..all.clone()
    };
    assert_eq!(list(for_manager.clone()).await, ids(&[&e2, &e1]));
    let for_manager2 = AccessRequestFilter {
        reviewable_by: Some((d.manager2, 5)),
        ..all.clone()
    };
    assert_eq!(list(for_manager2).await, ids(&[&m1, &e2, &e1]));
    let for_officer = AccessRequestFilter {
        reviewable_by: Some((d.officer, 6)),
        ..all.clone()
    };
    assert_eq!(list(for_officer).await, ids(&[&m1, &e2, &e1]));
    // A first approval of an admin request takes it off that reviewer's list only.
    let admin = requested(
        &store,
        ask(d.tenant_b, d.engineer, 4, AccessScope::Admin, 70),
    )
    .await;
    store
        .review_access_request(
            &crate::harness::admin(),
            review(&admin, d.manager, true, 71),
            ReviewDecision::StillPending,
            Effects::default(),
        )
        .await
        .unwrap();
    assert_eq!(list(for_manager).await, ids(&[&e2, &e1]));
    let for_manager2 = AccessRequestFilter {
        reviewable_by: Some((d.manager2, 5)),
        ..all.clone()
    };
    assert_eq!(list(for_manager2).await, ids(&[&admin, &m1, &e2, &e1]));

    // Pages of two by the cursor cover everything once, newest first.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_access_requests(&AccessRequestFilter {
                before_seq: cursor,
                limit: 2,
                ..all.clone()
            })
            .await
            .unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        cursor = Some(last.seq);
        seen.extend(page.iter().map(|r| r.seq));
    }
    assert_eq!(seen.len(), 6);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "{seen:?}");
    let reviewed = store.list_access_requests(&all).await.unwrap();
    let admin_now = reviewed
        .iter()
        .find(|r| r.view.id == admin.view.id)
        .unwrap();
    assert_eq!(
        (admin_now.view.reviews.len(), admin_now.requester_tier),
        (1, 4)
    );
}

async fn clearance_is_versioned_and_reviewers_are_active_staff(store: Arc<dyn Store>) {
    let d = desk(&store).await;
    let empty = store.clearance(d.engineer).await.unwrap();
    assert_eq!(
        (empty.version, empty.complete, empty.recorded_by),
        (0, false, None)
    );
    assert_eq!(empty.missing, vec!["nda", "background_check", "training"]);
    assert_eq!(
        store.clearance_facts(d.engineer).await.unwrap(),
        Clearance::default()
    );

    let nda = Clearance {
        nda_at: Some(t(5)),
        ..Default::default()
    };
    let before = audit_len(&*store).await;
    let first = store
        .record_clearance(
            &admin(),
            d.engineer,
            0,
            nda,
            d.officer,
            t(5),
            fx("clearance.recorded", "eng"),
        )
        .await
        .unwrap();
    assert_eq!((first.version, first.nda_at), (1, Some(t(5))));
    assert_eq!(first.missing, vec!["background_check", "training"]);
    assert_eq!(
        first.recorded_by.map(|s| (s.id, s.role)),
        Some((d.officer, Role::SecurityOfficer))
    );
    assert_eq!(audit_len(&*store).await, before + 1);
    // A second "first" record, or any at a version already replaced, is stale.
    for stale in [0, 2] {
        assert_refused!(
            store.record_clearance(
                &admin(),
                d.engineer,
                stale,
                Clearance::default(),
                d.officer,
                t(6),
                fx("clearance.recorded", "eng"),
            ),
            StoreError::VersionConflict,
            stale
        );
    }
    assert_eq!(audit_len(&*store).await, before + 1);
    let all = Clearance {
        nda_at: Some(t(5)),
        background_check_at: Some(t(7)),
        training_at: Some(t(7)),
    };
    let done = store
        .record_clearance(
            &admin(),
            d.engineer,
            1,
            all,
            d.manager,
            t(7),
            Effects::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (done.version, done.complete, done.missing.len()),
        (2, true, 0)
    );
    assert_eq!(store.clearance(d.engineer).await.unwrap(), done);
    assert_eq!(store.clearance_facts(d.engineer).await.unwrap(), all);
    assert_refused!(
        store.record_clearance(
            &admin(),
            Uuid::new_v4(),
            0,
            all,
            d.manager,
            t(7),
            Effects::default()
        ),
        StoreError::NotFound
    );

    // Reviewers: active staff in the roles, by display name; invited ones are not yet staff.
    let zoe = enrolled(&*store, "zoe", Role::Manager).await.staff;
    let amy = enrolled(&*store, "amy", Role::Admin).await.staff;
    enrolled(&*store, "bob", Role::Engineer).await;
    let reviewers = store
        .active_staff_in_roles(&[Role::Manager, Role::SecurityOfficer, Role::Admin])
        .await
        .unwrap();
    let names: Vec<(Uuid, &str, Role)> = reviewers
        .iter()
        .map(|s| (s.id, s.display_name.as_str(), s.role))
        .collect();
    assert_eq!(
        names,
        vec![
            (amy.id, "amy display", Role::Admin),
            (zoe.id, "zoe display", Role::Manager)
        ]
    );
    assert!(store.active_staff_in_roles(&[]).await.unwrap().is_empty());
}
