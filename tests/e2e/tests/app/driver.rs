//! Starting the app under tauri-driver, finding things on screen, and screenshots.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// WebDriver key codes for `App::press`.
pub const CTRL: &str = "\u{E009}";
pub const ENTER: &str = "\u{E007}";
pub const ESCAPE: &str = "\u{E00C}";
/// Releases held modifiers.
pub const RELEASE: &str = "\u{E000}";

/// A running app with a WebDriver session on it.
pub struct App {
    pub client: Client,
    driver: Child,
    shots: PathBuf,
    scenario: String,
}

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end suite through scripts/test, which builds the app and sets it")
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl App {
    /// Starts tauri-driver with `home` as the app's home, then the app through a new session.
    pub async fn launch(scenario: &str, home: PathBuf) -> App {
        let application = required_env("OPSDESK_E2E_APP");
        assert!(
            PathBuf::from(&application).exists(),
            "OPSDESK_E2E_APP={application} does not exist"
        );
        required_env("DISPLAY");
        std::fs::create_dir_all(&home).expect("app home");
        let port = free_port();
        let native_port = free_port();
        let shots = std::env::var("OPSDESK_E2E_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e-screenshots")
            });
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        let log = std::fs::File::create(shots.join(format!("{scenario}-driver.log")))
            .expect("driver log");
        // Its own process group, so stopping it also stops the WebKitWebDriver it starts.
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("OPSDESK_HOME", &home)
            .env("OPSDESK_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("driver log"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("tauri-driver must be on PATH (cargo install tauri-driver --version ^2)");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), serde_json::json!("wry"));
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": application }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return App {
                        client,
                        driver,
                        shots,
                        scenario: scenario.to_owned(),
                    };
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start a WebDriver session on the app: {last_error}");
    }

    /// Waits for an element matching `css` to be displayed.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if el.is_displayed().await.unwrap_or(false) {
                    return el;
                }
            }
            if std::time::Instant::now() > deadline {
                let text = self.body_text().await;
                self.screenshot("FAILED").await;
                panic!("`{css}` did not appear within 20 s; the window shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until the window's text contains `needle`.
    pub async fn wait_text(&self, needle: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.body_text().await;
            if text.contains(needle) {
                return;
            }
            if std::time::Instant::now() > deadline {
                self.screenshot("FAILED").await;
                panic!("`{needle}` did not appear within 20 s; the window shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Types into the input matching `css`.
    pub async fn fill(&self, css: &str, value: &str) {
        let el = self.find(css).await;
        el.clear().await.expect("clear");
        el.send_keys(value).await.expect("type");
    }

    /// Clicks the button whose text is `label`.
    pub async fn click_button(&self, label: &str) {
        let xpath = format!(
            "//button[normalize-space(.)={label:?} or starts-with(normalize-space(.), {label:?})]"
        );
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(el) = self.client.find(Locator::XPath(&xpath)).await {
                if el.is_enabled().await.unwrap_or(false) && el.click().await.is_ok() {
                    return;
                }
            }
            if std::time::Instant::now() > deadline {
                let text = self.body_text().await;
                self.screenshot("FAILED").await;
                panic!("no enabled button `{label}` within 20 s; the window shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Types keys at whatever has focus (shortcuts go to the window from there).
    pub async fn press(&self, keys: &str) {
        let target = match self.client.active_element().await {
            Ok(el) => el,
            Err(_) => self.find("body").await,
        };
        target.send_keys(keys).await.expect("send keys");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    /// Saves a PNG of the window as `<scenario>-<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let path = self.shots.join(format!("{}-{name}.png", self.scenario));
            let _ = std::fs::write(&path, png);
            eprintln!("screenshot: {}", path.display());
        }
    }

    /// A screenshot of the whole display (what is outside the window too: the tray, its
    /// menu), taken with ImageMagick's `import`.
    pub fn screenshot_screen(&self, name: &str) {
        let path = self.shots.join(format!("{}-{name}.png", self.scenario));
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .status()
            .expect("ImageMagick's import runs (scripts/install-deps installs it)");
        assert!(status.success(), "import could not capture the display");
        eprintln!("screenshot: {}", path.display());
    }

    /// Ends the session (the app quits) and stops tauri-driver.
    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
        // Dropping stops the driver's process group.
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // tauri-driver leads its own process group: stop it and the WebKitWebDriver it started.
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
