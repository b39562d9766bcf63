//! Sign-in lockout: after a run of consecutive failures an account is locked for a while.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How many consecutive failures lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    pub threshold: u32,
    pub duration: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            threshold: 5,
            duration: Duration::minutes(15),
        }
    }
}

/// What a failure does to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureOutcome {
    /// Consecutive failures after this one (reset to 0 when a lock starts).
    pub failures: u32,
    /// Set when this failure started a lock.
    pub locked_until: Option<DateTime<Utc>>,
}

impl LockoutPolicy {
    /// Whether an account with `locked_until` is locked at `now`.
    pub fn is_locked(locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        locked_until.is_some_and(|until| until > now)
    }

    /// Records one more failure after `previous_failures` consecutive ones.
    pub fn after_failure(&self, previous_failures: u32, now: DateTime<Utc>) -> FailureOutcome {
        let failures = previous_failures.saturating_add(1);
        if failures >= self.threshold.max(1) {
            FailureOutcome {
                failures: 0,
                locked_until: Some(now + self.duration),
            }
        } else {
            FailureOutcome {
                failures,
                locked_until: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_consecutive_failure_locks_for_fifteen_minutes() {
        let policy = LockoutPolicy::default();
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut failures = 0;
        for _ in 0..4 {
            let out = policy.after_failure(failures, now);
            assert_eq!(out.locked_until, None);
            failures = out.failures;
        }
        assert_eq!(failures, 4);
        let out = policy.after_failure(failures, now);
        assert_eq!(out.locked_until, Some(now + Duration::minutes(15)));
        assert!(LockoutPolicy::is_locked(
            out.locked_until,
            now + Duration::minutes(14)
        ));
        assert!(!LockoutPolicy::is_locked(
            out.locked_until,
            now + Duration::minutes(15)
        ));
    }
}
