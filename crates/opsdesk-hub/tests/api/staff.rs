//! Staff administration under the role rules.

use crate::both;
use crate::helpers::*;
use opsdesk_core::Role;
use opsdesk_proto::*;
use serde_json::json;

both!(
    admins_invite_every_role_and_managers_only_below_manager,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let manager = app.invite(&admin, "meg", Role::Manager).await;
        let body = |username: &str, role: Role| json!({"username": username, "display_name": username, "email": format!("{username}@example.com"), "role": role});
        for (i, role) in Role::ALL.into_iter().enumerate() {
            let issued: Result<InviteIssued, _> = app
                .client(&admin.token)
                .invite_staff(&from_json(json!(body(&format!("adm{i}"), role))))
                .await
                .checked();
            assert_eq!(issued.unwrap().staff.role, role);
            let by_manager: Result<InviteIssued, _> = app
                .client(&manager.token)
                .invite_staff(&from_json(json!(body(&format!("mgr{i}"), role))))
                .await
                .checked();
            match role {
                Role::Manager => {
                    assert_eq!(by_manager.unwrap_err().code, "target_above_your_reach")
                }
                Role::SecurityOfficer | Role::Admin => {
                    let e = by_manager.unwrap_err();
                    assert_eq!(
                        (e.status, e.code.as_str()),
                        (403, "only_admins_manage_top_tiers")
                    );
                }
                _ => assert_eq!(by_manager.unwrap().staff.role, role),
            }
        }
        let caps: Capabilities = app
            .client(&admin.token)
            .capabilities(manager.id)
            .await
            .checked()
            .unwrap();
        assert_eq!(
            caps.assignable_roles,
            vec![Role::Viewer, Role::Agent, Role::SeniorAgent, Role::Engineer]
        );
    }
);

both!(
    lower_roles_cannot_reach_above_themselves,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let engineer = app.invite(&admin, "eli", Role::Engineer).await;
        let manager = app.invite(&admin, "meg", Role::Manager).await;
        let err = app.client(&agent.token)
        .invite_staff(&from_json(json!({"username": "sneaky", "display_name": "S", "email": "s@example.com", "role": "admin"}))).await.checked()
        .unwrap_err();
        assert_eq!(
            (err.status, err.permission.as_deref()),
            (403, Some("staff.manage"))
        );
        let err = app
            .client(&engineer.token)
            .list_staff(&Default::default())
            .await
            .checked()
            .unwrap_err();
        assert_eq!(
            (err.status, err.permission.as_deref()),
            (403, Some("staff.read"))
        );
        let err = app
            .client(&manager.token)
            .list_audit(&Default::default())
            .await
            .checked()
            .unwrap_err();
        assert_eq!(
            (err.status, err.permission.as_deref()),
            (403, Some("audit.read"))
        );
        let err = app
            .client(&manager.token)
            .security_events(&Default::default())
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.permission.as_deref(), Some("security_events.read"));
        // An agent raising themselves.
        let me = app.staff(&admin, agent.id).await;
        let err = app
            .client(&agent.token)
            .change_role(
                agent.id,
                &from_json(json!({"role": "admin", "version": me.version})),
            )
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.status, 403);
        // A manager acting on an admin.
        let admin_view = app.staff(&admin, admin.id).await;
        let err = app
            .client(&manager.token)
            .deactivate(admin.id, &from_json(json!({"version": admin_view.version})))
            .await
            .checked()
            .unwrap_err();
        assert_eq!(
            (err.status, err.code.as_str()),
            (403, "only_admins_manage_top_tiers")
        );
        // Nobody changes their own role, not even an admin.
        let err = app
            .client(&admin.token)
            .change_role(
                admin.id,
                &from_json(json!({"role": "viewer", "version": admin_view.version})),
            )
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.code, "self_action_forbidden");
        // Everyone may read themselves and their own capabilities.
        let caps: Capabilities = app
            .client(&agent.token)
            .capabilities(agent.id)
            .await
            .checked()
            .unwrap();
        assert_eq!(
            caps.permissions
                .iter()
                .map(|p| p.permission)
                .collect::<Vec<_>>(),
            Role::Agent.permissions()
        );
        assert!(caps.assignable_roles.is_empty());
        let err = app
            .client(&agent.token)
            .capabilities(manager.id)
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.status, 403);
    }
);

