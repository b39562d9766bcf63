//! A token bucket: `burst` attempts at once, refilled at `per_minute`. The caller keeps one bucket
//! per key (for sign-in, per client address) and passes the clock in.

use chrono::{DateTime, Utc};

/// The bucket's shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub burst: u32,
    pub per_minute: u32,
}

/// One key's bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    tokens: f64,
    updated: DateTime<Utc>,
}

impl RateLimit {
    /// A full bucket at `now`.
    pub fn new_bucket(&self, now: DateTime<Utc>) -> Bucket {
        Bucket {
            tokens: self.burst as f64,
            updated: now,
        }
    }

    /// Takes one token. `Err(seconds)` says how long until one is available.
    pub fn take(&self, bucket: &mut Bucket, now: DateTime<Utc>) -> Result<(), u64> {
        let elapsed = (now - bucket.updated).num_milliseconds().max(0) as f64 / 60_000.0;
        bucket.tokens = (bucket.tokens + elapsed * self.per_minute as f64).min(self.burst as f64);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let per_second = (self.per_minute.max(1) as f64) / 60.0;
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }

    /// Whether a bucket untouched since its last use is full again at `now` (and can be dropped).
    pub fn is_idle(&self, bucket: &Bucket, now: DateTime<Utc>) -> bool {
        let elapsed = (now - bucket.updated).num_milliseconds().max(0) as f64 / 60_000.0;
        bucket.tokens + elapsed * self.per_minute as f64 >= self.burst as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_burst_then_refill() {
        let limit = RateLimit {
            burst: 3,
            per_minute: 6,
        };
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut b = limit.new_bucket(t0);
        assert!(limit.take(&mut b, t0).is_ok());
        assert!(limit.take(&mut b, t0).is_ok());
        assert!(limit.take(&mut b, t0).is_ok());
        assert_eq!(limit.take(&mut b, t0), Err(10));
        assert!(limit.take(&mut b, t0 + Duration::seconds(10)).is_ok());
        assert!(limit.take(&mut b, t0 + Duration::seconds(10)).is_err());
        assert!(limit.is_idle(&b, t0 + Duration::seconds(40)));
    }
}
