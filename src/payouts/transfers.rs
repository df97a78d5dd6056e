//! Host-wallet transfers shared by payouts and conversions: signed and stored with their nonce
//! before the broadcast, looked up by hash before any retry, replaced only with the same nonce.

use rust_decimal::Decimal;

use super::wallet::{HostWallet, SignedTransfer, TxState, WalletAsset, parse_address};
use crate::jobs::JobError;
use crate::services::Ctx;
use crate::store::payouts::{SignedTx, TxFor};

use super::send::*;

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
                .set_payouts_paused(true, crate::store::admin_log::Actor::System, now)
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
pub(super) fn stored(s: &SignedTransfer) -> SignedTx {
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

pub(super) async fn broadcast(
    ctx: &Ctx,
    t: &crate::store::payouts::WalletTx,
) -> Result<(), JobError> {
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
pub(super) const STUCK_AFTER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

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
pub(super) async fn replace(
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
