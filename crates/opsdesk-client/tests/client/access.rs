//! Cross-tenant access through two desks against a real hub: an agent asks, a manager reviews,
//! the agent puts the tenant in scope and reads its users, and access ends by revocation and by
//! release; the tenant's data never reaches the app's files.

use crate::helpers::{api_code, sign_in, Fixture};
use opsdesk_client::{ClientError, Desk};
use opsdesk_core::Role;
use opsdesk_hub::testing::{spawn_app, Db, Person, TestApp};
use opsdesk_proto::{
    AccessBox, AccessRequestQuery, AccessScope, ClearanceView, CreateAccessRequest, GrantQuery,
    RequestStatus, ReviewAccessRequest, TenantUserImportResult, TenantUserQuery, TenantView,
};
use serde_json::json;
use std::path::Path;
use uuid::Uuid;

const ACME_USERS: &str = "name,email,role,status,mfa_enabled\n\
Ada Owner,ada.owner@acme.test,owner,active,true\n\
Bert Member,bert.member@acme.test,member,locked,false\n";

/// A tenant with two users.
async fn acme(app: &TestApp, admin: &Person) -> TenantView {
    let tenant: TenantView = app
        .post(
            "/api/v1/tenants",
            Some(&admin.token),
            &json!({"name": "Acme Corp", "slug": "acme", "plan": "enterprise"}),
        )
        .await
        .expect("tenant");
    let imported: TenantUserImportResult = app
        .send(
            app.http
                .post(app.url(&format!("/api/v1/tenants/{}/users/import", tenant.id)))
                .bearer_auth(&admin.token)
                .header("content-type", "text/csv")
                .body(ACME_USERS),
        )
        .await
        .expect("import");
    assert_eq!(imported.created, 2);
    tenant
}

/// Records `who`'s onboarding clearance complete.
pub async fn clear(app: &TestApp, admin: &Person, who: &Person) {
    let path = format!("/api/v1/staff/{}/clearance", who.id);
    let c: ClearanceView = app.get(&path, &admin.token).await.expect("clearance");
    let body =
        json!({"nda": true, "background_check": true, "training": true, "version": c.version});
    let done: ClearanceView = app.put(&path, &admin.token, &body).await.expect("record");
    assert!(done.complete);
}

/// A request for two hours of read access to `tenant`.
pub fn ask(tenant: Uuid, reason: &str) -> CreateAccessRequest {
    CreateAccessRequest {
        tenant_id: tenant,
        scope: AccessScope::Read,
        reason: reason.to_owned(),
        duration_minutes: 120,
        start_at: None,
        ticket_id: None,
    }
}

/// The manager approves the agent's newest pending request.
async fn approve_pending(manager: &Desk) -> opsdesk_proto::AccessRequestView {
    let waiting = manager
        .access_requests(AccessRequestQuery {
            r#box: Some(AccessBox::ToReview),
            ..AccessRequestQuery::default()
        })
        .await
        .expect("to review")
        .items;
    let r = waiting.first().expect("a request waits");
    let approve = ReviewAccessRequest {
        approve: true,
        comment: None,
        version: r.version,
    };
    manager
        .review_access_request(r.id, approve)
        .await
        .expect("approved")
}

/// Whether any file below `dir` holds `needle`.
fn files_hold(dir: &Path, needle: &[u8]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            files_hold(&path, needle)
        } else {
            std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        }
    })
}

