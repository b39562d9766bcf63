//! Steps several scenarios (and the launch benchmark) share.

use crate::driver::App;
use fantoccini::Locator;
use opsdesk_core::totp::TotpSecret;
use std::time::{SystemTime, UNIX_EPOCH};

/// The admin's password in every scenario.
pub const PASSWORD: &str = "blue-kettle-94-orbit";

/// Seconds since the Unix epoch, by this machine's clock (the app's hub uses the same clock).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// From the first-launch screen: starts a local workspace, creates the admin `ana.admin` (a weak
/// password is refused first), enrolls TOTP with the secret on screen and keeps the recovery
/// codes. Returns the secret and when its code was used.
pub async fn create_local_admin(app: &App) -> (TotpSecret, i64) {
    // First launch offers two ways in.
    app.find("[data-test=start-local]").await;
    app.wait_text("Connect to a hub").await;
    app.screenshot("01-welcome").await;
    app.click_button("Start a local workspace").await;

    // Create the admin account.
    app.find("[data-test=first-admin]").await;
    app.screenshot("02-create-admin").await;
    app.fill("input[name=username]", "ana.admin").await;
    app.fill("input[name=display_name]", "Ana López").await;
    app.fill("input[name=email]", "ana@example.com").await;
    app.click_button("Create admin account").await;

    // A weak password is refused with a sentence naming the rule; a good one is taken.
    app.find("[data-test=enroll-password]").await;
    app.fill("input[name=password]", "password1234").await;
    app.fill("input[name=repeat]", "password1234").await;
    app.click_button("Continue").await;
    app.wait_text("most common passwords").await;
    app.screenshot("03-password-refused").await;
    app.fill("input[name=password]", PASSWORD).await;
    app.fill("input[name=repeat]", PASSWORD).await;
    app.click_button("Continue").await;

    // Enroll TOTP with the secret shown on screen.
    let secret_el = app.find("[data-test=totp-secret]").await;
    let secret_text = secret_el
        .attr("data-secret")
        .await
        .expect("attribute")
        .expect("secret on screen");
    let secret = TotpSecret::from_base32(&secret_text).expect("a base32 secret");
    assert!(
        app.client
            .find(Locator::Css("img[alt^='QR code']"))
            .await
            .is_ok(),
        "QR code shown"
    );
    app.screenshot("04-authenticator").await;
    let enrolled_at = unix_now();
    app.fill("input[name=code]", &secret.code_at(enrolled_at))
        .await;
    app.click_button("Confirm").await;

    // Recovery codes, shown once.
    let codes = app.find("[data-test=recovery-codes]").await;
    let listed = codes.find_all(Locator::Css("li")).await.expect("codes");
    assert_eq!(listed.len(), 10, "ten recovery codes");
    app.screenshot("05-recovery-codes").await;
    app.find("input[name=saved]")
        .await
        .click()
        .await
        .expect("tick saved");
    app.click_button("Continue to Opsdesk").await;

    (secret, enrolled_at)
}
