//! Figures for the owner's dashboard and statements (SPEC §2.8), straight from the money
//! tables: nothing here is cached or estimated except the pace-based payout date.

use std::time::Duration;

use sqlx::Row;

use super::{Db, StoreResult};
use crate::domain::money::UsdMicros;
use crate::domain::states::PayoutState;
use crate::domain::time::UnixMillis;

/// One channel's money, as the owner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelFigures {
    /// USD value of every granted, not refunded payment (valued ones).
    pub revenue: UsdMicros,
    pub fees: UsdMicros,
    pub payments: i64,
    /// Payments granted but not valued yet (their value is still being determined).
    pub unvalued: i64,
    pub active_subscribers: i64,
    /// Owner shares not paid out yet.
    pub pending: UsdMicros,
    pub paid_out: UsdMicros,
    /// Owner shares of the last 30 days, for the pace estimate.
    pub owner_last_30d: UsdMicros,
}

impl std::ops::Add for ChannelFigures {
    type Output = ChannelFigures;
    fn add(self, o: ChannelFigures) -> ChannelFigures {
        let add = |a: UsdMicros, b: UsdMicros| a.checked_add(b).unwrap_or(a);
        ChannelFigures {
            revenue: add(self.revenue, o.revenue),
            fees: add(self.fees, o.fees),
            payments: self.payments.saturating_add(o.payments),
            unvalued: self.unvalued.saturating_add(o.unvalued),
            active_subscribers: self.active_subscribers.saturating_add(o.active_subscribers),
            pending: add(self.pending, o.pending),
            paid_out: add(self.paid_out, o.paid_out),
            owner_last_30d: add(self.owner_last_30d, o.owner_last_30d),
        }
    }
}

/// A payout as listed in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutLine {
    pub id: i64,
    pub channel_id: i64,
    pub kind: String,
    pub state: PayoutState,
    pub usd: UsdMicros,
    pub source_currency: String,
    pub source_amount: Option<String>,
    pub dest_currency: String,
    pub dest_network: String,
    pub amount_sent: Option<String>,
    pub tx_hash: Option<String>,
    pub created_at: UnixMillis,
    pub sent_at: Option<UnixMillis>,
}

/// A payment as it appears in a statement or the CSV export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    pub payment_id: i64,
    pub np_payment_id: String,
    pub kind: String,
    pub granted_at: Option<UnixMillis>,
    pub pay_currency: Option<String>,
    pub actually_paid: Option<String>,
    pub value: Option<UsdMicros>,
    pub fee: Option<UsdMicros>,
    pub owner: Option<UsdMicros>,
    pub refunded: bool,
    pub payout_id: Option<i64>,
}

/// The platform over a period, for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformStats {
    /// USD value of the payments granted in the period (not refunded).
    pub revenue: UsdMicros,
    pub fees: UsdMicros,
    /// Payments first seen in the period, by their NOWPayments status.
    pub payments_by_status: Vec<(String, i64)>,
    /// Active now.
    pub active_subscriptions: i64,
    /// Subscriptions that started in the period.
    pub new_subscriptions: i64,
    /// Subscriptions that ended (expired or revoked) in the period.
    pub churned: i64,
    /// Owner shares not paid out yet, by channel (largest first, at most 10).
    pub pending_by_channel: Vec<(String, UsdMicros)>,
    pub failed_jobs: i64,
    pub open_alerts: i64,
}

const DAY_MS: i64 = 86_400_000;

