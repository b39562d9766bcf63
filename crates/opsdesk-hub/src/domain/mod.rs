//! The hub's behaviour by area, between the HTTP handlers and the store. Each action takes the
//! caller (or the client info for unauthenticated steps) and typed input, applies the rules from
//! core, and writes the change with its audit entries in one store call. Nothing here imports
//! the HTTP layer (`crate::routes`).

pub mod access;
pub mod audit;
pub mod auth;
pub mod events;
pub mod staff;
pub mod tenant_data;
pub mod tenants;
pub mod tickets;
