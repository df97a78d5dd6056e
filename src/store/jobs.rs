//! The durable job queue: enqueue with a unique key, claim with a lease, record the outcome.
//! Every state change is a compare-and-set on (id, lease token), so a worker whose lease
//! expired cannot overwrite what the next worker did.

use std::time::Duration;

use sqlx::{AnyConnection, Row};

use super::admin_log::{Actor, record};
use super::{Db, StoreError, StoreResult};
use crate::domain::ids::new_id;
use crate::domain::job::{Job, JobPayloadError};
use crate::domain::states::AdminLogAction;
use crate::domain::time::UnixMillis;

/// A job to add to the queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// What to do; its kind and payload are what the row stores.
    pub job: Job,
    /// At most one job ever exists per key: enqueuing it again is a no-op.
    pub unique_key: Option<String>,
    pub run_at: UnixMillis,
    /// Retries stop after this moment and the job is marked failed.
    pub give_up_at: UnixMillis,
}

/// A job this worker holds a lease on.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub unique_key: Option<String>,
    /// The payload as stored; [`ClaimedJob::job`] reads it as the typed [`Job`].
    pub payload: serde_json::Value,
    /// Including this run.
    pub attempts: u32,
    pub give_up_at: UnixMillis,
    pub created_at: UnixMillis,
    pub lease_token: String,
}

impl ClaimedJob {
    /// The typed job of this row. An error means a payload that does not fit its kind (a
    /// broken producer or a hand-edited row): running it again cannot help.
    pub fn job(&self) -> Result<Job, JobPayloadError> {
        Job::from_stored(&self.kind, &self.payload)
    }
}

/// A job found `running` at start-up and handed back (see [`Db::release_abandoned_jobs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbandonedJob {
    pub id: i64,
    pub kind: String,
    /// The lease token of the run that never finished (`<worker id>/<pass>`).
    pub leased_by: Option<String>,
}

/// A job as admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub unique_key: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub run_at: UnixMillis,
    pub last_error: Option<String>,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Adds a job inside the caller's transaction, so it commits or vanishes with the business
