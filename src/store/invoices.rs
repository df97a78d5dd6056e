//! Invoices: what we asked NOWPayments to collect, for whom and what for.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Db, StoreError, StoreResult};
use crate::domain::ids::new_id;
use crate::domain::money::UsdMicros;
use crate::domain::states::InvoiceStatus;
use crate::domain::time::UnixMillis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceKind {
    Subscription,
    Donation,
    /// The missing part of an underpaid invoice.
    Topup,
}

impl InvoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Subscription => "subscription",
            InvoiceKind::Donation => "donation",
            InvoiceKind::Topup => "topup",
        }
    }

    pub fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "subscription" => Ok(InvoiceKind::Subscription),
            "donation" => Ok(InvoiceKind::Donation),
            "topup" => Ok(InvoiceKind::Topup),
            other => Err(StoreError::Corrupt(format!("invoice kind {other}"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: i64,
    pub kind: InvoiceKind,
    pub user_id: i64,
    pub channel_id: i64,
    pub tier_id: Option<i64>,
    pub parent_invoice_id: Option<i64>,
    pub price: UsdMicros,
    pub days: Option<u32>,
    pub status: InvoiceStatus,
    pub np_invoice_id: Option<String>,
    pub invoice_url: Option<String>,
    pub progress_message_id: Option<i32>,
    pub expires_at: UnixMillis,
    pub created_at: UnixMillis,
    /// The promo code this invoice's discounted price came from (issue 15).
    pub promo_code_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub kind: InvoiceKind,
    pub user_id: i64,
    pub channel_id: i64,
    pub tier_id: Option<i64>,
    pub parent_invoice_id: Option<i64>,
    pub price: UsdMicros,
    pub days: Option<u32>,
    pub expires_at: UnixMillis,
}

/// What [`Db::claim_checkout`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutClaim {
    /// An open, unexpired invoice of this user and tier: show it again.
    Open(Invoice),
    /// Our new row, `creating`: ask NOWPayments for it.
    Created(Invoice),
    /// Another checkout of this user and tier is asking NOWPayments right now.
    Busy,
    /// The promo code cannot be used (nothing was written).
    PromoRefused(crate::domain::promo::PromoRefusal),
}

pub(crate) const INVOICE_COLUMNS: &str = "id, kind, user_id, channel_id, tier_id, parent_invoice_id, \
    price_usd_micros, days, status, np_invoice_id, invoice_url, progress_message_id, expires_at, created_at, promo_code_id";

pub(crate) fn invoice_from_row(r: &AnyRow) -> StoreResult<Invoice> {
    let days: Option<i64> = r.try_get("days")?;
    let msg: Option<i64> = r.try_get("progress_message_id")?;
    Ok(Invoice {
        id: r.try_get("id")?,
        kind: InvoiceKind::parse(&r.try_get::<String, _>("kind")?)?,
        user_id: r.try_get("user_id")?,
        channel_id: r.try_get("channel_id")?,
        tier_id: r.try_get("tier_id")?,
        parent_invoice_id: r.try_get("parent_invoice_id")?,
        price: UsdMicros::from_micros(r.try_get("price_usd_micros")?),
        days: days
            .map(u32::try_from)
            .transpose()
            .map_err(|_| StoreError::Corrupt("invoice days".into()))?,
        status: super::state_column(r, "status")?,
        np_invoice_id: r.try_get("np_invoice_id")?,
        invoice_url: r.try_get("invoice_url")?,
        progress_message_id: msg
            .map(i32::try_from)
            .transpose()
            .map_err(|_| StoreError::Corrupt("message id".into()))?,
        expires_at: UnixMillis::from_millis(r.try_get("expires_at")?),
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
        promo_code_id: r.try_get("promo_code_id")?,
    })
}

impl Db {
    /// Our side of a new invoice, before NOWPayments is asked (status `creating`).
    pub async fn create_invoice(&self, n: &NewInvoice, now: UnixMillis) -> StoreResult<Invoice> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO invoices (id, kind, user_id, channel_id, tier_id, parent_invoice_id, \
               price_usd_micros, days, status, expires_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'creating', $9, $10, $10)",
        )
        .bind(id)
        .bind(n.kind.as_str())
        .bind(n.user_id)
        .bind(n.channel_id)
        .bind(n.tier_id)
        .bind(n.parent_invoice_id)
        .bind(n.price.micros())
        .bind(n.days.map(i64::from))
        .bind(n.expires_at.as_millis())
        .bind(now.as_millis())
        .execute(self.pool())
        .await?;
        self.invoice(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the new invoice vanished".into()))
    }

    pub async fn invoice(&self, id: i64) -> StoreResult<Option<Invoice>> {
        let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(invoice_from_row).transpose()
    }

    /// Takes the one checkout slot of a user and tier (a partial unique index allows one
    /// subscription invoice `creating` or `open` per user and tier). In one short transaction:
    /// open invoices past their `expires_at` are marked `expired` and rows left `creating`
    /// since before `stale_before` (a process that died half-way) are cancelled, so neither
    /// blocks the slot forever; then an open, unexpired invoice is reused, or `n` is inserted
    /// as `creating`, or another checkout holds the slot and the caller waits for it.
    pub async fn claim_checkout(
        &self,
        n: &NewInvoice,
        now: UnixMillis,
        stale_before: UnixMillis,
    ) -> StoreResult<CheckoutClaim> {
        self.claim_checkout_with_promo(n, None, now, stale_before)
            .await
    }

    /// [`Db::claim_checkout`] at a promo code's price (issue 15). `n.price` is already the
    /// discounted price of `promo`. In the same transaction: an open invoice of this user and
    /// tier made without this code (and not being paid) is expired and its own reservation, if
    /// any, released, so the new price replaces it; the code is re-checked (active, not
    /// expired, right tier); the use is reserved — one `promo_redemptions` row per code and user
    /// and `uses + 1` only while under the limit, so two users racing for the last use cannot
    /// both get it. Without `promo` an open invoice is reused whatever its price.
    pub async fn claim_checkout_with_promo(
        &self,
        n: &NewInvoice,
        promo: Option<i64>,
        now: UnixMillis,
        stale_before: UnixMillis,
    ) -> StoreResult<CheckoutClaim> {
        let tier_id = n
            .tier_id
            .ok_or_else(|| StoreError::Corrupt("a subscription invoice without a tier".into()))?;
        if n.kind != InvoiceKind::Subscription {
            return Err(StoreError::Corrupt(
                "only subscription invoices take a checkout slot".into(),
            ));
        }
        let mut tx = self.begin_write().await?;
        // An open Telegram Stars invoice (issue 15) gives its slot to this NOWPayments checkout.
        sqlx::query(
            "UPDATE invoices SET status = 'expired', updated_at = $1 WHERE user_id = $2 AND tier_id = $3 \
             AND kind = 'subscription' AND status = 'open' AND (expires_at <= $1 OR stars IS NOT NULL)",
        )
        .bind(now.as_millis())
        .bind(n.user_id)
        .bind(tier_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE invoices SET status = 'cancelled', updated_at = $1 WHERE user_id = $2 AND tier_id = $3 \
             AND kind = 'subscription' AND status = 'creating' AND created_at < $4",
        )
        .bind(now.as_millis())
        .bind(n.user_id)
        .bind(tier_id)
        .bind(stale_before.as_millis())
        .execute(&mut *tx)
        .await?;
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE user_id = $1 AND tier_id = $2 \
             AND kind = 'subscription' AND status = 'open'"
        );
        let open = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(n.user_id)
            .bind(tier_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = open {
            let invoice = invoice_from_row(&row)?;
            let replace = promo.is_some()
                && invoice.promo_code_id != promo
                && !super::promos::has_payment(&mut tx, invoice.id).await?;
            if !replace {
                tx.commit().await?;
                return Ok(CheckoutClaim::Open(invoice));
            }
            super::promos::replace_open_invoice(&mut tx, invoice.id, now).await?;
        }
        if let Some(code_id) = promo {
            super::promos::release_lapsed(&mut tx, code_id, now, stale_before).await?;
            if let Err(refusal) = super::promos::check_in(&mut tx, code_id, tier_id, now).await? {
                return Ok(CheckoutClaim::PromoRefused(refusal));
            }
        }
        let id = new_id();
        let inserted = sqlx::query(
            "INSERT INTO invoices (id, kind, user_id, channel_id, tier_id, parent_invoice_id, \
               price_usd_micros, days, status, expires_at, created_at, updated_at, promo_code_id) \
             VALUES ($1, 'subscription', $2, $3, $4, $5, $6, $7, 'creating', $8, $9, $9, $10) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(n.user_id)
        .bind(n.channel_id)
        .bind(tier_id)
        .bind(n.parent_invoice_id)
        .bind(n.price.micros())
        .bind(n.days.map(i64::from))
        .bind(n.expires_at.as_millis())
        .bind(now.as_millis())
        .bind(promo)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            // Another row holds the slot, so nothing was replaced above (an open invoice and a
            // `creating` one of the same user and tier cannot both exist).
            tx.commit().await?;
            return Ok(CheckoutClaim::Busy);
        }
        if let Some(code_id) = promo
            && let Err(refusal) =
                super::promos::reserve(&mut tx, code_id, n.user_id, id, now).await?
        {
            // Rolled back: no invoice, no use, the replaced invoice untouched.
            return Ok(CheckoutClaim::PromoRefused(refusal));
        }
        tx.commit().await?;
        let invoice = self
            .invoice(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the new invoice vanished".into()))?;
        Ok(CheckoutClaim::Created(invoice))
    }

    /// NOWPayments accepted the invoice: remember its id and page.
    pub async fn open_invoice(
        &self,
        id: i64,
        np_invoice_id: &str,
        invoice_url: &str,
        now: UnixMillis,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE invoices SET status = 'open', np_invoice_id = $1, invoice_url = $2, updated_at = $3 \
             WHERE id = $4 AND status = 'creating'",
        )
        .bind(np_invoice_id)
        .bind(invoice_url)
        .bind(now.as_millis())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// NOWPayments refused or could not be reached: the invoice is abandoned.
    pub async fn cancel_invoice(&self, id: i64, now: UnixMillis) -> StoreResult<()> {
        sqlx::query(
            "UPDATE invoices SET status = 'cancelled', updated_at = $1 WHERE id = $2 AND status = 'creating'",
        )
        .bind(now.as_millis())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The message that shows this invoice's progress and is edited in place.
    pub async fn set_progress_message(
        &self,
        id: i64,
        message_id: i32,
        now: UnixMillis,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE invoices SET progress_message_id = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(message_id))
            .bind(now.as_millis())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The status of the newest payment made against an invoice.
    pub async fn latest_payment_status(&self, invoice_id: i64) -> StoreResult<Option<String>> {
        let row = sqlx::query(
            "SELECT status FROM payments WHERE invoice_id = $1 ORDER BY updated_at DESC, id LIMIT 1",
        )
        .bind(invoice_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// NOWPayments ids of our payments that have not granted yet and have been quiet for a
    /// while: candidates for a status poll (a late deposit gets no IPN after `expired`).
    pub async fn payments_to_reconcile(
        &self,
        quiet_since: UnixMillis,
        created_after: UnixMillis,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        let sql = format!(
            "SELECT np_payment_id FROM payments WHERE invoice_id IS NOT NULL AND granted_at IS NULL \
             AND status IN ('waiting', 'confirming', 'confirmed', 'sending', 'expired', 'partially_paid') \
             AND updated_at < $1 AND created_at > $2 ORDER BY updated_at LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(quiet_since.as_millis())
            .bind(created_after.as_millis())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// The user's most recent invoices, newest first (for /status).
    pub async fn recent_invoices(&self, user_id: i64, limit: u32) -> StoreResult<Vec<Invoice>> {
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE user_id = $1 AND status <> 'creating' \
             ORDER BY created_at DESC LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(invoice_from_row).collect()
    }
}
