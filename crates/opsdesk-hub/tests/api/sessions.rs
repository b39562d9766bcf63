//! Sessions: idle timeout, absolute lifetime, sign out, list, end one or all.

use crate::both;
use crate::helpers::*;
use chrono::Duration;
use opsdesk_core::Role;
use opsdesk_proto::*;

fn totp(code: impl Into<String>) -> ReauthenticateRequest {
    ReauthenticateRequest { code: code.into() }
}

both!(
    sessions_end_after_idle_timeout_and_absolute_lifetime,
    |app: TestApp| async move {
        let admin = app.admin().await;
        // Idle: 4 hours without use ends the session.
        app.clock.advance(Duration::hours(4));
        let err = app.client(&admin.token).me().await.checked().unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (401, "session_expired"));
        // Used every 3 hours, a session still ends 12 hours after sign-in.
        let s = app
            .sign_in(&admin.username, PASSWORD, &admin.secret)
            .await
            .unwrap();
        for _ in 0..3 {
            app.clock
                .advance(Duration::hours(3) + Duration::minutes(50));
            app.client(&s.token)
                .me()
                .await
                .checked()
                .expect("still live while used");
        }
        app.clock.advance(Duration::hours(1));
        let err = app.client(&s.token).me().await.checked().unwrap_err();
        assert_eq!(err.code, "session_expired");
        let ended = app
            .audit(&admin_again(&app, &admin).await, "action=session.ended")
            .await;
        assert!(ended.iter().any(|e| e.details["reason"] == "expired"));
    }
);

async fn admin_again(app: &TestApp, admin: &Person) -> Person {
    let s = app
        .sign_in(&admin.username, PASSWORD, &admin.secret)
        .await
        .unwrap();
    Person {
        token: s.token,
        ..admin.clone()
    }
}

both!(sign_out_list_and_end_sessions, |app: TestApp| async move {
    let admin = app.admin().await;
    let second = app
        .sign_in(&admin.username, PASSWORD, &admin.secret)
        .await
        .unwrap();
    let third = app
        .sign_in(&admin.username, PASSWORD, &admin.secret)
        .await
        .unwrap();
    let hub = app.client(&admin.token);
    let mine: Page<SessionView> = hub.my_sessions().await.checked().unwrap();
    assert_eq!(mine.items.len(), 3);
    assert_eq!(mine.items.iter().filter(|s| s.current).count(), 1);
    assert!(mine.items.iter().all(|s| s.user_agent == "opsdesk-tests"));
    // End one.
    hub.end_session(second.session.id).await.checked().unwrap();
    assert_eq!(
        app.client(&second.token)
            .me()
            .await
            .checked()
            .unwrap_err()
            .code,
        "invalid_token"
    );
    // End all but this one.
    let ended: SessionsEnded = hub.end_my_sessions(None).await.checked().unwrap();
    assert_eq!(ended.ended, 1);
    assert!(app.client(&third.token).me().await.checked().is_err());
    assert!(hub.me().await.checked().is_ok());
    // Sign out.
    let resp = app
        .http
        .post(app.url(routes::LOGOUT))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(hub.me().await.checked().unwrap_err().status, 401);
});

both!(
    only_security_officers_end_other_peoples_sessions,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let manager = app.invite(&admin, "meg", Role::Manager).await;
        let officer = app.invite(&admin, "sol", Role::SecurityOfficer).await;
        let err = app
            .client(&manager.token)
            .end_session(session_of(&app, &agent).await)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(
            (err.status, err.permission.as_deref()),
            (403, Some("sessions.revoke_any"))
        );
        let err = app
            .client(&manager.token)
            .end_staff_sessions(agent.id)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.status, 403);
        let as_officer = app.client(&officer.token);
        let listed: Page<SessionView> =
            as_officer.staff_sessions(agent.id).await.checked().unwrap();
        assert_eq!(listed.items.len(), 1);
        let ended: SessionsEnded = as_officer
            .end_staff_sessions(agent.id)
            .await
            .checked()
            .unwrap();
        assert_eq!(ended.ended, 1);
        assert_eq!(
            app.client(&agent.token)
                .me()
                .await
                .checked()
                .unwrap_err()
                .status,
            401
        );
        let events: Page<SecurityEvent> = as_officer
            .security_events(&SecurityEventQuery {
                kind: Some("sessions_ended_by_other".into()),
                ..SecurityEventQuery::default()
            })
            .await
            .checked()
            .unwrap();
        assert_eq!(events.items.len(), 1);
        assert_eq!(events.items[0].staff_id, Some(agent.id));
    }
);

async fn session_of(app: &TestApp, p: &Person) -> uuid::Uuid {
    let me: Me = app.client(&p.token).me().await.checked().unwrap();
    me.session.id
}

both!(
    an_idle_app_unlocks_with_a_fresh_totp_code,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let code = app.next_code(&admin.secret);
        let hub = app.client(&admin.token);
        let resp = hub
            .request(reqwest::Method::POST, routes::REAUTHENTICATE)
            .json(&serde_json::json!({"code": code}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204);
        // The same code again is a replay; a wrong one is refused; both count toward the lockout.
        let err = hub
            .reauthenticate(&totp(&code))
            .await
            .checked()
            .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (401, "code_already_used"));
        let err = hub.reauthenticate(&totp("12")).await.checked().unwrap_err();
        assert_eq!(err.field.as_deref(), Some("code"));
        for _ in 0..4 {
            let _ = hub.reauthenticate(&totp("000000")).await.checked();
        }
        let err = hub
            .reauthenticate(&totp(app.next_code(&admin.secret)))
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.code, "account_locked");
        assert_eq!(
            app.audit(&admin, "action=auth.reauthenticated").await.len(),
            1
        );
        // Without a session there is nothing to unlock.
        let resp = app
            .http
            .post(app.url(routes::REAUTHENTICATE))
            .json(&serde_json::json!({"code": "123456"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
    }
);
