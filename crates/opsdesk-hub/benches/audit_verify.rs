//! Audit chain verification read back from the database, on SQLite and PostgreSQL: appends a
//! generated chain (default 1,000,000 entries; `OPSDESK_BENCH_AUDIT_ENTRIES` to change), then
//! times `Store::verify_audit` three times. Run: `cargo bench -p opsdesk-hub --bench audit_verify`.

use opsdesk_hub::testing::{fresh_database, Db};
use opsdesk_store::{AuditDraft, Effects};
use serde_json::json;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let n: i64 = std::env::var("OPSDESK_BENCH_AUDIT_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    for db in [Db::Sqlite, Db::Postgres] {
        let database = fresh_database(db).await;
        let store = opsdesk_store::open(&database.url)
            .await
            .expect("open store");
        let base = chrono::Utc::now();
        let started = Instant::now();
        let batch = 10_000;
        let mut written = 0;
        while written < n {
            let audit = (0..batch.min(n - written))
                .map(|i| {
                    let seq = written + i;
                    AuditDraft {
                        at: base + chrono::Duration::milliseconds(seq),
                        actor: format!("staff:0192f3a0-7c1e-7d2a-9b1c-{:012x}", seq % 500),
                        action: "auth.sign_in".into(),
                        target: format!("staff:0192f3a0-7c1e-7d2a-9b1c-{:012x}", (seq * 7) % 500),
                        client_addr: format!("10.0.{}.{}", seq % 200, seq % 250),
                        details: json!({"method": "totp", "session": format!("0192f3a0-{seq:012x}"), "user_agent": "Opsdesk/0.1"}),
                    }
                })
                .collect();
            store
                .record(Effects {
                    audit,
                    security: Vec::new(),
                    ..Default::default()
                })
                .await
                .expect("append");
            written += batch;
        }
        let append_secs = started.elapsed().as_secs_f64();
        println!(
            "{db:?}: appended {n} entries in {append_secs:.1} s ({:.0} entries/s)",
            n as f64 / append_secs
        );
        for run in 1..=3 {
            let started = Instant::now();
            let report = store.verify_audit().await.expect("verify");
            let secs = started.elapsed().as_secs_f64();
            assert!(report.first_break.is_none());
            assert_eq!(report.checked, n as u64);
            println!(
                "{db:?}: verify run {run}: {n} entries in {secs:.3} s = {:.0} entries/s",
                n as f64 / secs
            );
        }
    }
}
