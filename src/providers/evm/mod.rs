//! An EVM node over JSON-RPC: the calls the host wallet makes, with errors classified for the
//! payout jobs, and the part of the ERC-20 ABI it uses.

pub mod client;
pub mod erc20;

pub use client::{
    BlockTag, CallRequest, EvmRpc, FeeHistory, RpcError, RpcReceipt, RpcTransaction, TransferLog,
};
pub use erc20::IERC20;
