//! Conversions (SPEC §6, threshold channels): every CONVERSION_INTERVAL the owners' pending
//! volatile shares of one coin, once worth MIN_CONVERSION_USD, are locked into one conversion
//! and swapped to USDT into the host wallet:
//!
//! ```text
//! pending ─► exchange (coin → USDT, payout address = host wallet) ─► sending (host wallet pays
//!   the payin) ─► funded ─► finished (USDT distributed over exactly the locked rows)
//! ```
//!
//! Only the owner part is swapped (the platform fee was split off at valuation, lesson 22).
//! A coin the host wallet does not hold on its chain cannot be funded from here: its
//! conversion is cancelled with an alert and its rows wait (an operator funds it by hand).

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use rust_decimal::Decimal;

use super::assets::outcome_asset;
use super::send::{cn_error, later, mined_tx, send_from_wallet};
use super::wallet::{WalletAsset, parse_address};
use crate::domain::job::Job;
use crate::domain::job_kinds;
use crate::domain::money::UsdMicros;
use crate::domain::states::ConversionState;
use crate::jobs::{JobError, JobHandler, JobRunner, Timer, decode};
use crate::providers::changenow::{Asset, CreateExchange, ExchangeState};
use crate::services::Ctx;
use crate::store::conversions::Conversion;
use crate::store::jobs::ClaimedJob;
use crate::store::payouts::TxFor;

pub const TIMER: &str = "conversions";
const LOCK_KEY: i64 = 0x7465_6c65_0005;

pub fn timer(ctx: Ctx) -> Timer {
    Timer {
        name: TIMER,
        lock_key: LOCK_KEY,
        every: ctx.config.jobs.conversion_interval,
        tick: Arc::new(move || {
            let ctx = ctx.clone();
            async move {
                if ctx.db.payouts_paused().await? {
                    return Ok(());
                }
                for currency in ctx.db.volatile_pending_currencies().await? {
                    if let Some(id) = ctx
                        .db
                        .start_conversion(
                            &currency,
                            ctx.config.rules.min_conversion,
                            ctx.clock.now(),
                            ctx.config.jobs.give_up_after,
                        )
                        .await?
                    {
                        tracing::info!(conversion_id = id, %currency, "conversion started");
                        ctx.jobs_wake.notify_one();
                    }
                }
                Ok(())
            }
            .boxed()
        }),
    }
}

pub struct ConversionStep(pub Ctx);

impl JobHandler for ConversionStep {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let Job::ConversionStep { conversion_id } = decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            for _ in 0..8 {
                let Some(c) = ctx
                    .db
                    .conversion(conversion_id)
                    .await
                    .map_err(JobError::retryable)?
                else {
                    return Err(JobError::terminal(anyhow::anyhow!("no conversion")));
                };
                if c.state.is_final() {
                    return Ok(());
                }
                if ctx.db.payouts_paused().await.map_err(JobError::retryable)? {
                    return Err(later("payouts are paused (kill switch)"));
                }
                step(ctx, &c).await?;
            }
            Err(later("conversion still in progress"))
        }
        .boxed()
    }
}

/// The wallet asset for a ChangeNOW asset on the host chain, if the host wallet can pay it.
async fn fundable(ctx: &Ctx, asset: &Asset) -> Result<Option<WalletAsset>, JobError> {
    let host_network = super::valuation::host_cn_network(ctx).await?;
    if asset.network != host_network {
        return Ok(None);
    }
    let (_, network) = &ctx.config.providers.host_asset;
    let rows = ctx
        .db
        .payout_currencies()
        .await
        .map_err(JobError::retryable)?;
    let Some(row) = rows
        .into_iter()
        .find(|r| r.network == *network && r.cn_ticker == asset.ticker)
    else {
        return Ok(None);
    };
    let decimals =
        u8::try_from(row.decimals).map_err(|_| JobError::terminal(anyhow::anyhow!("decimals")))?;
    Ok(Some(match &row.token_contract {
        Some(c) => WalletAsset::erc20(
            &row.currency,
            parse_address(c).map_err(|e| JobError::terminal(anyhow::anyhow!("token: {e}")))?,
            decimals,
        ),
        None => WalletAsset::Native {
            symbol: row.currency.clone(),
            decimals,
        },
    }))
}

