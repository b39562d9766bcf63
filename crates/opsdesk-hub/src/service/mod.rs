//! Services: the hub's behaviour, between the HTTP handlers and the store. Each takes the caller
//! (or the client info for unauthenticated steps) and typed input, applies the rules from core,
//! and writes the change with its audit entries in one store call.

pub mod access;
pub mod access_job;
pub mod audit;
pub mod audit_export;
pub mod auth;
pub mod demo;
pub mod enrollment;
pub mod events;
pub mod seed;
pub mod sessions;
pub mod sla_job;
pub mod staff;
pub mod tenant_data;
pub mod tenants;
pub mod tickets;
pub mod views;
