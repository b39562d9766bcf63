//! Cross-tenant access through the API, on both databases: every rule of DESIGN.md "Roles" that
//! concerns access requests and grants, shown to hold and attacked (self-review, low-tier
//! reviewer, over-long duration, expired grant, released grant, another tenant's data, revoked
//! mid-session), plus tenant user support actions, settings, clearance, expiry and the export.

use crate::both;
use crate::helpers::*;
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::Role;

use opsdesk_proto::*;
use serde_json::{json, Value};
use uuid::Uuid;

/// A team and two tenants with users.
struct Team {
    admin: Person,
    agent: Person,
    senior: Person,
    engineer: Person,
    manager: Person,
    manager2: Person,
    security: Person,
    acme: TenantView,
    globex: TenantView,
}

const ACME_USERS: &str = "name,email,role,status,mfa_enabled,last_sign_in_at\n\
Ada Owner,ada@acme.test,owner,active,true,2026-11-20T09:00:00Z\n\
Bert Member,bert@acme.test,member,locked,false,\n\
Cleo Billing,cleo@acme.test,billing,active,true,\n";

async fn tenant(app: &TestApp, admin: &Person, name: &str, slug: &str) -> TenantView {
    app.client(&admin.token)
        .create_tenant(&from_json(
            json!({"name": name, "slug": slug, "plan": "enterprise"}),
        ))
        .await
        .checked()
        .unwrap()
}

async fn import_users(
    app: &TestApp,
    admin: &Person,
    tenant: Uuid,
    content_type: &str,
    body: &str,
) -> Result<TenantUserImportResult, ApiError> {
    app.send(
        app.http
            .post(app.url(&routes::tenant_users_import(tenant)))
            .bearer_auth(&admin.token)
            .header("content-type", content_type)
            .body(body.to_owned()),
    )
    .await
}

async fn clear(app: &TestApp, admin: &Person, who: &Person) {
    let c: ClearanceView = app
        .client(&admin.token)
        .clearance(who.id)
        .await
        .checked()
        .unwrap();
    let done: ClearanceView = app.client(&admin.token)
        .record_clearance(who.id, &from_json(json!({"nda": true, "background_check": true, "training": true, "version": c.version})), None).await.checked()
        .unwrap();
    assert!(done.complete, "{done:?}");
}

async fn team(app: &TestApp) -> Team {
    let admin = app.admin().await;
    let acme = tenant(app, &admin, "Acme Corp", "acme").await;
    let globex = tenant(app, &admin, "Globex", "globex").await;
    let r = import_users(app, &admin, acme.id, "text/csv", ACME_USERS)
        .await
        .unwrap();
    assert_eq!((r.created, r.updated), (3, 0));
    import_users(
        app,
        &admin,
        globex.id,
        "application/json",
        r#"[{"name":"Gina Globex","email":"gina@globex.test","role":"owner"}]"#,
    )
    .await
    .unwrap();
    let t = Team {
        agent: app.invite(&admin, "ana", Role::Agent).await,
        senior: app.invite(&admin, "sam", Role::SeniorAgent).await,
        engineer: app.invite(&admin, "erin", Role::Engineer).await,
        manager: app.invite(&admin, "maria", Role::Manager).await,
        manager2: app.invite(&admin, "moses", Role::Manager).await,
        security: app.invite(&admin, "sofia", Role::SecurityOfficer).await,
        admin,
        acme,
        globex,
    };
    for p in [&t.agent, &t.senior, &t.engineer, &t.manager, &t.security] {
        clear(app, &t.admin, p).await;
    }
    t
}

async fn request(
    app: &TestApp,
    by: &Person,
    tenant: Uuid,
    scope: &str,
    minutes: i64,
) -> Result<AccessRequestView, ApiError> {
    app.client(&by.token)
        .create_access_request(
            &from_json(
                json!({"tenant_id": tenant, "scope": scope, "duration_minutes": minutes,
                "reason": "Customer cannot sign in; need to check their account"}),
            ),
            None,
        )
        .await
        .checked()
}

async fn review(
    app: &TestApp,
    by: &Person,
    r: &AccessRequestView,
    approve: bool,
    comment: Option<&str>,
) -> Result<AccessRequestView, ApiError> {
    app.client(&by.token)
        .review_access_request(
            r.id,
            &from_json(json!({"approve": approve, "comment": comment, "version": r.version})),
            None,
        )
        .await
        .checked()
}

async fn users(app: &TestApp, by: &Person, tenant: Uuid) -> Result<Page<TenantUserView>, ApiError> {
    app.client(&by.token)
        .tenant_users(tenant, &Default::default())
        .await
        .checked()
}

/// A granted request: `by` asks, the manager approves.
async fn granted(
    app: &TestApp,
    t: &Team,
    by: &Person,
    tenant: Uuid,
    scope: &str,
    minutes: i64,
) -> GrantView {
    let r = request(app, by, tenant, scope, minutes).await.unwrap();
    let r = review(app, &t.manager, &r, true, None).await.unwrap();
    r.grant.expect("approved into a grant")
}

async fn run_job(app: &TestApp) -> opsdesk_hub::jobs::access_expiry::Round {
    let state = app.hub.as_ref().unwrap().state.clone();
    opsdesk_hub::jobs::access_expiry::run_once(&state)
        .await
        .unwrap()
}

fn close_to(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    (a - b).num_milliseconds().abs() < 2_000
}