async fn step(ctx: &Ctx, c: &Conversion) -> Result<(), JobError> {
    let now = ctx.clock.now();
    let from = outcome_asset(&c.from_currency).asset;
    let usdt = Asset::new("usdt", &super::valuation::host_cn_network(ctx).await?);
    let amount: Decimal = c
        .from_amount
        .parse()
        .map_err(|e| JobError::terminal(anyhow::anyhow!("from amount: {e}")))?;
    match c.state {
        ConversionState::Pending => {
            if fundable(ctx, &from).await?.is_none() {
                let why = format!(
                    "{} {} is not held by the host wallet on its chain: convert it by hand",
                    amount, c.from_currency
                );
                ctx.db
                    .conversion_abandoned(c.id, &why, now)
                    .await
                    .map_err(JobError::retryable)?;
                return Ok(());
            }
            let range = ctx.changenow.range(&from, &usdt).await.map_err(cn_error)?;
            if amount < range.min {
                let why = format!("{amount} is below the exchange minimum {}", range.min);
                ctx.db
                    .conversion_abandoned(c.id, &why, now)
                    .await
                    .map_err(JobError::retryable)?;
                return Ok(());
            }
            let ex = ctx
                .changenow
                .create_exchange(&CreateExchange {
                    from,
                    to: usdt,
                    from_amount: amount,
                    address: ctx.wallet.address().to_string(),
                    extra_id: None,
                    refund_address: Some(ctx.wallet.address().to_string()),
                })
                .await
                .map_err(cn_error)?;
            ctx.db
                .conversion_exchange(
                    c.id,
                    Some((&ex.id, &ex.payin_address)),
                    ConversionState::Pending,
                    ConversionState::Exchange,
                    now,
                )
                .await
                .map_err(JobError::retryable)?;
            Ok(())
        }
        ConversionState::Exchange => {
            let id = c.exchange_id.clone().unwrap_or_default();
            let s = ctx.changenow.exchange(&id).await.map_err(cn_error)?;
            if matches!(
                s.status,
                ExchangeState::Expired | ExchangeState::Failed | ExchangeState::Refunded
            ) {
                ctx.db
                    .conversion_exchange(
                        c.id,
                        None,
                        ConversionState::Exchange,
                        ConversionState::Pending,
                        now,
                    )
                    .await
                    .map_err(JobError::retryable)?;
                return Ok(());
            }
            let Some(asset) = fundable(ctx, &from).await? else {
                return Err(JobError::terminal(anyhow::anyhow!("not fundable")));
            };
            let to = parse_address(c.payin_address.as_deref().unwrap_or_default())
                .map_err(|e| JobError::terminal(anyhow::anyhow!("payin: {e}")))?;
            send_from_wallet(
                ctx,
                TxFor::Conversion(c.id),
                ConversionState::Exchange.as_str(),
                &asset,
                to,
                amount,
            )
            .await
        }
        ConversionState::Sending => match mined_tx(ctx, TxFor::Conversion(c.id)).await? {
            (_, true) => {
                ctx.db
                    .conversion_transition(
                        c.id,
                        ConversionState::Sending,
                        ConversionState::Funded,
                        None,
                        now,
                    )
                    .await
                    .map_err(JobError::retryable)?;
                Ok(())
            }
            (t, false) => {
                let why = format!("deposit {} reverted", t.tx_hash);
                ctx.db
                    .conversion_transition(
                        c.id,
                        ConversionState::Sending,
                        ConversionState::Failed,
                        Some(&why),
                        now,
                    )
                    .await
                    .map_err(JobError::retryable)?;
                Ok(())
            }
        },
        ConversionState::Funded => {
            let id = c.exchange_id.clone().unwrap_or_default();
            let s = ctx.changenow.exchange(&id).await.map_err(cn_error)?;
            match s.status {
                ExchangeState::Finished => {
                    let Some(to) = s.amount_to else {
                        return Err(later("exchange finished without amountTo yet"));
                    };
                    let received =
                        UsdMicros::from_decimal_rounded(to, rust_decimal::RoundingStrategy::ToZero)
                            .map_err(|e| JobError::terminal(anyhow::anyhow!("received: {e}")))?;
                    ctx.db
                        .conversion_finished(c.id, received.micros(), now)
                        .await
                        .map_err(JobError::retryable)?;
                    Ok(())
                }
                ExchangeState::Failed | ExchangeState::Refunded => {
                    let why = format!(
                        "exchange {id} ended {}: check the refund to the host wallet",
                        s.status
                    );
                    ctx.db
                        .conversion_transition(
                            c.id,
                            ConversionState::Funded,
                            ConversionState::Failed,
                            Some(&why),
                            now,
                        )
                        .await
                        .map_err(JobError::retryable)?;
                    Ok(())
                }
                _ => Err(later("conversion exchange in progress")),
            }
        }
        other @ (ConversionState::Finished
        | ConversionState::Failed
        | ConversionState::Cancelled) => Err(JobError::terminal(anyhow::anyhow!(
            "conversion state {other}"
        ))),
    }
}

pub fn register(runner: &mut JobRunner, ctx: &Ctx) {
    runner.register(
        job_kinds::CONVERSION_STEP,
        Arc::new(ConversionStep(ctx.clone())),
    );
}
