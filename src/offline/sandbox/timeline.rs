//! The simulated clock: what happens next, and moving to it.
//!
//! "To the next timer" jumps to the earliest moment at which the product will *do* something a
//! person can see, read from the database rather than guessed:
//! - a pending job's `run_at` (subscription reminders are jobs; so are retries and payout steps);
//! - an active subscription's expiry, or the expiry sweep's first tick after it (the sweep runs
//!   every EXPIRY_INTERVAL, so that is when the member is removed and told);
//! - money waiting to be paid out: the conversion timer's next tick while owner shares are still
//!   `pending`, the batch timer's next tick once they are `converted` (threshold payouts).
//!
//! Bare timer ticks (housekeeping, reconciliation, an idle batch run) are not events: jumping to
//! them would move the clock by minutes and show nothing. Only when nothing at all is waiting
//! does the button fall back to the next tick of any timer, so it always moves the clock.

use std::time::Duration;

use serde::Serialize;
use telepay::jobs::housekeeping;
use telepay::payments::reconcile;
use telepay::payouts::{batch, convert};

use super::super::world::World;
use super::ledger::Ledger;

#[derive(Debug, Clone, Serialize)]
pub struct NextEvent {
    pub at_ms: i64,
    pub what: String,
}

/// Housekeeping's interval and the reconciliation's, as the product sets them (not configurable).
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(3600);
const RECONCILE_EVERY: Duration = Duration::from_secs(15 * 60);

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// When the named timer will next tick (now, if it never ran).
async fn next_tick(world: &World, name: &str, every: Duration) -> anyhow::Result<i64> {
    let now = world.now().as_millis();
    let last = world.ctx.db.timer_last_run(name).await?;
    Ok(last.map_or(now, |t| t.as_millis().saturating_add(ms(every))))
}

pub async fn next_event(world: &World, ledger: &Ledger) -> anyhow::Result<Option<NextEvent>> {
    let now = world.now().as_millis();
    let jobs = &world.ctx.config.jobs;
    let mut events: Vec<NextEvent> = Vec::new();
    for job in ledger.pending_jobs.iter().filter(|j| j.run_at > now) {
        let what = match job.kind.as_str() {
            "remind_subscription" => "a subscription reminder".to_owned(),
            other => format!("the job {other}"),
        };
        events.push(NextEvent {
            at_ms: job.run_at,
            what,
        });
    }
    let expiry_tick =
        next_tick(world, telepay::access::expiry::TIMER, jobs.expiry_interval).await?;
    for s in ledger.subscriptions.iter().filter(|s| s.status == "active") {
        let title = ledger
            .channel(s.channel_id)
            .map_or("a channel", |c| c.title.as_str());
        events.push(NextEvent {
            at_ms: s.expires_at.max(expiry_tick),
            what: format!("a subscription to {title} expires"),
        });
    }
    let waiting = |state: &str| ledger.accumulations.iter().any(|a| a.state == state);
    if waiting("pending") {
        events.push(NextEvent {
            at_ms: next_tick(world, convert::TIMER, jobs.conversion_interval).await?,
            what: "owner shares are converted".to_owned(),
        });
    }
    if waiting("converted") {
        events.push(NextEvent {
            at_ms: next_tick(world, batch::TIMER, jobs.batch_interval).await?,
            what: "a batch payout".to_owned(),
        });
    }
    if events.is_empty() {
        for (name, every) in [
            (housekeeping::NAME, HOUSEKEEPING_EVERY),
            (telepay::access::expiry::TIMER, jobs.expiry_interval),
            (reconcile::TIMER, RECONCILE_EVERY),
            (convert::TIMER, jobs.conversion_interval),
            (batch::TIMER, jobs.batch_interval),
        ] {
            events.push(NextEvent {
                at_ms: next_tick(world, name, every).await?,
                what: format!("the {name} timer (nothing else is waiting)"),
            });
        }
    }
    Ok(events.into_iter().min_by_key(|e| e.at_ms))
}

/// How far the clock may move at once with "+1 day": an hour at a time, so that the reminders,
/// the expiry sweep and the payout timers run in the order they would have.
const STEP: Duration = Duration::from_secs(3600);

/// Moves the clock by `by` in steps of at most an hour, settling after each.
pub async fn advance(world: &World, by: Duration) -> anyhow::Result<()> {
    let mut left = by;
    while !left.is_zero() {
        let step = left.min(STEP);
        world.advance(step).await?;
        left -= step;
    }
    Ok(())
}

/// Moves the clock to the next event (at least a second), in one jump, and settles.
pub async fn advance_to_next(world: &World) -> anyhow::Result<String> {
    let ledger = Ledger::read(&world.ctx.db).await?;
    let Some(next) = next_event(world, &ledger).await? else {
        anyhow::bail!("nothing is scheduled");
    };
    let now = world.now().as_millis();
    let wait = u64::try_from(next.at_ms.saturating_sub(now)).unwrap_or(0);
    world
        .advance(Duration::from_millis(wait).max(Duration::from_secs(1)))
        .await?;
    Ok(next.what)
}
