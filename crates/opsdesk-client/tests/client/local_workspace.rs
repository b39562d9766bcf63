//! The local workspace: the hub started inside the app, the first admin, enrollment, and coming
//! back after a restart.

use crate::helpers::{api_code, keyring, Fixture};
use opsdesk_client::{ClientError, Desk, Mode, SecretStore};
use opsdesk_core::totp::TotpSecret;
use opsdesk_core::Role;
use opsdesk_hub::testing::PASSWORD;
use opsdesk_proto::StaffQuery;
use std::sync::Arc;

/// The current code for an offered secret (the local hub runs on the system clock).
fn code_for(secret: &str) -> String {
    let secret = TotpSecret::from_base32(secret).expect("base32 secret");
    secret.code_at(chrono::Utc::now().timestamp())
}

#[tokio::test]
async fn first_launch_to_enrolled_admin_and_back_after_a_restart() {
    let fx = Fixture::new();
    let key = fx.local_key("ada.admin");
    let desk = fx.open().await;

    let status = desk.start_local_workspace(false).await.unwrap();
    assert_eq!(status.mode, Mode::Local);
    assert!(status.hub_reachable);
    assert!(status.needs_first_admin);
    assert_eq!(status.hub_label.as_deref(), Some("Local workspace"));
    let first_url = status.hub_url.clone().expect("where the local hub answers");
    assert!(first_url.starts_with("http://127.0.0.1:"), "{first_url}");
    assert!(fx.paths.data_dir.join("workspace/hub.sqlite").exists());

    // Bad input names the field, and nothing is created.
    for (username, name, email, field) in [
        ("x", "Ada", "ada@example.com", "username"),
        ("ada.admin", "", "ada@example.com", "display_name"),
        ("ada.admin", "Ada", "not-an-email", "email"),
    ] {
        match desk.create_first_admin(username, name, email).await {
            Err(ClientError::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }

    let invite = desk
        .create_first_admin("Ada.Admin", "Ada Lovelace", "ada@example.com")
        .await
        .unwrap();
    assert!(
        desk.status().await.needs_first_admin,
        "not until enrollment is confirmed"
    );
    let offer = desk.enroll_start(&invite, PASSWORD).await.unwrap();
    assert_eq!(offer.username, "ada.admin");
    let enrolled = desk
        .enroll_confirm(&invite, &code_for(&offer.totp_secret))
        .await
        .unwrap();
    assert_eq!(enrolled.recovery_codes.len(), 10);
    assert!(
        enrolled.signed_in.token.is_empty(),
        "the token stays in the core"
    );
    assert!(fx.secret(&key).is_some());
    let status = desk.status().await;
    assert!(!status.needs_first_admin);
    assert_eq!(
        status.signed_in.as_ref().map(|m| m.staff.role),
        Some(Role::Admin)
    );
    assert_eq!(status.last_username.as_deref(), Some("ada.admin"));

    let (code, _) = api_code(
        desk.create_first_admin("eve.admin", "Eve", "eve@example.com")
            .await,
    );
    assert_eq!(code, "admin_exists");

    // Quit and start again: the workspace comes back on a new port, the session with it.
    desk.close().await;
    drop(desk);
    let desk = Desk::open(fx.paths.clone(), keyring() as Arc<dyn SecretStore>)
        .await
        .unwrap();
    let status = desk.status().await;
    assert_eq!(status.mode, Mode::Local);
    assert!(status.hub_reachable, "the local hub restarted");
    assert!(status.workspace_error.is_none());
    let me = desk
        .restore_session()
        .await
        .unwrap()
        .expect("session restored");
    assert_eq!(me.staff.username, "ada.admin");
    assert_eq!(
        desk.list_staff(StaffQuery::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    // Forgetting the workspace signs out and stops its hub; its data stays for next time.
    let old_url = desk.status().await.hub_url.unwrap();
    let status = desk.forget_hub().await.unwrap();
    assert_eq!(status.mode, Mode::None);
    assert!(status.signed_in.is_none());
    assert_eq!(fx.secret(&key), None);
    assert!(
        reqwest::get(format!("{old_url}/api/v1/hub")).await.is_err(),
        "hub stopped"
    );
    assert!(fx.paths.data_dir.join("workspace/hub.sqlite").exists());
    let status = desk.start_local_workspace(false).await.unwrap();
    assert!(
        !status.needs_first_admin,
        "the enrolled admin is still there"
    );
}

#[tokio::test]
async fn a_demo_workspace_has_a_team_to_look_at() {
    let fx = Fixture::new();
    fx.local_key("root.admin");
    let desk = fx.open().await;
    let status = desk.start_local_workspace(true).await.unwrap();
    assert!(
        status.needs_first_admin,
        "the demo team is invited, not an admin"
    );
    let invite = desk
        .create_first_admin("root.admin", "Root", "root@example.com")
        .await
        .unwrap();
    let offer = desk.enroll_start(&invite, PASSWORD).await.unwrap();
    desk.enroll_confirm(&invite, &code_for(&offer.totp_secret))
        .await
        .unwrap();
    let staff = desk.list_staff(StaffQuery::default()).await.unwrap().items;
    let roles: Vec<Role> = staff.iter().map(|s| s.role).collect();
    assert!(staff.len() >= 8, "{staff:?}");
    for role in [
        Role::Viewer,
        Role::Agent,
        Role::Manager,
        Role::SecurityOfficer,
    ] {
        assert!(roles.contains(&role), "{role:?} missing");
    }
    // Asking again adds nobody twice.
    desk.start_local_workspace(true).await.unwrap();
    let again = desk.list_staff(StaffQuery::default()).await.unwrap().items;
    assert_eq!(again.len(), staff.len());
}

#[tokio::test]
async fn first_admin_setup_is_only_for_the_local_workspace() {
    let app = opsdesk_hub::testing::spawn_app(opsdesk_hub::testing::Db::Sqlite).await;
    let fx = Fixture::new();
    let desk = fx.open().await;
    assert_eq!(
        desk.create_first_admin("ada.admin", "Ada", "ada@example.com")
            .await,
        Err(ClientError::NotLocalWorkspace)
    );
    desk.connect_hub(&app.base).await.unwrap();
    let err = desk
        .create_first_admin("ada.admin", "Ada", "ada@example.com")
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::NotLocalWorkspace);
    assert_eq!(err.to_ui().code, "not_local_workspace");
}
