//! The ticket queue in the app: the types the screens receive, the cached tickets, the outbox of
//! offline writes and the sync through the hub's changes feed.

mod types;

pub use types::*;
