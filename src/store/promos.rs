//! Promo codes (issue 15): an owner's codes per channel and their uses. A use is reserved in
//! the checkout's transaction ([`super::Db::claim_checkout_with_promo`]) and released when its
//! invoice lapses unpaid, so `uses` counts every use exactly once, also when two users race for
//! the last one (the conditional `UPDATE … WHERE uses < max_uses` lets only one through).

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{Db, StoreError, StoreResult, flag, flag_value};
use crate::domain::ids::new_id;
use crate::domain::money::UsdMicros;
use crate::domain::promo::{Discount, PromoRefusal, PromoText};
use crate::domain::time::UnixMillis;

type Tx = Transaction<'static, Any>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoCode {
    pub id: i64,
    pub channel_id: i64,
    /// As the owner typed it.
    pub code: String,
    pub discount: Discount,
    /// Only for this plan, when set.
    pub tier_id: Option<i64>,
    pub max_uses: Option<i64>,
    /// Uses taken: invoices made with the code that are open or paid.
    pub uses: i64,
    pub expires_at: Option<UnixMillis>,
    pub active: bool,
    pub created_at: UnixMillis,
}

impl PromoCode {
    /// Why the code cannot be offered now (before any per-user check), if it cannot.
    pub fn refusal(&self, now: UnixMillis) -> Option<PromoRefusal> {
        if !self.active {
            Some(PromoRefusal::Unknown)
        } else if self.expires_at.is_some_and(|e| e <= now) {
            Some(PromoRefusal::Expired)
        } else if self.max_uses.is_some_and(|m| self.uses >= m) {
            Some(PromoRefusal::UsedUp)
        } else {
            None
        }
    }

    /// Whether the code applies to the plan `tier_id`.
    pub fn fits(&self, tier_id: i64) -> bool {
        self.tier_id.is_none_or(|t| t == tier_id)
    }
}

#[derive(Debug, Clone)]
pub struct NewPromo {
    pub channel_id: i64,
    pub code: PromoText,
    pub discount: Discount,
    pub tier_id: Option<i64>,
    pub max_uses: Option<i64>,
    pub expires_at: Option<UnixMillis>,
}

/// A code with what it brought: paid invoices and the USD value of their payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoStats {
    pub promo: PromoCode,
    pub paid: i64,
    pub revenue: UsdMicros,
}

const COLUMNS: &str = "id, channel_id, code, kind, percent_off, amount_off_usd_micros, tier_id, \
    max_uses, uses, expires_at, active, created_at";

fn from_row(r: &AnyRow) -> StoreResult<PromoCode> {
    let kind: String = r.try_get("kind")?;
    let discount = match kind.as_str() {
        "percent" => {
            let p: Option<i64> = r.try_get("percent_off")?;
            Discount::Percent(
                p.and_then(|p| u8::try_from(p).ok())
                    .ok_or_else(|| StoreError::Corrupt("promo percent".into()))?,
            )
        }
        "amount" => {
            let a: Option<i64> = r.try_get("amount_off_usd_micros")?;
            Discount::Amount(UsdMicros::from_micros(
                a.ok_or_else(|| StoreError::Corrupt("promo amount".into()))?,
            ))
        }
        other => return Err(StoreError::Corrupt(format!("promo kind {other}"))),
    };
    let expires: Option<i64> = r.try_get("expires_at")?;
    Ok(PromoCode {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        code: r.try_get("code")?,
        discount,
        tier_id: r.try_get("tier_id")?,
        max_uses: r.try_get("max_uses")?,
        uses: r.try_get("uses")?,
        expires_at: expires.map(UnixMillis::from_millis),
        active: flag(r.try_get("active")?),
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
    })
}

impl Db {
    /// Stores a new code; None when the channel already has this code (in any letter case).
    pub async fn create_promo(
        &self,
        n: &NewPromo,
        now: UnixMillis,
    ) -> StoreResult<Option<PromoCode>> {
        let id = new_id();
        let (kind, percent, amount) = match n.discount {
            Discount::Percent(p) => ("percent", Some(i64::from(p)), None),
            Discount::Amount(a) => ("amount", None, Some(a.micros())),
        };
        let inserted = sqlx::query(
            "INSERT INTO promo_codes (id, channel_id, code, code_key, kind, percent_off, \
               amount_off_usd_micros, tier_id, max_uses, uses, expires_at, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 1, $11) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(n.channel_id)
        .bind(n.code.as_str())
        .bind(n.code.key())
        .bind(kind)
        .bind(percent)
        .bind(amount)
        .bind(n.tier_id)
        .bind(n.max_uses)
        .bind(n.expires_at.map(|e| e.as_millis()))
        .bind(now.as_millis())
        .execute(self.pool())
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(None);
        }
        self.promo(id).await
    }