#[tokio::test]
async fn an_agent_asks_a_manager_approves_and_the_tenant_is_in_scope_until_access_ends() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let tenant = acme(&app, &admin).await;
    let agent_p = app.invite(&admin, "ana.agent", Role::Agent).await;
    let manager_p = app.invite(&admin, "max.manager", Role::Manager).await;
    let (fa, fm) = (Fixture::new(), Fixture::new());
    fa.remote_key(&app, &agent_p.username);
    fm.remote_key(&app, &manager_p.username);
    let agent = fa.connected(&app).await;
    let manager = fm.connected(&app).await;
    sign_in(&agent, &app, &agent_p).await;
    sign_in(&manager, &app, &manager_p).await;

    // Until clearance is recorded, the policy says what is missing and the hub refuses.
    let policy = agent.access_policy().await.unwrap();
    assert!(!policy.clearance.complete);
    let read = policy.scopes.iter().find(|s| s.scope == AccessScope::Read);
    assert!(read.is_some_and(|s| s.may_request && s.approvals_needed == 1));
    assert!(policy
        .scopes
        .iter()
        .any(|s| s.scope == AccessScope::Admin && !s.may_request));
    assert!(policy.reviewers.iter().any(|r| r.id == manager_p.id));
    let (code, _) = api_code(
        agent
            .create_access_request(ask(tenant.id, "Customer cannot sign in since Monday"))
            .await,
    );
    assert_eq!(code, "clearance_incomplete");
    clear(&app, &admin, &agent_p).await;
    clear(&app, &admin, &manager_p).await;

    // A vague reason is refused here, naming the field, before the hub is asked.
    match agent.create_access_request(ask(tenant.id, "pls")).await {
        Err(ClientError::InvalidInput { field, .. }) => assert_eq!(field, "reason"),
        other => panic!("a short reason was accepted: {other:?}"),
    }
    let asked = agent
        .create_access_request(ask(tenant.id, "  Customer cannot sign in since Monday  "))
        .await
        .unwrap();
    assert_eq!(asked.status, RequestStatus::Pending);
    assert_eq!(asked.reason, "Customer cannot sign in since Monday");

    // No grant yet: the tenant cannot be put in scope, and its data is not asked for.
    let (scope, select) = (
        agent.tenant_scope().await.unwrap(),
        agent.select_tenant(Some(tenant.id)).await,
    );
    assert!(scope.grants.is_empty() && scope.tenant.is_none());
    assert_eq!(select.unwrap_err().to_ui().code, "no_active_grant");
    let users = agent
        .tenant_users(tenant.id, TenantUserQuery::default())
        .await;
    assert_eq!(users.unwrap_err().to_ui().code, "tenant_not_selected");

    // Denying needs a comment; the manager approves instead.
    let deny = ReviewAccessRequest {
        approve: false,
        comment: Some("  ".into()),
        version: asked.version,
    };
    match manager.review_access_request(asked.id, deny).await {
        Err(ClientError::InvalidInput { field, .. }) => assert_eq!(field, "comment"),
        other => panic!("a denial without a comment was sent: {other:?}"),
    }
    let approved = approve_pending(&manager).await;
    assert_eq!(approved.status, RequestStatus::Approved);
    let mine = agent
        .access_requests(AccessRequestQuery::default())
        .await
        .unwrap()
        .items;
    assert_eq!(mine[0].status, RequestStatus::Approved);
    assert_eq!(mine[0].reviews[0].reviewer.id, manager_p.id);

    // In scope: the tenant's users, but not what a support grant opens.
    let scope = agent.select_tenant(Some(tenant.id)).await.unwrap();
    assert_eq!(scope.tenant.as_ref().map(|t| t.id), Some(tenant.id));
    assert_eq!(
        scope.grant.as_ref().map(|g| g.scope),
        Some(AccessScope::Read)
    );
    let users = agent
        .tenant_users(tenant.id, TenantUserQuery::default())
        .await
        .unwrap()
        .items;
    assert_eq!(users.len(), 2);
    let bert = users.iter().find(|u| u.name == "Bert Member").unwrap();
    let (code, _) = api_code(agent.tenant_user_sign_ins(tenant.id, bert.id).await);
    assert_eq!(code, "grant_scope_too_narrow");
    assert!(
        agent.tenant_scope().await.unwrap().tenant.is_some(),
        "a narrower grant than an action needs keeps the tenant in scope"
    );
    assert!(
        !files_hold(&fa.paths.data_dir, b"ada.owner@acme.test"),
        "tenant data never reaches the app's files"
    );

    // Revoked elsewhere: the hub's refusal takes the tenant out of scope, said once.
    let grant = agent
        .grants(GrantQuery {
            current: true,
            ..GrantQuery::default()
        })
        .await
        .unwrap()
        .remove(0);
    let _: opsdesk_proto::GrantView = app
        .post(
            &format!("/api/v1/access/grants/{}/revoke", grant.id),
            Some(&admin.token),
            &json!({"reason": "Incident review"}),
        )
        .await
        .expect("revoked");
    let refused = agent
        .tenant_users(tenant.id, TenantUserQuery::default())
        .await;
    let code = refused.unwrap_err().to_ui().code;
    assert!(
        ["grant_ended", "no_active_grant"].contains(&code.as_str()),
        "{code}"
    );
    let scope = agent.tenant_scope().await.unwrap();
    assert_eq!(scope.tenant, None);
    assert_eq!(scope.ended.map(|t| t.id), Some(tenant.id));
    assert_eq!(agent.tenant_scope().await.unwrap().ended, None, "said once");

    // Asked again, approved, released: gone at once, here and on the hub.
    agent
        .create_access_request(ask(tenant.id, "Follow-up: verify the unlock worked"))
        .await
        .unwrap();
    approve_pending(&manager).await;
    let scope = agent.select_tenant(Some(tenant.id)).await.unwrap();
    let grant = scope.grant.expect("a new grant");
    let released = agent.release_grant(grant.id).await.unwrap();
    assert!(released.ended_at.is_some());
    let scope = agent.tenant_scope().await.unwrap();
    assert_eq!((scope.tenant, scope.grants.len()), (None, 0));
    assert_eq!(
        agent
            .select_tenant(Some(tenant.id))
            .await
            .unwrap_err()
            .to_ui()
            .code,
        "no_active_grant"
    );
}

