//! Reading JSON-RPC results: quantities, hashes, addresses, data and ERC-20 `Transfer` logs.

use std::str::FromStr;

use alloy_primitives::{Address, B256, Bytes, U256};
use serde_json::Value;

use super::IERC20;
use super::error::RpcError;
use super::types::TransferLog;

pub(super) fn decode(method: &'static str, detail: &str) -> RpcError {
    RpcError::Decode {
        method,
        detail: detail.to_owned(),
    }
}

pub(super) fn field<'a>(
    method: &'static str,
    v: &'a Value,
    name: &str,
) -> Result<&'a Value, RpcError> {
    v.get(name)
        .filter(|x| !x.is_null())
        .ok_or_else(|| RpcError::Decode {
            method,
            detail: format!("missing field {name}"),
        })
}

pub(super) fn quantity_u256(method: &'static str, v: &Value) -> Result<U256, RpcError> {
    let s = v
        .as_str()
        .ok_or_else(|| decode(method, "a quantity is not a string"))?;
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| decode(method, "a quantity lacks 0x"))?;
    if digits.is_empty() {
        return Err(decode(method, "an empty quantity"));
    }
    U256::from_str_radix(digits, 16).map_err(|_| decode(method, "a quantity is not hex"))
}

pub(super) fn quantity_u64(method: &'static str, v: &Value) -> Result<u64, RpcError> {
    u64::try_from(quantity_u256(method, v)?).map_err(|_| decode(method, "a quantity exceeds u64"))
}

pub(super) fn quantity_u128(method: &'static str, v: &Value) -> Result<u128, RpcError> {
    u128::try_from(quantity_u256(method, v)?).map_err(|_| decode(method, "a quantity exceeds u128"))
}

pub(super) fn opt_quantity_u64(
    method: &'static str,
    v: Option<&Value>,
) -> Result<Option<u64>, RpcError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(x) => quantity_u64(method, x).map(Some),
    }
}

pub(super) fn opt_quantity_u128(
    method: &'static str,
    v: Option<&Value>,
) -> Result<Option<u128>, RpcError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(x) => quantity_u128(method, x).map(Some),
    }
}

pub(super) fn parse_b256(method: &'static str, v: &Value) -> Result<B256, RpcError> {
    v.as_str()
        .and_then(|s| B256::from_str(s).ok())
        .ok_or_else(|| decode(method, "not a 32-byte hash"))
}

pub(super) fn parse_bytes(method: &'static str, v: &Value) -> Result<Bytes, RpcError> {
    v.as_str()
        .and_then(|s| Bytes::from_str(s).ok())
        .ok_or_else(|| decode(method, "not hex data"))
}

pub(super) fn parse_address_value(method: &'static str, v: &Value) -> Result<Address, RpcError> {
    v.as_str()
        .and_then(|s| Address::from_str(s).ok())
        .ok_or_else(|| decode(method, "not an address"))
}

pub(super) fn opt_address(
    method: &'static str,
    v: Option<&Value>,
) -> Result<Option<Address>, RpcError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(x) => parse_address_value(method, x).map(Some),
    }
}

/// An ERC-20 `Transfer(address,address,uint256)` log, or `None` for any other log.
pub(super) fn transfer_log(log: &Value) -> Option<TransferLog> {
    use alloy_sol_types::SolEvent;
    let topics = log.get("topics")?.as_array()?;
    let topic = |i: usize| {
        topics
            .get(i)
            .and_then(Value::as_str)
            .and_then(|s| B256::from_str(s).ok())
    };
    if topics.len() != 3 || topic(0)? != IERC20::Transfer::SIGNATURE_HASH {
        return None;
    }
    let from = Address::from_word(topic(1)?);
    let to = Address::from_word(topic(2)?);
    let data = Bytes::from_str(log.get("data")?.as_str()?).ok()?;
    let amount = U256::try_from_be_slice(&data)?;
    let contract = Address::from_str(log.get("address")?.as_str()?).ok()?;
    Some(TransferLog {
        contract,
        from,
        to,
        amount,
    })
}
