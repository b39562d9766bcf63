//! Tenant data behind a grant on both databases: imports all or nothing, listing by name with a
//! prefix and a cursor, support actions and settings at the version read, another tenant's rows
//! out of reach through a proof for this one, and an audit entry with every read and write.

use crate::access::{desk, granted, proof, Desk};
use crate::harness::{audit_len, fx, own, t};
use opsdesk_core::access::{TenantUserRole, TenantUserStatus};
use opsdesk_core::proof::{cap, scope, Granted, TenantDataLoad};
use opsdesk_core::rules::AccessScope;
use opsdesk_core::Role;
use opsdesk_proto::TenantUserView;
use opsdesk_store::*;
use std::sync::Arc;
use uuid::Uuid;

store_tests!(
    imports_are_all_or_nothing,
    users_list_by_name_prefix_and_cursor,
    support_actions_need_the_version_read,
    sign_ins_are_recorded_for_known_users,
    settings_start_from_defaults_and_are_versioned,
    a_proof_is_worthless_once_its_grant_ends,
);

/// The proof an admin's directory load gives for `tenant`.
pub(crate) fn load(tenant: Uuid) -> TenantDataLoad {
    let admin = Granted::<cap::TenantsManage>::check(Role::Admin).expect("admins manage tenants");
    TenantDataLoad::check(&admin, tenant)
}

pub(crate) fn user(name: &str, email: &str, status: TenantUserStatus) -> TenantUserDraft {
    TenantUserDraft {
        name: name.into(),
        email: email.into(),
        role: TenantUserRole::Member,
        status,
        mfa_enabled: false,
        last_sign_in_at: None,
    }
}

/// Tenant A with Ann, Bea and a locked Cal; tenant B with its own Ann. The engineer holds a
/// support grant for A from t(100) (an hour).
async fn loaded(store: &Arc<dyn Store>) -> Desk {
    let d = desk(store).await;
    let active = TenantUserStatus::Active;
    let a = vec![
        user("Ann Archer", "ann@a.test", active),
        user("bea Brook", "bea@a.test", active),
        user("Cal Cole", "cal@a.test", TenantUserStatus::Locked),
    ];
    let b = vec![user("Ann Other", "ann@b.test", active)];
    store
        .import_tenant_users(&load(d.tenant_a), a, t(0), Effects::default())
        .await
        .unwrap();
    store
        .import_tenant_users(&load(d.tenant_b), b, t(0), Effects::default())
        .await
        .unwrap();
    granted(store, &d, d.tenant_a, d.engineer, AccessScope::Support, 100).await;
    d
}

async fn users_of(store: &Arc<dyn Store>, d: &Desk, prefix: Option<&str>) -> Vec<TenantUserView> {
    let access = proof::<scope::Read>(store, d.engineer, d.tenant_a, 110).await;
    store
        .list_tenant_users(&access, prefix, None, 100, Effects::default())
        .await
        .unwrap()
}

fn names(users: &[TenantUserView]) -> Vec<&str> {
    users.iter().map(|u| u.name.as_str()).collect()
}

async fn imports_are_all_or_nothing(store: Arc<dyn Store>) {
    let d = loaded(&store).await;
    let before = audit_len(&*store).await;
    // Ann is updated, Dan added.
    let mut ann = user("Ann Archer-Smith", "ann@a.test", TenantUserStatus::Active);
    ann.role = TenantUserRole::Admin;
    ann.mfa_enabled = true;
    ann.last_sign_in_at = Some(t(50));
    let dan = user("Dan Dale", "dan@a.test", TenantUserStatus::Invited);
    let counts = store
        .import_tenant_users(
            &load(d.tenant_a),
            vec![ann, dan.clone()],
            t(60),
            fx("tenant.users_imported", "a"),
        )
        .await
        .unwrap();
    assert_eq!(counts, (1, 1));
    assert_eq!(audit_len(&*store).await, before + 1);
    let users = users_of(&store, &d, None).await;
    assert_eq!(
        names(&users),
        vec!["Ann Archer-Smith", "bea Brook", "Cal Cole", "Dan Dale"]
    );
    let ann = &users[0];
    assert_eq!(
        (ann.role, ann.mfa_enabled, ann.version),
        (TenantUserRole::Admin, true, 2)
    );
    assert_eq!(ann.last_sign_in_at, Some(t(50)));

    // A batch naming one email twice is refused whole: Eve is not added, Bea not renamed.
    let before = audit_len(&*store).await;
    let batch = vec![
        user("Eve East", "eve@a.test", TenantUserStatus::Active),
        user("Bea Renamed", "bea@a.test", TenantUserStatus::Active),
        user("Eve Again", "eve@a.test", TenantUserStatus::Active),
    ];
    assert_refused!(
        store.import_tenant_users(
            &load(d.tenant_a),
            batch,
            t(70),
            fx("tenant.users_imported", "a"),
        ),
        StoreError::Duplicate { field: "email" }
    );
    assert_eq!(audit_len(&*store).await, before);
    let users = users_of(&store, &d, None).await;
    assert_eq!(
        names(&users),
        vec!["Ann Archer-Smith", "bea Brook", "Cal Cole", "Dan Dale"]
    );

    // The same email in another tenant is another person.
    let counts = store
        .import_tenant_users(&load(d.tenant_b), vec![dan], t(80), Effects::default())
        .await
        .unwrap();
    assert_eq!(counts, (1, 0));
    assert_refused!(
        store.import_tenant_users(
            &load(Uuid::new_v4()),
            vec![user("X", "x@x.test", TenantUserStatus::Active)],
            t(80),
            Effects::default(),
        ),
        StoreError::NotFound,
        "unknown tenant"
    );
}

