//! The one transaction per IPN (SPEC §4): record the event, move the payment forward only, and
//! on the transition into a granting status write the subscription change and the jobs that do
//! the external work (invite, messages). No external call happens inside it; 200 is answered
//! only after it commits. The decisions are here (and in [`super::checks`]); the SQL is in
//! `store::payments`, run in this one transaction.

use rust_decimal::Decimal;
use sqlx::{Any, Transaction};

use super::checks::{self, HoldReason, InvoiceFacts, Settlement};
use crate::domain::job::Job;
use crate::domain::money::{CryptoAmount, UsdMicros};
use crate::domain::states::{InvoiceStatus, PaymentReview};
use crate::domain::time::UnixMillis;
use crate::providers::nowpayments::{NpPayment, PaymentStatus};
use crate::store::invoices::{Invoice, InvoiceKind};
use crate::store::jobs::{NewJob, enqueue_job};
use crate::store::outbox::alert;
use crate::store::outbox::{self, Notice};
use crate::store::payments::{self as sql, NewPayment, PaymentFigures};
use crate::store::review::{self as review_sql, ReviewPayment};
use crate::store::{Backend, Db, StoreError, StoreResult};

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
    /// An operator dismissed this payment: the event is kept, nothing moves.
    Dismissed,
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

pub(crate) type Tx = Transaction<'static, Any>;

