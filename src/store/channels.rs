//! Channels and their tiers: what is sold, by whom, and where the owner's money goes.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Db, StoreError, StoreResult, flag, flag_value};
use crate::domain::ids::{new_code, new_id};
use crate::domain::money::UsdMicros;
use crate::domain::time::UnixMillis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessMode {
    /// A personal link that creates a join request; the bot approves payers only.
    JoinRequest,
    /// A link for one member that expires after INVITE_TTL.
    OneTimeLink,
}

impl AccessMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessMode::JoinRequest => "join_request",
            AccessMode::OneTimeLink => "one_time_link",
        }
    }

    fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "join_request" => Ok(AccessMode::JoinRequest),
            "one_time_link" => Ok(AccessMode::OneTimeLink),
            other => Err(StoreError::Corrupt(format!("access mode {other}"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutStrategy {
    Instant,
    /// Accumulate until the owner's threshold, then pay in one batch.
    Threshold(UsdMicros),
}

/// Where and how an owner is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutSettings {
    pub currency: String,
    pub network: String,
    pub address: String,
    pub extra_id: Option<String>,
    pub strategy: PayoutStrategy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: i64,
    pub code: String,
    pub owner_id: i64,
    pub chat_id: i64,
    pub title: String,
    pub description: String,
    pub access_mode: AccessMode,
    pub sales_paused: bool,
    /// An operator stopped this channel's sales; only an operator lifts it.
    pub admin_paused: bool,
    pub rights_lost: bool,
    pub notify_payments: bool,
    pub payout: PayoutSettings,
    pub deleted: bool,
}

impl Channel {
    /// Whether new purchases are accepted: not paused by the owner nor by an operator, the bot
    /// still has its rights, and the channel is not deleted.
    pub fn on_sale(&self) -> bool {
        !self.sales_paused && !self.admin_paused && !self.rights_lost && !self.deleted
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    pub id: i64,
    pub channel_id: i64,
    pub position: u8,
    pub price: UsdMicros,
    pub days: u32,
}

/// A tier as the owner entered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewTier {
    pub price: UsdMicros,
    pub days: u32,
}

#[derive(Debug, Clone)]
pub struct NewChannel {
    pub owner_id: i64,
    pub chat_id: i64,
    pub title: String,
    pub description: String,
    pub access_mode: AccessMode,
    pub payout: PayoutSettings,
    pub tiers: Vec<NewTier>,
}

const CHANNEL_COLUMNS: &str = "id, code, owner_id, chat_id, title, description, access_mode, \
    sales_paused, admin_paused, rights_lost_at, notify_payments, payout_currency, payout_network, \
    payout_address, payout_extra_id, payout_strategy, threshold_usd_micros, deleted_at";

fn channel_from_row(r: &AnyRow) -> StoreResult<Channel> {
    let strategy: String = r.try_get("payout_strategy")?;
    let threshold: Option<i64> = r.try_get("threshold_usd_micros")?;
    let strategy = match (strategy.as_str(), threshold) {
        ("instant", _) => PayoutStrategy::Instant,
        ("threshold", Some(t)) => PayoutStrategy::Threshold(UsdMicros::from_micros(t)),
        // Lesson 29: an unreadable strategy is an error, never a silent "instant".
        (other, _) => return Err(StoreError::Corrupt(format!("payout strategy {other}"))),
    };
    Ok(Channel {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        owner_id: r.try_get("owner_id")?,
        chat_id: r.try_get("chat_id")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        access_mode: AccessMode::parse(&r.try_get::<String, _>("access_mode")?)?,
        sales_paused: flag(r.try_get("sales_paused")?),
        admin_paused: flag(r.try_get("admin_paused")?),
        rights_lost: r.try_get::<Option<i64>, _>("rights_lost_at")?.is_some(),
        notify_payments: flag(r.try_get("notify_payments")?),
        payout: PayoutSettings {
            currency: r.try_get("payout_currency")?,
            network: r.try_get("payout_network")?,
            address: r.try_get("payout_address")?,
            extra_id: r.try_get("payout_extra_id")?,
            strategy,
        },
        deleted: r.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
    })
}

fn tier_from_row(r: &AnyRow) -> StoreResult<Tier> {
    let position: i64 = r.try_get("position")?;
    let days: i64 = r.try_get("days")?;
    Ok(Tier {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        position: u8::try_from(position)
            .map_err(|_| StoreError::Corrupt(format!("tier position {position}")))?,
        price: UsdMicros::from_micros(r.try_get("price_usd_micros")?),
        days: u32::try_from(days).map_err(|_| StoreError::Corrupt(format!("tier days {days}")))?,
    })
}

/// Whether a database error is a unique-constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Db {
    /// Registers a channel with its tiers in one transaction, with the job that gives the owner
    /// the owners' command menu. A channel registered (and not deleted) by anyone is refused
    /// with `Conflict`.
    pub async fn create_channel(&self, c: &NewChannel, now: UnixMillis) -> StoreResult<Channel> {
        let (threshold, strategy) = match c.payout.strategy {
            PayoutStrategy::Instant => (None, "instant"),
            PayoutStrategy::Threshold(t) => (Some(t.micros()), "threshold"),
        };
        let id = new_id();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO channels (id, code, owner_id, chat_id, title, description, access_mode, \
               payout_currency, payout_network, payout_address, payout_extra_id, payout_strategy, \
               threshold_usd_micros, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(id)
        .bind(new_code(10))
        .bind(c.owner_id)
        .bind(c.chat_id)
        .bind(&c.title)
        .bind(&c.description)
        .bind(c.access_mode.as_str())
        .bind(&c.payout.currency)
        .bind(&c.payout.network)
        .bind(&c.payout.address)
        .bind(c.payout.extra_id.as_deref())
        .bind(strategy)
        .bind(threshold)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            return Err(if is_unique_violation(&e) {
                StoreError::Conflict("this channel is already registered".into())
            } else {
                e.into()
            });
        }
        for (i, t) in c.tiers.iter().enumerate() {
            sqlx::query(
                "INSERT INTO tiers (id, channel_id, position, price_usd_micros, days, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(new_id())
            .bind(id)
            .bind(i64::try_from(i + 1).unwrap_or(i64::MAX))
            .bind(t.price.micros())
            .bind(i64::from(t.days))
            .bind(now.as_millis())
            .execute(&mut *tx)
            .await?;
        }
        // The owner's command menu gains the owners' commands (once per channel).
        crate::store::outbox::enqueue_menu(
            &mut tx,
            c.owner_id,
            Some(&format!("channel:{id}")),
            now,
        )
        .await?;
        tx.commit().await?;
        self.channel(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the new channel vanished".into()))
    }

    pub async fn channel(&self, id: i64) -> StoreResult<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(channel_from_row).transpose()
    }

    /// The live channel behind a deep-link code.
    pub async fn channel_by_code(&self, code: &str) -> StoreResult<Option<Channel>> {
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE code = $1 AND deleted_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(channel_from_row).transpose()
    }

    pub async fn channel_by_chat(&self, chat_id: i64) -> StoreResult<Option<Channel>> {
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE chat_id = $1 AND deleted_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(chat_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(channel_from_row).transpose()
    }

    /// The live tiers of a channel, by position.
    pub async fn tiers(&self, channel_id: i64) -> StoreResult<Vec<Tier>> {
        let rows = sqlx::query(
            "SELECT id, channel_id, position, price_usd_micros, days FROM tiers \
             WHERE channel_id = $1 AND removed_at IS NULL ORDER BY position",
        )
        .bind(channel_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(tier_from_row).collect()
    }

    /// A live tier by id (None once removed).
    pub async fn tier(&self, tier_id: i64) -> StoreResult<Option<Tier>> {
        let row = sqlx::query(
            "SELECT id, channel_id, position, price_usd_micros, days FROM tiers \
             WHERE id = $1 AND removed_at IS NULL",
        )
        .bind(tier_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(tier_from_row).transpose()
    }

    /// Records that the bot lost (`ok = false`) or regained its rights in the channel, and
    /// queues the owner's notice in the same transaction — only on an actual change, so the
    /// owner is told once. True when something changed.
    pub async fn rights_changed(
        &self,
        channel_id: i64,
        ok: bool,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let res = if ok {
            sqlx::query(
                "UPDATE channels SET rights_lost_at = NULL, updated_at = $1 \
                 WHERE id = $2 AND rights_lost_at IS NOT NULL",
            )
        } else {
            sqlx::query(
                "UPDATE channels SET rights_lost_at = $1, updated_at = $1 \
                 WHERE id = $2 AND rights_lost_at IS NULL",
            )
        }
        .bind(now.as_millis())
        .bind(channel_id)
        .execute(&mut *tx)
        .await?;
        let changed = res.rows_affected() == 1;
        if changed {
            let (notice, key) = if ok {
                (crate::store::outbox::Notice::RightsRestored, "rights-ok")
            } else {
                (crate::store::outbox::Notice::RightsLost, "rights-lost")
            };
            crate::store::outbox::enqueue(
                &mut tx,
                channel_id,
                notice,
                &format!("{key}:{channel_id}:{}", now.as_millis()),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    pub async fn set_sales_paused(
        &self,
        channel_id: i64,
        paused: bool,
        now: UnixMillis,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE channels SET sales_paused = $1, updated_at = $2 WHERE id = $3")
            .bind(flag_value(paused))
            .bind(now.as_millis())
            .bind(channel_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// An operator stops (`paused`) or restarts a channel's sales, apart from the owner's own
    /// pause. Writes one admin log row in the same transaction, only when the flag changed;
    /// true when it did.
    pub async fn set_admin_paused(
        &self,
        channel_id: i64,
        paused: bool,
        actor: crate::store::admin_log::Actor,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        use crate::domain::states::AdminLogAction;
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE channels SET admin_paused = $1, updated_at = $2 \
             WHERE id = $3 AND admin_paused <> $1",
        )
        .bind(flag_value(paused))
        .bind(now.as_millis())
        .bind(channel_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if changed {
            let (action, before, after) = if paused {
                (
                    AdminLogAction::PauseChannelSales,
                    ADMIN_SALES_ON,
                    ADMIN_SALES_PAUSED,
                )
            } else {
                (
                    AdminLogAction::ResumeChannelSales,
                    ADMIN_SALES_PAUSED,
                    ADMIN_SALES_ON,
                )
            };
            crate::store::admin_log::record(
                &mut tx,
                actor,
                action,
                &format!("channel:{channel_id}"),
                Some(before),
                Some(after),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }
}

/// The admin log's words for an operator's stop on a channel's sales.
pub const ADMIN_SALES_ON: &str = "not paused by an operator";
pub const ADMIN_SALES_PAUSED: &str = "paused by an operator";
