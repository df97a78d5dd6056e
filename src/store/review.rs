//! The SQL of the operators' review of payments (SPEC §4, issue 14): orphans (no invoice of
//! ours, or a child payment) and held payments wait here until an operator assigns, releases or
//! dismisses them. The decisions are in `payments::review`; the functions taking a transaction
//! run in its one transaction and never commit.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::invoices::{INVOICE_COLUMNS, Invoice, invoice_from_row};
use super::{Backend, Db, StoreResult};
use crate::domain::money::UsdMicros;
use crate::domain::states::PaymentReview;
use crate::domain::time::UnixMillis;

type Tx = Transaction<'static, Any>;

/// A payment waits for review: not reviewed yet, and an orphan or held.
const WAITING: &str = "review IS NULL AND (invoice_id IS NULL OR orphan_reason IS NOT NULL \
                       OR held_reason IS NOT NULL)";

const COLUMNS: &str = "id, np_payment_id, invoice_id, order_id, parent_np_payment_id, orphan_reason, \
    held_reason, status, pay_currency, pay_amount, actually_paid, price_currency, price_amount, \
    outcome_currency, outcome_amount, granted_at, review, review_reason, reviewed_by, reviewed_at, \
    created_at";

/// A payment as the review sees it. Amounts are the exact decimal text stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPayment {
    pub id: i64,
    pub np_payment_id: String,
    pub invoice_id: Option<i64>,
    pub order_id: Option<String>,
    pub parent_np_payment_id: Option<String>,
    pub orphan_reason: Option<String>,
    pub held_reason: Option<String>,
    pub status: String,
    pub pay_currency: Option<String>,
    pub pay_amount: Option<String>,
    pub actually_paid: Option<String>,
    pub price_currency: Option<String>,
    pub price_amount: Option<String>,
    pub outcome_currency: Option<String>,
    pub outcome_amount: Option<String>,
    pub granted: bool,
    pub review: Option<PaymentReview>,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<UnixMillis>,
    pub created_at: UnixMillis,
}

impl ReviewPayment {
    /// Not reviewed yet, and an orphan or held: it is in the queue.
    pub fn waiting(&self) -> bool {
        self.review.is_none() && (self.is_orphan() || self.held_reason.is_some())
    }

    /// No invoice of ours (yet), or a child payment.
    pub fn is_orphan(&self) -> bool {
        self.invoice_id.is_none() || self.orphan_reason.is_some()
    }

    /// Why it waits: the hold's reason, else the orphan's.
    pub fn reason(&self) -> Option<&str> {
        self.held_reason
            .as_deref()
            .or(self.orphan_reason.as_deref())
    }

    /// The USD price the payment names, when it names one in USD.
    pub fn price_usd(&self) -> Option<UsdMicros> {
        if self.price_currency.as_deref() != Some("usd") {
            return None;
        }
        let d = rust_decimal::Decimal::from_str_exact(self.price_amount.as_deref()?).ok()?;
        UsdMicros::from_decimal_exact(d).ok()
    }
}

fn review_from_row(r: &AnyRow) -> StoreResult<ReviewPayment> {
    let review: Option<String> = r.try_get("review")?;
    Ok(ReviewPayment {
        id: r.try_get("id")?,
        np_payment_id: r.try_get("np_payment_id")?,
        invoice_id: r.try_get("invoice_id")?,
        order_id: r.try_get("order_id")?,
        parent_np_payment_id: r.try_get("parent_np_payment_id")?,
        orphan_reason: r.try_get("orphan_reason")?,
        held_reason: r.try_get("held_reason")?,
        status: r.try_get("status")?,
        pay_currency: r.try_get("pay_currency")?,
        pay_amount: r.try_get("pay_amount")?,
        actually_paid: r.try_get("actually_paid")?,
        price_currency: r.try_get("price_currency")?,
        price_amount: r.try_get("price_amount")?,
        outcome_currency: r.try_get("outcome_currency")?,
        outcome_amount: r.try_get("outcome_amount")?,
        granted: r.try_get::<Option<i64>, _>("granted_at")?.is_some(),
        review: review.as_deref().map(PaymentReview::parse).transpose()?,
        review_reason: r.try_get("review_reason")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r
            .try_get::<Option<i64>, _>("reviewed_at")?
            .map(UnixMillis::from_millis),
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
    })
}

/// How many events a payment has, and the status of the newest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    pub count: i64,
    pub last_status: Option<String>,
}

