//! The one transaction per IPN (SPEC §4): record the event, move the payment forward only, and
//! on the transition into a granting status write the subscription change and the jobs that do
//! the external work (invite, messages). No external call happens inside it; 200 is answered
//! only after it commits.

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use super::checks::{self, HoldReason, InvoiceFacts, Settlement};
use super::nowpayments::{NpPayment, PaymentStatus};
use crate::domain::ids::new_id;
use crate::domain::job_kinds;
use crate::domain::money::{CryptoAmount, UsdMicros};
use crate::domain::time::UnixMillis;
use crate::store::invoices::{INVOICE_COLUMNS, Invoice, InvoiceKind, invoice_from_row};
use crate::store::jobs::{NewJob, enqueue_job};
use crate::store::payouts::alert;
use crate::store::{Db, StoreError, StoreResult};

/// What one IPN did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// The same body was seen before: nothing changed.
    Duplicate,
    /// An older status arrived after a newer one: logged, nothing moved.
    Stale,
    /// No invoice of ours, or a child payment: stored for admins, never grants.
    Orphan,
    /// A progress status (waiting … sending), or a final one that grants nothing.
    Moved { invoice_id: i64 },
    /// Access (or a donation) was granted by this payment.
    Granted { invoice_id: i64, payment_id: i64 },
    /// Paid too little: a top-up is offered.
    Underpaid { invoice_id: i64 },
    /// The IPN disagrees with our invoice or carries amounts that cannot be true: stored, held
    /// for an admin, and nothing granted, topped up or paid out.
    Held { invoice_id: i64 },
}

/// Rules the intake needs from the configuration.
#[derive(Debug, Clone)]
pub struct IntakeRules {
    /// Default share of the price that counts as paid in full (a channel may override it).
    pub tolerance: Decimal,
    /// How long retries of the jobs this creates may go on.
    pub give_up_after: std::time::Duration,
    /// Reminders before expiry (REMINDER_OFFSETS).
    pub reminder_offsets: Vec<std::time::Duration>,
}

fn amount(d: Option<Decimal>) -> Option<String> {
    d.and_then(|d| CryptoAmount::new(d).ok())
        .map(CryptoAmount::to_db)
}

impl IntakeRules {
    pub fn from_config(c: &crate::config::Config) -> Self {
        Self {
            tolerance: c.rules.payment_tolerance,
            give_up_after: c.jobs.give_up_after,
            reminder_offsets: c.rules.reminder_offsets.clone(),
        }
    }
}

pub use super::checks::paid_usd;

