//! Free trials (issue 15): a tier's trial length (0 = none), the one trial a user may have per
//! channel, ever (the `trials` table's UNIQUE key keeps it, even for two presses at once), and
//! the owner's counts. A trial moves no money: it only starts or reactivates a subscription.
//! The functions that take a transaction run in the caller's (see `access::trial`).

use sqlx::{Any, Row, Transaction};

use super::{Backend, Db, StoreError, StoreResult};
use crate::domain::ids::new_id;
use crate::domain::money::UsdMicros;
use crate::domain::time::UnixMillis;

type Tx = Transaction<'static, Any>;

/// The longest trial an owner may give (days).
pub const MAX_TRIAL_DAYS: u32 = 30;

/// A live tier as a trial needs it, read inside the trial's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrialTier {
    pub tier_id: i64,
    pub channel_id: i64,
    pub owner_id: i64,
    pub price: UsdMicros,
    pub days: u32,
    pub trial_days: u32,
    /// The channel takes new subscribers now (not paused by its owner or an operator, the
    /// bot has its rights, not deleted).
    pub on_sale: bool,
}

/// A started trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trial {
    pub id: i64,
    pub user_id: i64,
    pub channel_id: i64,
    pub tier_id: i64,
    pub subscription_id: i64,
    pub days: u32,
    pub started_at: UnixMillis,
    pub ends_at: UnixMillis,
}

/// What the owner's statement shows about a channel's trials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrialCounts {
    /// Trials ever started in the channel.
    pub started: i64,
    /// Of those, the users who later had a granted payment for the channel.
    pub converted: i64,
}

fn days_of(v: i64) -> StoreResult<u32> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("trial days {v}")))
}

impl Db {
    /// `(tier id, trial days)` of the channel's live tiers, in position order (0 = no trial).
    pub async fn trial_days(&self, channel_id: i64) -> StoreResult<Vec<(i64, u32)>> {
        let rows = sqlx::query(
            "SELECT id, trial_days FROM tiers WHERE channel_id = $1 AND removed_at IS NULL \
             ORDER BY position",
        )
        .bind(channel_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, days_of(r.try_get("trial_days")?)?)))
            .collect()
    }

    /// Sets the trial length of a live tier whose channel belongs to `owner_id` (0 clears
    /// it). False when the tier is gone or not the owner's; the caller validated `days`.
    pub async fn owner_set_trial_days(
        &self,
        owner_id: i64,
        tier_id: i64,
        days: u32,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        if days > MAX_TRIAL_DAYS {
            return Err(StoreError::Conflict(format!("trial of {days} days")));
        }
        let res = sqlx::query(
            "UPDATE tiers SET trial_days = $1, updated_at = $2 \
             WHERE id = $3 AND removed_at IS NULL AND channel_id IN \
               (SELECT id FROM channels WHERE owner_id = $4 AND deleted_at IS NULL)",
        )
        .bind(i64::from(days))
        .bind(now.as_millis())
        .bind(tier_id)
        .bind(owner_id)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// The user's trial in the channel, if they ever had one.
    pub async fn trial_of(&self, user_id: i64, channel_id: i64) -> StoreResult<Option<Trial>> {
        let row = sqlx::query(
            "SELECT id, user_id, channel_id, tier_id, subscription_id, days, started_at, ends_at \
             FROM trials WHERE user_id = $1 AND channel_id = $2",
        )
        .bind(user_id)
        .bind(channel_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(Trial {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                channel_id: r.try_get("channel_id")?,
                tier_id: r.try_get("tier_id")?,
                subscription_id: r.try_get("subscription_id")?,
                days: days_of(r.try_get("days")?)?,
                started_at: UnixMillis::from_millis(r.try_get("started_at")?),
                ends_at: UnixMillis::from_millis(r.try_get("ends_at")?),
            })
        })
        .transpose()
    }

    /// Trials started in the channel, and how many of those users later had a payment for
    /// it granted (a subscription or its top-up; refunded payments do not count). Read from
    /// the payments as they are: nothing on the payment path marks a conversion.
    pub async fn trial_counts(&self, channel_id: i64) -> StoreResult<TrialCounts> {
        let started: i64 = sqlx::query("SELECT COUNT(*) FROM trials WHERE channel_id = $1")
            .bind(channel_id)
            .fetch_one(self.pool())
            .await?
            .try_get(0)?;
        let converted: i64 = sqlx::query(
            "SELECT COUNT(*) FROM trials t WHERE t.channel_id = $1 AND EXISTS ( \
               SELECT 1 FROM payments p JOIN invoices i ON i.id = p.invoice_id \
               WHERE i.user_id = t.user_id AND i.channel_id = t.channel_id \
                 AND i.kind IN ('subscription', 'topup') \
                 AND p.granted_at IS NOT NULL AND p.granted_at >= t.started_at \
                 AND p.refunded_at IS NULL)",
        )
        .bind(channel_id)
        .fetch_one(self.pool())
        .await?
        .try_get(0)?;
        Ok(TrialCounts { started, converted })
    }
}

