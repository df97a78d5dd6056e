//! Valuation of a granted payment (SPEC §5): the USD value of its outcome — 1:1 for USD
//! stablecoins, otherwise a ChangeNOW estimate to USDT — then the fee split and the owner's
//! share put in exactly one place. No price means the job retries: a payment is never dropped
//! (lesson 11) and never valued at the invoice price (lesson 23).

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use rust_decimal::Decimal;

use super::assets::outcome_asset;
use crate::domain::fees;
use crate::domain::job::Job;
use crate::domain::job_kinds;
use crate::domain::money::UsdMicros;
use crate::jobs::{JobError, JobHandler, JobRunner, decode};
use crate::payments::checks::MAX_PAID_RATIO;
use crate::providers::changenow::Asset;
use crate::services::Ctx;
use crate::store::channels::{PayoutSettings, PayoutStrategy};
use crate::store::jobs::ClaimedJob;
use crate::store::payouts::{SharePlacement, Valued};

pub struct ValuePayment(pub Ctx);

impl JobHandler for ValuePayment {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let Job::ValuePayment { payment_id } = decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            let Some(v) = ctx
                .db
                .payment_to_value(payment_id)
                .await
                .map_err(JobError::retryable)?
            else {
                return Err(JobError::terminal(anyhow::anyhow!(
                    "payment {} is not granted",
                    payment_id
                )));
            };
            if v.valued || v.refunded || v.held {
                return Ok(());
            }
            let (Some(currency), Some(amount)) = (&v.outcome_currency, &v.outcome_amount) else {
                // Not settled yet in NOWPayments' report: try again later.
                return Err(JobError::retryable(anyhow::anyhow!(
                    "payment {} has no outcome yet",
                    payment_id
                )));
            };
            let amount: Decimal = amount
                .parse()
                .map_err(|e| JobError::terminal(anyhow::anyhow!("outcome amount: {e}")))?;
            let asset = outcome_asset(currency);
            let usd = if asset.usd_stable {
                amount
            } else {
                let usdt = Asset::new("usdt", &host_cn_network(ctx).await?);
                ctx.changenow
                    .estimate(&asset.asset, &usdt, amount)
                    .await
                    .map_err(|e| {
                        if e.is_retryable() {
                            JobError::retryable(anyhow::anyhow!("valuation estimate: {e}"))
                        } else {
                            // No price today is not "no value": keep retrying until give-up,
                            // then admins see it among failed jobs.
                            JobError::retryable(anyhow::anyhow!("no price for {currency}: {e}"))
                        }
                    })?
                    .to_amount
            };
            let value =
                UsdMicros::from_decimal_rounded(usd, rust_decimal::RoundingStrategy::ToZero)
                    .map_err(|e| JobError::terminal(anyhow::anyhow!("value: {e}")))?;
            // An outcome worth more than MAX_PAID_RATIO times the price is a wrong figure (or a
            // wrong price), not a windfall to pay out: held for an admin (issue 11).
            let cap = v.price.to_decimal().checked_mul(MAX_PAID_RATIO);
            if cap.is_none_or(|cap| value.to_decimal() > cap) {
                let reason = format!(
                    "outcome {amount} {currency} is valued at {value}, over {MAX_PAID_RATIO} times the price {}",
                    v.price
                );
                ctx.db
                    .hold_payment(v.payment_id, &v.np_payment_id, &reason, ctx.clock.now())
                    .await
                    .map_err(JobError::retryable)?;
                tracing::warn!(payment_id = v.payment_id, %reason, "payment held for review");
                return Ok(());
            }
            let split = fees::split(value, amount, ctx.config.rules.platform_fee_percent)
                .map_err(|e| JobError::terminal(anyhow::anyhow!("fee split: {e}")))?;
            let (host_currency, _) = &ctx.config.providers.host_asset;
            let valued = ctx
                .db
                .record_valuation(
                    &v,
                    &split,
                    ctx.clock.now(),
                    ctx.config.jobs.give_up_after,
                    |settings| place_share(settings, asset.usd_stable, host_currency),
                )
                .await
                .map_err(JobError::retryable)?;
            if let Valued::InstantPayout(id) = valued {
                tracing::info!(
                    payout_id = id,
                    payment_id = v.payment_id,
                    "instant payout queued"
                );
                ctx.jobs_wake.notify_one();
            }
            Ok(())
        }
        .boxed()
    }
}

/// Where the owner's share goes (SPEC §5): in exactly one place — an accumulation for a
/// threshold channel, a payout of its own from the host asset for an instant one.
fn place_share(settings: &PayoutSettings, usd_stable: bool, host_currency: &str) -> SharePlacement {
    match settings.strategy {
        PayoutStrategy::Threshold(_) => SharePlacement::Accumulation { usd_stable },
        PayoutStrategy::Instant => SharePlacement::InstantPayout {
            source_currency: host_currency.to_owned(),
        },
    }
}

/// ChangeNOW's name of the host network (USDT is valued on the chain the host wallet uses).
pub async fn host_cn_network(ctx: &Ctx) -> Result<String, JobError> {
    let (_, network) = &ctx.config.providers.host_asset;
    let n = ctx
        .db
        .network(network)
        .await
        .map_err(JobError::retryable)?
        .ok_or_else(|| {
            JobError::terminal(anyhow::anyhow!("HOST_ASSET network {network} unknown"))
        })?;
    Ok(n.cn_network)
}

pub fn register(runner: &mut JobRunner, ctx: &Ctx) {
    runner.register(
        job_kinds::VALUE_PAYMENT,
        Arc::new(ValuePayment(ctx.clone())),
    );
    runner.register(
        job_kinds::PAYOUT_STEP,
        Arc::new(super::send::PayoutStep(ctx.clone())),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(strategy: PayoutStrategy) -> PayoutSettings {
        PayoutSettings {
            currency: "usdt".into(),
            network: "TRX".into(),
            address: "T-address".into(),
            extra_id: None,
            strategy,
        }
    }

    #[test]
    fn a_threshold_channel_accumulates_and_an_instant_one_gets_a_payout() {
        let threshold = settings(PayoutStrategy::Threshold(UsdMicros::from_micros(
            50_000_000,
        )));
        assert_eq!(
            place_share(&threshold, false, "usdt"),
            SharePlacement::Accumulation { usd_stable: false }
        );
        assert_eq!(
            place_share(&threshold, true, "usdt"),
            SharePlacement::Accumulation { usd_stable: true }
        );
        assert_eq!(
            place_share(&settings(PayoutStrategy::Instant), true, "usdcbsc"),
            SharePlacement::InstantPayout {
                source_currency: "usdcbsc".into()
            }
        );
    }
}
