//! One payout, step by step (SPEC §6). States:
//!
//! ```text
//! pending ──(owner takes the host asset on the host network)──────────────► sending ─► sent
//! pending ─► exchange (ChangeNOW exchange created) ─► sending (host wallet pays payin) ─►
//!   funded (deposit mined) ─► sent (exchange finished)          any ─► failed (admins)
//! pending ─► cancelled (instant share below the exchange minimum → accumulation)
//! ```
//!
//! Each run of the job looks at the stored state and does the next step only. The host wallet
//! persists nonce, raw transaction and hash before broadcasting; on every later run it looks for
//! the receipt of that hash first and only ever re-broadcasts the same bytes, so a payout is
//! never sent twice (lessons 37, 38). The kill switch is checked before every step.

use futures::FutureExt;
use futures::future::BoxFuture;
use rust_decimal::Decimal;

use super::wallet::{WalletAsset, parse_address};
use crate::domain::job::Job;
use crate::domain::money::UsdMicros;
use crate::domain::states::PayoutState;
use crate::jobs::{JobError, JobHandler, decode};
use crate::providers::changenow::{Asset, CnError, CreateExchange, ExchangeState};
use crate::services::Ctx;
use crate::store::jobs::ClaimedJob;
use crate::store::payouts::{Payout, TxFor};

pub use super::transfers::{mined_tx, send_from_wallet};

/// Safety margin over ChangeNOW's minimum (minimums move; apis.md §B.7).
const MIN_MARGIN: Decimal = Decimal::from_parts(105, 0, 0, false, 2);

pub struct PayoutStep(pub Ctx);

pub(crate) fn retry(what: &str, e: impl std::fmt::Display) -> JobError {
    JobError::retryable(anyhow::anyhow!("{what}: {e}"))
}

/// Not finished yet: run again later (with the job's backoff).
pub(crate) fn later(why: &str) -> JobError {
    JobError::retryable(anyhow::anyhow!("{why}"))
}

/// The host asset as the wallet and ChangeNOW know it.
pub struct HostAsset {
    pub currency: String,
    pub network: String,
    pub cn: Asset,
    pub wallet: WalletAsset,
}

pub async fn host_asset(ctx: &Ctx) -> Result<HostAsset, JobError> {
    let (currency, network) = &ctx.config.providers.host_asset;
    let row = ctx
        .db
        .payout_currency(currency, network)
        .await
        .map_err(JobError::retryable)?
        .ok_or_else(|| {
            JobError::terminal(anyhow::anyhow!(
                "HOST_ASSET {currency}:{network} is not in the table"
            ))
        })?;
    let net = ctx
        .db
        .network(network)
        .await
        .map_err(JobError::retryable)?
        .ok_or_else(|| JobError::terminal(anyhow::anyhow!("network {network} unknown")))?;
    let decimals = u8::try_from(row.decimals)
        .map_err(|_| JobError::terminal(anyhow::anyhow!("decimals {}", row.decimals)))?;
    let wallet = match &row.token_contract {
        Some(c) => WalletAsset::erc20(
            &row.currency,
            parse_address(c).map_err(|e| JobError::terminal(anyhow::anyhow!("host token: {e}")))?,
            decimals,
        ),
        None => WalletAsset::Native {
            symbol: row.currency.clone(),
            decimals,
        },
    };
    Ok(HostAsset {
        currency: row.currency,
        network: row.network,
        cn: Asset::new(&row.cn_ticker, &net.cn_network),
        wallet,
    })
}

impl JobHandler for PayoutStep {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let Job::PayoutStep { payout_id } = decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            // Several steps can happen in one run; each is re-read from the database.
            for _ in 0..8 {
                let Some(payout) = ctx
                    .db
                    .payout(payout_id)
                    .await
                    .map_err(JobError::retryable)?
                else {
                    return Err(JobError::terminal(anyhow::anyhow!(
                        "no payout {}",
                        payout_id
                    )));
                };
                if payout.state.is_final() {
                    return Ok(());
                }
                if ctx.db.payouts_paused().await.map_err(JobError::retryable)? {
                    return Err(later("payouts are paused (kill switch)"));
                }
                step(ctx, &payout).await?;
            }
            Err(later("payout still in progress"))
        }
        .boxed()
    }
}

