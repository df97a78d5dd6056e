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

// ---------------------------------------------------------------------------------------------
// The operators' payouts console (SPEC §7): lists, one payout's card, retry and cancel.
// ---------------------------------------------------------------------------------------------

/// A payout that is not final and has not changed for this long is "stuck" (so is one whose
/// step job failed and waits for an operator).
pub const PAYOUT_STUCK_AFTER: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// The unique key of a payout's step job (see [`enqueue_payout_step`]).
fn step_key(payout_id: i64) -> String {
    format!("payout:{payout_id}")
}

/// Not final: something will still happen to it.
const OPEN: &str = "p.state IN ('pending', 'exchange', 'sending', 'funded')";
/// The step job of payout `p` failed and waits for an operator.
const JOB_FAILED: &str = "EXISTS (SELECT 1 FROM jobs j WHERE j.unique_key = 'payout:' || CAST(p.id AS TEXT) \
    AND j.state = 'failed')";

/// Which payouts an operator lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutList {
    /// Not final and moving (not stuck).
    Pending,
    /// `failed`.
    Failed,
    /// Not final and unchanged for [`PAYOUT_STUCK_AFTER`], or its step job failed.
    Stuck,
}

impl PayoutList {
    fn condition(self) -> String {
        match self {
            PayoutList::Failed => "p.state = 'failed'".into(),
            PayoutList::Stuck => format!("{OPEN} AND (p.updated_at < $1 OR {JOB_FAILED})"),
            PayoutList::Pending => {
                format!("{OPEN} AND NOT (p.updated_at < $1 OR {JOB_FAILED})")
            }
        }
    }
}

/// One line of an operator's payout list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutLine {
    pub id: i64,
    pub kind: String,
    pub channel_title: String,
    pub usd: UsdMicros,
    pub state: PayoutState,
    pub dest_currency: String,
    pub dest_network: String,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

/// Everything an operator sees on one payout's card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutCard {
    pub payout: Payout,
    pub channel_title: String,
    pub owner_id: i64,
    pub amount_sent: Option<String>,
    pub error: Option<String>,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
    pub sent_at: Option<UnixMillis>,
    /// A batch payout's accumulations.
    pub accumulation_ids: Vec<i64>,
    /// The host wallet's transactions for it, newest first.
    pub wallet_txs: Vec<WalletTx>,
    /// Its step job's state (`pending`, `running`, `done`, `failed`, `cancelled`), if any.
    pub job_state: Option<String>,
}

/// What an operator's retry of a payout does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPlan {
    /// A failed payout resumes at the step its records show: `sending` when a signed
    /// transaction may still be mined (its receipt is looked up and the same bytes
    /// re-broadcast; nothing new is signed), `exchange` when an unfunded exchange exists,
    /// `pending` when nothing was sent.
    Resume(PayoutState),
    /// A stuck payout (not final): its step job runs again now, from the stored state.
    RunNow,
    Refused(RetryRefusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryRefusal {
    /// Sent or cancelled: nothing to retry.
    Final(PayoutState),
    /// A transaction for it was mined: money left the host wallet (to the exchange).
    MoneyLeft,
    /// Its step is running right now.
    Running,
    /// Not stuck: it moves by itself.
    Healthy,
}

/// What an operator's cancel of a payout would do, or why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelPlan {
    Ready,
    /// Sent or cancelled already.
    Final(PayoutState),
    /// A wallet transaction for it is signed, broadcast, replaced or confirmed: money may
    /// already be on its way.
    MoneyMayHaveLeft,
    /// Sending or funded (money is on its way).
    InFlight(PayoutState),
    /// Its step is running right now.
    Running,
}

/// The retry decision from the payout's state, its wallet transactions' states and its step
/// job's state. Pure, so the first press and the confirmation decide alike.
pub fn retry_plan(
    state: PayoutState,
    exchange_id: Option<&str>,
    updated_at: UnixMillis,
    tx_states: &[String],
    job_state: Option<&str>,
    stuck_before: UnixMillis,
) -> RetryPlan {
    if matches!(state, PayoutState::Sent | PayoutState::Cancelled) {
        return RetryPlan::Refused(RetryRefusal::Final(state));
    }
    if job_state == Some("running") {
        return RetryPlan::Refused(RetryRefusal::Running);
    }
    if state == PayoutState::Failed {
        if tx_states.iter().any(|s| s == "confirmed") {
            return RetryPlan::Refused(RetryRefusal::MoneyLeft);
        }
        if tx_states.iter().any(|s| s == "signed" || s == "broadcast") {
            return RetryPlan::Resume(PayoutState::Sending);
        }
        // Every transaction (if any) is mined and reverted, or replaced by one that was:
        // none of them can ever move money.
        return RetryPlan::Resume(if exchange_id.is_some() {
            PayoutState::Exchange
        } else {
            PayoutState::Pending
        });
    }
    let job_waits = matches!(job_state, None | Some("failed" | "done" | "cancelled"));
    if job_waits || updated_at < stuck_before {
        RetryPlan::RunNow
    } else {
        RetryPlan::Refused(RetryRefusal::Healthy)
    }
}

