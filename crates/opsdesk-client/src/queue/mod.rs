//! The ticket queue in the app: the types the screens receive, the cached tickets, the outbox of
//! offline writes and the sync through the hub's changes feed.

mod cache;
mod outbox;
mod sync;
mod types;
mod views;

pub use cache::{FeedPosition, TicketCache};
pub use opsdesk_core::tickets::queue::QueuePage;
pub use outbox::{check_action, FlushReport, Outbox};
pub use sync::{QueueSync, CHANGES_PAGE};
pub use types::*;
pub(crate) use views::invalid;
pub use views::{local_page, Viewer};
