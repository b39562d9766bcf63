//! The desktop core against the real parts: a real hub (`opsdesk_hub::testing::spawn_app`), the
//! real local workspace, and the real OS keyring. Run inside a session with a keyring, e.g.
//! `dbus-run-session -- bash -c 'export XDG_DATA_HOME=$(mktemp -d); echo -n opsdesk |
//! gnome-keyring-daemon --unlock --components=secrets >/dev/null; keyctl session - cargo test -p
//! opsdesk-client'` (a throwaway login keyring, so your own is never touched).

mod access;
mod helpers;
mod hub_check;
mod keyring;
mod local_workspace;
mod queue;
mod screens;
mod session;
mod sign_in;