/// The cancel decision (see [`retry_plan`]).
pub fn cancel_plan(
    state: PayoutState,
    tx_states: &[String],
    job_state: Option<&str>,
) -> CancelPlan {
    if matches!(state, PayoutState::Sent | PayoutState::Cancelled) {
        return CancelPlan::Final(state);
    }
    if tx_states.iter().any(|s| s != "failed") {
        return CancelPlan::MoneyMayHaveLeft;
    }
    if !matches!(
        state,
        PayoutState::Pending | PayoutState::Exchange | PayoutState::Failed
    ) {
        return CancelPlan::InFlight(state);
    }
    if job_state == Some("running") {
        return CancelPlan::Running;
    }
    CancelPlan::Ready
}

/// What a confirmed retry or cancel did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminPayoutOutcome {
    /// Done, from `before` to `after` (the admin log row's words).
    Done {
        before: String,
        after: String,
    },
    /// Nothing changed: the payout is not there, or the plan no longer applies.
    Retry(RetryPlan),
    Cancel(CancelPlan),
    NotFound,
}

async fn tx_states_in(conn: &mut sqlx::AnyConnection, id: i64) -> StoreResult<Vec<String>> {
    Ok(
        sqlx::query("SELECT state FROM wallet_transactions WHERE payout_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("state"))
            .collect::<Result<Vec<String>, _>>()?,
    )
}

async fn job_state_in(conn: &mut sqlx::AnyConnection, id: i64) -> StoreResult<Option<String>> {
    Ok(sqlx::query("SELECT state FROM jobs WHERE unique_key = $1")
        .bind(step_key(id))
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("state"))
        .transpose()?)
}

/// The payout's step job runs again now with a fresh retry budget (compare-and-set on the job
/// state read before), or is queued when it has none. False when the job changed meanwhile.
async fn requeue_step(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    job_state: Option<&str>,
    give_up_after: std::time::Duration,
    now: UnixMillis,
) -> StoreResult<bool> {
    match job_state {
        None => {
            enqueue_payout_step(tx, id, now, give_up_after).await?;
            Ok(true)
        }
        Some(state) => {
            let n = sqlx::query(
                "UPDATE jobs SET state = 'pending', attempts = 0, run_at = $1, give_up_at = $2, \
                   finished_at = NULL, lease_until = NULL, leased_by = NULL, updated_at = $1 \
                 WHERE unique_key = $3 AND state = $4 AND state <> 'running'",
            )
            .bind(now.as_millis())
            .bind(now.saturating_add(give_up_after).as_millis())
            .bind(step_key(id))
            .bind(state)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            Ok(n == 1)
        }
    }
}

fn line_from_row(r: &AnyRow) -> StoreResult<PayoutLine> {
    Ok(PayoutLine {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        channel_title: r.try_get("title")?,
        usd: UsdMicros::from_micros(r.try_get("usd_micros")?),
        state: super::state_column(r, "state")?,
        dest_currency: r.try_get("dest_currency")?,
        dest_network: r.try_get("dest_network")?,
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
        updated_at: UnixMillis::from_millis(r.try_get("updated_at")?),
    })
}

