//! Timer bookkeeping: one tick per interval, whichever replica gets there first.

use std::time::Duration;

use sqlx::{Any, Row, Transaction};

use super::{Backend, Db, StoreResult};
use crate::domain::time::UnixMillis;

/// A claimed timer slot. On PostgreSQL it holds the advisory lock (inside `tx`) until
/// [`TimerSlot::commit`]; dropping it without committing gives the slot back.
pub struct TimerSlot {
    tx: Option<Transaction<'static, Any>>,
    db: Db,
    name: String,
    previous: i64,
}

impl TimerSlot {
    /// The tick finished: keep the new last-run time and release the lock.
    pub async fn commit(mut self) -> StoreResult<()> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        Ok(())
    }

    /// The tick failed: on SQLite put the previous last-run time back so the next check retries;
    /// on PostgreSQL the rollback does it.
    pub async fn abandon(mut self) -> StoreResult<()> {
        match self.tx.take() {
            Some(tx) => tx.rollback().await?,
            None => {
                sqlx::query("UPDATE timers SET last_run_at = $1 WHERE name = $2")
                    .bind(self.previous)
                    .bind(&self.name)
                    .execute(self.db.pool())
                    .await?;
            }
        }
        Ok(())
    }
}

impl Db {
    /// Claims the timer `name` if it last ran at least `every` ago (or `force`), under the
    /// PostgreSQL advisory lock `lock_key`. None when not due or another replica holds it.
    pub async fn claim_timer(
        &self,
        name: &str,
        lock_key: i64,
        every: Duration,
        force: bool,
        now: UnixMillis,
    ) -> StoreResult<Option<TimerSlot>> {
        let due_before = if force {
            i64::MAX
        } else {
            now.saturating_sub(every).as_millis()
        };
        match self.backend() {
            Backend::Postgres => {
                let mut tx = self.pool().begin().await?;
                let held: i64 = sqlx::query(self.backend().try_xact_lock())
                    .bind(lock_key)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                if held != 1 {
                    tx.rollback().await?;
                    return Ok(None);
                }
                let prev = self.move_timer(&mut tx, name, due_before, now).await?;
                match prev {
                    Some(previous) => Ok(Some(TimerSlot {
                        tx: Some(tx),
                        db: self.clone(),
                        name: name.to_owned(),
                        previous,
                    })),
                    None => {
                        tx.rollback().await?;
                        Ok(None)
                    }
                }
            }
            Backend::Sqlite => {
                // Never hold SQLite's write lock while the tick writes on other connections.
                let mut tx = self.begin_write().await?;
                let prev = self.move_timer(&mut tx, name, due_before, now).await?;
                tx.commit().await?;
                Ok(prev.map(|previous| TimerSlot {
                    tx: None,
                    db: self.clone(),
                    name: name.to_owned(),
                    previous,
                }))
            }
        }
    }

    /// Compare-and-set of last_run_at; returns the previous value when it moved.
    async fn move_timer(
        &self,
        tx: &mut Transaction<'static, Any>,
        name: &str,
        due_before: i64,
        now: UnixMillis,
    ) -> StoreResult<Option<i64>> {
        // Inside the locked transaction: outside it, this insert would wait on the row lock
        // of a tick still running on another replica.
        sqlx::query(
            "INSERT INTO timers (name, last_run_at) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .execute(&mut **tx)
        .await?;
        let prev: Option<i64> = sqlx::query("SELECT last_run_at FROM timers WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let Some(prev) = prev else { return Ok(None) };
        if prev > due_before {
            return Ok(None);
        }
        let res =
            sqlx::query("UPDATE timers SET last_run_at = $1 WHERE name = $2 AND last_run_at = $3")
                .bind(now.as_millis())
                .bind(name)
                .bind(prev)
                .execute(&mut **tx)
                .await?;
        Ok((res.rows_affected() == 1).then_some(prev))
    }

    pub async fn timer_last_run(&self, name: &str) -> StoreResult<Option<UnixMillis>> {
        let row = sqlx::query("SELECT last_run_at FROM timers WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?
            .map(UnixMillis::from_millis))
    }
}
