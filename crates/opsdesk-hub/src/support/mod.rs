//! What several areas of the domain share: JSON reading, effects, paging, CSV, idempotency.

pub mod effects;
pub mod json;
