//! Valuations (SPEC §5): a granted payment's USD value and fee split, and the owner's share
//! placed in exactly one place, in one transaction; payments held for review are never valued.

use sqlx::Row;

use super::channels::{PayoutSettings, PayoutStrategy};
use super::payouts::*;
use super::{Db, StoreError, StoreResult};
use crate::domain::fees::Split;
use crate::domain::ids::new_id;
use crate::domain::money::UsdMicros;
use crate::domain::time::UnixMillis;
use crate::store::outbox::alert;

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
                crate::telemetry::count_payouts(crate::domain::states::PayoutState::Pending, 1);
                Ok(Valued::InstantPayout(id))
            }
        }
    }
}
