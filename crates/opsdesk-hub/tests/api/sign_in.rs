//! Two-step sign-in: password, then TOTP or a recovery code; lockout; rate limits.

use crate::both;
use crate::helpers::*;
use chrono::Duration;
use opsdesk_proto::*;
use serde_json::json;

both!(
    signs_in_with_password_then_totp,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let signed = app
            .sign_in(&admin.username, PASSWORD, &admin.secret)
            .await
            .expect("sign in");
        assert!(signed.token.starts_with("ods_"));
        assert_eq!(signed.staff.username, "root.admin");
        let me: Me = app.client(&signed.token).me().await.checked().unwrap();
        assert_eq!(me.staff.id, admin.id);
        assert!(me.session.current);
        assert!(me.capabilities.permissions.len() > 20);
        // Usernames are case-insensitive.
        assert!(app
            .sign_in("ROOT.Admin", PASSWORD, &admin.secret)
            .await
            .is_ok());
    }
);

both!(
    wrong_password_and_unknown_user_look_the_same,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let wrong: Result<LoginChallenge, _> = app
            .anonymous()
            .login(&from_json(
                json!({"username": admin.username, "password": "not-the-password"}),
            ))
            .await
            .checked();
        let unknown: Result<LoginChallenge, _> = app
            .anonymous()
            .login(&from_json(
                json!({"username": "nobody.here", "password": "not-the-password"}),
            ))
            .await
            .checked();
        let (wrong, unknown) = (wrong.unwrap_err(), unknown.unwrap_err());
        assert_eq!(wrong.status, 401);
        assert_eq!(wrong.code, "invalid_credentials");
        assert_eq!(wrong.message, unknown.message);
        assert_eq!(wrong.code, unknown.code);
    }
);

both!(
    a_wrong_or_reused_code_is_refused,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let challenge: LoginChallenge = app
            .anonymous()
            .login(&from_json(
                json!({"username": admin.username, "password": PASSWORD}),
            ))
            .await
            .checked()
            .unwrap();
        let right = app.next_code(&admin.secret);
        let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
        let err = app
            .anonymous()
            .login_mfa(&from_json(
                json!({"challenge": challenge.challenge, "code": wrong}),
            ))
            .await
            .checked()
            .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (401, "invalid_code"));
        let err = app
            .anonymous()
            .login_mfa(&from_json(
                json!({"challenge": challenge.challenge, "code": "12ab56"}),
            ))
            .await
            .checked()
            .unwrap_err();
        assert_eq!((err.status, err.field.as_deref()), (400, Some("code")));
        // The right code works once ...
        let ok: SignedIn = app
            .anonymous()
            .login_mfa(&from_json(
                json!({"challenge": challenge.challenge, "code": right}),
            ))
            .await
            .checked()
            .unwrap();
        assert!(!ok.token.is_empty());
        // ... the challenge is spent ...
        let err = app
            .anonymous()
            .login_mfa(&from_json(
                json!({"challenge": challenge.challenge, "code": right}),
            ))
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.code, "invalid_challenge");
        // ... and the same code with a fresh challenge is a replay.
        let challenge: LoginChallenge = app
            .anonymous()
            .login(&from_json(
                json!({"username": admin.username, "password": PASSWORD}),
            ))
            .await
            .checked()
            .unwrap();
        let err = app
            .anonymous()
            .login_mfa(&from_json(
                json!({"challenge": challenge.challenge, "code": right}),
            ))
            .await
            .checked()
            .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (401, "code_already_used"));
    }
);

both!(
    a_challenge_expires_after_five_minutes,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let challenge: LoginChallenge = app
            .anonymous()
            .login(&from_json(
                json!({"username": admin.username, "password": PASSWORD}),
            ))
            .await
            .checked()
            .unwrap();
        app.clock.advance(Duration::minutes(5));
        let err = app
            .anonymous()
            .login_mfa(&from_json(
                json!({"challenge": challenge.challenge, "code": app.next_code(&admin.secret)}),
            ))
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.code, "invalid_challenge");
    }
);