async fn step(ctx: &Ctx, p: &Payout) -> Result<(), JobError> {
    let host = host_asset(ctx).await?;
    let now = ctx.clock.now();
    match p.state {
        PayoutState::Pending => {
            let direct = p.dest_currency == host.currency && p.dest_network == host.network;
            if direct {
                let amount = p.usd.to_decimal();
                let to = parse_address(&p.dest_address)
                    .map_err(|e| JobError::terminal(anyhow::anyhow!("owner address: {e}")))?;
                return sign_and_send(ctx, p, PayoutState::Pending, &host, to, amount).await;
            }
            create_exchange(ctx, p, &host).await
        }
        PayoutState::Exchange => {
            let id = p.exchange_id.clone().unwrap_or_default();
            // Before funding: make sure the exchange still waits for our deposit (lesson 42).
            let status = ctx.changenow.exchange(&id).await.map_err(cn_error)?;
            if matches!(
                status.status,
                ExchangeState::Expired | ExchangeState::Failed | ExchangeState::Refunded
            ) {
                tracing::warn!(payout_id = p.id, exchange = %id, "exchange closed before funding; re-creating");
                ctx.db
                    .payout_exchange_expired(p.id, now)
                    .await
                    .map_err(JobError::retryable)?;
                return Ok(());
            }
            let amount: Decimal = p
                .source_amount
                .as_deref()
                .unwrap_or_default()
                .parse()
                .map_err(|e| JobError::terminal(anyhow::anyhow!("source amount: {e}")))?;
            let to = parse_address(p.payin_address.as_deref().unwrap_or_default())
                .map_err(|e| JobError::terminal(anyhow::anyhow!("payin address: {e}")))?;
            sign_and_send(ctx, p, PayoutState::Exchange, &host, to, amount).await
        }
        PayoutState::Sending => confirm_send(ctx, p).await,
        PayoutState::Funded => poll_exchange(ctx, p).await,
        other @ (PayoutState::Sent | PayoutState::Failed | PayoutState::Cancelled) => {
            Err(JobError::terminal(anyhow::anyhow!("payout state {other}")))
        }
    }
}

pub(crate) fn cn_error(e: CnError) -> JobError {
    if e.is_retryable() {
        retry("ChangeNOW", e)
    } else {
        JobError::terminal(anyhow::anyhow!("ChangeNOW: {e}"))
    }
}

async fn create_exchange(ctx: &Ctx, p: &Payout, host: &HostAsset) -> Result<(), JobError> {
    let now = ctx.clock.now();
    let dest_net = ctx
        .db
        .network(&p.dest_network)
        .await
        .map_err(JobError::retryable)?
        .ok_or_else(|| JobError::terminal(anyhow::anyhow!("network {}", p.dest_network)))?;
    let dest_row = ctx
        .db
        .payout_currency(&p.dest_currency, &p.dest_network)
        .await
        .map_err(JobError::retryable)?
        .ok_or_else(|| JobError::terminal(anyhow::anyhow!("currency {}", p.dest_currency)))?;
    let to = Asset::new(&dest_row.cn_ticker, &dest_net.cn_network);
    // The host asset is a USD stablecoin: the owner's USD share is its amount (lesson 16/17:
    // never a token quantity reused as USD or the other way round).
    let amount = p.usd.to_decimal();
    let range = ctx.changenow.range(&host.cn, &to).await.map_err(cn_error)?;
    if amount < range.min * MIN_MARGIN {
        let minimum = UsdMicros::from_decimal_rounded(
            range.min * MIN_MARGIN,
            rust_decimal::RoundingStrategy::AwayFromZero,
        )
        .ok();
        if p.kind == "instant" {
            ctx.db
                .defer_instant_payout(p, minimum, now)
                .await
                .map_err(JobError::retryable)?;
            ctx.jobs_wake.notify_one();
            return Ok(());
        }
        let why = format!(
            "{amount} {} is below the exchange minimum {}",
            host.currency, range.min
        );
        ctx.db
            .payout_failed(p, PayoutState::Pending, &why, now)
            .await
            .map_err(JobError::retryable)?;
        return Ok(());
    }
    let req = CreateExchange {
        from: host.cn.clone(),
        to,
        from_amount: amount,
        address: p.dest_address.clone(),
        extra_id: p.dest_extra_id.clone(),
        refund_address: Some(ctx.wallet.address().to_string()),
    };
    // Creating an exchange moves no money: if the answer is lost, the unfunded one expires.
    let ex = ctx.changenow.create_exchange(&req).await.map_err(|e| {
        if e.is_not_valid_address() {
            JobError::terminal(anyhow::anyhow!(
                "ChangeNOW refused the owner's address: {e}"
            ))
        } else {
            cn_error(e)
        }
    })?;
    ctx.db
        .payout_exchange_created(
            p.id,
            &ex.id,
            &ex.payin_address,
            &crate::providers::changenow::to_plain_string(ex.from_amount),
            now,
        )
        .await
        .map_err(JobError::retryable)?;
    Ok(())
}

