//! A real notification: the desk with its real notifier (notify-rust over D-Bus, as the app uses
//! it) against a real hub and a real notification service (dunst) on the session bus. An agent
//! escalates a ticket to L2; the senior agent's desk calls `org.freedesktop.Notifications.Notify`
//! with the title, urgency and the default "Open" action (watched with `dbus-monitor`); dunst
//! shows it; clicking it through dunst opens the ticket in the app. Run it inside
//! `scripts/desktop-session` (an Xvfb display, a private session bus and dunst).

use crate::helpers::{eventually, Fixture};
use crate::live::{desk_team, escalate, live_desk};
use crate::queue::open_ticket;
use opsdesk_client::live::{Delivery, DesktopNotifier};
use opsdesk_core::events::SubjectKind;
use opsdesk_core::ticket::Priority;
use opsdesk_hub::testing::{spawn_app, Db};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

const SERVICE: &str = "org.freedesktop.Notifications";
const HOW_TO: &str = "this test needs a D-Bus session bus with a notification service (or dunst \
    installed and a display to start one on). Run it inside `scripts/desktop-session`, which \
    starts Xvfb, a private session bus and dunst (`scripts/install-deps` installs them)";

/// Whether some program owns the notification service's name on the session bus.
fn service_running() -> bool {
    Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{SERVICE}"),
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
        .unwrap_or(false)
}

/// The name of the program answering as the notification service.
fn server_name() -> String {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            &format!("--dest={SERVICE}"),
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications.GetServerInformation",
        ])
        .output()
        .expect("dbus-send runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.trim().strip_prefix("string \""))
        .map(|s| s.trim_end_matches('"').to_owned())
        .unwrap_or_default()
}

/// A child process this test started, ended (by its own id) when the test ends.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Makes sure a notification service answers: the session's, or a dunst started here.
fn notification_service() -> Option<Started> {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no session bus: {HOW_TO}"
    );
    if service_running() {
        return None;
    }
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no display: {HOW_TO}"
    );
    let config = std::env::temp_dir().join(format!("opsdesk-dunstrc-{}", std::process::id()));
    std::fs::write(&config, "[global]\n    history_length = 50\n").expect("write dunstrc");
    let child = Command::new("dunst")
        .arg("-config")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start dunst ({e}): {HOW_TO}"));
    let started = Started(child);
    for _ in 0..100 {
        if service_running() {
            return Some(started);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("dunst did not take {SERVICE}: {HOW_TO}");
}

/// `dbus-monitor` watching `Notify` calls; what it printed so far.
struct BusMonitor {
    _child: Started,
    seen: Arc<Mutex<String>>,
}

impl BusMonitor {
    fn start() -> BusMonitor {
        let mut child = Command::new("dbus-monitor")
            .args([
                "--session",
                &format!("type='method_call',interface='{SERVICE}',member='Notify'"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dbus-monitor ({e}): {HOW_TO}"));
        let stdout = child.stdout.take().expect("piped");
        let seen = Arc::new(Mutex::new(String::new()));
        let sink = seen.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let monitor = BusMonitor {
            _child: Started(child),
            seen,
        };
        // It prints the bus's greeting once it is listening.
        for _ in 0..100 {
            if !monitor.text().is_empty() {
                return monitor;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("dbus-monitor did not start listening");
    }

    fn text(&self) -> String {
        self.seen.lock().unwrap().clone()
    }

    /// The arguments of the `Notify` call whose summary is `title`, as dbus-monitor prints them.
    fn notify_call(&self, title: &str) -> Option<String> {
        let text = self.text();
        let needle = format!("string \"{title}\"");
        text.split("method call ")
            .find(|call| call.contains("member=Notify") && call.contains(&needle))
            .map(str::to_owned)
    }
}

fn dunstctl(args: &[&str]) -> String {
    let out = Command::new("dunstctl")
        .args(args)
        .output()
        .expect("dunstctl runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test]
async fn an_escalation_reaches_the_desktop_notification_service_and_clicking_it_opens_the_ticket() {
    let _daemon = notification_service();
    let dunst = server_name() == "dunst";
    if dunst {
        dunstctl(&["close-all"]);
    }
    let monitor = BusMonitor::start();

    let app = spawn_app(Db::Sqlite).await;
    let (acme, agent, senior) = desk_team(&app).await;
    let fx = Fixture::new();
    let (desk, heard) = live_desk(&fx, &app.base, &app, &senior).await;
    // The notifier the app uses, not the test recorder.
    desk.set_notifier(Arc::new(DesktopNotifier::new()));

    let t = open_ticket(
        &app,
        &agent,
        &acme,
        "Checkout fails",
        Priority::Critical,
        &[],
    )
    .await;
    escalate(&app, &agent, &t, "Needs the gateway logs").await;
    let title = format!("#{} escalated to L2 · Acme", t.number);

    let call = eventually("the Notify call on the bus", || async {
        monitor.notify_call(&title)
    })
    .await;
    assert!(call.contains("string \"Opsdesk\""), "app name: {call}");
    assert!(call.contains("Needs the gateway logs"), "body: {call}");
    // The click on the pop-up is the default action, labelled Open.
    let actions = call.split("array [").nth(1).unwrap_or_default();
    assert!(
        actions.contains("string \"default\"") && actions.contains("string \"Open\""),
        "actions: {call}"
    );
    // A critical ticket: critical urgency (2), which passes do-not-disturb hours.
    let urgency = call.split("string \"urgency\"").nth(1).unwrap_or_default();
    assert!(
        urgency.trim_start().starts_with("variant") && urgency.contains("byte 2"),
        "urgency hint: {call}"
    );
    let item = eventually("in the inbox", || async {
        desk.inbox(false).await.unwrap().items.into_iter().next()
    })
    .await;
    assert_eq!(item.delivery, Delivery::Shown, "the service took it");

    if dunst {
        // dunst shows it; clicking it (its default action) opens the ticket in the app.
        eventually("dunst displays it", || async {
            (dunstctl(&["count", "displayed"]) == "1").then_some(())
        })
        .await;
        dunstctl(&["action", "0"]);
        let opened = eventually("the app opens the ticket", || async {
            heard.opened().first().cloned()
        })
        .await;
        assert_eq!(
            (opened.subject_kind, opened.subject_id),
            (SubjectKind::Ticket, t.id)
        );
        eventually("read once opened", || async {
            desk.inbox(true)
                .await
                .unwrap()
                .items
                .is_empty()
                .then_some(())
        })
        .await;
        dunstctl(&["close-all"]);
        let history = dunstctl(&["history"]);
        assert!(history.contains(&title), "dunst history: {history}");
    }
    desk.close().await;
}
