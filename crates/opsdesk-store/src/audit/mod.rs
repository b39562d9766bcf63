//! The audit log and security events: appending them with the change that causes them
//! ([`effects`]), reading them page by page ([`queries`]) and verifying the chain ([`verify`]).

mod effects;
pub(crate) mod queries;
mod rows;
mod verify;

pub(crate) use effects::write_effects;
pub(crate) use verify::verify_chain;