/// Signs a transfer, persists it (with its nonce) and the payout's move to `sending` in one
/// transaction, then broadcasts.
async fn sign_and_send(
    ctx: &Ctx,
    p: &Payout,
    from_state: PayoutState,
    host: &HostAsset,
    to: alloy_primitives::Address,
    amount: Decimal,
) -> Result<(), JobError> {
    send_from_wallet(
        ctx,
        TxFor::Payout(p.id),
        from_state.as_str(),
        &host.wallet,
        to,
        amount,
    )
    .await
}

async fn confirm_send(ctx: &Ctx, p: &Payout) -> Result<(), JobError> {
    let now = ctx.clock.now();
    let (t, success) = mined_tx(ctx, TxFor::Payout(p.id)).await?;
    if !success {
        ctx.db
            .payout_failed(
                p,
                PayoutState::Sending,
                &format!("transaction {} reverted", t.tx_hash),
                now,
            )
            .await
            .map_err(JobError::retryable)?;
        return Ok(());
    }
    if p.exchange_id.is_some() {
        ctx.db
            .payout_transition(p.id, PayoutState::Sending, PayoutState::Funded, now)
            .await
            .map_err(JobError::retryable)?;
        return Ok(());
    }
    let host = host_asset(ctx).await?;
    let units: alloy_primitives::U256 = t
        .amount
        .parse()
        .map_err(|e| JobError::terminal(anyhow::anyhow!("stored amount: {e}")))?;
    let amount = host
        .wallet
        .from_base_units(units)
        .map_err(|e| JobError::terminal(anyhow::anyhow!("amount: {e}")))?;
    ctx.db
        .payout_sent(
            p,
            PayoutState::Sending,
            &t.tx_hash,
            &amount.normalize().to_string(),
            now,
        )
        .await
        .map_err(JobError::retryable)?;
    ctx.jobs_wake.notify_one();
    Ok(())
}

async fn poll_exchange(ctx: &Ctx, p: &Payout) -> Result<(), JobError> {
    let now = ctx.clock.now();
    let id = p.exchange_id.clone().unwrap_or_default();
    let s = ctx.changenow.exchange(&id).await.map_err(cn_error)?;
    match &s.status {
        ExchangeState::Finished => {
            let hash = s.payout_hash.clone().unwrap_or_default();
            let amount = s
                .amount_to
                .map(|a| a.normalize().to_string())
                .unwrap_or_default();
            if hash.is_empty() || amount.is_empty() {
                // Lesson 33: finished but the amounts are not filled in yet.
                return Err(later("exchange finished without payout hash yet"));
            }
            ctx.db
                .payout_sent(p, PayoutState::Funded, &hash, &amount, now)
                .await
                .map_err(JobError::retryable)?;
            ctx.jobs_wake.notify_one();
            Ok(())
        }
        ExchangeState::Failed | ExchangeState::Refunded => {
            let why = format!(
                "exchange {id} ended {}: check with ChangeNOW support and the refund address",
                s.status
            );
            ctx.db
                .payout_failed(p, PayoutState::Funded, &why, now)
                .await
                .map_err(JobError::retryable)?;
            Ok(())
        }
        ExchangeState::Verifying => {
            let mut tx = ctx.db.begin_write().await.map_err(JobError::retryable)?;
            crate::store::outbox::alert(
                &mut tx,
                "exchange_verifying",
                &id,
                "ChangeNOW holds the exchange for AML/KYC checks: contact their support with the id; do not re-create it",
                now,
            )
            .await
            .map_err(JobError::retryable)?;
            tx.commit()
                .await
                .map_err(|e| JobError::retryable(crate::store::StoreError::from(e)))?;
            Err(later("exchange in verification"))
        }
        _ => Err(later("exchange in progress")),
    }
}
