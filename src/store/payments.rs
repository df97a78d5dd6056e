//! The SQL of the IPN intake (SPEC §4). Every function runs in the caller's transaction: the
//! intake (`payments::intake`) decides what happens and calls these in its one transaction per
//! IPN, so nothing here commits or decides.

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use super::invoices::{INVOICE_COLUMNS, Invoice, invoice_from_row};
use super::{Backend, StoreResult};
use crate::domain::ids::new_id;
use crate::domain::money::UsdMicros;
use crate::domain::states::{InvoiceStatus, SubscriptionStatus};
use crate::domain::time::UnixMillis;

type Tx = Transaction<'static, Any>;

/// One day in milliseconds (grants are counted in whole days).
const DAY_MS: i64 = 86_400_000;

/// A payment row as first written from an IPN. Amounts are the exact decimal text.
#[derive(Debug, Clone, Default)]
pub struct NewPayment<'a> {
    pub np_payment_id: &'a str,
    pub invoice_id: Option<i64>,
    pub order_id: Option<&'a str>,
    pub parent_np_payment_id: Option<&'a str>,
    pub orphan_reason: Option<&'a str>,
    pub status: &'a str,
    pub pay_currency: Option<&'a str>,
    pub pay_amount: Option<String>,
    pub actually_paid: Option<String>,
    pub price_currency: Option<&'a str>,
    pub price_amount: Option<String>,
    pub outcome_currency: Option<&'a str>,
    pub outcome_amount: Option<String>,
    pub held_reason: Option<&'a str>,
}

/// Figures a later IPN brings; `None` keeps what the row has.
#[derive(Debug, Clone, Default)]
pub struct PaymentFigures<'a> {
    pub actually_paid: Option<String>,
    pub pay_amount: Option<String>,
    pub outcome_amount: Option<String>,
    pub outcome_currency: Option<&'a str>,
}

/// The payment row, locked for the rest of the transaction.
#[derive(Debug, Clone)]
pub struct LockedPayment {
    pub id: i64,
    pub status: String,
    pub invoice_id: Option<i64>,
    pub granted: bool,
    pub held_reason: Option<String>,
}

/// A subscriber's subscription row, locked for the rest of the transaction.
#[derive(Debug, Clone)]
pub struct LockedSubscription {
    pub id: i64,
    pub expires_at: i64,
    pub active: bool,
}

/// Stores the raw IPN body once per (payment, body hash). `None` when this very body was
/// seen before; otherwise the new event's id.
pub async fn record_event(
    tx: &mut Tx,
    np_payment_id: &str,
    status: &str,
    raw: &str,
    now: UnixMillis,
) -> StoreResult<Option<i64>> {
    let sha = hex::encode(Sha256::digest(raw.as_bytes()));
    let event_id = new_id();
    let fresh = sqlx::query(
        "INSERT INTO payment_events (id, np_payment_id, status, body_sha256, body, applied, received_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (np_payment_id, body_sha256) DO NOTHING",
    )
    .bind(event_id)
    .bind(np_payment_id)
    .bind(status)
    .bind(&sha)
    .bind(raw)
    .bind(now.as_millis())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    Ok(fresh.then_some(event_id))
}