impl Db {
    /// One page of payouts for operators, newest first. `stuck_before` = now −
    /// [`PAYOUT_STUCK_AFTER`].
    pub async fn admin_payouts(
        &self,
        list: PayoutList,
        stuck_before: UnixMillis,
        limit: u32,
        offset: u64,
    ) -> StoreResult<Vec<PayoutLine>> {
        let sql = format!(
            "SELECT p.id, p.kind, c.title, p.usd_micros, p.state, p.dest_currency, p.dest_network, \
               p.created_at, p.updated_at FROM payouts p JOIN channels c ON c.id = p.channel_id \
             WHERE ($1 = $1) AND {} ORDER BY p.created_at DESC, p.id DESC LIMIT {limit} OFFSET {offset}",
            list.condition()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(stuck_before.as_millis())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(line_from_row).collect()
    }

    /// How many payouts each list holds: (pending, failed, stuck).
    pub async fn admin_payout_counts(&self, stuck_before: UnixMillis) -> StoreResult<[i64; 3]> {
        let mut out = [0; 3];
        for (i, list) in [PayoutList::Pending, PayoutList::Failed, PayoutList::Stuck]
            .into_iter()
            .enumerate()
        {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM payouts p WHERE ($1 = $1) AND {}",
                list.condition()
            );
            out[i] = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(stuck_before.as_millis())
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
        }
        Ok(out)
    }

    /// One payout with everything an operator needs to judge it.
    pub async fn payout_card(&self, id: i64) -> StoreResult<Option<PayoutCard>> {
        let Some(payout) = self.payout(id).await? else {
            return Ok(None);
        };
        let r = sqlx::query(
            "SELECT c.title, c.owner_id, p.amount_sent, p.error, p.created_at, p.updated_at, p.sent_at \
             FROM payouts p JOIN channels c ON c.id = p.channel_id WHERE p.id = $1",
        )
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        let accumulation_ids = sqlx::query(
            "SELECT id FROM accumulations WHERE payout_id = $1 ORDER BY created_at, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<Vec<i64>, _>>()?;
        let mut conn = self.pool().acquire().await?;
        let job_state = job_state_in(&mut conn, id).await?;
        drop(conn);
        Ok(Some(PayoutCard {
            payout,
            channel_title: r.try_get("title")?,
            owner_id: r.try_get("owner_id")?,
            amount_sent: r.try_get("amount_sent")?,
            error: r.try_get("error")?,
            created_at: UnixMillis::from_millis(r.try_get("created_at")?),
            updated_at: UnixMillis::from_millis(r.try_get("updated_at")?),
            sent_at: r
                .try_get::<Option<i64>, _>("sent_at")?
                .map(UnixMillis::from_millis),
            accumulation_ids,
            wallet_txs: self.wallet_txs_of(TxFor::Payout(id)).await?,
            job_state,
        }))
    }

    /// An operator's retry, decided again inside its own transaction ([`retry_plan`]): a
    /// failed payout resumes at its recorded step, a stuck one's step job runs now; the
    /// payout's change, its job and the admin log row commit together. Nothing changes (and
    /// no row is written) when the plan no longer applies.
    pub async fn admin_retry_payout(
        &self,
        id: i64,
        by: super::admin_log::Actor,
        stuck_before: UnixMillis,
        give_up_after: std::time::Duration,
        now: UnixMillis,
    ) -> StoreResult<AdminPayoutOutcome> {
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {PAYOUT_COLUMNS}, updated_at FROM payouts WHERE id = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(AdminPayoutOutcome::NotFound);
        };
        let p = payout_from_row(&row)?;
        let updated_at = UnixMillis::from_millis(row.try_get("updated_at")?);
        let txs = tx_states_in(&mut tx, id).await?;
        let job = job_state_in(&mut tx, id).await?;
        let plan = retry_plan(
            p.state,
            p.exchange_id.as_deref(),
            updated_at,
            &txs,
            job.as_deref(),
            stuck_before,
        );
        let (before, after, to) = match plan {
            RetryPlan::Resume(to) => (p.state.to_string(), to.to_string(), to),
            RetryPlan::RunNow => (
                format!("{} (step {})", p.state, job.as_deref().unwrap_or("missing")),
                format!("{} (step queued)", p.state),
                p.state,
            ),
            RetryPlan::Refused(_) => return Ok(AdminPayoutOutcome::Retry(plan)),
        };
        // Compare-and-set on the state read above; a failed payout's error goes with it (the
        // alert and the admin log keep it).
        let n = sqlx::query(
            "UPDATE payouts SET state = $1, error = CASE WHEN $2 = 'failed' THEN NULL ELSE error END, \
               updated_at = $3 WHERE id = $4 AND state = $2",
        )
        .bind(to.as_str())
        .bind(p.state.as_str())
        .bind(now.as_millis())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 || !requeue_step(&mut tx, id, job.as_deref(), give_up_after, now).await? {
            return Ok(AdminPayoutOutcome::Retry(RetryPlan::Refused(
                RetryRefusal::Running,
            )));
        }
        super::admin_log::record(
            &mut tx,
            by,
            crate::domain::states::AdminLogAction::RetryPayout,
            &format!("payout:{id}"),
            Some(&before),
            Some(&after),
            now,
        )
        .await?;
        tx.commit().await?;
        if to != p.state {
            count_payouts(to, 1);
        }
        tracing::warn!(payout_id = id, %before, %after, "payout retried by an operator");
        Ok(AdminPayoutOutcome::Done { before, after })
    }