both!(request_approve_use_and_release, |app: TestApp| async move {
    let t = team(&app).await;
    // The form's rules, before submitting.
    let policy: AccessPolicyView = app
        .client(&t.agent.token)
        .access_policy()
        .await
        .checked()
        .unwrap();
    let read = policy
        .scopes
        .iter()
        .find(|s| s.scope == AccessScope::Read)
        .unwrap();
    assert_eq!(
        (read.max_minutes, read.approvals_needed, read.may_request),
        (480, 1, true)
    );
    assert!(
        !policy
            .scopes
            .iter()
            .find(|s| s.scope == AccessScope::Support)
            .unwrap()
            .may_request
    );
    assert!(policy.clearance.complete);
    let names: Vec<&str> = policy
        .reviewers
        .iter()
        .map(|r| r.display_name.as_str())
        .collect();
    assert!(
        names.contains(&"maria") && names.contains(&"sofia"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"ana") && !names.contains(&"sam"),
        "{names:?}"
    );

    // Nothing before a grant.
    assert_eq!(
        users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
        "no_active_grant"
    );
    let r = request(&app, &t.agent, t.acme.id, "read", 120)
        .await
        .unwrap();
    assert_eq!(r.status, RequestStatus::Pending);
    assert_eq!(r.approvals_needed, 1);
    assert_eq!(
        users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
        "no_active_grant"
    );
    // The same request twice is refused.
    let dup = request(&app, &t.agent, t.acme.id, "read", 60)
        .await
        .unwrap_err();
    assert_eq!((dup.status, dup.code.as_str()), (409, "duplicate_request"));

    // The manager finds it waiting; the agent has no review box.
    let inbox: Page<AccessRequestView> = app
        .get(
            &format!("{}?box=to_review", routes::ACCESS_REQUESTS),
            &t.manager.token,
        )
        .await
        .unwrap();
    assert_eq!(
        inbox.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![r.id]
    );
    let e = app
        .get::<Page<AccessRequestView>>(
            &format!("{}?box=to_review", routes::ACCESS_REQUESTS),
            &t.agent.token,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "permission_denied");

    // Approved 20 minutes after the request: the clock starts at approval.
    app.clock.advance(Duration::minutes(20));
    let approved_at = app.clock_now();
    let r = review(&app, &t.manager, &r, true, Some("ok, ticket 42"))
        .await
        .unwrap();
    assert_eq!(r.status, RequestStatus::Approved);
    let g = r.grant.clone().unwrap();
    assert!(
        close_to(g.starts_at, approved_at),
        "{} vs {approved_at}",
        g.starts_at
    );
    assert_eq!(g.ends_at - g.starts_at, Duration::minutes(120));
    assert_eq!(g.state, GrantState::Active);
    // Reviewed requests leave the inbox and stay listed with their decision.
    let inbox: Page<AccessRequestView> = app
        .get(
            &format!("{}?box=to_review", routes::ACCESS_REQUESTS),
            &t.manager.token,
        )
        .await
        .unwrap();
    assert!(inbox.items.is_empty());
    let mine: Page<AccessRequestView> = app
        .client(&t.agent.token)
        .access_requests(&Default::default())
        .await
        .checked()
        .unwrap();
    assert_eq!(
        mine.items[0].reviews[0].comment.as_deref(),
        Some("ok, ticket 42")
    );

    // The agent reads the tenant's users, and only this tenant's.
    let page = users(&app, &t.agent, t.acme.id).await.unwrap();
    let emails: Vec<&str> = page.items.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(
        emails,
        vec!["ada@acme.test", "bert@acme.test", "cleo@acme.test"]
    );
    assert_eq!(
        users(&app, &t.agent, t.globex.id).await.unwrap_err().code,
        "no_active_grant"
    );
    // A Globex user through the Acme grant is not found.
    let gina = {
        let g2 = granted(&app, &t, &t.senior, t.globex.id, "read", 30).await;
        let p = users(&app, &t.senior, t.globex.id).await.unwrap();
        assert_eq!(g2.tenant.id, t.globex.id);
        p.items[0].id
    };
    let e = app
        .client(&t.agent.token)
        .tenant_user(t.acme.id, gina)
        .await
        .checked()
        .unwrap_err();
    assert_eq!(e.status, 404);
    // Read scope does not open support actions.
    let ada = page.items[0].id;
    let e = app
        .client(&t.agent.token)
        .tenant_user_sign_ins(t.acme.id, ada)
        .await
        .checked()
        .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (403, "grant_scope_too_narrow"));

    // Each read is in the trail with its grant.
    let reads = app.audit(&t.security, "action=tenant_data.read").await;
    assert!(
        reads.iter().any(
            |e| e.actor == format!("staff:{}", t.agent.id) && e.details["grant"] == json!(g.id)
        ),
        "{reads:?}"
    );

    // Released: the very next request fails, in the same session.
    let released: GrantView = app
        .client(&t.agent.token)
        .release_grant(g.id, None)
        .await
        .checked()
        .unwrap();
    assert_eq!(released.end_reason, Some(GrantEndReason::Released));
    assert_eq!(
        users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
        "grant_ended"
    );
    let again = app
        .client(&t.agent.token)
        .release_grant(g.id, None)
        .await
        .checked()
        .unwrap_err();
    assert_eq!(again.code, "grant_already_ended");
    let ended = app.audit(&t.security, "action=grant.ended").await;
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].details["reason"], json!("released"));
    for action in ["access.requested", "access.reviewed", "grant.started"] {
        assert!(
            !app.audit(&t.security, &format!("action={action}"))
                .await
                .is_empty(),
            "{action}"
        );
    }
});

