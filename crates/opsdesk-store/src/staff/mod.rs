//! Staff accounts: the transaction steps that staff, enrollment, sign-in and session writes
//! share ([`steps`]) and sessions ([`sessions`]). The staff queries themselves are still in `common::store_impl`.

pub(crate) mod sessions;
mod steps;

pub(crate) use steps::{
    claim_totp_step, conflict_or_missing, cut_off, insert_invite, insert_session, stale_or_missing,
    versioned,
};
