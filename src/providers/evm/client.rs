//! A small Ethereum JSON-RPC 2.0 client over reqwest, with errors classified for the payout
//! jobs (retryable or not; the node's transaction-pool rejections recognisable).
//!
//! The endpoint URL usually embeds the provider's API key (`…/v2/<key>`), so it is kept in a
//! [`SecretString`] and never appears in `Debug`, `Display`, errors or logs: errors name the
//! JSON-RPC method only, and transport errors are stripped of the URL.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use alloy_primitives::{Address, B256, Bytes, U256, hex};
use alloy_sol_types::SolCall;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use url::Url;

use super::IERC20;
use super::decode::{
    decode, field, opt_address, opt_quantity_u64, opt_quantity_u128, parse_address_value,
    parse_b256, parse_bytes, quantity_u64, quantity_u128, quantity_u256, transfer_log,
};
use super::error::RpcError;
use super::types::{BlockTag, CallRequest, FeeHistory, RpcReceipt, RpcTransaction};
use crate::providers::http;

struct Inner {
    http: reqwest::Client,
    url: SecretString,
    /// `scheme://host:port`, the only part of the URL ever shown.
    display: String,
    timeout: Duration,
    next_id: AtomicU64,
}

/// JSON-RPC client. Cheap to clone (shares the connection pool).
#[derive(Clone)]
pub struct EvmRpc {
    inner: Arc<Inner>,
}

