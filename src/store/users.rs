//! Telegram users: who they are and which language they chose.

use sqlx::Row;

use super::{Db, StoreResult, flag};
use crate::domain::lang::Lang;
use crate::domain::time::UnixMillis;

/// What Telegram told us about a user on their latest update.
#[derive(Debug, Clone)]
pub struct SeenUser<'a> {
    pub id: i64,
    pub username: Option<&'a str>,
    pub first_name: &'a str,
    pub language_code: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub username: Option<String>,
    pub first_name: String,
    pub language_code: Option<String>,
    pub language: Option<String>,
    pub unreachable: bool,
}

impl UserRow {
    pub fn lang(&self) -> Lang {
        Lang::negotiate(self.language.as_deref(), self.language_code.as_deref())
    }
}

const COLUMNS: &str = "id, username, first_name, language_code, language, unreachable";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<UserRow> {
    Ok(UserRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        first_name: r.try_get("first_name")?,
        language_code: r.try_get("language_code")?,
        language: r.try_get("language")?,
        unreachable: flag(r.try_get("unreachable")?),
    })
}

impl Db {
    /// Records (or refreshes) a user from an update and returns the stored row, including
    /// their language choice. A user who writes to us is reachable again.
    #[tracing::instrument(skip_all, fields(user_id = u.id))]
    pub async fn upsert_user(&self, u: &SeenUser<'_>, now: UnixMillis) -> StoreResult<UserRow> {
        let row = sqlx::query(
            "INSERT INTO users (id, username, first_name, language_code, unreachable, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $5) \
             ON CONFLICT (id) DO UPDATE SET username = excluded.username, \
               first_name = excluded.first_name, language_code = excluded.language_code, \
               unreachable = 0, updated_at = excluded.updated_at \
             RETURNING id, username, first_name, language_code, language, unreachable",
        )
        .bind(u.id)
        .bind(u.username)
        .bind(u.first_name)
        .bind(u.language_code)
        .bind(now.as_millis())
        .fetch_one(self.pool())
        .await?;
        from_row(&row)
    }

    pub async fn get_user(&self, id: i64) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The language to write to a user in; English when the user or the database is unknown.
    pub async fn user_lang(&self, id: i64) -> Lang {
        match self.get_user(id).await {
            Ok(u) => u.map(|u| u.lang()).unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the user's language");
                Lang::default()
            }
        }
    }

    /// Stores the language a user picked with /language. Returns false for an unknown user.
    pub async fn set_user_language(
        &self,
        id: i64,
        lang: Lang,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let res = sqlx::query("UPDATE users SET language = $1, updated_at = $2 WHERE id = $3")
            .bind(lang.code())
            .bind(now.as_millis())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(res.rows_affected() == 1)
    }

    /// Marks a user who blocked the bot, so nothing keeps retrying DMs to them.
    pub async fn set_user_unreachable(
        &self,
        id: i64,
        unreachable: bool,
        now: UnixMillis,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE users SET unreachable = $1, updated_at = $2 WHERE id = $3")
            .bind(super::flag_value(unreachable))
            .bind(now.as_millis())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
