//! Sign-in (password, then TOTP) latency and throughput against a real hub on SQLite with the
//! production argon2id cost (19 MiB, 2 passes). 64 staff members sign in round after round at
//! concurrency 1, 4 and 16. Run: `cargo bench -p opsdesk-hub --bench sign_in`.

use chrono::Duration;
use futures::stream::{self, StreamExt};
use opsdesk_core::totp::TotpSecret;
use opsdesk_core::Role;
use opsdesk_hub::clock::Clock;
use opsdesk_hub::config::AuthSettings;
use opsdesk_hub::testing::{bench_settings, spawn_app_with, Db, TestApp, PASSWORD};
use opsdesk_proto::{LoginChallenge, SignedIn};
use serde_json::json;
use std::time::Instant;

const PEOPLE: usize = 64;
const ROUNDS: usize = 4;

#[tokio::main]
async fn main() {
    let mut settings = bench_settings();
    let production = AuthSettings::default();
    settings.auth.argon2_memory_kib = production.argon2_memory_kib;
    settings.auth.argon2_iterations = production.argon2_iterations;
    settings.auth.sign_in_burst = 1_000_000;
    settings.auth.sign_in_per_minute = 1_000_000;
    let app = spawn_app_with(Db::Sqlite, settings).await;
    let admin = app.admin().await;
    let mut people: Vec<(String, TotpSecret)> = Vec::new();
    for i in 0..PEOPLE {
        let p = app
            .invite(&admin, &format!("bench{i:03}"), Role::Agent)
            .await;
        people.push((p.username, p.secret));
    }
    println!(
        "sign-in with argon2id m={} KiB t={}; {PEOPLE} staff, {ROUNDS} rounds per level",
        production.argon2_memory_kib, production.argon2_iterations
    );
    for concurrency in [1usize, 4, 16] {
        let mut password_ms = Vec::new();
        let mut total_ms = Vec::new();
        let started = Instant::now();
        for _ in 0..ROUNDS {
            // Each person's code is single-use per 30-second step: move to a fresh step.
            app.clock.advance(Duration::seconds(30));
            let now = app.clock.now().timestamp();
            let results: Vec<(f64, f64)> = stream::iter(people.iter())
                .map(|(username, secret)| sign_in(&app, username, secret.code_at(now)))
                .buffer_unordered(concurrency)
                .collect()
                .await;
            for (p, t) in results {
                password_ms.push(p);
                total_ms.push(t);
            }
        }
        let wall = started.elapsed().as_secs_f64();
        println!(
            "concurrency {concurrency:>2}: {} sign-ins in {wall:.2} s = {:.1}/s; password step p50 {:.1} ms p99 {:.1} ms; full sign-in p50 {:.1} ms p99 {:.1} ms",
            total_ms.len(),
            total_ms.len() as f64 / wall,
            pct(&mut password_ms, 0.50),
            pct(&mut password_ms, 0.99),
            pct(&mut total_ms, 0.50),
            pct(&mut total_ms, 0.99),
        );
    }
}

async fn sign_in(app: &TestApp, username: &str, code: String) -> (f64, f64) {
    let started = Instant::now();
    let challenge: LoginChallenge = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": username, "password": PASSWORD}),
        )
        .await
        .expect("password step");
    let password = started.elapsed().as_secs_f64() * 1000.0;
    let _: SignedIn = app
        .post(
            "/api/v1/auth/login/mfa",
            None,
            &json!({"challenge": challenge.challenge, "code": code}),
        )
        .await
        .expect("totp step");
    (password, started.elapsed().as_secs_f64() * 1000.0)
}

fn pct(samples: &mut [f64], q: f64) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    let idx = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples[idx]
}
