//! Checking a hub address before using it: malformed addresses, servers that are not Opsdesk
//! hubs, addresses where nothing answers, and switching hubs.

use crate::helpers::{sign_in, Fixture};
use axum::routing::get;
use axum::Router;
use opsdesk_client::{ClientError, Mode};
use opsdesk_hub::testing::{spawn_app, Db};

/// Serves `router` on a free port; returns its address.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// An address where nothing listens.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test]
async fn an_opsdesk_hub_is_recognised_and_connecting_saves_it() {
    let app = spawn_app(Db::Sqlite).await;
    let fx = Fixture::new();
    let desk = fx.open().await;
    let first = desk.status().await;
    assert_eq!(first.mode, Mode::None);
    assert!(!first.hub_reachable);

    let info = desk.check_hub(&format!("{}/", app.base)).await.unwrap();
    assert_eq!(
        (info.product.as_str(), info.api_version.as_str()),
        ("opsdesk-hub", "v1")
    );
    assert_eq!(
        desk.status().await.mode,
        Mode::None,
        "checking changes nothing"
    );

    let status = desk
        .connect_hub(&format!("  {}/ ", app.base))
        .await
        .unwrap();
    assert_eq!(status.mode, Mode::Remote);
    assert_eq!(status.hub_url.as_deref(), Some(app.base.as_str()));
    assert!(status.hub_reachable);
    assert_eq!(status.hub.map(|h| h.database), Some("sqlite".to_owned()));
    assert!(
        !status.needs_first_admin,
        "only the local workspace sets up its admin here"
    );
    assert!(status.hub_label.is_some_and(|l| app.base.ends_with(&l)));
    drop(desk);
    let again = fx.open().await.status().await;
    assert_eq!(again.mode, Mode::Remote);
    assert_eq!(again.hub_url.as_deref(), Some(app.base.as_str()));
}

#[tokio::test]
async fn malformed_addresses_are_refused_naming_the_url_field() {
    let fx = Fixture::new();
    let desk = fx.open().await;
    for bad in [
        "",
        "hub.example.com",
        "ftp://hub.example.com",
        "https://",
        "http://a b",
    ] {
        match desk.check_hub(bad).await {
            Err(e @ ClientError::InvalidInput { .. }) => {
                let ui = e.to_ui();
                assert_eq!(ui.field.as_deref(), Some("url"), "{bad:?}");
                assert_eq!(ui.code, "invalid_field");
            }
            other => panic!("{bad:?} was not refused as input: {other:?}"),
        }
        assert!(desk.connect_hub(bad).await.is_err());
    }
    assert_eq!(desk.status().await.mode, Mode::None);
}

#[tokio::test]
async fn a_server_that_is_not_an_opsdesk_hub_is_refused() {
    let fx = Fixture::new();
    let desk = fx.open().await;
    let impostor = serve(Router::new().route(
        "/api/v1/hub",
        get(|| async {
            axum::Json(serde_json::json!({
                "product": "grafana", "version": "11", "api_version": "v1", "database": "sqlite"
            }))
        }),
    ))
    .await;
    let web_page = serve(Router::new().fallback(|| async {
        axum::response::Html("<html><body>Welcome to nginx!</body></html>")
    }))
    .await;
    for url in [impostor, web_page] {
        match desk.connect_hub(&url).await {
            Err(ClientError::NotAnOpsdeskHub { url: named }) => assert_eq!(named, url),
            other => panic!("{url} was accepted: {other:?}"),
        }
        let ui = desk.check_hub(&url).await.unwrap_err().to_ui();
        assert_eq!(ui.code, "not_an_opsdesk_hub");
        assert!(ui.message.contains(&url), "{}", ui.message);
    }
    assert_eq!(desk.status().await.mode, Mode::None);
}

#[tokio::test]
async fn a_hub_speaking_another_api_version_is_refused() {
    let fx = Fixture::new();
    let desk = fx.open().await;
    let future_hub = serve(Router::new().route(
        "/api/v1/hub",
        get(|| async {
            axum::Json(serde_json::json!({
                "product": "opsdesk-hub", "version": "9.0.0", "api_version": "v9", "database": "postgres"
            }))
        }),
    ))
    .await;
    let err = desk.check_hub(&future_hub).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::IncompatibleHub { api_version, .. } if api_version == "v9")
    );
    assert_eq!(err.to_ui().code, "incompatible_hub");
}

#[tokio::test]
async fn nothing_answering_is_unreachable_naming_the_address() {
    let fx = Fixture::new();
    let desk = fx.open().await;
    let url = closed_port().await;
    match desk.check_hub(&url).await {
        Err(ClientError::Unreachable { url: named, detail }) => {
            assert_eq!(named, url);
            assert!(!detail.is_empty());
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn switching_hubs_signs_out_of_the_old_one() {
    let one = spawn_app(Db::Sqlite).await;
    let two = spawn_app(Db::Sqlite).await;
    let admin = one.admin().await;
    let fx = Fixture::new();
    let key = fx.remote_key(&one, &admin.username);
    let desk = fx.connected(&one).await;
    sign_in(&desk, &one, &admin).await;
    assert!(fx.secret(&key).is_some());

    let status = desk.connect_hub(&two.base).await.unwrap();
    assert_eq!(status.hub_url.as_deref(), Some(two.base.as_str()));
    assert!(status.signed_in.is_none());
    assert!(
        status.last_username.is_none(),
        "the other hub's people are not prefilled"
    );
    assert_eq!(fx.secret(&key), None);
    assert!(desk.cached_me().await.is_none());

    let status = desk.forget_hub().await.unwrap();
    assert_eq!(status.mode, Mode::None);
    assert!(status.hub_url.is_none());
}
