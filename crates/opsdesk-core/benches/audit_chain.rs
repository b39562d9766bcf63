//! Audit chain verification throughput in memory (hashing and comparison only), on a generated
//! chain of realistic entries. DESIGN.md budget: at least 500,000 entries/s.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use opsdesk_core::audit::{entry_hash, AuditFields, ChainVerifier, GENESIS_HASH};

struct Row {
    seq: i64,
    at: i64,
    actor: String,
    action: &'static str,
    target: String,
    addr: String,
    details: String,
    prev: String,
    hash: String,
}

fn fields(r: &Row) -> AuditFields<'_> {
    AuditFields {
        seq: r.seq,
        at_ms: r.at,
        actor: &r.actor,
        action: r.action,
        target: &r.target,
        client_addr: &r.addr,
        details: &r.details,
    }
}

fn chain(n: i64) -> Vec<Row> {
    let actions = [
        "auth.sign_in",
        "staff.role_changed",
        "session.ended",
        "auth.sign_in_failed",
    ];
    let mut prev = GENESIS_HASH.to_owned();
    (1..=n)
        .map(|seq| {
            let mut r = Row {
                seq,
                at: 1_790_000_000_000 + seq * 37,
                actor: format!("staff:0192f3a0-7c1e-7d2a-9b1c-{:012x}", seq % 500),
                action: actions[(seq % 4) as usize],
                target: format!("staff:0192f3a0-7c1e-7d2a-9b1c-{:012x}", (seq * 7) % 500),
                addr: format!("10.0.{}.{}", seq % 200, seq % 250),
                details: format!(
                    r#"{{"method":"totp","session":"0192f3a0-7c1e-7d2a-9b1c-{seq:012x}","user_agent":"Opsdesk/0.1"}}"#
                ),
                prev: prev.clone(),
                hash: String::new(),
            };
            r.hash = entry_hash(&prev, &fields(&r));
            prev = r.hash.clone();
            r
        })
        .collect()
}

fn verify(c: &mut Criterion) {
    let n = 100_000;
    let rows = chain(n);
    let mut group = c.benchmark_group("audit_chain");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(20);
    group.bench_function("verify_100k", |b| {
        b.iter_batched(
            ChainVerifier::new,
            |mut v| {
                for r in &rows {
                    v.push(&fields(r), &r.prev, &r.hash).expect("intact");
                }
                v.checked()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
