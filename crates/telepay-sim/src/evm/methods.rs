//! The JSON-RPC methods: parameters in, geth-shaped JSON out.

use std::str::FromStr;

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::SolCall;
use serde_json::{Value, json};

use super::SimTransfer;
use super::abi::IERC20;
use super::state::{Block, Entry, RpcErr, State, TOKEN_TRANSFER_GAS, intrinsic_gas};

fn qty<T: std::fmt::LowerHex>(n: T) -> Value {
    Value::String(format!("{n:#x}"))
}

fn param(params: &[Value], i: usize) -> Option<&Value> {
    params.get(i).filter(|v| !v.is_null())
}

fn arg_err(i: usize, what: &str) -> RpcErr {
    RpcErr::invalid_params(format!("invalid argument {i}: {what}"))
}

fn address_arg(params: &[Value], i: usize) -> Result<Address, RpcErr> {
    param(params, i)
        .and_then(Value::as_str)
        .and_then(|s| Address::from_str(s).ok())
        .ok_or_else(|| arg_err(i, "hex string of length 40 expected"))
}

fn hash_arg(params: &[Value], i: usize) -> Result<B256, RpcErr> {
    param(params, i)
        .and_then(Value::as_str)
        .and_then(|s| B256::from_str(s).ok())
        .ok_or_else(|| arg_err(i, "hex string of length 64 expected"))
}

fn parse_qty(v: &Value) -> Option<U256> {
    match v {
        Value::String(s) => {
            let digits = s.strip_prefix("0x")?;
            U256::from_str_radix(digits, 16).ok()
        }
        Value::Number(n) => n.as_u64().map(U256::from),
        _ => None,
    }
}

fn u64_of(v: &Value) -> Option<u64> {
    parse_qty(v).and_then(|u| u64::try_from(u).ok())
}

/// A `{from, to, value, data|input}` object.
struct CallArgs {
    from: Option<Address>,
    to: Option<Address>,
    value: U256,
    data: Bytes,
}

fn call_arg(params: &[Value], i: usize) -> Result<CallArgs, RpcErr> {
    let obj = param(params, i)
        .and_then(Value::as_object)
        .ok_or_else(|| arg_err(i, "transaction object expected"))?;
    let addr = |k: &str| -> Result<Option<Address>, RpcErr> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_str()
                .and_then(|s| Address::from_str(s).ok())
                .map(Some)
                .ok_or_else(|| arg_err(i, &format!("bad {k}"))),
        }
    };
    let value = match obj.get("value") {
        None | Some(Value::Null) => U256::ZERO,
        Some(v) => parse_qty(v).ok_or_else(|| arg_err(i, "bad value"))?,
    };
    let data = match obj.get("input").or_else(|| obj.get("data")) {
        None | Some(Value::Null) => Bytes::new(),
        Some(v) => v
            .as_str()
            .and_then(|s| Bytes::from_str(s).ok())
            .ok_or_else(|| arg_err(i, "bad input"))?,
    };
    Ok(CallArgs {
        from: addr("from")?,
        to: addr("to")?,
        value,
        data,
    })
}

/// `"latest"`, `"pending"`, `"earliest"`, `"safe"`, `"finalized"` or a hex number; `None` for a
/// block that does not exist.
fn block_by_tag<'a>(st: &'a State, tag: &Value) -> Result<Option<&'a Block>, RpcErr> {
    match tag.as_str() {
        Some("latest" | "pending" | "safe" | "finalized") => Ok(Some(st.head())),
        Some("earliest") => Ok(st.blocks.first()),
        _ => {
            let n = u64_of(tag).ok_or_else(|| arg_err(0, "block number or tag expected"))?;
            Ok(usize::try_from(n).ok().and_then(|i| st.blocks.get(i)))
        }
    }
}

