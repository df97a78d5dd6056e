//! ChangeNOW wire types (reference/apis.md §B): assets, estimates, ranges, the exchange to
//! create and what ChangeNOW answers about it. Answers are read with every number token turned
//! into its text first ([`numbers_as_strings`]), so no amount ever passes through a double.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::CnError;
use super::state::ExchangeState;
use crate::providers::json_number::{numbers_as_strings, short, to_plain_string};

// ---- assets and amounts ---------------------------------------------------------------------

/// A v2 currency: lowercase ticker plus network, e.g. `usdt`/`bsc` for USDT-BEP20 (§B.2).
/// NOWPayments tickers such as `usdtbsc` are ChangeNOW *legacy* tickers and must be mapped
/// explicitly before they get here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Asset {
    pub ticker: String,
    pub network: String,
}

impl Asset {
    /// Trims and lowercases both parts.
    pub fn new(ticker: &str, network: &str) -> Self {
        Self {
            ticker: ticker.trim().to_ascii_lowercase(),
            network: network.trim().to_ascii_lowercase(),
        }
    }

    /// The same asset, trimmed and lowercased (the fields are public, so callers may have
    /// filled them in any case).
    pub(super) fn wire(&self) -> Result<Self, CnError> {
        let a = Self::new(&self.ticker, &self.network);
        let ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 32
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if ok(&a.ticker) && ok(&a.network) {
            Ok(a)
        } else {
            Err(CnError::InvalidRequest(format!(
                "`{}` is not a ChangeNOW ticker/network pair",
                short(&self.to_string(), 70)
            )))
        }
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ticker, self.network)
    }
}

/// Deserializes a ChangeNOW answer with its numbers read exactly.
pub(super) fn from_exact_json<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, CnError> {
    serde_json::from_slice(&numbers_as_strings(body))
        .map_err(|e| CnError::Decode(format!("{what}: {e}")))
}

// ---- tolerant field parsing -----------------------------------------------------------------

/// Field deserializers for answers whose numbers were turned into strings by
/// [`numbers_as_strings`]. Fields vary with the status and may be `null` (§B.7).
mod lenient {
    use super::*;

    pub(super) use crate::providers::json_number::{amount, opt_amount};

    /// Text (ids, addresses, hashes, dates): trimmed; `null`, `""` and `"null"` are absent; an
    /// integral number is its digits.
    pub(super) use crate::providers::json_number::opt_id as opt_text;

    /// Tickers and networks: lowercase.
    pub(super) fn opt_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(opt_text(d)?.map(|s| s.to_ascii_lowercase()))
    }

    pub(super) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        opt_text(d)?.ok_or_else(|| de::Error::custom("the id is missing"))
    }

    /// `true`/`false`, also as the strings ChangeNOW might send; anything else is absent.
    pub(super) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Bool(b) => Some(b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        })
    }
}

// ---- payloads -------------------------------------------------------------------------------

/// `GET /v2/exchange/estimated-amount` (standard flow, direct): what `from_amount` would give
/// now. Network fees are already deducted; with the floating rate the final `amountTo` may
/// differ (§B.6), so account with [`ExchangeStatus::amount_to`], never with this.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub from_currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub from_network: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub to_currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub to_network: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub flow: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_text")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "lenient::amount")]
    pub from_amount: Decimal,
    #[serde(deserialize_with = "lenient::amount")]
    pub to_amount: Decimal,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub rate_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub valid_until: Option<String>,
    /// Minutes, e.g. "10-60".
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub transaction_speed_forecast: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub warning_message: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub deposit_fee: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub withdrawal_fee: Option<Decimal>,
}

/// `GET /v2/exchange/range`: the amounts of the *from* asset ChangeNOW accepts now. Minimums
/// move; check right before creating and keep a margin (§B.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountRange {
    pub min: Decimal,
    /// `None`: no maximum.
    pub max: Option<Decimal>,
}

