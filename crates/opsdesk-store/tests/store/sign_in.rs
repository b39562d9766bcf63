//! Enrollment by invite and the second sign-in step: one-time things stay one-time.

use crate::harness::*;
use opsdesk_core::staff::{Severity, StaffStatus};
use opsdesk_core::Role;
use opsdesk_store::*;
use std::sync::Arc;
use uuid::Uuid;

store_tests!(
    enrollment_completes_once_from_a_staged_invite,
    a_sign_in_challenge_is_single_use_and_a_totp_step_cannot_be_replayed,
    a_recovery_code_works_once,
    failures_and_locks_are_recorded_and_cleared_by_a_sign_in,
);

fn enrollment(invite_id: Uuid, staff_id: Uuid, codes: &[&str]) -> CompleteEnrollment {
    CompleteEnrollment {
        invite_id,
        staff_id,
        totp_step: 500,
        recovery_code_hashes: codes.iter().map(|c| c.to_string()).collect(),
        session: new_session(staff_id, t(10)),
        now: t(10),
    }
}

fn challenge(id_hash: &str, staff_id: Uuid) -> NewLoginChallenge {
    NewLoginChallenge {
        id_hash: id_hash.to_owned(),
        staff_id,
        created_at: t(100),
        expires_at: t(400),
    }
}

fn sign_in(id_hash: &str, staff_id: Uuid, step: Option<i64>, code: Option<&str>) -> CompleteSignIn {
    CompleteSignIn {
        challenge_hash: id_hash.to_owned(),
        staff_id,
        totp_step: step,
        recovery_code_hash: code.map(str::to_owned),
        session: new_session(staff_id, t(120)),
        now: t(120),
    }
}

async fn enrollment_completes_once_from_a_staged_invite(store: Arc<dyn Store>) {
    let (staff, invite) = new_staff("alice", Role::Agent);
    let id = staff.id;
    store
        .create_staff(
            &admin(),
            staff,
            invite.clone(),
            fx("staff.invited", "alice"),
        )
        .await
        .unwrap();

    let err = store
        .complete_enrollment(enrollment(invite.id, id, &[]), fx("x", "y"))
        .await;
    assert!(
        matches!(err, Err(StoreError::AlreadyUsed("invite_not_staged"))),
        "{err:?}"
    );
    let err = store
        .complete_enrollment(enrollment(Uuid::new_v4(), id, &[]), fx("x", "y"))
        .await;
    assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");
    let err = store.stage_enrollment(Uuid::new_v4(), "pw", "secret").await;
    assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");

    // A later offer replaces an earlier one.
    store
        .stage_enrollment(invite.id, "$argon2id$first", "FIRSTSECRET")
        .await
        .unwrap();
    store
        .stage_enrollment(invite.id, "$argon2id$second", "SECONDSECRET")
        .await
        .unwrap();
    let staged = store
        .invite_by_token(&invite.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        staged.staged_password_hash.as_deref(),
        Some("$argon2id$second")
    );
    assert_eq!(staged.staged_totp_secret.as_deref(), Some("SECONDSECRET"));

    let done = enrollment(invite.id, id, &["h1", "h2", "h3"]);
    let session = done.session.clone();
    let active = store
        .complete_enrollment(done.clone(), fx("staff.enrolled", "alice"))
        .await;
    let active = active.unwrap();
    assert_eq!(active.status, StaffStatus::Active);
    assert_eq!(active.password_hash.as_deref(), Some("$argon2id$second"));
    assert_eq!(active.totp_secret.as_deref(), Some("SECONDSECRET"));
    assert_eq!(
        (active.totp_last_step, active.failed_attempts),
        (Some(500), 0)
    );
    assert_eq!((active.version, active.updated_at), (2, t(10)));
    assert_eq!(store.recovery_codes_left(id).await.unwrap(), 3);
    assert!(store.recovery_code_unused(id, "h2").await.unwrap());
    assert!(!store.recovery_code_unused(id, "h9").await.unwrap());
    let used = store
        .invite_by_token(&invite.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.used_at, Some(t(10)));

    let (open, member) = store
        .session_by_token(&session.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (open.id, open.staff_id, open.ended_at),
        (session.id, id, None)
    );
    assert_eq!((open.created_at, open.last_seen_at), (t(10), t(10)));
    assert_eq!(
        (open.client_addr.as_str(), open.user_agent.as_str()),
        ("10.0.0.7", "opsdesk-test")
    );
    assert_eq!(member, active);

    // The invite cannot be used again, nor staged again.
    let again = enrollment(invite.id, id, &["h4"]);
    let err = store
        .complete_enrollment(again, fx("staff.enrolled", "again"))
        .await;
    assert!(
        matches!(err, Err(StoreError::AlreadyUsed("invite_used"))),
        "{err:?}"
    );
    let err = store.stage_enrollment(invite.id, "pw", "secret").await;
    assert!(
        matches!(err, Err(StoreError::AlreadyUsed("invite_used"))),
        "{err:?}"
    );
    assert_eq!(store.recovery_codes_left(id).await.unwrap(), 3);
    let audit = store
        .list_audit(&AuditFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<_> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["staff.enrolled", "staff.invited"]);
}

