//! Invite links we created (kept in full: Telegram masks links made by other admins).

use sqlx::Row;

use super::{Db, StoreResult};
use crate::domain::ids::new_id;
use crate::domain::time::UnixMillis;

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
}
