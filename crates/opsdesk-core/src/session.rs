//! Session lifetimes: an idle timeout and an absolute lifetime, whichever comes first.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long a session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    pub idle_timeout: Duration,
    pub absolute_lifetime: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_timeout: Duration::hours(4),
            absolute_lifetime: Duration::hours(12),
        }
    }
}

impl SessionPolicy {
    /// When a session created at `created` and last used at `last_seen` expires.
    pub fn expires_at(&self, created: DateTime<Utc>, last_seen: DateTime<Utc>) -> DateTime<Utc> {
        (last_seen + self.idle_timeout).min(created + self.absolute_lifetime)
    }

    /// Whether that session is still live at `now`.
    pub fn is_live(
        &self,
        created: DateTime<Utc>,
        last_seen: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        now < self.expires_at(created, last_seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_and_absolute_limits_both_end_a_session() {
        let p = SessionPolicy {
            idle_timeout: Duration::minutes(30),
            absolute_lifetime: Duration::hours(2),
        };
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert!(p.is_live(t0, t0, t0 + Duration::minutes(29)));
        assert!(!p.is_live(t0, t0, t0 + Duration::minutes(30)));
        // Kept busy, the session still ends at the absolute lifetime.
        let busy = t0 + Duration::minutes(119);
        assert!(p.is_live(t0, busy, t0 + Duration::minutes(119)));
        assert!(!p.is_live(t0, busy, t0 + Duration::minutes(120)));
        assert_eq!(p.expires_at(t0, busy), t0 + Duration::hours(2));
    }
}
