//! Broadcasts (issue 15): an owner's message to a channel's subscribers, its recipients (one
//! `broadcast_deliveries` row each, written when the owner confirms) and the subscribers who
//! turned a channel's broadcasts off. A broadcast moves no money.
//!
//! Exactly-once is impossible against Telegram (a send has no idempotency key), so delivery is
//! AT MOST once per recipient: a row is claimed (`pending` → `sending`) in its own committed
//! statement before the send and marked after it; a row a later run finds `sending` belongs to
//! a run that died around its send and becomes `unknown`, never sent again.

use sqlx::Row;

use super::jobs::{NewJob, enqueue_job};
use super::{Db, StoreError, StoreResult};
use crate::domain::ids::new_id;
use crate::domain::job::Job;
use crate::domain::lang::Lang;
use crate::domain::states::{BroadcastState, DeliveryState};
use crate::domain::time::UnixMillis;

/// The admin log's words for the daily limit of a channel.
pub const LIMIT_IN_FORCE: &str = "one broadcast a day: limit in force";
pub const LIMIT_LIFTED: &str = "limit lifted: the owner may broadcast again";

/// One day in milliseconds: at most one broadcast per channel in any such window.
pub const DAY_MS: i64 = 86_400_000;
/// The longest win-back window an owner may pick (days).
pub const MAX_LAPSED_DAYS: u32 = 90;

/// Who a broadcast goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Subscribers whose subscription runs now.
    Active,
    /// Subscribers whose subscription ended in the last `days` days (win-back).
    Lapsed { days: u32 },
}

impl Audience {
    fn word(self) -> &'static str {
        match self {
            Audience::Active => "active",
            Audience::Lapsed { .. } => "lapsed",
        }
    }

    fn days(self) -> Option<i64> {
        match self {
            Audience::Active => None,
            Audience::Lapsed { days } => Some(i64::from(days)),
        }
    }

    /// The WHERE clause on `subscriptions s` (binds `$now` and `$since` by the given numbers).
    fn condition(self, now: &str, since: &str) -> String {
        match self {
            Audience::Active => format!("s.status = 'active' AND s.expires_at > {now}"),
            Audience::Lapsed { .. } => format!(
                "s.status IN ('active', 'expired') AND s.expires_at <= {now} \
                 AND s.expires_at > {since}"
            ),
        }
    }

    fn since(self, now: UnixMillis) -> i64 {
        match self {
            Audience::Active => now.as_millis(),
            Audience::Lapsed { days } => now
                .as_millis()
                .saturating_sub(i64::from(days).saturating_mul(DAY_MS)),
        }
    }
}

/// A broadcast as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadcast {
    pub id: i64,
    pub channel_id: i64,
    pub owner_id: i64,
    pub audience: Audience,
    pub body: String,
    pub photo_file_id: Option<String>,
    pub state: BroadcastState,
    pub recipients: i64,
    pub delivered: i64,
    pub blocked: i64,
    pub failed: i64,
    pub confirmed_at: Option<UnixMillis>,
    pub finished_at: Option<UnixMillis>,
    pub reported_at: Option<UnixMillis>,
}

/// A recipient waiting for their message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDelivery {
    pub user_id: i64,
    /// Their tier in the channel (the renew button of a win-back message).
    pub tier_id: Option<i64>,
    pub lang: Lang,
}

/// What confirming a draft did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// The recipients are written and the delivery job queued; `recipients` will be sent to
    /// (those known to have blocked the bot are recorded, not counted here).
    Started { recipients: i64 },
    /// Not a draft of this owner any more (already sent, cancelled, or not theirs).
    NotDraft,
    /// The channel had a broadcast within the last 24 hours (confirmed at `last`).
    DailyLimit { last: UnixMillis },
    /// Nobody to send it to.
    NoRecipients,
}

/// How a broadcast ended, counted from its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BroadcastCounts {
    pub delivered: i64,
    pub blocked: i64,
    /// Refused by Telegram, or `unknown` (a run died around the send).
    pub failed: i64,
}

