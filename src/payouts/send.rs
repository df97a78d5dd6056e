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

use super::wallet::{HostWallet, SignedTransfer, TxState, WalletAsset, parse_address};
use crate::domain::job::Job;
use crate::domain::money::UsdMicros;
use crate::domain::states::PayoutState;
use crate::jobs::{JobError, JobHandler, decode};
use crate::providers::changenow::{Asset, CnError, CreateExchange, ExchangeState};
use crate::services::Ctx;
use crate::store::jobs::ClaimedJob;
use crate::store::payouts::{Payout, SignedTx, TxFor};

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

/// Signs a transfer of `amount` of `asset` to `to`, records it for `target` (and moves the
/// target from `from_state` to `sending`) in one transaction, then broadcasts. `from_state` is
/// the stored word of the target's state (`PayoutState::…` or `ConversionState::…` `.as_str()`).
pub async fn send_from_wallet(
    ctx: &Ctx,
    target: TxFor,
    from_state: &str,
    asset: &WalletAsset,
    to: alloy_primitives::Address,
    amount: Decimal,
) -> Result<(), JobError> {
    let wallet: &HostWallet = &ctx.wallet;
    let units = asset
        .to_base_units(amount)
        .map_err(|e| JobError::terminal(anyhow::anyhow!("amount {amount}: {e}")))?;
    let fees = wallet
        .suggest_fees(asset)
        .await
        .map_err(|e| retry("fees", e))?;
    // Lesson 19: the balance of the asset we actually send, plus gas in the native coin.
    if let Err(e) = wallet.check_funds(asset, units, &fees).await {
        if e.is_insufficient_funds() {
            let now = ctx.clock.now();
            ctx.db
                .set_payouts_paused(true, now)
                .await
                .map_err(JobError::retryable)?;
            let mut tx = ctx.db.begin_write().await.map_err(JobError::retryable)?;
            crate::store::outbox::alert(
                &mut tx,
                "insufficient_funds",
                &format!("{target:?}"),
                &format!(
                    "the host wallet cannot pay {amount} {}: payouts paused",
                    asset.symbol()
                ),
                now,
            )
            .await
            .map_err(JobError::retryable)?;
            tx.commit()
                .await
                .map_err(|e| JobError::retryable(crate::store::StoreError::from(e)))?;
            tracing::error!(?target, "host wallet underfunded: payouts paused");
            return Err(later("host wallet underfunded; payouts paused"));
        }
        return Err(retry("balance check", e));
    }
    let pending = wallet
        .pending_nonce()
        .await
        .map_err(|e| retry("nonce", e))?;
    let from = wallet.address().to_string();
    let recorded = ctx
        .db
        .record_wallet_tx(
            target,
            from_state,
            wallet.chain_id(),
            &from,
            pending,
            |nonce| {
                wallet
                    .sign_transfer(asset, to, units, nonce, &fees)
                    .map(|s| stored(&s))
            },
            ctx.clock.now(),
        )
        .await
        .map_err(JobError::retryable)?
        .map_err(|e| JobError::terminal(anyhow::anyhow!("signing: {e}")))?;
    broadcast(ctx, &recorded).await
}

/// What the store keeps of a signed transfer.
fn stored(s: &SignedTransfer) -> SignedTx {
    SignedTx {
        nonce: s.nonce,
        to: s.to.to_string(),
        asset: s
            .asset
            .contract()
            .map_or_else(|| "native".to_owned(), |c| c.to_string()),
        amount: s.amount.to_string(),
        raw_tx: s.raw_hex(),
        tx_hash: s.tx_hash.to_string(),
    }
}

async fn broadcast(ctx: &Ctx, t: &crate::store::payouts::WalletTx) -> Result<(), JobError> {
    let raw = hex::decode(t.raw_tx.trim_start_matches("0x"))
        .map_err(|e| JobError::terminal(anyhow::anyhow!("stored raw tx: {e}")))?;
    match ctx.wallet.broadcast_raw(&raw).await {
        Ok(_) => {
            ctx.db
                .set_wallet_tx_state(t.id, "broadcast", ctx.clock.now())
                .await
                .map_err(JobError::retryable)?;
            Ok(())
        }
        // Whatever happened, the next run looks the hash up before anything else.
        Err(e) => Err(retry("broadcast", e)),
    }
}

