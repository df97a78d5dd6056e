//! Runs due jobs: claims them with a lease, calls the handler for their kind, and records
//! done, retry (with backoff) or failed. Errors are classified by the handler, never guessed:
//! only retryable ones are retried (lesson 57).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::RetryPolicy;
use crate::domain::ids::new_code;
use crate::domain::time::SharedClock;
use crate::store::Db;
use crate::store::jobs::ClaimedJob;

/// How a job run failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth trying again later (timeouts, 5xx, a database hiccup).
    #[error("{0:#}")]
    Retryable(anyhow::Error),
    /// Trying again cannot help (bad input, a 4xx, a broken invariant); an admin must look.
    #[error("{0:#}")]
    Terminal(anyhow::Error),
}

impl JobError {
    pub fn retryable(e: impl Into<anyhow::Error>) -> Self {
        JobError::Retryable(e.into())
    }

    pub fn terminal(e: impl Into<anyhow::Error>) -> Self {
        JobError::Terminal(e.into())
    }
}

/// The code that performs one kind of job. It must be idempotent: a job whose worker died
/// runs again once its lease expires.
pub trait JobHandler: Send + Sync {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>>;
}

/// What one pass of the runner did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunReport {
    pub claimed: usize,
    pub done: usize,
    pub retried: usize,
    pub failed: usize,
    pub released: usize,
}

pub struct JobRunner {
    db: Db,
    clock: SharedClock,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    policy: RetryPolicy,
    lease: Duration,
    batch: u32,
    wake: Arc<Notify>,
}

const DEFAULT_BATCH: u32 = 16;

impl JobRunner {
    pub fn new(
        db: Db,
        clock: SharedClock,
        policy: RetryPolicy,
        lease: Duration,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            db,
            clock,
            handlers: HashMap::new(),
            policy,
            lease,
            batch: DEFAULT_BATCH,
            wake,
        }
    }

    /// Registers the handler of `kind`; a job of a kind nobody handles fails terminally.
    pub fn register(&mut self, kind: &str, handler: Arc<dyn JobHandler>) {
        self.handlers.insert(kind.to_owned(), handler);
    }

    /// Claims one batch of due jobs and runs them in order. Stops early (handing the rest
    /// back) when `cancel` fires.
    pub async fn run_once(&self, cancel: &CancellationToken) -> anyhow::Result<RunReport> {
        let token = format!("w-{}", new_code(16));
        let jobs = self
            .db
            .claim_jobs(self.clock.now(), self.lease, self.batch, &token)
            .await?;
        let mut report = RunReport {
            claimed: jobs.len(),
            ..RunReport::default()
        };
        for job in &jobs {
            if cancel.is_cancelled() {
                if self.db.release_job(job, self.clock.now()).await? {
                    report.released += 1;
                }
                continue;
            }
            match self.run_job(job).await? {
                Outcome::Done => report.done += 1,
                Outcome::Retried => report.retried += 1,
                Outcome::Failed => report.failed += 1,
            }
        }
        Ok(report)
    }

    /// Runs passes until no job is due (for tests and the demo).
    pub async fn run_until_idle(&self) -> anyhow::Result<RunReport> {
        let never = CancellationToken::new();
        let mut total = RunReport::default();
        loop {
            let r = self.run_once(&never).await?;
            if r.claimed == 0 {
                return Ok(total);
            }
            total.claimed += r.claimed;
            total.done += r.done;
            total.retried += r.retried;
            total.failed += r.failed;
        }
    }

    #[tracing::instrument(skip_all, fields(job_id = job.id, kind = %job.kind, attempt = job.attempts))]
    async fn run_job(&self, job: &ClaimedJob) -> anyhow::Result<Outcome> {
        let result = match self.handlers.get(&job.kind) {
            None => Err(JobError::Terminal(anyhow::anyhow!(
                "no handler is registered for jobs of kind {}",
                job.kind
            ))),
            Some(h) => match AssertUnwindSafe(h.run(job)).catch_unwind().await {
                Ok(r) => r,
                Err(_) => Err(JobError::Retryable(anyhow::anyhow!(
                    "the job handler panicked"
                ))),
            },
        };
        let now = self.clock.now();
        let outcome = match result {
            Ok(()) => {
                self.db.complete_job(job, now).await?;
                Outcome::Done
            }
            Err(JobError::Terminal(e)) => {
                tracing::error!(error = %format!("{e:#}"), "job failed terminally");
                self.db.fail_job(job, &format!("{e:#}"), now).await?;
                Outcome::Failed
            }
            Err(JobError::Retryable(e)) => {
                let next = now.saturating_add(self.policy.delay(job.attempts));
                if next > job.give_up_at {
                    tracing::error!(error = %format!("{e:#}"), "job retries exhausted");
                    let msg = format!("gave up after {} attempts: {e:#}", job.attempts);
                    self.db.fail_job(job, &msg, now).await?;
                    Outcome::Failed
                } else {
                    tracing::warn!(error = %format!("{e:#}"), retry_at = %next, "job will be retried");
                    self.db
                        .retry_job_later(job, next, &format!("{e:#}"), now)
                        .await?;
                    Outcome::Retried
                }
            }
        };
        metrics::counter!("jobs_finished_total", "kind" => job.kind.clone(), "outcome" => outcome.label())
            .increment(1);
        Ok(outcome)
    }

    /// The worker loop: wakes on enqueue or every `poll`, runs until cancelled. A failing pass
    /// is logged and counted, never fatal.
    pub async fn run(self: Arc<Self>, poll: Duration, cancel: CancellationToken) {
        loop {
            match self.run_once(&cancel).await {
                Ok(r) if r.claimed > 0 && !cancel.is_cancelled() => continue,
                Ok(_) => {}
                Err(e) => {
                    metrics::counter!("jobs_runner_errors_total").increment(1);
                    tracing::error!(error = %format!("{e:#}"), "job runner pass failed");
                }
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
        tracing::info!("job runner stopped");
    }
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Done,
    Retried,
    Failed,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Retried => "retried",
            Outcome::Failed => "failed",
        }
    }
}