const COLUMNS: &str = "id, channel_id, owner_id, audience, lapsed_days, body, photo_file_id, \
    state, recipients, delivered, blocked, failed, confirmed_at, finished_at, reported_at";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Broadcast> {
    let audience: String = r.try_get("audience")?;
    let days: Option<i64> = r.try_get("lapsed_days")?;
    let audience = match (audience.as_str(), days) {
        ("active", None) => Audience::Active,
        ("lapsed", Some(d)) => Audience::Lapsed {
            days: u32::try_from(d).map_err(|_| StoreError::Corrupt(format!("lapsed days {d}")))?,
        },
        (a, d) => return Err(StoreError::Corrupt(format!("audience {a} {d:?}"))),
    };
    let state: String = r.try_get("state")?;
    let ms = |name: &str| -> StoreResult<Option<UnixMillis>> {
        Ok(r.try_get::<Option<i64>, _>(name)?
            .map(UnixMillis::from_millis))
    };
    Ok(Broadcast {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        owner_id: r.try_get("owner_id")?,
        audience,
        body: r.try_get("body")?,
        photo_file_id: r.try_get("photo_file_id")?,
        state: BroadcastState::parse(&state).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        recipients: r.try_get("recipients")?,
        delivered: r.try_get("delivered")?,
        blocked: r.try_get("blocked")?,
        failed: r.try_get("failed")?,
        confirmed_at: ms("confirmed_at")?,
        finished_at: ms("finished_at")?,
        reported_at: ms("reported_at")?,
    })
}

/// Subscribers of the audience who would get the message: reachable, not opted out.
fn recipients_from(audience: Audience) -> String {
    format!(
        "FROM subscriptions s JOIN users u ON u.id = s.user_id \
         WHERE s.channel_id = $1 AND u.unreachable = 0 AND {} \
           AND NOT EXISTS (SELECT 1 FROM broadcast_optouts o \
                           WHERE o.user_id = s.user_id AND o.channel_id = s.channel_id)",
        audience.condition("$2", "$3")
    )
}

