//! Wire types shared by the hub and its clients: requests, responses and the error document.
//! Every request type refuses unknown fields so a typo is an error, not a silent no-op.
#![forbid(unsafe_code)]

mod access;
mod auth;
mod error;
mod events;
pub mod routes;
mod staff;
mod tenants;
mod tickets;
mod trail;

pub use access::*;
pub use auth::*;
pub use error::*;
pub use events::*;
/// Page sizes: core's paging rules decide them.
pub use opsdesk_core::paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use staff::*;
pub use tenants::*;
pub use tickets::*;
pub use trail::*;

use serde::{Deserialize, Serialize};

/// One page of a listing, with the cursor for the next page when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// What a hub says about itself, so a client can check it is talking to an Opsdesk hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct HubInfo {
    /// Always `opsdesk-hub`.
    pub product: String,
    pub version: String,
    pub api_version: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}
