//! Sessions: idle timeout, absolute lifetime, sign out, list, end one or all.

use crate::both;
use crate::helpers::*;
use chrono::Duration;
use opsdesk_core::Role;
use opsdesk_proto::*;
use serde_json::Value;

both!(
    sessions_end_after_idle_timeout_and_absolute_lifetime,
    |app: TestApp| async move {
        let admin = app.admin().await;
        // Idle: 4 hours without use ends the session.
        app.clock.advance(Duration::hours(4));
        let err = app.get::<Me>("/api/v1/me", &admin.token).await.unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (401, "session_expired"));
        // Used every 3 hours, a session still ends 12 hours after sign-in.
        let s = app
            .sign_in(&admin.username, PASSWORD, &admin.secret)
            .await
            .unwrap();
        for _ in 0..3 {
            app.clock
                .advance(Duration::hours(3) + Duration::minutes(50));
            app.get::<Me>("/api/v1/me", &s.token)
                .await
                .expect("still live while used");
        }
        app.clock.advance(Duration::hours(1));
        let err = app.get::<Me>("/api/v1/me", &s.token).await.unwrap_err();
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
    let mine: Page<SessionView> = app.get("/api/v1/sessions", &admin.token).await.unwrap();
    assert_eq!(mine.items.len(), 3);
    assert_eq!(mine.items.iter().filter(|s| s.current).count(), 1);
    assert!(mine.items.iter().all(|s| s.user_agent == "opsdesk-tests"));
    // End one.
    let _: Value = app
        .delete(
            &format!("/api/v1/sessions/{}", second.session.id),
            &admin.token,
        )
        .await
        .unwrap();
    assert_eq!(
        app.get::<Me>("/api/v1/me", &second.token)
            .await
            .unwrap_err()
            .code,
        "invalid_token"
    );
    // End all but this one.
    let ended: SessionsEnded = app.delete("/api/v1/sessions", &admin.token).await.unwrap();
    assert_eq!(ended.ended, 1);
    assert!(app.get::<Me>("/api/v1/me", &third.token).await.is_err());
    assert!(app.get::<Me>("/api/v1/me", &admin.token).await.is_ok());
    // Sign out.
    let resp = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(
        app.get::<Me>("/api/v1/me", &admin.token)
            .await
            .unwrap_err()
            .status,
        401
    );
});

both!(
    only_security_officers_end_other_peoples_sessions,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let manager = app.invite(&admin, "meg", Role::Manager).await;
        let officer = app.invite(&admin, "sol", Role::SecurityOfficer).await;
        let err = app
            .delete::<Value>(
                &format!("/api/v1/sessions/{}", session_of(&app, &agent).await),
                &manager.token,
            )
            .await
            .unwrap_err();
        assert_eq!(
            (err.status, err.permission.as_deref()),
            (403, Some("sessions.revoke_any"))
        );
        let err = app
            .delete::<SessionsEnded>(
                &format!("/api/v1/staff/{}/sessions", agent.id),
                &manager.token,
            )
            .await
            .unwrap_err();
        assert_eq!(err.status, 403);
        let listed: Page<SessionView> = app
            .get(
                &format!("/api/v1/staff/{}/sessions", agent.id),
                &officer.token,
            )
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1);
        let ended: SessionsEnded = app
            .delete(
                &format!("/api/v1/staff/{}/sessions", agent.id),
                &officer.token,
            )
            .await
            .unwrap();
        assert_eq!(ended.ended, 1);
        assert_eq!(
            app.get::<Me>("/api/v1/me", &agent.token)
                .await
                .unwrap_err()
                .status,
            401
        );
        let events: Page<SecurityEvent> = app
            .get(
                "/api/v1/security-events?kind=sessions_ended_by_other",
                &officer.token,
            )
            .await
            .unwrap();
        assert_eq!(events.items.len(), 1);
        assert_eq!(events.items[0].staff_id, Some(agent.id));
    }
);

async fn session_of(app: &TestApp, p: &Person) -> uuid::Uuid {
    let me: Me = app.get("/api/v1/me", &p.token).await.unwrap();
    me.session.id
}

both!(
    an_idle_app_unlocks_with_a_fresh_totp_code,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let code = app.next_code(&admin.secret);
        let resp = app
            .http
            .post(app.url("/api/v1/auth/reauthenticate"))
            .bearer_auth(&admin.token)
            .json(&serde_json::json!({"code": code}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204);
        // The same code again is a replay; a wrong one is refused; both count toward the lockout.
        let err = app
            .post::<_, Value>(
                "/api/v1/auth/reauthenticate",
                Some(&admin.token),
                &serde_json::json!({"code": code}),
            )
            .await
            .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (401, "code_already_used"));
        let err = app
            .post::<_, Value>(
                "/api/v1/auth/reauthenticate",
                Some(&admin.token),
                &serde_json::json!({"code": "12"}),
            )
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("code"));
        for _ in 0..4 {
            let _ = app
                .post::<_, Value>(
                    "/api/v1/auth/reauthenticate",
                    Some(&admin.token),
                    &serde_json::json!({"code": "000000"}),
                )
                .await;
        }
        let err = app
            .post::<_, Value>(
                "/api/v1/auth/reauthenticate",
                Some(&admin.token),
                &serde_json::json!({"code": app.next_code(&admin.secret)}),
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, "account_locked");
        assert_eq!(
            app.audit(&admin, "action=auth.reauthenticated").await.len(),
            1
        );
        // Without a session there is nothing to unlock.
        let resp = app
            .http
            .post(app.url("/api/v1/auth/reauthenticate"))
            .json(&serde_json::json!({"code": "123456"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
    }
);
