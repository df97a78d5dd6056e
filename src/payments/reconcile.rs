//! Reconciliation: NOWPayments sends no IPN after a payment expires, yet a late deposit can
//! still finish it, and an IPN can be lost. A timer lists our quiet, ungranted payments of the
//! last 7 days and queues one status poll each; the poll feeds what it reads through the same
//! intake transaction as an IPN (forward-only, idempotent).

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;

use super::intake::{IntakeRules, record_ipn};
use crate::domain::job::Job;
use crate::domain::job_kinds;
use crate::jobs::{JobError, JobHandler, JobRunner, Timer, decode};
use crate::services::Ctx;
use crate::store::jobs::{ClaimedJob, NewJob};

pub const TIMER: &str = "reconcile_payments";
const LOCK_KEY: i64 = 0x7465_6c65_0003;
const EVERY: Duration = Duration::from_secs(15 * 60);
/// A payment that changed more recently than this is still being reported by IPNs.
const QUIET: Duration = Duration::from_secs(30 * 60);
/// NOWPayments may still finish a payment up to 7 days later.
const WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);
const BATCH: u32 = 200;

pub fn timer(ctx: Ctx) -> Timer {
    Timer {
        name: TIMER,
        lock_key: LOCK_KEY,
        every: EVERY,
        tick: Arc::new(move || {
            let ctx = ctx.clone();
            async move {
                let now = ctx.clock.now();
                let ids = ctx
                    .db
                    .payments_to_reconcile(
                        now.saturating_sub(QUIET),
                        now.saturating_sub(WINDOW),
                        BATCH,
                    )
                    .await?;
                // One poll per payment per interval: the bucket is part of the key.
                let bucket = now.as_millis() / i64::try_from(EVERY.as_millis()).unwrap_or(i64::MAX);
                for id in ids {
                    let unique_key = Some(format!("reconcile:{id}:{bucket}"));
                    let job = NewJob {
                        job: Job::ReconcilePayment { np_payment_id: id },
                        unique_key,
                        run_at: now,
                        // A poll that keeps failing is simply replaced by the next interval's.
                        give_up_at: now.saturating_add(EVERY),
                    };
                    ctx.db.enqueue(&job, now).await?;
                }
                ctx.jobs_wake.notify_one();
                Ok(())
            }
            .boxed()
        }),
    }
}

pub struct ReconcilePayment(pub Ctx);

impl JobHandler for ReconcilePayment {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let Job::ReconcilePayment { np_payment_id } = decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            let payment = match ctx.nowpayments.get_payment(&np_payment_id).await {
                Ok(pay) => pay,
                Err(e) if e.is_retryable() => {
                    return Err(JobError::retryable(anyhow::anyhow!("{e}")));
                }
                Err(e) => return Err(JobError::terminal(anyhow::anyhow!("{e}"))),
            };
            let raw = serde_json::to_string(&payment).map_err(JobError::terminal)?;
            let rules = IntakeRules::from_config(&ctx.config);
            let outcome = record_ipn(&ctx.db, &payment, &[], &raw, &rules, ctx.clock.now())
                .await
                .map_err(JobError::retryable)?;
            tracing::info!(%np_payment_id, ?outcome, "payment reconciled");
            ctx.jobs_wake.notify_one();
            Ok(())
        }
        .boxed()
    }
}

pub fn register(runner: &mut JobRunner, ctx: &Ctx) {
    runner.register(
        job_kinds::RECONCILE_PAYMENT,
        Arc::new(ReconcilePayment(ctx.clone())),
    );
}
