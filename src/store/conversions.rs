//! Conversions (SPEC §6): one swap of the owners' pending volatile shares into USDT. The exact
//! accumulation ids are locked when the conversion is created; rows that arrive later wait for
//! the next one (lesson 27). What the swap delivered is distributed over exactly those ids.

use sqlx::Row;

use super::jobs::{NewJob, enqueue_job};
use super::{Db, StoreError, StoreResult};
use crate::domain::fees::distribute;
use crate::domain::ids::new_id;
use crate::domain::job::Job;
use crate::domain::money::UsdMicros;
use crate::domain::states::ConversionState;
use crate::domain::time::UnixMillis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub id: i64,
    pub state: ConversionState,
    pub from_currency: String,
    pub from_amount: String,
    pub usd: UsdMicros,
    pub exchange_id: Option<String>,
    pub payin_address: Option<String>,
}

impl Db {
    /// Locks every pending volatile accumulation of `currency` into a new conversion when their
    /// USD value reaches `min`; queues its job. Returns the conversion id.
    pub async fn start_conversion(
        &self,
        currency: &str,
        min: UsdMicros,
        now: UnixMillis,
        give_up_after: std::time::Duration,
    ) -> StoreResult<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT id, owner_usd_micros, crypto_amount FROM accumulations \
             WHERE state = 'pending' AND is_stable = 0 AND crypto_currency = $1 ORDER BY id{}",
            self.backend().for_update()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(currency)
            .fetch_all(&mut *tx)
            .await?;
        let mut usd: i64 = 0;
        let mut crypto = rust_decimal::Decimal::ZERO;
        let mut ids = Vec::new();
        for r in &rows {
            usd = usd.saturating_add(r.try_get::<i64, _>("owner_usd_micros")?);
            let c: String = r.try_get("crypto_amount")?;
            crypto += c
                .parse::<rust_decimal::Decimal>()
                .map_err(|e| StoreError::Corrupt(format!("crypto amount {c}: {e}")))?;
            ids.push(r.try_get::<i64, _>("id")?);
        }
        if ids.is_empty() || usd < min.micros() {
            return Ok(None);
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO conversions (id, state, from_currency, from_amount, usd_micros, created_at, updated_at) \
             VALUES ($1, 'pending', $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(currency)
        .bind(crypto.normalize().to_string())
        .bind(usd)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await?;
        for acc in &ids {
            let n = sqlx::query(
                "UPDATE accumulations SET state = 'converting', conversion_id = $1, updated_at = $2 \
                 WHERE id = $3 AND state = 'pending'",
            )
            .bind(id)
            .bind(now.as_millis())
            .bind(acc)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Err(StoreError::Conflict(format!("accumulation {acc} moved")));
            }
        }
        enqueue_job(
            &mut tx,
            &NewJob {
                job: Job::ConversionStep { conversion_id: id },
                unique_key: Some(format!("conversion:{id}")),
                run_at: now,
                give_up_at: now.saturating_add(give_up_after),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Currencies with pending volatile accumulations.
    pub async fn volatile_pending_currencies(&self) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT crypto_currency FROM accumulations WHERE state = 'pending' AND is_stable = 0",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| r.try_get("crypto_currency").map_err(StoreError::from))
            .collect()
    }

    pub async fn conversion(&self, id: i64) -> StoreResult<Option<Conversion>> {
        let r = sqlx::query(
            "SELECT id, state, from_currency, from_amount, usd_micros, exchange_id, payin_address \
             FROM conversions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        r.map(|r| {
            Ok(Conversion {
                id: r.try_get("id")?,
                state: super::state_column(&r, "state")?,
                from_currency: r.try_get("from_currency")?,
                from_amount: r.try_get("from_amount")?,
                usd: UsdMicros::from_micros(r.try_get("usd_micros")?),
                exchange_id: r.try_get("exchange_id")?,
                payin_address: r.try_get("payin_address")?,
            })
        })
        .transpose()
    }

    pub async fn conversion_exchange(
        &self,
        id: i64,
        exchange: Option<(&str, &str)>,
        from: ConversionState,
        to: ConversionState,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let (ex, payin) = exchange.unzip();
        let n = sqlx::query(
            "UPDATE conversions SET state = $1, exchange_id = $2, payin_address = $3, updated_at = $4 \
             WHERE id = $5 AND state = $6",
        )
        .bind(to.as_str())
        .bind(ex)
        .bind(payin)
        .bind(now.as_millis())
        .bind(id)
        .bind(from.as_str())
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn conversion_transition(
        &self,
        id: i64,
        from: ConversionState,
        to: ConversionState,
        error: Option<&str>,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE conversions SET state = $1, error = COALESCE($2, error), updated_at = $3 WHERE id = $4 AND state = $5",
        )
        .bind(to.as_str())
        .bind(error)
        .bind(now.as_millis())
        .bind(id)
        .bind(from.as_str())
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// The swap finished with `received` micro-USDT: distributed over exactly the locked rows in
    /// proportion to their USD value, the last taking the remainder; rows `converted`.
    pub async fn conversion_finished(
        &self,
        id: i64,
        received: i64,
        now: UnixMillis,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE conversions SET state = 'finished', received_usdt_micros = $1, finished_at = $2, updated_at = $2 \
             WHERE id = $3 AND state = 'funded'",
        )
        .bind(received)
        .bind(now.as_millis())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        let rows: Vec<(i64, i64)> = sqlx::query(
            "SELECT id, owner_usd_micros FROM accumulations WHERE conversion_id = $1 AND state = 'converting' ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("owner_usd_micros")?)))
        .collect::<Result<_, sqlx::Error>>()?;
        let weights: Vec<i64> = rows.iter().map(|(_, w)| (*w).max(1)).collect();
        let parts = distribute(received, &weights).ok_or_else(|| {
            StoreError::Corrupt(format!("conversion {id}: nothing to distribute over"))
        })?;
        for ((acc, _), part) in rows.iter().zip(parts) {
            sqlx::query(
                "UPDATE accumulations SET state = 'converted', usdt_micros = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(part)
            .bind(now.as_millis())
            .bind(acc)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// A conversion that cannot happen (below the minimum, not fundable): its rows go back to
    /// `pending` for a later one, and admins are told.
    pub async fn conversion_abandoned(
        &self,
        id: i64,
        why: &str,
        now: UnixMillis,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE conversions SET state = 'cancelled', error = $1, updated_at = $2 WHERE id = $3 \
             AND state IN ('pending', 'exchange')",
        )
        .bind(why)
        .bind(now.as_millis())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE accumulations SET state = 'pending', conversion_id = NULL, updated_at = $1 \
             WHERE conversion_id = $2 AND state = 'converting'",
        )
        .bind(now.as_millis())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        super::outbox::alert(&mut tx, "conversion_cancelled", &id.to_string(), why, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
