//! The money side in the database (SPEC §5–§6): valuations, accumulations, payouts and the
//! host wallet's transactions. Every state change that moves money is a compare-and-set on the
//! current state, so a replayed job changes nothing.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::channels::{PayoutSettings, PayoutStrategy};
use super::jobs::{NewJob, enqueue_job};
use super::{Db, StoreError, StoreResult};
use crate::domain::fees::Split;
use crate::domain::ids::new_id;
use crate::domain::job::Job;
use crate::domain::money::UsdMicros;
use crate::domain::states::{AccumulationState, PayoutState};
use crate::domain::time::UnixMillis;
use crate::store::outbox::{self, Notice, alert};

/// What the valuation job needs to know about a granted payment.
#[derive(Debug, Clone)]
pub struct ToValue {
    pub payment_id: i64,
    pub np_payment_id: String,
    pub channel_id: i64,
    pub outcome_currency: Option<String>,
    pub outcome_amount: Option<String>,
    pub valued: bool,
    pub refunded: bool,
    /// Held for review (issue 11): valued by no one until an admin decides.
    pub held: bool,
    /// The price of the invoice it paid, to tell a real value from an impossible one.
    pub price: UsdMicros,
}

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

/// A transaction the host wallet signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletTx {
    pub id: i64,
    pub payout_id: Option<i64>,
    pub nonce: u64,
    pub raw_tx: String,
    pub tx_hash: String,
    pub state: String,
    pub amount: String,
    pub to_address: String,
    /// `native` or the token contract.
    pub asset: String,
    pub created_at: UnixMillis,
}

/// What a host-wallet transaction pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxFor {
    Payout(i64),
    Conversion(i64),
}

impl TxFor {
    fn table(self) -> &'static str {
        match self {
            TxFor::Payout(_) => "payouts",
            TxFor::Conversion(_) => "conversions",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            TxFor::Payout(id) | TxFor::Conversion(id) => id,
        }
    }
}

/// Where a valued payment's owner share is put (the payouts rules decide; the store writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharePlacement {
    /// An accumulation paid later in a batch; a USD-stable outcome is stored as already
    /// converted (its USDT value is the owner's share).
    Accumulation { usd_stable: bool },
    /// A payout of its own, sent from the host wallet's `source_currency`.
    InstantPayout { source_currency: String },
}

