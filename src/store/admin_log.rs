//! The admin audit log (`admin_actions`): every change an operator makes from the bot, with
//! who, what, on which subject, the value before and after, and when.
//!
//! A row is written by [`record`] inside the transaction of the change it describes, so a
//! change without its row (or a row without its change) cannot be committed. A row is written
//! only when something changed: pressing "pause" while already paused, retrying a job that is
//! no longer failed, or acknowledging an alert already handled writes nothing.
//!
//! Changes the system makes by itself ([`Actor::System`], e.g. the automatic pause when the
//! host wallet cannot pay) are not admin actions and write no row; they raise an alert instead.

use sqlx::{Any, Row, Transaction};

use super::{Db, StoreResult, state_column};
use crate::domain::ids::new_id;
use crate::domain::states::AdminLogAction;
use crate::domain::time::UnixMillis;

/// Who makes a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The process itself (a job, a timer, a test fixture): not logged.
    System,
    /// An operator (one of ADMIN_IDS), by Telegram user id: logged.
    Admin(i64),
}

/// One row of the admin audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminLogEntry {
    pub id: i64,
    pub admin_id: i64,
    pub action: AdminLogAction,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub created_at: UnixMillis,
}

/// Writes the log row of a change, in that change's transaction. Call it only after the
/// change itself affected a row; [`Actor::System`] writes nothing.
pub async fn record(
    tx: &mut Transaction<'static, Any>,
    actor: Actor,
    action: AdminLogAction,
    subject: &str,
    before: Option<&str>,
    after: Option<&str>,
    now: UnixMillis,
) -> StoreResult<()> {
    let Actor::Admin(admin_id) = actor else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO admin_actions (id, admin_id, action, subject, before, after, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(admin_id)
    .bind(action.as_str())
    .bind(subject)
    .bind(before)
    .bind(after)
    .bind(now.as_millis())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const COLUMNS: &str = "id, admin_id, action, subject, before, after, created_at";

fn entry(r: &sqlx::any::AnyRow) -> StoreResult<AdminLogEntry> {
    Ok(AdminLogEntry {
        id: r.try_get("id")?,
        admin_id: r.try_get("admin_id")?,
        action: state_column(r, "action")?,
        subject: r.try_get("subject")?,
        before: r.try_get("before")?,
        after: r.try_get("after")?,
        created_at: UnixMillis::from_millis(r.try_get("created_at")?),
    })
}

impl Db {
    /// One page of the log, newest first (rows of the same millisecond in id order).
    pub async fn admin_log(&self, limit: i64, offset: i64) -> StoreResult<Vec<AdminLogEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM admin_actions ORDER BY created_at DESC, id DESC \
             LIMIT $1 OFFSET $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit.max(0))
            .bind(offset.max(0))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entry).collect()
    }

    /// The whole log, oldest first (for the CSV export).
    pub async fn admin_log_all(&self) -> StoreResult<Vec<AdminLogEntry>> {
        let sql = format!("SELECT {COLUMNS} FROM admin_actions ORDER BY created_at, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entry).collect()
    }
}
