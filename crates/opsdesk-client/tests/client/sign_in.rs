//! Sign-in with password and TOTP through the desk, and every refusal the sign-in screen shows.

use crate::helpers::{api_code, sign_in, wrong_code, Fixture};
use opsdesk_client::Mode;
use opsdesk_core::Role;
use opsdesk_hub::clock::Clock;
use opsdesk_hub::testing::{spawn_app, Db, PASSWORD};

#[tokio::test]
async fn password_then_totp_signs_in_and_keeps_the_session_in_the_keyring() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let ana = app.invite(&admin, "ana.agent", Role::Agent).await;
    let fx = Fixture::new();
    let key = fx.remote_key(&app, "ana.agent");
    let desk = fx.connected(&app).await;

    let me = sign_in(&desk, &app, &ana).await;
    assert_eq!(me.staff.username, "ana.agent");
    assert_eq!(me.capabilities.role, Role::Agent);
    assert!(me.session.current);

    let token = fx.secret(&key).expect("the token is in the keyring");
    let seen: opsdesk_proto::Me = app.get("/api/v1/me", &token).await.expect("token works");
    assert_eq!(seen.staff.id, ana.id);
    let status = desk.status().await;
    assert_eq!(status.mode, Mode::Remote);
    assert!(status.hub_reachable);
    assert_eq!(status.signed_in.map(|m| m.staff.id), Some(ana.id));
    assert_eq!(status.last_username.as_deref(), Some("ana.agent"));
    // The username is typed in any case; the canonical one is remembered.
    let config = std::fs::read_to_string(fx.paths.config_dir.join("opsdesk.json")).unwrap();
    assert!(
        config.contains("\"last_username\": \"ana.agent\""),
        "{config}"
    );
    assert!(
        !config.contains(&token),
        "the token never goes to the settings file"
    );
}

#[tokio::test]
async fn a_recovery_code_replaces_the_totp_code() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    fx.remote_key(&app, &admin.username);
    let desk = fx.connected(&app).await;
    let challenge = desk.sign_in_password("Root.Admin", PASSWORD).await.unwrap();
    let me = desk
        .sign_in_mfa(&challenge.challenge, None, Some(&admin.recovery_codes[0]))
        .await
        .unwrap();
    assert_eq!(me.staff.id, admin.id);
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_the_hubs_code() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    let desk = fx.connected(&app).await;
    let (code, err) = api_code(
        desk.sign_in_password(&admin.username, "not-the-password")
            .await,
    );
    assert_eq!(code, "invalid_credentials");
    let ui = err.to_ui();
    assert_eq!(ui.message, "The username or password is wrong.");
    assert!(desk.status().await.signed_in.is_none());
}

#[tokio::test]
async fn a_wrong_code_and_a_reused_code_are_refused() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    let key = fx.remote_key(&app, &admin.username);
    let desk = fx.connected(&app).await;

    let challenge = desk
        .sign_in_password(&admin.username, PASSWORD)
        .await
        .unwrap();
    let wrong = wrong_code(&app, &admin.secret);
    let (code, err) = api_code(
        desk.sign_in_mfa(&challenge.challenge, Some(&wrong), None)
            .await,
    );
    assert_eq!(code, "invalid_code");
    assert!(
        err.to_ui().message.contains("code is wrong"),
        "{:?}",
        err.to_ui()
    );
    assert_eq!(fx.secret(&key), None, "nothing is kept after a refusal");

    // Sign in with the current code, then try the very same code on a new challenge.
    let challenge = desk
        .sign_in_password(&admin.username, PASSWORD)
        .await
        .unwrap();
    let used = app.next_code(&admin.secret);
    desk.sign_in_mfa(&challenge.challenge, Some(&used), None)
        .await
        .unwrap();
    let challenge = desk
        .sign_in_password(&admin.username, PASSWORD)
        .await
        .unwrap();
    // Even if a 30-second step has begun since, `used` is still inside the drift window: the
    // hub must refuse it as a replay, not as a wrong code.
    let (code, _) = api_code(
        desk.sign_in_mfa(&challenge.challenge, Some(&used), None)
            .await,
    );
    assert_eq!(code, "code_already_used");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_a_time_to_retry() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    let desk = fx.connected(&app).await;
    let mut codes = Vec::new();
    for _ in 0..10 {
        let (code, err) = api_code(
            desk.sign_in_password(&admin.username, "wrong-password")
                .await,
        );
        codes.push(code.clone());
        if code == "account_locked" {
            let ui = err.to_ui();
            let retry_at = ui.retry_at.expect("a lock says when it ends");
            assert!(retry_at > app.clock.now(), "{retry_at}");
            assert!(
                ui.message.starts_with("This account is locked"),
                "{}",
                ui.message
            );
            break;
        }
    }
    assert_eq!(
        codes.last().map(String::as_str),
        Some("account_locked"),
        "{codes:?}"
    );
    assert!(
        codes[..codes.len() - 1]
            .iter()
            .all(|c| c == "invalid_credentials"),
        "{codes:?}"
    );
    // The right password is refused too while the lock lasts.
    let (code, _) = api_code(desk.sign_in_password(&admin.username, PASSWORD).await);
    assert_eq!(code, "account_locked");
}
