//! Steps several scenarios (and the launch benchmark) share.

use crate::driver::App;
use fantoccini::Locator;
use opsdesk_core::totp::TotpSecret;
use opsdesk_proto::{
    Enrolled, EnrollmentOffer, IntegrationTokenIssued, InviteIssued, LoginChallenge, SignedIn,
    TenantView,
};
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// Waits until the TOTP step after `step` has begun, so a fresh code is not a replay.
pub async fn step_after(step: i64) -> i64 {
    while unix_now().div_euclid(30) <= step {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    unix_now()
}

/// The local hub, over HTTP, as the platform and an admin script would use it.
pub struct Hub {
    pub base: String,
    pub http: reqwest::Client,
}

impl Hub {
    /// The app's local hub, by the address the header shows.
    pub async fn of(app: &App) -> Hub {
        let base = app
            .find("[data-test=hub-state]")
            .await
            .attr("title")
            .await
            .expect("attribute")
            .expect("the local hub's address");
        Hub {
            base,
            http: reqwest::Client::new(),
        }
    }

    /// A GET that must succeed, decoded.
    pub async fn get<R: serde::de::DeserializeOwned>(&self, path: &str, token: &str) -> R {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("hub answers");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    }

    /// As `admin`: a tenant on the enterprise plan, and an integration token for the platform to
    /// open tickets with.
    pub async fn tenant_with_intake(
        &self,
        admin: &str,
        name: &str,
        slug: &str,
    ) -> (TenantView, IntegrationTokenIssued) {
        let tenant: TenantView = self
            .post(
                "/api/v1/tenants",
                Some(admin),
                json!({"name": name, "slug": slug, "plan": "enterprise"}),
            )
            .await;
        let token: IntegrationTokenIssued = self
            .post(
                "/api/v1/integration-tokens",
                Some(admin),
                json!({"name": "Platform"}),
            )
            .await;
        (tenant, token)
    }

    /// `admin` invites someone with `role`; they enroll over the API. Returns their TOTP secret
    /// and when its code was used.
    pub async fn enroll(
        &self,
        admin: &str,
        username: &str,
        display_name: &str,
        role: &str,
    ) -> (TotpSecret, i64) {
        let invite: InviteIssued = self
            .post(
                "/api/v1/staff",
                Some(admin),
                json!({"username": username, "display_name": display_name,
                       "email": format!("{username}@example.com"), "role": role}),
            )
            .await;
        let offer: EnrollmentOffer = self
            .post(
                "/api/v1/auth/enroll",
                None,
                json!({"invite_token": invite.invite_token, "password": PASSWORD}),
            )
            .await;
        let secret = TotpSecret::from_base32(&offer.totp_secret).expect("secret");
        let at = unix_now();
        let _: Enrolled = self
            .post(
                "/api/v1/auth/enroll/confirm",
                None,
                json!({"invite_token": invite.invite_token, "code": secret.code_at(at)}),
            )
            .await;
        (secret, at)
    }

    pub async fn post<R: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: serde_json::Value,
    ) -> R {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("hub answers");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    }

    pub async fn sign_in(&self, username: &str, secret: &TotpSecret, at: i64) -> String {
        let c: LoginChallenge = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": username, "password": PASSWORD}),
            )
            .await;
        let s: SignedIn = self
            .post(
                "/api/v1/auth/login/mfa",
                None,
                json!({"challenge": c.challenge, "code": secret.code_at(at)}),
            )
            .await;
        s.token
    }
}

/// Signs out of the app and in again as `username`, with a TOTP code from a step after
/// `last_used` (the time of the last code of theirs used). Returns the time of the code used.
pub async fn sign_in_app(app: &App, username: &str, secret: &TotpSecret, last_used: i64) -> i64 {
    app.find("[data-test=sign-out]")
        .await
        .click()
        .await
        .expect("sign out");
    app.find("[data-test=signin-password]").await;
    app.fill("input[name=username]", username).await;
    app.fill("input[name=password]", PASSWORD).await;
    app.click_button("Continue").await;
    app.find("[data-test=signin-code]").await;
    let at = step_after(last_used.div_euclid(30)).await;
    app.fill("input[name=code]", &secret.code_at(at)).await;
    app.click_button("Sign in").await;
    at
}
