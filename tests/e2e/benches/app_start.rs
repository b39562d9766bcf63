//! Launch timings and idle memory of the desktop app, measured on the real app under Xvfb:
//! launch to the first screen painted (a new computer: the welcome screen), launch to signed in
//! (the desk painted with the session restored from the keyring), and resident memory of the
//! app's processes (the app and WebKit's web and network processes) idle 10 s after sign-in.
//! The UI reports each painted screen; the app logs it with the time since its process started.
//! Run: `scripts/bench-app` (builds the release app and runs this in a private desktop session).

#[path = "../tests/app/driver.rs"]
#[allow(dead_code)]
mod driver;
#[path = "../tests/app/flows.rs"]
#[allow(dead_code)]
mod flows;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const RUNS: usize = 5;

/// A process's name, resident set (RSS) and proportional set (PSS: shared pages divided among
/// the processes sharing them), in KiB.
type ProcessRss = (String, u64, u64);

/// Starts the app on `home` and returns (ms to first painted screen, its name, ms to `until`,
/// resident KiB of its process group after `idle`).
fn launch(
    app: &str,
    home: &Path,
    until: &str,
    idle: Option<Duration>,
) -> (u64, String, u64, Option<Vec<ProcessRss>>) {
    let mut child = Command::new(app)
        .env("OPSDESK_HOME", home)
        .env("OPSDESK_LOG", "warn,opsdesk::timing=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("start the app");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel::<(String, u64)>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let (Some(screen), Some(ms)) = (field(&line, "screen="), field(&line, "ms=")) {
                if let Ok(ms) = ms.parse() {
                    let _ = tx.send((screen, ms));
                }
            }
        }
    });
    let mut first: Option<(String, u64)> = None;
    let target = loop {
        let (screen, ms) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the app painted a screen within 60 s");
        if first.is_none() {
            first = Some((screen.clone(), ms));
        }
        if screen == until {
            break ms;
        }
    };
    let rss = idle.map(|d| {
        std::thread::sleep(d);
        group_rss_kib(child.id())
    });
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
    let (name, first_ms) = first.unwrap_or_default();
    (first_ms, name, target, rss)
}

fn field(line: &str, key: &str) -> Option<String> {
    let start = line.find(key)? + key.len();
    Some(
        line[start..]
            .split_whitespace()
            .next()?
            .trim_matches('"')
            .to_owned(),
    )
}

/// VmRSS of every process in process group `pgid` (the app and the WebKit processes it
/// started), by process name.
fn group_rss_kib(pgid: u32) -> Vec<ProcessRss> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let path = entry.path();
        let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
            continue;
        };
        let after_name = stat.rsplit_once(") ").map(|(_, rest)| rest).unwrap_or("");
        let group = after_name
            .split_whitespace()
            .nth(2)
            .and_then(|g| g.parse::<u32>().ok());
        if group != Some(pgid) {
            continue;
        }
        let status = std::fs::read_to_string(path.join("status")).unwrap_or_default();
        let name = status
            .lines()
            .find_map(|l| l.strip_prefix("Name:"))
            .unwrap_or("?")
            .trim()
            .to_owned();
        if let Some(kib) = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
        {
            let pss = std::fs::read_to_string(path.join("smaps_rollup"))
                .unwrap_or_default()
                .lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            found.push((name, kib, pss));
        }
    }
    found
}

fn summary(name: &str, mut samples: Vec<u64>) {
    samples.sort_unstable();
    let median = samples[samples.len() / 2];
    println!(
        "{name}: median {median} ms, min {} ms, max {} ms over {} launches",
        samples[0],
        samples[samples.len() - 1],
        samples.len()
    );
}

#[tokio::main]
async fn main() {
    let app = std::env::var("OPSDESK_E2E_APP").expect("OPSDESK_E2E_APP: the app binary to measure");
    let base =
        std::env::temp_dir().join(format!("opsdesk-bench-{}", uuid::Uuid::new_v4().simple()));

    // A new computer: launch to the welcome screen.
    let mut welcome = Vec::new();
    for i in 0..RUNS {
        let home = base.join(format!("fresh-{i}"));
        let (ms, screen, _, _) = launch(&app, &home, "welcome", None);
        assert_eq!(screen, "welcome");
        welcome.push(ms);
    }

    // Set up a signed-in workspace through the UI once (session kept in the keyring).
    let home = base.join("signed-in");
    let driven = driver::App::launch("bench-setup", home.clone()).await;
    flows::create_local_admin(&driven).await;
    driven.find("[data-test=signed-in-as]").await;
    driven.quit().await;

    let mut first = Vec::new();
    let mut desk = Vec::new();
    let mut rss = Vec::new();
    let mut pss = Vec::new();
    let mut breakdown = Vec::new();
    for _ in 0..RUNS {
        let (first_ms, screen, desk_ms, kib) =
            launch(&app, &home, "desk", Some(Duration::from_secs(10)));
        assert_eq!(screen, "desk", "a kept session opens straight on the desk");
        first.push(first_ms);
        desk.push(desk_ms);
        if let Some(processes) = kib {
            rss.push(processes.iter().map(|(_, k, _)| k).sum::<u64>());
            pss.push(processes.iter().map(|(_, _, p)| p).sum::<u64>());
            breakdown = processes;
        }
    }
    println!("app: {app}");
    summary("launch to first screen (new computer: welcome)", welcome);
    summary("launch to first screen (returning: desk)", first);
    summary(
        "launch to signed in (local workspace started, session restored, desk painted)",
        desk,
    );
    rss.sort_unstable();
    println!(
        "resident memory idle 10 s after sign-in (app + WebKit processes): median {} MiB, max {} MiB",
        rss[rss.len() / 2] / 1024,
        rss[rss.len() - 1] / 1024
    );
    pss.sort_unstable();
    println!(
        "proportional memory (PSS, shared pages counted once) idle 10 s after sign-in: median {} MiB",
        pss[pss.len() / 2] / 1024
    );
    for (name, kib, p) in &breakdown {
        println!(
            "  last run: {name}: RSS {} MiB, PSS {} MiB",
            kib / 1024,
            p / 1024
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}
