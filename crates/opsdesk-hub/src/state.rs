//! What every request handler shares: the store, the settings, the clock and the sign-in limiter.

use crate::clock::Clock;
use crate::config::Settings;
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::lockout::LockoutPolicy;
use opsdesk_core::ratelimit::{Bucket, RateLimit};
use opsdesk_core::session::SessionPolicy;
use opsdesk_store::Store;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Shared hub state.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub sign_in_limiter: Arc<SignInLimiter>,
    /// Committed live events, handed to this hub's open streams.
    pub events: Arc<crate::domain::events::EventBus>,
}

impl AppState {
    /// Builds the state for `store` and `settings`.
    pub fn new(store: Arc<dyn Store>, settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let limit = RateLimit {
            burst: settings.auth.sign_in_burst,
            per_minute: settings.auth.sign_in_per_minute,
        };
        AppState {
            store,
            settings: Arc::new(settings),
            clock,
            sign_in_limiter: Arc::new(SignInLimiter::new(limit)),
            events: Arc::new(crate::domain::events::EventBus::default()),
        }
    }

    /// The time now, by this hub's clock.
    /// Truncated to milliseconds, the precision the store keeps, so a time read back equals
    /// the time written.
    pub fn now(&self) -> DateTime<Utc> {
        let now = self.clock.now();
        DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
    }

    /// Session lifetimes from settings.
    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle_timeout: Duration::minutes(self.settings.auth.session_idle_minutes),
            absolute_lifetime: Duration::hours(self.settings.auth.session_absolute_hours),
        }
    }

    /// Lockout rule from settings.
    pub fn lockout_policy(&self) -> LockoutPolicy {
        LockoutPolicy {
            threshold: self.settings.auth.lockout_threshold,
            duration: Duration::minutes(self.settings.auth.lockout_minutes),
        }
    }
}

/// Sign-in attempts per client address, kept in memory (each hub limits its own traffic).
pub struct SignInLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl SignInLimiter {
    /// A limiter with the given shape.
    pub fn new(limit: RateLimit) -> Self {
        SignInLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one attempt for `addr`; `Err(seconds)` when over the limit.
    pub fn check(&self, addr: IpAddr, now: DateTime<Utc>) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() > 10_000 {
            let limit = self.limit;
            buckets.retain(|_, b| !limit.is_idle(b, now));
        }
        let bucket = buckets
            .entry(addr)
            .or_insert_with(|| self.limit.new_bucket(now));
        self.limit.take(bucket, now)
    }
}
