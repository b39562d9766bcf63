//! Staff accounts: creation, lookup, listing, role changes, MFA reset and deactivation.

use crate::harness::*;
use opsdesk_core::staff::{Severity, StaffStatus};
use opsdesk_core::Role;
use opsdesk_store::*;
use std::sync::Arc;
use uuid::Uuid;

store_tests!(
    creates_finds_and_lists_staff,
    a_taken_username_is_refused_and_nothing_is_written,
    a_role_change_needs_the_current_version,
    an_mfa_reset_ends_sessions_voids_invites_and_clears_secrets,
    deactivation_ends_sessions_and_voids_invites,
);

async fn creates_finds_and_lists_staff(store: Arc<dyn Store>) {
    let mut ids = Vec::new();
    for (name, role) in [
        ("carol", Role::Manager),
        ("alice", Role::Agent),
        ("bob", Role::Agent),
    ] {
        let (staff, invite) = new_staff(name, role);
        let token = invite.token_hash.clone();
        let created = store
            .create_staff(&admin(), staff.clone(), invite, fx("staff.invited", name))
            .await;
        let created = created.unwrap();
        assert_eq!(created.id, staff.id);
        assert_eq!(created.username, name);
        assert_eq!(created.email, staff.email);
        assert_eq!(created.role, role);
        assert_eq!(created.status, StaffStatus::Invited);
        assert_eq!(created.version, 1);
        assert_eq!(created.failed_attempts, 0);
        assert_eq!(
            (created.password_hash.clone(), created.totp_secret.clone()),
            (None, None)
        );
        assert_eq!((created.created_at, created.updated_at), (t(0), t(0)));
        let invite = store
            .invite_by_token(&token)
            .await
            .unwrap()
            .expect("invite stored");
        assert_eq!(
            (invite.staff_id, invite.kind, invite.used_at),
            (staff.id, InviteKind::Enroll, None)
        );
        assert_eq!(
            store.staff_by_id(staff.id).await.unwrap(),
            Some(created.clone())
        );
        assert_eq!(store.staff_by_username(name).await.unwrap(), Some(created));
        ids.push(staff.id);
    }
    assert_eq!(store.staff_by_id(Uuid::new_v4()).await.unwrap(), None);
    assert_eq!(store.staff_by_username("nobody").await.unwrap(), None);
    assert_eq!(audit_len(&*store).await, 3);

    let names = |list: Vec<StaffRecord>| list.into_iter().map(|s| s.username).collect::<Vec<_>>();
    let all = StaffFilter {
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        names(store.list_staff(&all).await.unwrap()),
        ["alice", "bob", "carol"]
    );
    let page = StaffFilter {
        limit: 2,
        ..Default::default()
    };
    assert_eq!(
        names(store.list_staff(&page).await.unwrap()),
        ["alice", "bob"]
    );
    let next = StaffFilter {
        after_username: Some("bob".into()),
        ..page.clone()
    };
    assert_eq!(names(store.list_staff(&next).await.unwrap()), ["carol"]);
    let agents = StaffFilter {
        role: Some(Role::Agent),
        ..all.clone()
    };
    assert_eq!(
        names(store.list_staff(&agents).await.unwrap()),
        ["alice", "bob"]
    );
    let active = StaffFilter {
        status: Some(StaffStatus::Active),
        ..all.clone()
    };
    assert!(store.list_staff(&active).await.unwrap().is_empty());

    assert_eq!(store.count_active_with_role(Role::Admin).await.unwrap(), 0);
    enrolled(&*store, "dave", Role::Admin).await;
    assert_eq!(store.count_active_with_role(Role::Admin).await.unwrap(), 1);
    assert_eq!(store.count_active_with_role(Role::Agent).await.unwrap(), 0);
    assert_eq!(names(store.list_staff(&active).await.unwrap()), ["dave"]);
}