both!(reviewer_rules_hold_and_resist, |app: TestApp| async move {
    let t = team(&app).await;
    // Self-review: a manager asks, and cannot approve their own request.
    clear(&app, &t.admin, &t.manager2).await;
    let own = request(&app, &t.manager2, t.acme.id, "read", 60)
        .await
        .unwrap();
    let e = review(&app, &t.manager2, &own, true, None)
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (403, "self_review_forbidden"));
    // A tier below manager cannot review at all.
    let r = request(&app, &t.agent, t.acme.id, "read", 60)
        .await
        .unwrap();
    let e = review(&app, &t.senior, &r, true, None).await.unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (403, "permission_denied"));
    let e = review(&app, &t.engineer, &r, true, None).await.unwrap_err();
    assert_eq!(e.code, "permission_denied");
    // A manager cannot review a security officer's request (tier below the requester's).
    let so = request(&app, &t.security, t.acme.id, "admin", 30)
        .await
        .unwrap();
    let e = review(&app, &t.manager, &so, true, None).await.unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (403, "reviewer_tier_too_low"));
    // ...and it is not in their inbox; the admin's it is.
    let inbox: Page<AccessRequestView> = app
        .get(
            &format!("{}?box=to_review", routes::ACCESS_REQUESTS),
            &t.manager.token,
        )
        .await
        .unwrap();
    assert!(!inbox.items.iter().any(|i| i.id == so.id));
    let inbox: Page<AccessRequestView> = app
        .get(
            &format!("{}?box=to_review", routes::ACCESS_REQUESTS),
            &t.admin.token,
        )
        .await
        .unwrap();
    assert!(inbox.items.iter().any(|i| i.id == so.id));

    // Denying needs a comment; one denial denies.
    let e = review(&app, &t.manager, &r, false, Some("  "))
        .await
        .unwrap_err();
    assert_eq!((e.status, e.field.as_deref()), (400, Some("comment")));
    let stale = review(
        &app,
        &t.manager,
        &AccessRequestView {
            version: r.version + 5,
            ..r.clone()
        },
        true,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(stale.status, 409);
    let denied = review(&app, &t.manager, &r, false, Some("no linked ticket"))
        .await
        .unwrap();
    assert_eq!(denied.status, RequestStatus::Denied);
    assert!(denied.grant.is_none());
    assert_eq!(
        users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
        "no_active_grant"
    );

    // Admin scope needs two distinct approvals; the same reviewer twice is one.
    let adm = request(&app, &t.engineer, t.acme.id, "admin", 60)
        .await
        .unwrap();
    assert_eq!(adm.approvals_needed, 2);
    let once = review(&app, &t.manager, &adm, true, None).await.unwrap();
    assert_eq!(once.status, RequestStatus::Pending);
    assert!(once.grant.is_none());
    assert_eq!(
        users(&app, &t.engineer, t.acme.id).await.unwrap_err().code,
        "no_active_grant"
    );
    let twice = review(&app, &t.manager, &once, true, None)
        .await
        .unwrap_err();
    assert_eq!(twice.code, "already_reviewed");
    let done = review(&app, &t.security, &once, true, None).await.unwrap();
    assert_eq!(done.status, RequestStatus::Approved);
    assert_eq!(done.reviews.len(), 2);
    assert!(users(&app, &t.engineer, t.acme.id).await.is_ok());
    // One denial after an approval still denies.
    let adm2 = request(&app, &t.engineer, t.globex.id, "admin", 60)
        .await
        .unwrap();
    let a = review(&app, &t.manager, &adm2, true, None).await.unwrap();
    let d = review(&app, &t.security, &a, false, Some("use read scope"))
        .await
        .unwrap();
    assert_eq!(d.status, RequestStatus::Denied);

    // Durations and scopes by tier.
    let e = request(&app, &t.agent, t.acme.id, "read", 481)
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (422, "duration_too_long"));
    let e = request(&app, &t.engineer, t.acme.id, "admin", 61)
        .await
        .unwrap_err();
    assert_eq!(e.code, "duration_too_long");
    let e = request(&app, &t.agent, t.acme.id, "read", 0)
        .await
        .unwrap_err();
    assert_eq!(e.code, "duration_too_short");
    let e = request(&app, &t.agent, t.acme.id, "support", 60)
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (403, "permission_denied"));
    let e = request(&app, &t.senior, t.acme.id, "admin", 30)
        .await
        .unwrap_err();
    assert_eq!(e.code, "permission_denied");
    // Bad input names the field.
    let e: ApiError = app.client(&t.agent.token)
        .create_access_request(&from_json(json!({"tenant_id": t.acme.id, "scope": "read", "duration_minutes": 60, "reason": "because"})), None).await.checked()
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reason"));
    let e: ApiError = app
        .client(&t.agent.token)
        .create_access_request(
            &from_json(
                json!({"tenant_id": Uuid::new_v4(), "scope": "read", "duration_minutes": 60,
                    "reason": "Customer cannot sign in at all"}),
            ),
            None,
        )
        .await
        .checked()
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("tenant_id"));
    // A scope the types do not have: sent raw.
    let e: ApiError = app
        .post::<_, AccessRequestView>(
            routes::ACCESS_REQUESTS,
            Some(&t.agent.token),
            &json!({"tenant_id": t.acme.id, "scope": "root", "duration_minutes": 60,
                "reason": "Customer cannot sign in at all"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("scope"));
    let e: ApiError = app
        .client(&t.agent.token)
        .create_access_request(
            &from_json(
                json!({"tenant_id": t.acme.id, "scope": "read", "duration_minutes": 60,
                    "reason": "Customer cannot sign in at all",
                    "start_at": app.clock_now() - Duration::hours(1)}),
            ),
            None,
        )
        .await
        .checked()
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("start_at"));
    // A viewer cannot ask at all.
    let viewer = app.invite(&t.admin, "vera", Role::Viewer).await;
    clear(&app, &t.admin, &viewer).await;
    let e = request(&app, &viewer, t.acme.id, "read", 60)
        .await
        .unwrap_err();
    assert_eq!(e.code, "permission_denied");
});

