//! An EVM node over JSON-RPC: the calls the host wallet makes, with errors classified for the
//! payout jobs, and the part of the ERC-20 ABI it uses.

pub mod client;
mod decode;
pub mod erc20;
pub mod error;
mod transport;
pub mod types;

pub use client::EvmRpc;
pub use erc20::IERC20;
pub use error::RpcError;
pub use types::{BlockTag, CallRequest, FeeHistory, RpcReceipt, RpcTransaction, TransferLog};
