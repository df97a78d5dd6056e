//! Read-only queries behind the operators' `/lookup` (issue 14): what matches a query, and the
//! history of a user, a channel, an invoice, a payment or a transaction. Lists come newest first,
//! cut to [`LIST_LIMIT`] rows, each with the total it was cut from.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Db, StoreResult, flag, state_column};
use crate::domain::money::UsdMicros;
use crate::domain::payment_status::PaymentStatus;
use crate::domain::states::{
    AccumulationState, ConversionState, InvoiceStatus, PayoutState, SubscriptionStatus,
};
use crate::domain::time::UnixMillis;

/// How many rows of one list a lookup shows.
pub const LIST_LIMIT: i64 = 10;

/// The newest rows of a list and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

impl<T> Cut<T> {
    /// How many rows were left out.
    pub fn more(&self) -> i64 {
        self.total
            .saturating_sub(i64::try_from(self.rows.len()).unwrap_or(i64::MAX))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionLine {
    pub id: i64,
    pub user_id: i64,
    pub channel_id: i64,
    pub channel_title: String,
    pub status: SubscriptionStatus,
    pub expires_at: UnixMillis,
    pub rights_lost: bool,
    /// The end of the grace that follows `expires_at`, once it started (issue 15).
    pub grace_until: Option<UnixMillis>,
}

impl SubscriptionLine {
    /// Paid time left, or in the grace after it (the status is the caller's to check).
    pub fn has_access(&self, now: UnixMillis) -> bool {
        self.expires_at > now || self.grace_until.is_some_and(|g| g > now)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub id: i64,
    pub kind: String,
    pub user_id: i64,
    pub channel_id: i64,
    pub channel_title: String,
    pub tier_id: Option<i64>,
    pub days: Option<i64>,
    pub price: UsdMicros,
    pub status: InvoiceStatus,
    pub np_invoice_id: Option<String>,
    pub parent_invoice_id: Option<i64>,
    pub created_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    pub id: i64,
    pub np_payment_id: String,
    pub invoice_id: Option<i64>,
    pub status: PaymentStatus,
    pub pay_currency: Option<String>,
    pub pay_amount: Option<String>,
    pub actually_paid: Option<String>,
    pub outcome_currency: Option<String>,
    pub outcome_amount: Option<String>,
    pub value: Option<UsdMicros>,
    pub fee: Option<UsdMicros>,
    pub owner: Option<UsdMicros>,
    pub orphan_reason: Option<String>,
    pub held_reason: Option<String>,
    pub review: Option<String>,
    pub review_reason: Option<String>,
    pub granted_at: Option<UnixMillis>,
    pub refunded_at: Option<UnixMillis>,
    pub created_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLine {
    pub status: PaymentStatus,
    pub applied: bool,
    pub received_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantLine {
    pub subscription_id: i64,
    pub channel_title: String,
    pub payment_id: i64,
    pub days: i64,
    pub old_expires_at: Option<UnixMillis>,
    pub new_expires_at: UnixMillis,
    pub created_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteLine {
    pub subscription_id: i64,
    pub channel_title: String,
    pub kind: String,
    pub created_at: UnixMillis,
    pub used_at: Option<UnixMillis>,
    pub revoked_at: Option<UnixMillis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccumulationLine {
    pub id: i64,
    pub payment_id: i64,
    pub channel_id: i64,
    pub owner: UsdMicros,
    pub crypto_amount: String,
    pub crypto_currency: String,
    pub reason: String,
    pub state: AccumulationState,
    pub conversion_id: Option<i64>,
    pub payout_id: Option<i64>,
}

/// Owner shares of one channel in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceLine {
    pub state: AccumulationState,
    pub count: i64,
    pub owner: UsdMicros,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutLine {
    pub id: i64,
    pub kind: String,
    pub channel_id: i64,
    pub payment_id: Option<i64>,
    pub state: PayoutState,
    pub usd: UsdMicros,
    pub dest_currency: String,
    pub dest_network: String,
    pub dest_address: String,
    pub amount_sent: Option<String>,
    pub tx_hash: Option<String>,
    pub error: Option<String>,
    pub created_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletTxLine {
    pub id: i64,
    pub payout_id: Option<i64>,
    pub conversion_id: Option<i64>,
    pub chain_id: i64,
    pub to_address: String,
    pub asset: String,
    pub amount: String,
    pub nonce: i64,
    pub tx_hash: String,
    pub state: String,
    pub created_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionLine {
    pub id: i64,
    pub state: ConversionState,
    pub from_currency: String,
    pub from_amount: String,
    pub usd: UsdMicros,
    pub exchange_id: Option<String>,
    pub error: Option<String>,
}

fn ms(v: Option<i64>) -> Option<UnixMillis> {
    v.map(UnixMillis::from_millis)
}

fn usd(v: Option<i64>) -> Option<UsdMicros> {
    v.map(UsdMicros::from_micros)
}

const SUBSCRIPTION_SQL: &str = "SELECT s.id, s.user_id, s.channel_id, c.title, s.status, \
    s.expires_at, c.rights_lost_at, \
    CASE WHEN s.grace_from = s.expires_at THEN s.grace_until END AS grace_until \
    FROM subscriptions s JOIN channels c ON c.id = s.channel_id";

fn subscription_line(r: &AnyRow) -> StoreResult<SubscriptionLine> {
    Ok(SubscriptionLine {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        channel_id: r.try_get("channel_id")?,
        channel_title: r.try_get("title")?,
        status: state_column(r, "status")?,
        expires_at: UnixMillis::from_millis(r.try_get("expires_at")?),
        rights_lost: r.try_get::<Option<i64>, _>("rights_lost_at")?.is_some(),
        grace_until: ms(r.try_get("grace_until")?),
    })
}

const INVOICE_SQL: &str = "SELECT i.id, i.kind, i.user_id, i.channel_id, c.title, i.tier_id, \
    i.days, i.price_usd_micros, i.status, i.np_invoice_id, i.parent_invoice_id, i.created_at \
    FROM invoices i JOIN channels c ON c.id = i.channel_id";

fn invoice_line(r: &AnyRow) -> StoreResult<InvoiceLine> {
    Ok(InvoiceLine {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        user_id: r.try_get("user_id")?,
        channel_id: r.try_get("channel_id")?,
        channel_title: r.try_get("title")?,
        tier_id: r.try_get("tier_id")?,
        days: r.try_get("days")?,
        price: UsdMicros::from_micros(r.try_get("price_usd_micros")?),
        status: state_column(r, "status")?,
        np_invoice_id: r.try_get("np_invoice_id")?,
        parent_invoice_id: r.try_get("parent_invoice_id")?,
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
    })
}

const PAYMENT_SQL: &str = "SELECT p.id, p.np_payment_id, p.invoice_id, p.status, p.pay_currency, \
    p.pay_amount, p.actually_paid, p.outcome_currency, p.outcome_amount, p.value_usd_micros, \
    p.fee_usd_micros, p.owner_usd_micros, p.orphan_reason, p.held_reason, p.review, \
    p.review_reason, p.granted_at, p.refunded_at, p.created_at FROM payments p";

fn payment_line(r: &AnyRow) -> StoreResult<PaymentLine> {
    Ok(PaymentLine {
        id: r.try_get("id")?,
        np_payment_id: r.try_get("np_payment_id")?,
        invoice_id: r.try_get("invoice_id")?,
        status: PaymentStatus::parse(&r.try_get::<String, _>("status")?),
        pay_currency: r.try_get("pay_currency")?,
        pay_amount: r.try_get("pay_amount")?,
        actually_paid: r.try_get("actually_paid")?,
        outcome_currency: r.try_get("outcome_currency")?,
        outcome_amount: r.try_get("outcome_amount")?,
        value: usd(r.try_get("value_usd_micros")?),
        fee: usd(r.try_get("fee_usd_micros")?),
        owner: usd(r.try_get("owner_usd_micros")?),
        orphan_reason: r.try_get("orphan_reason")?,
        held_reason: r.try_get("held_reason")?,
        review: r.try_get("review")?,
        review_reason: r.try_get("review_reason")?,
        granted_at: ms(r.try_get("granted_at")?),
        refunded_at: ms(r.try_get("refunded_at")?),
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
    })
}

const GRANT_SQL: &str = "SELECT g.subscription_id, c.title, g.payment_id, g.days, \
    g.old_expires_at, g.new_expires_at, g.created_at FROM subscription_grants g \
    JOIN subscriptions s ON s.id = g.subscription_id JOIN channels c ON c.id = s.channel_id";

fn grant_line(r: &AnyRow) -> StoreResult<GrantLine> {
    Ok(GrantLine {
        subscription_id: r.try_get("subscription_id")?,
        channel_title: r.try_get("title")?,
        payment_id: r.try_get("payment_id")?,
        days: r.try_get("days")?,
        old_expires_at: ms(r.try_get("old_expires_at")?),
        new_expires_at: UnixMillis::from_millis(r.try_get("new_expires_at")?),
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
    })
}

const ACCUMULATION_SQL: &str = "SELECT id, payment_id, channel_id, owner_usd_micros, \
    crypto_amount, crypto_currency, reason, state, conversion_id, payout_id FROM accumulations";

fn accumulation_line(r: &AnyRow) -> StoreResult<AccumulationLine> {
    Ok(AccumulationLine {
        id: r.try_get("id")?,
        payment_id: r.try_get("payment_id")?,
        channel_id: r.try_get("channel_id")?,
        owner: UsdMicros::from_micros(r.try_get("owner_usd_micros")?),
        crypto_amount: r.try_get("crypto_amount")?,
        crypto_currency: r.try_get("crypto_currency")?,
        reason: r.try_get("reason")?,
        state: state_column(r, "state")?,
        conversion_id: r.try_get("conversion_id")?,
        payout_id: r.try_get("payout_id")?,
    })
}

const PAYOUT_SQL: &str = "SELECT id, kind, channel_id, payment_id, state, usd_micros, \
    dest_currency, dest_network, dest_address, amount_sent, tx_hash, error, created_at FROM payouts";

fn payout_line(r: &AnyRow) -> StoreResult<PayoutLine> {
    Ok(PayoutLine {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        channel_id: r.try_get("channel_id")?,
        payment_id: r.try_get("payment_id")?,
        state: state_column(r, "state")?,
        usd: UsdMicros::from_micros(r.try_get("usd_micros")?),
        dest_currency: r.try_get("dest_currency")?,
        dest_network: r.try_get("dest_network")?,
        dest_address: r.try_get("dest_address")?,
        amount_sent: r.try_get("amount_sent")?,
        tx_hash: r.try_get("tx_hash")?,
        error: r.try_get("error")?,
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
    })
}

fn wallet_tx_line(r: &AnyRow) -> StoreResult<WalletTxLine> {
    Ok(WalletTxLine {
        id: r.try_get("id")?,
        payout_id: r.try_get("payout_id")?,
        conversion_id: r.try_get("conversion_id")?,
        chain_id: r.try_get("chain_id")?,
        to_address: r.try_get("to_address")?,
        asset: r.try_get("asset")?,
        amount: r.try_get("amount")?,
        nonce: r.try_get("nonce")?,
        tx_hash: r.try_get("tx_hash")?,
        state: r.try_get("state")?,
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
    })
}

/// The two spellings a stored hash may have: with and without `0x`, lower case.
fn hash_forms(hash: &str) -> (String, String) {
    let bare = hash
        .strip_prefix("0x")
        .or_else(|| hash.strip_prefix("0X"))
        .unwrap_or(hash)
        .to_ascii_lowercase();
    (format!("0x{bare}"), bare)
}

impl Db {
    /// `rows_sql` (one `$1` bound to `key`, newest first) cut to [`LIST_LIMIT`], and the
    /// number of rows `count_sql` counts.
    async fn cut<T>(
        &self,
        rows_sql: String,
        count_sql: String,
        key: i64,
        line: fn(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Cut<T>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{rows_sql} LIMIT {LIST_LIMIT}"
        )))
        .bind(key)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query(sqlx::AssertSqlSafe(count_sql))
            .bind(key)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?;
        Ok(Cut {
            rows: rows.iter().map(line).collect::<StoreResult<_>>()?,
            total,
        })
    }

    /// Users whose Telegram username is `name` (without `@`, any case).
    pub async fn lookup_users_by_username(&self, name: &str) -> StoreResult<Vec<i64>> {
        let rows =
            sqlx::query("SELECT id FROM users WHERE LOWER(username) = LOWER($1) ORDER BY id")
                .bind(name)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| Ok(r.try_get("id")?))
            .collect::<StoreResult<_>>()
    }

    /// Channels (deleted ones too) whose id, Telegram chat id or deep-link code is the query.
    pub async fn lookup_channels(&self, id: Option<i64>, code: &str) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id FROM channels WHERE id = $1 OR chat_id = $1 OR code = $2 \
             ORDER BY created_at, id",
        )
        .bind(id)
        .bind(code)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get("id")?))
            .collect::<StoreResult<_>>()
    }

    /// Payments whose id (ours) or NOWPayments id is the query.
    pub async fn lookup_payments(&self, id: Option<i64>, np_id: &str) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id FROM payments WHERE id = $1 OR np_payment_id = $2 ORDER BY created_at, id",
        )
        .bind(id)
        .bind(np_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get("id")?))
            .collect::<StoreResult<_>>()
    }

    pub async fn lookup_subscription(&self, id: i64) -> StoreResult<Option<SubscriptionLine>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SUBSCRIPTION_SQL} WHERE s.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(subscription_line).transpose()
    }

    /// A user's subscriptions, the latest to expire first.
    pub async fn lookup_user_subscriptions(
        &self,
        user_id: i64,
    ) -> StoreResult<Cut<SubscriptionLine>> {
        self.cut(
            format!("{SUBSCRIPTION_SQL} WHERE s.user_id = $1 ORDER BY s.expires_at DESC, s.id"),
            "SELECT COUNT(*) FROM subscriptions WHERE user_id = $1".into(),
            user_id,
            subscription_line,
        )
        .await
    }

    pub async fn lookup_user_invoices(&self, user_id: i64) -> StoreResult<Cut<InvoiceLine>> {
        self.cut(
            format!("{INVOICE_SQL} WHERE i.user_id = $1 ORDER BY i.created_at DESC, i.id DESC"),
            "SELECT COUNT(*) FROM invoices WHERE user_id = $1".into(),
            user_id,
            invoice_line,
        )
        .await
    }

    pub async fn lookup_invoice(&self, id: i64) -> StoreResult<Option<InvoiceLine>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{INVOICE_SQL} WHERE i.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(invoice_line).transpose()
    }

    /// Payments for a user's invoices.
    pub async fn lookup_user_payments(&self, user_id: i64) -> StoreResult<Cut<PaymentLine>> {
        self.cut(
            format!(
                "{PAYMENT_SQL} JOIN invoices i ON i.id = p.invoice_id WHERE i.user_id = $1 \
                 ORDER BY p.created_at DESC, p.id DESC"
            ),
            "SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id \
             WHERE i.user_id = $1"
                .into(),
            user_id,
            payment_line,
        )
        .await
    }

    pub async fn lookup_invoice_payments(&self, invoice_id: i64) -> StoreResult<Cut<PaymentLine>> {
        self.cut(
            format!("{PAYMENT_SQL} WHERE p.invoice_id = $1 ORDER BY p.created_at DESC, p.id DESC"),
            "SELECT COUNT(*) FROM payments WHERE invoice_id = $1".into(),
            invoice_id,
            payment_line,
        )
        .await
    }

    pub async fn lookup_channel_payments(&self, channel_id: i64) -> StoreResult<Cut<PaymentLine>> {
        self.cut(
            format!(
                "{PAYMENT_SQL} JOIN invoices i ON i.id = p.invoice_id WHERE i.channel_id = $1 \
                 ORDER BY p.created_at DESC, p.id DESC"
            ),
            "SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id \
             WHERE i.channel_id = $1"
                .into(),
            channel_id,
            payment_line,
        )
        .await
    }

    pub async fn lookup_payment(&self, id: i64) -> StoreResult<Option<PaymentLine>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PAYMENT_SQL} WHERE p.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(payment_line).transpose()
    }

    /// Every verified IPN of a NOWPayments payment, oldest first (a payment has few).
    pub async fn lookup_payment_events(&self, np_payment_id: &str) -> StoreResult<Vec<EventLine>> {
        let rows = sqlx::query(
            "SELECT status, applied, received_at FROM payment_events WHERE np_payment_id = $1 \
             ORDER BY received_at, id LIMIT 50",
        )
        .bind(np_payment_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EventLine {
                    status: PaymentStatus::parse(&r.try_get::<String, _>("status")?),
                    applied: flag(r.try_get("applied")?),
                    received_at: UnixMillis::from_millis(r.try_get("received_at")?),
                })
            })
            .collect()
    }

    pub async fn lookup_user_grants(&self, user_id: i64) -> StoreResult<Cut<GrantLine>> {
        self.cut(
            format!("{GRANT_SQL} WHERE s.user_id = $1 ORDER BY g.created_at DESC, g.id DESC"),
            "SELECT COUNT(*) FROM subscription_grants g \
             JOIN subscriptions s ON s.id = g.subscription_id WHERE s.user_id = $1"
                .into(),
            user_id,
            grant_line,
        )
        .await
    }

    pub async fn lookup_payment_grant(&self, payment_id: i64) -> StoreResult<Option<GrantLine>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{GRANT_SQL} WHERE g.payment_id = $1"
        )))
        .bind(payment_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(grant_line).transpose()
    }

    pub async fn lookup_user_invites(&self, user_id: i64) -> StoreResult<Cut<InviteLine>> {
        self.cut(
            "SELECT l.subscription_id, c.title, l.kind, l.created_at, l.used_at, l.revoked_at \
             FROM invite_links l JOIN subscriptions s ON s.id = l.subscription_id \
             JOIN channels c ON c.id = s.channel_id WHERE s.user_id = $1 \
             ORDER BY l.created_at DESC, l.id DESC"
                .into(),
            "SELECT COUNT(*) FROM invite_links l JOIN subscriptions s ON s.id = l.subscription_id \
             WHERE s.user_id = $1"
                .into(),
            user_id,
            |r| {
                Ok(InviteLine {
                    subscription_id: r.try_get("subscription_id")?,
                    channel_title: r.try_get("title")?,
                    kind: r.try_get("kind")?,
                    created_at: UnixMillis::from_millis(r.try_get("created_at")?),
                    used_at: ms(r.try_get("used_at")?),
                    revoked_at: ms(r.try_get("revoked_at")?),
                })
            },
        )
        .await
    }

    /// Channels a user owns (deleted ones too): id and title.
    pub async fn lookup_owned_channels(&self, user_id: i64) -> StoreResult<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT id, title FROM channels WHERE owner_id = $1 ORDER BY created_at, id LIMIT 20",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("title")?)))
            .collect()
    }

    /// Subscriptions of a channel still active at `now`.
    pub async fn lookup_active_subscribers(
        &self,
        channel_id: i64,
        now: UnixMillis,
    ) -> StoreResult<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM subscriptions \
             WHERE channel_id = $1 AND status = 'active' AND expires_at > $2",
        )
        .bind(channel_id)
        .bind(now.as_millis())
        .fetch_one(self.pool())
        .await?
        .try_get(0)?)
    }

    /// A channel's owner shares not paid out yet, summed by state.
    pub async fn lookup_channel_balance(&self, channel_id: i64) -> StoreResult<Vec<BalanceLine>> {
        let rows = sqlx::query(
            "SELECT state, CAST(COUNT(*) AS BIGINT) AS n, \
                    CAST(COALESCE(SUM(owner_usd_micros), 0) AS BIGINT) AS owner \
             FROM accumulations WHERE channel_id = $1 AND state <> 'paid' \
             GROUP BY state ORDER BY state",
        )
        .bind(channel_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BalanceLine {
                    state: state_column(r, "state")?,
                    count: r.try_get("n")?,
                    owner: UsdMicros::from_micros(r.try_get("owner")?),
                })
            })
            .collect()
    }

    pub async fn lookup_payment_accumulation(
        &self,
        payment_id: i64,
    ) -> StoreResult<Option<AccumulationLine>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACCUMULATION_SQL} WHERE payment_id = $1"
        )))
        .bind(payment_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(accumulation_line).transpose()
    }

    pub async fn lookup_channel_payouts(&self, channel_id: i64) -> StoreResult<Cut<PayoutLine>> {
        self.cut(
            format!("{PAYOUT_SQL} WHERE channel_id = $1 ORDER BY created_at DESC, id DESC"),
            "SELECT COUNT(*) FROM payouts WHERE channel_id = $1".into(),
            channel_id,
            payout_line,
        )
        .await
    }

    pub async fn lookup_payout(&self, id: i64) -> StoreResult<Option<PayoutLine>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{PAYOUT_SQL} WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(payout_line).transpose()
    }

    /// The instant payout of a payment, if any.
    pub async fn lookup_payment_payout(&self, payment_id: i64) -> StoreResult<Option<PayoutLine>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PAYOUT_SQL} WHERE payment_id = $1"
        )))
        .bind(payment_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(payout_line).transpose()
    }

    /// Payouts whose owner-side transaction is `hash` (with or without `0x`, any case).
    pub async fn lookup_payouts_by_hash(&self, hash: &str) -> StoreResult<Vec<PayoutLine>> {
        let (with, bare) = hash_forms(hash);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PAYOUT_SQL} WHERE LOWER(tx_hash) = $1 OR LOWER(tx_hash) = $2 ORDER BY created_at, id"
        )))
        .bind(with)
        .bind(bare)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(payout_line).collect()
    }

    /// Host-wallet transactions whose hash is `hash` (with or without `0x`, any case).
    pub async fn lookup_wallet_txs_by_hash(&self, hash: &str) -> StoreResult<Vec<WalletTxLine>> {
        let (with, bare) = hash_forms(hash);
        let rows = sqlx::query(
            "SELECT id, payout_id, conversion_id, chain_id, to_address, asset, amount, nonce, \
                    tx_hash, state, created_at FROM wallet_transactions \
             WHERE LOWER(tx_hash) = $1 OR LOWER(tx_hash) = $2 ORDER BY created_at, id",
        )
        .bind(with)
        .bind(bare)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(wallet_tx_line).collect()
    }

    pub async fn lookup_conversion(&self, id: i64) -> StoreResult<Option<ConversionLine>> {
        let row = sqlx::query(
            "SELECT id, state, from_currency, from_amount, usd_micros, exchange_id, error \
             FROM conversions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(ConversionLine {
                id: r.try_get("id")?,
                state: state_column(&r, "state")?,
                from_currency: r.try_get("from_currency")?,
                from_amount: r.try_get("from_amount")?,
                usd: UsdMicros::from_micros(r.try_get("usd_micros")?),
                exchange_id: r.try_get("exchange_id")?,
                error: r.try_get("error")?,
            })
        })
        .transpose()
    }

    /// How many of a subscription's invite links are not revoked.
    pub async fn live_invite_count(&self, subscription_id: i64) -> StoreResult<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM invite_links WHERE subscription_id = $1 AND revoked_at IS NULL",
        )
        .bind(subscription_id)
        .fetch_one(self.pool())
        .await?
        .try_get(0)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_matched_with_and_without_0x() {
        assert_eq!(
            hash_forms("0xABcd"),
            ("0xabcd".to_owned(), "abcd".to_owned())
        );
        assert_eq!(hash_forms("abcd"), ("0xabcd".to_owned(), "abcd".to_owned()));
    }
}
