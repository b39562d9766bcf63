//! How long to wait before reconnecting the event stream: doubling from half a second up to
//! 30 seconds, each wait drawn between half and all of its step ("equal jitter"), so a thousand
//! apps that lost the same hub do not all come back in the same instant.

use std::time::Duration;

/// The first wait's step.
pub const FIRST: Duration = Duration::from_millis(500);
/// The longest step.
pub const CAP: Duration = Duration::from_secs(30);

/// Reconnection waits for one stream.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    cap: Duration,
    failures: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(FIRST, CAP)
    }
}

impl Backoff {
    /// Steps of `first`, `2 × first`, ... up to `cap`.
    pub fn new(first: Duration, cap: Duration) -> Self {
        Backoff {
            first,
            cap: cap.max(first),
            failures: 0,
        }
    }

    /// The step of the next wait (before jitter).
    pub fn step(&self) -> Duration {
        let factor = 1u32.checked_shl(self.failures.min(31)).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.cap)
    }

    /// The next wait, given `unit` drawn uniformly from [0, 1); counts a failure.
    pub fn next_with(&mut self, unit: f64) -> Duration {
        let step = self.step();
        self.failures = self.failures.saturating_add(1);
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        step / 2 + step.mul_f64(unit / 2.0)
    }

    /// The next wait, with a random jitter.
    pub fn next_wait(&mut self) -> Duration {
        self.next_with(rand::random::<f64>())
    }

    /// A connection worked: the next failure starts from the first step again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failures since the last reset.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_and_stay_within_their_jitter() {
        let mut b = Backoff::default();
        let steps: Vec<u64> = (0..9)
            .map(|_| {
                let step = b.step();
                let low = b.clone().next_with(0.0);
                let high = b.clone().next_with(0.999_999);
                assert_eq!(low, step / 2);
                assert!(
                    high <= step && high > step.mul_f64(0.99),
                    "{high:?} of {step:?}"
                );
                b.next_wait();
                step.as_millis() as u64
            })
            .collect();
        assert_eq!(
            steps,
            [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
        for _ in 0..100 {
            let w = b.next_wait();
            assert!(w >= CAP / 2 && w <= CAP, "{w:?}");
        }
        assert_eq!(b.failures(), 109);
    }

    #[test]
    fn a_working_connection_starts_over_and_nothing_overflows() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        for _ in 0..1_000 {
            b.next_wait();
        }
        assert_eq!(b.step(), Duration::from_secs(1));
        b.reset();
        assert_eq!(b.next_with(0.0), Duration::from_millis(50));
        assert_eq!(b.next_with(f64::NAN), Duration::from_millis(100));
        // Jittered waits differ from one another.
        let mut c = Backoff::default();
        let waits: std::collections::HashSet<Duration> = (0..20)
            .map(|_| {
                let w = c.next_wait();
                c.reset();
                w
            })
            .collect();
        assert!(waits.len() > 1, "{waits:?}");
    }
}
