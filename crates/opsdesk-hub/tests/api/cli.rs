//! The `opsdesk-hub` binary: bootstrap-admin prints a working invite; `audit verify` reports a
//! tampered chain with exit code 1; `serve` answers on its port.

use crate::helpers::*;
use opsdesk_core::Role;
use std::process::Command;

fn hub_cmd(url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdesk-hub"));
    cmd.arg("--database").arg(url).env("OPSDESK_LOG", "warn");
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_admin_then_verify_then_tamper() {
    let app = spawn_app(Db::Sqlite).await;
    let url = app.db.url.clone();
    let out = hub_cmd(&url)
        .args([
            "bootstrap-admin",
            "--username",
            "Boss",
            "--email",
            "boss@example.com",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout
        .lines()
        .find(|l| l.starts_with("odi_"))
        .expect("invite printed")
        .to_owned();
    let boss = app.enroll(&token, Role::Admin).await;
    assert_eq!(boss.username, "boss");
    // Second bootstrap is refused with a sentence, not a panic.
    let out = hub_cmd(&url)
        .args([
            "bootstrap-admin",
            "--username",
            "other",
            "--email",
            "o@example.com",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    // Bad input names the flag.
    let out = hub_cmd(&url)
        .args([
            "bootstrap-admin",
            "--username",
            "x",
            "--email",
            "o@example.com",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--username"));
    let out = hub_cmd(&url).args(["audit", "verify"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));
    let exported = hub_cmd(&url)
        .args(["audit", "export", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let csv = String::from_utf8(exported.stdout).unwrap();
    assert!(csv.starts_with("seq,at,actor,action,target,client_addr,details,prev_hash,hash\n"));
    assert!(
        csv.lines().any(|l| l.contains(",audit.exported,")),
        "the export is recorded"
    );
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("DROP TRIGGER IF EXISTS audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for (n,) in names {
        sqlx::query(&format!("DROP TRIGGER {n}"))
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE audit_log SET actor = 'staff:someone-else' WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    let out = hub_cmd(&url).args(["audit", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("BROKEN at entry 2"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_on_its_port_with_config_from_file_and_environment() {
    let dir = std::env::temp_dir().join(format!("opsdesk-serve-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    std::fs::write(
        dir.join("hub.toml"),
        format!("bind = \"127.0.0.1:{port}\"\n[auth]\nlockout_threshold = 3\n"),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsdesk-hub"))
        .args(["--config"])
        .arg(dir.join("hub.toml"))
        .arg("--data-dir")
        .arg(&dir)
        .arg("serve")
        .env("OPSDESK_AUTH__LOCKOUT_MINUTES", "20")
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..100 {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            ready = r.status() == 200;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(ready, "the hub answered /readyz");
    assert!(
        dir.join("hub.sqlite").exists(),
        "default SQLite file in the data folder"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
