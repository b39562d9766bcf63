//! The audit log and security events: appending them with the change that causes them
//! ([`effects`]). Listing and verifying the chain are still in `common::listing`.

mod effects;

pub(crate) use effects::write_effects;