both!(clearance_gates_requests, |app: TestApp| async move {
    let t = team(&app).await;
    let newcomer = app.invite(&t.admin, "nico", Role::Agent).await;
    let e = request(&app, &newcomer, t.acme.id, "read", 60)
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (422, "clearance_incomplete"));
    let c: ClearanceView = app
        .client(&t.admin.token)
        .record_clearance(
            newcomer.id,
            &from_json(
                json!({"nda": true, "background_check": true, "training": false, "version": 0}),
            ),
            None,
        )
        .await
        .checked()
        .unwrap();
    assert_eq!(c.missing, vec!["training".to_owned()]);
    assert!(request(&app, &newcomer, t.acme.id, "read", 60)
        .await
        .is_err());
    // Only admins record it, never their own, and never on a stale version.
    let e = app.client(&t.manager.token)
        .record_clearance(newcomer.id, &from_json(json!({"nda": true, "background_check": true, "training": true, "version": c.version})), None).await.checked()
        .unwrap_err();
    assert_eq!(e.code, "permission_denied");
    let e = app
        .client(&t.admin.token)
        .record_clearance(
            t.admin.id,
            &from_json(
                json!({"nda": true, "background_check": true, "training": true, "version": 0}),
            ),
            None,
        )
        .await
        .checked()
        .unwrap_err();
    assert_eq!(e.code, "self_action_forbidden");
    let e = app
        .client(&t.admin.token)
        .record_clearance(
            newcomer.id,
            &from_json(
                json!({"nda": true, "background_check": true, "training": true, "version": 0}),
            ),
            None,
        )
        .await
        .checked()
        .unwrap_err();
    assert_eq!(e.status, 409);
    let c: ClearanceView = app.client(&t.admin.token)
        .record_clearance(newcomer.id, &from_json(json!({"nda": true, "background_check": true, "training": true, "version": c.version})), None).await.checked()
        .unwrap();
    assert!(c.complete);
    let r = request(&app, &newcomer, t.acme.id, "read", 60)
        .await
        .unwrap();
    // Withdrawn before approval: the approval is refused.
    app.client(&t.admin.token).record_clearance(newcomer.id, &from_json(json!({"nda": true, "background_check": false, "training": true, "version": c.version})), None).await.checked()
    .unwrap();
    let e = review(&app, &t.manager, &r, true, None).await.unwrap_err();
    assert_eq!(e.code, "clearance_incomplete");
    assert!(!app
        .audit(&t.security, "action=staff.clearance_recorded")
        .await
        .is_empty());
});

both!(
    grants_end_at_expiry_and_on_revocation,
    |app: TestApp| async move {
        let t = team(&app).await;
        let g = granted(&app, &t, &t.agent, t.acme.id, "read", 30).await;
        assert!(users(&app, &t.agent, t.acme.id).await.is_ok());
        // Past its end it stops at once, before the job has recorded anything.
        app.clock.advance(Duration::minutes(31));
        assert_eq!(
            users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
            "grant_ended"
        );
        let round = run_job(&app).await;
        assert_eq!(round.grants_ended, 1);
        assert_eq!(run_job(&app).await.grants_ended, 0, "recorded once");
        let ended = app.audit(&t.security, "action=grant.ended").await;
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].details["reason"], json!("expired"));
        let mine: Vec<GrantView> = app
            .client(&t.agent.token)
            .grants(&Default::default())
            .await
            .checked()
            .unwrap();
        let expired = mine.iter().find(|x| x.id == g.id).unwrap();
        assert_eq!(
            (expired.state, expired.end_reason),
            (GrantState::Ended, Some(GrantEndReason::Expired))
        );
        assert!(close_to(expired.ended_at.unwrap(), g.ends_at));
        let current: Vec<GrantView> = app
            .get(
                &format!("{}?current=true", routes::ACCESS_GRANTS),
                &t.agent.token,
            )
            .await
            .unwrap();
        assert!(current.is_empty());

        // Revoked mid-session by security: the holder's open session loses it on the next request.
        let g2 = granted(&app, &t, &t.agent, t.acme.id, "read", 240).await;
        assert!(users(&app, &t.agent, t.acme.id).await.is_ok());
        let e = app
            .client(&t.manager.token)
            .revoke_grant(g2.id, &from_json(json!({"reason": "not needed"})), None)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.code, "permission_denied");
        let e = app
            .client(&t.security.token)
            .revoke_grant(g2.id, &from_json(json!({"reason": ""})), None)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("reason"));
        let everyone: Vec<GrantView> = app
            .get(
                &format!("{}?all=true&current=true", routes::ACCESS_GRANTS),
                &t.security.token,
            )
            .await
            .unwrap();
        assert_eq!(
            everyone.iter().map(|x| x.id).collect::<Vec<_>>(),
            vec![g2.id]
        );
        let revoked: GrantView = app
            .client(&t.security.token)
            .revoke_grant(
                g2.id,
                &from_json(json!({"reason": "suspicious export pattern"})),
                None,
            )
            .await
            .checked()
            .unwrap();
        assert_eq!(revoked.end_reason, Some(GrantEndReason::Revoked));
        assert_eq!(
            revoked.end_comment.as_deref(),
            Some("suspicious export pattern")
        );
        assert_eq!(
            users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
            "grant_ended"
        );
        let events: Page<SecurityEvent> = app
            .client(&t.security.token)
            .security_events(&Default::default())
            .await
            .checked()
            .unwrap();
        assert!(events.items.iter().any(|e| e.kind == "grant_revoked"));
        // Nobody else's grant to release.
        let g3 = granted(&app, &t, &t.agent, t.acme.id, "read", 60).await;
        let e = app
            .client(&t.senior.token)
            .release_grant(g3.id, None)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.status, 404);
        // Everyone's grants are for reviewers and security only.
        let e = app
            .get::<Vec<GrantView>>(
                &format!("{}?all=true", routes::ACCESS_GRANTS),
                &t.agent.token,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, "permission_denied");
    }
);

