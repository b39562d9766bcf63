//! Sessions: listing, touching, ending one, and ending all but the current one.

use crate::harness::*;
use opsdesk_core::Role;
use opsdesk_store::*;
use std::sync::Arc;
use uuid::Uuid;

store_tests!(sessions_are_listed_touched_and_ended);

async fn sign_in_at(store: &dyn Store, staff_id: Uuid, n: i64) -> NewSession {
    let challenge = format!("c{n}");
    let session = new_session(staff_id, t(100 * n));
    store
        .create_login_challenge(NewLoginChallenge {
            id_hash: challenge.clone(),
            staff_id,
            created_at: t(100 * n),
            expires_at: t(100 * n + 300),
        })
        .await
        .unwrap();
    let done = CompleteSignIn {
        challenge_hash: challenge,
        staff_id,
        totp_step: Some(100 + n),
        recovery_code_hash: None,
        session: session.clone(),
        now: t(100 * n),
    };
    store
        .complete_sign_in(done, fx("auth.sign_in", "alice"))
        .await
        .unwrap();
    session
}

async fn sessions_are_listed_touched_and_ended(store: Arc<dyn Store>) {
    let alice = enrolled(&*store, "alice", Role::Agent).await;
    let bob = enrolled(&*store, "bob", Role::Agent).await;
    let id = alice.staff.id;
    let s0 = alice.session.clone();
    let s1 = sign_in_at(&*store, id, 1).await;
    let s2 = sign_in_at(&*store, id, 2).await;
    let ids = |list: Vec<SessionRecord>| list.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.list_sessions(id).await.unwrap()),
        [s2.id, s1.id, s0.id]
    );

    store.touch_session(s1.id, t(150)).await.unwrap();
    let touched = store.session_by_id(s1.id).await.unwrap().unwrap();
    assert_eq!((touched.created_at, touched.last_seen_at), (t(100), t(150)));
    let (by_token, _) = store
        .session_by_token(&s1.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_token, touched);
    assert_eq!(store.session_by_id(Uuid::new_v4()).await.unwrap(), None);
    assert_eq!(store.session_by_token("no-such-token").await.unwrap(), None);

    let before = audit_len(&*store).await;
    assert!(store
        .end_session(
            &own(id),
            s1.id,
            "signed_out",
            t(160),
            fx("session.ended", "s1")
        )
        .await
        .unwrap());
    assert_eq!(audit_len(&*store).await, before + 1);
    let ended = store.session_by_id(s1.id).await.unwrap().unwrap();
    assert_eq!(
        (ended.ended_at, ended.ended_reason.as_deref()),
        (Some(t(160)), Some("signed_out"))
    );
    assert_eq!(store.session_by_token(&s1.token_hash).await.unwrap(), None);
    // Ending it again (or a session that never existed) does nothing and writes nothing.
    assert!(!store
        .end_session(&own(id), s1.id, "again", t(170), fx("session.ended", "s1"))
        .await
        .unwrap());
    let mine = own(id);
    let missing = store.end_session(&mine, Uuid::new_v4(), "x", t(170), fx("session.ended", "x"));
    assert!(!missing.await.unwrap());
    assert_eq!(audit_len(&*store).await, before + 1);
    assert_eq!(
        store
            .session_by_id(s1.id)
            .await
            .unwrap()
            .unwrap()
            .ended_reason
            .as_deref(),
        Some("signed_out")
    );

    let n = store
        .end_sessions_of(
            &own(id),
            Some(s2.id),
            "ended_by_owner",
            t(180),
            fx("session.ended", "others"),
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(ids(store.list_sessions(id).await.unwrap()), [s2.id]);
    let ended = store.session_by_id(s0.id).await.unwrap().unwrap();
    assert_eq!(ended.ended_reason.as_deref(), Some("ended_by_owner"));
    // Other staff keep their sessions.
    assert_eq!(
        ids(store.list_sessions(bob.staff.id).await.unwrap()),
        [bob.session.id]
    );

    let n = store
        .end_sessions_of(
            &own(id),
            None,
            "revoked",
            t(190),
            fx("session.ended", "all"),
        )
        .await;
    assert_eq!(n.unwrap(), 1);
    assert!(store.list_sessions(id).await.unwrap().is_empty());
    assert_eq!(audit_len(&*store).await, before + 3);
}
