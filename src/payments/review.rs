//! An operator's review of a payment that waits for one (SPEC §4, issue 14 item 1, issue 11):
//! an orphan assigned to one of our invoices, a held payment released, or either dismissed.
//!
//! Assign and release do exactly what the intake does for a payment of that invoice in the
//! payment's current status ([`intake::apply`]: progress message, grant with its money records
//! and jobs, top-up, failure, expiry, refund), with the price checked the same way
//! ([`checks::settle_after_review`], the channel's tolerance). What the operator vouches for is
//! only that the payment belongs to the invoice: the amounts must still be sane and pay the
//! price. Each decision is one transaction with its admin log row; a decision already taken is
//! never taken twice.

use super::checks::{self, Settlement};
use super::intake::{self, IntakeRules, Tx};
use crate::domain::callbacks::DismissReason;
use crate::domain::job::Job;
use crate::domain::money::UsdMicros;
use crate::domain::states::{AdminLogAction, InvoiceStatus, PaymentReview};
use crate::domain::time::UnixMillis;
use crate::providers::nowpayments::{NpPayment, PaymentStatus};
use crate::store::admin_log::{self, Actor};
use crate::store::invoices::Invoice;
use crate::store::jobs::{NewJob, enqueue_job};
use crate::store::payments as pay_sql;
use crate::store::review::{self as sql, ReviewPayment};
use crate::store::{Backend, Db, StoreError, StoreResult};

/// What assigning or releasing a payment does, judged from its current status and amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Paid in full: grants `days` to the invoice's user (`None`: a donation, nothing to grant
    /// but the owner's share).
    Grant { days: Option<u32> },
    /// Paid too little: a top-up of this much is offered.
    TopUp(UsdMicros),
    /// Not paid yet: recorded; access comes when NOWPayments reports it finished.
    Wait,
    /// A final status that pays nothing (failed, expired, refunded): recorded on the invoice.
    Close(PaymentStatus),
    /// Granted before it was held (at valuation): valued again; the grant stays.
    Revalue,
}

/// Why a review cannot be done (now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoPayment,
    /// An operator already decided.
    Reviewed(PaymentReview),
    /// Not waiting for review (neither an orphan nor held).
    NotWaiting,
    /// Assign: the payment already belongs to an invoice.
    NotOrphan,
    /// Release: the payment is not held.
    NotHeld,
    NoInvoice,
    /// The invoice is paid, cancelled or refunded.
    InvoiceClosed(InvoiceStatus),
    /// The amounts cannot be true or do not show what was paid.
    Amounts(String),
}

/// An assignment or a release, as it would be (or was) done.
#[derive(Debug, Clone)]
pub struct ReviewPlan {
    pub payment: ReviewPayment,
    pub invoice: Invoice,
    pub effect: Effect,
    ipn: NpPayment,
    settlement: Settlement,
}

/// What assigning `payment` to `invoice` would do now (a read; changes nothing).
pub async fn plan_assign(
    db: &Db,
    payment: i64,
    invoice: i64,
    rules: &IntakeRules,
) -> StoreResult<Result<ReviewPlan, Refusal>> {
    let mut tx = db.pool().begin().await?;
    assign_plan(&mut tx, db.backend(), payment, invoice, rules, false).await
}

/// What releasing `payment` would do now (a read; changes nothing).
pub async fn plan_release(
    db: &Db,
    payment: i64,
    rules: &IntakeRules,
) -> StoreResult<Result<ReviewPlan, Refusal>> {
    let mut tx = db.pool().begin().await?;
    release_plan(&mut tx, db.backend(), payment, rules, false).await
}

/// Whether `payment` may be dismissed now (a read; changes nothing).
pub async fn plan_dismiss(db: &Db, payment: i64) -> StoreResult<Result<ReviewPayment, Refusal>> {
    let mut tx = db.pool().begin().await?;
    dismiss_plan(&mut tx, db.backend(), payment, false).await
}