/// change that caused it. Returns false when a job with the same unique key already exists.
pub async fn enqueue_job(
    conn: &mut AnyConnection,
    job: &NewJob,
    now: UnixMillis,
) -> StoreResult<bool> {
    let payload = job
        .job
        .payload_text()
        .map_err(|e| StoreError::Corrupt(format!("job payload: {e}")))?;
    let res = sqlx::query(
        "INSERT INTO jobs (id, kind, unique_key, payload, state, attempts, run_at, give_up_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $7, $7) ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(new_id())
    .bind(job.job.kind())
    .bind(job.unique_key.as_deref())
    .bind(payload)
    .bind(job.run_at.as_millis())
    .bind(job.give_up_at.as_millis())
    .bind(now.as_millis())
    .execute(&mut *conn)
    .await?;
    Ok(res.rows_affected() == 1)
}

impl Db {
    /// Adds a job on its own. Returns false when its unique key was already used.
    pub async fn enqueue(&self, job: &NewJob, now: UnixMillis) -> StoreResult<bool> {
        let mut conn = self.pool().acquire().await?;
        enqueue_job(&mut conn, job, now).await
    }

    /// Leases up to `limit` due jobs (and jobs whose lease ran out) to `lease_token`.
    #[tracing::instrument(skip_all, fields(limit))]
    pub async fn claim_jobs(
        &self,
        now: UnixMillis,
        lease: Duration,
        limit: u32,
        lease_token: &str,
    ) -> StoreResult<Vec<ClaimedJob>> {
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, \
               leased_by = $2, updated_at = $3 \
             WHERE id IN (SELECT id FROM jobs \
               WHERE (state = 'pending' AND run_at <= $3) OR (state = 'running' AND lease_until < $3) \
               ORDER BY run_at, id LIMIT $4{}) \
             RETURNING id, kind, unique_key, payload, attempts, give_up_at, created_at",
            self.backend().skip_locked()
        );
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now.as_millis().saturating_add(ms(lease)))
            .bind(lease_token)
            .bind(now.as_millis())
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut jobs = rows
            .iter()
            .map(|r| {
                let payload: String = r.try_get("payload")?;
                let attempts: i64 = r.try_get("attempts")?;
                Ok(ClaimedJob {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    unique_key: r.try_get("unique_key")?,
                    payload: serde_json::from_str(&payload)
                        .map_err(|e| StoreError::Corrupt(format!("job payload: {e}")))?,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                    give_up_at: UnixMillis::from_millis(r.try_get("give_up_at")?),
                    created_at: UnixMillis::from_millis(r.try_get("created_at")?),
                    lease_token: lease_token.to_owned(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        // RETURNING order is unspecified; run in due order.
        jobs.sort_by_key(|j| (j.created_at, j.id));
        Ok(jobs)
    }

    /// Moves a leased job to its next state. False when the lease was lost meanwhile.
    async fn finish_job(
        &self,
        job: &ClaimedJob,
        state: &str,
        run_at: Option<UnixMillis>,
        error: Option<&str>,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let finished = matches!(state, "done" | "failed").then_some(now.as_millis());
        let res = sqlx::query(
            "UPDATE jobs SET state = $1, run_at = COALESCE($2, run_at), last_error = COALESCE($3, last_error), \
               lease_until = NULL, leased_by = NULL, updated_at = $4, finished_at = $5 \
             WHERE id = $6 AND leased_by = $7 AND state = 'running'",
        )
        .bind(state)
        .bind(run_at.map(UnixMillis::as_millis))
        .bind(error)
        .bind(now.as_millis())
        .bind(finished)
        .bind(job.id)
        .bind(&job.lease_token)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    pub async fn complete_job(&self, job: &ClaimedJob, now: UnixMillis) -> StoreResult<bool> {
        self.finish_job(job, "done", None, None, now).await
    }

    pub async fn retry_job_later(
        &self,
        job: &ClaimedJob,
        run_at: UnixMillis,
        error: &str,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        self.finish_job(job, "pending", Some(run_at), Some(error), now)
            .await
    }

    /// Terminal failure, or retries exhausted: the job waits for an admin.
    pub async fn fail_job(
        &self,
        job: &ClaimedJob,
        error: &str,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        self.finish_job(job, "failed", None, Some(error), now).await
    }

    /// Hands a claimed job back untouched (shutdown before it ran): the attempt is not counted.
    pub async fn release_job(&self, job: &ClaimedJob, now: UnixMillis) -> StoreResult<bool> {
        let res = sqlx::query(
            "UPDATE jobs SET state = 'pending', attempts = attempts - 1, lease_until = NULL, \
               leased_by = NULL, updated_at = $1 WHERE id = $2 AND leased_by = $3 AND state = 'running'",
        )
        .bind(now.as_millis())
        .bind(job.id)
        .bind(&job.lease_token)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// Extends the lease of a job this worker still holds (the heartbeat of a running job).
    /// False when the lease was lost: another worker took the job over after it ran out, or
    /// its state changed. Not an outcome, so `updated_at` is left alone.
    pub async fn renew_lease(
        &self,
        job: &ClaimedJob,
        lease_until: UnixMillis,
    ) -> StoreResult<bool> {
        let res = sqlx::query(
            "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND leased_by = $3 AND state = 'running'",
        )
        .bind(lease_until.as_millis())
        .bind(job.id)
        .bind(&job.lease_token)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// Hands back every job left `running`, whoever leased it, as if its run had never started
    /// (pending, the attempt not counted, due at once). Only for start-up on SQLite, where one
    /// process is the only worker: a job still running there belongs to a process that died.
    /// Never call it where other workers may be alive (PostgreSQL replicas): their leases run
    /// out by themselves instead.
    pub async fn release_abandoned_jobs(&self, now: UnixMillis) -> StoreResult<Vec<AbandonedJob>> {
        let mut tx = self.begin_write().await?;
        let rows =
            sqlx::query("SELECT id, kind, leased_by FROM jobs WHERE state = 'running' ORDER BY id")
                .fetch_all(&mut *tx)
                .await?;
        let abandoned = rows
            .iter()
            .map(|r| {
                Ok(AbandonedJob {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    leased_by: r.try_get("leased_by")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        sqlx::query(
            "UPDATE jobs SET state = 'pending', \
               attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
               run_at = CASE WHEN run_at < $1 THEN run_at ELSE $1 END, \
               lease_until = NULL, leased_by = NULL, updated_at = $1 WHERE state = 'running'",
        )
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(abandoned)
    }

    /// Jobs in the failed state, newest first, for the admin view.
    pub async fn failed_jobs(&self, limit: u32) -> StoreResult<Vec<JobRow>> {
        self.jobs_where("state = 'failed'", limit).await
    }

    pub async fn job(&self, id: i64) -> StoreResult<Option<JobRow>> {
        let rows = self.jobs_where_bound("id = $1", Some(id), 1).await?;
        Ok(rows.into_iter().next())
    }

    async fn jobs_where(&self, cond: &'static str, limit: u32) -> StoreResult<Vec<JobRow>> {
        self.jobs_where_bound(cond, None, limit).await
    }

    async fn jobs_where_bound(
        &self,
        cond: &'static str,
        id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<JobRow>> {
        let sql = format!(
            "SELECT id, kind, unique_key, state, attempts, run_at, last_error FROM jobs \
             WHERE {cond} ORDER BY updated_at DESC, id LIMIT {limit}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = id {
            q = q.bind(id);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(JobRow {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    unique_key: r.try_get("unique_key")?,
                    state: r.try_get("state")?,
                    attempts: r.try_get("attempts")?,
                    run_at: UnixMillis::from_millis(r.try_get("run_at")?),
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// An admin's "retry": a failed job runs again now with a fresh retry budget; `Ok(true)`
    /// when it was failed. Logged for an admin in the same transaction. A job that is not
    /// failed (any more) is left alone, and since nothing changed no log row is written.
    pub async fn retry_failed_job(
        &self,
        id: i64,
        by: Actor,
        give_up_at: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let res = sqlx::query(
            "UPDATE jobs SET state = 'pending', attempts = 0, run_at = $1, give_up_at = $2, \
               finished_at = NULL, updated_at = $1 WHERE id = $3 AND state = 'failed'",
        )
        .bind(now.as_millis())
        .bind(give_up_at.as_millis())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let changed = res.rows_affected() == 1;
        if changed {
            record(
                &mut tx,
                by,
                AdminLogAction::RetryJob,
                &format!("job:{id}"),
                Some("failed"),
                Some("pending"),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// An admin's "cancel" of a job that has not finished.
    pub async fn cancel_job(&self, id: i64, now: UnixMillis) -> StoreResult<bool> {
        let res = sqlx::query(
            "UPDATE jobs SET state = 'cancelled', finished_at = $1, updated_at = $1 \
             WHERE id = $2 AND state IN ('pending', 'failed')",
        )
        .bind(now.as_millis())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// Counts jobs per state, for metrics and the admin summary.
    pub async fn job_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let rows =
            sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state ORDER BY state")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("state")?, r.try_get("n")?)))
            .collect()
    }

    /// How many jobs are pending, running or failed, per kind and state (for the metrics;
    /// done and cancelled jobs are history, not load). Reads the `(state, run_at)` index.
    pub async fn job_load(&self) -> StoreResult<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT kind, state, COUNT(*) AS n FROM jobs \
             WHERE state IN ('pending', 'running', 'failed') \
             GROUP BY kind, state ORDER BY kind, state",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("kind")?, r.try_get("state")?, r.try_get("n")?)))
            .collect()
    }

    /// Deletes finished jobs older than `before` whose key is not needed for idempotency.
    /// Jobs with a unique key stay forever: the key is what stops a side effect repeating.
    pub async fn purge_finished_jobs(&self, before: UnixMillis) -> StoreResult<u64> {
        let res = sqlx::query(
            "DELETE FROM jobs WHERE state IN ('done', 'cancelled') AND unique_key IS NULL AND finished_at < $1",
        )
        .bind(before.as_millis())
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected())
    }
}