impl Db {
    /// Applies one verified IPN. `raw` is the body exactly as received; `unreadable` names the
    /// amount fields that could not be read (see [`NpPayment::from_ipn_value`]), which holds the
    /// payment.
    #[tracing::instrument(skip_all, fields(np_payment_id = %p.payment_id, status = ?p.payment_status))]
    pub async fn record_ipn(
        &self,
        p: &NpPayment,
        unreadable: &[(String, String)],
        raw: &str,
        rules: &IntakeRules,
        now: UnixMillis,
    ) -> StoreResult<IntakeOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = self
            .record_ipn_in(&mut tx, p, unreadable, raw, rules, now)
            .await?;
        tx.commit().await?;
        metrics::counter!("ipn_outcomes_total", "outcome" => outcome_label(&outcome)).increment(1);
        Ok(outcome)
    }

    async fn record_ipn_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        p: &NpPayment,
        unreadable: &[(String, String)],
        raw: &str,
        rules: &IntakeRules,
        now: UnixMillis,
    ) -> StoreResult<IntakeOutcome> {
        let status = p.payment_status.as_str();
        let sha = hex::encode(Sha256::digest(raw.as_bytes()));
        let event_id = new_id();
        let fresh = sqlx::query(
            "INSERT INTO payment_events (id, np_payment_id, status, body_sha256, body, applied, received_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (np_payment_id, body_sha256) DO NOTHING",
        )
        .bind(event_id)
        .bind(&p.payment_id)
        .bind(status)
        .bind(&sha)
        .bind(raw)
        .bind(now.as_millis())
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;
        if !fresh {
            return Ok(IntakeOutcome::Duplicate);
        }

        // Whose payment is it? Child payments and unknown orders are orphans (lesson 2).
        let invoice = match p
            .order_id
            .as_deref()
            .and_then(|o| o.trim().parse::<i64>().ok())
        {
            Some(id) => {
                // No row lock: the payment row (locked below) and the unique keys serialize
                // what must not happen twice; IPNs of different payments may run in parallel.
                let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await?
                    .as_ref()
                    .map(invoice_from_row)
                    .transpose()?
            }
            None => None,
        };
        let orphan_reason = if p.parent_payment_id.is_some() {
            Some("child payment (re-deposit or wrong asset)")
        } else if invoice.is_none() {
            Some("no invoice of ours has this order_id")
        } else {
            None
        };

        // Does it agree with our invoice, and can its amounts be true? Then what does it ask of
        // the money? Anything that does not check out holds the payment (issue 11).
        let (hold, settlement) = match (&invoice, orphan_reason) {
            (Some(inv), None) => {
                let facts = InvoiceFacts {
                    price: inv.price,
                    np_invoice_id: inv.np_invoice_id.as_deref(),
                };
                match checks::check_ipn(p, unreadable, &facts) {
                    Err(reason) => (Some(reason), Settlement::Nothing),
                    Ok(()) => {
                        let tolerance = if matches!(
                            p.payment_status,
                            PaymentStatus::Finished | PaymentStatus::PartiallyPaid
                        ) {
                            channel_tolerance(tx, inv.channel_id)
                                .await?
                                .unwrap_or(rules.tolerance)
                        } else {
                            rules.tolerance
                        };
                        match checks::settle(p, inv.price, tolerance) {
                            Settlement::Hold(reason) => (Some(reason), Settlement::Nothing),
                            s => (None, s),
                        }
                    }
                }
            }
            _ => (None, Settlement::Nothing),
        };
        let hold_text = hold.as_ref().map(HoldReason::to_string);

        let inserted = sqlx::query(
            "INSERT INTO payments (id, np_payment_id, invoice_id, order_id, parent_np_payment_id, \
               orphan_reason, status, pay_currency, pay_amount, actually_paid, price_currency, \
               price_amount, outcome_currency, outcome_amount, held_reason, held_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
             ON CONFLICT (np_payment_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(&p.payment_id)
        .bind(if orphan_reason.is_some() {
            None
        } else {
            invoice.as_ref().map(|i| i.id)
        })
        .bind(p.order_id.as_deref())
        .bind(p.parent_payment_id.as_deref())
        .bind(orphan_reason)
        .bind(status)
        .bind(p.pay_currency.as_deref())
        .bind(amount(p.pay_amount))
        .bind(amount(p.actually_paid))
        .bind(p.price_currency.as_deref())
        .bind(amount(p.price_amount))
        .bind(p.outcome_currency.as_deref())
        .bind(amount(p.outcome_amount))
        .bind(hold_text.as_deref())
        .bind(hold_text.as_ref().map(|_| now.as_millis()))
        .bind(now.as_millis())
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;

        let sql = format!(
            "SELECT id, status, invoice_id, granted_at, held_reason FROM payments WHERE np_payment_id = $1{}",
            self.backend().for_update()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&p.payment_id)
            .fetch_one(&mut **tx)
            .await?;
        let payment_id: i64 = row.try_get("id")?;
        let current: String = row.try_get("status")?;
        let linked_invoice: Option<i64> = row.try_get("invoice_id")?;
        let already_granted = row.try_get::<Option<i64>, _>("granted_at")?.is_some();
        let held_before: Option<String> = row.try_get("held_reason")?;

        if !inserted {
            let cur = PaymentStatus::parse(&current);
            if !moves_forward(&cur, &p.payment_status) {
                mark_not_applied(tx, event_id).await?;
                return Ok(IntakeOutcome::Stale);
            }
            // Amounts that failed the checks are not written over sane ones: a held payment
            // keeps the figures it had, and the raw event keeps what was sent.
            let sane = hold.is_none();
            sqlx::query(
                "UPDATE payments SET status = $1, actually_paid = COALESCE($2, actually_paid), \
                   pay_amount = COALESCE($3, pay_amount), outcome_amount = COALESCE($4, outcome_amount), \
                   outcome_currency = COALESCE($5, outcome_currency), updated_at = $6, \
                   held_reason = COALESCE(held_reason, $8), held_at = COALESCE(held_at, $9) WHERE id = $7",
            )
            .bind(status)
            .bind(amount(p.actually_paid).filter(|_| sane))
            .bind(amount(p.pay_amount).filter(|_| sane))
            .bind(amount(p.outcome_amount).filter(|_| sane))
            .bind(p.outcome_currency.as_deref().filter(|_| sane))
            .bind(now.as_millis())
            .bind(payment_id)
            .bind(hold_text.as_deref())
            .bind(hold_text.as_ref().map(|_| now.as_millis()))
            .execute(&mut **tx)
            .await?;
        }

        let (Some(invoice), Some(_)) = (invoice, linked_invoice) else {
            if inserted {
                alert(
                    tx,
                    "orphan_payment",
                    &p.payment_id,
                    orphan_reason.unwrap_or("orphan payment"),
                    now,
                )
                .await?;
            }
            return Ok(IntakeOutcome::Orphan);
        };

        // Held, now or before: kept for an admin, nothing moves (sticky: a later IPN that looks
        // right does not release it; only a person does).
        if let Some(reason) = hold_text.as_deref().or(held_before.as_deref()) {
            metrics::counter!("ipn_held_total").increment(1);
            tracing::warn!(np_payment_id = %p.payment_id, invoice_id = invoice.id, %reason, "payment held for review");
            mark_not_applied(tx, event_id).await?;
            alert(
                tx,
                "held_payment",
                &p.payment_id,
                &format!(
                    "payment {} for invoice {} held for review: {reason}",
                    p.payment_id, invoice.id
                ),
                now,
            )
            .await?;
            return Ok(IntakeOutcome::Held {
                invoice_id: invoice.id,
            });
        }

        let job = |kind: &str, key: String, payload: serde_json::Value| NewJob {
            kind: kind.to_owned(),
            unique_key: Some(key),
            payload,
            run_at: now,
            give_up_at: now.saturating_add(rules.give_up_after),
        };
        // The subscriber's progress message follows every status.
        enqueue_job(
            tx,
            &job(
                job_kinds::PAYMENT_PROGRESS,
                format!("progress:{payment_id}:{status}"),
                serde_json::json!({ "invoice_id": invoice.id, "payment_id": payment_id, "status": status }),
            ),
            now,
        )
        .await?;

        match settlement {
            Settlement::Grant if !already_granted => {
                grant(tx, self.backend(), &invoice, payment_id, now, &job, rules).await?;
                record_overpayment(tx, p, &invoice, payment_id, now).await?;
                return Ok(IntakeOutcome::Granted {
                    invoice_id: invoice.id,
                    payment_id,
                });
            }
            Settlement::TopUp(missing) if !already_granted => {
                set_invoice_status(tx, invoice.id, "partially_paid", now).await?;
                enqueue_job(
                    tx,
                    &job(
                        job_kinds::TOPUP_INVOICE,
                        format!("topup:{payment_id}"),
                        serde_json::json!({ "invoice_id": invoice.id, "payment_id": payment_id, "missing_usd_micros": missing.micros() }),
                    ),
                    now,
                )
                .await?;
                return Ok(IntakeOutcome::Underpaid {
                    invoice_id: invoice.id,
                });
            }
            _ => {}
        }
        match p.payment_status {
            PaymentStatus::Failed | PaymentStatus::Expired if !already_granted => {
                set_invoice_status(tx, invoice.id, status, now).await?;
                Ok(IntakeOutcome::Moved {
                    invoice_id: invoice.id,
                })
            }
            PaymentStatus::Refunded => {
                let revoked = revoke_grant(tx, payment_id, now).await?;
                let detail = if revoked {
                    "NOWPayments refunded this payment; the days it bought were taken back. Check any payout made from it."
                } else {
                    "NOWPayments refunded this payment; it had granted nothing."
                };
                alert(tx, "refunded_payment", &p.payment_id, detail, now).await?;
                Ok(IntakeOutcome::Moved {
                    invoice_id: invoice.id,
                })
            }
            _ => Ok(IntakeOutcome::Moved {
                invoice_id: invoice.id,
            }),
        }
    }
}

/// Whether `new` may replace `current`. Statuses only move forward; a final status is never
/// overwritten by an earlier one. The one way out of `expired` or `failed` is money arriving
/// after all (a late deposit shows up as `finished`/`partially_paid`): dropping it would keep a
/// payer's money without giving access.
pub fn moves_forward(current: &PaymentStatus, new: &PaymentStatus) -> bool {
    use PaymentStatus as S;
    match (current, new) {
        (S::Expired | S::Failed, S::Finished | S::PartiallyPaid) => true,
        (S::Finished | S::Expired | S::Failed, S::Refunded) => true,
        (c, _) if c.is_final() => false,
        (c, n) => n.rank() > c.rank(),
    }
}

fn outcome_label(o: &IntakeOutcome) -> &'static str {
    match o {
        IntakeOutcome::Duplicate => "duplicate",
        IntakeOutcome::Stale => "stale",
        IntakeOutcome::Orphan => "orphan",
        IntakeOutcome::Moved { .. } => "moved",
        IntakeOutcome::Granted { .. } => "granted",
        IntakeOutcome::Underpaid { .. } => "underpaid",
        IntakeOutcome::Held { .. } => "held",
    }
}

