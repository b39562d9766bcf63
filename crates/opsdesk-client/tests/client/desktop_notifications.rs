//! A real notification: the desk with its real notifier (notify-rust over D-Bus, as the app uses
//! it) against a real hub and a real notification service (dunst) on the session bus. An agent
//! escalates a ticket to L2; the senior agent's desk calls `org.freedesktop.Notifications.Notify`
//! with the title, urgency and the default "Open" action (watched with `dbus-monitor`); dunst
//! shows it; clicking it through dunst opens the ticket in the app. A manager's access-request
//! pop-up offers Open, Approve and Deny; choosing Approve in dunst's context menu approves the
//! request on the hub, choosing Deny opens it with the deny comment in focus. Run it inside
//! `scripts/desktop-session` (an Xvfb display, a private session bus and dunst).

use crate::access::{ask, clear};
use crate::helpers::{eventually, run_test_copy, Fixture};
use crate::live::{desk_team, escalate, live_desk};
use crate::queue::{hub_write, open_ticket, tenant};
use opsdesk_client::live::{Delivery, DesktopNotifier, OpenFocus, RecordingObserver, ToastTone};
use opsdesk_client::Desk;
use opsdesk_core::events::SubjectKind;
use opsdesk_core::ticket::Priority;
use opsdesk_core::Role;
use opsdesk_hub::testing::{spawn_app, Db, Person, TestApp};
use opsdesk_proto::{AccessRequestView, RequestStatus};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
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

/// Set in the copy of this test binary that runs one test on a private session bus.
const PRIVATE_BUS: &str = "OPSDESK_TEST_PRIVATE_NOTIFICATION_BUS";

/// A session bus that starts nothing on demand: only the test's own dunst answers as the
/// notification service, and no keyring daemon is activated (the desk falls back to the kernel
/// keyring of the session `scripts/desktop-session` opened).
const PRIVATE_BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

/// Whether this process is the copy running on a private bus.
fn on_private_bus() -> bool {
    std::env::var_os(PRIVATE_BUS).is_some()
}