    /// An operator's cancel, decided again inside its own transaction ([`cancel_plan`]): the
    /// payout `cancelled`, its step job cancelled, its share back where it came from (a
    /// batch's accumulations owed again, an instant share a new accumulation — both to the
    /// channel's current wallet), the owner's notice and the admin log row — one transaction.
    pub async fn admin_cancel_payout(
        &self,
        id: i64,
        by: super::admin_log::Actor,
        now: UnixMillis,
    ) -> StoreResult<AdminPayoutOutcome> {
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {PAYOUT_COLUMNS} FROM payouts WHERE id = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(AdminPayoutOutcome::NotFound);
        };
        let p = payout_from_row(&row)?;
        let job = job_state_in(&mut tx, id).await?;
        let plan = cancel_plan(p.state, &tx_states_in(&mut tx, id).await?, job.as_deref());
        if plan != CancelPlan::Ready {
            return Ok(AdminPayoutOutcome::Cancel(plan));
        }
        let n = sqlx::query(
            "UPDATE payouts SET state = 'cancelled', updated_at = $1 WHERE id = $2 AND state = $3",
        )
        .bind(now.as_millis())
        .bind(id)
        .bind(p.state.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(AdminPayoutOutcome::Cancel(CancelPlan::Running));
        }
        // Checked again after the compare-and-set: a transfer recorded for this payout moved
        // it to `sending` in the same transaction, so none can appear from now on.
        let plan = cancel_plan(p.state, &tx_states_in(&mut tx, id).await?, None);
        if plan != CancelPlan::Ready {
            return Ok(AdminPayoutOutcome::Cancel(plan));
        }
        sqlx::query(
            "UPDATE jobs SET state = 'cancelled', finished_at = $1, updated_at = $1 \
             WHERE unique_key = $2 AND state IN ('pending', 'failed')",
        )
        .bind(now.as_millis())
        .bind(step_key(id))
        .execute(&mut *tx)
        .await?;
        let w = sqlx::query(
            "SELECT payout_currency, payout_network, payout_address, payout_extra_id FROM channels WHERE id = $1",
        )
        .bind(p.channel_id)
        .fetch_one(&mut *tx)
        .await?;
        let currency: String = w.try_get("payout_currency")?;
        let network: String = w.try_get("payout_network")?;
        let address: String = w.try_get("payout_address")?;
        let extra: Option<String> = w.try_get("payout_extra_id")?;
        match p.payment_id {
            // An instant payout's share: owed as a deferred share, as `defer_instant_payout`
            // does (the host wallet holds it in the USD-stable host asset: converted).
            Some(payment_id) => {
                sqlx::query(
                    "INSERT INTO accumulations (id, payment_id, channel_id, owner_usd_micros, crypto_currency, \
                       crypto_amount, is_stable, wallet_currency, wallet_network, wallet_address, wallet_extra_id, \
                       reason, state, usdt_micros, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, 'below_minimum', 'converted', $4, $11, $11)",
                )
                .bind(new_id())
                .bind(payment_id)
                .bind(p.channel_id)
                .bind(p.usd.micros())
                .bind(&p.source_currency)
                .bind(p.usd.to_decimal().to_string())
                .bind(&currency)
                .bind(&network)
                .bind(&address)
                .bind(extra.as_deref())
                .bind(now.as_millis())
                .execute(&mut *tx)
                .await?;
            }
            // A batch's accumulations: owed again.
            None => {
                sqlx::query(
                    "UPDATE accumulations SET state = 'converted', payout_id = NULL, wallet_currency = $1, \
                       wallet_network = $2, wallet_address = $3, wallet_extra_id = $4, updated_at = $5 \
                     WHERE payout_id = $6 AND state = 'in_payout'",
                )
                .bind(&currency)
                .bind(&network)
                .bind(&address)
                .bind(extra.as_deref())
                .bind(now.as_millis())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        outbox::enqueue(
            &mut tx,
            p.channel_id,
            Notice::PayoutCancelled { usd_micros: p.usd },
            &format!("payout-cancelled:{id}"),
            now,
        )
        .await?;
        let before = p.state.to_string();
        super::admin_log::record(
            &mut tx,
            by,
            crate::domain::states::AdminLogAction::CancelPayout,
            &format!("payout:{id}"),
            Some(&before),
            Some(PayoutState::Cancelled.as_str()),
            now,
        )
        .await?;
        tx.commit().await?;
        count_payouts(PayoutState::Cancelled, 1);
        tracing::warn!(payout_id = id, channel_id = p.channel_id, %before, "payout cancelled by an operator; its share is owed again");
        Ok(AdminPayoutOutcome::Done {
            before,
            after: PayoutState::Cancelled.to_string(),
        })
    }
}

#[cfg(test)]
mod admin_plan_tests {
    use super::*;

