//! Flood limits for `send*` methods, as sliding windows per chat and overall.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// Flood-limit settings. Telegram does not publish exact numbers; these are the
/// documented rules of thumb, which teloxide's `Throttle` also uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Turn all limits off.
    pub enabled: bool,
    /// Messages per second to one chat.
    pub per_chat_per_sec: u32,
    /// Messages per second over all chats.
    pub overall_per_sec: u32,
    /// Messages per minute to one group, supergroup or channel (`None` = no limit).
    pub group_per_min: Option<u32>,
    /// Slack on window edges: the client's clock and ours are a few ms apart, so a
    /// send paced at exactly one second by teloxide's `Throttle` may arrive a little
    /// early here.
    pub grace: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            enabled: true,
            per_chat_per_sec: 1,
            overall_per_sec: 30,
            group_per_min: Some(20),
            grace: Duration::from_millis(50),
        }
    }
}

/// Accepted sends, newest last.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    overall: VecDeque<Instant>,
    per_chat: HashMap<i64, VecDeque<Instant>>,
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);

impl RateLimiter {
    /// Checks whether a send to `chat_id` may go out `now`. `Err(retry_after)` in
    /// whole seconds (≥ 1) when a window is full. Nothing is recorded.
    pub(crate) fn check(&self, limits: &RateLimits, chat_id: i64, now: Instant) -> Result<(), u32> {
        if !limits.enabled {
            return Ok(());
        }
        let mut wait = Duration::ZERO;
        let mut consider = |history: &VecDeque<Instant>, window: Duration, limit: u32| {
            if let Some(w) = window_wait(history, window, limit, limits.grace, now) {
                wait = wait.max(w);
            }
        };
        consider(&self.overall, SECOND, limits.overall_per_sec);
        if let Some(history) = self.per_chat.get(&chat_id) {
            consider(history, SECOND, limits.per_chat_per_sec);
            if chat_id < 0
                && let Some(per_min) = limits.group_per_min
            {
                consider(history, MINUTE, per_min);
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(whole_seconds(wait))
        }
    }

    /// Records an accepted send.
    pub(crate) fn record(&mut self, chat_id: i64, now: Instant) {
        self.overall.push_back(now);
        self.per_chat.entry(chat_id).or_default().push_back(now);
        let keep_after = now.checked_sub(MINUTE);
        if let Some(cut) = keep_after {
            while self.overall.front().is_some_and(|t| *t < cut) {
                self.overall.pop_front();
            }
            for history in self.per_chat.values_mut() {
                while history.front().is_some_and(|t| *t < cut) {
                    history.pop_front();
                }
            }
        }
    }
}

/// How long until `history` admits one more event within `window`, if it is full.
fn window_wait(
    history: &VecDeque<Instant>,
    window: Duration,
    limit: u32,
    grace: Duration,
    now: Instant,
) -> Option<Duration> {
    let effective = window.saturating_sub(grace);
    let in_window: Vec<Instant> = history
        .iter()
        .copied()
        .filter(|t| now.saturating_duration_since(*t) < effective)
        .collect();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if in_window.len() < limit {
        return None;
    }
    // The oldest of the last `limit` events must leave the window first.
    let idx = in_window.len().saturating_sub(limit);
    let oldest = in_window.get(idx).copied()?;
    Some((oldest + effective).saturating_duration_since(now))
}

fn whole_seconds(wait: Duration) -> u32 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    u32::try_from(secs.max(1)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_chat_window_with_grace() {
        let limits = RateLimits::default();
        let mut limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert!(limiter.check(&limits, 5, t0).is_ok());
        limiter.record(5, t0);
        assert_eq!(
            limiter.check(&limits, 5, t0 + Duration::from_millis(300)),
            Err(1)
        );
        assert!(
            limiter
                .check(&limits, 6, t0 + Duration::from_millis(300))
                .is_ok()
        );
        assert!(
            limiter
                .check(&limits, 5, t0 + Duration::from_millis(960))
                .is_ok()
        );
    }

    #[test]
    fn group_per_minute() {
        let limits = RateLimits::default();
        let mut limiter = RateLimiter::default();
        let t0 = Instant::now();
        for i in 0..20u64 {
            let t = t0 + Duration::from_secs(i * 2);
            assert!(limiter.check(&limits, -100, t).is_ok(), "send {i}");
            limiter.record(-100, t);
        }
        let refused = limiter.check(&limits, -100, t0 + Duration::from_secs(40));
        assert!(matches!(refused, Err(n) if n >= 19), "{refused:?}");
    }
}
