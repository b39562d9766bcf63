//! First launch on a new computer: start a local workspace, create the admin with TOTP (the code
//! computed from the secret on screen), keep the recovery codes, invite a staff member, sign out,
//! sign in again, and reopen the app straight into the desk from the keyring.

use crate::driver::{App, CTRL, ENTER, ESCAPE, RELEASE};
use crate::flows::{create_local_admin, unix_now, PASSWORD};
use fantoccini::Locator;
use std::time::Duration;

/// Waits until the TOTP step after `used_step` has begun, so a fresh code is not a replay.
async fn next_step_after(used_step: i64) {
    while unix_now().div_euclid(30) <= used_step {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_workspace_admin_invite_sign_out_sign_in_and_reopen() {
    let home = std::env::temp_dir().join(format!("opsdesk-e2e-{}", uuid::Uuid::new_v4().simple()));
    let app = App::launch("first-launch", home.clone()).await;

    let (secret, enrolled_at) = create_local_admin(&app).await;

    // The desk: who is signed in, with which role, on which hub.
    let who = app
        .find("[data-test=signed-in-as]")
        .await
        .text()
        .await
        .expect("text");
    assert!(who.contains("Ana López") && who.contains("Admin"), "{who}");
    let hub = app
        .find("[data-test=hub-state]")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        hub.contains("Local workspace") && hub.contains("Connected"),
        "{hub}"
    );
    // The desk opens on the queue; `g s` goes to staff administration.
    app.find("[data-test=queue]").await;
    app.press("gs").await;
    app.find("[data-test=staff-table]").await;
    app.screenshot("06-desk").await;

    // Invite a staff member.
    app.click_button("Invite staff member").await;
    app.find("[data-test=invite-form]").await;
    app.fill("[data-test=invite-form] input[name=username]", "ben.agent")
        .await;
    app.fill(
        "[data-test=invite-form] input[name=display_name]",
        "Ben Okafor",
    )
    .await;
    app.fill(
        "[data-test=invite-form] input[name=email]",
        "ben@example.com",
    )
    .await;
    app.screenshot("07-invite").await;
    app.click_button("Send invite").await;
    let token = app
        .find("[data-test=invite-token-value]")
        .await
        .text()
        .await
        .expect("token");
    assert!(token.starts_with("odi_"), "{token}");
    app.screenshot("08-invite-issued").await;
    app.click_button("✕").await;
    app.wait_text("ben.agent").await;

    // Sign out, then sign in again: password, a wrong code (refused), the right code.
    app.find("[data-test=sign-out]")
        .await
        .click()
        .await
        .expect("sign out");
    app.find("[data-test=signin-password]").await;
    let username = app
        .find("input[name=username]")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        username.as_deref(),
        Some("ana.admin"),
        "last username prefilled"
    );
    app.screenshot("09-signed-out").await;
    app.fill("input[name=password]", PASSWORD).await;
    app.click_button("Continue").await;
    app.find("[data-test=signin-code]").await;
    app.fill("input[name=code]", "000000").await;
    app.click_button("Sign in").await;
    app.wait_text("wrong").await;
    app.screenshot("10-wrong-code").await;
    next_step_after(enrolled_at.div_euclid(30)).await;
    let signed_in_at = unix_now();
    app.fill("input[name=code]", &secret.code_at(signed_in_at))
        .await;
    app.click_button("Sign in").await;
    app.find("[data-test=signed-in-as]").await;
    app.screenshot("11-signed-in-again").await;

    // Every section, reached from the keyboard.
    app.find("[data-test=queue]").await;
    app.press("gs").await;
    app.find("[data-test=staff-row][data-username='ben.agent']")
        .await
        .click()
        .await
        .expect("open Ben");
    app.find("[data-test=staff-detail]").await;
    app.wait_text("Ben Okafor can do nothing in Opsdesk until the account is active")
        .await;
    app.screenshot("12-staff-detail").await;
    app.press(&format!("{CTRL}k{RELEASE}")).await;
    app.fill("[data-test=palette-input]", "verify").await;
    app.screenshot("13-palette").await;
    app.press(ENTER).await;
    app.wait_text("Chain intact").await;
    app.screenshot("14-audit-verified").await;
    app.press("ge").await;
    app.find("[data-test=security-table]").await;
    app.wait_text("failed sign-in for `ana.admin`").await;
    app.screenshot("15-security-events").await;
    app.press("?").await;
    app.find("[data-test=shortcuts]").await;
    app.screenshot("16-shortcuts").await;
    app.press(ESCAPE).await;
    app.press("gm").await;
    app.find("[data-test=my-sessions]").await;
    app.screenshot("17-account").await;

    // Lock now; unlocking takes a fresh code.
    app.press(&format!("{CTRL}l{RELEASE}")).await;
    app.find("[data-test=lock-screen]").await;
    app.screenshot("18-locked").await;
    next_step_after(signed_in_at.div_euclid(30)).await;
    app.fill(
        "[data-test=lock-screen] input[name=code]",
        &secret.code_at(unix_now()),
    )
    .await;
    app.click_button("Unlock").await;
    app.find("[data-test=signed-in-as]").await;
    assert!(
        app.client
            .find(Locator::Css("[data-test=lock-screen]"))
            .await
            .is_err(),
        "unlocked"
    );
    app.quit().await;

    // Reopened, the app signs straight back in with the session kept in the OS keyring.
    let app = App::launch("reopen", home.clone()).await;
    let who = app
        .find("[data-test=signed-in-as]")
        .await
        .text()
        .await
        .expect("text");
    assert!(who.contains("Ana López"), "{who}");
    app.screenshot("19-reopened").await;
    app.quit().await;
    let _ = std::fs::remove_dir_all(&home);
}
