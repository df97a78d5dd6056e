//! Telegram Stars (issue 15), the SQL: a tier's Stars price, the Stars checkout (one open
//! invoice per user and tier, like any checkout), the Stars payment row (in `payments`, marked
//! `method = 'stars'`, keyed by Telegram's charge id) and what a refund takes back.

use sqlx::{Any, Row, Transaction};

use super::invoices::{INVOICE_COLUMNS, Invoice, NewInvoice, invoice_from_row};
use super::{Backend, Db, StoreError, StoreResult};
use crate::domain::ids::new_id;
use crate::domain::time::UnixMillis;

type Tx = Transaction<'static, Any>;

/// The most Stars one tier may cost (Telegram's own ceiling for one invoice is far above).
pub const MAX_PRICE_STARS: i64 = 100_000;

/// What [`Db::stars_checkout`] found or made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StarsClaim {
    /// An open, unexpired Stars invoice of this user and tier at this Stars price: send it again.
    Open(Invoice),
    /// A new open Stars invoice.
    Created(Invoice),
    /// A NOWPayments checkout of the same user and tier is being created right now.
    Busy,
}

/// A Stars invoice with its Stars amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarsInvoice {
    pub invoice: Invoice,
    pub stars: i64,
}

/// A Stars payment as a refund needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarsPayment {
    pub id: i64,
    pub invoice_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub user_id: i64,
    pub stars: i64,
    pub charge_id: String,
    pub status: String,
    pub granted: bool,
    pub refunded: bool,
    pub value_usd_micros: Option<i64>,
    pub owner_usd_micros: Option<i64>,
}

/// Where the owner's share of a payment is, for a refund (see `payments::revoke_grant`, which
/// takes back what is not paid out yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareState {
    /// Not valued yet: nothing to take back (the valuation sees the refund and stops).
    NotValued,
    /// In the owner's balance or in an instant payout that has not started: taken back.
    Unpaid { usd_micros: i64 },
    /// In a conversion or a payout that is on its way or sent: it stays; the admins are told.
    PaidOut { usd_micros: i64 },
}