async fn a_taken_username_is_refused_and_nothing_is_written(store: Arc<dyn Store>) {
    let (staff, invite) = new_staff("alice", Role::Agent);
    store
        .create_staff(&admin(), staff, invite, fx("staff.invited", "alice"))
        .await
        .unwrap();
    let (again, invite) = new_staff("alice", Role::Admin);
    let token = invite.token_hash.clone();
    let fx = fx("staff.invited", "alice-again").with_security(event(
        "staff.invited",
        Severity::Info,
        t(1),
    ));
    let err = store
        .create_staff(&admin(), again.clone(), invite, fx)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { field: "username" }),
        "{err:?}"
    );
    assert_eq!(store.staff_by_id(again.id).await.unwrap(), None);
    assert_eq!(store.invite_by_token(&token).await.unwrap(), None);
    assert_eq!(audit_len(&*store).await, 1);
    assert!(all_events(&*store).await.is_empty());
}

async fn a_role_change_needs_the_current_version(store: Arc<dyn Store>) {
    let (staff, invite) = new_staff("alice", Role::Agent);
    store
        .create_staff(
            &admin(),
            staff.clone(),
            invite,
            fx("staff.invited", "alice"),
        )
        .await
        .unwrap();
    let changed = store
        .change_role(
            &admin(),
            staff.id,
            1,
            Role::Engineer,
            t(50),
            fx("staff.role_changed", "alice"),
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.role, changed.version, changed.updated_at),
        (Role::Engineer, 2, t(50))
    );
    assert_eq!(store.staff_by_id(staff.id).await.unwrap(), Some(changed));

    let stale = fx("staff.role_changed", "alice-stale").with_security(event(
        "role_changed",
        Severity::Medium,
        t(60),
    ));
    let err = store
        .change_role(&admin(), staff.id, 1, Role::Admin, t(60), stale.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::VersionConflict), "{err:?}");
    let err = store
        .change_role(&admin(), Uuid::new_v4(), 1, Role::Admin, t(60), stale)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");

    let now = store.staff_by_id(staff.id).await.unwrap().unwrap();
    assert_eq!((now.role, now.version), (Role::Engineer, 2));
    // The refused changes wrote no effects.
    assert_eq!(audit_len(&*store).await, 2);
    assert!(all_events(&*store).await.is_empty());
}

async fn an_mfa_reset_ends_sessions_voids_invites_and_clears_secrets(store: Arc<dyn Store>) {
    let alice = enrolled(&*store, "alice", Role::Agent).await;
    let id = alice.staff.id;
    assert_eq!(alice.staff.version, 2);
    store
        .create_login_challenge(NewLoginChallenge {
            id_hash: "pending".into(),
            staff_id: id,
            created_at: t(20),
            expires_at: t(320),
        })
        .await
        .unwrap();

    let first = new_invite(id, InviteKind::MfaReset, t(30));
    let fx1 =
        fx("staff.mfa_reset", "alice").with_security(event("mfa_reset", Severity::High, t(30)));
    let reset = store
        .reset_mfa(&admin(), id, 2, first.clone(), t(30), fx1)
        .await
        .unwrap();
    assert_eq!(reset.status, StaffStatus::Invited);
    assert_eq!(
        (reset.password_hash, reset.totp_secret, reset.totp_last_step),
        (None, None, None)
    );
    assert_eq!((reset.version, reset.updated_at), (3, t(30)));
    assert_eq!(store.recovery_codes_left(id).await.unwrap(), 0);
    assert!(!store
        .recovery_code_unused(id, &alice.codes[0])
        .await
        .unwrap());
    assert_eq!(
        store
            .session_by_token(&alice.session.token_hash)
            .await
            .unwrap(),
        None
    );
    let ended = store
        .session_by_id(alice.session.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ended.ended_at, ended.ended_reason.as_deref()),
        (Some(t(30)), Some("mfa_reset"))
    );
    assert!(store.list_sessions(id).await.unwrap().is_empty());
    assert_eq!(store.login_challenge("pending").await.unwrap(), None);
    let open = store
        .invite_by_token(&first.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((open.kind, open.used_at), (InviteKind::MfaReset, None));

    // A second reset voids the first invite; a stale version changes nothing.
    let second = new_invite(id, InviteKind::MfaReset, t(40));
    let err = store
        .reset_mfa(
            &admin(),
            id,
            2,
            second.clone(),
            t(40),
            fx("staff.mfa_reset", "stale"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::VersionConflict), "{err:?}");
    assert_eq!(
        store.invite_by_token(&second.token_hash).await.unwrap(),
        None
    );
    store
        .reset_mfa(
            &admin(),
            id,
            3,
            second.clone(),
            t(40),
            fx("staff.mfa_reset", "alice"),
        )
        .await
        .unwrap();
    let voided = store
        .invite_by_token(&first.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(voided.used_at, Some(t(40)));
    let open = store
        .invite_by_token(&second.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.used_at, None);

    assert_eq!(audit_len(&*store).await, 4);
    let events = all_events(&*store).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].kind.as_str(), events[0].severity),
        ("mfa_reset", Severity::High)
    );
}

