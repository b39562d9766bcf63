//! What the database itself refuses, and what verification finds when someone with raw access
//! edits or deletes audit entries anyway; also unreadable rows and choosing a backend by URL.

use crate::harness::*;
use opsdesk_core::audit::ChainBreak;
use opsdesk_core::Role;
use opsdesk_store::*;
use sqlx::Executor;

/// Appends six entries and returns the stored details of entry 3.
async fn six_entries(db: &TestStore) -> String {
    for i in 1..=6 {
        let draft = entry(
            "staff:admin",
            "staff.role_changed",
            &format!("staff:{i}"),
            t(i),
        );
        db.store.record(Effects::audit(draft)).await.unwrap();
    }
    assert_eq!(audit_len(&*db.store).await, 6);
    let third = AuditFilter {
        before_seq: Some(4),
        limit: 1,
        ..Default::default()
    };
    db.store.list_audit(&third).await.unwrap().remove(0).details
}

async fn refused(db: &TestStore, sql: &str) {
    let err = db.raw.execute(sql).await.unwrap_err();
    assert!(
        err.to_string().contains("audit_log is append-only"),
        "{sql}: {err}"
    );
}

async fn first_break(db: &TestStore) -> (u64, Option<ChainBreak>) {
    let report = db.store.verify_audit().await.unwrap();
    (report.checked, report.first_break)
}

#[tokio::test]
async fn sqlite_refuses_audit_edits_and_verification_names_the_tampered_entry() {
    let db = sqlite().await;
    let original = six_entries(&db).await;
    refused(&db, "UPDATE audit_log SET details = '{}' WHERE seq = 3").await;
    refused(&db, "DELETE FROM audit_log WHERE seq = 5").await;
    assert_eq!(first_break(&db).await, (6, None));

    // Someone with the file drops the guard and edits entry 3.
    db.raw
        .execute("DROP TRIGGER audit_log_no_update")
        .await
        .unwrap();
    let edited = db
        .raw
        .execute(r#"UPDATE audit_log SET details = '{"role":"admin"}' WHERE seq = 3"#);
    assert_eq!(edited.await.unwrap(), 1);
    assert_eq!(
        first_break(&db).await,
        (2, Some(ChainBreak::Altered { seq: 3 }))
    );

    // Put back, the chain holds again; then entry 5 is deleted.
    let restore = format!("UPDATE audit_log SET details = '{original}' WHERE seq = 3");
    db.raw.execute(&restore).await.unwrap();
    assert_eq!(first_break(&db).await, (6, None));
    db.raw
        .execute("DROP TRIGGER audit_log_no_delete")
        .await
        .unwrap();
    assert_eq!(
        db.raw
            .execute("DELETE FROM audit_log WHERE seq = 5")
            .await
            .unwrap(),
        1
    );
    let missing = ChainBreak::Missing {
        seq: 6,
        expected_seq: 5,
    };
    assert_eq!(first_break(&db).await, (4, Some(missing)));
}

#[tokio::test]
async fn postgres_refuses_audit_edits_and_verification_names_the_tampered_entry() {
    let db = postgres().await;
    let original = six_entries(&db).await;
    refused(&db, "UPDATE audit_log SET details = '{}' WHERE seq = 3").await;
    refused(&db, "DELETE FROM audit_log WHERE seq = 5").await;
    refused(&db, "TRUNCATE audit_log").await;
    assert_eq!(first_break(&db).await, (6, None));

    // A superuser can switch triggers off for their own connection.
    let Raw::Postgres(pool) = &db.raw else {
        unreachable!()
    };
    let mut conn = pool.acquire().await.unwrap();
    conn.execute("SET session_replication_role = replica")
        .await
        .unwrap();
    let edited = conn.execute(r#"UPDATE audit_log SET details = '{"role":"admin"}' WHERE seq = 3"#);
    assert_eq!(edited.await.unwrap().rows_affected(), 1);
    assert_eq!(
        first_break(&db).await,
        (2, Some(ChainBreak::Altered { seq: 3 }))
    );

    let restore = format!("UPDATE audit_log SET details = '{original}' WHERE seq = 3");
    conn.execute(restore.as_str()).await.unwrap();
    assert_eq!(first_break(&db).await, (6, None));
    let deleted = conn
        .execute("DELETE FROM audit_log WHERE seq = 5")
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 1);
    let missing = ChainBreak::Missing {
        seq: 6,
        expected_seq: 5,
    };
    assert_eq!(first_break(&db).await, (4, Some(missing)));
    conn.execute("SET session_replication_role = DEFAULT")
        .await
        .unwrap();
}

async fn an_unknown_role_reads_as_corrupt(db: TestStore) {
    let alice = enrolled(&*db.store, "alice", Role::Agent).await;
    db.raw
        .execute("UPDATE staff SET role = 'overlord'")
        .await
        .unwrap();
    let err = db.store.staff_by_id(alice.staff.id).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt(m) if m.contains("overlord")),
        "{err:?}"
    );
    let all = StaffFilter {
        limit: 10,
        ..Default::default()
    };
    assert!(matches!(
        db.store.list_staff(&all).await,
        Err(StoreError::Corrupt(_))
    ));
    let token = &alice.session.token_hash;
    assert!(matches!(
        db.store.session_by_token(token).await,
        Err(StoreError::Corrupt(_))
    ));
}

#[tokio::test]
async fn sqlite_an_unknown_role_reads_as_corrupt() {
    an_unknown_role_reads_as_corrupt(sqlite().await).await;
}

#[tokio::test]
async fn postgres_an_unknown_role_reads_as_corrupt() {
    an_unknown_role_reads_as_corrupt(postgres().await).await;
}

#[tokio::test]
async fn open_picks_the_backend_from_the_url() {
    let store = open("sqlite::memory:").await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    store.ping().await.unwrap();
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
    assert!(store.staff_by_id(staff.id).await.unwrap().is_some());
    assert_eq!(audit_len(&*store).await, 1);

    let pg = postgres().await;
    assert_eq!(pg.store.backend(), Backend::Postgres);
    pg.store.ping().await.unwrap();

    let err = open("mysql://localhost/opsdesk")
        .await
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("sqlite:// or postgres://"),
        "{err}"
    );
}
