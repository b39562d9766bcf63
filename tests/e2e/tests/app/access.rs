//! Cross-tenant access in the real app: an agent asks for read access to a tenant, a manager
//! (a second account) approves it from the approvals inbox, the agent opens the tenant's users
//! from the header's tenant switcher, releases the grant, and loses access at once.

use crate::driver::App;
use crate::flows::{create_local_admin, sign_in_app, step_after, Hub};
use opsdesk_proto::{AuditEntry, GrantView, Page, TenantUserImportResult, TenantView};
use serde_json::json;
use std::time::{Duration, Instant};

/// Waits until `css` matches at least `n` elements.
async fn wait_count(app: &App, css: &str, n: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = app
            .client
            .find_all(fantoccini::Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0);
        if found >= n {
            return found;
        }
        assert!(Instant::now() < deadline, "{css}: {found} of {n}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Clicks the first element matching `css`.
async fn click(app: &App, css: &str) {
    app.find(css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_requests_manager_approves_agent_reads_users_then_releases() {
    let home = std::env::temp_dir().join(format!("opsdesk-e2e-{}", uuid::Uuid::new_v4().simple()));
    let app = App::launch("access", home).await;
    let (admin_secret, enrolled_at) = create_local_admin(&app).await;
    app.find("[data-test=queue]").await;
    let hub = Hub::of(&app).await;

    // As the admin, over the API: a tenant with users, an agent with onboarding clearance, and
    // a manager.
    let at = step_after(enrolled_at.div_euclid(30)).await;
    let admin = hub.sign_in("ana.admin", &admin_secret, at).await;
    let globex: TenantView = hub
        .post(
            "/api/v1/tenants",
            Some(&admin),
            json!({"name": "Globex", "slug": "globex", "plan": "enterprise"}),
        )
        .await;
    let imported: TenantUserImportResult = serde_json::from_str(
        &hub.http
            .post(format!(
                "{}/api/v1/tenants/{}/users/import",
                hub.base, globex.id
            ))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(
                "name,email,role,status,mfa_enabled\n\
                 Gina Owner,gina@globex.example,owner,active,true\n\
                 Hank Member,hank@globex.example,member,locked,false\n\
                 Iris Billing,iris@globex.example,billing,active,true\n",
            )
            .send()
            .await
            .expect("import")
            .text()
            .await
            .expect("body"),
    )
    .expect("import result");
    assert_eq!(imported.created, 3);
    let (ben_secret, ben_enrolled) = hub.enroll(&admin, "ben.agent", "Ben Okafor", "agent").await;
    let (mia_secret, mia_enrolled) = hub
        .enroll(&admin, "mia.manager", "Mia Novak", "manager")
        .await;
    let ben_id = {
        let me: serde_json::Value = hub.get("/api/v1/staff?role=agent", &admin).await;
        me["items"][0]["id"].as_str().expect("ben's id").to_owned()
    };
    let c: serde_json::Value = hub
        .get(&format!("/api/v1/staff/{ben_id}/clearance"), &admin)
        .await;
    let status = hub
        .http
        .put(format!("{}/api/v1/staff/{ben_id}/clearance", hub.base))
        .bearer_auth(&admin)
        .json(&json!({"nda": true, "background_check": true, "training": true, "version": c["version"]}))
        .send()
        .await
        .expect("record clearance")
        .status();
    assert!(status.is_success(), "{status}");

    // Ben asks for read access to Globex for two hours.
    let ben_at = sign_in_app(&app, "ben.agent", &ben_secret, ben_enrolled).await;
    app.find("[data-test=queue]").await;
    click(&app, "[data-test=nav-access]").await;
    app.find("[data-test=access]").await;
    click(&app, "[data-test=access-tab-request]").await;
    app.find("[data-test=access-request-form]").await;
    app.fill("[data-test=tenant-input]", "Glob").await;
    app.wait_text("globex").await;
    app.click_button("Globex").await;
    app.find("[data-test=tenant-chosen]").await;
    click(&app, "[data-test=scope-read]").await;
    // Too short a reason is refused before anything is sent, naming the rule.
    app.fill("[data-test=access-reason]", "check").await;
    click(&app, "[data-test=access-submit]").await;
    app.find("[data-test=error-reason]").await;
    app.fill(
        "[data-test=access-reason]",
        "Ticket: Globex users cannot sign in after the SSO change",
    )
    .await;
    app.fill("[data-test=duration-hours]", "2").await;
    app.fill("[data-test=duration-minutes]", "0").await;
    let summary = app
        .find("[data-test=access-summary]")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        summary.contains("Mia Novak"),
        "the summary names who can review: {summary}"
    );
    app.screenshot("40-access-request-form").await;
    click(&app, "[data-test=access-submit]").await;
    app.find("[data-test=request-sent]").await;
    app.wait_text("Pending").await;
    app.screenshot("41-access-my-requests").await;

    // Mia, a manager, approves it from her approvals inbox.
    sign_in_app(&app, "mia.manager", &mia_secret, mia_enrolled).await;
    app.find("[data-test=queue]").await;
    click(&app, "[data-test=nav-access]").await;
    click(&app, "[data-test=access-tab-approvals]").await;
    let row = app.find("[data-test=approvals-row]").await;
    let text = row.text().await.expect("text");
    assert!(
        text.contains("Ben Okafor") && text.contains("Globex"),
        "{text}"
    );
    app.screenshot("42-access-approvals").await;
    // Denying needs a comment: the confirm button stays disabled without one.
    click(&app, "[data-test=deny]").await;
    let confirm = app.find("[data-test=deny-confirm]").await;
    assert!(
        !confirm.is_enabled().await.expect("enabled?"),
        "deny needs a comment"
    );
    app.press(crate::driver::ESCAPE).await;
    click(&app, "[data-test=approve]").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .client
        .find_all(fantoccini::Locator::Css("[data-test=approvals-row]"))
        .await
        .map(|v| !v.is_empty())
        .unwrap_or(false)
    {
        assert!(
            Instant::now() < deadline,
            "the approved request leaves the inbox"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.screenshot("43-access-approved").await;

    // Ben opens Globex's users from the tenant switcher in the header.
    sign_in_app(&app, "ben.agent", &ben_secret, ben_at).await;
    app.find("[data-test=queue]").await;
    click(&app, "[data-test=tenant-switcher]").await;
    click(&app, "[data-test=tenant-switch-option][data-tenant=globex]").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let label = app
            .find("[data-test=tenant-switcher]")
            .await
            .text()
            .await
            .unwrap_or_default();
        if label.contains("Globex") {
            assert!(
                label.contains("left"),
                "the header shows the time left: {label}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "switcher shows {label}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    click(&app, "[data-test=tenant-switcher]").await;
    click(&app, "[data-test=tenant-switch-open]").await;
    app.find("[data-test=tenant-portal]").await;
    assert_eq!(wait_count(&app, "[data-test=tenant-users-row]", 3).await, 3);
    app.wait_text("hank@globex.example").await;
    app.screenshot("44-tenant-portal").await;

    // The read is in the audit trail with the grant it happened under.
    let grants: Vec<GrantView> = hub.get("/api/v1/access/grants?all=true", &admin).await;
    assert_eq!(grants.len(), 1);
    let grant = &grants[0];
    assert_eq!((grant.ends_at - grant.starts_at).num_minutes(), 120);
    let reads: Page<AuditEntry> = hub
        .get("/api/v1/audit?action=tenant_data.read", &admin)
        .await;
    assert!(reads
        .items
        .iter()
        .any(|e| e.details["grant"] == json!(grant.id)));

    // Ben releases the grant: the portal closes and the header says access ended.
    click(&app, "[data-test=nav-access]").await;
    click(&app, "[data-test=access-tab-grants]").await;
    click(&app, "[data-test=grant-release]").await;
    click(&app, "[data-test=grant-release-confirm]").await;
    app.find("[data-test=tenant-ended]").await;
    app.wait_text("Access to Globex ended").await;
    app.screenshot("45-access-released").await;
    let label = app
        .find("[data-test=tenant-switcher]")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(!label.contains("left"), "no tenant in scope: {label}");
    let grants: Vec<GrantView> = hub.get("/api/v1/access/grants?all=true", &admin).await;
    assert_eq!(
        grants[0].end_reason.map(|r| r.to_string()).as_deref(),
        Some("released")
    );
    app.quit().await;
}