both!(
    role_changes_need_the_current_version,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let v = app.staff(&admin, agent.id).await.version;
        let changed: StaffView = app
            .client(&admin.token)
            .change_role(
                agent.id,
                &from_json(json!({"role": "senior_agent", "version": v})),
            )
            .await
            .checked()
            .unwrap();
        assert_eq!((changed.role, changed.version), (Role::SeniorAgent, v + 1));
        let err = app
            .client(&admin.token)
            .change_role(
                agent.id,
                &from_json(json!({"role": "viewer", "version": v})),
            )
            .await
            .checked()
            .unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (409, "version_conflict"));
        let current = err
            .current
            .expect("the conflict shows the record as it is now");
        assert_eq!(current["role"], "senior_agent");
        assert_eq!(current["version"], v + 1);
        // The agent's existing session now carries the new role.
        let me: Me = app.client(&agent.token).me().await.checked().unwrap();
        assert_eq!(me.staff.role, Role::SeniorAgent);
        assert!(me
            .capabilities
            .permissions
            .iter()
            .any(|p| p.permission == opsdesk_core::Permission::TicketsMerge));
        let events: Page<SecurityEvent> = app
            .get(
                &format!("{}?kind=role_changed", routes::SECURITY_EVENTS),
                &admin.token,
            )
            .await
            .unwrap();
        assert_eq!(events.items.len(), 1);
        let audit = app
            .audit(
                &admin,
                &format!("action=staff.role_changed&target=staff:{}", agent.id),
            )
            .await;
        assert_eq!(audit.len(), 1);
        assert_eq!(
            audit[0].details,
            json!({"from": "agent", "to": "senior_agent"})
        );
        assert_eq!(audit[0].actor, format!("staff:{}", admin.id));
        // Unknown ids are 404.
        let err = app
            .client(&admin.token)
            .change_role(
                uuid::Uuid::now_v7(),
                &from_json(json!({"role": "viewer", "version": 1})),
            )
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.status, 404);
    }
);

both!(
    mfa_reset_ends_sessions_and_requires_enrolling_again,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let v = app.staff(&admin, agent.id).await.version;
        let issued: InviteIssued = app
            .client(&admin.token)
            .reset_mfa(agent.id, &from_json(json!({"version": v})))
            .await
            .checked()
            .unwrap();
        assert_eq!(issued.staff.status, StaffStatus::Invited);
        assert!(!issued.staff.mfa_enrolled);
        assert_eq!(
            app.client(&agent.token)
                .me()
                .await
                .checked()
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            app.sign_in("ana", PASSWORD, &agent.secret)
                .await
                .unwrap_err()
                .code,
            "invalid_credentials"
        );
        let again = app.enroll(&issued.invite_token, Role::Agent).await;
        assert_ne!(again.secret, agent.secret);
        assert!(app.sign_in("ana", PASSWORD, &again.secret).await.is_ok());
        let events: Page<SecurityEvent> = app
            .get(
                &format!("{}?kind=mfa_reset", routes::SECURITY_EVENTS),
                &admin.token,
            )
            .await
            .unwrap();
        assert_eq!(events.items[0].severity, Severity::High);
        assert_eq!(app.audit(&admin, "action=staff.mfa_reset").await.len(), 1);
    }
);

both!(
    deactivation_ends_sessions_at_once,
    |app: TestApp| async move {
        let admin = app.admin().await;
        let agent = app.invite(&admin, "ana", Role::Agent).await;
        let v = app.staff(&admin, agent.id).await.version;
        let done: StaffView = app
            .client(&admin.token)
            .deactivate(agent.id, &from_json(json!({"version": v})))
            .await
            .checked()
            .unwrap();
        assert_eq!(done.status, StaffStatus::Deactivated);
        assert_eq!(
            app.client(&agent.token)
                .me()
                .await
                .checked()
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            app.sign_in("ana", PASSWORD, &agent.secret)
                .await
                .unwrap_err()
                .code,
            "invalid_credentials"
        );
        let caps: Capabilities = app
            .client(&admin.token)
            .capabilities(agent.id)
            .await
            .checked()
            .unwrap();
        assert!(!caps.active && caps.permissions.is_empty());
        let err = app
            .client(&admin.token)
            .deactivate(agent.id, &from_json(json!({"version": done.version})))
            .await
            .checked()
            .unwrap_err();
        assert_eq!(err.code, "staff_deactivated");
    }
);

both!(staff_list_filters_and_pages, |app: TestApp| async move {
    let admin = app.admin().await;
    for i in 0..5 {
        let _: InviteIssued = app.client(&admin.token)
            .invite_staff(&from_json(json!({"username": format!("agent{i}"), "display_name": "A", "email": format!("a{i}@example.com"), "role": "agent"}))).await.checked()
            .unwrap();
    }
    let first: Page<StaffView> = app
        .get(
            &format!("{}?role=agent&limit=2", routes::STAFF),
            &admin.token,
        )
        .await
        .unwrap();
    assert_eq!(
        first
            .items
            .iter()
            .map(|s| s.username.as_str())
            .collect::<Vec<_>>(),
        ["agent0", "agent1"]
    );
    let cursor = first.next_cursor.expect("more pages");
    let rest: Page<StaffView> = app
        .get(
            &format!("{}?role=agent&limit=10&cursor={cursor}", routes::STAFF),
            &admin.token,
        )
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 3);
    assert!(rest.next_cursor.is_none());
    let invited: Page<StaffView> = app
        .get(&format!("{}?status=active", routes::STAFF), &admin.token)
        .await
        .unwrap();
    assert_eq!(invited.items.len(), 1);
    let err = app
        .get::<Page<StaffView>>(&format!("{}?role=wizard", routes::STAFF), &admin.token)
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("role"));
    // A username taken.
    let err = app.client(&admin.token)
        .invite_staff(&from_json(json!({"username": "AGENT0", "display_name": "A", "email": "z@example.com", "role": "agent"}))).await.checked()
        .unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (409, "duplicate"));
    assert!(err.message.contains("username"));
});