fn sum(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<UsdMicros> {
    Ok(UsdMicros::from_micros(r.try_get::<i64, _>(col)?))
}

impl Db {
    /// The figures of `/admin` stats for the `days` before `now`.
    pub async fn platform_stats(&self, days: i64, now: UnixMillis) -> StoreResult<PlatformStats> {
        let since = now.as_millis().saturating_sub(days.saturating_mul(DAY_MS));
        let money = sqlx::query(
            "SELECT CAST(COALESCE(SUM(value_usd_micros), 0) AS BIGINT) AS revenue, \
                    CAST(COALESCE(SUM(fee_usd_micros), 0) AS BIGINT) AS fees \
             FROM payments WHERE granted_at >= $1 AND refunded_at IS NULL",
        )
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        let statuses = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM payments WHERE created_at >= $1 \
             GROUP BY status ORDER BY status",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        let subs = sqlx::query(
            "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'active' AND expires_at > $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS active, \
                    CAST(COALESCE(SUM(CASE WHEN started_at >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS started, \
                    CAST(COALESCE(SUM(CASE WHEN status <> 'active' AND updated_at >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS ended \
             FROM subscriptions",
        )
        .bind(since)
        .bind(now.as_millis())
        .fetch_one(self.pool())
        .await?;
        let pending = sqlx::query(
            "SELECT c.title AS title, CAST(SUM(a.owner_usd_micros) AS BIGINT) AS pending \
             FROM accumulations a JOIN channels c ON c.id = a.channel_id \
             WHERE a.state <> 'paid' GROUP BY c.id, c.title \
             ORDER BY pending DESC, c.title LIMIT 10",
        )
        .fetch_all(self.pool())
        .await?;
        let counts = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM jobs WHERE state = 'failed') AS failed, \
                    (SELECT COUNT(*) FROM alerts WHERE resolved_at IS NULL) AS alerts",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(PlatformStats {
            revenue: sum(&money, "revenue")?,
            fees: sum(&money, "fees")?,
            payments_by_status: statuses
                .iter()
                .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
                .collect::<StoreResult<_>>()?,
            active_subscriptions: subs.try_get("active")?,
            new_subscriptions: subs.try_get("started")?,
            churned: subs.try_get("ended")?,
            pending_by_channel: pending
                .iter()
                .map(|r| Ok((r.try_get("title")?, sum(r, "pending")?)))
                .collect::<StoreResult<_>>()?,
            failed_jobs: counts.try_get("failed")?,
            open_alerts: counts.try_get("alerts")?,
        })
    }

    pub async fn channel_figures(
        &self,
        channel_id: i64,
        now: UnixMillis,
    ) -> StoreResult<ChannelFigures> {
        let pay = sqlx::query(
            "SELECT CAST(COALESCE(SUM(p.value_usd_micros), 0) AS BIGINT) AS revenue, \
                    CAST(COALESCE(SUM(p.fee_usd_micros), 0) AS BIGINT) AS fees, \
                    COUNT(*) AS n, \
                    CAST(COALESCE(SUM(CASE WHEN p.value_usd_micros IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS unvalued, \
                    CAST(COALESCE(SUM(CASE WHEN p.granted_at >= $2 THEN p.owner_usd_micros ELSE 0 END), 0) AS BIGINT) AS recent \
             FROM payments p JOIN invoices i ON i.id = p.invoice_id \
             WHERE i.channel_id = $1 AND p.granted_at IS NOT NULL AND p.refunded_at IS NULL",
        )
        .bind(channel_id)
        .bind(now.as_millis().saturating_sub(30 * DAY_MS))
        .fetch_one(self.pool())
        .await?;
        let subs = sqlx::query(
            "SELECT COUNT(*) AS n FROM subscriptions WHERE channel_id = $1 AND status = 'active' AND expires_at > $2",
        )
        .bind(channel_id)
        .bind(now.as_millis())
        .fetch_one(self.pool())
        .await?;
        let pending = sqlx::query(
            "SELECT CAST(COALESCE(SUM(owner_usd_micros), 0) AS BIGINT) AS pending FROM accumulations \
             WHERE channel_id = $1 AND state <> 'paid'",
        )
        .bind(channel_id)
        .fetch_one(self.pool())
        .await?;
        let paid = sqlx::query(
            "SELECT CAST(COALESCE(SUM(usd_micros), 0) AS BIGINT) AS paid FROM payouts WHERE channel_id = $1 AND state = 'sent'",
        )
        .bind(channel_id)
        .fetch_one(self.pool())
        .await?;
        Ok(ChannelFigures {
            revenue: sum(&pay, "revenue")?,
            fees: sum(&pay, "fees")?,
            payments: pay.try_get("n")?,
            unvalued: pay.try_get("unvalued")?,
            active_subscribers: subs.try_get("n")?,
            pending: sum(&pending, "pending")?,
            paid_out: sum(&paid, "paid")?,
            owner_last_30d: sum(&pay, "recent")?,
        })
    }

    pub async fn payout_history(
        &self,
        channel_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<PayoutLine>> {
        let rows = sqlx::query(
            "SELECT id, channel_id, kind, state, usd_micros, source_currency, source_amount, dest_currency, \
                    dest_network, amount_sent, tx_hash, created_at, sent_at \
             FROM payouts WHERE channel_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(channel_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(payout_line).collect()
    }

    pub async fn payout_line(&self, payout_id: i64) -> StoreResult<Option<PayoutLine>> {
        let row = sqlx::query(
            "SELECT id, channel_id, kind, state, usd_micros, source_currency, source_amount, dest_currency, \
                    dest_network, amount_sent, tx_hash, created_at, sent_at \
             FROM payouts WHERE id = $1",
        )
        .bind(payout_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(payout_line).transpose()
    }

    /// The payments a payout paid: through its accumulations (batch or deferred) or directly
    /// (instant).
    pub async fn payout_payments(&self, payout_id: i64) -> StoreResult<Vec<PaymentLine>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PAYMENT_LINE_SELECT} WHERE p.id IN (SELECT payment_id FROM accumulations WHERE payout_id = $1) \
                OR p.id = (SELECT payment_id FROM payouts WHERE id = $1) ORDER BY p.granted_at, p.id"
        )))
        .bind(payout_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(payment_line).collect()
    }

    /// Every granted payment of a channel, oldest first (the CSV export).
    pub async fn channel_payments(&self, channel_id: i64) -> StoreResult<Vec<PaymentLine>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PAYMENT_LINE_SELECT} WHERE i.channel_id = $1 AND p.granted_at IS NOT NULL ORDER BY p.granted_at, p.id"
        )))
        .bind(channel_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(payment_line).collect()
    }
}