async fn a_sign_in_challenge_is_single_use_and_a_totp_step_cannot_be_replayed(
    store: Arc<dyn Store>,
) {
    let alice = enrolled(&*store, "alice", Role::Agent).await;
    let id = alice.staff.id;
    store
        .create_login_challenge(challenge("c1", id))
        .await
        .unwrap();
    let stored = store.login_challenge("c1").await.unwrap().unwrap();
    assert_eq!(
        stored,
        LoginChallengeRecord {
            id_hash: "c1".into(),
            staff_id: id,
            created_at: t(100),
            expires_at: t(400),
        }
    );
    assert_eq!(store.login_challenge("c2").await.unwrap(), None);

    // Step 100 was used at enrollment: refused, and nothing is consumed or written.
    for step in [99, 100] {
        let replay = sign_in("c1", id, Some(step), None);
        let token = replay.session.token_hash.clone();
        let err = store
            .complete_sign_in(replay, fx("auth.sign_in", "alice"))
            .await;
        assert!(
            matches!(err, Err(StoreError::AlreadyUsed("totp_replayed"))),
            "{err:?}"
        );
        assert_eq!(store.session_by_token(&token).await.unwrap(), None);
    }
    assert!(store.login_challenge("c1").await.unwrap().is_some());
    assert_eq!(audit_len(&*store).await, 2);

    let ok = sign_in("c1", id, Some(101), None);
    let token = ok.session.token_hash.clone();
    store
        .complete_sign_in(ok, fx("auth.sign_in", "alice"))
        .await
        .unwrap();
    assert_eq!(store.login_challenge("c1").await.unwrap(), None);
    let (_, member) = store.session_by_token(&token).await.unwrap().unwrap();
    assert_eq!(member.totp_last_step, Some(101));
    assert_eq!(audit_len(&*store).await, 3);

    let err = store
        .complete_sign_in(sign_in("c1", id, Some(102), None), fx("a", "b"))
        .await;
    assert!(
        matches!(err, Err(StoreError::AlreadyUsed("challenge_used"))),
        "{err:?}"
    );
    // A challenge only completes for its own staff member.
    let bob = enrolled(&*store, "bob", Role::Agent).await;
    store
        .create_login_challenge(challenge("c3", id))
        .await
        .unwrap();
    let err = store.complete_sign_in(sign_in("c3", bob.staff.id, Some(200), None), fx("a", "b"));
    assert!(matches!(
        err.await,
        Err(StoreError::AlreadyUsed("challenge_used"))
    ));
    // The same step again, on a new challenge, is a replay.
    let err = store
        .complete_sign_in(sign_in("c3", id, Some(101), None), fx("a", "b"))
        .await;
    assert!(
        matches!(err, Err(StoreError::AlreadyUsed("totp_replayed"))),
        "{err:?}"
    );
    assert_eq!(audit_len(&*store).await, 5);
}

