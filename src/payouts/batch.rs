//! The batch timer (every BATCH_INTERVAL): groups converted, unpaid accumulations per channel
//! and wallet snapshot and creates one payout per group that reached its threshold, attaching
//! exactly those accumulations in the same transaction. It only writes rows and queues jobs;
//! the sending is the payout job's.

use std::sync::Arc;

use futures::FutureExt;

use crate::jobs::Timer;
use crate::services::Ctx;

pub const TIMER: &str = "batch_payouts";
const LOCK_KEY: i64 = 0x7465_6c65_0004;

pub fn timer(ctx: Ctx) -> Timer {
    Timer {
        name: TIMER,
        lock_key: LOCK_KEY,
        every: ctx.config.jobs.batch_interval,
        tick: Arc::new(move || {
            let ctx = ctx.clone();
            async move {
                if ctx.db.payouts_paused().await? {
                    tracing::info!("payouts paused: no batch this time");
                    return Ok(());
                }
                let (host_currency, _) = &ctx.config.providers.host_asset;
                let created = ctx
                    .db
                    .create_batch_payouts(
                        host_currency,
                        ctx.config.rules.min_threshold,
                        ctx.clock.now(),
                        ctx.config.jobs.give_up_after,
                    )
                    .await?;
                if !created.is_empty() {
                    tracing::info!(count = created.len(), "batch payouts created");
                    ctx.jobs_wake.notify_one();
                }
                Ok(())
            }
            .boxed()
        }),
    }
}
