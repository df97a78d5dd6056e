//! What an owner changes about a channel after registering it. Every function here takes the
//! owner's id and changes nothing unless the channel belongs to that owner (SPEC §2.10): the
//! check is in the SQL itself, so no caller can forget it.

use sqlx::Row;

use super::channels::{AccessMode, Channel, NewTier, PayoutSettings, PayoutStrategy};
use super::{Db, StoreError, StoreResult, flag_value};
use crate::domain::ids::new_id;
use crate::domain::time::UnixMillis;
use crate::store::outbox::{self, Notice};

/// Limits of what an owner types, equal to what the database keeps (lesson 54).
pub const MAX_TITLE_CHARS: usize = 128;
pub const MAX_DESCRIPTION_CHARS: usize = 500;

impl Db {
    /// The owner's live channels, oldest first.
    pub async fn channels_of_owner(&self, owner_id: i64) -> StoreResult<Vec<Channel>> {
        let ids: Vec<i64> = sqlx::query(
            "SELECT id FROM channels WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
        )
        .bind(owner_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("id"))
        .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = self.channel(id).await? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The channel when it is live and belongs to `owner_id`; `None` otherwise (also for
    /// someone else's channel: the caller cannot tell the two apart, and neither can a prober).
    pub async fn owned_channel(&self, owner_id: i64, id: i64) -> StoreResult<Option<Channel>> {
        Ok(self
            .channel(id)
            .await?
            .filter(|c| c.owner_id == owner_id && !c.deleted))
    }

    async fn owned_update(
        &self,
        owner_id: i64,
        id: i64,
        set: &'static str,
        bind: impl FnOnce(
            sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>,
        ) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let sql = format!(
            "UPDATE channels SET {set}, updated_at = $1 WHERE id = $2 AND owner_id = $3 AND deleted_at IS NULL"
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now.as_millis())
            .bind(id)
            .bind(owner_id);
        Ok(bind(q).execute(self.pool()).await?.rows_affected() == 1)
    }

    pub async fn owner_set_paused(
        &self,
        owner_id: i64,
        id: i64,
        paused: bool,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        self.owned_update(
            owner_id,
            id,
            "sales_paused = $4",
            |q| q.bind(flag_value(paused)),
            now,
        )
        .await
    }

    pub async fn owner_set_notify(
        &self,
        owner_id: i64,
        id: i64,
        on: bool,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        self.owned_update(
            owner_id,
            id,
            "notify_payments = $4",
            |q| q.bind(flag_value(on)),
            now,
        )
        .await
    }

    pub async fn owner_set_access_mode(
        &self,
        owner_id: i64,
        id: i64,
        mode: AccessMode,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        self.owned_update(
            owner_id,
            id,
            "access_mode = $4",
            |q| q.bind(mode.as_str()),
            now,
        )
        .await
    }

    pub async fn owner_set_title(
        &self,
        owner_id: i64,
        id: i64,
        title: &str,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let title = title.to_owned();
        self.owned_update(owner_id, id, "title = $4", |q| q.bind(title), now)
            .await
    }

    pub async fn owner_set_description(
        &self,
        owner_id: i64,
        id: i64,
        description: &str,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let d = description.to_owned();
        self.owned_update(owner_id, id, "description = $4", |q| q.bind(d), now)
            .await
    }

    /// Remembers where the offer message now is.
    pub async fn owner_set_offer(
        &self,
        owner_id: i64,
        id: i64,
        chat_id: i64,
        message_id: i64,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        self.owned_update(
            owner_id,
            id,
            "offer_chat_id = $4, offer_message_id = $5",
            |q| q.bind(chat_id).bind(message_id),
            now,
        )
        .await
    }

    /// Where the current offer message is, if any.
    pub async fn offer_message(&self, id: i64) -> StoreResult<Option<(i64, i64)>> {
        let r = sqlx::query("SELECT offer_chat_id, offer_message_id FROM channels WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(match r {
            Some(r) => {
                let c: Option<i64> = r.try_get("offer_chat_id")?;
                let m: Option<i64> = r.try_get("offer_message_id")?;
                c.zip(m)
            }
            None => None,
        })
    }

    /// Replaces the tiers position by position: a position that stays keeps its row (so the
    /// subscribers who bought it keep renewing at their locked price), new positions get new
    /// rows, and positions beyond the new list are retired (kept for history).
    pub async fn owner_replace_tiers(
        &self,
        owner_id: i64,
        id: i64,
        tiers: &[NewTier],
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let owned = sqlx::query(
            "UPDATE channels SET updated_at = $1 WHERE id = $2 AND owner_id = $3 AND deleted_at IS NULL",
        )
        .bind(now.as_millis())
        .bind(id)
        .bind(owner_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !owned {
            return Ok(false);
        }
        let existing: Vec<(i64, i64)> = sqlx::query(
            "SELECT id, position FROM tiers WHERE channel_id = $1 AND removed_at IS NULL",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("position")?)))
        .collect::<Result<_, sqlx::Error>>()?;
        for (tier_id, position) in &existing {
            let keep = usize::try_from(*position).is_ok_and(|p| p >= 1 && p <= tiers.len());
            if !keep {
                sqlx::query("UPDATE tiers SET removed_at = $1, updated_at = $1 WHERE id = $2")
                    .bind(now.as_millis())
                    .bind(tier_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for (i, t) in tiers.iter().enumerate() {
            let position =
                i64::try_from(i + 1).map_err(|_| StoreError::Corrupt("tier position".into()))?;
            match existing.iter().find(|(_, p)| *p == position) {
                Some((tier_id, _)) => {
                    sqlx::query(
                        "UPDATE tiers SET price_usd_micros = $1, days = $2, updated_at = $3 WHERE id = $4",
                    )
                    .bind(t.price.micros())
                    .bind(i64::from(t.days))
                    .bind(now.as_millis())
                    .bind(tier_id)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO tiers (id, channel_id, position, price_usd_micros, days, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    )
                    .bind(new_id())
                    .bind(id)
                    .bind(position)
                    .bind(t.price.micros())
                    .bind(i64::from(t.days))
                    .bind(now.as_millis())
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// New payout settings. Accumulations already made keep the wallet they were made for;
    /// the owner is told about the change (a notice in the same transaction).
    pub async fn owner_set_payout(
        &self,
        owner_id: i64,
        id: i64,
        p: &PayoutSettings,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let (strategy, threshold) = match p.strategy {
            PayoutStrategy::Instant => ("instant", None),
            PayoutStrategy::Threshold(t) => ("threshold", Some(t.micros())),
        };
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE channels SET payout_currency = $1, payout_network = $2, payout_address = $3, \
               payout_extra_id = $4, payout_strategy = $5, threshold_usd_micros = $6, updated_at = $7 \
             WHERE id = $8 AND owner_id = $9 AND deleted_at IS NULL",
        )
        .bind(&p.currency)
        .bind(&p.network)
        .bind(&p.address)
        .bind(p.extra_id.as_deref())
        .bind(strategy)
        .bind(threshold)
        .bind(now.as_millis())
        .bind(id)
        .bind(owner_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if changed {
            outbox::enqueue(
                &mut tx,
                id,
                Notice::WalletChanged {
                    currency: p.currency.clone(),
                    network: p.network.clone(),
                    address: p.address.clone(),
                },
                &format!("wallet:{id}:{}", now.as_millis()),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Whether money of this channel is still on its way to the owner: an accumulation not
    /// yet paid, or a payout not yet finished.
    pub async fn money_pending(&self, id: i64) -> StoreResult<bool> {
        let r = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM accumulations WHERE channel_id = $1 AND state <> 'paid') \
                  + (SELECT COUNT(*) FROM payouts WHERE channel_id = $1 AND state NOT IN ('sent', 'cancelled')) AS n",
        )
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        Ok(r.try_get::<i64, _>("n")? > 0)
    }

    /// Deletes (retires) the channel: refused with `Conflict` while money is pending for it.
    /// Queues the owner's menu check in the same transaction.
    pub async fn owner_delete_channel(
        &self,
        owner_id: i64,
        id: i64,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        if self.owned_channel(owner_id, id).await?.is_none() {
            return Ok(false);
        }
        if self.money_pending(id).await? {
            return Err(StoreError::Conflict(
                "money is pending for this channel".into(),
            ));
        }
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query(
            "UPDATE channels SET deleted_at = $1, sales_paused = 1, updated_at = $1 \
             WHERE id = $2 AND owner_id = $3 AND deleted_at IS NULL",
        )
        .bind(now.as_millis())
        .bind(id)
        .bind(owner_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if deleted {
            // Their last channel gone, the owner's menu goes back to everyone's (the job
            // looks at what is left when it runs).
            outbox::enqueue_menu(
                &mut tx,
                owner_id,
                Some(&format!("channel:{id}:deleted")),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(deleted)
    }

    /// Whether `owner_id` has a live (not deleted) channel.
    pub async fn has_live_channels(&self, owner_id: i64) -> StoreResult<bool> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n FROM channels WHERE owner_id = $1 AND deleted_at IS NULL",
        )
        .bind(owner_id)
        .fetch_one(self.pool())
        .await?;
        Ok(r.try_get::<i64, _>("n")? > 0)
    }

    /// Everyone with a live channel, by id.
    pub async fn owners_with_live_channels(&self) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query(
            "SELECT DISTINCT owner_id FROM channels WHERE deleted_at IS NULL ORDER BY owner_id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("owner_id"))
        .collect::<Result<_, _>>()?)
    }
}
