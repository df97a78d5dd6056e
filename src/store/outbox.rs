//! The outbox: what people must be told, written in the same transaction as the change it
//! reports, so it is never lost when the process dies and never told for a change that was
//! rolled back. Owner notices are queued as durable `notify_owner` jobs (rendering and sending
//! live in `notify`); so are command-menu changes (`bot::menus`); alerts for admins are rows
//! the admin menu lists.

use std::time::Duration;

use sqlx::{Any, AnyConnection, Row, Transaction};

use crate::domain::ids::new_id;
use crate::domain::job::Job;
use crate::domain::states::AdminLogAction;
use crate::domain::time::UnixMillis;
use crate::store::admin_log::{Actor, record};
use crate::store::jobs::{NewJob, enqueue_job};
use crate::store::{Db, StoreResult};

/// What an owner is told (a domain type; named here too, where notices are queued).
pub use crate::domain::notice::Notice;

/// How long a notice keeps being retried before it is given up (and shown to admins).
const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Queues `notice` for the owner of `channel_id` in the caller's transaction. `key` makes it
/// happen once: the same key twice is one message.
pub async fn enqueue(
    conn: &mut AnyConnection,
    channel_id: i64,
    notice: Notice,
    key: &str,
    now: UnixMillis,
) -> StoreResult<()> {
    enqueue_job(
        conn,
        &NewJob {
            job: Job::NotifyOwner { channel_id, notice },
            unique_key: Some(format!("notify:{key}")),
            run_at: now,
            give_up_at: now.saturating_add(GIVE_UP_AFTER),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Queues a notice outside any other change (its own short transaction).
pub async fn enqueue_now(
    db: &Db,
    channel_id: i64,
    notice: Notice,
    key: &str,
    now: UnixMillis,
) -> StoreResult<()> {
    let mut tx = db.begin_write().await?;
    enqueue(&mut tx, channel_id, notice, key, now).await?;
    tx.commit().await?;
    Ok(())
}

/// How long setting a command menu keeps being retried.
const MENU_GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Queues setting `user_id`'s command menu to what they may use when it runs, in the caller's
/// transaction. `key` (when given) makes it happen once per event; keyless jobs always run.
pub async fn enqueue_menu(
    conn: &mut AnyConnection,
    user_id: i64,
    key: Option<&str>,
    now: UnixMillis,
) -> StoreResult<()> {
    enqueue_job(
        conn,
        &NewJob {
            job: Job::CommandMenu { user_id },
            unique_key: key.map(|k| format!("menu:{k}")),
            run_at: now,
            give_up_at: now.saturating_add(MENU_GIVE_UP_AFTER),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Raises an alert for admins, unless the same one (kind and subject) is still open: a
/// condition seen on every poll is one alert, not one per poll.
pub async fn alert(
    tx: &mut Transaction<'static, Any>,
    kind: &str,
    subject: &str,
    detail: &str,
    now: UnixMillis,
) -> StoreResult<()> {
    let open: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM alerts WHERE kind = $1 AND subject = $2 AND resolved_at IS NULL",
    )
    .bind(kind)
    .bind(subject)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    if open > 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO alerts (id, kind, subject, detail, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(kind)
    .bind(subject)
    .bind(detail)
    .bind(now.as_millis())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Something admins must look at.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Alert {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub detail: String,
    #[sqlx(try_from = "i64")]
    pub created_at: UnixMillis,
}

impl Db {
    pub async fn open_alerts(&self, limit: i64) -> StoreResult<Vec<Alert>> {
        Ok(sqlx::query_as::<_, Alert>(
            "SELECT id, kind, subject, detail, created_at FROM alerts WHERE resolved_at IS NULL \
             ORDER BY created_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Marks an open alert as handled; `Ok(true)` when it was open. Logged for an admin in
    /// the same transaction; an alert already handled changes nothing and logs nothing.
    pub async fn resolve_alert(&self, id: i64, by: Actor, now: UnixMillis) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let n =
            sqlx::query("UPDATE alerts SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL")
                .bind(now.as_millis())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        let changed = n == 1;
        if changed {
            record(
                &mut tx,
                by,
                AdminLogAction::ResolveAlert,
                &format!("alert:{id}"),
                Some("open"),
                Some("resolved"),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }
}