/// The live tier `tier_id` with its channel's sale state, or None when the tier is gone.
pub async fn trial_tier_in(tx: &mut Tx, tier_id: i64) -> StoreResult<Option<TrialTier>> {
    let row = sqlx::query(
        "SELECT t.id, t.channel_id, c.owner_id, t.price_usd_micros, t.days, t.trial_days, \
           c.deleted_at, c.sales_paused, c.admin_paused, c.rights_lost_at \
         FROM tiers t JOIN channels c ON c.id = t.channel_id \
         WHERE t.id = $1 AND t.removed_at IS NULL",
    )
    .bind(tier_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok(TrialTier {
            tier_id: r.try_get("id")?,
            channel_id: r.try_get("channel_id")?,
            owner_id: r.try_get("owner_id")?,
            price: UsdMicros::from_micros(r.try_get("price_usd_micros")?),
            days: days_of(r.try_get("days")?)?,
            trial_days: days_of(r.try_get("trial_days")?)?,
            on_sale: r.try_get::<Option<i64>, _>("deleted_at")?.is_none()
                && !super::flag(r.try_get("sales_paused")?)
                && !super::flag(r.try_get("admin_paused")?)
                && r.try_get::<Option<i64>, _>("rights_lost_at")?.is_none(),
        })
    })
    .transpose()
}

/// Locks the user's row for the rest of the transaction, so two trial presses of one user
/// (on two replicas) run one after the other (SQLite's write transaction already does).
pub async fn lock_user(tx: &mut Tx, backend: Backend, user_id: i64) -> StoreResult<()> {
    let sql = format!("SELECT id FROM users WHERE id = $1{}", backend.for_update());
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(())
}

/// Whether the user ever had a trial in the channel.
pub async fn had_trial_in(tx: &mut Tx, user_id: i64, channel_id: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM trials WHERE user_id = $1 AND channel_id = $2")
        .bind(user_id)
        .bind(channel_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    Ok(n > 0)
}

/// Creates the user's subscription to the tier's channel for the trial (locked at the tier's
/// price and length, which the reminders' buy button then offers), ending at `ends_at` —
/// unless the user already has a subscription row there (the caller then locks it and
/// decides). Insert-or-nothing on the (user, channel) key, like a paid grant. `Some(id)`
/// when it was created.
pub async fn create_trial_subscription(
    tx: &mut Tx,
    user_id: i64,
    tier: &TrialTier,
    ends_at: UnixMillis,
    now: UnixMillis,
) -> StoreResult<Option<i64>> {
    let id = new_id();
    let created = sqlx::query(
        "INSERT INTO subscriptions (id, user_id, channel_id, tier_id, locked_price_usd_micros, \
           locked_days, status, started_at, expires_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $7, $7) \
         ON CONFLICT (user_id, channel_id) DO NOTHING",
    )
    .bind(id)
    .bind(user_id)
    .bind(tier.channel_id)
    .bind(tier.tier_id)
    .bind(tier.price.micros())
    .bind(i64::from(tier.days))
    .bind(now.as_millis())
    .bind(ends_at.as_millis())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    Ok(created.then_some(id))
}

/// Records the trial. False when the user already had one in this channel (the UNIQUE key
/// decided; the caller then rolls back everything else it did).
pub async fn insert_trial(tx: &mut Tx, trial: &Trial) -> StoreResult<bool> {
    let res = sqlx::query(
        "INSERT INTO trials (id, user_id, channel_id, tier_id, subscription_id, days, started_at, ends_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, channel_id) DO NOTHING",
    )
    .bind(trial.id)
    .bind(trial.user_id)
    .bind(trial.channel_id)
    .bind(trial.tier_id)
    .bind(trial.subscription_id)
    .bind(i64::from(trial.days))
    .bind(trial.started_at.as_millis())
    .bind(trial.ends_at.as_millis())
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected() == 1)
}