#[tokio::test]
async fn support_and_admin_grants_open_the_user_actions_and_settings_and_reviewers_export() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let tenant = acme(&app, &admin).await;
    let senior_p = app.invite(&admin, "sam.senior", Role::SeniorAgent).await;
    let manager_p = app.invite(&admin, "max.manager", Role::Manager).await;
    for p in [&senior_p, &manager_p] {
        clear(&app, &admin, p).await;
    }
    let (fs, fm) = (Fixture::new(), Fixture::new());
    fs.remote_key(&app, &senior_p.username);
    fm.remote_key(&app, &manager_p.username);
    let senior = fs.connected(&app).await;
    let manager = fm.connected(&app).await;
    sign_in(&senior, &app, &senior_p).await;
    sign_in(&manager, &app, &manager_p).await;

    // Support: the user actions.
    let support = CreateAccessRequest {
        scope: AccessScope::Support,
        ..ask(tenant.id, "Customer locked out after the SSO change")
    };
    senior.create_access_request(support).await.unwrap();
    approve_pending(&manager).await;
    senior.select_tenant(Some(tenant.id)).await.unwrap();
    let users = senior
        .tenant_users(
            tenant.id,
            TenantUserQuery {
                q: Some(" bert ".into()),
                ..TenantUserQuery::default()
            },
        )
        .await
        .unwrap()
        .items;
    assert_eq!(users.len(), 1, "{users:?}");
    let bert = &users[0];
    assert_eq!(bert.status, opsdesk_proto::TenantUserStatus::Locked);
    let unlocked = senior
        .unlock_tenant_user(tenant.id, bert.id, bert.version)
        .await
        .unwrap();
    assert_eq!(unlocked.status, opsdesk_proto::TenantUserStatus::Active);
    let (code, _) = api_code(
        senior
            .unlock_tenant_user(tenant.id, bert.id, bert.version)
            .await,
    );
    assert_eq!(code, "not_locked", "unlocked once, not twice");
    let role = opsdesk_proto::ChangeTenantUserRole {
        role: opsdesk_proto::TenantUserRole::Billing,
        version: unlocked.version,
    };
    let changed = senior
        .change_tenant_user_role(tenant.id, bert.id, role)
        .await
        .unwrap();
    assert_eq!(changed.role, opsdesk_proto::TenantUserRole::Billing);
    let reset = senior
        .reset_tenant_user_password(tenant.id, bert.id)
        .await
        .unwrap();
    assert!(!reset.link.is_empty());
    senior
        .tenant_user_sign_ins(tenant.id, bert.id)
        .await
        .unwrap();
    let (code, _) = api_code(senior.tenant_settings(tenant.id).await);
    assert_eq!(code, "grant_scope_too_narrow");
    assert!(
        !files_hold(&fs.paths.data_dir, reset.link.as_bytes()),
        "the one-time link is not kept"
    );

    // The manager exports the decided requests for the record.
    let csv = manager
        .export_access_requests(opsdesk_proto::AccessExportQuery {
            format: Some(opsdesk_proto::ExportFormat::Csv),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        csv.lines().count(),
        2,
        "a header and the one decided request:\n{csv}"
    );
    assert!(
        csv.contains("Customer locked out after the SSO change"),
        "{csv}"
    );
    let (code, _) = api_code(
        senior
            .export_access_requests(opsdesk_proto::AccessExportQuery::default())
            .await,
    );
    assert_eq!(code, "permission_denied");

    // Admin: two approvals, then the tenant's settings.
    let engineer_p = app.invite(&admin, "eve.engineer", Role::Engineer).await;
    clear(&app, &admin, &engineer_p).await;
    let fe = Fixture::new();
    fe.remote_key(&app, &engineer_p.username);
    let engineer = fe.connected(&app).await;
    sign_in(&engineer, &app, &engineer_p).await;
    let wide = CreateAccessRequest {
        scope: AccessScope::Admin,
        duration_minutes: 30,
        ..ask(tenant.id, "Customer asked us to require MFA for everyone")
    };
    engineer.create_access_request(wide).await.unwrap();
    let once = approve_pending(&manager).await;
    assert_eq!(
        once.status,
        RequestStatus::Pending,
        "admin access needs two approvals"
    );
    let twice: opsdesk_proto::AccessRequestView = app
        .post(
            &format!("/api/v1/access/requests/{}/reviews", once.id),
            Some(&admin.token),
            &json!({"approve": true, "version": once.version}),
        )
        .await
        .expect("second approval");
    assert_eq!(twice.status, RequestStatus::Approved);
    let scope = engineer.select_tenant(Some(tenant.id)).await.unwrap();
    assert_eq!(scope.grant.map(|g| g.scope), Some(AccessScope::Admin));
    let settings = engineer.tenant_settings(tenant.id).await.unwrap();
    let change = |minutes: i64, version: i64| opsdesk_proto::UpdateTenantSettings {
        sso_required: None,
        mfa_required: Some(true),
        session_timeout_minutes: Some(minutes),
        ip_allowlist: None,
        data_retention_days: None,
        version,
    };
    let refused = engineer
        .update_tenant_settings(tenant.id, change(2, settings.version))
        .await
        .unwrap_err()
        .to_ui();
    assert_eq!(refused.field.as_deref(), Some("session_timeout_minutes"));
    let saved = engineer
        .update_tenant_settings(tenant.id, change(30, settings.version))
        .await
        .unwrap();
    assert!(saved.mfa_required);
    assert_eq!(saved.session_timeout_minutes, 30);
}
