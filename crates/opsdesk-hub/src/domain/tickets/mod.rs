//! Tickets: the queue and its reads, and every ticket write.

pub mod queue;