impl AmountRange {
    /// Whether `amount` lies within the range.
    pub fn contains(&self, amount: Decimal) -> bool {
        amount >= self.min && self.max.is_none_or(|max| amount <= max)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RangeWire {
    #[serde(deserialize_with = "lenient::amount")]
    pub(super) min_amount: Decimal,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub(super) max_amount: Option<Decimal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MinWire {
    #[serde(deserialize_with = "lenient::amount")]
    pub(super) min_amount: Decimal,
}

/// An exchange to create: standard flow (floating rate), direct (we give `from_amount`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateExchange {
    pub from: Asset,
    pub to: Asset,
    pub from_amount: Decimal,
    /// Payout address for the `to` asset.
    pub address: String,
    /// Memo or tag of the payout address; always pass it for memo assets (§B.7).
    pub extra_id: Option<String>,
    /// Where ChangeNOW returns a late or odd deposit.
    pub refund_address: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody<'a> {
    from_currency: &'a str,
    from_network: &'a str,
    to_currency: &'a str,
    to_network: &'a str,
    /// Plain decimal text (§B.7).
    from_amount: String,
    address: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refund_address: Option<&'a str>,
    flow: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl CreateExchange {
    /// The request body: a JSON object whose `fromAmount` is a plain decimal string.
    /// Addresses and memos are trimmed (lesson 48: pasted values carry newlines).
    pub fn to_json(&self) -> Result<String, CnError> {
        let from = self.from.wire()?;
        let to = self.to.wire()?;
        if self.from_amount <= Decimal::ZERO {
            return Err(CnError::InvalidRequest(
                "fromAmount must be positive".to_owned(),
            ));
        }
        let address = self.address.trim();
        if address.is_empty() {
            return Err(CnError::InvalidRequest(
                "the payout address is empty".to_owned(),
            ));
        }
        let body = CreateBody {
            from_currency: &from.ticker,
            from_network: &from.network,
            to_currency: &to.ticker,
            to_network: &to.network,
            from_amount: to_plain_string(self.from_amount),
            address,
            extra_id: non_blank(self.extra_id.as_deref()),
            refund_address: non_blank(self.refund_address.as_deref()),
            flow: "standard",
            kind: "direct",
        };
        serde_json::to_string(&body)
            .map_err(|e| CnError::InvalidRequest(format!("exchange body: {e}")))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExchangeWire {
    #[serde(default, deserialize_with = "lenient::opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    from_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    to_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    payin_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    payin_extra_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    payout_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    payout_extra_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    refund_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    valid_until: Option<String>,
}

/// What `POST /v2/exchange` answered. It has no status: a fresh exchange is `new` (§B.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub id: String,
    pub from: Asset,
    pub to: Asset,
    /// What to send to `payin_address` (the request's amount when the answer omits it).
    pub from_amount: Decimal,
    /// ChangeNOW's estimate at creation; informational (floating rate). Optional so that a
    /// created exchange is never lost to a missing informational field.
    pub to_amount: Option<Decimal>,
    pub payin_address: String,
    /// Memo to attach to the deposit, if ChangeNOW asks for one.
    pub payin_extra_id: Option<String>,
    pub payout_address: String,
    pub payout_extra_id: Option<String>,
    pub refund_address: Option<String>,
    pub valid_until: Option<String>,
}

impl Exchange {
    pub(super) fn from_wire(body: &[u8], req: &CreateExchange) -> Result<Self, CnError> {
        let w: ExchangeWire = from_exact_json(body, "created exchange")?;
        let id =
            w.id.ok_or_else(|| CnError::Decode("created exchange: no `id`".to_owned()))?;
        // Without a payin address nothing can be sent, so nothing is at risk; name the id for
        // support anyway.
        let payin_address = w
            .payin_address
            .ok_or_else(|| CnError::Decode(format!("created exchange {id}: no `payinAddress`")))?;
        Ok(Self {
            from: Asset::new(&req.from.ticker, &req.from.network),
            to: Asset::new(&req.to.ticker, &req.to.network),
            from_amount: w.from_amount.unwrap_or(req.from_amount),
            to_amount: w.to_amount,
            payin_address,
            payin_extra_id: w.payin_extra_id,
            payout_address: w
                .payout_address
                .unwrap_or_else(|| req.address.trim().to_owned()),
            payout_extra_id: w.payout_extra_id,
            refund_address: w.refund_address,
            valid_until: w.valid_until,
            id,
        })
    }
}

/// `GET /v2/exchange/by-id`. Fields vary with the status and may be null (§B.3, lesson 33):
/// `amount_from`/`amount_to` stay `None` until ChangeNOW knows the real amounts, so keep the
/// create answer as a fallback and account with `amount_to` + `payout_hash` once `finished`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeStatus {
    #[serde(deserialize_with = "lenient::id")]
    pub id: String,
    #[serde(default = "ExchangeState::missing")]
    pub status: ExchangeState,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    pub actions_available: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub from_currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub from_network: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub to_currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub to_network: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub expected_amount_from: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub expected_amount_to: Option<Decimal>,
    /// The amount actually deposited, once known.
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub amount_from: Option<Decimal>,
    /// The amount actually paid out, once known.
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub amount_to: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub payin_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub payout_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub payin_extra_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub payout_extra_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub refund_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub refund_extra_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub updated_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub valid_until: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub deposit_received_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub payin_hash: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub payout_hash: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub refund_hash: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub refund_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub from_legacy_ticker: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_code")]
    pub to_legacy_ticker: Option<String>,
}

impl ExchangeStatus {
    /// Reads a by-id answer from raw JSON bytes, numbers exactly.
    pub fn from_slice(body: &[u8]) -> Result<Self, CnError> {
        from_exact_json(body, "exchange status")
    }

    /// The settled payout: `amount_to` and `payout_hash` of a `finished` exchange, when both
    /// are present (they can lag behind the status: poll again rather than guess).
    pub fn settled_payout(&self) -> Option<(Decimal, &str)> {
        match (&self.status, self.amount_to, self.payout_hash.as_deref()) {
            (ExchangeState::Finished, Some(amount), Some(hash)) => Some((amount, hash)),
            _ => None,
        }
    }
}

/// `GET /v2/validate/address`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AddressCheck {
    #[serde(deserialize_with = "lenient_result")]
    pub result: bool,
    /// Why it is invalid, when ChangeNOW says.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub message: Option<String>,
}

impl AddressCheck {
    pub fn is_valid(&self) -> bool {
        self.result
    }
}

fn lenient_result<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    lenient::opt_bool(d)?.ok_or_else(|| de::Error::custom("`result` is not a boolean"))
}
