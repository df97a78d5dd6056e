//! The host wallet's transactions (SPEC §6): each signed transfer is stored with its nonce
//! before it is broadcast, and looked up before any retry.

use sqlx::Row;

use super::{Db, StoreError, StoreResult};
use crate::domain::ids::new_id;
use crate::domain::time::UnixMillis;

/// A transaction the host wallet signed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WalletTx {
    pub id: i64,
    pub payout_id: Option<i64>,
    /// Stored as BIGINT; a negative one is a corrupt row.
    #[sqlx(try_from = "i64")]
    pub nonce: u64,
    pub raw_tx: String,
    pub tx_hash: String,
    pub state: String,
    pub amount: String,
    pub to_address: String,
    /// `native` or the token contract.
    pub asset: String,
    #[sqlx(try_from = "i64")]
    pub created_at: UnixMillis,
}

/// What a host-wallet transaction pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxFor {
    Payout(i64),
    Conversion(i64),
}

impl TxFor {
    fn table(self) -> &'static str {
        match self {
            TxFor::Payout(_) => "payouts",
            TxFor::Conversion(_) => "conversions",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            TxFor::Payout(id) | TxFor::Conversion(id) => id,
        }
    }
}

/// A signed host-wallet transaction as the store keeps it (the wallet signs; the store only
/// writes what it is given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTx {
    pub nonce: u64,
    /// The payee (for a token: the token recipient, not the contract).
    pub to: String,
    /// The token contract, or `native`.
    pub asset: String,
    /// Base units of `asset`, decimal.
    pub amount: String,
    /// `0x…` hex of the EIP-2718 encoding.
    pub raw_tx: String,
    pub tx_hash: String,
}

