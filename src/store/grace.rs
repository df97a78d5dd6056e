//! Grace period (issue 15): a channel's grace (0–72 hours, 0 = none) and the grace a
//! subscription is in. The grace is stored on the subscription when it ends (`grace_from` = the
//! end it follows, `grace_until` = its end), so an owner changing the setting later moves no
//! running grace; it is current only while `grace_from = expires_at` (a renewal moves
//! `expires_at` on). A subscription in its grace stays `active` with its paid end unchanged.

use sqlx::{Any, Row, Transaction};

use super::{Db, StoreError, StoreResult};
use crate::domain::time::UnixMillis;

type Tx = Transaction<'static, Any>;

/// The longest grace an owner may give (hours).
pub const MAX_GRACE_HOURS: u32 = 72;

/// One hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;

fn hours_of(v: i64) -> StoreResult<u32> {
    u32::try_from(v)
        .ok()
        .filter(|h| *h <= MAX_GRACE_HOURS)
        .ok_or_else(|| StoreError::Corrupt(format!("grace hours {v}")))
}

/// Where the paid days of a renewal start (SPEC §3.4 `max(now, expires_at)`, with the grace):
/// a subscription still running, or in its grace (`grace_end` in the future), is extended from
/// its original end, so the grace is not given twice; after the grace, from now. Should even
/// the extended end lie in the past (a plan shorter than the grace already used), the days
/// start now: a payment never buys only time already spent.
pub fn renewal_base(expires_at: i64, grace_end: Option<i64>, span: i64, now: UnixMillis) -> i64 {
    let now = now.as_millis();
    if expires_at >= now {
        return expires_at;
    }
    match grace_end {
        Some(end) if end > now && expires_at.saturating_add(span) > now => expires_at,
        _ => now,
    }
}

/// The end of the grace that follows the subscription's current end: the stored one when it
/// started, otherwise (the sweep has not reached it yet) what the channel's setting gives — no
/// grace after a free trial's end. `None` when there is none.
pub async fn grace_end_in(tx: &mut Tx, subscription_id: i64) -> StoreResult<Option<i64>> {
    let row = sqlx::query(
        "SELECT s.expires_at, s.grace_from, s.grace_until, c.grace_hours, \
           CAST(CASE WHEN EXISTS (SELECT 1 FROM trials t WHERE t.subscription_id = s.id \
             AND t.ends_at = s.expires_at) THEN 1 ELSE 0 END AS BIGINT) AS trial_end \
         FROM subscriptions s JOIN channels c ON c.id = s.channel_id WHERE s.id = $1",
    )
    .bind(subscription_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let expires_at: i64 = r.try_get("expires_at")?;
    let from: Option<i64> = r.try_get("grace_from")?;
    if from == Some(expires_at) {
        return Ok(r.try_get("grace_until")?);
    }
    let trial_end: i64 = r.try_get("trial_end")?;
    let hours = hours_of(r.try_get("grace_hours")?)?;
    if trial_end != 0 || hours == 0 {
        return Ok(None);
    }
    Ok(Some(
        expires_at.saturating_add(i64::from(hours).saturating_mul(HOUR_MS)),
    ))
}

impl Db {
    /// The channel's grace in hours (0 = none).
    pub async fn grace_hours(&self, channel_id: i64) -> StoreResult<u32> {
        let row = sqlx::query("SELECT grace_hours FROM channels WHERE id = $1")
            .bind(channel_id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => hours_of(r.try_get(0)?),
            None => Ok(0),
        }
    }

    /// Sets the grace of a live channel that belongs to `owner_id` (0 clears it). `Ok(None)`
    /// when the channel is gone or not the owner's, otherwise the grace it had before.
    pub async fn owner_set_grace_hours(
        &self,
        owner_id: i64,
        channel_id: i64,
        hours: u32,
        now: UnixMillis,
    ) -> StoreResult<Option<u32>> {
        if hours > MAX_GRACE_HOURS {
            return Err(StoreError::Conflict(format!("grace of {hours} hours")));
        }
        let mut tx = self.begin_write().await?;
        let before = sqlx::query(
            "SELECT grace_hours FROM channels WHERE id = $1 AND owner_id = $2 \
             AND deleted_at IS NULL",
        )
        .bind(channel_id)
        .bind(owner_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(before) = before else {
            return Ok(None);
        };
        let before = hours_of(before.try_get(0)?)?;
        if before != hours {
            sqlx::query("UPDATE channels SET grace_hours = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::from(hours))
                .bind(now.as_millis())
                .bind(channel_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(before))
    }

    /// Starts the grace that follows the end `expires_at` — only if the subscription still
    /// ends there, is active and is not in that grace already. True when this call started it
    /// (so the subscriber is told once).
    pub async fn start_grace(
        &self,
        subscription_id: i64,
        expires_at: UnixMillis,
        grace_until: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let res = sqlx::query(
            "UPDATE subscriptions SET grace_from = $1, grace_until = $2, updated_at = $3 \
             WHERE id = $4 AND expires_at = $1 AND status = 'active' \
               AND (grace_from IS NULL OR grace_from <> $1)",
        )
        .bind(expires_at.as_millis())
        .bind(grace_until.as_millis())
        .bind(now.as_millis())
        .bind(subscription_id)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// Active subscriptions whose grace ran out: (id, expires_at), oldest first.
    pub async fn due_grace_ends(
        &self,
        now: UnixMillis,
        limit: u32,
    ) -> StoreResult<Vec<(i64, UnixMillis)>> {
        let sql = format!(
            "SELECT id, expires_at FROM subscriptions WHERE status = 'active' \
             AND grace_until <= $1 AND grace_from = expires_at \
             ORDER BY grace_until, id LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now.as_millis())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, UnixMillis::from_millis(r.try_get(1)?))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::renewal_base;
    use crate::domain::time::UnixMillis;

    const H: i64 = super::HOUR_MS;
    const DAY: i64 = 24 * H;

    #[test]
    fn renewal_starts_at_the_original_end_in_the_grace_and_now_after_it() {
        let end = 1_000 * DAY;
        let at = |t: i64| UnixMillis::from_millis(t);
        // Still running: stacks on the end (as before).
        assert_eq!(renewal_base(end, None, 7 * DAY, at(end - H)), end);
        assert_eq!(renewal_base(end, Some(end + 24 * H), 7 * DAY, at(end)), end);
        // In the grace: from the original end, not from the payment.
        assert_eq!(
            renewal_base(end, Some(end + 24 * H), 7 * DAY, at(end + 5 * H)),
            end
        );
        // Grace over (or none): from now.
        assert_eq!(
            renewal_base(end, Some(end + 24 * H), 7 * DAY, at(end + 24 * H)),
            end + 24 * H
        );
        assert_eq!(renewal_base(end, None, 7 * DAY, at(end + H)), end + H);
        // A 1-day plan paid 50 hours into a 72-hour grace would end in the past: from now.
        assert_eq!(
            renewal_base(end, Some(end + 72 * H), DAY, at(end + 50 * H)),
            end + 50 * H
        );
        assert_eq!(
            renewal_base(end, Some(end + 72 * H), 3 * DAY, at(end + 50 * H)),
            end
        );
    }
}