both!(
    scheduled_grants_wait_for_their_start,
    |app: TestApp| async move {
        let t = team(&app).await;
        let start = app.clock_now() + Duration::hours(1);
        let r: AccessRequestView = app
            .client(&t.agent.token)
            .create_access_request(
                &from_json(
                    json!({"tenant_id": t.acme.id, "scope": "read", "duration_minutes": 60,
                    "reason": "Maintenance window tonight for Acme", "start_at": start}),
                ),
                None,
            )
            .await
            .checked()
            .unwrap();
        let g = review(&app, &t.manager, &r, true, None)
            .await
            .unwrap()
            .grant
            .unwrap();
        assert_eq!(g.state, GrantState::Scheduled);
        assert!(close_to(g.starts_at, start));
        assert_eq!(
            users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
            "grant_not_started"
        );
        assert_eq!(run_job(&app).await.grants_started, 0);
        app.clock.advance(Duration::minutes(61));
        assert!(users(&app, &t.agent, t.acme.id).await.is_ok());
        assert_eq!(run_job(&app).await.grants_started, 1);
        assert_eq!(run_job(&app).await.grants_started, 0);
        let started = app.audit(&t.security, "action=grant.started").await;
        assert!(started
            .iter()
            .any(|e| e.target == format!("grant:{}", g.id)));
    }
);

both!(
    pending_requests_expire_or_are_cancelled,
    |app: TestApp| async move {
        let mut t = team(&app).await;
        let r = request(&app, &t.agent, t.acme.id, "read", 60)
            .await
            .unwrap();
        // Only the requester cancels.
        let e = app
            .client(&t.senior.token)
            .cancel_access_request(r.id, &from_json(json!({"version": r.version})), None)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.status, 404);
        let c: AccessRequestView = app
            .client(&t.agent.token)
            .cancel_access_request(r.id, &from_json(json!({"version": r.version})), None)
            .await
            .checked()
            .unwrap();
        assert_eq!(c.status, RequestStatus::Cancelled);
        let e = review(&app, &t.manager, &c, true, None).await.unwrap_err();
        assert_eq!(e.code, "request_not_pending");

        let r2 = request(&app, &t.agent, t.acme.id, "read", 60)
            .await
            .unwrap();
        assert!(close_to(r2.expires_at, r2.created_at + Duration::hours(24)));
        app.clock.advance(Duration::hours(25));
        // Sessions ended meanwhile (12 h lifetime); sign in again.
        for p in [&mut t.agent, &mut t.senior, &mut t.manager, &mut t.security] {
            p.token = app
                .sign_in(&p.username, PASSWORD, &p.secret)
                .await
                .unwrap()
                .token;
        }
        let e = review(&app, &t.manager, &r2, true, None).await.unwrap_err();
        assert_eq!(e.code, "request_expired");
        assert_eq!(run_job(&app).await.requests_expired, 1);
        assert_eq!(run_job(&app).await.requests_expired, 0);
        let now: AccessRequestView = app
            .client(&t.agent.token)
            .access_request(r2.id)
            .await
            .checked()
            .unwrap();
        assert_eq!(now.status, RequestStatus::Expired);
        // Someone else's request is not visible to an agent.
        let e = app
            .client(&t.senior.token)
            .access_request(r2.id)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.status, 404);
        assert_eq!(
            app.audit(&t.security, "action=access.expired").await.len(),
            1
        );
    }
);

both!(
    support_actions_under_a_support_grant,
    |app: TestApp| async move {
        let t = team(&app).await;
        let g = granted(&app, &t, &t.senior, t.acme.id, "support", 120).await;
        assert_eq!(g.scope, AccessScope::Support);
        let page = users(&app, &t.senior, t.acme.id).await.unwrap();
        let bert = page
            .items
            .iter()
            .find(|u| u.email == "bert@acme.test")
            .unwrap()
            .clone();
        let ada = page
            .items
            .iter()
            .find(|u| u.email == "ada@acme.test")
            .unwrap()
            .clone();
        assert_eq!(bert.status, TenantUserStatus::Locked);
        let base = routes::tenant_users(t.acme.id);

        // Reset password: a one-time link, shown once.
        let reset: PasswordResetIssued = app
            .post(
                &format!("{base}/{}/password-reset", ada.id),
                Some(&t.senior.token),
                &json!({}),
            )
            .await
            .unwrap();
        assert!(reset.link.contains("token=otr_"), "{}", reset.link);
        assert_eq!(reset.user.id, ada.id);
        // Unlock, once.
        let e = app
            .post::<_, TenantUserView>(
                &format!("{base}/{}/unlock", ada.id),
                Some(&t.senior.token),
                &json!({"version": ada.version}),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, "not_locked");
        let unlocked: TenantUserView = app
            .post(
                &format!("{base}/{}/unlock", bert.id),
                Some(&t.senior.token),
                &json!({"version": bert.version}),
            )
            .await
            .unwrap();
        assert_eq!(unlocked.status, TenantUserStatus::Active);
        // Role change, with the version checked.
        let e = app
            .put::<_, TenantUserView>(
                &format!("{base}/{}/role", bert.id),
                &t.senior.token,
                &json!({"role": "admin", "version": bert.version}),
            )
            .await
            .unwrap_err();
        assert_eq!(e.status, 409);
        let e = app
            .put::<_, TenantUserView>(
                &format!("{base}/{}/role", bert.id),
                &t.senior.token,
                &json!({"role": "wizard", "version": unlocked.version}),
            )
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("role"));
        let promoted: TenantUserView = app
            .put(
                &format!("{base}/{}/role", bert.id),
                &t.senior.token,
                &json!({"role": "admin", "version": unlocked.version}),
            )
            .await
            .unwrap();
        assert_eq!(promoted.role, TenantUserRole::Admin);

        // Sign-ins reported by the platform, seen under the grant.
        let issued: IntegrationTokenIssued = app
            .client(&t.admin.token)
            .create_integration_token(&from_json(json!({"name": "Platform"})))
            .await
            .checked()
            .unwrap();
        let at = app.clock_now() - Duration::minutes(5);
        let sent = app
            .http
            .post(app.url(routes::INTAKE_SIGN_INS))
            .bearer_auth(&issued.secret)
            .json(
                &json!({"tenant_slug": "acme", "email": "ADA@acme.test", "success": false,
                      "address": "203.0.113.9", "user_agent": "Firefox", "at": at}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 204);
        let bad: Result<Value, ApiError> = app
        .send(
            app.http
                .post(app.url(routes::INTAKE_SIGN_INS))
                .bearer_auth(&issued.secret)
                .json(&json!({"tenant_slug": "acme", "email": "nobody@acme.test", "success": true, "address": "203.0.113.9"})),
        )
        .await;
        assert_eq!(bad.unwrap_err().field.as_deref(), Some("email"));
        let history: Vec<TenantSignInView> = app
            .get(&format!("{base}/{}/sign-ins", ada.id), &t.senior.token)
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(
            (history[0].success, history[0].address.as_str()),
            (false, "203.0.113.9")
        );

        // Writes are in the trail with the grant.
        let writes = app.audit(&t.security, "action=tenant_data.written").await;
        let with_grant = writes
            .iter()
            .filter(|e| e.details["grant"] == json!(g.id))
            .count();
        assert_eq!(with_grant, 3, "{writes:?}");
        // Settings need admin scope.
        let e = app
            .client(&t.senior.token)
            .tenant_settings(t.acme.id)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.code, "grant_scope_too_narrow");
    }
);