both!(a_recovery_code_works_once, |app: TestApp| async move {
    let admin = app.admin().await;
    assert_eq!(admin.recovery_codes.len(), 10);
    let code = admin.recovery_codes[3].clone();
    let use_code = |code: String| {
        let app = &app;
        let username = admin.username.clone();
        async move {
            let challenge: LoginChallenge = app
                .anonymous()
                .login(&from_json(
                    json!({"username": username, "password": PASSWORD}),
                ))
                .await
                .checked()
                .unwrap();
            app.anonymous()
                .login_mfa(&from_json(
                    json!({"challenge": challenge.challenge, "recovery_code": code}),
                ))
                .await
                .checked()
        }
    };
    // Typed in lower case without dashes, it still works.
    assert!(use_code(code.to_lowercase().replace('-', "")).await.is_ok());
    let err = use_code(code).await.unwrap_err();
    assert_eq!(err.code, "invalid_recovery_code");
    // Both a code and a recovery code: refused, naming the field.
    let challenge: LoginChallenge = app
        .anonymous()
        .login(&from_json(
            json!({"username": admin.username, "password": PASSWORD}),
        ))
        .await
        .checked()
        .unwrap();
    let err = app
        .anonymous()
        .login_mfa(&from_json(
            json!({"challenge": challenge.challenge, "code": "123456", "recovery_code": "x"}),
        ))
        .await
        .checked()
        .unwrap_err();
    assert_eq!((err.status, err.field.as_deref()), (400, Some("code")));
    let events: Page<SecurityEvent> = app
        .client(&admin.token)
        .security_events(&SecurityEventQuery {
            kind: Some("recovery_code_used".into()),
            ..SecurityEventQuery::default()
        })
        .await
        .checked()
        .unwrap();
    assert_eq!(events.items.len(), 1);
    assert_eq!(events.items[0].details["codes_left"], 9);
});

both!(
    five_failures_lock_the_account_for_fifteen_minutes,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let agent = app.invite(&admin, "ana", opsdesk_core::Role::Agent).await;
        for i in 0..4 {
            let err = app
                .anonymous()
                .login(&from_json(
                    json!({"username": "ana", "password": format!("wrong-{i}")}),
                ))
                .await
                .checked()
                .unwrap_err();
            assert_eq!(err.code, "invalid_credentials");
        }
        // A wrong TOTP code counts too: the fifth failure locks.
        let challenge: LoginChallenge = app
            .anonymous()
            .login(&from_json(json!({"username": "ana", "password": PASSWORD})))
            .await
            .checked()
            .unwrap();
        let err = app
            .anonymous()
            .login_mfa(&from_json(
                json!({"challenge": challenge.challenge, "code": "000000"}),
            ))
            .await
            .checked()
            .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (422, "account_locked"));
        let until = err.retry_at.expect("lock end is given");
        let expected = app.clock_now() + Duration::minutes(15);
        assert!(
            (until - expected).num_seconds().abs() <= 2,
            "{until} vs {expected}"
        );
        // Even the right password is refused while locked.
        let err = app
            .sign_in("ana", PASSWORD, &agent.secret)
            .await
            .unwrap_err();
        assert_eq!(err.code, "account_locked");
        let locked = app.staff(&admin, agent.id).await;
        assert!(locked.locked_until.is_some());
        let events: Page<SecurityEvent> = app
            .client(&admin.token)
            .security_events(&SecurityEventQuery {
                kind: Some("account_locked".into()),
                ..SecurityEventQuery::default()
            })
            .await
            .checked()
            .unwrap();
        assert_eq!(events.items.len(), 1);
        assert_eq!(events.items[0].severity, Severity::High);
        assert_eq!(events.items[0].staff_id, Some(agent.id));
        assert_eq!(app.audit(&admin, "action=auth.locked_out").await.len(), 1);
        // After fifteen minutes the right credentials work, and the count starts again.
        app.clock.advance(Duration::minutes(15));
        assert!(app.sign_in("ana", PASSWORD, &agent.secret).await.is_ok());
        assert_eq!(app.staff(&admin, agent.id).await.locked_until, None);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_attempts_are_rate_limited_per_address() {
    let mut settings = test_settings();
    settings.auth.sign_in_burst = 3;
    settings.auth.sign_in_per_minute = 1;
    let app = spawn_app_with(Db::Sqlite, settings).await;
    for _ in 0..3 {
        let err = app
            .anonymous()
            .login(&from_json(
                json!({"username": "x.y", "password": "whatever-long"}),
            ))
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.status, 401);
    }
    let resp = app
        .http
        .post(app.url(routes::LOGIN))
        .json(&json!({"username": "x.y", "password": "whatever-long"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().get("retry-after").is_some());
    let err = decode::<LoginChallenge>(resp).await.unwrap_err();
    assert_eq!(err.code, "rate_limited");
}