/// Assigns a waiting orphan to `invoice` for operator `admin` and processes it as that
/// invoice's payment, in one transaction with its admin log row.
pub async fn assign(
    db: &Db,
    admin: i64,
    payment: i64,
    invoice: i64,
    rules: &IntakeRules,
    now: UnixMillis,
) -> StoreResult<Result<ReviewPlan, Refusal>> {
    let backend = db.backend();
    let mut tx = db.begin_write().await?;
    let plan = match assign_plan(&mut tx, backend, payment, invoice, rules, true).await? {
        Ok(plan) => plan,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !sql::set_assigned(&mut tx, payment, invoice, admin, now).await? {
        return Ok(Err(Refusal::NotOrphan));
    }
    sql::resolve_payment_alerts(&mut tx, &plan.payment.np_payment_id, now).await?;
    admin_log::record(
        &mut tx,
        Actor::Admin(admin),
        AdminLogAction::AssignPayment,
        &format!("payment:{payment}"),
        Some("orphan"),
        Some(&format!("invoice:{invoice}")),
        now,
    )
    .await?;
    settle(&mut tx, backend, &plan, rules, now).await?;
    tx.commit().await?;
    tracing::warn!(
        payment_id = payment,
        invoice_id = invoice,
        user_id = admin,
        effect = ?plan.effect,
        "orphan payment assigned by an operator"
    );
    Ok(Ok(plan))
}

/// Releases a waiting held payment for operator `admin` and processes it as the intake would
/// have without the hold, in one transaction with its admin log row.
pub async fn release(
    db: &Db,
    admin: i64,
    payment: i64,
    rules: &IntakeRules,
    now: UnixMillis,
) -> StoreResult<Result<ReviewPlan, Refusal>> {
    let backend = db.backend();
    let mut tx = db.begin_write().await?;
    let plan = match release_plan(&mut tx, backend, payment, rules, true).await? {
        Ok(plan) => plan,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !sql::set_released(&mut tx, payment, admin, now).await? {
        return Ok(Err(Refusal::NotHeld));
    }
    sql::resolve_payment_alerts(&mut tx, &plan.payment.np_payment_id, now).await?;
    let before = format!(
        "held: {}",
        plan.payment.held_reason.as_deref().unwrap_or_default()
    );
    admin_log::record(
        &mut tx,
        Actor::Admin(admin),
        AdminLogAction::ReleasePayment,
        &format!("payment:{payment}"),
        Some(&before),
        Some("released"),
        now,
    )
    .await?;
    settle(&mut tx, backend, &plan, rules, now).await?;
    tx.commit().await?;
    tracing::warn!(
        payment_id = payment,
        user_id = admin,
        effect = ?plan.effect,
        "held payment released by an operator"
    );
    Ok(Ok(plan))
}

/// Closes a waiting payment without granting anything, for operator `admin`.
pub async fn dismiss(
    db: &Db,
    admin: i64,
    payment: i64,
    reason: DismissReason,
    now: UnixMillis,
) -> StoreResult<Result<ReviewPayment, Refusal>> {
    let mut tx = db.begin_write().await?;
    let row = match dismiss_plan(&mut tx, db.backend(), payment, true).await? {
        Ok(row) => row,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if !sql::set_dismissed(&mut tx, payment, reason.as_str(), admin, now).await? {
        return Ok(Err(Refusal::NotWaiting));
    }
    sql::resolve_payment_alerts(&mut tx, &row.np_payment_id, now).await?;
    let before = if row.held_reason.is_some() {
        "held"
    } else {
        "orphan"
    };
    admin_log::record(
        &mut tx,
        Actor::Admin(admin),
        AdminLogAction::DismissPayment,
        &format!("payment:{payment}"),
        Some(before),
        Some(&format!("dismissed: {}", reason.as_str())),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::warn!(
        payment_id = payment,
        user_id = admin,
        reason = reason.as_str(),
        "payment dismissed by an operator"
    );
    Ok(Ok(row))
}

async fn assign_plan(
    tx: &mut Tx,
    backend: Backend,
    payment: i64,
    invoice: i64,
    rules: &IntakeRules,
    lock: bool,
) -> StoreResult<Result<ReviewPlan, Refusal>> {
    let Some(row) = sql::load(tx, backend, payment, lock).await? else {
        return Ok(Err(Refusal::NoPayment));
    };
    if let Some(review) = row.review {
        return Ok(Err(Refusal::Reviewed(review)));
    }
    if row.invoice_id.is_some() {
        return Ok(Err(Refusal::NotOrphan));
    }
    let Some(invoice) = pay_sql::invoice_in(tx, invoice).await? else {
        return Ok(Err(Refusal::NoInvoice));
    };
    if matches!(
        invoice.status,
        InvoiceStatus::Paid | InvoiceStatus::Cancelled | InvoiceStatus::Refunded
    ) {
        return Ok(Err(Refusal::InvoiceClosed(invoice.status)));
    }
    settle_plan(tx, row, invoice, rules).await
}

async fn release_plan(
    tx: &mut Tx,
    backend: Backend,
    payment: i64,
    rules: &IntakeRules,
    lock: bool,
) -> StoreResult<Result<ReviewPlan, Refusal>> {
    let Some(row) = sql::load(tx, backend, payment, lock).await? else {
        return Ok(Err(Refusal::NoPayment));
    };
    if let Some(review) = row.review {
        return Ok(Err(Refusal::Reviewed(review)));
    }
    if row.held_reason.is_none() {
        return Ok(Err(Refusal::NotHeld));
    }
    let invoice = match row.invoice_id {
        Some(id) => pay_sql::invoice_in(tx, id).await?,
        None => None,
    };
    let Some(invoice) = invoice else {
        return Ok(Err(Refusal::NoInvoice));
    };
    settle_plan(tx, row, invoice, rules).await
}

async fn dismiss_plan(
    tx: &mut Tx,
    backend: Backend,
    payment: i64,
    lock: bool,
) -> StoreResult<Result<ReviewPayment, Refusal>> {
    let Some(row) = sql::load(tx, backend, payment, lock).await? else {
        return Ok(Err(Refusal::NoPayment));
    };
    if let Some(review) = row.review {
        return Ok(Err(Refusal::Reviewed(review)));
    }
    if !row.waiting() {
        return Ok(Err(Refusal::NotWaiting));
    }
    Ok(Ok(row))
}

/// The payment's current IPN (the newest event with its current status) checked and settled
/// against `invoice` as the intake would, without the comparison with the invoice.
async fn settle_plan(
    tx: &mut Tx,
    row: ReviewPayment,
    invoice: Invoice,
    rules: &IntakeRules,
) -> StoreResult<Result<ReviewPlan, Refusal>> {
    let (ipn, unreadable) = current_ipn(tx, &row).await?;
    if let Err(reason) = checks::check_figures(&ipn, &unreadable) {
        return Ok(Err(Refusal::Amounts(reason.to_string())));
    }
    let tolerance = intake::tolerance_for(tx, &ipn, &invoice, rules).await?;
    let settlement = checks::settle_after_review(&ipn, invoice.price, tolerance);
    let effect = match &settlement {
        Settlement::Hold(reason) => return Ok(Err(Refusal::Amounts(reason.to_string()))),
        _ if row.granted => Effect::Revalue,
        Settlement::Grant => Effect::Grant {
            days: intake::days_and_target(tx, &invoice)
                .await?
                .map(|(days, _)| days),
        },
        Settlement::TopUp(missing) => Effect::TopUp(*missing),
        Settlement::Nothing => match ipn.payment_status {
            PaymentStatus::Failed | PaymentStatus::Expired | PaymentStatus::Refunded => {
                Effect::Close(ipn.payment_status.clone())
            }
            _ => Effect::Wait,
        },
    };
    Ok(Ok(ReviewPlan {
        payment: row,
        invoice,
        effect,
        ipn,
        settlement,
    }))
}

/// Does what the plan says, in the review's transaction.
async fn settle(
    tx: &mut Tx,
    backend: Backend,
    plan: &ReviewPlan,
    rules: &IntakeRules,
    now: UnixMillis,
) -> StoreResult<()> {
    if plan.effect == Effect::Revalue {
        // Granted before the valuation held it: the grant stays, the valuation runs again
        // (and holds it again if the value is still impossible).
        enqueue_job(
            tx,
            &NewJob {
                job: Job::ValuePayment {
                    payment_id: plan.payment.id,
                },
                unique_key: Some(format!(
                    "value:{}:released:{}",
                    plan.payment.id,
                    now.as_millis()
                )),
                run_at: now,
                give_up_at: now.saturating_add(rules.give_up_after),
            },
            now,
        )
        .await?;
        return Ok(());
    }
    intake::apply(
        tx,
        backend,
        &plan.ipn,
        &plan.invoice,
        plan.payment.id,
        plan.payment.granted,
        plan.settlement.clone(),
        rules,
        now,
    )
    .await?;
    Ok(())
}

/// The payment as NOWPayments last reported it: the newest stored event with the payment's
/// current status (the amount fields that could not be read are named), or, without one, the
/// figures on the payment row.
async fn current_ipn(
    tx: &mut Tx,
    row: &ReviewPayment,
) -> StoreResult<(NpPayment, Vec<(String, String)>)> {
    let corrupt = |e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("payment {} event: {e}", row.np_payment_id))
    };
    let value = match sql::latest_event_body(tx, &row.np_payment_id, &row.status).await? {
        Some(body) => serde_json::from_str(&body).map_err(|e| corrupt(&e))?,
        None => serde_json::json!({
            "payment_id": row.np_payment_id,
            "parent_payment_id": row.parent_np_payment_id,
            "order_id": row.order_id,
            "payment_status": row.status,
            "pay_currency": row.pay_currency,
            "pay_amount": row.pay_amount,
            "actually_paid": row.actually_paid,
            "price_currency": row.price_currency,
            "price_amount": row.price_amount,
            "outcome_currency": row.outcome_currency,
            "outcome_amount": row.outcome_amount,
        }),
    };
    NpPayment::from_ipn_value(&value).map_err(|e| corrupt(&e))
}
