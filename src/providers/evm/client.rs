//! The EVM node client on alloy's provider: typed requests (`TransactionRequest`, block ids,
//! fee history) through [`NodeTransport`], with errors turned into our own [`RpcError`]
//! classification for the payout jobs (retryable or not; the node's transaction-pool
//! rejections recognisable).
//!
//! Receipts, transactions and blocks are read from their JSON with our reduced readers rather
//! than alloy's full types: those require fields (logs bloom, roots, signatures) that payouts
//! never use and that some nodes, and our simulator, leave out.
//!
//! The endpoint URL usually embeds the provider's API key (`…/v2/<key>`), so it is kept in a
//! [`SecretString`] and never appears in `Debug`, `Display`, errors or logs: errors name the
//! JSON-RPC method only, and transport errors are stripped of the URL.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_network::Ethereum;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use alloy_provider::{Provider, RootProvider};
use alloy_rpc_client::RpcClient;
use alloy_rpc_types_eth::{TransactionInput, TransactionRequest};
use alloy_sol_types::SolCall;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::IERC20;
use super::decode::{
    decode, field, opt_address, opt_quantity_u64, opt_quantity_u128, parse_address_value,
    parse_b256, parse_bytes, quantity_u64, quantity_u128, quantity_u256, transfer_log,
};
use super::error::RpcError;
use super::transport::NodeTransport;
use super::types::{BlockTag, CallRequest, FeeHistory, RpcReceipt, RpcTransaction};
use crate::providers::http;

/// JSON-RPC client. Cheap to clone (shares the provider and its connection pool).
#[derive(Clone)]
pub struct EvmRpc {
    provider: RootProvider<Ethereum>,
    /// `scheme://host:port`, the only part of the URL ever shown.
    display: String,
    timeout: Duration,
}

impl fmt::Debug for EvmRpc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EvmRpc")
            .field("endpoint", &self.display)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// `scheme://host[:port]/…`, with credentials, path and query hidden.
fn redacted_endpoint(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let rest = if url.path().len() > 1 || url.query().is_some() {
        "/…"
    } else {
        ""
    };
    format!("{}://{host}{port}{rest}", url.scheme())
}

impl BlockTag {
    fn id(self) -> BlockId {
        match self {
            Self::Latest => BlockId::latest(),
            Self::Pending => BlockId::pending(),
            Self::Safe => BlockId::safe(),
            Self::Finalized => BlockId::finalized(),
        }
    }
}

impl CallRequest {
    fn to_alloy(&self) -> TransactionRequest {
        let mut tx = TransactionRequest {
            from: self.from,
            to: self.to.map(TxKind::Call),
            value: self.value,
            ..TransactionRequest::default()
        };
        if let Some(data) = &self.data {
            // Both names: older nodes read `data`, newer prefer `input`.
            tx.input = TransactionInput::both(data.clone());
        }
        tx
    }
}

impl EvmRpc {
    /// A client for the endpoint `url` (http or https); each call gives up after `timeout`.
    pub fn new(url: &SecretString, timeout: Duration) -> Result<Self, RpcError> {
        let http = http::client(timeout, timeout)
            .map_err(|_| RpcError::Config("cannot build the HTTP client"))?;
        Self::with_client(url, http, timeout)
    }