async fn users_list_by_name_prefix_and_cursor(store: Arc<dyn Store>) {
    let d = loaded(&store).await;
    let extra = vec![
        user("100% Real", "real@a.test", TenantUserStatus::Active),
        user("1000 Fake", "fake@a.test", TenantUserStatus::Active),
        user("a_b", "ab@a.test", TenantUserStatus::Active),
        user("axb", "axb@a.test", TenantUserStatus::Active),
    ];
    store
        .import_tenant_users(&load(d.tenant_a), extra, t(0), Effects::default())
        .await
        .unwrap();
    // Only tenant A's users, case-insensitively by name or email, wildcards taken literally.
    assert_eq!(
        names(&users_of(&store, &d, Some("ANN")).await),
        vec!["Ann Archer"]
    );
    assert_eq!(
        names(&users_of(&store, &d, Some("Bea")).await),
        vec!["bea Brook"]
    );
    assert_eq!(
        names(&users_of(&store, &d, Some("cal@")).await),
        vec!["Cal Cole"]
    );
    assert_eq!(
        names(&users_of(&store, &d, Some("100%")).await),
        vec!["100% Real"]
    );
    assert_eq!(names(&users_of(&store, &d, Some("a_")).await), vec!["a_b"]);
    assert_eq!(users_of(&store, &d, Some("")).await.len(), 7);
    assert!(users_of(&store, &d, Some("zed")).await.is_empty());

    // Pages of two after (name_key, id) cover the tenant once, in name order.
    let all = users_of(&store, &d, None).await;
    let mut paged: Vec<TenantUserView> = Vec::new();
    loop {
        let access = proof::<scope::Read>(&store, d.engineer, d.tenant_a, 110).await;
        let key = paged.last().map(|u| (u.name.to_lowercase(), u.id));
        let after = key.as_ref().map(|(k, id)| (k.as_str(), *id));
        let page = store
            .list_tenant_users(&access, None, after, 2, Effects::default())
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert_eq!(paged, all);
    // By name, whatever the case (where punctuation sorts is the database collation's choice).
    let at = |name: &str| all.iter().position(|u| u.name == name).unwrap();
    assert!(at("Ann Archer") < at("bea Brook") && at("bea Brook") < at("Cal Cole"));

    // Each read is audited with the read.
    let before = audit_len(&*store).await;
    let access = proof::<scope::Read>(&store, d.engineer, d.tenant_a, 110).await;
    store
        .list_tenant_users(&access, Some("a"), None, 10, fx("tenant.users_listed", "a"))
        .await
        .unwrap();
    assert_eq!(audit_len(&*store).await, before + 1);
    let entry = store
        .list_audit(&AuditFilter {
            action: Some("tenant.users_listed".into()),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entry.len(), 1);
}

async fn support_actions_need_the_version_read(store: Arc<dyn Store>) {
    let d = loaded(&store).await;
    let all = users_of(&store, &d, None).await;
    let cal = all.iter().find(|u| u.name == "Cal Cole").unwrap().clone();
    let ann = all.iter().find(|u| u.name == "Ann Archer").unwrap().clone();
    let b_ann = {
        // Tenant B's user, seen through a grant for B.
        granted(&store, &d, d.tenant_b, d.manager2, AccessScope::Read, 100).await;
        let access = proof::<scope::Read>(&store, d.manager2, d.tenant_b, 110).await;
        let users = store
            .list_tenant_users(&access, None, None, 10, Effects::default())
            .await
            .unwrap();
        users[0].clone()
    };
    let support = || proof::<scope::Support>(&store, d.engineer, d.tenant_a, 120);

    // Read: one user with its audit entry; another tenant's user is not there.
    let before = audit_len(&*store).await;
    let read = proof::<scope::Read>(&store, d.engineer, d.tenant_a, 120).await;
    let got = store
        .tenant_user(&read, cal.id, fx("tenant.user_viewed", "cal"))
        .await
        .unwrap();
    assert_eq!(got.as_ref(), Some(&cal));
    assert_eq!(audit_len(&*store).await, before + 1);
    let read = proof::<scope::Read>(&store, d.engineer, d.tenant_a, 120).await;
    assert_eq!(
        store
            .tenant_user(&read, b_ann.id, Effects::default())
            .await
            .unwrap(),
        None
    );

    // Unlock a locked user at the version read, once.
    let before = audit_len(&*store).await;
    let unlocked = store
        .change_tenant_user(
            &support().await,
            cal.id,
            1,
            TenantUserChange::Unlock,
            t(121),
            fx("tenant.user_unlocked", "cal"),
        )
        .await
        .unwrap();
    assert_eq!(
        (unlocked.status, unlocked.version),
        (TenantUserStatus::Active, 2)
    );
    assert_eq!(audit_len(&*store).await, before + 1);
    for (version, change) in [(1, TenantUserChange::Unlock), (2, TenantUserChange::Unlock)] {
        assert_refused!(
            store.change_tenant_user(
                &support().await,
                cal.id,
                version,
                change,
                t(122),
                fx("x", "cal"),
            ),
            StoreError::VersionConflict,
            version
        );
    }
    assert_eq!(audit_len(&*store).await, before + 1);
    let admin = TenantUserChange::Role(TenantUserRole::Admin);
    let promoted = store
        .change_tenant_user(
            &support().await,
            cal.id,
            2,
            admin,
            t(123),
            Effects::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (promoted.role, promoted.status, promoted.version),
        (TenantUserRole::Admin, TenantUserStatus::Active, 3)
    );
    assert_refused!(
        store.change_tenant_user(
            &support().await,
            b_ann.id,
            1,
            admin,
            t(123),
            Effects::default(),
        ),
        StoreError::NotFound,
        "another tenant's user"
    );

    // A reset link for Ann; another tenant's user is not found; a token is used once.
    let reset = |user_id, hash: &str| NewPasswordReset {
        id: Uuid::new_v4(),
        user_id,
        token_hash: hash.into(),
        created_by: d.engineer,
        created_at: t(124),
        expires_at: t(124 + 3600),
    };
    let before = audit_len(&*store).await;
    let for_ann = store
        .issue_tenant_password_reset(
            &support().await,
            reset(ann.id, "h1"),
            fx("tenant.password_reset", "ann"),
        )
        .await
        .unwrap();
    assert_eq!(for_ann, ann);
    assert_eq!(audit_len(&*store).await, before + 1);
    store
        .issue_tenant_password_reset(&support().await, reset(ann.id, "h2"), Effects::default())
        .await
        .unwrap();
    assert_refused!(
        store.issue_tenant_password_reset(
            &support().await,
            reset(ann.id, "h2"),
            Effects::default()
        ),
        StoreError::Duplicate {
            field: "token_hash"
        }
    );
    assert_refused!(
        store.issue_tenant_password_reset(
            &support().await,
            reset(b_ann.id, "h3"),
            Effects::default()
        ),
        StoreError::NotFound
    );
    assert_eq!(audit_len(&*store).await, before + 1);
}

async fn sign_ins_are_recorded_for_known_users(store: Arc<dyn Store>) {
    let d = loaded(&store).await;
    let sign_in = |email: &str, at: i64, success: bool| NewTenantSignIn {
        email: email.into(),
        at: t(at),
        success,
        address: "198.51.100.7".into(),
        user_agent: "Firefox".into(),
    };
    store
        .record_tenant_sign_ins(
            &load(d.tenant_a),
            vec![
                sign_in("ann@a.test", 30, true),
                sign_in("ann@a.test", 40, false),
                sign_in("ann@a.test", 20, true),
            ],
            fx("tenant.sign_ins_recorded", "a"),
        )
        .await
        .unwrap();
    // An unknown email (or another tenant's) refuses the whole batch.
    let before = audit_len(&*store).await;
    assert_refused!(
        store.record_tenant_sign_ins(
            &load(d.tenant_a),
            vec![
                sign_in("ann@a.test", 50, true),
                sign_in("ann@b.test", 50, true),
            ],
            fx("tenant.sign_ins_recorded", "a"),
        ),
        StoreError::NotFound
    );
    assert_eq!(audit_len(&*store).await, before);

    let ann = users_of(&store, &d, Some("ann")).await.remove(0);
    assert_eq!(
        (ann.last_sign_in_at, ann.version),
        (Some(t(30)), 1),
        "latest success; no new version"
    );
    let support = proof::<scope::Support>(&store, d.engineer, d.tenant_a, 120).await;
    let seen = store
        .tenant_user_sign_ins(&support, ann.id, 10, fx("tenant.sign_ins_viewed", "ann"))
        .await
        .unwrap();
    let at: Vec<_> = seen.iter().map(|s| (s.at, s.success)).collect();
    assert_eq!(at, vec![(t(40), false), (t(30), true), (t(20), true)]);
    assert_eq!(audit_len(&*store).await, before + 1);

    let b_user = Uuid::new_v4();
    let support = proof::<scope::Support>(&store, d.engineer, d.tenant_a, 120).await;
    assert_refused!(
        store.tenant_user_sign_ins(&support, b_user, 10, Effects::default()),
        StoreError::NotFound
    );
}

async fn settings_start_from_defaults_and_are_versioned(store: Arc<dyn Store>) {
    let d = desk(&store).await;
    granted(&store, &d, d.tenant_a, d.engineer, AccessScope::Admin, 100).await;
    let admin = || proof::<scope::Admin>(&store, d.engineer, d.tenant_a, 110);

    let before = audit_len(&*store).await;
    let defaults = store
        .tenant_settings(&admin().await, fx("tenant.settings_viewed", "a"))
        .await
        .unwrap();
    assert_eq!(audit_len(&*store).await, before + 1);
    let d0 = TenantSettingsValues::default();
    assert_eq!(
        (
            defaults.tenant_id,
            defaults.version,
            defaults.session_timeout_minutes,
            defaults.data_retention_days
        ),
        (
            d.tenant_a,
            0,
            d0.session_timeout_minutes,
            d0.data_retention_days
        )
    );
    assert!(!defaults.sso_required && defaults.ip_allowlist.is_empty());

    let values = TenantSettingsValues {
        sso_required: true,
        ip_allowlist: vec!["203.0.113.0/24".into(), "2001:db8::1".into()],
        ..TenantSettingsValues::default()
    };
    let first = store
        .update_tenant_settings(
            &admin().await,
            values.clone(),
            0,
            t(111),
            fx("tenant.settings_changed", "a"),
        )
        .await
        .unwrap();
    assert_eq!((first.version, first.sso_required), (1, true));
    assert_eq!(first.ip_allowlist, values.ip_allowlist);
    assert_eq!(
        store
            .tenant_settings(&admin().await, Effects::default())
            .await
            .unwrap(),
        first
    );

    let before = audit_len(&*store).await;
    for stale in [0, 2] {
        assert_refused!(
            store.update_tenant_settings(
                &admin().await,
                TenantSettingsValues::default(),
                stale,
                t(112),
                fx("x", "a"),
            ),
            StoreError::VersionConflict,
            stale
        );
    }
    assert_eq!(audit_len(&*store).await, before);
    let second = TenantSettingsValues {
        mfa_required: true,
        session_timeout_minutes: 30,
        ..values
    };
    let saved = store
        .update_tenant_settings(&admin().await, second, 1, t(113), Effects::default())
        .await
        .unwrap();
    assert_eq!(
        (saved.version, saved.mfa_required, saved.sso_required),
        (2, true, true)
    );
    assert_eq!(saved.session_timeout_minutes, 30);
}

/// A proof taken while the grant was active no longer opens anything once the grant is released
/// (the store checks the grant again inside the data's transaction), and writes nothing.
async fn a_proof_is_worthless_once_its_grant_ends(store: Arc<dyn Store>) {
    let d = loaded(&store).await;
    let access = proof::<scope::Read>(&store, d.engineer, d.tenant_a, 110).await;
    let grant = store
        .grant(access.grant_id(), t(110))
        .await
        .unwrap()
        .unwrap();
    store
        .end_grant(
            &own(d.engineer),
            EndGrant {
                grant_id: grant.id,
                reason: opsdesk_core::access::GrantEndReason::Released,
                by: Some(d.engineer),
                comment: None,
                at: t(111),
            },
            Effects::default(),
        )
        .await
        .unwrap();
    let before = audit_len(&*store).await;
    let refused = store
        .list_tenant_users(&access, None, None, 10, fx("tenant_data.read", "users"))
        .await;
    assert!(
        matches!(refused, Err(StoreError::GrantEnded)),
        "{refused:?}"
    );
    assert_eq!(audit_len(&*store).await, before, "nothing written");
}