/// How long a broadcast transaction may stay unmined before it is replaced (same nonce,
/// higher fees).
const STUCK_AFTER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Where the target's transactions are: `Ok((tx, true))` one of them (original or a same-nonce
/// replacement) mined and succeeded, `Ok((tx, false))` mined and reverted. Otherwise a
/// retryable "later": after re-broadcasting the same bytes when the node does not know the
/// latest hash, or after replacing it (same nonce, bumped fees) when it is stuck.
pub async fn mined_tx(
    ctx: &Ctx,
    target: TxFor,
) -> Result<(crate::store::payouts::WalletTx, bool), JobError> {
    let now = ctx.clock.now();
    let txs = ctx
        .db
        .wallet_txs_of(target)
        .await
        .map_err(JobError::retryable)?;
    let Some(latest) = txs.first().cloned() else {
        return Err(JobError::terminal(anyhow::anyhow!(
            "{target:?} is sending without a transaction"
        )));
    };
    let mut latest_state = None;
    for t in &txs {
        let hash: alloy_primitives::B256 = t
            .tx_hash
            .parse()
            .map_err(|e| JobError::terminal(anyhow::anyhow!("stored hash: {e}")))?;
        let state = ctx
            .wallet
            .tx_state(hash)
            .await
            .map_err(|e| retry("receipt", e))?;
        if let TxState::Mined(receipt) = &state {
            let s = if receipt.success {
                "confirmed"
            } else {
                "failed"
            };
            ctx.db
                .set_wallet_tx_state(t.id, s, now)
                .await
                .map_err(JobError::retryable)?;
            return Ok((t.clone(), receipt.success));
        }
        if latest_state.is_none() {
            latest_state = Some(state);
        }
    }
    match latest_state {
        Some(TxState::Unknown) => {
            // The node does not know it (never arrived, or dropped): the same bytes again.
            broadcast(ctx, &latest).await?;
            Err(later("transaction re-broadcast"))
        }
        _ if now.since(latest.created_at) >= STUCK_AFTER => {
            replace(ctx, target, &latest).await?;
            Err(later("stuck transaction replaced"))
        }
        _ => Err(later("transaction not mined yet")),
    }
}

/// Re-signs the stuck transfer with the SAME nonce and bumped fees (so only one of the two can
/// ever be mined), records it, then broadcasts it.
async fn replace(
    ctx: &Ctx,
    target: TxFor,
    old: &crate::store::payouts::WalletTx,
) -> Result<(), JobError> {
    use alloy_consensus::Transaction as _;
    use alloy_eips::eip2718::Decodable2718;
    let raw = hex::decode(old.raw_tx.trim_start_matches("0x"))
        .map_err(|e| JobError::terminal(anyhow::anyhow!("stored raw tx: {e}")))?;
    let env = alloy_consensus::TxEnvelope::decode_2718(&mut raw.as_slice())
        .map_err(|e| JobError::terminal(anyhow::anyhow!("stored raw tx: {e}")))?;
    let previous = super::wallet::Fees {
        max_fee_per_gas: env.max_fee_per_gas(),
        max_priority_fee_per_gas: env.max_priority_fee_per_gas().unwrap_or_default(),
        gas_limit: env.gas_limit(),
    };
    let asset = if old.asset == "native" {
        WalletAsset::Native {
            symbol: "native".into(),
            decimals: 18,
        }
    } else {
        WalletAsset::erc20(
            "token",
            parse_address(&old.asset)
                .map_err(|e| JobError::terminal(anyhow::anyhow!("asset: {e}")))?,
            18,
        )
    };
    let to = parse_address(&old.to_address)
        .map_err(|e| JobError::terminal(anyhow::anyhow!("to: {e}")))?;
    let units: alloy_primitives::U256 = old
        .amount
        .parse()
        .map_err(|e| JobError::terminal(anyhow::anyhow!("amount: {e}")))?;
    let fees = ctx
        .wallet
        .replacement_fees(&asset, &previous)
        .await
        .map_err(|e| retry("replacement fees", e))?;
    let signed = ctx
        .wallet
        .sign_transfer(&asset, to, units, old.nonce, &fees)
        .map_err(|e| JobError::terminal(anyhow::anyhow!("signing: {e}")))?;
    let new = ctx
        .db
        .record_replacement(old, target, &stored(&signed), ctx.clock.now())
        .await
        .map_err(JobError::retryable)?;
    tracing::warn!(?target, nonce = old.nonce, old = %old.tx_hash, new = %new.tx_hash, "stuck transaction replaced");
    broadcast(ctx, &new).await
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