impl Db {
    /// One page of the payments waiting for review, newest first.
    pub async fn review_queue(&self, limit: i64, offset: i64) -> StoreResult<Vec<ReviewPayment>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM payments WHERE {WAITING} \
             ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit.max(0))
            .bind(offset.max(0))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(review_from_row).collect()
    }

    /// How many payments wait for review.
    pub async fn review_queue_len(&self) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) AS n FROM payments WHERE {WAITING}");
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(self.pool())
            .await?
            .try_get("n")?)
    }

    /// A payment by our id.
    pub async fn review_payment(&self, id: i64) -> StoreResult<Option<ReviewPayment>> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(review_from_row)
            .transpose()
    }

    /// A payment by NOWPayments' id (a child payment's parent).
    pub async fn review_payment_by_np(&self, np: &str) -> StoreResult<Option<ReviewPayment>> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE np_payment_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(np)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(review_from_row)
            .transpose()
    }

    pub async fn payment_event_summary(&self, np: &str) -> StoreResult<EventSummary> {
        let count: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM payment_events WHERE np_payment_id = $1")
                .bind(np)
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
        let last = sqlx::query(
            "SELECT status FROM payment_events WHERE np_payment_id = $1 \
             ORDER BY received_at DESC, id DESC LIMIT 1",
        )
        .bind(np)
        .fetch_optional(self.pool())
        .await?;
        Ok(EventSummary {
            count,
            last_status: last.map(|r| r.try_get("status")).transpose()?,
        })
    }

    /// Invoices not paid, cancelled or refunded, of exactly `price`, created between `from`
    /// and `to`; newest first.
    pub async fn unpaid_invoices_priced(
        &self,
        price: UsdMicros,
        from: UnixMillis,
        to: UnixMillis,
        limit: i64,
    ) -> StoreResult<Vec<Invoice>> {
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE price_usd_micros = $1 \
               AND created_at >= $2 AND created_at <= $3 \
               AND status NOT IN ('paid', 'cancelled', 'refunded') \
             ORDER BY created_at DESC, id DESC LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(price.micros())
            .bind(from.as_millis())
            .bind(to.as_millis())
            .bind(limit.max(0))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(invoice_from_row).collect()
    }
}

/// The payment by our id in the transaction; locked (PostgreSQL) when `lock`.
pub async fn load(
    tx: &mut Tx,
    backend: Backend,
    id: i64,
    lock: bool,
) -> StoreResult<Option<ReviewPayment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payments WHERE id = $1{}",
        if lock { backend.for_update() } else { "" }
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(review_from_row)
        .transpose()
}

/// The payment by NOWPayments' id, locked: how the intake learns an operator's decision.
pub async fn lock_by_np(
    tx: &mut Tx,
    backend: Backend,
    np: &str,
) -> StoreResult<Option<ReviewPayment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payments WHERE np_payment_id = $1{}",
        backend.for_update()
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(np)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(review_from_row)
        .transpose()
}

/// The raw body of the newest event of this payment with `status` (the one that brought the
/// payment's current status and figures).
pub async fn latest_event_body(tx: &mut Tx, np: &str, status: &str) -> StoreResult<Option<String>> {
    let row = sqlx::query(
        "SELECT body FROM payment_events WHERE np_payment_id = $1 AND status = $2 \
         ORDER BY received_at DESC, id DESC LIMIT 1",
    )
    .bind(np)
    .bind(status)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get("body")).transpose()?)
}

/// Attaches a waiting orphan to `invoice_id`. False when it was no longer a waiting orphan.
pub async fn set_assigned(
    tx: &mut Tx,
    id: i64,
    invoice_id: i64,
    admin: i64,
    now: UnixMillis,
) -> StoreResult<bool> {
    let n = sqlx::query(
        "UPDATE payments SET invoice_id = $1, review = $2, reviewed_by = $3, reviewed_at = $4, \
           updated_at = $4 WHERE id = $5 AND review IS NULL AND invoice_id IS NULL",
    )
    .bind(invoice_id)
    .bind(PaymentReview::Assigned.as_str())
    .bind(admin)
    .bind(now.as_millis())
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Lets a waiting held payment through: the hold's reason moves to `review_reason` (the
/// valuation and the intake look at `held_reason` only). False when it was not waiting held.
pub async fn set_released(tx: &mut Tx, id: i64, admin: i64, now: UnixMillis) -> StoreResult<bool> {
    let n = sqlx::query(
        "UPDATE payments SET review = $1, review_reason = held_reason, held_reason = NULL, \
           reviewed_by = $2, reviewed_at = $3, updated_at = $3 \
         WHERE id = $4 AND review IS NULL AND held_reason IS NOT NULL",
    )
    .bind(PaymentReview::Released.as_str())
    .bind(admin)
    .bind(now.as_millis())
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Closes a waiting payment with `reason`. False when it was not waiting.
pub async fn set_dismissed(
    tx: &mut Tx,
    id: i64,
    reason: &str,
    admin: i64,
    now: UnixMillis,
) -> StoreResult<bool> {
    let sql = format!(
        "UPDATE payments SET review = $1, review_reason = $2, reviewed_by = $3, reviewed_at = $4, \
           updated_at = $4 WHERE id = $5 AND {WAITING}"
    );
    let n = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(PaymentReview::Dismissed.as_str())
        .bind(reason)
        .bind(admin)
        .bind(now.as_millis())
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// A payment an operator assigned or released that a later IPN makes doubtful again: held,
/// back in the queue for a new decision (the first decision stays in the admin log).
pub async fn reopen_held(
    tx: &mut Tx,
    id: i64,
    status: &str,
    reason: &str,
    now: UnixMillis,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE payments SET status = $1, review = NULL, held_reason = $2, \
           held_at = COALESCE(held_at, $3), updated_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(reason)
    .bind(now.as_millis())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The review closes the payment's open orphan and held alerts (as the system: the review's
/// own admin log row says who).
pub async fn resolve_payment_alerts(tx: &mut Tx, np: &str, now: UnixMillis) -> StoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE alerts SET resolved_at = $1 WHERE subject = $2 \
           AND kind IN ('orphan_payment', 'held_payment') AND resolved_at IS NULL",
    )
    .bind(now.as_millis())
    .bind(np)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}
