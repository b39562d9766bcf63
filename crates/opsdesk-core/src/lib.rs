//! Pure rules shared by the hub and the app: roles and permissions, TOTP, password policy,
//! sign-in lockout, session lifetimes, rate limits and the audit hash chain. No I/O; the clock is
//! always passed in.
#![forbid(unsafe_code)]

pub mod access;
pub mod audit;
pub mod events;
pub mod lockout;
pub mod password;
pub mod proof;
pub mod ratelimit;
pub mod role;
pub mod rules;
pub mod session;
pub mod sla;
pub mod staff;
pub mod tenant;
pub mod ticket;
pub mod totp;
pub mod validate;

pub use role::{Permission, Role};