pub(crate) fn dispatch(
    st: &mut State,
    method: &str,
    params: &[Value],
) -> Result<(Value, Vec<SimTransfer>), RpcErr> {
    let value = match method {
        "eth_chainId" => qty(st.chain_id),
        "net_version" => Value::String(st.chain_id.to_string()),
        "web3_clientVersion" => json!("telepay-evm-sim/1.0"),
        "eth_syncing" => Value::Bool(false),
        "eth_blockNumber" => qty(st.head_number()),
        "eth_getBalance" => json!(st.balance(&address_arg(params, 0)?)),
        "eth_getTransactionCount" => {
            let addr = address_arg(params, 0)?;
            let pending = param(params, 1).and_then(Value::as_str) == Some("pending");
            if pending {
                qty(st.pending_nonce(&addr))
            } else {
                qty(st.nonce(&addr))
            }
        }
        "eth_gasPrice" => qty(st.base_fee.saturating_add(st.priority_fee)),
        "eth_maxPriorityFeePerGas" => qty(st.priority_fee),
        "eth_feeHistory" => fee_history(st, params)?,
        "eth_getBlockByNumber" => {
            let tag = param(params, 0).ok_or_else(|| arg_err(0, "block tag expected"))?;
            let full = param(params, 1).and_then(Value::as_bool).unwrap_or(false);
            match block_by_tag(st, tag)? {
                Some(b) => block_json(st, b, full),
                None => Value::Null,
            }
        }
        "eth_getBlockByHash" => {
            let hash = hash_arg(params, 0)?;
            let full = param(params, 1).and_then(Value::as_bool).unwrap_or(false);
            match st.blocks.iter().find(|b| b.hash == hash) {
                Some(b) => block_json(st, b, full),
                None => Value::Null,
            }
        }
        "eth_call" => eth_call(st, &call_arg(params, 0)?)?,
        "eth_estimateGas" => qty(estimate_gas(st, &call_arg(params, 0)?)?),
        "eth_sendRawTransaction" => {
            let raw = param(params, 0)
                .and_then(Value::as_str)
                .and_then(|s| Bytes::from_str(s).ok())
                .ok_or_else(|| arg_err(0, "hex data expected"))?;
            let (hash, events) = st.submit_raw(&raw)?;
            return Ok((json!(hash), events));
        }
        "eth_getTransactionReceipt" => {
            let hash = hash_arg(params, 0)?;
            match st.visible(&hash) {
                Some(e) => receipt_json(e).unwrap_or(Value::Null),
                None => Value::Null,
            }
        }
        "eth_getTransactionByHash" => {
            let hash = hash_arg(params, 0)?;
            match st.visible(&hash) {
                Some(e) => tx_json(st, e),
                None => Value::Null,
            }
        }
        other => {
            return Err(RpcErr::new(
                -32601,
                format!("the method {other} does not exist/is not available"),
            ));
        }
    };
    Ok((value, Vec::new()))
}

fn fee_history(st: &State, params: &[Value]) -> Result<Value, RpcErr> {
    let count = param(params, 0)
        .and_then(u64_of)
        .ok_or_else(|| arg_err(0, "block count expected"))?;
    let newest = match param(params, 1) {
        Some(tag) => block_by_tag(st, tag)?
            .map(|b| b.number)
            .ok_or_else(|| RpcErr::pool("request beyond head block"))?,
        None => st.head_number(),
    };
    let percentiles = param(params, 2)
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    let count = count.min(newest.saturating_add(1)).min(1024);
    if count == 0 {
        return Ok(json!({ "oldestBlock": qty(0u64), "baseFeePerGas": [], "gasUsedRatio": [] }));
    }
    let oldest = newest.saturating_add(1).saturating_sub(count);
    let mut base_fees = Vec::new();
    let mut ratios = Vec::new();
    let mut rewards = Vec::new();
    for n in oldest..=newest {
        let block = usize::try_from(n).ok().and_then(|i| st.blocks.get(i));
        let (fee, used) = block.map(|b| (b.base_fee, b.gas_used)).unwrap_or_default();
        base_fees.push(qty(fee));
        // Not money: a plain ratio for display, as nodes send it.
        let ratio = u32::try_from(used.min(st.block_gas_limit))
            .map(f64::from)
            .unwrap_or(0.0)
            / u32::try_from(st.block_gas_limit.max(1))
                .map(f64::from)
                .unwrap_or(1.0);
        ratios.push(json!(ratio));
        rewards.push(Value::Array(vec![qty(st.priority_fee); percentiles]));
    }
    // The next block's base fee.
    base_fees.push(qty(st.base_fee));
    let mut out = json!({
        "oldestBlock": qty(oldest),
        "baseFeePerGas": base_fees,
        "gasUsedRatio": ratios,
    });
    if percentiles > 0 {
        out["reward"] = Value::Array(rewards);
    }
    Ok(out)
}

fn eth_call(st: &State, call: &CallArgs) -> Result<Value, RpcErr> {
    let Some(to) = call.to else {
        return Ok(json!("0x"));
    };
    let Some(token) = st.tokens.get(&to) else {
        // Calling an account without code returns nothing.
        return Ok(json!("0x"));
    };
    let data = call.data.as_ref();
    let out: Vec<u8> = if let Ok(c) = IERC20::balanceOfCall::abi_decode(data) {
        IERC20::balanceOfCall::abi_encode_returns(&st.token_balance(&to, &c.owner))
    } else if IERC20::decimalsCall::abi_decode(data).is_ok() {
        IERC20::decimalsCall::abi_encode_returns(&token.decimals)
    } else if IERC20::symbolCall::abi_decode(data).is_ok() {
        IERC20::symbolCall::abi_encode_returns(&token.symbol)
    } else if IERC20::nameCall::abi_decode(data).is_ok() {
        IERC20::nameCall::abi_encode_returns(&token.symbol)
    } else if IERC20::totalSupplyCall::abi_decode(data).is_ok() {
        let total = token
            .balances
            .values()
            .fold(U256::ZERO, |a, b| a.saturating_add(*b));
        IERC20::totalSupplyCall::abi_encode_returns(&total)
    } else {
        return Err(RpcErr::reverted());
    };
    Ok(json!(Bytes::from(out)))
}

