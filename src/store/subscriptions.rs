//! Subscriptions: who may be in which channel until when, at which locked price.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Db, StoreError, StoreResult};
use crate::domain::money::UsdMicros;
use crate::domain::states::SubscriptionStatus;
use crate::domain::time::UnixMillis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub user_id: i64,
    pub channel_id: i64,
    pub tier_id: Option<i64>,
    pub locked_price: UsdMicros,
    pub locked_days: u32,
    pub status: SubscriptionStatus,
    pub expires_at: UnixMillis,
    pub removed_at: Option<UnixMillis>,
    /// The end of the grace that follows `expires_at`, once it started (issue 15).
    pub grace_until: Option<UnixMillis>,
}

impl Subscription {
    /// The subscriber has access now: paid time left, or in the grace after it.
    pub fn is_active(&self, now: UnixMillis) -> bool {
        self.status == SubscriptionStatus::Active && (self.expires_at > now || self.in_grace(now))
    }

    /// The paid time ran out and the grace after it still runs.
    pub fn in_grace(&self, now: UnixMillis) -> bool {
        self.status == SubscriptionStatus::Active
            && self.expires_at <= now
            && self.grace_until.is_some_and(|g| g > now)
    }
}

pub(crate) const SUBSCRIPTION_COLUMNS: &str = "id, user_id, channel_id, tier_id, \
    locked_price_usd_micros, locked_days, status, expires_at, removed_at, grace_from, grace_until";

pub(crate) fn subscription_from_row(r: &AnyRow) -> StoreResult<Subscription> {
    let days: i64 = r.try_get("locked_days")?;
    let expires_at: i64 = r.try_get("expires_at")?;
    // A grace belongs to the end it follows; after a renewal the old one is history.
    let grace_until = if r.try_get::<Option<i64>, _>("grace_from")? == Some(expires_at) {
        r.try_get::<Option<i64>, _>("grace_until")?
            .map(UnixMillis::from_millis)
    } else {
        None
    };
    Ok(Subscription {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        channel_id: r.try_get("channel_id")?,
        tier_id: r.try_get("tier_id")?,
        locked_price: UsdMicros::from_micros(r.try_get("locked_price_usd_micros")?),
        locked_days: u32::try_from(days)
            .map_err(|_| StoreError::Corrupt(format!("locked days {days}")))?,
        status: super::state_column(r, "status")?,
        expires_at: UnixMillis::from_millis(expires_at),
        removed_at: r
            .try_get::<Option<i64>, _>("removed_at")?
            .map(UnixMillis::from_millis),
        grace_until,
    })
}

impl Db {
    pub async fn subscription(&self, id: i64) -> StoreResult<Option<Subscription>> {
        let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(subscription_from_row).transpose()
    }

    pub async fn subscription_of(
        &self,
        user_id: i64,
        channel_id: i64,
    ) -> StoreResult<Option<Subscription>> {
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE user_id = $1 AND channel_id = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(channel_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(subscription_from_row).transpose()
    }

    /// Active subscriptions whose time ran out and that are not in a grace (see
    /// `due_grace_ends` for those): (id, expires_at), oldest first.
    pub async fn due_expirations(
        &self,
        now: UnixMillis,
        limit: u32,
    ) -> StoreResult<Vec<(i64, UnixMillis)>> {
        let sql = format!(
            "SELECT id, expires_at FROM subscriptions WHERE status = 'active' AND expires_at <= $1 \
             AND (grace_from IS NULL OR grace_from <> expires_at) ORDER BY expires_at, id LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now.as_millis())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, UnixMillis::from_millis(r.try_get(1)?))))
            .collect()
    }

    /// Ends a subscription — only if it still expires at `expires_at` (a renewal in between
    /// changed that, and then nobody is removed). True when this call ended it.
    pub async fn end_subscription(
        &self,
        id: i64,
        expires_at: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let res = sqlx::query(
            "UPDATE subscriptions SET status = 'expired', removed_at = $1, updated_at = $1 \
             WHERE id = $2 AND expires_at = $3 AND status = 'active'",
        )
        .bind(now.as_millis())
        .bind(id)
        .bind(expires_at.as_millis())
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// The user's subscriptions that are still running (or in their grace), soonest expiry
    /// first.
    pub async fn active_subscriptions(
        &self,
        user_id: i64,
        now: UnixMillis,
    ) -> StoreResult<Vec<Subscription>> {
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE user_id = $1 AND status = 'active' \
             AND (expires_at > $2 OR (grace_from = expires_at AND grace_until > $2)) \
             ORDER BY expires_at, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(now.as_millis())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(subscription_from_row).collect()
    }

    /// How many grants (paid extensions) a subscription has had.
    pub async fn grant_count(&self, subscription_id: i64) -> StoreResult<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) FROM subscription_grants WHERE subscription_id = $1")
                .bind(subscription_id)
                .fetch_one(self.pool())
                .await?;
        Ok(row.try_get(0)?)
    }
}
