//! The OpenAPI document against the hub's real answers. Every test hub checks each answer it gives
//! against its own document (`opsdesk_hub::conformance`; an undocumented answer becomes a 500
//! `undocumented_answer`), so every API test is also a conformance test. Here: the check itself
//! refuses what it must, every reference in the document resolves, and every route, called as a
//! stranger, as an admin with ids that do not exist and with malformed bodies, answers only what
//! the document declares.

use crate::helpers::*;
use opsdesk_hub::conformance::{check, dangling_refs, Exchange};
use serde_json::{json, Value};
use uuid::Uuid;

async fn document(app: &TestApp) -> Value {
    app.http
        .get(app.url(routes::OPENAPI))
        .send()
        .await
        .expect("document")
        .json()
        .await
        .expect("JSON document")
}

fn answer<'a>(status: u16, content_type: &'a str, body: &'a [u8]) -> Exchange<'a> {
    Exchange {
        method: "GET",
        route: "/api/v1/me",
        query: None,
        request_content_type: None,
        request_body: b"",
        status,
        content_type: Some(content_type),
        body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_refuses_what_the_document_does_not_say() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let doc = document(&app).await;
    let me: Value = app.get("/api/v1/me", &admin.token).await.expect("me");
    let body = serde_json::to_vec(&me).unwrap();
    check(&doc, &answer(200, "application/json", &body)).expect("the real answer conforms");

    let refused = |status: u16, content_type: &str, value: &Value| {
        let body = serde_json::to_vec(value).unwrap();
        check(&doc, &answer(status, content_type, &body)).expect_err("must be refused")
    };
    // A status the route does not declare.
    assert!(refused(418, "application/json", &me).contains("418 is not documented"));
    // A content type it does not declare.
    assert!(refused(200, "text/plain", &me).contains("content type"));
    // A required field missing.
    let mut missing = me.clone();
    missing["staff"].as_object_mut().unwrap().remove("role");
    assert!(refused(200, "application/json", &missing).contains("`role` is missing"));
    // An enum value sent that the document does not list (the role, and a permission by the
    // Rust variant name instead of its wire name).
    let mut wrong = me.clone();
    wrong["staff"]["role"] = json!("Admin");
    assert!(refused(200, "application/json", &wrong).contains("not one of the documented values"));
    let mut variant = me.clone();
    variant["capabilities"]["permissions"][0]["permission"] = json!("DashboardsRead");
    assert!(refused(200, "application/json", &variant).contains("not one of the documented values"));
    // A wrong type.
    let mut typed = me.clone();
    typed["staff"]["username"] = json!(42);
    assert!(refused(200, "application/json", &typed).contains("expected string"));
    // A route that is not in the document.
    let mut elsewhere = answer(200, "application/json", &body);
    elsewhere.route = "/api/v1/nowhere";
    assert!(check(&doc, &elsewhere)
        .unwrap_err()
        .contains("not in the document"));
    // A reference that points at nothing.
    let mut broken = doc.clone();
    broken["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("ApiError");
    assert!(dangling_refs(&broken).contains(&"#/components/schemas/ApiError".to_string()));
}

/// One call of a route: the bearer token, and the body with its content type.
type Attempt<'a> = (Option<&'a str>, Option<(&'a str, &'a str)>);

/// Fills each `{param}` of a route template with a fresh id.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|part| {
            if part.starts_with('{') {
                Uuid::new_v4().to_string()
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_only_what_the_document_declares() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let doc = document(&app).await;
    assert_eq!(
        dangling_refs(&doc),
        Vec::<String>::new(),
        "every $ref resolves"
    );
    // Calls that would end the admin's own session are made last, as a stranger only.
    let ends_my_session = ["/api/v1/auth/logout", "/api/v1/me/sessions"];
    let mut calls = 0;
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Ok(method) = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let signed_in = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            let has_body = operation.get("requestBody").is_some();
            let streams = template == "/api/v1/events";
            let mut attempts: Vec<Attempt> = vec![(None, None)];
            if !streams && !ends_my_session.contains(&template.as_str()) {
                attempts.push((Some(admin.token.as_str()), None));
                if has_body {
                    let token = Some(admin.token.as_str());
                    attempts.push((token, Some(("application/json", "{}"))));
                    attempts.push((token, Some(("application/json", "{\"not json"))));
                    attempts.push((token, Some(("text/plain", "hello"))));
                }
            }
            for (token, body) in attempts {
                let path = concrete(template);
                let mut req = app.http.request(method.clone(), app.url(&path));
                if let Some(token) = token {
                    req = req.bearer_auth(token);
                }
                if let Some((content_type, text)) = body {
                    req = req
                        .header("content-type", content_type)
                        .body(text.to_string());
                }
                let resp = req.send().await.expect("answer");
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                calls += 1;
                assert!(
                    !text.contains("undocumented_answer") && status != 500,
                    "{method} {path} (token: {}, body: {body:?}) answered {status}: {text}",
                    token.is_some()
                );
                if token.is_none() && signed_in {
                    assert_eq!(status, 401, "{method} {path} without a token: {text}");
                }
            }
        }
    }
    assert!(calls > 150, "every route was called ({calls} calls)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_path_has_its_route_in_proto() {
    let app = spawn_app(Db::Sqlite).await;
    let doc = document(&app).await;
    let served: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    let mut served = served;
    served.sort_unstable();
    assert_eq!(served, opsdesk_proto::routes::DOCUMENTED);
}