impl Db {
    /// The Stars price of each live tier of a channel (`None` = not sold for Stars).
    pub async fn tier_stars(&self, channel_id: i64) -> StoreResult<Vec<(i64, Option<i64>)>> {
        let rows = sqlx::query(
            "SELECT id, price_stars FROM tiers WHERE channel_id = $1 AND removed_at IS NULL \
             ORDER BY position",
        )
        .bind(channel_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("price_stars")?)))
            .collect()
    }

    /// The Stars price of one live tier.
    pub async fn tier_price_stars(&self, tier_id: i64) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT price_stars FROM tiers WHERE id = $1 AND removed_at IS NULL")
            .bind(tier_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(r) => r.try_get("price_stars")?,
            None => None,
        })
    }

    /// Sets (or with `None` clears) the Stars price of a live tier of the owner's live channel;
    /// false when there is no such tier.
    pub async fn owner_set_price_stars(
        &self,
        owner_id: i64,
        tier_id: i64,
        stars: Option<i64>,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        if stars.is_some_and(|s| !(1..=MAX_PRICE_STARS).contains(&s)) {
            return Err(StoreError::Conflict(format!("a price of {stars:?} Stars")));
        }
        let res = sqlx::query(
            "UPDATE tiers SET price_stars = $1, updated_at = $2 \
             WHERE id = $3 AND removed_at IS NULL AND channel_id IN \
               (SELECT id FROM channels WHERE owner_id = $4 AND deleted_at IS NULL)",
        )
        .bind(stars)
        .bind(now.as_millis())
        .bind(tier_id)
        .bind(owner_id)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// The Stars checkout of `n` (a subscription invoice for one tier) at `stars` Stars, in one
    /// transaction and within the one-checkout-per-tier rule: an open Stars invoice at the same
    /// price is reused; an open invoice of another kind (a NOWPayments page, or Stars at an old
    /// price) is expired first — a payment made to it still counts — and a new Stars invoice,
    /// open at once (nothing to ask a provider), takes the slot.
    pub async fn stars_checkout(
        &self,
        n: &NewInvoice,
        stars: i64,
        now: UnixMillis,
    ) -> StoreResult<StarsClaim> {
        let tier_id = n
            .tier_id
            .ok_or_else(|| StoreError::Corrupt("a Stars invoice without a tier".into()))?;
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT {INVOICE_COLUMNS}, stars FROM invoices WHERE user_id = $1 AND tier_id = $2 \
             AND kind = 'subscription' AND status IN ('creating', 'open')"
        );
        let current = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(n.user_id)
            .bind(tier_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = current {
            let invoice = invoice_from_row(&row)?;
            let old_stars: Option<i64> = row.try_get("stars")?;
            let status: String = row.try_get("status")?;
            if status == "creating" {
                tx.commit().await?;
                return Ok(StarsClaim::Busy);
            }
            if old_stars == Some(stars) && invoice.expires_at > now && invoice.price == n.price {
                tx.commit().await?;
                return Ok(StarsClaim::Open(invoice));
            }
            sqlx::query("UPDATE invoices SET status = 'expired', updated_at = $1 WHERE id = $2")
                .bind(now.as_millis())
                .bind(invoice.id)
                .execute(&mut *tx)
                .await?;
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO invoices (id, kind, user_id, channel_id, tier_id, parent_invoice_id, \
               price_usd_micros, days, status, expires_at, created_at, updated_at, stars) \
             VALUES ($1, 'subscription', $2, $3, $4, NULL, $5, $6, 'open', $7, $8, $8, $9)",
        )
        .bind(id)
        .bind(n.user_id)
        .bind(n.channel_id)
        .bind(tier_id)
        .bind(n.price.micros())
        .bind(n.days.map(i64::from))
        .bind(n.expires_at.as_millis())
        .bind(now.as_millis())
        .bind(stars)
        .execute(&mut *tx)
        .await?;
        let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let invoice = invoice_from_row(&row)?;
        tx.commit().await?;
        Ok(StarsClaim::Created(invoice))
    }

    /// A Stars invoice (one with a Stars amount) by id.
    pub async fn stars_invoice(&self, id: i64) -> StoreResult<Option<StarsInvoice>> {
        let sql = format!(
            "SELECT {INVOICE_COLUMNS}, stars FROM invoices WHERE id = $1 AND stars IS NOT NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(StarsInvoice {
                invoice: invoice_from_row(&r)?,
                stars: r.try_get("stars")?,
            })
        })
        .transpose()
    }

    /// A Stars payment by our payment id.
    pub async fn stars_payment(&self, payment_id: i64) -> StoreResult<Option<StarsPayment>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(select_stars_payment("")))
            .bind(payment_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| stars_payment_from_row(&r)).transpose()
    }
}

fn select_stars_payment(lock: &str) -> String {
    format!(
        "SELECT p.id, p.invoice_id, i.channel_id, p.stars_user_id, p.stars, \
           p.telegram_payment_charge_id, p.status, p.granted_at, p.refunded_at, \
           p.value_usd_micros, p.owner_usd_micros \
         FROM payments p LEFT JOIN invoices i ON i.id = p.invoice_id \
         WHERE p.id = $1 AND p.method = 'stars'{lock}"
    )
}

