//! Pure rules shared by the hub and the app: roles and permissions, TOTP, password policy,
//! sign-in lockout, session lifetimes, rate limits, the audit hash chain, tickets and their
//! queue (views, filters, cursor), page windows. No I/O; the clock is always passed in.
#![forbid(unsafe_code)]

pub mod access;
pub mod audit;
pub mod events;
pub mod lockout;
pub mod paging;
pub mod password;
pub mod proof;
pub mod ratelimit;
pub mod role;
pub mod rules;
pub mod session;
pub mod sla;
pub mod staff;
pub mod tenant;
pub mod tickets;
pub mod totp;
pub mod validate;

pub use role::{Permission, Role};
/// The tickets area under its earlier name, so `opsdesk_core::ticket::...` paths keep working.
pub use tickets as ticket;