/// Runs this binary's test `name` again, alone, on a private session bus (`dbus-run-session`),
/// and fails if it fails. Choosing Approve or Deny needs a dunst whose context menu the test
/// drives, and a second dunst can own the notification service's name only on a bus of its own;
/// moving this process to another bus would move the other tests' keyring and pop-ups with it.
fn rerun_on_private_bus(name: &str) {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no display: {HOW_TO}"
    );
    let dir = std::env::temp_dir().join(format!("opsdesk-bus-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("bus folder");
    let config = dir.join("session.conf");
    std::fs::write(&config, PRIVATE_BUS_CONFIG).expect("write the bus config");
    let mut command = Command::new("dbus-run-session");
    command
        .arg(format!("--config-file={}", config.display()))
        .arg("--")
        .env(PRIVATE_BUS, "1");
    run_test_copy(
        command,
        module_path!(),
        name,
        &format!("{name} on a private bus"),
        HOW_TO,
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// dunst on the private bus with a context menu the test drives. `dunstctl context` makes dunst
/// write one entry per action of each displayed pop-up (`#Approve (summary) [id,approve]`) to
/// the program set as `dmenu`, and invoke the entry that program prints. Here that program is a
/// script that keeps what it was offered and prints the entry the test chose.
struct MenuDunst {
    dir: PathBuf,
    _dunst: Started,
}

const MENU_SCRIPT: &str = r#"# dunst's context menu: keeps the entries offered, prints the chosen one.
dir=$(dirname "$0")
cat >"$dir/menu.part"
mv "$dir/menu.part" "$dir/menu.txt"
grep -F -e "$(sed -n 1p "$dir/want")" "$dir/menu.txt" | grep -F -e "$(sed -n 2p "$dir/want")" | head -n 1
"#;

impl MenuDunst {
    fn start() -> MenuDunst {
        assert!(
            !service_running(),
            "the private bus already has a notification service"
        );
        let dir = std::env::temp_dir().join(format!("opsdesk-dunst-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dunst folder");
        let script = dir.join("menu.sh");
        std::fs::write(&script, MENU_SCRIPT).expect("write the menu script");
        // Pop-ups stay until answered, as the test answers them when it is ready.
        let config = format!(
            "[global]\n    dmenu = /bin/sh {}\n    history_length = 50\n\
             [urgency_low]\n    timeout = 0\n[urgency_normal]\n    timeout = 0\n\
             [urgency_critical]\n    timeout = 0\n",
            script.display()
        );
        let dunstrc = dir.join("dunstrc");
        std::fs::write(&dunstrc, config).expect("write dunstrc");
        let child = Command::new("dunst")
            .arg("-config")
            .arg(&dunstrc)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dunst ({e}): {HOW_TO}"));
        let menu = MenuDunst {
            dir,
            _dunst: Started(child),
        };
        for _ in 0..100 {
            if service_running() && server_name() == "dunst" {
                return menu;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("dunst did not take {SERVICE}: {HOW_TO}");
    }

    /// Chooses action `key` of the pop-up titled `title` in dunst's context menu, as a person
    /// would; returns every entry the menu offered.
    async fn choose(&self, title: &str, key: &str) -> String {
        let menu = self.dir.join("menu.txt");
        let _ = std::fs::remove_file(&menu);
        std::fs::write(self.dir.join("want"), format!("({title}) [\n,{key}]\n"))
            .expect("write the choice");
        dunstctl(&["context"]);
        let offered = eventually("dunst's context menu", || async {
            std::fs::read_to_string(&menu).ok()
        })
        .await;
        assert!(
            offered.lines().any(|l| l.starts_with('#')
                && l.contains(&format!("({title}) ["))
                && l.ends_with(&format!(",{key}]"))),
            "no {key} entry for {title:?} in the menu: {offered}"
        );
        offered
    }
}

impl Drop for MenuDunst {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The action keys and labels of a `Notify` call, in order, as dbus-monitor printed them.
fn notify_actions(call: &str) -> Vec<String> {
    let Some((_, rest)) = call.split_once("array [") else {
        return Vec::new();
    };
    let list = rest.split_once(']').map_or(rest, |(list, _)| list);
    list.lines()
        .filter_map(|l| l.trim().strip_prefix("string \""))
        .map(|s| s.trim_end_matches('"').to_owned())
        .collect()
}

/// A manager's desk with the real notifier, showing the pop-up of a cleared agent's request for
/// read access to Acme, displayed by dunst.
struct ReviewPopup {
    app: TestApp,
    admin: Person,
    manager: Person,
    desk: Desk,
    heard: Arc<RecordingObserver>,
    request: AccessRequestView,
    title: String,
    _fx: Fixture,
}

impl ReviewPopup {
    async fn show(monitor: &BusMonitor) -> ReviewPopup {
        let app = spawn_app(Db::Sqlite).await;
        let admin = app.admin().await;
        let acme = tenant(&app, &admin, "Acme").await;
        let agent = app.invite(&admin, "ana.agent", Role::Agent).await;
        let manager = app.invite(&admin, "maria.manager", Role::Manager).await;
        clear(&app, &admin, &agent).await;
        let fx = Fixture::new();
        let (desk, heard) = live_desk(&fx, &app.base, &app, &manager).await;
        desk.set_notifier(Arc::new(DesktopNotifier::new()));

        let request: AccessRequestView = hub_write(
            &app,
            &agent,
            reqwest::Method::POST,
            "/api/v1/access/requests",
            &ask(acme.id, "Customer reports missing invoices"),
        )
        .await
        .expect("requested");
        let title = "ana.agent asks for read access to Acme".to_owned();
        let call = eventually("the review pop-up's Notify call on the bus", || async {
            monitor.notify_call(&title)
        })
        .await;
        assert_eq!(
            notify_actions(&call),
            ["default", "Open", "approve", "Approve", "deny", "Deny"],
            "actions: {call}"
        );
        eventually("dunst displays it", || async {
            (dunstctl(&["count", "displayed"]) == "1").then_some(())
        })
        .await;
        ReviewPopup {
            app,
            admin,
            manager,
            desk,
            heard,
            request,
            title,
            _fx: fx,
        }
    }

    /// The request as the hub has it now.
    async fn on_hub(&self) -> AccessRequestView {
        self.app
            .get(
                &format!("/api/v1/access/requests/{}", self.request.id),
                &self.admin.token,
            )
            .await
            .expect("the request on the hub")
    }
}

#[tokio::test]
async fn approve_in_the_desktop_pop_up_approves_the_access_request_on_the_hub() {
    if !on_private_bus() {
        return rerun_on_private_bus(
            "approve_in_the_desktop_pop_up_approves_the_access_request_on_the_hub",
        );
    }
    let dunst = MenuDunst::start();
    let monitor = BusMonitor::start();
    let scene = ReviewPopup::show(&monitor).await;

    let offered = dunst.choose(&scene.title, "approve").await;
    assert!(
        offered.contains(&format!("#Deny ({}) [", scene.title)),
        "Deny offered too: {offered}"
    );
    let toast = eventually("the approval's result", || async {
        scene.heard.toasts().first().cloned()
    })
    .await;
    assert_eq!(toast.tone, ToastTone::Success, "{toast:?}");
    assert!(
        toast.message.contains("read access to Acme") && toast.message.contains("approved"),
        "{toast:?}"
    );
    let on_hub = scene.on_hub().await;
    assert_eq!(on_hub.status, RequestStatus::Approved, "{on_hub:?}");
    assert_eq!(
        on_hub
            .reviews
            .iter()
            .map(|r| (r.reviewer.id, r.approved))
            .collect::<Vec<_>>(),
        [(scene.manager.id, true)]
    );
    // The answer pops up too, with nothing left to choose.
    let follow_up = eventually("the follow-up Notify call", || async {
        monitor.notify_call("Access request approved")
    })
    .await;
    assert!(notify_actions(&follow_up).is_empty(), "{follow_up}");
    eventually("read once approved", || async {
        scene
            .desk
            .inbox(true)
            .await
            .unwrap()
            .items
            .is_empty()
            .then_some(())
    })
    .await;
    assert!(scene.heard.opened().is_empty(), "approving opens nothing");
    scene.desk.close().await;
}

#[tokio::test]
async fn deny_in_the_desktop_pop_up_opens_the_request_with_the_comment_in_focus() {
    if !on_private_bus() {
        return rerun_on_private_bus(
            "deny_in_the_desktop_pop_up_opens_the_request_with_the_comment_in_focus",
        );
    }
    let dunst = MenuDunst::start();
    let monitor = BusMonitor::start();
    let scene = ReviewPopup::show(&monitor).await;

    let offered = dunst.choose(&scene.title, "deny").await;
    assert!(
        offered.contains(&format!("#Approve ({}) [", scene.title)),
        "Approve offered too: {offered}"
    );
    // Denying needs a comment: the app opens the request with the comment in focus.
    let opened = eventually("the app opens the request", || async {
        scene.heard.opened().first().cloned()
    })
    .await;
    assert_eq!(
        (opened.subject_kind, opened.subject_id, opened.focus),
        (
            SubjectKind::AccessRequest,
            scene.request.id,
            Some(OpenFocus::Deny)
        )
    );
    // Nothing is decided until the manager writes why.
    let on_hub = scene.on_hub().await;
    assert_eq!(on_hub.status, RequestStatus::Pending, "{on_hub:?}");
    assert!(on_hub.reviews.is_empty(), "{on_hub:?}");
    assert!(
        scene.heard.toasts().is_empty(),
        "{:?}",
        scene.heard.toasts()
    );
    let inbox = scene.desk.inbox(false).await.unwrap();
    assert!(!inbox.items[0].read, "it waits in the inbox, unread");
    scene.desk.close().await;
}