both!(
    admin_scope_opens_tenant_settings,
    |app: TestApp| async move {
        let t = team(&app).await;
        let r = request(&app, &t.engineer, t.acme.id, "admin", 45)
            .await
            .unwrap();
        let r = review(&app, &t.manager, &r, true, None).await.unwrap();
        review(&app, &t.security, &r, true, None).await.unwrap();
        let path = routes::tenant_settings(t.acme.id);
        let s: TenantSettingsView = app.get(&path, &t.engineer.token).await.unwrap();
        assert_eq!(
            (s.version, s.session_timeout_minutes, s.sso_required),
            (0, 480, false)
        );
        let patch = |body: Value| {
            let app = &app;
            let token = t.engineer.token.clone();
            let path = path.clone();
            async move {
                app.send::<TenantSettingsView>(
                    app.http
                        .patch(app.url(&path))
                        .bearer_auth(token)
                        .json(&body),
                )
                .await
            }
        };
        let e = patch(json!({"ip_allowlist": ["10.0.0.0/8", "nonsense"], "version": 0}))
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("ip_allowlist[1]"));
        let e = patch(json!({"session_timeout_minutes": 2, "version": 0}))
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("session_timeout_minutes"));
        let s = patch(json!({"sso_required": true, "ip_allowlist": ["10.0.0.0/8"], "version": 0}))
            .await
            .unwrap();
        assert_eq!(
            (s.sso_required, s.ip_allowlist.clone(), s.version),
            (true, vec!["10.0.0.0/8".to_owned()], 1)
        );
        let e = patch(json!({"mfa_required": true, "version": 0}))
            .await
            .unwrap_err();
        assert_eq!(e.status, 409);
        // Another tenant's settings stay closed.
        let e = app
            .client(&t.engineer.token)
            .tenant_settings(t.globex.id)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(e.code, "no_active_grant");
    }
);

both!(
    reviewed_requests_export_for_auditors,
    |app: TestApp| async move {
        let t = team(&app).await;
        let a = request(&app, &t.agent, t.acme.id, "read", 60)
            .await
            .unwrap();
        review(&app, &t.manager, &a, true, Some("fine"))
            .await
            .unwrap();
        // A reason a spreadsheet would run as a formula.
        let b: AccessRequestView = app
            .client(&t.agent.token)
            .create_access_request(
                &from_json(
                    json!({"tenant_id": t.globex.id, "scope": "read", "duration_minutes": 60,
                    "reason": "=HYPERLINK(\"http://evil\") customer locked out"}),
                ),
                None,
            )
            .await
            .checked()
            .unwrap();
        review(&app, &t.manager, &b, false, Some("no linked ticket"))
            .await
            .unwrap();
        request(&app, &t.senior, t.acme.id, "read", 60)
            .await
            .unwrap(); // still pending: not exported
        let get = |q: &'static str, token: String| {
            let app = &app;
            async move {
                app.http
                    .get(app.url(&format!("{}{q}", routes::ACCESS_REQUESTS_EXPORT)))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let csv = get("?format=csv", t.security.token.clone()).await;
        assert_eq!(csv.status(), 200);
        let text = csv.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("id,created_at,tenant,requester"));
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[1].contains("approved") && lines[1].contains("fine"));
        assert!(
            lines[2].contains("denied") && lines[2].contains("no linked ticket"),
            "{text}"
        );
        assert!(
            lines[2].contains("\"'=HYPERLINK("),
            "formulas are defused: {text}"
        );
        let jsonl = get("", t.manager.token.clone()).await.text().await.unwrap();
        let rows: Vec<AccessRequestView> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![a.id, b.id]
        );
        assert!(rows[0].grant.is_some());
        let denied = get("", t.agent.token.clone()).await;
        assert_eq!(denied.status(), 403);
        assert_eq!(
            app.audit(&t.security, "action=access.exported").await.len(),
            2
        );
        // The decided list stays browsable for reviewers.
        let all: Page<AccessRequestView> = app
            .get(
                &format!("{}?box=all&status=denied", routes::ACCESS_REQUESTS),
                &t.security.token,
            )
            .await
            .unwrap();
        assert_eq!(all.items.len(), 1);
    }
);

