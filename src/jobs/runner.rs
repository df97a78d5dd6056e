//! Runs due jobs: claims them with a lease, calls the handler for their kind, and records
//! done, retry (with backoff) or failed. Errors are classified by the handler, never guessed:
//! only retryable ones are retried (lesson 57).
//!
//! Leases are short and renewed while a job runs (a heartbeat every third of the lease), so a
//! worker that dies loses its jobs to the others within one lease, not after a long fixed wait.
//! A worker whose heartbeat finds the lease gone stops that run and records nothing: another
//! worker owns the job now.

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
use crate::domain::job::Job;
use crate::domain::time::SharedClock;
use crate::store::jobs::ClaimedJob;
use crate::store::{Backend, Db, StoreResult};
use crate::telemetry::names;

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

    /// A handler was given a job of another kind (registered under the wrong kind): a bug
    /// no retry fixes.
    pub fn unexpected(job: &ClaimedJob) -> Self {
        JobError::terminal(anyhow::anyhow!(
            "a {} job reached a handler of another kind",
            job.kind
        ))
    }
}

/// The typed job a handler was given. A payload that does not fit its kind is terminal.
pub fn decode(job: &ClaimedJob) -> Result<Job, JobError> {
    job.job().map_err(JobError::terminal)
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
    /// Runs whose lease was lost (it ran out and another worker took the job over): stopped,
    /// their outcome not recorded.
    pub lost: usize,
}

pub struct JobRunner {
    db: Db,
    clock: SharedClock,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    policy: RetryPolicy,
    lease: Duration,
    /// How often a running job's lease is renewed.
    heartbeat: Duration,
    batch: u32,
    wake: Arc<Notify>,
    /// Names this worker in every lease it takes (`leased_by` = `<worker>/<pass>`), so logs and
    /// the start-up release can say whose lease a job was under.
    worker: String,
}

const DEFAULT_BATCH: u32 = 16;

