//! API tests against a real hub on SQLite and on PostgreSQL. One binary, many modules.

mod helpers;

mod access;
mod audit;
mod bad_input;
mod cli;
mod enrollment;
mod events;
mod meta;
mod openapi;
mod seed;
mod sessions;
mod sign_in;
mod staff;
mod tickets;