/// The event moved nothing (out of order, or held): kept for the record only.
pub async fn mark_event_not_applied(tx: &mut Tx, event_id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE payment_events SET applied = 0 WHERE id = $1")
        .bind(event_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An invoice read in the transaction. No row lock: the payment row (locked later) and the
/// unique keys serialize what must not happen twice; IPNs of different payments may run in
/// parallel.
pub async fn invoice_in(tx: &mut Tx, id: i64) -> StoreResult<Option<Invoice>> {
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(invoice_from_row)
        .transpose()
}

/// The channel's own payment tolerance, when it set one (and it reads as a decimal).
pub async fn channel_tolerance(tx: &mut Tx, channel_id: i64) -> StoreResult<Option<Decimal>> {
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

/// Inserts the payment unless it exists. True when this call created it.
pub async fn insert_payment(tx: &mut Tx, p: &NewPayment<'_>, now: UnixMillis) -> StoreResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO payments (id, np_payment_id, invoice_id, order_id, parent_np_payment_id, \
           orphan_reason, status, pay_currency, pay_amount, actually_paid, price_currency, \
           price_amount, outcome_currency, outcome_amount, held_reason, held_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
         ON CONFLICT (np_payment_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(p.np_payment_id)
    .bind(p.invoice_id)
    .bind(p.order_id)
    .bind(p.parent_np_payment_id)
    .bind(p.orphan_reason)
    .bind(p.status)
    .bind(p.pay_currency)
    .bind(p.pay_amount.as_deref())
    .bind(p.actually_paid.as_deref())
    .bind(p.price_currency)
    .bind(p.price_amount.as_deref())
    .bind(p.outcome_currency)
    .bind(p.outcome_amount.as_deref())
    .bind(p.held_reason)
    .bind(p.held_reason.map(|_| now.as_millis()))
    .bind(now.as_millis())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    Ok(inserted)
}

/// Reads and locks the payment row.
pub async fn lock_payment(
    tx: &mut Tx,
    backend: Backend,
    np_payment_id: &str,
) -> StoreResult<LockedPayment> {
    let sql = format!(
        "SELECT id, status, invoice_id, granted_at, held_reason FROM payments WHERE np_payment_id = $1{}",
        backend.for_update()
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(np_payment_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(LockedPayment {
        id: row.try_get("id")?,
        status: row.try_get("status")?,
        invoice_id: row.try_get("invoice_id")?,
        granted: row.try_get::<Option<i64>, _>("granted_at")?.is_some(),
        held_reason: row.try_get("held_reason")?,
    })
}

/// Moves an existing payment to `status` with the figures given; a hold reason, once set,
/// stays.
pub async fn update_payment(
    tx: &mut Tx,
    payment_id: i64,
    status: &str,
    figures: &PaymentFigures<'_>,
    held_reason: Option<&str>,
    now: UnixMillis,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE payments SET status = $1, actually_paid = COALESCE($2, actually_paid), \
           pay_amount = COALESCE($3, pay_amount), outcome_amount = COALESCE($4, outcome_amount), \
           outcome_currency = COALESCE($5, outcome_currency), updated_at = $6, \
           held_reason = COALESCE(held_reason, $8), held_at = COALESCE(held_at, $9) WHERE id = $7",
    )
    .bind(status)
    .bind(figures.actually_paid.as_deref())
    .bind(figures.pay_amount.as_deref())
    .bind(figures.outcome_amount.as_deref())
    .bind(figures.outcome_currency)
    .bind(now.as_millis())
    .bind(payment_id)
    .bind(held_reason)
    .bind(held_reason.map(|_| now.as_millis()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets an invoice's status, never moving a paid one.
pub async fn set_invoice_status(
    tx: &mut Tx,
    invoice_id: i64,
    status: InvoiceStatus,
    now: UnixMillis,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE invoices SET status = $1, updated_at = $2 WHERE id = $3 AND status <> 'paid'",
    )
    .bind(status.as_str())
    .bind(now.as_millis())
    .bind(invoice_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records how much more than its price a payment brought.
pub async fn set_overpaid(tx: &mut Tx, payment_id: i64, over: UsdMicros) -> StoreResult<()> {
    sqlx::query("UPDATE payments SET overpaid_usd_micros = $1 WHERE id = $2")
        .bind(over.micros())
        .bind(payment_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes back the days a refunded payment bought. True when there was a grant to revoke.
pub async fn revoke_grant(tx: &mut Tx, payment_id: i64, now: UnixMillis) -> StoreResult<bool> {
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
    .bind(days.saturating_mul(DAY_MS))
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
    let cancelled = sqlx::query(
        "UPDATE payouts SET state = 'cancelled', error = 'payment refunded', updated_at = $1 \
         WHERE payment_id = $2 AND state IN ('pending', 'exchange')",
    )
    .bind(now.as_millis())
    .bind(payment_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    // Counted before the IPN's transaction commits (it does right after, with nothing that
    // can fail in between but the commit itself).
    crate::telemetry::count_payouts(crate::domain::states::PayoutState::Cancelled, cancelled);
    Ok(true)
}

/// Marks the payment as the one that granted.
pub async fn mark_granted(tx: &mut Tx, payment_id: i64, now: UnixMillis) -> StoreResult<()> {
    sqlx::query("UPDATE payments SET granted_at = $1 WHERE id = $2")
        .bind(now.as_millis())
        .bind(payment_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Creates the subscription `invoice` buys (`days` from `now`) unless the user already has one
/// for the channel. Insert-or-lock: concurrent grants for the same user and channel serialize
/// on the unique key instead of racing a read (lesson 5). `Some(id)` when it was created.
pub async fn create_subscription(
    tx: &mut Tx,
    invoice: &Invoice,
    days: u32,
    now: UnixMillis,
) -> StoreResult<Option<i64>> {
    let span = i64::from(days).saturating_mul(DAY_MS);
    let fresh_id = new_id();
    let created = sqlx::query(
        "INSERT INTO subscriptions (id, user_id, channel_id, tier_id, locked_price_usd_micros, \
           locked_days, status, started_at, expires_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $7, $7) \
         ON CONFLICT (user_id, channel_id) DO NOTHING",
    )
    .bind(fresh_id)
    .bind(invoice.user_id)
    .bind(invoice.channel_id)
    .bind(invoice.tier_id)
    .bind(invoice.price.micros())
    .bind(i64::from(days))
    .bind(now.as_millis())
    .bind(now.as_millis().saturating_add(span))
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    Ok(created.then_some(fresh_id))
}

/// Reads and locks the user's subscription to the channel.
pub async fn lock_subscription(
    tx: &mut Tx,
    backend: Backend,
    user_id: i64,
    channel_id: i64,
) -> StoreResult<LockedSubscription> {
    let sql = format!(
        "SELECT id, expires_at, status FROM subscriptions WHERE user_id = $1 AND channel_id = $2{}",
        backend.for_update()
    );
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(channel_id)
        .fetch_one(&mut **tx)
        .await?;
    let status: SubscriptionStatus = super::state_column(&r, "status")?;
    Ok(LockedSubscription {
        id: r.try_get("id")?,
        expires_at: r.try_get("expires_at")?,
        active: status == SubscriptionStatus::Active,
    })
}

/// Sets a subscription's expiry and makes it active.
pub async fn set_subscription_expiry(
    tx: &mut Tx,
    subscription_id: i64,
    expires_at: i64,
    now: UnixMillis,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE subscriptions SET expires_at = $1, status = 'active', updated_at = $2 WHERE id = $3",
    )
    .bind(expires_at)
    .bind(now.as_millis())
    .bind(subscription_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records the grant (once per payment) with the subscription's expiry before and after it;
/// returns the new expiry as stored.
pub async fn record_grant(
    tx: &mut Tx,
    subscription_id: i64,
    payment_id: i64,
    days: u32,
    old_expires: Option<i64>,
    now: UnixMillis,
) -> StoreResult<i64> {
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
    Ok(new_expires)
}