fn estimate_gas(st: &State, call: &CallArgs) -> Result<u64, RpcErr> {
    let from = call.from.unwrap_or_default();
    let intrinsic = intrinsic_gas(&call.data);
    if st.balance(&from) < call.value {
        return Err(RpcErr::pool("insufficient funds for transfer"));
    }
    let Some(to) = call.to else {
        return Err(RpcErr::pool(
            "contract creation is not supported by the simulator",
        ));
    };
    if st.tokens.contains_key(&to) {
        let Ok(transfer) = IERC20::transferCall::abi_decode(&call.data) else {
            return Err(RpcErr::reverted());
        };
        if !call.value.is_zero() || st.token_balance(&to, &from) < transfer.amount {
            return Err(RpcErr::reverted());
        }
        return Ok(intrinsic.saturating_add(TOKEN_TRANSFER_GAS));
    }
    Ok(intrinsic)
}

fn block_json(st: &State, b: &Block, full: bool) -> Value {
    let txs: Vec<Value> = b
        .txs
        .iter()
        .map(|h| match (full, st.visible(h)) {
            (true, Some(e)) => tx_json(st, e),
            _ => json!(h),
        })
        .collect();
    json!({
        "number": qty(b.number),
        "hash": b.hash,
        "parentHash": b.parent_hash,
        "baseFeePerGas": qty(b.base_fee),
        "timestamp": qty(b.timestamp),
        "gasLimit": qty(st.block_gas_limit),
        "gasUsed": qty(b.gas_used),
        "miner": Address::ZERO,
        "difficulty": "0x0",
        "extraData": "0x",
        "transactions": txs,
        "uncles": [],
    })
}

fn tx_json(st: &State, e: &Entry) -> Value {
    let (block_hash, block_number, index, gas_price) = match &e.receipt {
        Some(r) => (
            json!(r.block_hash),
            qty(r.block_number),
            qty(r.index),
            qty(r.effective_gas_price),
        ),
        None => (
            Value::Null,
            Value::Null,
            Value::Null,
            qty(e.effective_gas_price(st.base_fee)),
        ),
    };
    let (r, s, y) = match &e.signature {
        Some(sig) => (json!(sig.r()), json!(sig.s()), qty(u8::from(sig.v()))),
        None => (qty(0u8), qty(0u8), qty(0u8)),
    };
    let mut out = json!({
        "hash": e.hash,
        "nonce": qty(e.nonce),
        "blockHash": block_hash,
        "blockNumber": block_number,
        "transactionIndex": index,
        "from": e.from,
        "to": e.to,
        "value": e.value,
        "gas": qty(e.gas_limit),
        "gasPrice": gas_price,
        "input": e.input,
        "type": qty(e.tx_type),
        "r": r,
        "s": s,
    });
    if let Some(chain_id) = e.chain_id {
        out["chainId"] = qty(chain_id);
    }
    if let Some(tip) = e.tip {
        out["maxFeePerGas"] = qty(e.max_fee);
        out["maxPriorityFeePerGas"] = qty(tip);
        out["accessList"] = json!([]);
        out["yParity"] = y.clone();
        out["v"] = y;
    } else {
        out["v"] = y;
    }
    out
}

fn receipt_json(e: &Entry) -> Option<Value> {
    let r = e.receipt.as_ref()?;
    let logs: Vec<Value> = r
        .logs
        .iter()
        .map(|l| {
            json!({
                "address": l.address,
                "topics": l.topics,
                "data": l.data,
                "blockNumber": qty(r.block_number),
                "blockHash": r.block_hash,
                "transactionHash": e.hash,
                "transactionIndex": qty(r.index),
                "logIndex": qty(l.log_index),
                "removed": false,
            })
        })
        .collect();
    Some(json!({
        "transactionHash": e.hash,
        "transactionIndex": qty(r.index),
        "blockHash": r.block_hash,
        "blockNumber": qty(r.block_number),
        "from": e.from,
        "to": e.to,
        "cumulativeGasUsed": qty(r.cumulative_gas_used),
        "gasUsed": qty(r.gas_used),
        "effectiveGasPrice": qty(r.effective_gas_price),
        "contractAddress": Value::Null,
        "logs": logs,
        "logsBloom": Bytes::from(vec![0u8; 256]),
        "status": qty(u8::from(r.success)),
        "type": qty(e.tx_type),
    }))
}
