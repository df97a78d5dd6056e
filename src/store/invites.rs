//! Invite links we created (kept in full: Telegram masks links made by other admins).

use sqlx::Row;

use super::{Db, StoreResult};
use crate::domain::ids::new_id;
use crate::domain::states::AdminLogAction;
use crate::domain::time::UnixMillis;
use crate::store::admin_log::Actor;
use crate::store::jobs::{NewJob, enqueue_job};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteLinkRow {
    pub id: i64,
    pub subscription_id: i64,
    pub link: String,
    pub kind: String,
    pub created_at: UnixMillis,
}

impl Db {
    pub async fn record_invite_link(
        &self,
        subscription_id: i64,
        link: &str,
        kind: &str,
        expires_at: Option<UnixMillis>,
        now: UnixMillis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO invite_links (id, subscription_id, link, kind, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (link) DO NOTHING",
        )
        .bind(new_id())
        .bind(subscription_id)
        .bind(link)
        .bind(kind)
        .bind(expires_at.map(UnixMillis::as_millis))
        .bind(now.as_millis())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Links of a subscription that were not revoked yet, oldest first.
    pub async fn live_invite_links(&self, subscription_id: i64) -> StoreResult<Vec<InviteLinkRow>> {
        let rows = sqlx::query(
            "SELECT id, subscription_id, link, kind, created_at FROM invite_links \
             WHERE subscription_id = $1 AND revoked_at IS NULL ORDER BY created_at, id",
        )
        .bind(subscription_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(InviteLinkRow {
                    id: r.try_get("id")?,
                    subscription_id: r.try_get("subscription_id")?,
                    link: r.try_get("link")?,
                    kind: r.try_get("kind")?,
                    created_at: UnixMillis::from_millis(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    pub async fn mark_invite_revoked(&self, id: i64, now: UnixMillis) -> StoreResult<()> {
        sqlx::query("UPDATE invite_links SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now.as_millis())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn mark_invite_used(&self, link: &str, now: UnixMillis) -> StoreResult<()> {
        sqlx::query("UPDATE invite_links SET used_at = $1 WHERE link = $2 AND used_at IS NULL")
            .bind(now.as_millis())
            .bind(link)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// An operator sends a subscriber a fresh invite: queues `job` (a `grant_access` job under
    /// its own new key, which revokes the subscription's live links and DMs a new one) with
    /// the admin log row, in one transaction. Refused unless the subscription is active and
    /// unexpired at `now` and its channel is live with the bot's rights; a no-op when an invite
    /// was resent for it after `recent_since` (a repeated confirmation sends one invite).
    pub async fn resend_invite(
        &self,
        subscription_id: i64,
        job: &NewJob,
        actor: Actor,
        recent_since: UnixMillis,
        now: UnixMillis,
    ) -> StoreResult<ResendOutcome> {
        let mut tx = self.begin_write().await?;
        // Touching the row first takes its lock on PostgreSQL, so two confirmations at once
        // are serialised (SQLite's write transaction already is).
        let live = sqlx::query(
            "UPDATE subscriptions SET updated_at = updated_at \
             WHERE id = $1 AND status = 'active' \
               AND (expires_at > $2 OR (grace_from = expires_at AND grace_until > $2)) \
               AND channel_id IN \
               (SELECT id FROM channels WHERE rights_lost_at IS NULL AND deleted_at IS NULL)",
        )
        .bind(subscription_id)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !live {
            return Ok(ResendOutcome::NotPossible);
        }
        let subject = format!("subscription:{subscription_id}");
        let recent: i64 = sqlx::query(
            "SELECT COUNT(*) FROM admin_actions \
             WHERE action = $1 AND subject = $2 AND created_at > $3",
        )
        .bind(AdminLogAction::ResendInvite.as_str())
        .bind(&subject)
        .bind(recent_since.as_millis())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if recent > 0 {
            return Ok(ResendOutcome::AlreadyResent);
        }
        let links: i64 = sqlx::query(
            "SELECT COUNT(*) FROM invite_links WHERE subscription_id = $1 AND revoked_at IS NULL",
        )
        .bind(subscription_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if !enqueue_job(&mut tx, job, now).await? {
            return Ok(ResendOutcome::AlreadyResent);
        }
        let before = if links == 0 {
            "-".to_owned()
        } else {
            format!("{links} live link(s)")
        };
        crate::store::admin_log::record(
            &mut tx,
            actor,
            AdminLogAction::ResendInvite,
            &subject,
            Some(&before),
            Some("invite sent"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ResendOutcome::Queued)
    }
}

/// What an operator's "resend invite" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendOutcome {
    /// The fresh invite is on its way.
    Queued,
    /// An invite was resent a moment ago: nothing more was done.
    AlreadyResent,
    /// The subscription is not active, has expired, or its channel is gone or lost the bot's
    /// rights: nothing was done.
    NotPossible,
}
