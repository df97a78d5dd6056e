//! What the host wallet reads from an EVM node, reduced to the fields payouts need.

use alloy_primitives::{Address, B256, Bytes, U256};

/// The block a state read refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockTag {
    Latest,
    /// The latest block plus the node's mempool (for nonces: counts pending transactions).
    Pending,
    Safe,
    Finalized,
}

impl BlockTag {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Latest => "latest",
            Self::Pending => "pending",
            Self::Safe => "safe",
            Self::Finalized => "finalized",
        }
    }
}

/// A call or gas estimate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallRequest {
    pub from: Option<Address>,
    pub to: Option<Address>,
    pub value: Option<U256>,
    pub data: Option<Bytes>,
}

/// `eth_feeHistory`: base fees of the blocks asked plus the next one, and the tips paid at the
/// requested percentiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeHistory {
    pub oldest_block: u64,
    pub base_fee_per_gas: Vec<u128>,
    pub reward: Vec<Vec<u128>>,
}

/// An ERC-20 `Transfer` event found in a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferLog {
    pub contract: Address,
    pub from: Address,
    pub to: Address,
    pub amount: U256,
}

/// `eth_getTransactionReceipt`, reduced to what payouts need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcReceipt {
    pub tx_hash: B256,
    pub block_number: u64,
    pub success: bool,
    pub gas_used: u64,
    pub effective_gas_price: Option<u128>,
    pub from: Option<Address>,
    pub to: Option<Address>,
    pub transfer_logs: Vec<TransferLog>,
}

/// `eth_getTransactionByHash`, reduced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcTransaction {
    pub hash: B256,
    pub from: Address,
    pub to: Option<Address>,
    pub nonce: u64,
    pub value: U256,
    pub input: Bytes,
    pub gas: u64,
    pub max_fee_per_gas: Option<u128>,
    pub max_priority_fee_per_gas: Option<u128>,
    /// `None` while the transaction waits in the mempool.
    pub block_number: Option<u64>,
}