fn stars_payment_from_row(r: &sqlx::any::AnyRow) -> StoreResult<StarsPayment> {
    let granted: Option<i64> = r.try_get("granted_at")?;
    let refunded: Option<i64> = r.try_get("refunded_at")?;
    Ok(StarsPayment {
        id: r.try_get("id")?,
        invoice_id: r.try_get("invoice_id")?,
        channel_id: r.try_get("channel_id")?,
        user_id: r
            .try_get::<Option<i64>, _>("stars_user_id")?
            .unwrap_or_default(),
        stars: r.try_get::<Option<i64>, _>("stars")?.unwrap_or_default(),
        charge_id: r
            .try_get::<Option<String>, _>("telegram_payment_charge_id")?
            .unwrap_or_default(),
        status: r.try_get("status")?,
        granted: granted.is_some(),
        refunded: refunded.is_some(),
        value_usd_micros: r.try_get("value_usd_micros")?,
        owner_usd_micros: r.try_get("owner_usd_micros")?,
    })
}

/// The Stars payment row, locked, inside the caller's transaction.
pub async fn lock_stars_payment(
    tx: &mut Tx,
    backend: Backend,
    payment_id: i64,
) -> StoreResult<Option<StarsPayment>> {
    let sql = select_stars_payment(backend.for_update());
    // Postgres refuses FOR UPDATE on the nullable side of an outer join: lock the payment only.
    let sql = sql.replace(" FOR UPDATE", " FOR UPDATE OF p");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(payment_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| stars_payment_from_row(&r)).transpose()
}

/// Marks a freshly inserted payment row as a Stars payment (`np_payment_id` is
/// `stars:<charge id>`). The charge id is UNIQUE: a second row for one charge cannot exist.
pub async fn mark_stars(
    tx: &mut Tx,
    payment_id: i64,
    stars: i64,
    charge_id: &str,
    user_id: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE payments SET method = 'stars', stars = $1, telegram_payment_charge_id = $2, \
           stars_user_id = $3 WHERE id = $4",
    )
    .bind(stars)
    .bind(charge_id)
    .bind(user_id)
    .bind(payment_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Where the owner's share of a payment is now (read before `revoke_grant` changes it).
pub async fn share_state(tx: &mut Tx, payment_id: i64) -> StoreResult<ShareState> {
    let row = sqlx::query(
        "SELECT owner_usd_micros, state, conversion_id, payout_id FROM accumulations \
         WHERE payment_id = $1",
    )
    .bind(payment_id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(r) = row {
        let usd_micros: i64 = r.try_get("owner_usd_micros")?;
        let state: String = r.try_get("state")?;
        let conversion: Option<i64> = r.try_get("conversion_id")?;
        let payout: Option<i64> = r.try_get("payout_id")?;
        let unpaid = matches!(state.as_str(), "pending" | "converted")
            && conversion.is_none()
            && payout.is_none();
        return Ok(if unpaid {
            ShareState::Unpaid { usd_micros }
        } else {
            ShareState::PaidOut { usd_micros }
        });
    }
    let payout = sqlx::query(
        "SELECT usd_micros, state FROM payouts WHERE payment_id = $1 AND state <> 'cancelled'",
    )
    .bind(payment_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match payout {
        Some(r) => {
            let usd_micros: i64 = r.try_get("usd_micros")?;
            let state: String = r.try_get("state")?;
            if matches!(state.as_str(), "pending" | "exchange") {
                ShareState::Unpaid { usd_micros }
            } else {
                ShareState::PaidOut { usd_micros }
            }
        }
        None => ShareState::NotValued,
    })
}

/// The payment's status word after a refund.
pub async fn set_refunded_status(tx: &mut Tx, payment_id: i64, now: UnixMillis) -> StoreResult<()> {
    sqlx::query(
        "UPDATE payments SET status = 'refunded', refunded_at = COALESCE(refunded_at, $1), \
           updated_at = $1 WHERE id = $2",
    )
    .bind(now.as_millis())
    .bind(payment_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The Stars amount of an invoice (None for a NOWPayments invoice), in the caller's transaction.
pub async fn invoice_stars_in(tx: &mut Tx, invoice_id: i64) -> StoreResult<Option<i64>> {
    let row = sqlx::query("SELECT stars FROM invoices WHERE id = $1")
        .bind(invoice_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("stars")?,
        None => None,
    })
}