    pub async fn promo(&self, id: i64) -> StoreResult<Option<PromoCode>> {
        let sql = format!("SELECT {COLUMNS} FROM promo_codes WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The channel's code `code`, in any letter case.
    pub async fn promo_by_code(
        &self,
        channel_id: i64,
        code: &PromoText,
    ) -> StoreResult<Option<PromoCode>> {
        let sql =
            format!("SELECT {COLUMNS} FROM promo_codes WHERE channel_id = $1 AND code_key = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(channel_id)
            .bind(code.key())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Whether the channel has a code a subscriber could still enter (active, unexpired).
    pub async fn channel_has_promos(&self, channel_id: i64, now: UnixMillis) -> StoreResult<bool> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM promo_codes WHERE channel_id = $1 AND active = 1 \
             AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(channel_id)
        .bind(now.as_millis())
        .fetch_one(self.pool())
        .await?
        .try_get(0)?;
        Ok(n > 0)
    }

    /// Releases the uses of `code_id` held by invoices that lapsed unpaid (see
    /// [`release_lapsed`]), so a code whose last use was never paid can be offered again.
    pub async fn release_lapsed_promo_uses(
        &self,
        code_id: i64,
        now: UnixMillis,
        stale_before: UnixMillis,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        release_lapsed(&mut tx, code_id, now, stale_before).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether `user_id` holds a use of the code (paid or reserved by an open invoice).
    pub async fn promo_used_by(&self, code_id: i64, user_id: i64) -> StoreResult<bool> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM promo_redemptions WHERE code_id = $1 AND user_id = $2",
        )
        .bind(code_id)
        .bind(user_id)
        .fetch_one(self.pool())
        .await?
        .try_get(0)?;
        Ok(n > 0)
    }

    /// Every code of the channel, newest first, with paid uses and revenue (the USD value of
    /// the granted, unrefunded payments of invoices made with it and of their top-ups). Uses held by invoices that
    /// lapsed unpaid are released first, so `uses` is current.
    pub async fn promo_stats(
        &self,
        channel_id: i64,
        now: UnixMillis,
        stale_before: UnixMillis,
    ) -> StoreResult<Vec<PromoStats>> {
        let ids: Vec<i64> = sqlx::query("SELECT id FROM promo_codes WHERE channel_id = $1")
            .bind(channel_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        if !ids.is_empty() {
            let mut tx = self.begin_write().await?;
            for id in &ids {
                release_lapsed(&mut tx, *id, now, stale_before).await?;
            }
            tx.commit().await?;
        }
        let sql = format!(
            "SELECT {COLUMNS}, \
               (SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id \
                 WHERE i.promo_code_id = promo_codes.id AND p.granted_at IS NOT NULL \
                   AND p.refunded_at IS NULL) AS paid, \
               (SELECT CAST(COALESCE(SUM(p.value_usd_micros), 0) AS BIGINT) FROM payments p \
                 JOIN invoices i ON i.id = p.invoice_id \
                 WHERE (i.promo_code_id = promo_codes.id OR i.parent_invoice_id IN \
                     (SELECT pi.id FROM invoices pi WHERE pi.promo_code_id = promo_codes.id)) \
                   AND p.granted_at IS NOT NULL AND p.refunded_at IS NULL) AS revenue \
             FROM promo_codes WHERE channel_id = $1 ORDER BY created_at DESC, id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(channel_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PromoStats {
                    promo: from_row(r)?,
                    paid: r.try_get("paid")?,
                    revenue: UsdMicros::from_micros(r.try_get("revenue")?),
                })
            })
            .collect()
    }

    /// Paid invoices made with any code of the channel, and their revenue (as in
    /// [`Db::promo_stats`]), for the owner's balance.
    pub async fn promo_totals(&self, channel_id: i64) -> StoreResult<(i64, UsdMicros)> {
        let row = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id \
                 WHERE i.channel_id = $1 AND i.promo_code_id IS NOT NULL \
                   AND p.granted_at IS NOT NULL AND p.refunded_at IS NULL), \
               (SELECT CAST(COALESCE(SUM(p.value_usd_micros), 0) AS BIGINT) FROM payments p \
                 JOIN invoices i ON i.id = p.invoice_id \
                 WHERE i.channel_id = $1 AND (i.promo_code_id IS NOT NULL OR i.parent_invoice_id IN \
                     (SELECT pi.id FROM invoices pi WHERE pi.promo_code_id IS NOT NULL)) \
                   AND p.granted_at IS NOT NULL AND p.refunded_at IS NULL)",
        )
        .bind(channel_id)
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get(0)?, UsdMicros::from_micros(row.try_get(1)?)))
    }

    /// The owner turns a code off: it is refused from then on (uses already taken stay).
    /// Returns the code's channel when it was active and belongs to a channel of `owner_id`.
    pub async fn owner_deactivate_promo(
        &self,
        owner_id: i64,
        code_id: i64,
    ) -> StoreResult<Option<i64>> {
        let row = sqlx::query(
            "SELECT p.channel_id FROM promo_codes p JOIN channels c ON c.id = p.channel_id \
             WHERE p.id = $1 AND c.owner_id = $2",
        )
        .bind(code_id)
        .bind(owner_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let channel_id: i64 = row.try_get(0)?;
        sqlx::query("UPDATE promo_codes SET active = $1 WHERE id = $2")
            .bind(flag_value(false))
            .bind(code_id)
            .execute(self.pool())
            .await?;
        Ok(Some(channel_id))
    }
}

