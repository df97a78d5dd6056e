//! Payouts and accumulations in the database (SPEC §6): every state change that moves money is a
//! compare-and-set on the current state, so a replayed job changes nothing. Valuations live in
//! `valuations.rs`, the host wallet's transactions in `wallet_txs.rs`.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::channels::PayoutSettings;
use super::jobs::{NewJob, enqueue_job};
use super::{Db, StoreError, StoreResult};
use crate::domain::fees::Split;
use crate::domain::ids::new_id;
use crate::domain::job::Job;
use crate::domain::money::UsdMicros;
use crate::domain::states::{AccumulationState, PayoutState};
use crate::domain::time::UnixMillis;
use crate::store::outbox::{self, Notice, alert};
use crate::telemetry::count_payouts;

pub use super::valuations::{SharePlacement, ToValue, Valued};
pub use super::wallet_txs::{SignedTx, TxFor, WalletTx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub id: i64,
    pub kind: String,
    pub channel_id: i64,
    pub payment_id: Option<i64>,
    pub state: PayoutState,
    pub usd: UsdMicros,
    pub source_currency: String,
    pub source_amount: Option<String>,
    pub dest_currency: String,
    pub dest_network: String,
    pub dest_address: String,
    pub dest_extra_id: Option<String>,
    pub exchange_id: Option<String>,
    pub payin_address: Option<String>,
    pub tx_hash: Option<String>,
}

fn payout_from_row(r: &AnyRow) -> StoreResult<Payout> {
    Ok(Payout {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        channel_id: r.try_get("channel_id")?,
        payment_id: r.try_get("payment_id")?,
        state: super::state_column(r, "state")?,
        usd: UsdMicros::from_micros(r.try_get("usd_micros")?),
        source_currency: r.try_get("source_currency")?,
        source_amount: r.try_get("source_amount")?,
        dest_currency: r.try_get("dest_currency")?,
        dest_network: r.try_get("dest_network")?,
        dest_address: r.try_get("dest_address")?,
        dest_extra_id: r.try_get("dest_extra_id")?,
        exchange_id: r.try_get("exchange_id")?,
        payin_address: r.try_get("payin_address")?,
        tx_hash: r.try_get("tx_hash")?,
    })
}

const PAYOUT_COLUMNS: &str = "id, kind, channel_id, payment_id, state, usd_micros, source_currency, \
    source_amount, dest_currency, dest_network, dest_address, dest_extra_id, exchange_id, payin_address, tx_hash";

/// The job that drives a payout, queued in the caller's transaction.
pub async fn enqueue_payout_step(
    tx: &mut Transaction<'static, Any>,
    payout_id: i64,
    now: UnixMillis,
    give_up_after: std::time::Duration,
) -> StoreResult<()> {
    enqueue_job(
        tx,
        &NewJob {
            job: Job::PayoutStep { payout_id },
            unique_key: Some(format!("payout:{payout_id}")),
            run_at: now,
            give_up_at: now.saturating_add(give_up_after),
        },
        now,
    )
    .await?;
    Ok(())
}

impl Db {
    pub async fn payout(&self, id: i64) -> StoreResult<Option<Payout>> {
        let sql = format!("SELECT {PAYOUT_COLUMNS} FROM payouts WHERE id = $1");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        r.as_ref().map(payout_from_row).transpose()
    }

    /// Moves a payout from `from` to `to` (compare-and-set). False when it was not in `from`.
    pub async fn payout_transition(
        &self,
        id: i64,
        from: PayoutState,
        to: PayoutState,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE payouts SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(to.as_str())
        .bind(now.as_millis())
        .bind(id)
        .bind(from.as_str())
        .execute(self.pool())
        .await?
        .rows_affected();
        count_payouts(to, n);
        Ok(n == 1)
    }

