//! Interval timers. A tick only enqueues or sweeps (no external I/O inline); it runs once per
//! interval across all replicas (timers table) and, on PostgreSQL, only under an advisory lock.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::domain::time::SharedClock;
use crate::store::Db;

pub type TickFn = Arc<dyn Fn() -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

#[derive(Clone)]
pub struct Timer {
    pub name: &'static str,
    /// The PostgreSQL advisory-lock key of this timer; unique per timer.
    pub lock_key: i64,
    pub every: Duration,
    pub tick: TickFn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickOutcome {
    Ran,
    NotDue,
    Failed,
}

#[derive(Clone)]
pub struct Scheduler {
    db: Db,
    clock: SharedClock,
    timers: Vec<Timer>,
}

impl Scheduler {
    pub fn new(db: Db, clock: SharedClock) -> Self {
        Self {
            db,
            clock,
            timers: Vec::new(),
        }
    }

    pub fn add(&mut self, timer: Timer) {
        self.timers.push(timer);
    }

    pub fn timer_names(&self) -> Vec<&'static str> {
        self.timers.iter().map(|t| t.name).collect()
    }

    /// Runs `timer` if its interval has passed (or `force`) and no other replica holds it.
    #[tracing::instrument(skip_all, fields(timer = timer.name))]
    pub async fn tick(&self, timer: &Timer, force: bool) -> anyhow::Result<TickOutcome> {
        let slot = self
            .db
            .claim_timer(
                timer.name,
                timer.lock_key,
                timer.every,
                force,
                self.clock.now(),
            )
            .await?;
        let Some(slot) = slot else {
            return Ok(TickOutcome::NotDue);
        };
        match (timer.tick)().await {
            Ok(()) => {
                slot.commit().await?;
                metrics::counter!(crate::telemetry::names::TIMER_RUNS, "timer" => timer.name, "outcome" => "ran")
                    .increment(1);
                Ok(TickOutcome::Ran)
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "timer tick failed");
                metrics::counter!(crate::telemetry::names::TIMER_RUNS, "timer" => timer.name, "outcome" => "failed")
                    .increment(1);
                slot.abandon().await?;
                Ok(TickOutcome::Failed)
            }
        }
    }

    /// Ticks every timer that is due now; returns what each did.
    pub async fn run_due(&self) -> anyhow::Result<Vec<(&'static str, TickOutcome)>> {
        let mut out = Vec::with_capacity(self.timers.len());
        for t in &self.timers {
            out.push((t.name, self.tick(t, false).await?));
        }
        Ok(out)
    }

    /// Runs the named timer now, whether or not it is due (tests, admin commands).
    pub async fn run_now(&self, name: &str) -> anyhow::Result<TickOutcome> {
        let timer = self
            .timers
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| anyhow::anyhow!("no timer named {name}"))?;
        self.tick(timer, true).await
    }

    /// One task per timer. Each checks often (a tenth of its interval, at most every 30 s)
    /// so that the once-per-interval rule, not the local tick, decides when it runs.
    pub fn spawn(&self, tracker: &TaskTracker, cancel: CancellationToken) {
        for timer in self.timers.clone() {
            let this = self.clone();
            let cancel = cancel.clone();
            tracker.spawn(async move {
                let check = (timer.every / 10)
                    .clamp(Duration::from_millis(100), Duration::from_secs(30));
                let mut interval = tokio::time::interval(check);
                interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        () = cancel.cancelled() => break,
                        _ = interval.tick() => {
                            if let Err(e) = this.tick(&timer, false).await {
                                tracing::error!(timer = timer.name, error = %format!("{e:#}"), "timer check failed");
                            }
                        }
                    }
                }
            });
        }
    }
}