    /// Like [`EvmRpc::new`] with a caller-built client (its own timeout settings apply;
    /// `timeout` is only reported in errors).
    pub fn with_client(
        url: &SecretString,
        http: reqwest::Client,
        timeout: Duration,
    ) -> Result<Self, RpcError> {
        let trimmed = url.expose_secret().trim();
        let parsed = Url::parse(trimmed).map_err(|_| RpcError::Config("the RPC URL is invalid"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(RpcError::Config("the RPC URL must be http or https"));
        }
        let transport = NodeTransport::new(http, SecretString::from(trimmed.to_owned()));
        // `is_local` only shortens alloy's polling interval, which nothing here uses.
        let client = RpcClient::new(transport, false);
        Ok(Self {
            provider: RootProvider::new(client),
            display: redacted_endpoint(&parsed),
            timeout,
        })
    }

    /// `scheme://host:port/…` for logs.
    pub fn endpoint_for_display(&self) -> &str {
        &self.display
    }

    /// An error of alloy's provider, in our terms.
    fn err(
        &self,
        method: &'static str,
    ) -> impl FnOnce(alloy_transport::TransportError) -> RpcError {
        let timeout = self.timeout;
        move |e| RpcError::from_alloy(method, timeout, e)
    }

    /// One JSON-RPC call; `Ok` carries `result` (possibly `null`).
    pub async fn request(&self, method: &'static str, params: Value) -> Result<Value, RpcError> {
        self.provider
            .raw_request::<_, Value>(Cow::Borrowed(method), params)
            .await
            .map_err(self.err(method))
    }

    pub async fn chain_id(&self) -> Result<u64, RpcError> {
        self.provider
            .get_chain_id()
            .await
            .map_err(self.err("eth_chainId"))
    }

    pub async fn block_number(&self) -> Result<u64, RpcError> {
        self.provider
            .get_block_number()
            .await
            .map_err(self.err("eth_blockNumber"))
    }

    /// The account's nonce at `tag`; with [`BlockTag::Pending`], transactions waiting in the
    /// node's mempool count as well.
    pub async fn get_transaction_count(
        &self,
        address: Address,
        tag: BlockTag,
    ) -> Result<u64, RpcError> {
        self.provider
            .get_transaction_count(address)
            .block_id(tag.id())
            .await
            .map_err(self.err("eth_getTransactionCount"))
    }

    /// Native balance in wei at the latest block.
    pub async fn get_balance(&self, address: Address) -> Result<U256, RpcError> {
        self.provider
            .get_balance(address)
            .block_id(BlockId::latest())
            .await
            .map_err(self.err("eth_getBalance"))
    }

    /// `eth_call` at the latest block; the raw return data.
    pub async fn call(&self, call: &CallRequest) -> Result<Bytes, RpcError> {
        self.provider
            .call(call.to_alloy())
            .block(BlockId::latest())
            .await
            .map_err(self.err("eth_call"))
    }

    /// ERC-20 `balanceOf(owner)` in base units.
    pub async fn erc20_balance(&self, token: Address, owner: Address) -> Result<U256, RpcError> {
        let data = IERC20::balanceOfCall { owner }.abi_encode();
        let out = self
            .call(&CallRequest {
                to: Some(token),
                data: Some(data.into()),
                ..CallRequest::default()
            })
            .await?;
        IERC20::balanceOfCall::abi_decode_returns(&out).map_err(|e| RpcError::Decode {
            method: "eth_call",
            detail: format!("balanceOf: {e}"),
        })
    }

    /// ERC-20 `decimals()`.
    pub async fn erc20_decimals(&self, token: Address) -> Result<u8, RpcError> {
        let data = IERC20::decimalsCall {}.abi_encode();
        let out = self
            .call(&CallRequest {
                to: Some(token),
                data: Some(data.into()),
                ..CallRequest::default()
            })
            .await?;
        IERC20::decimalsCall::abi_decode_returns(&out).map_err(|e| RpcError::Decode {
            method: "eth_call",
            detail: format!("decimals: {e}"),
        })
    }

    pub async fn gas_price(&self) -> Result<u128, RpcError> {
        self.provider
            .get_gas_price()
            .await
            .map_err(self.err("eth_gasPrice"))
    }

    /// The node's suggested tip (`eth_maxPriorityFeePerGas`, a geth extension most providers
    /// serve).
    pub async fn max_priority_fee_per_gas(&self) -> Result<u128, RpcError> {
        self.provider
            .get_max_priority_fee_per_gas()
            .await
            .map_err(self.err("eth_maxPriorityFeePerGas"))
    }

    /// `eth_feeHistory(block_count, "latest", percentiles)`. Percentiles are whole numbers
    /// 0–100.
    pub async fn fee_history(
        &self,
        block_count: u64,
        percentiles: &[u8],
    ) -> Result<FeeHistory, RpcError> {
        let percentiles: Vec<f64> = percentiles.iter().copied().map(f64::from).collect();
        let h = self
            .provider
            .get_fee_history(block_count, BlockNumberOrTag::Latest, &percentiles)
            .await
            .map_err(self.err("eth_feeHistory"))?;
        Ok(FeeHistory {
            oldest_block: h.oldest_block,
            base_fee_per_gas: h.base_fee_per_gas,
            reward: h.reward.unwrap_or_default(),
        })
    }

    /// `baseFeePerGas` of the latest block. A chain without EIP-1559 is an error.
    pub async fn latest_base_fee(&self) -> Result<u128, RpcError> {
        let m = "eth_getBlockByNumber";
        let v = self
            .provider
            .raw_request::<_, Value>(Cow::Borrowed(m), (BlockNumberOrTag::Latest, false))
            .await
            .map_err(self.err(m))?;
        if v.is_null() {
            return Err(decode(m, "no latest block"));
        }
        quantity_u128(m, field(m, &v, "baseFeePerGas")?)
    }

    pub async fn estimate_gas(&self, call: &CallRequest) -> Result<u64, RpcError> {
        self.provider
            .estimate_gas(call.to_alloy())
            .await
            .map_err(self.err("eth_estimateGas"))
    }

    /// Broadcasts a signed, EIP-2718-encoded transaction; the node answers its hash.
    pub async fn send_raw_transaction(&self, raw: &[u8]) -> Result<B256, RpcError> {
        let pending = self
            .provider
            .send_raw_transaction(raw)
            .await
            .map_err(self.err("eth_sendRawTransaction"))?;
        Ok(*pending.tx_hash())
    }

    /// `None` while the transaction is unknown or not yet mined.
    pub async fn get_transaction_receipt(
        &self,
        hash: B256,
    ) -> Result<Option<RpcReceipt>, RpcError> {
        let m = "eth_getTransactionReceipt";
        let v = self.request(m, serde_json::json!([hash])).await?;
        if v.is_null() {
            return Ok(None);
        }
        // Some nodes answer a receipt-shaped object without a block for pending transactions.
        let Some(block_number) = opt_quantity_u64(m, v.get("blockNumber"))? else {
            return Ok(None);
        };
        let success = match v.get("status") {
            Some(s) => quantity_u64(m, s)? == 1,
            None => return Err(decode(m, "receipt without status (pre-Byzantium)")),
        };
        let transfer_logs = match v.get("logs") {
            Some(Value::Array(logs)) => logs.iter().filter_map(transfer_log).collect(),
            _ => Vec::new(),
        };
        Ok(Some(RpcReceipt {
            tx_hash: parse_b256(m, field(m, &v, "transactionHash")?)?,
            block_number,
            success,
            gas_used: quantity_u64(m, field(m, &v, "gasUsed")?)?,
            effective_gas_price: opt_quantity_u128(m, v.get("effectiveGasPrice"))?,
            from: opt_address(m, v.get("from"))?,
            to: opt_address(m, v.get("to"))?,
            transfer_logs,
        }))
    }

    /// `None` when the node does not know the hash (never seen, dropped or replaced).
    pub async fn get_transaction_by_hash(
        &self,
        hash: B256,
    ) -> Result<Option<RpcTransaction>, RpcError> {
        let m = "eth_getTransactionByHash";
        let v = self.request(m, serde_json::json!([hash])).await?;
        if v.is_null() {
            return Ok(None);
        }
        let input = match v.get("input").or_else(|| v.get("data")) {
            Some(x) => parse_bytes(m, x)?,
            None => Bytes::new(),
        };
        Ok(Some(RpcTransaction {
            hash: parse_b256(m, field(m, &v, "hash")?)?,
            from: parse_address_value(m, field(m, &v, "from")?)?,
            to: opt_address(m, v.get("to"))?,
            nonce: quantity_u64(m, field(m, &v, "nonce")?)?,
            value: quantity_u256(m, field(m, &v, "value")?)?,
            input,
            gas: quantity_u64(m, field(m, &v, "gas")?)?,
            max_fee_per_gas: opt_quantity_u128(m, v.get("maxFeePerGas"))?,
            max_priority_fee_per_gas: opt_quantity_u128(m, v.get("maxPriorityFeePerGas"))?,
            block_number: opt_quantity_u64(m, v.get("blockNumber"))?,
        }))
    }
}
