//! Conversation state per private chat, stored as JSON so it survives a restart.

use sqlx::Row;

use super::{Db, StoreResult};
use crate::domain::time::UnixMillis;

impl Db {
    pub async fn get_dialogue(&self, chat_id: i64) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT state FROM dialogues WHERE chat_id = $1")
            .bind(chat_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("state")).transpose()?)
    }

    pub async fn put_dialogue(
        &self,
        chat_id: i64,
        state: &str,
        now: UnixMillis,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO dialogues (chat_id, state, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(chat_id)
        .bind(state)
        .bind(now.as_millis())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Returns whether a dialogue existed.
    pub async fn remove_dialogue(&self, chat_id: i64) -> StoreResult<bool> {
        let res = sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
            .bind(chat_id)
            .execute(self.pool())
            .await?;
        Ok(res.rows_affected() > 0)
    }

    /// Forgets conversations nobody touched since `before`; returns how many.
    pub async fn purge_dialogues(&self, before: UnixMillis) -> StoreResult<u64> {
        let res = sqlx::query("DELETE FROM dialogues WHERE updated_at < $1")
            .bind(before.as_millis())
            .execute(self.pool())
            .await?;
        Ok(res.rows_affected())
    }
}