    /// The exchange created for a payout (state `pending` → `exchange`).
    pub async fn payout_exchange_created(
        &self,
        id: i64,
        exchange_id: &str,
        payin: &str,
        from_amount: &str,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE payouts SET state = 'exchange', exchange_id = $1, payin_address = $2, source_amount = $3, \
               updated_at = $4 WHERE id = $5 AND state = 'pending'",
        )
        .bind(exchange_id)
        .bind(payin)
        .bind(from_amount)
        .bind(now.as_millis())
        .bind(id)
        .execute(self.pool())
        .await?
        .rows_affected();
        count_payouts(PayoutState::Exchange, n);
        Ok(n == 1)
    }

    /// An exchange that expired before we funded it: forget it, so a new one is created.
    pub async fn payout_exchange_expired(&self, id: i64, now: UnixMillis) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE payouts SET state = 'pending', exchange_id = NULL, payin_address = NULL, source_amount = NULL, \
               updated_at = $1 WHERE id = $2 AND state = 'exchange'",
        )
        .bind(now.as_millis())
        .bind(id)
        .execute(self.pool())
        .await?
        .rows_affected();
        count_payouts(PayoutState::Pending, n);
        Ok(n == 1)
    }

    /// The money reached the owner: payout `sent` with the hash the owner can look up, its
    /// accumulations paid, and the owner's notice — one transaction.
    pub async fn payout_sent(
        &self,
        p: &Payout,
        from_state: PayoutState,
        tx_hash: &str,
        amount_sent: &str,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE payouts SET state = 'sent', tx_hash = $1, amount_sent = $2, sent_at = $3, updated_at = $3 \
             WHERE id = $4 AND state = $5",
        )
        .bind(tx_hash)
        .bind(amount_sent)
        .bind(now.as_millis())
        .bind(p.id)
        .bind(from_state.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE accumulations SET state = 'paid', updated_at = $1 WHERE payout_id = $2 AND state = 'in_payout'")
            .bind(now.as_millis())
            .bind(p.id)
            .execute(&mut *tx)
            .await?;
        outbox::enqueue(
            &mut tx,
            p.channel_id,
            Notice::PayoutSent {
                amount: amount_sent.to_owned(),
                currency: p.dest_currency.clone(),
                network: p.dest_network.clone(),
                tx_hash: tx_hash.to_owned(),
            },
            &format!("payout-sent:{}", p.id),
            now,
        )
        .await?;
        tx.commit().await?;
        count_payouts(PayoutState::Sent, 1);
        tracing::info!(
            payout_id = p.id,
            payment_id = p.payment_id,
            channel_id = p.channel_id,
            tx_hash,
            amount = amount_sent,
            currency = %p.dest_currency,
            "payout sent"
        );
        Ok(true)
    }

    /// A payout that cannot go on by itself: `failed`, an alert for admins, the owner told.
    pub async fn payout_failed(
        &self,
        p: &Payout,
        from_state: PayoutState,
        why: &str,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE payouts SET state = 'failed', error = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(why)
        .bind(now.as_millis())
        .bind(p.id)
        .bind(from_state.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        alert(&mut tx, "payout_failed", &p.id.to_string(), why, now).await?;
        outbox::enqueue(
            &mut tx,
            p.channel_id,
            Notice::PayoutFailed {
                usd_micros: p.usd,
                retrying: false,
            },
            &format!("payout-failed:{}", p.id),
            now,
        )
        .await?;
        tx.commit().await?;
        count_payouts(PayoutState::Failed, 1);
        tracing::error!(
            payout_id = p.id,
            payment_id = p.payment_id,
            channel_id = p.channel_id,
            reason = why,
            "payout failed"
        );
        Ok(true)
    }

    /// An instant payout below the exchange minimum: cancelled, its share becomes an
    /// accumulation (reason `below_minimum`) and the owner is told — one transaction.
    pub async fn defer_instant_payout(
        &self,
        p: &Payout,
        minimum_usd: Option<UsdMicros>,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let Some(payment_id) = p.payment_id else {
            return Ok(false);
        };
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE payouts SET state = 'cancelled', error = 'below the exchange minimum', updated_at = $1 \
             WHERE id = $2 AND state = 'pending'",
        )
        .bind(now.as_millis())
        .bind(p.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        // The host wallet already holds the value in the host asset (USD-stable): converted.
        sqlx::query(
            "INSERT INTO accumulations (id, payment_id, channel_id, owner_usd_micros, crypto_currency, crypto_amount, \
               is_stable, wallet_currency, wallet_network, wallet_address, wallet_extra_id, reason, state, \
               usdt_micros, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, 'below_minimum', 'converted', $4, $11, $11)",
        )
        .bind(new_id())
        .bind(payment_id)
        .bind(p.channel_id)
        .bind(p.usd.micros())
        .bind(&p.source_currency)
        .bind(p.usd.to_decimal().to_string())
        .bind(&p.dest_currency)
        .bind(&p.dest_network)
        .bind(&p.dest_address)
        .bind(p.dest_extra_id.as_deref())
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await?;
        outbox::enqueue(
            &mut tx,
            p.channel_id,
            Notice::PayoutDeferred {
                owner_usd_micros: p.usd,
                minimum_usd_micros: minimum_usd,
            },
            &format!("deferred:{}", p.id),
            now,
        )
        .await?;
        tx.commit().await?;
        count_payouts(PayoutState::Cancelled, 1);
        tracing::info!(
            payout_id = p.id,
            payment_id,
            channel_id = p.channel_id,
            "instant payout below the exchange minimum; its share waits for a batch"
        );
        Ok(true)
    }

    /// Batch payouts (SPEC §6): for each (channel, wallet snapshot) whose converted, unpaid
    /// accumulations reach the channel's threshold (deferred instant shares count for any
    /// strategy), one payout attaching exactly those ids — in the same transaction. Returns the
    /// new payout ids.
    pub async fn create_batch_payouts(
        &self,
        host_currency: &str,
        min_deferred: UsdMicros,
        now: UnixMillis,
        give_up_after: std::time::Duration,
    ) -> StoreResult<Vec<i64>> {
        let groups = sqlx::query(
            "SELECT a.channel_id, a.wallet_currency, a.wallet_network, a.wallet_address, \
                    COALESCE(a.wallet_extra_id, '') AS extra, CAST(SUM(a.usdt_micros) AS BIGINT) AS total, \
                    MAX(c.threshold_usd_micros) AS threshold, MAX(c.payout_strategy) AS strategy \
             FROM accumulations a JOIN channels c ON c.id = a.channel_id \
             WHERE a.state = 'converted' AND a.payout_id IS NULL \
             GROUP BY a.channel_id, a.wallet_currency, a.wallet_network, a.wallet_address, COALESCE(a.wallet_extra_id, '')",
        )
        .fetch_all(self.pool())
        .await?;
        let mut created = Vec::new();
        for g in groups {
            let total: i64 = g.try_get("total")?;
            let threshold: Option<i64> = g.try_get("threshold")?;
            let strategy: String = g.try_get("strategy")?;
            // Instant channels pay deferred shares once they add up to a sendable amount:
            // the minimum threshold is the stand-in for "above the exchange minimum".
            let needed = match (strategy.as_str(), threshold) {
                ("threshold", Some(t)) => t,
                ("threshold", None) => {
                    return Err(StoreError::Corrupt(
                        "threshold channel without threshold".into(),
                    ));
                }
                _ => 0,
            };
            if total < needed.max(1) {
                continue;
            }
            let channel_id: i64 = g.try_get("channel_id")?;
            let currency: String = g.try_get("wallet_currency")?;
            let network: String = g.try_get("wallet_network")?;
            let address: String = g.try_get("wallet_address")?;
            let extra: String = g.try_get("extra")?;
            if strategy != "threshold" && total < min_deferred.micros() {
                continue;
            }
            let mut tx = self.begin_write().await?;
            let ids: Vec<(i64, i64)> = sqlx::query(
                "SELECT id, usdt_micros FROM accumulations WHERE channel_id = $1 AND wallet_currency = $2 \
                   AND wallet_network = $3 AND wallet_address = $4 AND COALESCE(wallet_extra_id, '') = $5 \
                   AND state = 'converted' AND payout_id IS NULL",
            )
            .bind(channel_id)
            .bind(&currency)
            .bind(&network)
            .bind(&address)
            .bind(&extra)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("usdt_micros")?)))
            .collect::<Result<_, sqlx::Error>>()?;
            let sum: i64 = ids.iter().map(|(_, u)| *u).sum();
            if ids.is_empty() || sum < needed.max(1) {
                continue;
            }
            let id = new_id();
            sqlx::query(
                "INSERT INTO payouts (id, kind, channel_id, state, usd_micros, source_currency, dest_currency, \
                   dest_network, dest_address, dest_extra_id, created_at, updated_at) \
                 VALUES ($1, 'batch', $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(id)
            .bind(channel_id)
            .bind(sum)
            .bind(host_currency)
            .bind(&currency)
            .bind(&network)
            .bind(&address)
            .bind(if extra.is_empty() { None } else { Some(extra.as_str()) })
            .bind(now.as_millis())
            .execute(&mut *tx)
            .await?;
            for (acc, _) in &ids {
                let n = sqlx::query(
                    "UPDATE accumulations SET state = 'in_payout', payout_id = $1, updated_at = $2 \
                     WHERE id = $3 AND state = 'converted' AND payout_id IS NULL",
                )
                .bind(id)
                .bind(now.as_millis())
                .bind(acc)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    // Someone else took it: roll the whole batch back (dropping the tx).
                    return Err(StoreError::Conflict(format!("accumulation {acc} moved")));
                }
            }
            enqueue_payout_step(&mut tx, id, now, give_up_after).await?;
            if strategy == "threshold" {
                outbox::enqueue(
                    &mut tx,
                    channel_id,
                    Notice::ThresholdCrossed {
                        pending_usd_micros: UsdMicros::from_micros(sum),
                        threshold_usd_micros: UsdMicros::from_micros(needed),
                    },
                    &format!("threshold:{id}"),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            count_payouts(PayoutState::Pending, 1);
            created.push(id);
        }
        Ok(created)
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn insert_accumulation(
    tx: &mut Transaction<'static, Any>,
    v: &ToValue,
    split: &Split,
    usd_stable: bool,
    outcome: &str,
    wallet: &PayoutSettings,
    reason: &str,
    now: UnixMillis,
) -> StoreResult<()> {
    let (state, usdt) = if usd_stable {
        (AccumulationState::Converted, Some(split.owner.micros()))
    } else {
        (AccumulationState::Pending, None)
    };
    sqlx::query(
        "INSERT INTO accumulations (id, payment_id, channel_id, owner_usd_micros, crypto_currency, crypto_amount, \
           is_stable, wallet_currency, wallet_network, wallet_address, wallet_extra_id, reason, state, \
           usdt_micros, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
    )
    .bind(new_id())
    .bind(v.payment_id)
    .bind(v.channel_id)
    .bind(split.owner.micros())
    .bind(outcome)
    .bind(split.owner_crypto.to_string())
    .bind(i64::from(usd_stable))
    .bind(&wallet.currency)
    .bind(&wallet.network)
    .bind(&wallet.address)
    .bind(wallet.extra_id.as_deref())
    .bind(reason)
    .bind(state.as_str())
    .bind(usdt)
    .bind(now.as_millis())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