both!(
    tenant_user_imports_are_all_or_nothing,
    |app: TestApp| async move {
        let t = team(&app).await;
        let bad = "name,email,role\nDan New,dan@acme.test,member\nEve,eve-at-acme,member\n";
        let e = import_users(&app, &t.admin, t.acme.id, "text/csv", bad)
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("line 3: email"));
        let e = import_users(&app, &t.agent, t.acme.id, "text/csv", ACME_USERS)
            .await
            .unwrap_err();
        assert_eq!(e.code, "permission_denied");
        let e = import_users(&app, &t.admin, t.acme.id, "text/plain", ACME_USERS)
            .await
            .unwrap_err();
        assert_eq!(e.status, 415);
        // Nothing of the refused import landed; known emails update.
        let again =
            "name,email,role\nDan New,dan@acme.test,member\nAda Renamed,ada@acme.test,owner\n";
        let r = import_users(&app, &t.admin, t.acme.id, "text/csv", again)
            .await
            .unwrap();
        assert_eq!((r.created, r.updated), (1, 1));
        granted(&app, &t, &t.agent, t.acme.id, "read", 60).await;
        let page: Page<TenantUserView> = app
            .get(
                &format!("{}?q=ada&limit=1", routes::tenant_users(t.acme.id)),
                &t.agent.token,
            )
            .await
            .unwrap();
        assert_eq!(page.items[0].name, "Ada Renamed");
        let p1: Page<TenantUserView> = app
            .get(
                &format!("{}?limit=2", routes::tenant_users(t.acme.id)),
                &t.agent.token,
            )
            .await
            .unwrap();
        let p2: Page<TenantUserView> = app
            .get(
                &format!(
                    "{}?limit=2&cursor={}",
                    routes::tenant_users(t.acme.id),
                    urlencoding(&p1.next_cursor.clone().unwrap())
                ),
                &t.agent.token,
            )
            .await
            .unwrap();
        assert_eq!(p1.items.len() + p2.items.len(), 4);
        assert!(p2.next_cursor.is_none());
    }
);

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

both!(
    seeded_tenant_users_have_sign_ins,
    |app: TestApp| async move {
        let t = team(&app).await;
        let state = app.hub.as_ref().unwrap().state.clone();
        let n = opsdesk_hub::seed::seed_tenant_users(state.store.as_ref(), 24, app.clock_now())
            .await
            .unwrap();
        assert_eq!(n, 48);
        // Again: the same users, updated in place.
        opsdesk_hub::seed::seed_tenant_users(state.store.as_ref(), 24, app.clock_now())
            .await
            .unwrap();
        granted(&app, &t, &t.senior, t.globex.id, "support", 60).await;
        let page: Page<TenantUserView> = app
            .get(
                &format!("{}?limit=200", routes::tenant_users(t.globex.id)),
                &t.senior.token,
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 25);
        assert!(page.items.iter().any(|u| u.role == TenantUserRole::Owner));
        let signed_in = page
            .items
            .iter()
            .find(|u| u.last_sign_in_at.is_some())
            .unwrap();
        let history: Vec<TenantSignInView> = app
            .client(&t.senior.token)
            .tenant_user_sign_ins(t.globex.id, signed_in.id)
            .await
            .checked()
            .unwrap();
        assert!(history.len() >= 3, "{history:?}");
        assert!(
            history.windows(2).all(|w| w[0].at >= w[1].at),
            "newest first"
        );
    }
);

both!(
    grants_follow_the_holder_and_races_make_one_grant,
    |app: TestApp| async move {
        let t = team(&app).await;
        // Two managers approve the same request at the same moment: one grant, one refusal.
        clear(&app, &t.admin, &t.manager2).await;
        let r = request(&app, &t.agent, t.acme.id, "read", 60)
            .await
            .unwrap();
        let (a, b) = tokio::join!(
            review(&app, &t.manager, &r, true, None),
            review(&app, &t.manager2, &r, true, None)
        );
        assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} / {b:?}");
        let refused = a.err().or(b.err()).unwrap();
        assert_eq!(refused.status, 409, "{refused:?}");
        let grants: Vec<GrantView> = app
            .client(&t.agent.token)
            .grants(&Default::default())
            .await
            .checked()
            .unwrap();
        assert_eq!(grants.len(), 1);
        assert!(users(&app, &t.agent, t.acme.id).await.is_ok());

        // Clearance withdrawn: the grant stops working on the next request.
        let c: ClearanceView = app
            .client(&t.admin.token)
            .clearance(t.agent.id)
            .await
            .checked()
            .unwrap();
        let _: ClearanceView = app.client(&t.admin.token)
        .record_clearance(t.agent.id, &from_json(json!({"nda": true, "background_check": true, "training": false, "version": c.version})), None).await.checked()
        .unwrap();
        assert_eq!(
            users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
            "clearance_incomplete"
        );
        clear(&app, &t.admin, &t.agent).await;
        assert!(users(&app, &t.agent, t.acme.id).await.is_ok());

        // Demoted to viewer (no tenant data at all): the grant stops working too.
        let staff: StaffView = app.staff(&t.admin, t.agent.id).await;
        let _: StaffView = app
            .client(&t.admin.token)
            .change_role(
                t.agent.id,
                &from_json(json!({"role": "viewer", "version": staff.version})),
            )
            .await
            .checked()
            .unwrap();
        assert_eq!(
            users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
            "permission_denied"
        );

        // An engineer's admin request approved after they were demoted is refused.
        let adm = request(&app, &t.engineer, t.acme.id, "admin", 30)
            .await
            .unwrap();
        let adm = review(&app, &t.manager, &adm, true, None).await.unwrap();
        let staff: StaffView = app.staff(&t.admin, t.engineer.id).await;
        let _: StaffView = app
            .client(&t.admin.token)
            .change_role(
                t.engineer.id,
                &from_json(json!({"role": "agent", "version": staff.version})),
            )
            .await
            .checked()
            .unwrap();
        let e = review(&app, &t.security, &adm, true, None)
            .await
            .unwrap_err();
        assert_eq!(e.code, "permission_denied");

        // Reaching for data without a grant is a security event.
        assert_eq!(
            users(&app, &t.senior, t.globex.id).await.unwrap_err().code,
            "no_active_grant"
        );
        let events: Page<SecurityEvent> = app
            .client(&t.security.token)
            .security_events(&Default::default())
            .await
            .checked()
            .unwrap();
        assert!(events.items.iter().any(|e| e.kind == "tenant_data_denied"));
    }
);