async fn deactivation_ends_sessions_and_voids_invites(store: Arc<dyn Store>) {
    let alice = enrolled(&*store, "alice", Role::Agent).await;
    let id = alice.staff.id;
    let other = new_session(id, t(20));
    store
        .create_login_challenge(NewLoginChallenge {
            id_hash: "c1".into(),
            staff_id: id,
            created_at: t(20),
            expires_at: t(320),
        })
        .await
        .unwrap();
    store
        .complete_sign_in(
            CompleteSignIn {
                challenge_hash: "c1".into(),
                staff_id: id,
                totp_step: Some(101),
                recovery_code_hash: None,
                session: other.clone(),
                now: t(20),
            },
            fx("auth.sign_in", "alice"),
        )
        .await
        .unwrap();
    assert_eq!(store.list_sessions(id).await.unwrap().len(), 2);
    let version = store.staff_by_id(id).await.unwrap().unwrap().version;

    let err = store
        .deactivate(
            &admin(),
            id,
            version - 1,
            t(30),
            fx("staff.deactivated", "x"),
        )
        .await;
    assert!(matches!(err, Err(StoreError::VersionConflict)), "{err:?}");
    assert_eq!(store.list_sessions(id).await.unwrap().len(), 2);

    let gone = store
        .deactivate(
            &admin(),
            id,
            version,
            t(30),
            fx("staff.deactivated", "alice"),
        )
        .await;
    let gone = gone.unwrap();
    assert_eq!(
        (gone.status, gone.version),
        (StaffStatus::Deactivated, version + 1)
    );
    assert!(store.list_sessions(id).await.unwrap().is_empty());
    for session in [&alice.session, &other] {
        assert_eq!(
            store.session_by_token(&session.token_hash).await.unwrap(),
            None
        );
        let ended = store.session_by_id(session.id).await.unwrap().unwrap();
        assert_eq!(ended.ended_reason.as_deref(), Some("deactivated"));
        assert_eq!(ended.ended_at, Some(t(30)));
    }
    let err = store
        .deactivate(
            &admin(),
            Uuid::new_v4(),
            1,
            t(30),
            fx("staff.deactivated", "x"),
        )
        .await;
    assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");
    assert_eq!(audit_len(&*store).await, 4);

    // An invited member's open invite is voided and can no longer be completed.
    let (bob, invite) = new_staff("bob", Role::Agent);
    store
        .create_staff(
            &admin(),
            bob.clone(),
            invite.clone(),
            fx("staff.invited", "bob"),
        )
        .await
        .unwrap();
    store
        .stage_enrollment(invite.id, "$argon2id$pw", "JBSWY3DPEHPK3PXP")
        .await
        .unwrap();
    store
        .deactivate(&admin(), bob.id, 1, t(31), fx("staff.deactivated", "bob"))
        .await
        .unwrap();
    let voided = store
        .invite_by_token(&invite.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(voided.used_at, Some(t(31)));
    let enrollment = CompleteEnrollment {
        invite_id: invite.id,
        staff_id: bob.id,
        totp_step: 1,
        recovery_code_hashes: vec![],
        session: new_session(bob.id, t(32)),
        now: t(32),
    };
    let err = store
        .complete_enrollment(enrollment, fx("staff.enrolled", "bob"))
        .await;
    assert!(
        matches!(err, Err(StoreError::AlreadyUsed("invite_used"))),
        "{err:?}"
    );
}