async fn a_recovery_code_works_once(store: Arc<dyn Store>) {
    let alice = enrolled(&*store, "alice", Role::Agent).await;
    let id = alice.staff.id;
    let code = alice.codes[0].as_str();
    assert_eq!(store.recovery_codes_left(id).await.unwrap(), 3);
    assert!(store.recovery_code_unused(id, code).await.unwrap());

    store
        .create_login_challenge(challenge("c1", id))
        .await
        .unwrap();
    let first = sign_in("c1", id, None, Some(code));
    let token = first.session.token_hash.clone();
    store
        .complete_sign_in(first, fx("auth.recovery_code_used", "alice"))
        .await
        .unwrap();
    assert!(store.session_by_token(&token).await.unwrap().is_some());
    assert!(!store.recovery_code_unused(id, code).await.unwrap());
    assert_eq!(store.recovery_codes_left(id).await.unwrap(), 2);
    // The TOTP step is untouched by a recovery sign-in.
    let member = store.staff_by_id(id).await.unwrap().unwrap();
    assert_eq!(member.totp_last_step, Some(100));

    store
        .create_login_challenge(challenge("c2", id))
        .await
        .unwrap();
    for used in [code, "not-a-code"] {
        let again = sign_in("c2", id, None, Some(used));
        let err = store
            .complete_sign_in(again, fx("auth.recovery_code_used", "alice"))
            .await;
        assert!(
            matches!(err, Err(StoreError::AlreadyUsed("recovery_code_used"))),
            "{err:?}"
        );
    }
    // The refused attempts consumed nothing.
    assert!(store.login_challenge("c2").await.unwrap().is_some());
    assert_eq!(store.recovery_codes_left(id).await.unwrap(), 2);
    assert_eq!(audit_len(&*store).await, 3);
}

async fn failures_and_locks_are_recorded_and_cleared_by_a_sign_in(store: Arc<dyn Store>) {
    let alice = enrolled(&*store, "alice", Role::Agent).await;
    let id = alice.staff.id;
    let failed = fx("auth.sign_in_failed", "alice");
    store
        .record_sign_in_failure(Some(id), 1, None, failed.clone())
        .await
        .unwrap();
    let member = store.staff_by_id(id).await.unwrap().unwrap();
    assert_eq!((member.failed_attempts, member.locked_until), (1, None));

    let locked =
        fx("auth.locked_out", "alice").with_security(event("locked_out", Severity::Medium, t(90)));
    store
        .record_sign_in_failure(Some(id), 5, Some(t(990)), locked)
        .await
        .unwrap();
    let member = store.staff_by_id(id).await.unwrap().unwrap();
    assert_eq!(
        (member.failed_attempts, member.locked_until),
        (5, Some(t(990)))
    );
    // Bookkeeping is not an edit: the version stays, so administrators' edits do not conflict.
    assert_eq!(member.version, alice.staff.version);

    // An unknown name still leaves its trace.
    let unknown = fx("auth.sign_in_failed", "mallory").with_security(event(
        "sign_in_failed",
        Severity::Low,
        t(91),
    ));
    store
        .record_sign_in_failure(None, 1, None, unknown)
        .await
        .unwrap();
    assert_eq!(audit_len(&*store).await, 5);
    assert_eq!(all_events(&*store).await.len(), 2);

    store
        .create_login_challenge(challenge("c1", id))
        .await
        .unwrap();
    store
        .complete_sign_in(
            sign_in("c1", id, Some(300), None),
            fx("auth.sign_in", "alice"),
        )
        .await
        .unwrap();
    let member = store.staff_by_id(id).await.unwrap().unwrap();
    assert_eq!((member.failed_attempts, member.locked_until), (0, None));
    assert_eq!(member.totp_last_step, Some(300));
    assert_eq!(audit_len(&*store).await, 6);
}
