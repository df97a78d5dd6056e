//! Small operator switches, such as the payout kill switch.

use sqlx::Row;

use super::{Db, StoreResult};
use crate::domain::time::UnixMillis;

/// The key of the kill switch that pauses all outgoing money.
pub const PAYOUTS_PAUSED: &str = "payouts_paused";

impl Db {
    pub async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    pub async fn put_setting(&self, key: &str, value: &str, now: UnixMillis) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(now.as_millis())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether an operator paused all outgoing money. Unset means running.
    pub async fn payouts_paused(&self) -> StoreResult<bool> {
        Ok(self.get_setting(PAYOUTS_PAUSED).await?.as_deref() == Some("1"))
    }

    pub async fn set_payouts_paused(&self, paused: bool, now: UnixMillis) -> StoreResult<()> {
        self.put_setting(PAYOUTS_PAUSED, if paused { "1" } else { "0" }, now)
            .await
    }
}
