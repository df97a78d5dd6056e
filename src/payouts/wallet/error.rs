//! Why a wallet operation failed, and which failures are worth another attempt.

use super::*;

/// Why a wallet operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    /// The key is not 32 bytes of hex or not a valid secp256k1 scalar. Deliberately says
    /// nothing about its content.
    #[error("the host wallet private key is malformed")]
    InvalidKey,
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error("refusing the transfer: {0}")]
    InvalidTransfer(&'static str),
    #[error("invalid fees: {0}")]
    InvalidFees(&'static str),
    #[error("the node is on chain {node}, the wallet is configured for chain {configured}")]
    ChainMismatch { configured: u64, node: u64 },
    #[error("insufficient {symbol}: have {have}, need {need} (base units)")]
    InsufficientFunds {
        symbol: String,
        have: U256,
        need: U256,
    },
    #[error("suggested max fee {suggested} wei/gas is above the cap {cap}")]
    FeeAboveCap { suggested: u128, cap: u128 },
    #[error("the node answered hash {got} for transaction {expected}")]
    HashMismatch { expected: B256, got: B256 },
    #[error("not a transaction this wallet can broadcast: {0}")]
    BadRawTransaction(&'static str),
    #[error("signing failed: {0}")]
    Signing(String),
}

impl WalletError {
    fn rpc(&self) -> Option<&RpcError> {
        match self {
            Self::Rpc(e) => Some(e),
            _ => None,
        }
    }

    /// Worth retrying unchanged later (see [`RpcError::is_retryable`]); a fee spike over the
    /// cap too.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::FeeAboveCap { .. }) || self.rpc().is_some_and(RpcError::is_retryable)
    }

    pub fn is_nonce_too_low(&self) -> bool {
        self.rpc().is_some_and(RpcError::is_nonce_too_low)
    }

    pub fn is_already_known(&self) -> bool {
        self.rpc().is_some_and(RpcError::is_already_known)
    }

    pub fn is_replacement_underpriced(&self) -> bool {
        self.rpc().is_some_and(RpcError::is_replacement_underpriced)
    }

    /// The node refused for lack of funds, or the local pre-flight check did.
    pub fn is_insufficient_funds(&self) -> bool {
        matches!(self, Self::InsufficientFunds { .. })
            || self.rpc().is_some_and(RpcError::is_insufficient_funds)
    }
}
