//! Probes, metrics, the hub's self-description and the OpenAPI document.

use crate::helpers::*;
use opsdesk_proto::HubInfo;
use serde_json::Value;

#[tokio::test]
async fn probes_metrics_and_openapi() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    assert_eq!(
        app.http
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        app.http
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let info: HubInfo = app
        .http
        .get(app.url(routes::HUB))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            info.product.as_str(),
            info.api_version.as_str(),
            info.database.as_str()
        ),
        ("opsdesk-hub", "v1", "sqlite")
    );
    let _: opsdesk_proto::Me = app.client(&admin.token).me().await.checked().unwrap();
    // A sign-in of its own, so the counter below does not depend on another test's.
    app.sign_in(&admin.username, PASSWORD, &admin.secret)
        .await
        .expect("sign in");
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("opsdesk_http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("route=\"/api/v1/me\""),
        "labelled by route template"
    );
    assert!(metrics.contains("opsdesk_sign_in_attempts_total"));
    let doc: Value = app
        .http
        .get(app.url(routes::OPENAPI))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/auth/login/mfa",
        "/api/v1/auth/enroll",
        "/api/v1/auth/enroll/confirm",
        "/api/v1/auth/logout",
        "/api/v1/auth/reauthenticate",
        "/api/v1/me",
        "/api/v1/sessions",
        "/api/v1/sessions/{id}",
        "/api/v1/staff",
        "/api/v1/staff/{id}",
        "/api/v1/staff/{id}/role",
        "/api/v1/staff/{id}/mfa-reset",
        "/api/v1/staff/{id}/deactivate",
        "/api/v1/staff/{id}/capabilities",
        "/api/v1/staff/{id}/sessions",
        "/api/v1/audit",
        "/api/v1/audit/verify",
        "/api/v1/audit/export",
        "/api/v1/security-events",
        "/api/v1/hub",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["ApiError"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app(Db::Postgres).await;
    let info: HubInfo = app
        .http
        .get(app.url(routes::HUB))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info.database, "postgres");
    let name = app
        .db
        .postgres_name()
        .expect("a PostgreSQL database")
        .to_owned();
    let server = opsdesk_store::testing::postgres_server();
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    let resp = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(resp.status(), 503);
}
