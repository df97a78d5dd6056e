//! Bounded exponential backoff with jitter for failed jobs.

use std::time::Duration;

use rand::Rng;

use crate::config::JobsConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub give_up_after: Duration,
}

impl RetryPolicy {
    pub fn from_config(cfg: &JobsConfig) -> Self {
        Self {
            base: cfg.retry_base,
            cap: cfg.retry_cap,
            give_up_after: cfg.give_up_after,
        }
    }

    /// The ceiling of the delay after the `attempt`-th failure (1-based): base·2^(attempt-1),
    /// never above the cap.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        self.base
            .checked_mul(1u32 << exp)
            .unwrap_or(self.cap)
            .min(self.cap)
    }

    /// The delay before the next try: uniformly between half the ceiling and the ceiling, so
    /// jobs that failed together do not retry together.
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt);
        let half = ceiling / 2;
        let span = u64::try_from((ceiling - half).as_millis()).unwrap_or(u64::MAX);
        let jitter = if span == 0 {
            0
        } else {
            rand::rng().random_range(0..=span)
        };
        half + Duration::from_millis(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_secs(60),
            cap: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(86_400),
        }
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = policy();
        assert_eq!(p.ceiling(1), Duration::from_secs(60));
        assert_eq!(p.ceiling(2), Duration::from_secs(120));
        assert_eq!(p.ceiling(6), Duration::from_secs(1920));
        assert_eq!(p.ceiling(7), Duration::from_secs(3600));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(3600));
    }

    #[test]
    fn delay_stays_within_half_ceiling_and_ceiling() {
        let p = policy();
        for attempt in 1..40 {
            for _ in 0..50 {
                let d = p.delay(attempt);
                assert!(d >= p.ceiling(attempt) / 2, "attempt {attempt}: {d:?}");
                assert!(d <= p.ceiling(attempt), "attempt {attempt}: {d:?}");
            }
        }
    }

    #[test]
    fn delays_are_jittered() {
        let p = policy();
        let distinct: std::collections::HashSet<_> = (0..50).map(|_| p.delay(3)).collect();
        assert!(distinct.len() > 1);
    }
}
