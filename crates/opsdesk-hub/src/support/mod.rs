//! What several areas of the domain share: effects (audit entries and security events), JSON
//! reading, paging, CSV and import bodies, and idempotency keys.

pub mod csv;
pub mod effects;
pub mod events;
pub mod idempotency;
pub mod json;
pub mod paging;
