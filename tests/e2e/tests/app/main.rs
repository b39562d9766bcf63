//! The desktop app, built for real, run under Xvfb and driven through WebDriver (tauri-driver,
//! which starts the app and speaks to WebKitWebDriver). Each scenario gets its own app home
//! (`OPSDESK_HOME`) and its own tauri-driver. Screenshots of each screen go to
//! `$OPSDESK_E2E_SCREENSHOTS` (default `e2e-screenshots/` at the repository root).
//!
//! Needs: `OPSDESK_E2E_APP` (the built `opsdesk` binary), `tauri-driver` and `WebKitWebDriver` on
//! PATH, a `DISPLAY`, and a session bus with a Secret Service (or a fresh kernel session keyring).
//! `scripts/test` sets all of that up. Missing pieces fail the test; nothing is skipped.

mod access;
mod driver;
mod first_launch;
mod flows;
mod live;
mod queue;
