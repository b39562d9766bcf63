//! Malformed, oversized, unknown and hostile input: the right 4xx naming the field, never a 500,
//! never a partial write.

use crate::both;
use crate::helpers::*;
use opsdesk_proto::*;
use serde_json::{json, Value};

async fn raw_post(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> ApiError {
    let mut req = app
        .http
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    decode::<Value>(req.send().await.unwrap())
        .await
        .expect_err("refused")
}

both!(
    malformed_bodies_are_refused_naming_the_field,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let t = Some(admin.token.as_str());
        let err = raw_post(
            &app,
            "/api/v1/staff",
            t,
            "application/json",
            b"{\"username\": ".to_vec(),
        )
        .await;
        assert_eq!((err.status, err.code.as_str()), (400, "malformed_json"));
        let err = raw_post(&app, "/api/v1/staff", t, "text/plain", b"{}".to_vec()).await;
        assert_eq!(
            (err.status, err.code.as_str()),
            (415, "unsupported_media_type")
        );
        let err = raw_post(
            &app,
            "/api/v1/staff",
            t,
            "application/json",
            vec![b' '; 70 * 1024],
        )
        .await;
        assert_eq!((err.status, err.code.as_str()), (413, "body_too_large"));
        let cases = [
            (
                json!({"display_name": "X", "email": "x@example.com", "role": "agent"}),
                "username",
                "required",
            ),
            (
                json!({"username": "ok.name", "display_name": "X", "email": "x@example.com", "role": "agent", "is_admin": true}),
                "is_admin",
                "not a known field",
            ),
            (
                json!({"username": 42, "display_name": "X", "email": "x@example.com", "role": "agent"}),
                "username",
                "invalid type",
            ),
            (
                json!({"username": "a", "display_name": "X", "email": "x@example.com", "role": "agent"}),
                "username",
                "3 to 32",
            ),
            (
                json!({"username": "ok.name", "display_name": "X", "email": "not-an-email", "role": "agent"}),
                "email",
                "name@example.com",
            ),
            (
                json!({"username": "ok.name", "display_name": "", "email": "x@example.com", "role": "agent"}),
                "display_name",
                "1 to 100",
            ),
            (
                json!({"username": "ok.name", "display_name": "X", "email": "x@example.com", "role": "overlord"}),
                "role",
                "unknown variant",
            ),
        ];
        for (body, field, needle) in cases {
            let err = app
                .post::<_, InviteIssued>("/api/v1/staff", t, &body)
                .await
                .unwrap_err();
            assert_eq!(
                (err.status, err.code.as_str(), err.field.as_deref()),
                (400, "invalid_field", Some(field)),
                "{body}"
            );
            assert!(err.message.contains(needle), "{body}: {}", err.message);
        }
        // None of those wrote anything: still only the admin, and no invite beyond the bootstrap one.
        let staff: Page<StaffView> = app.get("/api/v1/staff", &admin.token).await.unwrap();
        assert_eq!(staff.items.len(), 1);
        assert_eq!(app.audit(&admin, "action=staff.invited").await.len(), 1);
        let err = app
            .post::<_, LoginChallenge>(
                "/api/v1/auth/login",
                None,
                &json!({"username": "x", "password": "p".repeat(500)}),
            )
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("password"));
        let err = app
            .post::<_, LoginChallenge>("/api/v1/auth/login", None, &json!({"username": "x"}))
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("password"));
        let err = app
            .put::<_, StaffView>(
                &format!("/api/v1/staff/{}/role", admin.id),
                &admin.token,
                &json!({"role": "viewer", "version": "one"}),
            )
            .await
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("version"));
    }
);

both!(
    missing_forged_and_malformed_tokens_are_401,
    |app: TestApp| async move {
        let _admin = app.admin().await;
        let resp = app.http.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(resp.headers().get("www-authenticate").unwrap(), "Bearer");
        assert_eq!(
            decode::<Value>(resp).await.unwrap_err().code,
            "not_signed_in"
        );
        let forged = "ods_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(
            app.get::<Value>("/api/v1/me", forged)
                .await
                .unwrap_err()
                .code,
            "invalid_token"
        );
        let resp = app
            .http
            .get(app.url("/api/v1/me"))
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap();
        assert_eq!(
            decode::<Value>(resp).await.unwrap_err().code,
            "invalid_token"
        );
        let resp = app
            .http
            .get(app.url("/api/v1/staff"))
            .header("authorization", format!("Bearer {}", "x".repeat(5000)))
            .send()
            .await
            .unwrap();
        assert_eq!(decode::<Value>(resp).await.unwrap_err().status, 401);
    }
);

both!(
    unknown_paths_and_methods_and_ids_are_problems,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let err = app
            .get::<Value>("/api/v1/nothing-here", &admin.token)
            .await
            .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (404, "no_such_endpoint"));
        let resp = app
            .http
            .patch(app.url("/api/v1/auth/login"))
            .send()
            .await
            .unwrap();
        assert_eq!(decode::<Value>(resp).await.unwrap_err().status, 405);
        let err = app
            .get::<Value>("/api/v1/staff/not-a-uuid", &admin.token)
            .await
            .unwrap_err();
        assert_eq!((err.status, err.field.as_deref()), (400, Some("id")));
    }
);