    const NOW: UnixMillis = UnixMillis::from_millis(10_000_000);
    const STUCK: UnixMillis = UnixMillis::from_millis(6_400_000);

    fn states(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn a_failed_payout_resumes_at_its_recorded_step() {
        use PayoutState::*;
        let plan = |ex: Option<&str>, txs: &[&str]| {
            retry_plan(Failed, ex, NOW, &states(txs), Some("done"), STUCK)
        };
        assert_eq!(plan(None, &[]), RetryPlan::Resume(Pending));
        assert_eq!(plan(Some("x"), &["failed"]), RetryPlan::Resume(Exchange));
        assert_eq!(
            plan(None, &["failed", "replaced"]),
            RetryPlan::Resume(Pending)
        );
        assert_eq!(plan(None, &["broadcast"]), RetryPlan::Resume(Sending));
        assert_eq!(
            plan(Some("x"), &["replaced", "signed"]),
            RetryPlan::Resume(Sending)
        );
        assert_eq!(
            plan(Some("x"), &["confirmed"]),
            RetryPlan::Refused(RetryRefusal::MoneyLeft)
        );
        assert_eq!(
            retry_plan(Failed, None, NOW, &[], Some("running"), STUCK),
            RetryPlan::Refused(RetryRefusal::Running)
        );
    }

    #[test]
    fn only_a_stuck_open_payout_runs_now() {
        use PayoutState::*;
        let old = UnixMillis::from_millis(1);
        assert_eq!(
            retry_plan(Pending, None, NOW, &[], Some("pending"), STUCK),
            RetryPlan::Refused(RetryRefusal::Healthy)
        );
        assert_eq!(
            retry_plan(Pending, None, NOW, &[], Some("failed"), STUCK),
            RetryPlan::RunNow
        );
        assert_eq!(
            retry_plan(
                Sending,
                None,
                old,
                &states(&["broadcast"]),
                Some("pending"),
                STUCK
            ),
            RetryPlan::RunNow
        );
        assert_eq!(
            retry_plan(Funded, None, old, &[], Some("running"), STUCK),
            RetryPlan::Refused(RetryRefusal::Running)
        );
        for s in [Sent, Cancelled] {
            assert_eq!(
                retry_plan(s, None, old, &[], Some("done"), STUCK),
                RetryPlan::Refused(RetryRefusal::Final(s))
            );
        }
    }

    #[test]
    fn cancel_only_when_nothing_can_have_left_the_wallet() {
        use PayoutState::*;
        for s in [Pending, Exchange, Failed] {
            assert_eq!(cancel_plan(s, &[], Some("failed")), CancelPlan::Ready);
            assert_eq!(
                cancel_plan(s, &states(&["failed"]), None),
                CancelPlan::Ready
            );
            for t in ["signed", "broadcast", "replaced", "confirmed"] {
                assert_eq!(
                    cancel_plan(s, &states(&["failed", t]), None),
                    CancelPlan::MoneyMayHaveLeft
                );
            }
        }
        assert_eq!(cancel_plan(Funded, &[], None), CancelPlan::InFlight(Funded));
        assert_eq!(
            cancel_plan(Pending, &[], Some("running")),
            CancelPlan::Running
        );
        assert_eq!(cancel_plan(Sent, &[], None), CancelPlan::Final(Sent));
        assert_eq!(
            cancel_plan(Cancelled, &[], None),
            CancelPlan::Final(Cancelled)
        );
    }
}