/// The shortest heartbeat interval, whatever the lease.
const MIN_HEARTBEAT: Duration = Duration::from_millis(10);

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
            heartbeat: (lease / 3).max(MIN_HEARTBEAT),
            batch: DEFAULT_BATCH,
            wake,
            worker: format!("p{}-{}", std::process::id(), new_code(6).to_lowercase()),
        }
    }

    /// Renews running jobs' leases every `every` instead of every third of the lease (tests,
    /// whose clock moves by hand while the heartbeat ticks in real time).
    pub fn set_heartbeat(&mut self, every: Duration) {
        self.heartbeat = every.max(MIN_HEARTBEAT);
    }

    /// The id this worker stamps on its leases.
    pub fn worker_id(&self) -> &str {
        &self.worker
    }

    /// At start-up on SQLite, where this process is the only worker: every job still `running`
    /// was leased by a process that died, so it is handed back at once (its attempt not
    /// counted) instead of waiting for its lease to run out. On PostgreSQL other replicas may
    /// be alive and running those jobs; nothing is released there, and a dead replica's short
    /// leases run out by themselves. Returns how many jobs were released.
    pub async fn release_abandoned(&self) -> StoreResult<usize> {
        if self.db.backend() != Backend::Sqlite {
            return Ok(0);
        }
        let jobs = self.db.release_abandoned_jobs(self.clock.now()).await?;
        if !jobs.is_empty() {
            let mut holders: Vec<&str> = jobs
                .iter()
                .filter_map(|j| j.leased_by.as_deref())
                .map(|t| t.split_once('/').map_or(t, |(worker, _)| worker))
                .collect();
            holders.sort_unstable();
            holders.dedup();
            let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
            tracing::warn!(
                count = jobs.len(),
                ?ids,
                leased_by = %holders.join(","),
                "released jobs left running by an earlier process; they run again now"
            );
            metrics::counter!(names::JOBS_RELEASED_AT_STARTUP).increment(jobs.len() as u64);
        }
        Ok(jobs.len())
    }

    /// Registers the handler of `kind`; a job of a kind nobody handles fails terminally.
    pub fn register(&mut self, kind: &str, handler: Arc<dyn JobHandler>) {
        self.handlers.insert(kind.to_owned(), handler);
    }

    /// Claims one batch of due jobs and runs them in order. Stops early (handing the rest
    /// back) when `cancel` fires.
    pub async fn run_once(&self, cancel: &CancellationToken) -> anyhow::Result<RunReport> {
        let token = format!("{}/{}", self.worker, new_code(12));
        let jobs = self
            .db
            .claim_jobs(self.clock.now(), self.lease, self.batch, &token)
            .await?;
        let claimed_at = tokio::time::Instant::now();
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
            // A job that waited behind others of its batch has had no heartbeat: renew its
            // lease before starting, and skip it when another worker took it over meanwhile.
            if claimed_at.elapsed() >= self.heartbeat && !self.renew(job).await? {
                tracing::warn!(
                    job_id = job.id,
                    kind = %job.kind,
                    "job lease ran out before its turn; another worker has it"
                );
                self.count(job, Outcome::LeaseLost);
                report.lost += 1;
                continue;
            }
            match self.run_job(job).await? {
                Outcome::Done => report.done += 1,
                Outcome::Retried => report.retried += 1,
                Outcome::Failed => report.failed += 1,
                Outcome::LeaseLost => report.lost += 1,
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
            total.released += r.released;
            total.lost += r.lost;
        }
    }

    /// Extends `job`'s lease by a full lease from now. False when it was lost.
    async fn renew(&self, job: &ClaimedJob) -> anyhow::Result<bool> {
        let until = self.clock.now().saturating_add(self.lease);
        Ok(self.db.renew_lease(job, until).await?)
    }

    /// The heartbeat of one running job: renews its lease every `heartbeat` and returns only
    /// when the lease is lost. A failed renewal (a database hiccup) is tried again at the next
    /// beat; if the database stays away longer than the lease, another worker may take the job
    /// and the next beat that reaches the database notices.
    async fn keep_leased(&self, job: &ClaimedJob) {
        loop {
            tokio::time::sleep(self.heartbeat).await;
            match self.renew(job).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    metrics::counter!(names::JOB_LEASE_RENEWAL_ERRORS).increment(1);
                    tracing::warn!(error = %format!("{e:#}"), "could not renew the job lease");
                }
            }
        }
    }

    #[tracing::instrument(skip_all, fields(
        job_id = job.id,
        kind = %job.kind,
        attempt = job.attempts,
        invoice_id = tracing::field::Empty,
        payment_id = tracing::field::Empty,
        payout_id = tracing::field::Empty,
        subscription_id = tracing::field::Empty,
        channel_id = tracing::field::Empty,
        conversion_id = tracing::field::Empty,
        user_id = tracing::field::Empty,
    ))]
    async fn run_job(&self, job: &ClaimedJob) -> anyhow::Result<Outcome> {
        // What the job is about goes on every line it logs (as JSON keys with LOG_FORMAT=json).
        if let Ok(j) = job.job() {
            let ids = j.ids();
            let span = tracing::Span::current();
            for (name, id) in [
                ("invoice_id", ids.invoice_id),
                ("payment_id", ids.payment_id),
                ("payout_id", ids.payout_id),
                ("subscription_id", ids.subscription_id),
                ("channel_id", ids.channel_id),
                ("conversion_id", ids.conversion_id),
                ("user_id", ids.user_id),
            ] {
                if let Some(id) = id {
                    span.record(name, id);
                }
            }
        }
        let work = async {
            match self.handlers.get(&job.kind) {
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
            }
        };
        // The heartbeat ends only when the lease is lost; the run is then dropped where it
        // stands, exactly as if this process had died there (handlers are written for that),
        // so two workers do not carry on with one job side by side.
        let result = tokio::select! {
            biased;
            r = work => r,
            () = self.keep_leased(job) => {
                tracing::warn!("job lease lost to another worker; this run stops and records nothing");
                return Ok(self.count(job, Outcome::LeaseLost));
            }
        };
        let now = self.clock.now();
        let (recorded, outcome) = match result {
            Ok(()) => (self.db.complete_job(job, now).await?, Outcome::Done),
            Err(JobError::Terminal(e)) => {
                tracing::error!(error = %format!("{e:#}"), "job failed terminally");
                (
                    self.db.fail_job(job, &format!("{e:#}"), now).await?,
                    Outcome::Failed,
                )
            }
            Err(JobError::Retryable(e)) => {
                let next = now.saturating_add(self.policy.delay(job.attempts));
                if next > job.give_up_at {
                    tracing::error!(error = %format!("{e:#}"), "job retries exhausted");
                    let msg = format!("gave up after {} attempts: {e:#}", job.attempts);
                    (self.db.fail_job(job, &msg, now).await?, Outcome::Failed)
                } else {
                    tracing::warn!(error = %format!("{e:#}"), retry_at = %next, "job will be retried");
                    let recorded = self
                        .db
                        .retry_job_later(job, next, &format!("{e:#}"), now)
                        .await?;
                    (recorded, Outcome::Retried)
                }
            }
        };
        // The outcome is written with a compare-and-set on the lease: a run whose lease ran
        // out and was taken over writes nothing, and is counted as such.
        let outcome = if recorded {
            outcome
        } else {
            tracing::warn!(
                would_be = outcome.label(),
                "job lease lost to another worker before the outcome was recorded; nothing recorded"
            );
            Outcome::LeaseLost
        };
        Ok(self.count(job, outcome))
    }

    fn count(&self, job: &ClaimedJob, outcome: Outcome) -> Outcome {
        metrics::counter!(names::JOB_RUNS, "kind" => job.kind.clone(), "outcome" => outcome.label())
            .increment(1);
        outcome
    }

    /// The worker loop: wakes on enqueue or every `poll`, runs until cancelled. A failing pass
    /// is logged and counted, never fatal.
    pub async fn run(self: Arc<Self>, poll: Duration, cancel: CancellationToken) {
        loop {
            match self.run_once(&cancel).await {
                Ok(r) if r.claimed > 0 && !cancel.is_cancelled() => continue,
                Ok(_) => {}
                Err(e) => {
                    metrics::counter!(names::JOB_RUNNER_ERRORS).increment(1);
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
    /// The lease ran out and another worker took the job over: nothing recorded.
    LeaseLost,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Retried => "retried",
            Outcome::Failed => "failed",
            Outcome::LeaseLost => "lease_lost",
        }
    }
}