/// Whether any payment was made against the invoice.
pub(super) async fn has_payment(tx: &mut Tx, invoice_id: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM payments WHERE invoice_id = $1")
        .bind(invoice_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    Ok(n > 0)
}

/// An open, unpaid invoice replaced by one at a promo code's price: expired (a late payment to
/// it still grants, like any expired invoice's) and its own reservation released.
pub(super) async fn replace_open_invoice(
    tx: &mut Tx,
    invoice_id: i64,
    now: UnixMillis,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE invoices SET status = 'expired', updated_at = $1 WHERE id = $2 AND status = 'open'",
    )
    .bind(now.as_millis())
    .bind(invoice_id)
    .execute(&mut **tx)
    .await?;
    let code: Option<i64> =
        sqlx::query("SELECT code_id FROM promo_redemptions WHERE invoice_id = $1")
            .bind(invoice_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
    if let Some(code_id) = code {
        let n = sqlx::query("DELETE FROM promo_redemptions WHERE invoice_id = $1")
            .bind(invoice_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        take_back(tx, code_id, n).await?;
    }
    Ok(())
}

async fn take_back(tx: &mut Tx, code_id: i64, n: u64) -> StoreResult<()> {
    if n == 0 {
        return Ok(());
    }
    let n = i64::try_from(n).map_err(|_| StoreError::Corrupt("released uses".into()))?;
    sqlx::query("UPDATE promo_codes SET uses = uses - $1 WHERE id = $2")
        .bind(n)
        .bind(code_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Releases the uses of `code_id` whose invoice lapsed without any payment: open past its
/// `expires_at` (marked `expired`, as a new checkout would), left `creating` since before
/// `stale_before` (cancelled), or already expired/cancelled.
pub(super) async fn release_lapsed(
    tx: &mut Tx,
    code_id: i64,
    now: UnixMillis,
    stale_before: UnixMillis,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE invoices SET status = 'expired', updated_at = $1 WHERE promo_code_id = $2 \
         AND status = 'open' AND expires_at <= $1",
    )
    .bind(now.as_millis())
    .bind(code_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE invoices SET status = 'cancelled', updated_at = $1 WHERE promo_code_id = $2 \
         AND status = 'creating' AND created_at < $3",
    )
    .bind(now.as_millis())
    .bind(code_id)
    .bind(stale_before.as_millis())
    .execute(&mut **tx)
    .await?;
    let n = sqlx::query(
        "DELETE FROM promo_redemptions WHERE code_id = $1 AND invoice_id IN ( \
           SELECT i.id FROM invoices i WHERE i.promo_code_id = $1 \
             AND i.status IN ('expired', 'cancelled') \
             AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id))",
    )
    .bind(code_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    take_back(tx, code_id, n).await
}

/// Re-checks the code inside the checkout's transaction: active, unexpired, this plan's.
pub(super) async fn check_in(
    tx: &mut Tx,
    code_id: i64,
    tier_id: i64,
    now: UnixMillis,
) -> StoreResult<Result<(), PromoRefusal>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM promo_codes WHERE id = $1 \
         AND channel_id = (SELECT channel_id FROM tiers WHERE id = $2)"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code_id)
        .bind(tier_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(promo) = row.as_ref().map(from_row).transpose()? else {
        return Ok(Err(PromoRefusal::Unknown));
    };
    if let Some(r) = promo.refusal(now) {
        return Ok(Err(r));
    }
    if !promo.fits(tier_id) {
        return Ok(Err(PromoRefusal::WrongTier));
    }
    Ok(Ok(()))
}

/// Takes one use of the code for `user_id` and the new invoice: refused when the user already
/// holds one, or when the limit is reached (also by a concurrent checkout that got there first:
/// the conditional UPDATE waits for it and then sees its use).
pub(super) async fn reserve(
    tx: &mut Tx,
    code_id: i64,
    user_id: i64,
    invoice_id: i64,
    now: UnixMillis,
) -> StoreResult<Result<(), PromoRefusal>> {
    let mine = sqlx::query(
        "INSERT INTO promo_redemptions (id, code_id, user_id, invoice_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(new_id())
    .bind(code_id)
    .bind(user_id)
    .bind(invoice_id)
    .bind(now.as_millis())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if mine == 0 {
        return Ok(Err(PromoRefusal::AlreadyUsed));
    }
    let taken = sqlx::query(
        "UPDATE promo_codes SET uses = uses + 1 WHERE id = $1 AND active = 1 \
         AND (max_uses IS NULL OR uses < max_uses)",
    )
    .bind(code_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if taken == 0 {
        return Ok(Err(PromoRefusal::UsedUp));
    }
    Ok(Ok(()))
}