/// What a valuation led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Valued {
    /// Someone did it already (a replayed job).
    AlreadyDone,
    Accumulated,
    InstantPayout(i64),
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
    pub async fn payment_to_value(&self, payment_id: i64) -> StoreResult<Option<ToValue>> {
        let r = sqlx::query(
            "SELECT p.id, p.np_payment_id, i.channel_id, p.outcome_currency, p.outcome_amount, p.value_usd_micros, \
                    p.refunded_at, p.granted_at, p.held_reason, i.price_usd_micros \
             FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.id = $1",
        )
        .bind(payment_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = r else { return Ok(None) };
        if r.try_get::<Option<i64>, _>("granted_at")?.is_none() {
            return Ok(None);
        }
        Ok(Some(ToValue {
            payment_id: r.try_get("id")?,
            np_payment_id: r.try_get("np_payment_id")?,
            channel_id: r.try_get("channel_id")?,
            outcome_currency: r.try_get("outcome_currency")?,
            outcome_amount: r.try_get("outcome_amount")?,
            valued: r.try_get::<Option<i64>, _>("value_usd_micros")?.is_some(),
            refunded: r.try_get::<Option<i64>, _>("refunded_at")?.is_some(),
            held: r.try_get::<Option<String>, _>("held_reason")?.is_some(),
            price: UsdMicros::from_micros(r.try_get("price_usd_micros")?),
        }))
    }

    /// Holds a payment for review: nothing further is valued, converted or paid from it, and
    /// the admins get an alert. False when it was already held (the first reason stays).
    pub async fn hold_payment(
        &self,
        payment_id: i64,
        np_payment_id: &str,
        reason: &str,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE payments SET held_reason = $1, held_at = $2, updated_at = $2 \
             WHERE id = $3 AND held_reason IS NULL",
        )
        .bind(reason)
        .bind(now.as_millis())
        .bind(payment_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        alert(
            &mut tx,
            "held_payment",
            np_payment_id,
            &format!("payment {np_payment_id} held for review: {reason}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Records a payment's value and fee split, and puts the owner's share in exactly the one
    /// place `place` chooses from the channel's payout settings (read in this transaction, so
    /// the wallet snapshot is the one the share is stored with) — one transaction.
    pub async fn record_valuation(
        &self,
        v: &ToValue,
        split: &Split,
        now: UnixMillis,
        give_up_after: std::time::Duration,
        place: impl FnOnce(&PayoutSettings) -> SharePlacement,
    ) -> StoreResult<Valued> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE payments SET value_usd_micros = $1, fee_usd_micros = $2, owner_usd_micros = $3, \
               fee_crypto = $4, owner_crypto = $5, updated_at = $6 \
             WHERE id = $7 AND value_usd_micros IS NULL AND refunded_at IS NULL AND held_reason IS NULL",
        )
        .bind(split.value.micros())
        .bind(split.fee.micros())
        .bind(split.owner.micros())
        .bind(split.fee_crypto.to_string())
        .bind(split.owner_crypto.to_string())
        .bind(now.as_millis())
        .bind(v.payment_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(Valued::AlreadyDone);
        }
        // Read on this transaction's connection: taking a second pool connection while holding
        // SQLite's write lock could wait on writers that wait on us.
        let r = sqlx::query(
            "SELECT payout_currency, payout_network, payout_address, payout_extra_id, payout_strategy, \
               threshold_usd_micros FROM channels WHERE id = $1",
        )
        .bind(v.channel_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("channel {}", v.channel_id)))?;
        let strategy: String = r.try_get("payout_strategy")?;
        let threshold: Option<i64> = r.try_get("threshold_usd_micros")?;
        let payout = PayoutSettings {
            currency: r.try_get("payout_currency")?,
            network: r.try_get("payout_network")?,
            address: r.try_get("payout_address")?,
            extra_id: r.try_get("payout_extra_id")?,
            // Lesson 29: an unreadable strategy is an error, never a silent "instant".
            strategy: match (strategy.as_str(), threshold) {
                ("instant", _) => PayoutStrategy::Instant,
                ("threshold", Some(t)) => PayoutStrategy::Threshold(UsdMicros::from_micros(t)),
                (other, _) => return Err(StoreError::Corrupt(format!("payout strategy {other}"))),
            },
        };
        let outcome = v.outcome_currency.clone().unwrap_or_default();
        match place(&payout) {
            SharePlacement::Accumulation { usd_stable } => {
                insert_accumulation(
                    &mut tx,
                    v,
                    split,
                    usd_stable,
                    &outcome,
                    &payout,
                    "threshold",
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(Valued::Accumulated)
            }
            SharePlacement::InstantPayout { source_currency } => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO payouts (id, kind, channel_id, payment_id, state, usd_micros, source_currency, \
                       dest_currency, dest_network, dest_address, dest_extra_id, created_at, updated_at) \
                     VALUES ($1, 'instant', $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $10)",
                )
                .bind(id)
                .bind(v.channel_id)
                .bind(v.payment_id)
                .bind(split.owner.micros())
                .bind(&source_currency)
                .bind(&payout.currency)
                .bind(&payout.network)
                .bind(&payout.address)
                .bind(payout.extra_id.as_deref())
                .bind(now.as_millis())
                .execute(&mut *tx)
                .await?;
                enqueue_payout_step(&mut tx, id, now, give_up_after).await?;
                tx.commit().await?;
                Ok(Valued::InstantPayout(id))
            }
        }
    }

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
        Ok(n == 1)
    }

    /// The host wallet's signed transaction for a payout, persisted with its nonce BEFORE it
    /// is broadcast, and the payout moved to `sending` — one transaction. `sign` gets the nonce
    /// to use (the larger of ours and the chain's pending count). `from_state` is the stored
    /// word of the target's current state (`PayoutState` or `ConversionState`, `.as_str()`).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_wallet_tx<E>(
        &self,
        target: TxFor,
        from_state: &str,
        chain_id: u64,
        from: &str,
        chain_pending_nonce: u64,
        sign: impl FnOnce(u64) -> Result<SignedTx, E>,
        now: UnixMillis,
    ) -> StoreResult<Result<WalletTx, E>> {
        let mut tx = self.begin_write().await?;
        let chain = i64::try_from(chain_id).map_err(|_| StoreError::Corrupt("chain id".into()))?;
        sqlx::query(
            "INSERT INTO wallet_nonces (chain_id, address, next_nonce) VALUES ($1, $2, 0) \
             ON CONFLICT (chain_id, address) DO NOTHING",
        )
        .bind(chain)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        let sql = format!(
            "SELECT next_nonce FROM wallet_nonces WHERE chain_id = $1 AND address = $2{}",
            self.backend().for_update()
        );
        let ours: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(chain)
            .bind(from)
            .fetch_one(&mut *tx)
            .await?
            .try_get("next_nonce")?;
        let nonce = u64::try_from(ours).unwrap_or(0).max(chain_pending_nonce);
        let signed = match sign(nonce) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        let sql = format!(
            "UPDATE {} SET state = 'sending', updated_at = $1 WHERE id = $2 AND state = $3",
            target.table()
        );
        let moved = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now.as_millis())
            .bind(target.id())
            .bind(from_state)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved != 1 {
            return Err(StoreError::Conflict(format!(
                "{target:?} is no longer {from_state}"
            )));
        }
        let (payout_id, conversion_id) = match target {
            TxFor::Payout(id) => (Some(id), None),
            TxFor::Conversion(id) => (None, Some(id)),
        };
        let id = new_id();
        let nonce_i =
            i64::try_from(signed.nonce).map_err(|_| StoreError::Corrupt("nonce".into()))?;
        let SignedTx {
            nonce: _,
            to,
            asset,
            amount,
            raw_tx,
            tx_hash,
        } = signed;
        sqlx::query(
            "INSERT INTO wallet_transactions (id, payout_id, conversion_id, chain_id, from_address, to_address, \
               asset, amount, nonce, raw_tx, tx_hash, state, created_at, updated_at) \
             VALUES ($1, $2, $12, $3, $4, $5, $6, $7, $8, $9, $10, 'signed', $11, $11)",
        )
        .bind(id)
        .bind(payout_id)
        .bind(chain)
        .bind(from)
        .bind(&to)
        .bind(&asset)
        .bind(&amount)
        .bind(nonce_i)
        .bind(&raw_tx)
        .bind(&tx_hash)
        .bind(now.as_millis())
        .bind(conversion_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE wallet_nonces SET next_nonce = $1 WHERE chain_id = $2 AND address = $3",
        )
        .bind(nonce_i.saturating_add(1))
        .bind(chain)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(WalletTx {
            id,
            payout_id,
            nonce: signed.nonce,
            raw_tx,
            tx_hash,
            state: "signed".into(),
            amount,
            to_address: to,
            asset,
            created_at: now,
        }))
    }

    /// Every transaction signed for a payout or conversion, newest first (a replacement and
    /// the transaction it replaced share one nonce: at most one of them can ever be mined).
    pub async fn wallet_txs_of(&self, target: TxFor) -> StoreResult<Vec<WalletTx>> {
        let column = match target {
            TxFor::Payout(_) => "payout_id",
            TxFor::Conversion(_) => "conversion_id",
        };
        let sql = format!(
            "SELECT id, payout_id, nonce, raw_tx, tx_hash, state, amount, to_address, asset, created_at \
             FROM wallet_transactions WHERE {column} = $1 ORDER BY created_at DESC, id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(target.id())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let nonce: i64 = r.try_get("nonce")?;
                Ok(WalletTx {
                    id: r.try_get("id")?,
                    payout_id: r.try_get("payout_id")?,
                    nonce: u64::try_from(nonce).map_err(|_| StoreError::Corrupt("nonce".into()))?,
                    raw_tx: r.try_get("raw_tx")?,
                    tx_hash: r.try_get("tx_hash")?,
                    state: r.try_get("state")?,
                    amount: r.try_get("amount")?,
                    to_address: r.try_get("to_address")?,
                    asset: r.try_get("asset")?,
                    created_at: UnixMillis::from_millis(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// A same-nonce replacement of a stuck transaction: recorded (and the old one marked
    /// `replaced`) before it is broadcast.
    pub async fn record_replacement(
        &self,
        old: &WalletTx,
        target: TxFor,
        signed: &SignedTx,
        now: UnixMillis,
    ) -> StoreResult<WalletTx> {
        let mut tx = self.begin_write().await?;
        let payout_id = match target {
            TxFor::Payout(id) => Some(id),
            TxFor::Conversion(_) => None,
        };
        let id = new_id();
        sqlx::query(
            "INSERT INTO wallet_transactions (id, payout_id, conversion_id, chain_id, from_address, to_address, \
               asset, amount, nonce, raw_tx, tx_hash, state, replaces_id, created_at, updated_at) \
             SELECT $1, payout_id, conversion_id, chain_id, from_address, to_address, asset, amount, nonce, $2, $3, \
               'signed', id, $4, $4 FROM wallet_transactions WHERE id = $5",
        )
        .bind(id)
        .bind(&signed.raw_tx)
        .bind(&signed.tx_hash)
        .bind(now.as_millis())
        .bind(old.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE wallet_transactions SET state = 'replaced', updated_at = $1 WHERE id = $2",
        )
        .bind(now.as_millis())
        .bind(old.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(WalletTx {
            id,
            payout_id,
            nonce: old.nonce,
            raw_tx: signed.raw_tx.clone(),
            tx_hash: signed.tx_hash.clone(),
            state: "signed".into(),
            amount: old.amount.clone(),
            to_address: old.to_address.clone(),
            asset: old.asset.clone(),
            created_at: now,
        })
    }

    pub async fn set_wallet_tx_state(
        &self,
        id: i64,
        state: &str,
        now: UnixMillis,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE wallet_transactions SET state = $1, updated_at = $2 WHERE id = $3")
            .bind(state)
            .bind(now.as_millis())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
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
            created.push(id);
        }
        Ok(created)
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_accumulation(
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

/// A signed host-wallet transaction as the store keeps it (the wallet signs; the store only
/// writes what it is given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTx {
    pub nonce: u64,
    /// The payee (for a token: the token recipient, not the contract).
    pub to: String,
    /// The token contract, or `native`.
    pub asset: String,
    /// Base units of `asset`, decimal.
    pub amount: String,
    /// `0x…` hex of the EIP-2718 encoding.
    pub raw_tx: String,
    pub tx_hash: String,
}
