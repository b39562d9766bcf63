//! Keeping, restoring and ending the session: restore on the next start, expiry, sign-out, and an
//! unreachable hub.

use crate::helpers::{keyring, sign_in, stop_hub, Fixture};
use opsdesk_client::{ClientError, Desk, SecretStore};
use opsdesk_core::Role;
use opsdesk_hub::testing::{spawn_app, Db};
use opsdesk_proto::{Me, StaffQuery};
use std::sync::Arc;

#[tokio::test]
async fn the_next_start_signs_straight_back_in() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    let key = fx.remote_key(&app, &admin.username);
    let first = fx.connected(&app).await;
    sign_in(&first, &app, &admin).await;
    first.close().await;
    drop(first);

    // A new process: settings from disk, token from a fresh handle on the OS keyring.
    let desk = Desk::open(fx.paths.clone(), keyring() as Arc<dyn SecretStore>)
        .await
        .unwrap();
    let status = desk.status().await;
    assert_eq!(status.hub_url.as_deref(), Some(app.base.as_str()));
    assert!(status.signed_in.is_none());
    assert_eq!(status.last_username.as_deref(), Some("root.admin"));
    assert_eq!(desk.cached_me().await.map(|m| m.staff.id), Some(admin.id));

    let me = desk
        .restore_session()
        .await
        .unwrap()
        .expect("session restored");
    assert_eq!(me.staff.id, admin.id);
    assert_eq!(
        desk.status().await.signed_in.map(|m| m.staff.id),
        Some(admin.id)
    );
    assert!(desk.list_staff(StaffQuery::default()).await.is_ok());
    assert!(fx.secret(&key).is_some());
}

#[tokio::test]
async fn nothing_to_restore_is_not_an_error() {
    let app = spawn_app(Db::Sqlite).await;
    let fx = Fixture::new();
    let desk = fx.open().await;
    assert_eq!(desk.restore_session().await.unwrap(), None, "no hub yet");
    desk.connect_hub(&app.base).await.unwrap();
    assert_eq!(
        desk.restore_session().await.unwrap(),
        None,
        "nobody signed in yet"
    );
    assert!(matches!(desk.me().await, Err(ClientError::NotSignedIn)));
    assert!(matches!(
        desk.list_staff(StaffQuery::default()).await,
        Err(ClientError::NotSignedIn)
    ));
}

#[tokio::test]
async fn an_expired_session_is_reported_and_its_token_deleted_on_restore() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    let key = fx.remote_key(&app, &admin.username);
    let first = fx.connected(&app).await;
    sign_in(&first, &app, &admin).await;
    drop(first);

    // Past the idle timeout (240 minutes in the default settings).
    app.clock.advance(chrono::Duration::hours(5));
    let desk = fx.open().await;
    let err = desk.restore_session().await.unwrap_err();
    assert_eq!(err, ClientError::SessionExpired);
    assert_eq!(err.to_ui().code, "session_expired");
    assert_eq!(
        err.to_ui().message,
        "Your session has expired. Sign in again."
    );
    assert_eq!(fx.secret(&key), None, "the dead token is deleted");
    assert!(desk.status().await.signed_in.is_none());
    assert_eq!(
        desk.restore_session().await.unwrap(),
        None,
        "and not tried again"
    );
}

#[tokio::test]
async fn a_session_ended_elsewhere_expires_on_the_next_call() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let ana = app.invite(&admin, "ana.agent", Role::Agent).await;
    let fx = Fixture::new();
    let key = fx.remote_key(&app, "ana.agent");
    let desk = fx.connected(&app).await;
    sign_in(&desk, &app, &ana).await;

    // An admin ends all of Ana's sessions from another machine.
    let _: serde_json::Value = app
        .delete(&format!("/api/v1/staff/{}/sessions", ana.id), &admin.token)
        .await
        .unwrap();
    assert_eq!(desk.me().await.unwrap_err(), ClientError::SessionExpired);
    assert_eq!(fx.secret(&key), None);
    assert!(desk.status().await.signed_in.is_none());
    assert_eq!(desk.me().await.unwrap_err(), ClientError::NotSignedIn);
}

#[tokio::test]
async fn sign_out_ends_the_session_deletes_the_token_and_wipes_the_cache() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    let key = fx.remote_key(&app, &admin.username);
    let desk = fx.connected(&app).await;
    sign_in(&desk, &app, &admin).await;
    desk.list_staff(StaffQuery::default()).await.unwrap();
    assert!(desk.cached_me().await.is_some());
    assert!(desk.cached_staff().await.is_some());
    let token = fx.secret(&key).expect("kept while signed in");

    desk.sign_out().await.unwrap();
    assert_eq!(fx.secret(&key), None);
    assert!(desk.cached_me().await.is_none());
    assert!(desk.cached_staff().await.is_none());
    let status = desk.status().await;
    assert!(status.signed_in.is_none());
    assert_eq!(
        status.last_username.as_deref(),
        Some("root.admin"),
        "kept to prefill sign-in"
    );
    let refused = app.get::<Me>("/api/v1/me", &token).await.unwrap_err();
    assert_eq!(
        refused.code, "invalid_token",
        "the hub ended the session too"
    );
    // Signing out twice is harmless.
    desk.sign_out().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_hub_is_named_and_the_session_survives_it() {
    let mut app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    let key = fx.remote_key(&app, &admin.username);
    let desk = fx.connected(&app).await;
    sign_in(&desk, &app, &admin).await;

    stop_hub(&mut app).await;
    let err = desk.me().await.unwrap_err();
    match &err {
        ClientError::Unreachable { url, .. } => assert_eq!(url, &app.base),
        other => panic!("expected Unreachable, got {other:?}"),
    }
    let ui = err.to_ui();
    assert_eq!(ui.code, "hub_unreachable");
    assert_eq!(
        ui.message,
        format!(
            "The hub at {} is not reachable. Check the address and your connection, then retry.",
            app.base
        )
    );
    let status = desk.status().await;
    assert!(!status.hub_reachable);
    assert_eq!(
        status.signed_in.map(|m| m.staff.id),
        Some(admin.id),
        "offline, not signed out"
    );
    assert!(
        fx.secret(&key).is_some(),
        "an outage does not delete the token"
    );

    // Starting the app while the hub is down: offline on cached data, not signed out.
    drop(desk);
    let desk = fx.open().await;
    assert!(matches!(
        desk.restore_session().await,
        Err(ClientError::Unreachable { .. })
    ));
    assert_eq!(
        desk.status().await.signed_in.map(|m| m.staff.id),
        Some(admin.id)
    );
    assert!(fx.secret(&key).is_some());
    // Sign-out still works offline: the token and the cache go.
    desk.sign_out().await.unwrap();
    assert_eq!(fx.secret(&key), None);
    assert!(desk.cached_me().await.is_none());
}
