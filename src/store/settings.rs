//! Small operator switches, such as the payout kill switch.

use sqlx::Row;

use super::admin_log::{Actor, record};
use super::{Db, StoreResult};
use crate::domain::states::AdminLogAction;
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

    /// Turns the kill switch on or off; `Ok(true)` when that changed it. An admin's change is
    /// logged in the same transaction ([`super::admin_log`]); pressing "pause" while paused,
    /// or "resume" while running (unset counts as running), changes nothing and logs nothing.
    pub async fn set_payouts_paused(
        &self,
        paused: bool,
        by: Actor,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        // The conditional write decides "changed" atomically: on PostgreSQL the row lock makes
        // a concurrent second press see the first one's value and affect nothing.
        let changed = if paused {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, '1', $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
                 updated_at = excluded.updated_at WHERE settings.value <> excluded.value",
            )
            .bind(PAYOUTS_PAUSED)
            .bind(now.as_millis())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1
        } else {
            sqlx::query(
                "UPDATE settings SET value = '0', updated_at = $2 WHERE key = $1 AND value <> '0'",
            )
            .bind(PAYOUTS_PAUSED)
            .bind(now.as_millis())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1
        };
        if changed {
            let (action, before, after) = if paused {
                (AdminLogAction::PausePayouts, "running", "paused")
            } else {
                (AdminLogAction::ResumePayouts, "paused", "running")
            };
            record(
                &mut tx,
                by,
                action,
                "payouts",
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