impl Db {
    /// The host wallet's signed transaction for a payout, persisted with its nonce BEFORE it
    /// is broadcast, and the payout moved to `sending` — one transaction. `sign` gets the nonce
    /// to use (the larger of ours and the chain's pending count). `from_state` is the stored
    /// word of the target's current state (`PayoutState` or `ConversionState`, `.as_str()`).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_wallet_tx<E>(
        &self,
        target: TxFor,
        from_state: &str,
        chain_id: u64,
        from: &str,
        chain_pending_nonce: u64,
        sign: impl FnOnce(u64) -> Result<SignedTx, E>,
        now: UnixMillis,
    ) -> StoreResult<Result<WalletTx, E>> {
        let mut tx = self.begin_write().await?;
        let chain = i64::try_from(chain_id).map_err(|_| StoreError::Corrupt("chain id".into()))?;
        sqlx::query(
            "INSERT INTO wallet_nonces (chain_id, address, next_nonce) VALUES ($1, $2, 0) \
             ON CONFLICT (chain_id, address) DO NOTHING",
        )
        .bind(chain)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        let sql = format!(
            "SELECT next_nonce FROM wallet_nonces WHERE chain_id = $1 AND address = $2{}",
            self.backend().for_update()
        );
        let ours: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(chain)
            .bind(from)
            .fetch_one(&mut *tx)
            .await?
            .try_get("next_nonce")?;
        let nonce = u64::try_from(ours).unwrap_or(0).max(chain_pending_nonce);
        let signed = match sign(nonce) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        let sql = format!(
            "UPDATE {} SET state = 'sending', updated_at = $1 WHERE id = $2 AND state = $3",
            target.table()
        );
        let moved = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now.as_millis())
            .bind(target.id())
            .bind(from_state)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved != 1 {
            return Err(StoreError::Conflict(format!(
                "{target:?} is no longer {from_state}"
            )));
        }
        let (payout_id, conversion_id) = match target {
            TxFor::Payout(id) => (Some(id), None),
            TxFor::Conversion(id) => (None, Some(id)),
        };
        let id = new_id();
        let nonce_i =
            i64::try_from(signed.nonce).map_err(|_| StoreError::Corrupt("nonce".into()))?;
        let SignedTx {
            nonce: _,
            to,
            asset,
            amount,
            raw_tx,
            tx_hash,
        } = signed;
        sqlx::query(
            "INSERT INTO wallet_transactions (id, payout_id, conversion_id, chain_id, from_address, to_address, \
               asset, amount, nonce, raw_tx, tx_hash, state, created_at, updated_at) \
             VALUES ($1, $2, $12, $3, $4, $5, $6, $7, $8, $9, $10, 'signed', $11, $11)",
        )
        .bind(id)
        .bind(payout_id)
        .bind(chain)
        .bind(from)
        .bind(&to)
        .bind(&asset)
        .bind(&amount)
        .bind(nonce_i)
        .bind(&raw_tx)
        .bind(&tx_hash)
        .bind(now.as_millis())
        .bind(conversion_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE wallet_nonces SET next_nonce = $1 WHERE chain_id = $2 AND address = $3",
        )
        .bind(nonce_i.saturating_add(1))
        .bind(chain)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if payout_id.is_some() {
            crate::telemetry::count_payouts(crate::domain::states::PayoutState::Sending, 1);
        }
        Ok(Ok(WalletTx {
            id,
            payout_id,
            nonce: signed.nonce,
            raw_tx,
            tx_hash,
            state: "signed".into(),
            amount,
            to_address: to,
            asset,
            created_at: now,
        }))
    }

    /// Every transaction signed for a payout or conversion, newest first (a replacement and
    /// the transaction it replaced share one nonce: at most one of them can ever be mined).
    pub async fn wallet_txs_of(&self, target: TxFor) -> StoreResult<Vec<WalletTx>> {
        let column = match target {
            TxFor::Payout(_) => "payout_id",
            TxFor::Conversion(_) => "conversion_id",
        };
        let sql = format!(
            "SELECT id, payout_id, nonce, raw_tx, tx_hash, state, amount, to_address, asset, created_at \
             FROM wallet_transactions WHERE {column} = $1 ORDER BY created_at DESC, id DESC"
        );
        Ok(sqlx::query_as::<_, WalletTx>(sqlx::AssertSqlSafe(sql))
            .bind(target.id())
            .fetch_all(self.pool())
            .await?)
    }

    /// A same-nonce replacement of a stuck transaction: recorded (and the old one marked
    /// `replaced`) before it is broadcast.
    pub async fn record_replacement(
        &self,
        old: &WalletTx,
        target: TxFor,
        signed: &SignedTx,
        now: UnixMillis,
    ) -> StoreResult<WalletTx> {
        let mut tx = self.begin_write().await?;
        let payout_id = match target {
            TxFor::Payout(id) => Some(id),
            TxFor::Conversion(_) => None,
        };
        let id = new_id();
        sqlx::query(
            "INSERT INTO wallet_transactions (id, payout_id, conversion_id, chain_id, from_address, to_address, \
               asset, amount, nonce, raw_tx, tx_hash, state, replaces_id, created_at, updated_at) \
             SELECT $1, payout_id, conversion_id, chain_id, from_address, to_address, asset, amount, nonce, $2, $3, \
               'signed', id, $4, $4 FROM wallet_transactions WHERE id = $5",
        )
        .bind(id)
        .bind(&signed.raw_tx)
        .bind(&signed.tx_hash)
        .bind(now.as_millis())
        .bind(old.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE wallet_transactions SET state = 'replaced', updated_at = $1 WHERE id = $2",
        )
        .bind(now.as_millis())
        .bind(old.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(WalletTx {
            id,
            payout_id,
            nonce: old.nonce,
            raw_tx: signed.raw_tx.clone(),
            tx_hash: signed.tx_hash.clone(),
            state: "signed".into(),
            amount: old.amount.clone(),
            to_address: old.to_address.clone(),
            asset: old.asset.clone(),
            created_at: now,
        })
    }

    pub async fn set_wallet_tx_state(
        &self,
        id: i64,
        state: &str,
        now: UnixMillis,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE wallet_transactions SET state = $1, updated_at = $2 WHERE id = $3")
            .bind(state)
            .bind(now.as_millis())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
