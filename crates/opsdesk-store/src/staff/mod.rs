//! Staff accounts: the accounts themselves ([`accounts`]), invites and enrollment
//! ([`enrollment`]), sign-in ([`sign_in`]), sessions ([`sessions`]), the transaction steps
//! their writes share ([`steps`]) and their rows ([`rows`]).

pub(crate) mod accounts;
pub(crate) mod enrollment;
mod rows;
pub(crate) mod sessions;
pub(crate) mod sign_in;
mod steps;

pub(crate) use steps::{
    claim_totp_step, conflict_or_missing, cut_off, insert_invite, insert_session, stale_or_missing,
    versioned,
};