impl Db {
    /// How many subscribers of `channel_id` the audience reaches now.
    pub async fn broadcast_audience_count(
        &self,
        channel_id: i64,
        audience: Audience,
        now: UnixMillis,
    ) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) {}", recipients_from(audience));
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(channel_id)
            .bind(now.as_millis())
            .bind(audience.since(now))
            .fetch_one(self.pool())
            .await?
            .try_get(0)?)
    }

    /// When the channel's last confirmed broadcast within 24 hours of `now` was confirmed.
    pub async fn last_broadcast_within_day(
        &self,
        channel_id: i64,
        now: UnixMillis,
    ) -> StoreResult<Option<UnixMillis>> {
        let mut conn = self.pool().acquire().await?;
        last_within_day(&mut conn, channel_id, now).await
    }

    /// Stores an owner's composed message as a draft (nothing is sent yet).
    pub async fn create_broadcast_draft(
        &self,
        owner_id: i64,
        channel_id: i64,
        audience: Audience,
        body: &str,
        photo_file_id: Option<&str>,
        now: UnixMillis,
    ) -> StoreResult<i64> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO broadcasts (id, channel_id, owner_id, audience, lapsed_days, body, \
               photo_file_id, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8)",
        )
        .bind(id)
        .bind(channel_id)
        .bind(owner_id)
        .bind(audience.word())
        .bind(audience.days())
        .bind(body)
        .bind(photo_file_id)
        .bind(now.as_millis())
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    pub async fn broadcast(&self, id: i64) -> StoreResult<Option<Broadcast>> {
        let sql = format!("SELECT {COLUMNS} FROM broadcasts WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// Cancels the owner's draft. False when it is not (any more) a draft of theirs.
    pub async fn cancel_broadcast_draft(&self, owner_id: i64, id: i64) -> StoreResult<bool> {
        let res = sqlx::query(
            "UPDATE broadcasts SET state = 'cancelled' \
             WHERE id = $1 AND owner_id = $2 AND state = 'draft'",
        )
        .bind(id)
        .bind(owner_id)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// The owner confirms a draft: in ONE transaction the channel is locked (two confirmations
    /// queue here), the daily limit is checked, the recipients are written and the delivery job
    /// is queued. Users known to have blocked the bot are written `blocked` and not sent to.
    pub async fn confirm_broadcast(
        &self,
        owner_id: i64,
        id: i64,
        now: UnixMillis,
        give_up_at: UnixMillis,
    ) -> StoreResult<ConfirmOutcome> {
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM broadcasts WHERE id = $1 AND owner_id = $2 AND state = 'draft'"
        );
        let Some(b) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(owner_id)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()?
        else {
            return Ok(ConfirmOutcome::NotDraft);
        };
        let lock = format!(
            "SELECT id FROM channels WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL{}",
            self.backend().for_update()
        );
        if sqlx::query(sqlx::AssertSqlSafe(lock))
            .bind(b.channel_id)
            .bind(owner_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            return Ok(ConfirmOutcome::NotDraft);
        }
        if let Some(last) = last_within_day(&mut tx, b.channel_id, now).await? {
            return Ok(ConfirmOutcome::DailyLimit { last });
        }
        // Everyone the audience reaches, plus those it would reach but who blocked the bot
        // (recorded as `blocked`, nothing sent).
        let snapshot = format!(
            "INSERT INTO broadcast_deliveries (broadcast_id, user_id, tier_id, state) \
             SELECT $4, s.user_id, s.tier_id, \
               CASE WHEN u.unreachable = 0 THEN 'pending' ELSE 'blocked' END \
             FROM subscriptions s JOIN users u ON u.id = s.user_id \
             WHERE s.channel_id = $1 AND {} \
               AND NOT EXISTS (SELECT 1 FROM broadcast_optouts o \
                               WHERE o.user_id = s.user_id AND o.channel_id = s.channel_id)",
            b.audience.condition("$2", "$3")
        );
        let written = sqlx::query(sqlx::AssertSqlSafe(snapshot))
            .bind(b.channel_id)
            .bind(now.as_millis())
            .bind(b.audience.since(now))
            .bind(b.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let recipients = i64::try_from(written).unwrap_or(i64::MAX);
        let to_send: i64 = sqlx::query(
            "SELECT COUNT(*) FROM broadcast_deliveries WHERE broadcast_id = $1 \
             AND state = 'pending'",
        )
        .bind(b.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if to_send == 0 {
            return Ok(ConfirmOutcome::NoRecipients);
        }
        sqlx::query(
            "UPDATE broadcasts SET state = 'sending', recipients = $1, confirmed_at = $2 \
             WHERE id = $3",
        )
        .bind(recipients)
        .bind(now.as_millis())
        .bind(b.id)
        .execute(&mut *tx)
        .await?;
        enqueue_job(
            &mut tx,
            &NewJob {
                job: Job::Broadcast { broadcast_id: b.id },
                unique_key: Some(format!("broadcast:{}", b.id)),
                run_at: now,
                give_up_at,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ConfirmOutcome::Started {
            recipients: to_send,
        })
    }

    /// Rows left `sending` by a run that died around its send become `unknown` (never sent
    /// again). Only the run holding the broadcast's job lease calls this.
    pub async fn abandon_sending_deliveries(
        &self,
        broadcast_id: i64,
        now: UnixMillis,
    ) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE broadcast_deliveries SET state = 'unknown', sent_at = $1, \
               error = 'the process stopped around this send; not sent again' \
             WHERE broadcast_id = $2 AND state = 'sending'",
        )
        .bind(now.as_millis())
        .bind(broadcast_id)
        .execute(self.pool())
        .await?
        .rows_affected())
    }

    /// Up to `limit` recipients still waiting, with their language.
    pub async fn pending_deliveries(
        &self,
        broadcast_id: i64,
        limit: u32,
    ) -> StoreResult<Vec<PendingDelivery>> {
        let rows = sqlx::query(
            "SELECT d.user_id, d.tier_id, u.language, u.language_code \
             FROM broadcast_deliveries d JOIN users u ON u.id = d.user_id \
             WHERE d.broadcast_id = $1 AND d.state = 'pending' ORDER BY d.user_id LIMIT $2",
        )
        .bind(broadcast_id)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let language: Option<String> = r.try_get("language")?;
                let code: Option<String> = r.try_get("language_code")?;
                Ok(PendingDelivery {
                    user_id: r.try_get("user_id")?,
                    tier_id: r.try_get("tier_id")?,
                    lang: Lang::negotiate(language.as_deref(), code.as_deref()),
                })
            })
            .collect()
    }

    /// Claims one recipient (`pending` → `sending`), committed before the send. False when
    /// the row is not pending (another run has it, or it is done).
    pub async fn claim_delivery(
        &self,
        broadcast_id: i64,
        user_id: i64,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        Ok(sqlx::query(
            "UPDATE broadcast_deliveries SET state = 'sending', claimed_at = $1 \
             WHERE broadcast_id = $2 AND user_id = $3 AND state = 'pending'",
        )
        .bind(now.as_millis())
        .bind(broadcast_id)
        .bind(user_id)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1)
    }

    /// Records how a claimed send ended (`sent`, `blocked`, `failed`), or hands the row back
    /// (`pending`) when Telegram certainly did not take it (a 429).
    pub async fn finish_delivery(
        &self,
        broadcast_id: i64,
        user_id: i64,
        state: DeliveryState,
        message_id: Option<i64>,
        error: Option<&str>,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let sent_at = (state != DeliveryState::Pending).then_some(now.as_millis());
        Ok(sqlx::query(
            "UPDATE broadcast_deliveries SET state = $1, message_id = $2, error = $3, \
               sent_at = $4 \
             WHERE broadcast_id = $5 AND user_id = $6 AND state = 'sending'",
        )
        .bind(state.as_str())
        .bind(message_id)
        .bind(error)
        .bind(sent_at)
        .bind(broadcast_id)
        .bind(user_id)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1)
    }

    /// Rows per state of a broadcast.
    pub async fn delivery_states(
        &self,
        broadcast_id: i64,
    ) -> StoreResult<Vec<(DeliveryState, i64)>> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM broadcast_deliveries WHERE broadcast_id = $1 \
             GROUP BY state ORDER BY state",
        )
        .bind(broadcast_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get("state")?;
                Ok((
                    DeliveryState::parse(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }

    /// Closes a broadcast whose rows are all done: its counts are written and it becomes
    /// `done`. None when rows still wait or it was closed before.
    pub async fn finish_broadcast(
        &self,
        broadcast_id: i64,
        now: UnixMillis,
    ) -> StoreResult<Option<BroadcastCounts>> {
        let states = self.delivery_states(broadcast_id).await?;
        let mut c = BroadcastCounts::default();
        for (state, n) in states {
            match state {
                DeliveryState::Pending | DeliveryState::Sending => return Ok(None),
                DeliveryState::Sent => c.delivered += n,
                DeliveryState::Blocked => c.blocked += n,
                DeliveryState::Failed | DeliveryState::Unknown => c.failed += n,
            }
        }
        let res = sqlx::query(
            "UPDATE broadcasts SET state = 'done', delivered = $1, blocked = $2, failed = $3, \
               finished_at = $4 \
             WHERE id = $5 AND state = 'sending'",
        )
        .bind(c.delivered)
        .bind(c.blocked)
        .bind(c.failed)
        .bind(now.as_millis())
        .bind(broadcast_id)
        .execute(self.pool())
        .await?;
        Ok((res.rows_affected() == 1).then_some(c))
    }

    /// The owner was told how the broadcast went.
    pub async fn mark_broadcast_reported(
        &self,
        broadcast_id: i64,
        now: UnixMillis,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE broadcasts SET reported_at = $1 WHERE id = $2")
            .bind(now.as_millis())
            .bind(broadcast_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Queues the next batch of a broadcast's delivery at `run_at`.
    pub async fn queue_broadcast_batch(
        &self,
        broadcast_id: i64,
        run_at: UnixMillis,
        give_up_at: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<()> {
        let mut conn = self.pool().acquire().await?;
        enqueue_job(
            &mut conn,
            &NewJob {
                job: Job::Broadcast { broadcast_id },
                unique_key: None,
                run_at,
                give_up_at,
            },
            now,
        )
        .await?;
        Ok(())
    }

    /// An operator lifts the channel's daily limit: the broadcasts that count toward it now
    /// stop counting, and the owner may send another at once. One admin log row in the same
    /// transaction, only when something changed; true when it did.
    pub async fn lift_broadcast_limit(
        &self,
        channel_id: i64,
        actor: super::admin_log::Actor,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        use crate::domain::states::AdminLogAction;
        let mut tx = self.begin_write().await?;
        let Some(last) = last_within_day(&mut tx, channel_id, now).await? else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE broadcasts SET limit_lifted_at = $1 \
             WHERE channel_id = $2 AND state IN ('sending', 'done') AND confirmed_at > $3 \
               AND limit_lifted_at IS NULL",
        )
        .bind(now.as_millis())
        .bind(channel_id)
        .bind(now.as_millis().saturating_sub(DAY_MS))
        .execute(&mut *tx)
        .await?;
        super::admin_log::record(
            &mut tx,
            actor,
            AdminLogAction::LiftBroadcastLimit,
            &format!("channel:{channel_id}"),
            Some(&format!("{LIMIT_IN_FORCE} (last broadcast {last})")),
            Some(LIMIT_LIFTED),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Turns a channel's broadcasts off (`off`) or back on for a user. True when it changed.
    pub async fn set_broadcast_optout(
        &self,
        user_id: i64,
        channel_id: i64,
        off: bool,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let res = if off {
            sqlx::query(
                "INSERT INTO broadcast_optouts (user_id, channel_id, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (user_id, channel_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(channel_id)
            .bind(now.as_millis())
            .execute(self.pool())
            .await?
        } else {
            sqlx::query("DELETE FROM broadcast_optouts WHERE user_id = $1 AND channel_id = $2")
                .bind(user_id)
                .bind(channel_id)
                .execute(self.pool())
                .await?
        };
        Ok(res.rows_affected() == 1)
    }

    /// Whether the user turned the channel's broadcasts off.
    pub async fn broadcast_opted_out(&self, user_id: i64, channel_id: i64) -> StoreResult<bool> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM broadcast_optouts WHERE user_id = $1 AND channel_id = $2",
        )
        .bind(user_id)
        .bind(channel_id)
        .fetch_one(self.pool())
        .await?
        .try_get(0)?;
        Ok(n > 0)
    }
}

async fn last_within_day(
    conn: &mut sqlx::AnyConnection,
    channel_id: i64,
    now: UnixMillis,
) -> StoreResult<Option<UnixMillis>> {
    let last: Option<i64> = sqlx::query(
        "SELECT MAX(confirmed_at) FROM broadcasts \
         WHERE channel_id = $1 AND state IN ('sending', 'done') AND confirmed_at > $2 \
           AND limit_lifted_at IS NULL",
    )
    .bind(channel_id)
    .bind(now.as_millis().saturating_sub(DAY_MS))
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    Ok(last.map(UnixMillis::from_millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_words_match_the_check() {
        assert_eq!(Audience::Active.word(), "active");
        assert_eq!(Audience::Lapsed { days: 3 }.word(), "lapsed");
        assert_eq!(Audience::Active.days(), None);
        let now = UnixMillis::from_millis(10 * DAY_MS);
        assert_eq!(
            Audience::Lapsed { days: 3 }.since(now),
            UnixMillis::from_millis(7 * DAY_MS).as_millis()
        );
    }

    #[test]
    fn state_words() {
        assert_eq!(BroadcastState::Sending.as_str(), "sending");
        assert_eq!(DeliveryState::Unknown.as_str(), "unknown");
    }
}
