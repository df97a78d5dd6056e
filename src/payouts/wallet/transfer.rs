//! A signed transfer as it is persisted before the broadcast, and what the chain says of it.

use super::*;

/// A signed transfer, ready to persist and broadcast. `tx_hash` is final: it is the hash the
/// chain will know the transaction by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTransfer {
    /// The EIP-2718 encoding (`0x02 || rlp(…)`), what `eth_sendRawTransaction` takes.
    pub raw: Bytes,
    pub tx_hash: B256,
    pub from: Address,
    pub chain_id: u64,
    pub nonce: u64,
    /// The payee (for a token: the token recipient, not the contract).
    pub to: Address,
    pub asset: WalletAsset,
    /// Base units of `asset`.
    pub amount: U256,
    pub fees: Fees,
}

impl SignedTransfer {
    /// `0x…` hex of [`SignedTransfer::raw`], for storage.
    pub fn raw_hex(&self) -> String {
        hex::encode_prefixed(&self.raw)
    }

    /// Whether a successful receipt actually moved this transfer: for a token, the receipt
    /// must carry the matching `Transfer` log (a token that returns `false` without
    /// reverting leaves a successful receipt with no log).
    pub fn confirmed_by(&self, receipt: &TxReceipt) -> bool {
        if !receipt.success || receipt.tx_hash != self.tx_hash {
            return false;
        }
        match &self.asset {
            WalletAsset::Native { .. } => true,
            WalletAsset::Erc20 { contract, .. } => receipt.transfer_logs.iter().any(|l| {
                l.contract == *contract
                    && l.from == self.from
                    && l.to == self.to
                    && l.amount == self.amount
            }),
        }
    }
}

/// A mined transaction's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxReceipt {
    pub tx_hash: B256,
    /// Status 1. A reverted transaction (status 0) is mined, consumed its nonce and paid gas,
    /// but moved nothing.
    pub success: bool,
    pub block_number: u64,
    pub gas_used: u64,
    pub effective_gas_price: Option<u128>,
    pub transfer_logs: Vec<TransferLog>,
}

impl From<RpcReceipt> for TxReceipt {
    fn from(r: RpcReceipt) -> Self {
        Self {
            tx_hash: r.tx_hash,
            success: r.success,
            block_number: r.block_number,
            gas_used: r.gas_used,
            effective_gas_price: r.effective_gas_price,
            transfer_logs: r.transfer_logs,
        }
    }
}

/// What the node knows about a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxState {
    Mined(TxReceipt),
    /// In the node's mempool.
    Pending,
    /// Never seen, evicted, or replaced by another transaction with the same nonce.
    Unknown,
}
