//! Live events in the real app: a senior agent's app pops up a desktop notification (read back
//! from the session's notification daemon, dunst) and updates its queue when an agent escalates a
//! ticket; a manager's app pops up the access request waiting for review.

use crate::driver::App;
use crate::flows::{create_local_admin, sign_in_app, step_after, Hub};
use opsdesk_core::totp::TotpSecret;
use opsdesk_proto::TicketSummary;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The summaries of the notifications the session's daemon has shown (newest first).
fn shown_notifications() -> Vec<(String, String)> {
    let out = std::process::Command::new("dunstctl")
        .arg("history")
        .output()
        .expect("dunstctl runs (scripts/desktop-session starts dunst)");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let mut found = Vec::new();
    for list in v["data"].as_array().into_iter().flatten() {
        for n in list.as_array().into_iter().flatten() {
            found.push((
                n["summary"]["data"].as_str().unwrap_or_default().to_owned(),
                n["body"]["data"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    found
}

/// Waits until the daemon has shown a notification whose summary contains `needle`. The daemon
/// outlives tests (the client suite's pop-ups are in its history too, about tenant Acme): name
/// this test's tenant in `needle`.
async fn popped_up(needle: &str) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // Displayed notifications are in history once closed; close what is showing.
        let _ = std::process::Command::new("dunstctl")
            .arg("close-all")
            .output();
        if let Some(n) = shown_notifications()
            .into_iter()
            .find(|(s, _)| s.contains(needle))
        {
            return n;
        }
        assert!(
            Instant::now() < deadline,
            "no pop-up containing {needle:?}; shown: {:?}",
            shown_notifications()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn sign_in_api(hub: &Hub, username: &str, secret: &TotpSecret, last: i64) -> (String, i64) {
    let at = step_after(last.div_euclid(30)).await;
    (hub.sign_in(username, secret, at).await, at)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalations_and_review_requests_pop_up_in_the_right_apps() {
    let home = std::env::temp_dir().join(format!("opsdesk-e2e-{}", uuid::Uuid::new_v4().simple()));
    let app = App::launch("live", home).await;
    let (admin_secret, enrolled_at) = create_local_admin(&app).await;
    app.find("[data-test=queue]").await;
    let hub = Hub::of(&app).await;
    let (admin, _) = sign_in_api(&hub, "ana.admin", &admin_secret, enrolled_at).await;
    let (tenant, token) = hub.tenant_with_intake(&admin, "Initech", "initech").await;
    let (ben_secret, ben_enrolled) = hub.enroll(&admin, "ben.agent", "Ben Okafor", "agent").await;
    let (sam_secret, sam_enrolled) = hub
        .enroll(&admin, "sam.senior", "Sam Reyes", "senior_agent")
        .await;
    let (mia_secret, mia_enrolled) = hub
        .enroll(&admin, "mia.manager", "Mia Novak", "manager")
        .await;
    let (ben, _) = sign_in_api(&hub, "ben.agent", &ben_secret, ben_enrolled).await;

    // Sam, a senior agent, has the app open on the escalated view.
    sign_in_app(&app, "sam.senior", &sam_secret, sam_enrolled).await;
    app.find("[data-test=queue]").await;
    stream_connected(&app).await;
    app.find("[data-test=view-escalated]")
        .await
        .click()
        .await
        .expect("escalated view");

    // The platform opens a ticket; Ben escalates it over the API.
    let t: TicketSummary = hub
        .post(
            "/api/v1/intake/tickets",
            Some(&token.secret),
            json!({"tenant": "initech", "requester_name": "Peter Gibbons",
                   "requester_email": "peter@initech.example", "subject": "TPS reports fail to export",
                   "body": "Since the upgrade.", "priority": "high"}),
        )
        .await;
    let _: TicketSummary = hub
        .post(
            &format!("/api/v1/tickets/{}/escalate", t.id),
            Some(&ben),
            json!({"version": t.version, "reason": "Export service errors; needs L2"}),
        )
        .await;

    // Sam's desktop shows the pop-up, and the escalated view shows the ticket without a reload.
    let (summary, body) = popped_up(&format!("#{} escalated to L2 · Initech", t.number)).await;
    assert!(summary.contains("Initech"), "{summary}");
    assert!(body.contains("TPS reports"), "{body}");
    app.find(&format!(
        "[data-test=queue-row][data-number='{}']",
        t.number
    ))
    .await;
    app.find("[data-test=notification-toast]").await;
    app.screenshot("50-escalation-pop-up").await;

    // Mia, a manager, has the app open; Ben asks for access to Initech.
    sign_in_app(&app, "mia.manager", &mia_secret, mia_enrolled).await;
    app.find("[data-test=queue]").await;
    let staff: Value = hub.get("/api/v1/staff?role=agent", &admin).await;
    let ben_id = staff["items"][0]["id"]
        .as_str()
        .expect("ben's id")
        .to_owned();
    let status = hub
        .http
        .put(format!("{}/api/v1/staff/{ben_id}/clearance", hub.base))
        .bearer_auth(&admin)
        .json(&json!({"nda": true, "background_check": true, "training": true, "version": 0}))
        .send()
        .await
        .expect("clearance")
        .status();
    assert!(status.is_success(), "{status}");
    stream_connected(&app).await;
    let _: Value = hub
        .post(
            "/api/v1/access/requests",
            Some(&ben),
            json!({"tenant_id": tenant.id, "scope": "read", "duration_minutes": 60,
                   "reason": "Peter cannot export; need to see his account"}),
        )
        .await;
    let (summary, _) = popped_up("Ben Okafor asks for read access to Initech").await;
    assert!(summary.contains("Initech"));
    // The in-app inbox has it too, and the header counts it as waiting for review.
    app.find("[data-test=inbox-badge]").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let counts = app
            .find("[data-test=live-counts]")
            .await
            .text()
            .await
            .unwrap_or_default();
        if counts.contains("Waiting for my review: 1") {
            break;
        }
        assert!(Instant::now() < deadline, "counts: {counts}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.screenshot("51-review-pop-up").await;

    // The tray: its menu shows the same counts; "Pause notifications" there pauses them in the
    // app (the window says so), and the menu item then offers to resume.
    let tray = tray_icon().await;
    open_tray_menu(tray).await;
    app.screenshot_screen("52-tray-menu");
    // The counts line is not a command; the first item is Open, the second Pause.
    xdotool(&["key", "Down", "Down", "Return"]);
    app.find("[data-test=live-paused]").await;
    open_tray_menu(tray).await;
    app.screenshot_screen("53-tray-menu-paused");
    xdotool(&["key", "Escape"]);
    app.quit().await;
}

/// Waits until the app says its live event stream is open.
async fn stream_connected(app: &App) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .find("[data-test=live-state]")
        .await
        .attr("data-connected")
        .await
        .ok()
        .flatten()
        .as_deref()
        != Some("true")
    {
        assert!(Instant::now() < deadline, "the app's event stream connects");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How many of the app's windows are mapped (its menus are windows of their own).
fn app_windows() -> usize {
    std::process::Command::new("xdotool")
        .args(["search", "--onlyvisible", "--class", "opsdesk"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .count()
        })
        .unwrap_or(0)
}

/// Right-clicks the tray icon at `at` and waits until its menu is on screen.
async fn open_tray_menu(at: (i64, i64)) {
    let before = app_windows();
    xdotool(&[
        "mousemove",
        &at.0.to_string(),
        &at.1.to_string(),
        "click",
        "3",
    ]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while app_windows() <= before {
        assert!(Instant::now() < deadline, "the tray menu did not open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Mapped is not yet drawn: give GTK a moment to paint it for the screenshot.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

fn xdotool(args: &[&str]) -> String {
    let out = std::process::Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool runs (scripts/install-deps installs it)");
    assert!(
        out.status.success(),
        "xdotool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Where the app's tray icon is: the middle of the system tray's panel (scripts/desktop-session
/// starts trayer; the app's icon is the only one in it), once the icon has docked.
async fn tray_icon() -> (i64, i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ids = xdotool(&["search", "--class", "trayer"]);
        for id in ids.split_whitespace() {
            if xdotool(&["getwindowname", id]).trim() != "panel" {
                continue;
            }
            let geometry = xdotool(&["getwindowgeometry", "--shell", id]);
            let get = |key: &str| -> i64 {
                geometry
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{key}=")))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0)
            };
            let (x, y, w, h) = (get("X"), get("Y"), get("WIDTH"), get("HEIGHT"));
            // An empty tray is a few pixels wide; with the icon, about its height.
            if w >= h / 2 {
                return (x + w / 2, y + h / 2);
            }
        }
        assert!(
            Instant::now() < deadline,
            "no tray icon docked in trayer (run the tests in scripts/desktop-session)"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