impl fmt::Debug for EvmRpc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EvmRpc")
            .field("endpoint", &self.inner.display)
            .field("timeout", &self.inner.timeout)
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
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                display: redacted_endpoint(&parsed),
                url: SecretString::from(trimmed.to_owned()),
                timeout,
                next_id: AtomicU64::new(1),
            }),
        })
    }

    /// `scheme://host:port/…` for logs.
    pub fn endpoint_for_display(&self) -> &str {
        &self.inner.display
    }

    /// Removes every trace of the URL from a transport error text.
    fn scrub(&self, text: String) -> String {
        let url = self.inner.url.expose_secret();
        let mut out = text.replace(url, "[rpc-url]");
        if let Ok(parsed) = Url::parse(url) {
            let path = parsed.path();
            if path.len() > 1 {
                out = out.replace(path, "/[redacted]");
            }
            if let Some(q) = parsed.query() {
                out = out.replace(q, "[redacted]");
            }
            if let Some(pw) = parsed.password() {
                out = out.replace(pw, "[redacted]");
            }
        }
        out
    }

    fn transport_error(&self, method: &'static str, err: reqwest::Error) -> RpcError {
        if err.is_timeout() {
            return RpcError::Timeout {
                method,
                timeout: self.inner.timeout,
            };
        }
        RpcError::Transport {
            method,
            detail: self.scrub(http::error_chain(err)),
        }
    }

    /// One JSON-RPC call; `Ok` carries `result` (possibly `null`).
    pub async fn request(&self, method: &'static str, params: Value) -> Result<Value, RpcError> {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let started = Instant::now();
        let response = self
            .inner
            .http
            .post(self.inner.url.expose_secret())
            .json(&body)
            .send()
            .await
            .map_err(|e| self.transport_error(method, e))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| self.transport_error(method, e))?;
        tracing::debug!(
            method,
            status = status.as_u16(),
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "evm rpc call"
        );
        let parsed: Option<Value> = serde_json::from_str(&text).ok();
        if !status.is_success() {
            let message = parsed
                .as_ref()
                .and_then(|v| v.get("error"))
                .and_then(|e| e.get("message"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            return Err(RpcError::Http {
                method,
                status: status.as_u16(),
                message,
            });
        }
        let Some(value) = parsed else {
            return Err(RpcError::Decode {
                method,
                detail: "the body is not JSON".to_owned(),
            });
        };
        if let Some(err) = value.get("error").filter(|e| !e.is_null()) {
            let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
            let message = err
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            return Err(RpcError::Rpc {
                method,
                code,
                message,
            });
        }
        if value.get("id").and_then(Value::as_u64) != Some(id) {
            return Err(RpcError::Decode {
                method,
                detail: "the answer's id does not match the request".to_owned(),
            });
        }
        match value.get("result") {
            Some(result) => Ok(result.clone()),
            None => Err(RpcError::Decode {
                method,
                detail: "neither result nor error".to_owned(),
            }),
        }
    }

    pub async fn chain_id(&self) -> Result<u64, RpcError> {
        let m = "eth_chainId";
        let v = self.request(m, json!([])).await?;
        quantity_u64(m, &v)
    }

    pub async fn block_number(&self) -> Result<u64, RpcError> {
        let m = "eth_blockNumber";
        let v = self.request(m, json!([])).await?;
        quantity_u64(m, &v)
    }

    /// The account's nonce at `tag`; with [`BlockTag::Pending`], transactions waiting in the
    /// node's mempool count as well.
    pub async fn get_transaction_count(
        &self,
        address: Address,
        tag: BlockTag,
    ) -> Result<u64, RpcError> {
        let m = "eth_getTransactionCount";
        let v = self.request(m, json!([address, tag.as_str()])).await?;
        quantity_u64(m, &v)
    }

    /// Native balance in wei at the latest block.
    pub async fn get_balance(&self, address: Address) -> Result<U256, RpcError> {
        let m = "eth_getBalance";
        let v = self.request(m, json!([address, "latest"])).await?;
        quantity_u256(m, &v)
    }

    /// `eth_call` at the latest block; the raw return data.
    pub async fn call(&self, call: &CallRequest) -> Result<Bytes, RpcError> {
        let m = "eth_call";
        let v = self.request(m, json!([call.to_json(), "latest"])).await?;
        parse_bytes(m, &v)
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
        let m = "eth_gasPrice";
        let v = self.request(m, json!([])).await?;
        quantity_u128(m, &v)
    }

    /// The node's suggested tip (`eth_maxPriorityFeePerGas`, a geth extension most providers
    /// serve).
    pub async fn max_priority_fee_per_gas(&self) -> Result<u128, RpcError> {
        let m = "eth_maxPriorityFeePerGas";
        let v = self.request(m, json!([])).await?;
        quantity_u128(m, &v)
    }

    /// `eth_feeHistory(block_count, "latest", percentiles)`. Percentiles are whole numbers
    /// 0–100.
    pub async fn fee_history(
        &self,
        block_count: u64,
        percentiles: &[u8],
    ) -> Result<FeeHistory, RpcError> {
        let m = "eth_feeHistory";
        let v = self
            .request(
                m,
                json!([format!("{block_count:#x}"), "latest", percentiles]),
            )
            .await?;
        let oldest_block = quantity_u64(m, field(m, &v, "oldestBlock")?)?;
        let base_fee_per_gas = field(m, &v, "baseFeePerGas")?
            .as_array()
            .ok_or_else(|| decode(m, "baseFeePerGas is not an array"))?
            .iter()
            .map(|x| quantity_u128(m, x))
            .collect::<Result<Vec<_>, _>>()?;
        let reward = match v.get("reward") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(rows)) => rows
                .iter()
                .map(|row| {
                    row.as_array()
                        .ok_or_else(|| decode(m, "reward row is not an array"))?
                        .iter()
                        .map(|x| quantity_u128(m, x))
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(decode(m, "reward is not an array")),
        };
        Ok(FeeHistory {
            oldest_block,
            base_fee_per_gas,
            reward,
        })
    }

    /// `baseFeePerGas` of the latest block. A chain without EIP-1559 is an error.
    pub async fn latest_base_fee(&self) -> Result<u128, RpcError> {
        let m = "eth_getBlockByNumber";
        let v = self.request(m, json!(["latest", false])).await?;
        if v.is_null() {
            return Err(decode(m, "no latest block"));
        }
        quantity_u128(m, field(m, &v, "baseFeePerGas")?)
    }

    pub async fn estimate_gas(&self, call: &CallRequest) -> Result<u64, RpcError> {
        let m = "eth_estimateGas";
        let v = self.request(m, json!([call.to_json()])).await?;
        quantity_u64(m, &v)
    }

    /// Broadcasts a signed, EIP-2718-encoded transaction; the node answers its hash.
    pub async fn send_raw_transaction(&self, raw: &[u8]) -> Result<B256, RpcError> {
        let m = "eth_sendRawTransaction";
        let v = self.request(m, json!([hex::encode_prefixed(raw)])).await?;
        parse_b256(m, &v)
    }

    /// `None` while the transaction is unknown or not yet mined.
    pub async fn get_transaction_receipt(
        &self,
        hash: B256,
    ) -> Result<Option<RpcReceipt>, RpcError> {
        let m = "eth_getTransactionReceipt";
        let v = self.request(m, json!([hash])).await?;
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
        let v = self.request(m, json!([hash])).await?;
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