/// The event moved nothing (out of order, or held): kept for the record only.
async fn mark_not_applied(tx: &mut Transaction<'static, Any>, event_id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE payment_events SET applied = 0 WHERE id = $1")
        .bind(event_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn channel_tolerance(
    tx: &mut Transaction<'static, Any>,
    channel_id: i64,
) -> StoreResult<Option<Decimal>> {
    let row = sqlx::query("SELECT payment_tolerance FROM channels WHERE id = $1")
        .bind(channel_id)
        .fetch_optional(&mut **tx)
        .await?;
    let text: Option<String> = match row {
        Some(r) => r.try_get(0)?,
        None => None,
    };
    Ok(text.and_then(|t| Decimal::from_str_exact(&t).ok()))
}

async fn set_invoice_status(
    tx: &mut Transaction<'static, Any>,
    invoice_id: i64,
    status: &str,
    now: UnixMillis,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE invoices SET status = $1, updated_at = $2 WHERE id = $3 AND status <> 'paid'",
    )
    .bind(status)
    .bind(now.as_millis())
    .bind(invoice_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The days an invoice buys: its own, or for a top-up those of the invoice it completes.
async fn days_and_target(
    tx: &mut Transaction<'static, Any>,
    invoice: &Invoice,
) -> StoreResult<Option<(u32, Invoice)>> {
    if invoice.kind != InvoiceKind::Topup {
        return Ok(invoice.days.map(|d| (d, invoice.clone())));
    }
    let Some(parent_id) = invoice.parent_invoice_id else {
        return Ok(None);
    };
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1");
    let parent = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(parent_id)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(invoice_from_row)
        .transpose()?;
    Ok(parent.and_then(|p| p.days.map(|d| (d, p))))
}

/// A payment worth more than its price (beyond rounding) is recorded and shown to admins.
async fn record_overpayment(
    tx: &mut Transaction<'static, Any>,
    p: &NpPayment,
    invoice: &Invoice,
    payment_id: i64,
    now: UnixMillis,
) -> StoreResult<()> {
    let Some(paid) = paid_usd(p) else {
        return Ok(());
    };
    let over = paid - invoice.price.to_decimal();
    // Under a cent is rounding, not an overpayment.
    if over < Decimal::new(1, 2) {
        return Ok(());
    }
    let over = UsdMicros::from_decimal_rounded(over, rust_decimal::RoundingStrategy::ToZero)
        .map_err(|e| StoreError::Corrupt(format!("overpayment: {e}")))?;
    sqlx::query("UPDATE payments SET overpaid_usd_micros = $1 WHERE id = $2")
        .bind(over.micros())
        .bind(payment_id)
        .execute(&mut **tx)
        .await?;
    alert(
        tx,
        "overpayment",
        &p.payment_id,
        &format!("paid {over} more than the price of invoice {}", invoice.id),
        now,
    )
    .await
}

/// Takes back the days a refunded payment bought. True when there was a grant to revoke.
async fn revoke_grant(
    tx: &mut Transaction<'static, Any>,
    payment_id: i64,
    now: UnixMillis,
) -> StoreResult<bool> {
    let grant =
        sqlx::query("SELECT subscription_id, days FROM subscription_grants WHERE payment_id = $1")
            .bind(payment_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(g) = grant else { return Ok(false) };
    let sub: i64 = g.try_get("subscription_id")?;
    let days: i64 = g.try_get("days")?;
    // The expiry sweep removes the member once the shortened time has passed.
    sqlx::query(
        "UPDATE subscriptions SET expires_at = expires_at - $1, updated_at = $2 WHERE id = $3",
    )
    .bind(days.saturating_mul(86_400_000))
    .bind(now.as_millis())
    .bind(sub)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE payments SET refunded_at = $1 WHERE id = $2")
        .bind(now.as_millis())
        .bind(payment_id)
        .execute(&mut **tx)
        .await?;
    // What is not paid out yet is taken back: a share still waiting (not in a conversion or a
    // payout) and an instant payout that has not started. Anything further along stays for the
    // admins, who get the refund alert.
    sqlx::query(
        "DELETE FROM accumulations WHERE payment_id = $1 AND state IN ('pending', 'converted') \
           AND conversion_id IS NULL AND payout_id IS NULL",
    )
    .bind(payment_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE payouts SET state = 'cancelled', error = 'payment refunded', updated_at = $1 \
         WHERE payment_id = $2 AND state IN ('pending', 'exchange')",
    )
    .bind(now.as_millis())
    .bind(payment_id)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// The grant itself: subscription extended (`max(now, expires) + days`), the grant recorded
/// once per payment, the invoice paid, and the access job queued — all in the caller's
/// transaction (lessons 1–5).
async fn grant(
    tx: &mut Transaction<'static, Any>,
    backend: crate::store::Backend,
    invoice: &Invoice,
    payment_id: i64,
    now: UnixMillis,
    job: &impl Fn(&str, String, serde_json::Value) -> NewJob,
    rules: &IntakeRules,
) -> StoreResult<()> {
    sqlx::query("UPDATE payments SET granted_at = $1 WHERE id = $2")
        .bind(now.as_millis())
        .bind(payment_id)
        .execute(&mut **tx)
        .await?;
    set_invoice_status(tx, invoice.id, "paid", now).await?;
    if let Some(parent) = invoice.parent_invoice_id {
        set_invoice_status(tx, parent, "paid", now).await?;
    }
    // The money side (SPEC §5–§6): valuation, fee split, accumulation or instant payout.
    enqueue_job(
        tx,
        &job(
            job_kinds::VALUE_PAYMENT,
            format!("value:{payment_id}"),
            serde_json::json!({ "payment_id": payment_id }),
        ),
        now,
    )
    .await?;

    if invoice.kind == InvoiceKind::Donation {
        crate::store::outbox::enqueue(
            tx,
            invoice.channel_id,
            crate::store::outbox::Notice::Donation {
                usd_micros: invoice.price.micros(),
            },
            &format!("donation:{payment_id}"),
            now,
        )
        .await?;
        return Ok(());
    }
    let Some((days, target)) = days_and_target(tx, invoice).await? else {
        return Err(StoreError::Corrupt(format!(
            "invoice {} buys no days",
            invoice.id
        )));
    };
    let day_ms: i64 = 86_400_000;
    let span = i64::from(days).saturating_mul(day_ms);

    // Insert-or-lock: concurrent grants for the same user and channel serialize on the unique
    // key instead of racing a read (lesson 5).
    let fresh_id = new_id();
    let created = sqlx::query(
        "INSERT INTO subscriptions (id, user_id, channel_id, tier_id, locked_price_usd_micros, \
           locked_days, status, started_at, expires_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $7, $7) \
         ON CONFLICT (user_id, channel_id) DO NOTHING",
    )
    .bind(fresh_id)
    .bind(target.user_id)
    .bind(target.channel_id)
    .bind(target.tier_id)
    .bind(target.price.micros())
    .bind(i64::from(days))
    .bind(now.as_millis())
    .bind(now.as_millis().saturating_add(span))
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    let (subscription_id, old_expires) = if created {
        (fresh_id, None)
    } else {
        let sql = format!(
            "SELECT id, expires_at, status FROM subscriptions WHERE user_id = $1 AND channel_id = $2{}",
            backend.for_update()
        );
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(target.user_id)
            .bind(target.channel_id)
            .fetch_one(&mut **tx)
            .await?;
        let id: i64 = r.try_get("id")?;
        let expires: i64 = r.try_get("expires_at")?;
        let status: String = r.try_get("status")?;
        let base = if status == "active" {
            expires.max(now.as_millis())
        } else {
            now.as_millis()
        };
        sqlx::query(
            "UPDATE subscriptions SET expires_at = $1, status = 'active', updated_at = $2 WHERE id = $3",
        )
        .bind(base.saturating_add(span))
        .bind(now.as_millis())
        .bind(id)
        .execute(&mut **tx)
        .await?;
        (id, Some(expires))
    };
    let new_expires: i64 = sqlx::query("SELECT expires_at FROM subscriptions WHERE id = $1")
        .bind(subscription_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    sqlx::query(
        "INSERT INTO subscription_grants (id, subscription_id, payment_id, days, old_expires_at, new_expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(subscription_id)
    .bind(payment_id)
    .bind(i64::from(days))
    .bind(old_expires)
    .bind(new_expires)
    .bind(now.as_millis())
    .execute(&mut **tx)
    .await?;
    for reminder in crate::access::expiry::reminder_jobs(
        subscription_id,
        UnixMillis::from_millis(new_expires),
        &rules.reminder_offsets,
        now,
        rules.give_up_after,
    ) {
        enqueue_job(tx, &reminder, now).await?;
    }
    enqueue_job(
        tx,
        &job(
            job_kinds::GRANT_ACCESS,
            format!("access:{payment_id}"),
            serde_json::json!({ "subscription_id": subscription_id, "payment_id": payment_id, "invoice_id": invoice.id }),
        ),
        now,
    )
    .await?;
    crate::store::outbox::enqueue(
        tx,
        target.channel_id,
        crate::store::outbox::Notice::NewPayment {
            usd_micros: invoice.price.micros(),
            days,
        },
        &format!("payment:{payment_id}"),
        now,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus as S;
    use rust_decimal_macros::dec;

    #[test]
    fn statuses_only_move_forward() {
        let order = [
            S::Waiting,
            S::Confirming,
            S::Confirmed,
            S::Sending,
            S::Finished,
        ];
        for (i, a) in order.iter().enumerate() {
            for (j, b) in order.iter().enumerate() {
                assert_eq!(moves_forward(a, b), j > i, "{a} -> {b}");
            }
        }
        assert!(!moves_forward(&S::Finished, &S::Waiting));
        assert!(!moves_forward(&S::Finished, &S::Expired));
        assert!(!moves_forward(&S::Expired, &S::Confirming));
        assert!(
            moves_forward(&S::Expired, &S::Finished),
            "a late deposit is not dropped"
        );
        assert!(moves_forward(&S::Finished, &S::Refunded));
        assert!(!moves_forward(&S::Refunded, &S::Finished));
        assert!(moves_forward(&S::PartiallyPaid, &S::Finished));
    }

    #[test]
    fn paid_usd_is_exact_and_needs_every_figure() {
        let mut p = NpPayment::from_value(&serde_json::json!({
            "payment_id": 1, "payment_status": "partially_paid", "price_amount": 10,
            "pay_amount": 0.004, "actually_paid": 0.0039
        }))
        .unwrap();
        assert_eq!(paid_usd(&p), Some(dec!(9.75)));
        p.pay_amount = Some(Decimal::ZERO);
        assert_eq!(paid_usd(&p), None);
        p.pay_amount = None;
        assert_eq!(paid_usd(&p), None);
    }
}
