//! The desktop core against the real parts: a real hub (`opsdesk_hub::testing::spawn_app`), the
//! real local workspace, the real OS keyring and a real notification service. Run inside
//! `scripts/desktop-session cargo test -p opsdesk-client` (an Xvfb display, a private session bus
//! with dunst, and a throwaway login keyring, so your own is never touched).

mod access;
mod desktop_notifications;
mod helpers;
mod hub_check;
mod keyring;
mod live;
mod local_workspace;
mod queue;
mod screens;
mod session;
mod sign_in;
