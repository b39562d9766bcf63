//! The signed-in screens' calls through the desk against a real hub: staff administration,
//! sessions, audit, security events, and unlocking after the idle lock.

use crate::helpers::{api_code, sign_in, wrong_code, Fixture};
use opsdesk_client::{ClientError, Mode};
use opsdesk_core::Role;
use opsdesk_hub::testing::{spawn_app, Db};
use opsdesk_proto::{
    AuditQuery, ChangeRoleRequest, InviteStaffRequest, SecurityEventQuery, StaffQuery,
};

fn invite_request(username: &str, role: Role) -> InviteStaffRequest {
    serde_json::from_value(serde_json::json!({
        "username": username, "display_name": username,
        "email": format!("{username}@example.com"), "role": role,
    }))
    .expect("valid invite")
}

#[tokio::test]
async fn staff_administration_round_trips_through_the_desk() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    fx.remote_key(&app, &admin.username);
    let desk = fx.connected(&app).await;
    sign_in(&desk, &app, &admin).await;

    let issued = desk
        .invite_staff(invite_request("sam.senior", Role::SeniorAgent))
        .await
        .unwrap();
    assert!(!issued.invite_token.is_empty());
    let sam = issued.staff;
    let (code, _) = api_code(
        desk.invite_staff(invite_request("sam.senior", Role::Agent))
            .await,
    );
    assert_eq!(code, "duplicate");

    let page = desk.list_staff(StaffQuery::default()).await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(desk.cached_staff().await, Some(page));
    let filtered = StaffQuery {
        role: Some(Role::Admin),
        ..StaffQuery::default()
    };
    assert_eq!(desk.list_staff(filtered).await.unwrap().items.len(), 1);
    assert_eq!(
        desk.cached_staff().await.unwrap().items.len(),
        2,
        "only the plain list is cached"
    );

    assert_eq!(desk.get_staff(sam.id).await.unwrap().username, "sam.senior");
    let caps = desk.capabilities(sam.id).await.unwrap();
    assert_eq!(caps.role, Role::SeniorAgent);
    assert!(!caps.active, "invited, not yet enrolled");

    let changed = desk
        .change_role(
            sam.id,
            ChangeRoleRequest {
                role: Role::Engineer,
                version: sam.version,
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.role, Role::Engineer);
    let (code, err) = api_code(
        desk.change_role(
            sam.id,
            ChangeRoleRequest {
                role: Role::Agent,
                version: sam.version,
            },
        )
        .await,
    );
    assert_eq!(code, "version_conflict");
    assert!(matches!(err, ClientError::Api(e) if e.status == 409));

    let reset = desk.reset_mfa(sam.id, changed.version).await.unwrap();
    assert!(!reset.invite_token.is_empty());
    let sam_now = desk.get_staff(sam.id).await.unwrap();
    let gone = desk.deactivate(sam.id, sam_now.version).await.unwrap();
    assert_eq!(gone.status, opsdesk_proto::StaffStatus::Deactivated);
    let (code, _) = api_code(desk.get_staff(uuid::Uuid::now_v7()).await);
    assert_eq!(code, "not_found");
}

#[tokio::test]
async fn sessions_audit_and_security_events_through_the_desk() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    fx.remote_key(&app, &admin.username);
    let desk = fx.connected(&app).await;
    let me = sign_in(&desk, &app, &admin).await;

    // The enrollment session (held by the test harness) and the desk's own.
    let mine = desk.my_sessions().await.unwrap().items;
    assert_eq!(mine.len(), 2);
    assert_eq!(mine.iter().filter(|s| s.current).count(), 1);
    let other = mine.iter().find(|s| !s.current).unwrap().id;
    desk.end_session(other).await.unwrap();
    assert_eq!(desk.my_sessions().await.unwrap().items.len(), 1);
    assert_eq!(desk.staff_sessions(admin.id).await.unwrap().items.len(), 1);

    let entries = desk.list_audit(AuditQuery::default()).await.unwrap().items;
    assert!(
        entries.iter().any(|e| e.action == "auth.sign_in"),
        "{entries:?}"
    );
    let only_mine = AuditQuery {
        actor: Some(format!("staff:{}", me.staff.id)),
        ..AuditQuery::default()
    };
    assert!(desk
        .list_audit(only_mine)
        .await
        .unwrap()
        .items
        .iter()
        .all(|e| e.actor.ends_with(&me.staff.id.to_string())));
    let verification = desk.verify_audit().await.unwrap();
    assert!(verification.intact);
    assert!(verification.checked > 0);

    // A failed sign-in elsewhere shows up as a security event.
    let _ = desk.sign_in_password("root.admin", "wrong-password").await;
    let events = desk
        .security_events(SecurityEventQuery::default())
        .await
        .unwrap()
        .items;
    assert!(
        events.iter().any(|e| e.kind == "sign_in_failed"),
        "{events:?}"
    );

    // Ending all my sessions, this one included, signs the desk out.
    let ended = desk.end_staff_sessions(admin.id).await.unwrap();
    assert_eq!(
        ended.ended, 0,
        "only other sessions end when it is me; none are left"
    );
    desk.end_session(me.session.id).await.unwrap();
    assert_eq!(
        desk.my_sessions().await.unwrap_err(),
        ClientError::SessionExpired
    );
    assert_eq!(desk.status().await.mode, Mode::Remote);
}

#[tokio::test]
async fn the_idle_lock_is_lifted_with_a_fresh_code_only() {
    let app = spawn_app(Db::Sqlite).await;
    let admin = app.admin().await;
    let fx = Fixture::new();
    fx.remote_key(&app, &admin.username);
    let desk = fx.connected(&app).await;
    assert_eq!(
        desk.reauthenticate("123456").await,
        Err(ClientError::NotSignedIn)
    );
    sign_in(&desk, &app, &admin).await;

    let (code, _) = api_code(desk.reauthenticate(&wrong_code(&app, &admin.secret)).await);
    assert_eq!(code, "invalid_code");
    assert!(
        desk.status().await.signed_in.is_some(),
        "a wrong code does not sign out"
    );
    let fresh = app.next_code(&admin.secret);
    desk.reauthenticate(&fresh).await.unwrap();
    let (code, _) = api_code(desk.reauthenticate(&fresh).await);
    assert_eq!(code, "code_already_used");

    let status = desk.set_idle_lock_minutes(45).await.unwrap();
    assert_eq!(status.idle_lock_minutes, 45);
    for bad in [0, 481] {
        match desk.set_idle_lock_minutes(bad).await {
            Err(ClientError::InvalidInput { field, .. }) => assert_eq!(field, "idle_lock_minutes"),
            other => panic!("{bad} accepted: {other:?}"),
        }
    }
    drop(desk);
    assert_eq!(fx.open().await.status().await.idle_lock_minutes, 45);
}