/// Applies one verified IPN. `raw` is the body exactly as received; `unreadable` names the
/// amount fields that could not be read (see [`NpPayment::from_ipn_value`]), which holds the
/// payment.
#[tracing::instrument(skip_all, fields(np_payment_id = %p.payment_id, status = ?p.payment_status))]
pub async fn record_ipn(
    db: &Db,
    p: &NpPayment,
    unreadable: &[(String, String)],
    raw: &str,
    rules: &IntakeRules,
    now: UnixMillis,
) -> StoreResult<IntakeOutcome> {
    let mut tx = db.begin_write().await?;
    let outcome = record_ipn_in(&mut tx, db.backend(), p, unreadable, raw, rules, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

async fn record_ipn_in(
    tx: &mut Tx,
    backend: Backend,
    p: &NpPayment,
    unreadable: &[(String, String)],
    raw: &str,
    rules: &IntakeRules,
    now: UnixMillis,
) -> StoreResult<IntakeOutcome> {
    let status = p.payment_status.as_str();
    let Some(event_id) = sql::record_event(tx, &p.payment_id, status, raw, now).await? else {
        return Ok(IntakeOutcome::Duplicate);
    };

    // An operator's decision on this payment (issue 14) comes before anything the IPN says.
    if let Some(row) = review_sql::lock_by_np(tx, backend, &p.payment_id).await? {
        match row.review {
            Some(PaymentReview::Dismissed) => {
                sql::mark_event_not_applied(tx, event_id).await?;
                return Ok(IntakeOutcome::Dismissed);
            }
            Some(PaymentReview::Assigned | PaymentReview::Released) => {
                return reviewed_ipn(tx, backend, p, unreadable, &row, event_id, rules, now).await;
            }
            None => {}
        }
    }

    // Whose payment is it? Child payments and unknown orders are orphans (lesson 2).
    let invoice = match p
        .order_id
        .as_deref()
        .and_then(|o| o.trim().parse::<i64>().ok())
    {
        Some(id) => sql::invoice_in(tx, id).await?,
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
                    let tolerance = tolerance_for(tx, p, inv, rules).await?;
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

    let inserted = sql::insert_payment(
        tx,
        &NewPayment {
            np_payment_id: &p.payment_id,
            invoice_id: if orphan_reason.is_some() {
                None
            } else {
                invoice.as_ref().map(|i| i.id)
            },
            order_id: p.order_id.as_deref(),
            parent_np_payment_id: p.parent_payment_id.as_deref(),
            orphan_reason,
            status,
            pay_currency: p.pay_currency.as_deref(),
            pay_amount: amount(p.pay_amount),
            actually_paid: amount(p.actually_paid),
            price_currency: p.price_currency.as_deref(),
            price_amount: amount(p.price_amount),
            outcome_currency: p.outcome_currency.as_deref(),
            outcome_amount: amount(p.outcome_amount),
            held_reason: hold_text.as_deref(),
        },
        now,
    )
    .await?;

    let row = sql::lock_payment(tx, backend, &p.payment_id).await?;
    let payment_id = row.id;
    let already_granted = row.granted;

    if !inserted {
        let cur = PaymentStatus::parse(&row.status);
        if !moves_forward(&cur, &p.payment_status) {
            sql::mark_event_not_applied(tx, event_id).await?;
            return Ok(IntakeOutcome::Stale);
        }
        // Amounts that failed the checks are not written over sane ones: a held payment
        // keeps the figures it had, and the raw event keeps what was sent.
        let sane = hold.is_none();
        let figures = PaymentFigures {
            actually_paid: amount(p.actually_paid).filter(|_| sane),
            pay_amount: amount(p.pay_amount).filter(|_| sane),
            outcome_amount: amount(p.outcome_amount).filter(|_| sane),
            outcome_currency: p.outcome_currency.as_deref().filter(|_| sane),
        };
        sql::update_payment(tx, payment_id, status, &figures, hold_text.as_deref(), now).await?;
    }

    let (Some(invoice), Some(_)) = (invoice, row.invoice_id) else {
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
    if let Some(reason) = hold_text.as_deref().or(row.held_reason.as_deref()) {
        return held(tx, p, &invoice, event_id, reason, now).await;
    }

    apply(
        tx,
        backend,
        p,
        &invoice,
        payment_id,
        already_granted,
        settlement,
        rules,
        now,
    )
    .await
}

/// The share of `invoice`'s price that counts as paid in full for this IPN: the channel's own
/// tolerance when it set one (for the statuses that settle), else the default.
pub(crate) async fn tolerance_for(
    tx: &mut Tx,
    p: &NpPayment,
    invoice: &Invoice,
    rules: &IntakeRules,
) -> StoreResult<Decimal> {
    if matches!(
        p.payment_status,
        PaymentStatus::Finished | PaymentStatus::PartiallyPaid
    ) {
        Ok(sql::channel_tolerance(tx, invoice.channel_id)
            .await?
            .unwrap_or(rules.tolerance))
    } else {
        Ok(rules.tolerance)
    }
}

/// Held: the event moved nothing, and the admins are told (one open alert per payment).
async fn held(
    tx: &mut Tx,
    p: &NpPayment,
    invoice: &Invoice,
    event_id: i64,
    reason: &str,
    now: UnixMillis,
) -> StoreResult<IntakeOutcome> {
    tracing::warn!(np_payment_id = %p.payment_id, invoice_id = invoice.id, %reason, "payment held for review");
    sql::mark_event_not_applied(tx, event_id).await?;
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
    Ok(IntakeOutcome::Held {
        invoice_id: invoice.id,
    })
}

/// A later IPN of a payment an operator assigned to an invoice or released (issue 14): it is
/// that invoice's payment now, whatever its order_id says. The comparison with the invoice is
/// what the operator decided; the amounts must still be sane and pay the price within the
/// tolerance. A new doubt holds it again and puts it back in the review queue.
#[allow(clippy::too_many_arguments)]
async fn reviewed_ipn(
    tx: &mut Tx,
    backend: Backend,
    p: &NpPayment,
    unreadable: &[(String, String)],
    row: &ReviewPayment,
    event_id: i64,
    rules: &IntakeRules,
    now: UnixMillis,
) -> StoreResult<IntakeOutcome> {
    let invoice = match row.invoice_id {
        Some(id) => sql::invoice_in(tx, id).await?,
        None => None,
    };
    let Some(invoice) = invoice else {
        return Err(StoreError::Corrupt(format!(
            "reviewed payment {} has no invoice",
            row.id
        )));
    };
    if !moves_forward(&PaymentStatus::parse(&row.status), &p.payment_status) {
        sql::mark_event_not_applied(tx, event_id).await?;
        return Ok(IntakeOutcome::Stale);
    }
    let status = p.payment_status.as_str();
    let settlement = match checks::check_figures(p, unreadable) {
        Err(reason) => Settlement::Hold(reason),
        Ok(()) => {
            let tolerance = tolerance_for(tx, p, &invoice, rules).await?;
            checks::settle_after_review(p, invoice.price, tolerance)
        }
    };
    if let Settlement::Hold(reason) = &settlement {
        let reason = reason.to_string();
        review_sql::reopen_held(tx, row.id, status, &reason, now).await?;
        return held(tx, p, &invoice, event_id, &reason, now).await;
    }
    let figures = PaymentFigures {
        actually_paid: amount(p.actually_paid),
        pay_amount: amount(p.pay_amount),
        outcome_amount: amount(p.outcome_amount),
        outcome_currency: p.outcome_currency.as_deref(),
    };
    sql::update_payment(tx, row.id, status, &figures, None, now).await?;
    apply(
        tx,
        backend,
        p,
        &invoice,
        row.id,
        row.granted,
        settlement,
        rules,
        now,
    )
    .await
}

/// What a payment of `invoice` in `p`'s status does, once it is known to be that invoice's and
/// not held: the subscriber's progress message, then the grant (with the money records and
/// jobs), the top-up offer, or the invoice's failure, expiry or refund. The one place these
/// rules live: the intake and the operators' review (`payments::review`) both come here.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply(
    tx: &mut Tx,
    backend: Backend,
    p: &NpPayment,
    invoice: &Invoice,
    payment_id: i64,
    already_granted: bool,
    settlement: Settlement,
    rules: &IntakeRules,
    now: UnixMillis,
) -> StoreResult<IntakeOutcome> {
    let status = p.payment_status.as_str();
    let job = |job: Job, key: String| NewJob {
        job,
        unique_key: Some(key),
        run_at: now,
        give_up_at: now.saturating_add(rules.give_up_after),
    };
    // The subscriber's progress message follows every status.
    enqueue_job(
        tx,
        &job(
            Job::PaymentProgress {
                invoice_id: invoice.id,
                payment_id,
                status: p.payment_status.clone(),
            },
            format!("progress:{payment_id}:{status}"),
        ),
        now,
    )
    .await?;

    match settlement {
        Settlement::Grant if !already_granted => {
            grant(tx, backend, invoice, payment_id, now, &job, rules).await?;
            record_overpayment(tx, p, invoice, payment_id, now).await?;
            return Ok(IntakeOutcome::Granted {
                invoice_id: invoice.id,
                payment_id,
            });
        }
        Settlement::TopUp(missing) if !already_granted => {
            sql::set_invoice_status(tx, invoice.id, InvoiceStatus::PartiallyPaid, now).await?;
            enqueue_job(
                tx,
                &job(
                    Job::TopupInvoice {
                        invoice_id: invoice.id,
                        payment_id,
                        missing_usd_micros: missing,
                    },
                    format!("topup:{payment_id}"),
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
            let moved = match p.payment_status {
                PaymentStatus::Failed => InvoiceStatus::Failed,
                _ => InvoiceStatus::Expired,
            };
            sql::set_invoice_status(tx, invoice.id, moved, now).await?;
            Ok(IntakeOutcome::Moved {
                invoice_id: invoice.id,
            })
        }
        PaymentStatus::Refunded => {
            let revoked = sql::revoke_grant(tx, payment_id, now).await?;
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

impl IntakeOutcome {
    /// The `outcome` label of `telepay_ipn_total`.
    pub fn label(&self) -> &'static str {
        outcome_label(self)
    }

    /// Our invoice the IPN was about, when it was one of ours.
    pub fn invoice_id(&self) -> Option<i64> {
        match self {
            IntakeOutcome::Moved { invoice_id }
            | IntakeOutcome::Granted { invoice_id, .. }
            | IntakeOutcome::Underpaid { invoice_id }
            | IntakeOutcome::Held { invoice_id } => Some(*invoice_id),
            IntakeOutcome::Duplicate
            | IntakeOutcome::Stale
            | IntakeOutcome::Orphan
            | IntakeOutcome::Dismissed => None,
        }
    }

    /// Our payment row, when this IPN granted with it.
    pub fn payment_id(&self) -> Option<i64> {
        match self {
            IntakeOutcome::Granted { payment_id, .. } => Some(*payment_id),
            _ => None,
        }
    }
}

fn outcome_label(o: &IntakeOutcome) -> &'static str {
    match o {
        IntakeOutcome::Duplicate => "duplicate",
        IntakeOutcome::Stale => "stale",
        IntakeOutcome::Orphan => "orphan",
        // It moved a payment of ours forward (and maybe granted or offered a top-up).
        IntakeOutcome::Moved { .. }
        | IntakeOutcome::Granted { .. }
        | IntakeOutcome::Underpaid { .. } => "applied",
        IntakeOutcome::Held { .. } => "held",
        IntakeOutcome::Dismissed => "dismissed",
    }
}

/// The days an invoice buys: its own, or for a top-up those of the invoice it completes.
pub(crate) async fn days_and_target(
    tx: &mut Tx,
    invoice: &Invoice,
) -> StoreResult<Option<(u32, Invoice)>> {
    if invoice.kind != InvoiceKind::Topup {
        return Ok(invoice.days.map(|d| (d, invoice.clone())));
    }
    let Some(parent_id) = invoice.parent_invoice_id else {
        return Ok(None);
    };
    let parent = sql::invoice_in(tx, parent_id).await?;
    Ok(parent.and_then(|p| p.days.map(|d| (d, p))))
}

/// A payment worth more than its price (beyond rounding) is recorded and shown to admins.
async fn record_overpayment(
    tx: &mut Tx,
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
    sql::set_overpaid(tx, payment_id, over).await?;
    alert(
        tx,
        "overpayment",
        &p.payment_id,
        &format!("paid {over} more than the price of invoice {}", invoice.id),
        now,
    )
    .await
}

/// The grant itself: subscription extended (`max(now, expires) + days`, from the original end
/// during a grace), the grant recorded
/// once per payment, the invoice paid, and the access job queued — all in the caller's
/// transaction (lessons 1–5).
async fn grant(
    tx: &mut Tx,
    backend: Backend,
    invoice: &Invoice,
    payment_id: i64,
    now: UnixMillis,
    job: &impl Fn(Job, String) -> NewJob,
    rules: &IntakeRules,
) -> StoreResult<()> {
    sql::mark_granted(tx, payment_id, now).await?;
    sql::set_invoice_status(tx, invoice.id, InvoiceStatus::Paid, now).await?;
    if let Some(parent) = invoice.parent_invoice_id {
        sql::set_invoice_status(tx, parent, InvoiceStatus::Paid, now).await?;
    }
    // The money side (SPEC §5–§6): valuation, fee split, accumulation or instant payout.
    enqueue_job(
        tx,
        &job(
            Job::ValuePayment { payment_id },
            format!("value:{payment_id}"),
        ),
        now,
    )
    .await?;

    if invoice.kind == InvoiceKind::Donation {
        outbox::enqueue(
            tx,
            invoice.channel_id,
            Notice::Donation {
                usd_micros: invoice.price,
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
    let span = i64::from(days).saturating_mul(86_400_000);

    let (subscription_id, old_expires) =
        match sql::create_subscription(tx, &target, days, now).await? {
            Some(id) => (id, None),
            None => {
                let sub =
                    sql::lock_subscription(tx, backend, target.user_id, target.channel_id).await?;
                // An active subscription is extended from its end (in its grace too: from
                // the original end, issue 15); a lapsed one starts again now.
                let base = if sub.active {
                    let grace_end = crate::store::grace::grace_end_in(tx, sub.id).await?;
                    crate::store::grace::renewal_base(sub.expires_at, grace_end, span, now)
                } else {
                    now.as_millis()
                };
                sql::set_subscription_expiry(tx, sub.id, base.saturating_add(span), now).await?;
                (sub.id, Some(sub.expires_at))
            }
        };
    let new_expires =
        sql::record_grant(tx, subscription_id, payment_id, days, old_expires, now).await?;
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
            Job::GrantAccess {
                subscription_id,
                payment_id,
                invoice_id: invoice.id,
            },
            format!("access:{payment_id}"),
        ),
        now,
    )
    .await?;
    outbox::enqueue(
        tx,
        target.channel_id,
        Notice::NewPayment {
            usd_micros: invoice.price,
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