both!(
    revoked_before_start_never_starts_and_odd_numbers_are_refused,
    |app: TestApp| async move {
        let t = team(&app).await;
        let r: AccessRequestView = app
            .client(&t.agent.token)
            .create_access_request(
                &from_json(
                    json!({"tenant_id": t.acme.id, "scope": "read", "duration_minutes": 60,
                    "reason": "Planned migration support for Acme",
                    "start_at": app.clock_now() + Duration::minutes(30)}),
                ),
                None,
            )
            .await
            .checked()
            .unwrap();
        let g = review(&app, &t.manager, &r, true, None)
            .await
            .unwrap()
            .grant
            .unwrap();
        let _: GrantView = app
            .client(&t.security.token)
            .revoke_grant(
                g.id,
                &from_json(json!({"reason": "migration postponed"})),
                None,
            )
            .await
            .checked()
            .unwrap();
        app.clock.advance(Duration::minutes(31));
        assert_eq!(
            users(&app, &t.agent, t.acme.id).await.unwrap_err().code,
            "grant_ended"
        );
        assert_eq!(run_job(&app).await.grants_started, 0);

        for minutes in [i64::MAX, i64::MIN, -1] {
            let e = request(&app, &t.agent, t.globex.id, "read", minutes)
                .await
                .unwrap_err();
            assert_eq!(e.status, 422, "{minutes}: {e:?}");
        }
        let e: ApiError = app.client(&t.agent.token)
        .create_access_request(&from_json(json!({"tenant_id": t.acme.id, "scope": "read", "duration_minutes": 60,
                    "reason": "Customer cannot sign in at all", "start_at": "9999-12-31T23:59:59Z"})), None).await.checked()
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("start_at"));
        let e = app
            .get::<Page<AccessRequestView>>(
                &format!("{}?cursor={}", routes::ACCESS_REQUESTS, "9".repeat(40)),
                &t.agent.token,
            )
            .await
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("cursor"));
    }
);

/// The actions the hub sends with each request follow its review rules for the person asking:
/// four eyes, tier, one review each, pending only; the requester alone may cancel.
async fn seen_by(
    app: &TestApp,
    who: &Person,
    id: Uuid,
) -> Vec<opsdesk_core::access::RequestAction> {
    app.client(&who.token)
        .access_request(id)
        .await
        .checked()
        .unwrap()
        .actions
}

both!(
    each_person_is_offered_what_the_review_rules_let_them_do,
    |app: TestApp| async move {
        use opsdesk_core::access::RequestAction::{Cancel, Review};
        let t = team(&app).await;
        // Admin access needs two different reviewers.
        let r = request(&app, &t.engineer, t.acme.id, "admin", 30)
            .await
            .unwrap();
        assert_eq!(r.actions, vec![Cancel]);
        assert_eq!(seen_by(&app, &t.manager, r.id).await, vec![Review]);
        assert_eq!(seen_by(&app, &t.security, r.id).await, vec![Review]);
        let waiting: Page<AccessRequestView> = app
            .get(
                &format!("{}?box=to_review", routes::ACCESS_REQUESTS),
                &t.manager2.token,
            )
            .await
            .unwrap();
        let listed = waiting.items.iter().find(|x| x.id == r.id).unwrap();
        assert_eq!(listed.actions, vec![Review]);

        // After one approval the first reviewer is offered nothing more; a second one is.
        let once = review(&app, &t.manager, &r, true, None).await.unwrap();
        assert_eq!(once.status, RequestStatus::Pending);
        assert!(once.actions.is_empty(), "{:?}", once.actions);
        assert!(seen_by(&app, &t.manager, r.id).await.is_empty());
        assert_eq!(seen_by(&app, &t.manager2, r.id).await, vec![Review]);
        assert_eq!(seen_by(&app, &t.engineer, r.id).await, vec![Cancel]);

        // Decided: nobody is offered anything, the requester included.
        let denied = review(&app, &t.manager2, &once, false, Some("not for this ticket"))
            .await
            .unwrap();
        assert_eq!(denied.status, RequestStatus::Denied);
        for p in [&t.manager, &t.manager2, &t.security, &t.engineer] {
            assert!(seen_by(&app, p, r.id).await.is_empty());
        }

        // A security officer's request is beyond a manager's tier: listed for them, not offered.
        let so = request(&app, &t.security, t.acme.id, "read", 30)
            .await
            .unwrap();
        assert!(seen_by(&app, &t.manager, so.id).await.is_empty());
        assert_eq!(seen_by(&app, &t.admin, so.id).await, vec![Review]);
        assert_eq!(seen_by(&app, &t.security, so.id).await, vec![Cancel]);
    }
);
