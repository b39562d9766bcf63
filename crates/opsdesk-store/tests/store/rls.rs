//! PostgreSQL only: the store's connections act as `opsdesk_hub`, which row-level security lets
//! see and write only the tenants a transaction declares, and which cannot change the audit log;
//! the tables' owner still sees everything.

use crate::harness::{entry, t};
use crate::tenant_data::{load, user};
use opsdesk_core::access::TenantUserStatus;
use opsdesk_store::testing::TestDatabase;
use opsdesk_store::*;
use sqlx::{Connection, PgConnection, PgPool};
use std::sync::Arc;
use uuid::Uuid;

const TENANT_TABLES: [&str; 4] = [
    "tenant_users",
    "tenant_user_sign_ins",
    "tenant_password_resets",
    "tenant_settings",
];

async fn count(conn: &mut PgConnection, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(conn)
        .await
        .unwrap()
}

async fn counts(conn: &mut PgConnection) -> Vec<i64> {
    let mut out = Vec::new();
    for table in TENANT_TABLES {
        out.push(count(conn, table).await);
    }
    out
}

/// Rows in every tenant data table for `tenant`: `n` users, one sign-in each, a reset and
/// settings (the last two as the owner: the store writes them only under a grant).
async fn fill(store: &Arc<dyn Store>, owner: &PgPool, tenant: Uuid, n: usize) {
    let users = (0..n)
        .map(|i| {
            user(
                &format!("User {i}"),
                &format!("u{i}@{tenant}.test"),
                TenantUserStatus::Active,
            )
        })
        .collect();
    store
        .import_tenant_users(&load(tenant), users, t(0), Effects::default())
        .await
        .unwrap();
    let sign_ins = (0..n)
        .map(|i| NewTenantSignIn {
            email: format!("u{i}@{tenant}.test"),
            at: t(1),
            success: true,
            address: "198.51.100.7".into(),
            user_agent: "curl".into(),
        })
        .collect();
    store
        .record_tenant_sign_ins(&load(tenant), sign_ins, Effects::default())
        .await
        .unwrap();
    let staff: String = sqlx::query_scalar("SELECT id FROM staff LIMIT 1")
        .fetch_one(owner)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO tenant_password_resets (id, tenant_id, user_id, token_hash, created_by, \
         created_at, expires_at) SELECT $1, tenant_id, id, $1, $2, 0, 1 FROM tenant_users \
         WHERE tenant_id = $3 LIMIT 1",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(staff)
    .bind(tenant.to_string())
    .execute(owner)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO tenant_settings (tenant_id, sso_required, mfa_required, \
         session_timeout_minutes, ip_allowlist, data_retention_days, updated_at) \
         VALUES ($1, 0, 0, 60, '[]', 30, 0)",
    )
    .bind(tenant.to_string())
    .execute(owner)
    .await
    .unwrap();
}

/// Declares `tenant` for the rest of the transaction, as the store does.
async fn declare(tx: &mut PgConnection, tenant: Uuid) {
    sqlx::query("SELECT set_config('opsdesk.tenants', $1, true)")
        .bind(tenant.to_string())
        .execute(tx)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tenant_rows_are_visible_only_to_transactions_that_declare_the_tenant() {
    let db = TestDatabase::create(Backend::Postgres).await;
    let pg = PostgresStore::connect(&db.url)
        .await
        .expect("open the PG store");
    let hub = pg.pool().clone();
    let store: Arc<dyn Store> = Arc::new(pg);
    let owner = PgPool::connect(&db.url).await.unwrap();
    let d = crate::access::desk(&store).await;
    fill(&store, &owner, d.tenant_a, 2).await;
    fill(&store, &owner, d.tenant_b, 3).await;

    let mut conn = hub.acquire().await.unwrap();
    let me: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(me, "opsdesk_hub");
    // Undeclared, the hub sees no tenant's rows; the owner sees every one.
    assert_eq!(counts(&mut conn).await, vec![0, 0, 0, 0]);
    let mut owner_conn = owner.acquire().await.unwrap();
    assert_eq!(counts(&mut owner_conn).await, vec![5, 5, 2, 2]);

    // Declaring tenant A shows A's rows only, and only inside that transaction.
    let mut tx = conn.begin().await.unwrap();
    declare(&mut tx, d.tenant_a).await;
    assert_eq!(counts(&mut tx).await, vec![2, 2, 1, 1]);
    let others: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_users WHERE tenant_id = $1")
        .bind(d.tenant_b.to_string())
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(others, 0, "B's rows, asked for by name");
    let changed = sqlx::query("UPDATE tenant_users SET name = 'x' WHERE tenant_id = $1")
        .bind(d.tenant_b.to_string())
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(changed, 0);
    tx.commit().await.unwrap();
    assert_eq!(
        counts(&mut conn).await,
        vec![0, 0, 0, 0],
        "the declaration ended with it"
    );

    // Writing a row for B while declaring A is refused.
    let mut tx = conn.begin().await.unwrap();
    declare(&mut tx, d.tenant_a).await;
    let err = sqlx::query(
        "INSERT INTO tenant_users (id, tenant_id, name, name_key, email, role, status, \
         created_at, updated_at) VALUES ($1, $2, 'Mallory', 'mallory', 'm@b.test', 'owner', \
         'active', 0, 0)",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(d.tenant_b.to_string())
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    drop(tx);

    // The audit log takes appends from the hub, nothing else.
    store
        .record(Effects::audit(entry("staff:x", "test.appended", "t", t(2))))
        .await
        .unwrap();
    for sql in ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"] {
        let err = sqlx::query(sql).execute(&mut *conn).await.unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }
    assert_eq!(count(&mut owner_conn, "audit_log").await, 1);
}