const PAYMENT_LINE_SELECT: &str = "SELECT p.id, p.np_payment_id, i.kind, p.granted_at, p.pay_currency, \
    p.actually_paid, p.value_usd_micros, p.fee_usd_micros, p.owner_usd_micros, p.refunded_at, \
    COALESCE(a.payout_id, po.id) AS payout_id \
    FROM payments p JOIN invoices i ON i.id = p.invoice_id \
    LEFT JOIN accumulations a ON a.payment_id = p.id \
    LEFT JOIN payouts po ON po.payment_id = p.id";

fn payout_line(r: &sqlx::any::AnyRow) -> StoreResult<PayoutLine> {
    Ok(PayoutLine {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        kind: r.try_get("kind")?,
        state: super::state_column(r, "state")?,
        usd: sum(r, "usd_micros")?,
        source_currency: r.try_get("source_currency")?,
        source_amount: r.try_get("source_amount")?,
        dest_currency: r.try_get("dest_currency")?,
        dest_network: r.try_get("dest_network")?,
        amount_sent: r.try_get("amount_sent")?,
        tx_hash: r.try_get("tx_hash")?,
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
        sent_at: r
            .try_get::<Option<i64>, _>("sent_at")?
            .map(UnixMillis::from_millis),
    })
}

fn payment_line(r: &sqlx::any::AnyRow) -> StoreResult<PaymentLine> {
    let usd = |c: &str| -> StoreResult<Option<UsdMicros>> {
        Ok(r.try_get::<Option<i64>, _>(c)?.map(UsdMicros::from_micros))
    };
    Ok(PaymentLine {
        payment_id: r.try_get("id")?,
        np_payment_id: r.try_get("np_payment_id")?,
        kind: r.try_get("kind")?,
        granted_at: r
            .try_get::<Option<i64>, _>("granted_at")?
            .map(UnixMillis::from_millis),
        pay_currency: r.try_get("pay_currency")?,
        actually_paid: r.try_get("actually_paid")?,
        value: usd("value_usd_micros")?,
        fee: usd("fee_usd_micros")?,
        owner: usd("owner_usd_micros")?,
        refunded: r.try_get::<Option<i64>, _>("refunded_at")?.is_some(),
        payout_id: r.try_get("payout_id")?,
    })
}

/// When the pending balance reaches the threshold at the pace of the last 30 days: `None`
/// without any recent income, `Some(now)` when it already has.
pub fn next_payout_estimate(
    pending: UsdMicros,
    threshold: UsdMicros,
    last_30d: UsdMicros,
    now: UnixMillis,
) -> Option<UnixMillis> {
    let missing = threshold.micros().saturating_sub(pending.micros());
    if missing <= 0 {
        return Some(now);
    }
    if last_30d.micros() <= 0 {
        return None;
    }
    // days = ceil(missing / (last_30d / 30)) = ceil(missing * 30 / last_30d)
    let num = i128::from(missing) * 30;
    let den = i128::from(last_30d.micros());
    let days = (num + den - 1) / den;
    let days = u64::try_from(days).ok()?;
    Some(now.saturating_add(Duration::from_secs(days.checked_mul(86_400)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_follows_the_pace() {
        let now = UnixMillis::from_millis(0);
        let d = |n: u64| Some(now.saturating_add(Duration::from_secs(n * 86_400)));
        // $30 in 30 days = $1/day; $5 missing → 5 days.
        assert_eq!(
            next_payout_estimate(
                UsdMicros::from_cents(1500),
                UsdMicros::from_cents(2000),
                UsdMicros::from_cents(3000),
                now
            ),
            d(5)
        );
        // Rounds up: $0.50 missing at $1/day → 1 day.
        assert_eq!(
            next_payout_estimate(
                UsdMicros::from_cents(1950),
                UsdMicros::from_cents(2000),
                UsdMicros::from_cents(3000),
                now
            ),
            d(1)
        );
        assert_eq!(
            next_payout_estimate(
                UsdMicros::from_cents(2500),
                UsdMicros::from_cents(2000),
                UsdMicros::ZERO,
                now
            ),
            Some(now)
        );
        assert_eq!(
            next_payout_estimate(
                UsdMicros::ZERO,
                UsdMicros::from_cents(2000),
                UsdMicros::ZERO,
                now
            ),
            None
        );
    }
}
