//! Fresh databases for each test (removed afterwards, even when the test panics) and the
//! records the tests build.

use chrono::{DateTime, Duration, Utc};
use opsdesk_core::proof::{cap, Capability, Granted, OwnOrAny};
use opsdesk_core::Role;
use opsdesk_store::testing::TestDatabase;
use opsdesk_store::*;
use sqlx::{PgPool, SqlitePool};
use std::sync::Arc;
use uuid::Uuid;

/// Raw access to the database under a store, for tampering: as the tables' owner, the way
/// someone with direct database access would connect (not as the store's own connections, which
/// on PostgreSQL act as the restricted role `opsdesk_hub`).
pub enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The proof of a permission the store's writes take, as an admin's check issues it.
pub fn admin<C: Capability>() -> Granted<C> {
    Granted::check(Role::Admin).expect("admins hold every permission")
}

/// The proof that `owner` acts on what they hold (their sessions, their grant).
pub fn own<C: Capability>(owner: Uuid) -> OwnOrAny<C> {
    OwnOrAny::check(owner, Role::Viewer, owner).expect("one's own needs no permission")
}

/// The proof ticket writes take, as an agent's check issues it.
pub fn work() -> Granted<cap::TicketsWork> {
    Granted::check(Role::Agent).expect("agents work tickets")
}

/// A store on a database that is removed when this is dropped.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    pub raw: Raw,
    _db: TestDatabase,
}

/// A store on a new SQLite file in a new folder (whose parent the store must create).
pub async fn sqlite() -> TestStore {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let store = SqliteStore::connect(&db.url)
        .await
        .expect("open the SQLite store");
    // SQLite has no roles: the store's own connections are the owner's.
    let raw = Raw::Sqlite(store.pool().clone());
    TestStore {
        store: Arc::new(store),
        raw,
        _db: db,
    }
}

/// A store on a new PostgreSQL database; fails the test if the server is unreachable.
pub async fn postgres() -> TestStore {
    let db = TestDatabase::create(Backend::Postgres).await;
    let store = PostgresStore::connect(&db.url)
        .await
        .expect("open the PG store");
    let owner = PgPool::connect(&db.url)
        .await
        .expect("connect to the PG test database as its owner");
    let raw = Raw::Postgres(owner);
    TestStore {
        store: Arc::new(store),
        raw,
        _db: db,
    }
}

/// A fixed instant plus `secs` seconds.
pub fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000, 0).expect("valid time") + Duration::seconds(secs)
}

/// A staff member to create and their enrollment invite.
pub fn new_staff(username: &str, role: Role) -> (NewStaff, NewInvite) {
    let id = Uuid::new_v4();
    let staff = NewStaff {
        id,
        username: username.to_owned(),
        display_name: format!("{username} display"),
        email: format!("{username}@example.test"),
        role,
        created_at: t(0),
    };
    (staff, new_invite(id, InviteKind::Enroll, t(0)))
}

/// An invite for `staff_id` with a random token hash.
pub fn new_invite(staff_id: Uuid, kind: InviteKind, at: DateTime<Utc>) -> NewInvite {
    NewInvite {
        id: Uuid::new_v4(),
        token_hash: format!("invite-{}", Uuid::new_v4().simple()),
        staff_id,
        kind,
        created_by: None,
        created_at: at,
        expires_at: at + Duration::days(7),
    }
}

/// A session for `staff_id` opened at `at`, with a random token hash.
pub fn new_session(staff_id: Uuid, at: DateTime<Utc>) -> NewSession {
    NewSession {
        id: Uuid::new_v4(),
        token_hash: format!("session-{}", Uuid::new_v4().simple()),
        staff_id,
        created_at: at,
        client_addr: "10.0.0.7".to_owned(),
        user_agent: "opsdesk-test".to_owned(),
    }
}

/// An audit entry.
pub fn entry(actor: &str, action: &str, target: &str, at: DateTime<Utc>) -> AuditDraft {
    AuditDraft {
        at,
        actor: actor.to_owned(),
        action: action.to_owned(),
        target: target.to_owned(),
        client_addr: "10.0.0.7".to_owned(),
        details: serde_json::json!({"note": format!("{action} {target}"), "n": [1, 2]}),
    }
}

/// Effects with one audit entry by `admin`.
pub fn fx(action: &str, target: &str) -> Effects {
    Effects::audit(entry("staff:admin", action, target, t(1)))
}

/// A security event.
pub fn event(
    kind: &str,
    severity: opsdesk_core::staff::Severity,
    at: DateTime<Utc>,
) -> SecurityEventDraft {
    SecurityEventDraft {
        id: Uuid::new_v4(),
        at,
        kind: kind.to_owned(),
        severity,
        staff_id: None,
        actor: "staff:admin".to_owned(),
        client_addr: "10.0.0.7".to_owned(),
        summary: format!("{kind} happened"),
        details: serde_json::json!({"kind": kind}),
    }
}

/// How many audit entries the chain holds (verifying it on the way).
pub async fn audit_len(store: &dyn Store) -> u64 {
    let report = store.verify_audit().await.unwrap();
    assert_eq!(report.first_break, None);
    report.checked
}

/// Every security event, newest first.
pub async fn all_events(store: &dyn Store) -> Vec<SecurityEventRecord> {
    store
        .list_security_events(&SecurityEventFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
}

/// A staff member who completed enrollment: their record, the session enrollment opened
/// (TOTP step 100 recorded) and their recovery code hashes.
pub struct Enrolled {
    pub staff: StaffRecord,
    pub session: NewSession,
    pub codes: Vec<String>,
}

/// Creates, stages and completes the enrollment of `username`.
pub async fn enrolled(store: &dyn Store, username: &str, role: Role) -> Enrolled {
    let (staff, invite) = new_staff(username, role);
    let staff_id = staff.id;
    store
        .create_staff(
            &admin(),
            staff,
            invite.clone(),
            fx("staff.invited", username),
        )
        .await
        .unwrap();
    store
        .stage_enrollment(invite.id, "$argon2id$pw", "JBSWY3DPEHPK3PXP")
        .await
        .unwrap();
    let session = new_session(staff_id, t(10));
    let codes: Vec<String> = (0..3).map(|i| format!("code-{username}-{i}")).collect();
    let staff = store
        .complete_enrollment(
            CompleteEnrollment {
                invite_id: invite.id,
                staff_id,
                totp_step: 100,
                recovery_code_hashes: codes.clone(),
                session: session.clone(),
                now: t(10),
            },
            fx("staff.enrolled", username),
        )
        .await
        .unwrap();
    Enrolled {
        staff,
        session,
        codes,
    }
}

impl Raw {
    /// Runs one SQL statement outside the store; returns the rows it changed.
    pub async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match self {
            Raw::Sqlite(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
            Raw::Postgres(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
        }
    }
}
