//! The Opsdesk desktop app. The shell is thin: it opens the client core ([`Desk`]) on the app's
//! folders, hands it to the commands, and runs the window. All behaviour lives in
//! `opsdesk-client`.
#![forbid(unsafe_code)]
// Release builds on Windows must not open a console window beside the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod live;

use opsdesk_client::{Desk, DeskPaths, KeyringStore, SecretStore, UnavailableSecretStore};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::Manager;

/// How the app was started: `--local-workspace` opens straight on the local workspace,
/// `--demo` fills it with sample staff of every role.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LaunchOptions {
    pub local_workspace: bool,
    pub demo: bool,
}

impl LaunchOptions {
    fn from_args(args: impl Iterator<Item = String>) -> LaunchOptions {
        let mut options = LaunchOptions::default();
        for arg in args.skip(1) {
            match arg.as_str() {
                "--local-workspace" => options.local_workspace = true,
                "--demo" => {
                    options.demo = true;
                    options.local_workspace = true;
                }
                _ => {}
            }
        }
        options
    }
}

/// The app's folders: the platform's, or `$OPSDESK_HOME/{config,data}` when set (tests and
/// side-by-side installs).
fn desk_paths(app: &tauri::App) -> tauri::Result<DeskPaths> {
    if let Some(home) = std::env::var_os("OPSDESK_HOME").map(PathBuf::from) {
        return Ok(DeskPaths {
            config_dir: home.join("config"),
            data_dir: home.join("data"),
        });
    }
    Ok(DeskPaths {
        config_dir: app.path().app_config_dir()?,
        data_dir: app.path().app_data_dir()?,
    })
}

/// When the process started, for the launch timings the UI reports.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

fn main() {
    STARTED.get_or_init(std::time::Instant::now);
    opsdesk_client::init_tracing("warn");
    let launch = LaunchOptions::from_args(std::env::args());
    let result = tauri::Builder::default()
        .setup(move |app| {
            let paths = desk_paths(app)?;
            // The session lives only in the OS keyring; without one the app still runs, and
            // signing in says why the session cannot be kept.
            let secrets: Arc<dyn SecretStore> = match KeyringStore::detect() {
                Ok(store) => {
                    tracing::info!(backend = store.backend_name(), "OS keyring found");
                    Arc::new(store)
                }
                Err(e) => {
                    tracing::warn!(error = %e.to_ui().message, "no OS keyring");
                    Arc::new(UnavailableSecretStore::new(e.to_ui().message))
                }
            };
            let desk = tauri::async_runtime::block_on(Desk::open(paths, secrets))
                .map_err(|e| Box::new(std::io::Error::other(e.to_ui().message)))?;
            // Live changes, pop-ups that were clicked and the tray's counts reach the window
            // and the tray through the observer.
            let observer = live::ShellObserver::new(app.handle().clone());
            desk.set_observer(observer.clone());
            observer.add_tray(&tauri::async_runtime::block_on(desk.live_status()));
            app.manage(Arc::new(desk));
            app.manage(launch);
            Ok(())
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                if let Some(desk) = handle.try_state::<Arc<Desk>>() {
                    tauri::async_runtime::block_on(desk.close());
                }
            }
        }),
        Err(e) => {
            eprintln!("Opsdesk could not start: {e}");
            std::process::exit(1);
        }
    }
}
