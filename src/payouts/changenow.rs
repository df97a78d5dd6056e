//! ChangeNOW API v2 client (reference/apis.md §B): estimates, ranges, creating a standard-flow
//! (floating rate) exchange, polling it by id, and address validation.
//!
//! Money is `rust_decimal` end to end. Amounts are **sent** as plain decimal strings
//! ([`to_plain_string`]: never `1e-5`, which ChangeNOW rejects, §B.7) and **read** from the raw
//! number text of the answer: every JSON number token is turned into a string before serde sees
//! it (`numbers_as_strings`), so no amount ever passes through a double.
//!
//! Retries (lessons 41 and 57): errors are classified as retryable (timeouts, network errors,
//! 429, 5xx) or terminal (other 4xx, unreadable answers). Idempotent GETs are retried inside
//! the client, at most [`RetryPolicy::max_attempts`] attempts with a short bounded backoff.
//! [`ChangeNowClient::create_exchange`] is sent exactly once: a second exchange for the same
//! funds risks a double send (§B.7), so the caller decides, helped by
//! [`CnError::outcome_unknown`].

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use url::Url;

/// The header carrying the API key on every call (§B.1).
pub const API_KEY_HEADER: &str = "x-changenow-api-key";

/// Connect timeout upper bound; the whole-request timeout is given to
/// [`ChangeNowClient::new`].
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

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
    fn wire(&self) -> Result<Self, CnError> {
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

/// The amount as ChangeNOW accepts it: plain decimal text without trailing zeros (`0.00001`,
/// `600000000000`, `0`), never exponent form. `Decimal`'s `Display` is always positional; the
/// property test below holds it to that for every scale.
pub fn to_plain_string(amount: Decimal) -> String {
    // `normalize` also turns -0 into 0.
    amount.normalize().to_string()
}

/// Parses an amount from decimal text, plain (`0.00001234`) or exponent form (`1e-7`,
/// `1.5E+3`, as a JavaScript server prints small or huge doubles), exactly or not at all.
pub fn parse_amount_text(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    let parsed = if t.contains(['e', 'E']) {
        Decimal::from_scientific(t)
    } else {
        Decimal::from_str_exact(t)
    };
    parsed.map_err(|e| format!("`{}` is not an exact decimal: {e}", short(t, 40)))
}

/// Rewrites every JSON number token of a document into a JSON string holding the token's exact
/// text (`{"a":1e-7,"b":"x1"}` → `{"a":"1e-7","b":"x1"}`), so amounts are parsed from the
/// digits ChangeNOW wrote rather than from a double. Strings (escapes included) are copied
/// untouched; the result of an invalid document is still invalid.
pub(crate) fn numbers_as_strings(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + 32);
    let mut i = 0;
    let mut in_string = false;
    while let Some(&b) = json.get(i) {
        if in_string {
            out.push(b);
            if b == b'\\' {
                if let Some(&escaped) = json.get(i + 1) {
                    out.push(escaped);
                    i += 1;
                }
            } else if b == b'"' {
                in_string = false;
            }
            i += 1;
        } else if b == b'"' {
            in_string = true;
            out.push(b);
            i += 1;
        } else if b == b'-' || b.is_ascii_digit() {
            let start = i;
            while json.get(i).is_some_and(|c| {
                c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')
            }) {
                i += 1;
            }
            out.push(b'"');
            out.extend_from_slice(json.get(start..i).unwrap_or_default());
            out.push(b'"');
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

/// Deserializes a ChangeNOW answer with its numbers read exactly.
fn from_exact_json<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, CnError> {
    serde_json::from_slice(&numbers_as_strings(body))
        .map_err(|e| CnError::Decode(format!("{what}: {e}")))
}

fn short(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

// ---- statuses -------------------------------------------------------------------------------

/// An exchange status (§B.4). Statuses ChangeNOW adds later (or v1 leftovers such as `hold`)
/// parse as [`ExchangeState::Unknown`]: never final, and worth an alert.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExchangeState {
    New,
    Waiting,
    Confirming,
    Exchanging,
    Sending,
    Finished,
    Failed,
    Refunded,
    Verifying,
    /// Not in the v2 table but seen on unfunded exchanges; treated as final defensively.
    Expired,
    /// Anything else, trimmed and lowercased; empty when the field was missing or null.
    Unknown(String),
}

impl ExchangeState {
    /// Every documented status (plus `expired`).
    pub const KNOWN: [ExchangeState; 10] = [
        ExchangeState::New,
        ExchangeState::Waiting,
        ExchangeState::Confirming,
        ExchangeState::Exchanging,
        ExchangeState::Sending,
        ExchangeState::Finished,
        ExchangeState::Failed,
        ExchangeState::Refunded,
        ExchangeState::Verifying,
        ExchangeState::Expired,
    ];

    /// Parses a wire status; case and surrounding blanks are ignored. Never fails.
    pub fn parse(s: &str) -> Self {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "new" => Self::New,
            "waiting" => Self::Waiting,
            "confirming" => Self::Confirming,
            "exchanging" => Self::Exchanging,
            "sending" => Self::Sending,
            "finished" => Self::Finished,
            "failed" => Self::Failed,
            "refunded" => Self::Refunded,
            "verifying" => Self::Verifying,
            "expired" => Self::Expired,
            _ => Self::Unknown(s),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::New => "new",
            Self::Waiting => "waiting",
            Self::Confirming => "confirming",
            Self::Exchanging => "exchanging",
            Self::Sending => "sending",
            Self::Finished => "finished",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Verifying => "verifying",
            Self::Expired => "expired",
            Self::Unknown(s) => s,
        }
    }

    /// Nothing more will happen without a human: `finished`, `failed`, `refunded`, `expired`.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Finished | Self::Failed | Self::Refunded | Self::Expired
        )
    }

    /// The deposit arrived and ChangeNOW is working on it: `confirming`, `exchanging`,
    /// `sending`, and the AML hold `verifying` (which can last long: alert, never re-create).
    pub fn is_in_progress(&self) -> bool {
        matches!(
            self,
            Self::Confirming | Self::Exchanging | Self::Sending | Self::Verifying
        )
    }

    /// No deposit seen yet: `new` or `waiting`.
    pub fn is_awaiting_deposit(&self) -> bool {
        matches!(self, Self::New | Self::Waiting)
    }

    /// A status this client does not know.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown(_))
    }

    fn missing() -> Self {
        Self::Unknown(String::new())
    }
}

impl fmt::Display for ExchangeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExchangeState {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl Serialize for ExchangeState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ExchangeState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StateVisitor;
        impl<'de> Visitor<'de> for StateVisitor {
            type Value = ExchangeState;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an exchange status string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExchangeState, E> {
                Ok(ExchangeState::parse(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ExchangeState, E> {
                Ok(ExchangeState::missing())
            }
            fn visit_none<E: de::Error>(self) -> Result<ExchangeState, E> {
                Ok(ExchangeState::missing())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<ExchangeState, D::Error> {
                d.deserialize_any(self)
            }
        }
        deserializer.deserialize_any(StateVisitor)
    }
}

// ---- tolerant field parsing -----------------------------------------------------------------

/// Field deserializers for answers whose numbers were turned into strings by
/// [`numbers_as_strings`]. Fields vary with the status and may be `null` (§B.7).
mod lenient {
    use super::*;

    struct AmountVisitor;

    impl<'de> Visitor<'de> for AmountVisitor {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an amount as number text or null")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        // No `visit_f64`: a double never becomes money here (see `numbers_as_strings`).
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("null") {
                return Ok(None);
            }
            parse_amount_text(t).map(Some).map_err(E::custom)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    pub(super) fn opt_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_any(AmountVisitor)
    }

    pub(super) fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        opt_amount(d)?.ok_or_else(|| de::Error::custom("the amount is missing"))
    }

    /// Text (ids, addresses, hashes, dates): trimmed; `null`, `""` and `"null"` are absent.
    struct TextVisitor;

    impl<'de> Visitor<'de> for TextVisitor {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or null")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("null") {
                Ok(None)
            } else {
                Ok(Some(t.to_owned()))
            }
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    pub(super) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(TextVisitor)
    }

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
struct RangeWire {
    #[serde(deserialize_with = "lenient::amount")]
    min_amount: Decimal,
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    max_amount: Option<Decimal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MinWire {
    #[serde(deserialize_with = "lenient::amount")]
    min_amount: Decimal,
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
    fn from_wire(body: &[u8], req: &CreateExchange) -> Result<Self, CnError> {
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

// ---- errors ---------------------------------------------------------------------------------

/// Why a ChangeNOW call failed. Neither `Display` nor `Debug` ever contains the API key: it is
/// scrubbed from any text ChangeNOW echoes back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CnError {
    /// No answer within the client's timeout. For a POST the exchange may or may not exist.
    #[error("ChangeNOW did not answer in time")]
    Timeout,
    /// The connection could not be made: the request never reached ChangeNOW.
    #[error("could not connect to ChangeNOW: {0}")]
    Connect(String),
    /// The connection broke while the request was in flight.
    #[error("network error talking to ChangeNOW: {0}")]
    Network(String),
    /// A non-2xx answer; `code` and `message` come from ChangeNOW's
    /// `{"error":"<code>","message":"<text>"}` body (§B.5), or `message` is a short excerpt of
    /// whatever else came back.
    #[error("ChangeNOW answered HTTP {status} ({}): {message}", code.as_deref().unwrap_or("no code"))]
    Api {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// A 2xx answer we could not read.
    #[error("unreadable ChangeNOW answer: {0}")]
    Decode(String),
    /// Refused before sending: the request itself is wrong.
    #[error("invalid ChangeNOW request: {0}")]
    InvalidRequest(String),
    /// The client could not be built (URL, key, TLS).
    #[error("ChangeNOW client configuration: {0}")]
    Config(String),
}

impl CnError {
    /// Whether the same call may succeed later: timeouts, connection and network errors, 429
    /// and 5xx. Every other 4xx, unreadable answers and invalid requests are terminal and must
    /// not be retried (lessons 41, 57).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Connect(_) | Self::Network(_) => true,
            Self::Api { status, .. } => *status >= 500 || *status == 429,
            Self::Decode(_) | Self::InvalidRequest(_) | Self::Config(_) => false,
        }
    }

    /// For `create_exchange`: whether ChangeNOW may have created the exchange although we got
    /// no usable answer (timeout, broken connection, 5xx). Re-creating then risks a second
    /// exchange, and sending to both a double payout: reconcile or alert instead.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Timeout | Self::Network(_) => true,
            Self::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The HTTP status of an API answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// ChangeNOW's machine code (`out_of_range`, `not_valid_address`, …).
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// ChangeNOW's human text of an API answer.
    pub fn api_message(&self) -> Option<&str> {
        match self {
            Self::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// The amount is outside the pair's range (`out_of_range`).
    pub fn is_out_of_range(&self) -> bool {
        self.code() == Some("out_of_range")
    }

    /// The payout address was refused (`not_valid_address`). The refund address has its own
    /// code, see [`Self::is_not_valid_refund_address`].
    pub fn is_not_valid_address(&self) -> bool {
        self.code() == Some("not_valid_address")
    }

    pub fn is_not_valid_refund_address(&self) -> bool {
        self.code() == Some("not_valid_refund_address")
    }

    /// 401 (no key) or 403 `invalid_api_key`.
    pub fn is_auth_error(&self) -> bool {
        self.status() == Some(401) || self.code() == Some("invalid_api_key")
    }

    /// The minimum in an `out_of_range` message: "Amount is less then minimal: 0.0223925 XMR"
    /// (sic) gives 0.0223925.
    pub fn minimal_amount(&self) -> Option<Decimal> {
        if !self.is_out_of_range() {
            return None;
        }
        let message = self.api_message()?;
        let (_, rest) = message.split_once("minimal:")?;
        let number = rest.split_whitespace().next()?;
        parse_amount_text(number).ok()
    }
}

/// Longest error message kept from a response body.
const SNIPPET_CHARS: usize = 200;

/// A short, single-line, printable excerpt of an error body: the `<title>` of an HTML page or
/// the text without tags.
fn snippet(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let title = lower.find("<title>").and_then(|start| {
        let from = start + "<title>".len();
        lower
            .get(from..)
            .and_then(|rest| rest.find("</title>"))
            .and_then(|len| body.get(from..from + len))
    });
    let source = title.unwrap_or(body);
    let mut text = String::new();
    let mut in_tag = false;
    for c in source.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if in_tag => {}
            c if c.is_control() || c.is_whitespace() => text.push(' '),
            c => text.push(c),
        }
    }
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > SNIPPET_CHARS {
        format!("{}…", short(&joined, SNIPPET_CHARS))
    } else if joined.is_empty() {
        "(empty body)".to_owned()
    } else {
        joined
    }
}

// ---- the client -----------------------------------------------------------------------------

/// Bounded backoff for retryable failures of idempotent GETs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (at least 1).
    pub max_attempts: u32,
    /// Pause after the first failed attempt; doubled after each later one.
    pub base_delay: Duration,
    /// Upper bound of one pause (before jitter), also applied to a `Retry-After`.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, pausing about 200 ms then 400 ms.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// Never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The pause after failed attempt number `attempt` (1-based): exponential, capped, plus up
    /// to 25 % jitter so that workers do not retry in lockstep.
    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = 2u32.saturating_pow(attempt.saturating_sub(1));
        let base = retry_after
            .unwrap_or_else(|| self.base_delay.saturating_mul(exp))
            .min(self.max_delay);
        let jitter = rand::random_range(Duration::ZERO..=base / 4);
        base.saturating_add(jitter)
    }
}

/// Client for ChangeNOW API v2. Cheap to clone; `Debug` shows no key.
#[derive(Clone)]
pub struct ChangeNowClient {
    http: reqwest::Client,
    base: Url,
    api_key: SecretString,
    retry: RetryPolicy,
}

impl fmt::Debug for ChangeNowClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangeNowClient")
            .field("base", &self.base.as_str())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Which calls the client may repeat by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idempotent {
    Yes,
    No,
}

impl ChangeNowClient {
    /// `base_url` is the API root, `https://api.changenow.io/v2`, with or without a trailing
    /// slash. `timeout` bounds each attempt (connecting takes at most
    /// [`CONNECT_TIMEOUT`] of it). The key is trimmed (lesson 48) and must not be empty.
    pub fn new(base_url: Url, api_key: SecretString, timeout: Duration) -> Result<Self, CnError> {
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(CnError::Config(
                "the ChangeNOW API URL must be an http(s) URL".to_owned(),
            ));
        }
        let key = api_key.expose_secret().trim();
        if key.is_empty() {
            return Err(CnError::Config("the ChangeNOW API key is empty".to_owned()));
        }
        if HeaderValue::from_str(key).is_err() {
            return Err(CnError::Config(
                "the ChangeNOW API key has characters a header cannot carry".to_owned(),
            ));
        }
        if timeout.is_zero() {
            return Err(CnError::Config("the timeout must be positive".to_owned()));
        }
        let api_key = SecretString::from(key.to_owned());
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(CONNECT_TIMEOUT))
            .timeout(timeout)
            .user_agent(concat!("telepay/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CnError::Config(format!("building the HTTP client: {e}")))?;
        let mut base = base_url;
        base.set_query(None);
        base.set_fragment(None);
        Ok(Self {
            http,
            base,
            api_key,
            retry: RetryPolicy::default(),
        })
    }

    /// Replaces the backoff policy of GETs (tests use millisecond delays).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The API root this client talks to.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// `base` + path segments, whether or not `base` ends with `/`.
    fn endpoint(&self, segments: &[&str]) -> Result<Url, CnError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| CnError::Config("the API URL cannot take a path".to_owned()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    fn pair_query(from: &Asset, to: &Asset) -> Result<Vec<(&'static str, String)>, CnError> {
        let (from, to) = (from.wire()?, to.wire()?);
        Ok(vec![
            ("fromCurrency", from.ticker),
            ("toCurrency", to.ticker),
            ("fromNetwork", from.network),
            ("toNetwork", to.network),
            ("flow", "standard".to_owned()),
        ])
    }

    /// `GET /v2/exchange/estimated-amount`, standard flow, direct: how much of `to` the
    /// exchange of `from_amount` of `from` would pay out now, fees included.
    pub async fn estimate(
        &self,
        from: &Asset,
        to: &Asset,
        from_amount: Decimal,
    ) -> Result<Estimate, CnError> {
        if from_amount <= Decimal::ZERO {
            return Err(CnError::InvalidRequest(
                "fromAmount must be positive".to_owned(),
            ));
        }
        let mut query = Self::pair_query(from, to)?;
        query.push(("fromAmount", to_plain_string(from_amount)));
        query.push(("type", "direct".to_owned()));
        let body = self
            .get(
                "estimated-amount",
                &["exchange", "estimated-amount"],
                &query,
            )
            .await?;
        from_exact_json(&body, "estimate")
    }

    /// `GET /v2/exchange/range`, standard flow.
    pub async fn range(&self, from: &Asset, to: &Asset) -> Result<AmountRange, CnError> {
        let query = Self::pair_query(from, to)?;
        let body = self.get("range", &["exchange", "range"], &query).await?;
        let w: RangeWire = from_exact_json(&body, "range")?;
        Ok(AmountRange {
            min: w.min_amount,
            max: w.max_amount,
        })
    }

    /// `GET /v2/exchange/min-amount`, standard flow.
    pub async fn min_amount(&self, from: &Asset, to: &Asset) -> Result<Decimal, CnError> {
        let query = Self::pair_query(from, to)?;
        let body = self
            .get("min-amount", &["exchange", "min-amount"], &query)
            .await?;
        let w: MinWire = from_exact_json(&body, "min-amount")?;
        Ok(w.min_amount)
    }

    /// `POST /v2/exchange`. Sent **once**, never retried here: if the answer is lost the
    /// exchange may exist anyway ([`CnError::outcome_unknown`]), and a second one for the same
    /// funds risks a double send. The caller decides what to do.
    pub async fn create_exchange(&self, req: &CreateExchange) -> Result<Exchange, CnError> {
        let body = req.to_json()?;
        let url = self.endpoint(&["exchange"])?;
        let request = self
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(API_KEY_HEADER, self.api_key.expose_secret())
            .body(body);
        let bytes = self
            .send("exchange", Idempotent::No, || request.try_clone())
            .await?;
        let exchange = Exchange::from_wire(&bytes, req)?;
        tracing::info!(
            exchange_id = %exchange.id,
            from = %exchange.from,
            to = %exchange.to,
            from_amount = %exchange.from_amount,
            "ChangeNOW exchange created"
        );
        Ok(exchange)
    }

    /// `GET /v2/exchange/by-id?id=…`.
    pub async fn exchange(&self, id: &str) -> Result<ExchangeStatus, CnError> {
        let id = id.trim();
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CnError::InvalidRequest(format!(
                "exchange id `{}` is not a ChangeNOW id",
                short(id, 24)
            )));
        }
        let body = self
            .get("by-id", &["exchange", "by-id"], &[("id", id.to_owned())])
            .await?;
        ExchangeStatus::from_slice(&body)
    }

    /// `GET /v2/validate/address?currency=<network>&address=…`. Note that `currency` is the
    /// *network* (`trx`, `eth`, `bsc`), §B.3.
    pub async fn validate_address(
        &self,
        network: &str,
        address: &str,
    ) -> Result<AddressCheck, CnError> {
        let network = network.trim().to_ascii_lowercase();
        let address = address.trim();
        if network.is_empty() || address.is_empty() {
            return Err(CnError::InvalidRequest(
                "network and address are required".to_owned(),
            ));
        }
        let query = [("currency", network), ("address", address.to_owned())];
        let body = self
            .get("validate-address", &["validate", "address"], &query)
            .await?;
        from_exact_json(&body, "address check")
    }

    /// An authenticated GET, retried on retryable failures.
    async fn get(
        &self,
        name: &'static str,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<Vec<u8>, CnError> {
        let mut url = self.endpoint(segments)?;
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        let request = self
            .http
            .get(url)
            .header(API_KEY_HEADER, self.api_key.expose_secret());
        self.send(name, Idempotent::Yes, || request.try_clone())
            .await
    }

    /// Sends the request, repeating idempotent ones with bounded backoff, and returns the 2xx
    /// body.
    async fn send(
        &self,
        name: &'static str,
        idempotent: Idempotent,
        request: impl Fn() -> Option<reqwest::RequestBuilder>,
    ) -> Result<Vec<u8>, CnError> {
        let attempts = match idempotent {
            Idempotent::Yes => self.retry.max_attempts.max(1),
            Idempotent::No => 1,
        };
        let mut attempt = 1;
        loop {
            let builder = request().ok_or_else(|| {
                CnError::InvalidRequest("the request cannot be repeated".to_owned())
            })?;
            match self.attempt(builder).await {
                Ok(body) => return Ok(body),
                Err((err, retry_after)) if err.is_retryable() && attempt < attempts => {
                    let delay = self.retry.delay(attempt, retry_after);
                    tracing::warn!(endpoint = name, attempt, ?delay, error = %err, "ChangeNOW call failed; retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err((err, _)) => {
                    if idempotent == Idempotent::No && err.outcome_unknown() {
                        tracing::warn!(endpoint = name, error = %err, "ChangeNOW POST outcome unknown; not retried");
                    } else {
                        tracing::debug!(endpoint = name, attempt, error = %err, retryable = err.is_retryable(), "ChangeNOW call failed");
                    }
                    return Err(err);
                }
            }
        }
    }

    async fn attempt(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, (CnError, Option<Duration>)> {
        let response = request
            .send()
            .await
            .map_err(|e| (self.transport(&e), None))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| (self.transport(&e), None))?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        Err((self.classify(status.as_u16(), &body), retry_after))
    }

    fn transport(&self, err: &reqwest::Error) -> CnError {
        let mut text = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        let text = self.redact(&text);
        if err.is_connect() {
            CnError::Connect(text)
        } else if err.is_timeout() {
            CnError::Timeout
        } else if err.is_builder() {
            CnError::InvalidRequest(text)
        } else {
            CnError::Network(text)
        }
    }

    /// Maps a non-2xx answer: `{"error":"<code>","message":"<text>"}` (§B.5), or a short
    /// excerpt of any other body.
    fn classify(&self, status: u16, body: &[u8]) -> CnError {
        let json = serde_json::from_slice::<Value>(&numbers_as_strings(body))
            .ok()
            .filter(Value::is_object);
        let (code, message) = match json {
            Some(v) => {
                let code = match v.get("error") {
                    Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                    _ => None,
                };
                let message = match v.get("message") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                };
                (code, snippet(&message))
            }
            None => (None, snippet(&String::from_utf8_lossy(body))),
        };
        CnError::Api {
            status,
            code: code.map(|c| self.redact(&short(&c, 64))),
            message: self.redact(&message),
        }
    }

    /// Removes the API key from text that may echo a request.
    fn redact(&self, text: &str) -> String {
        let key = self.api_key.expose_secret();
        if key.len() >= 4 {
            text.replace(key, "[redacted]")
        } else {
            text.to_owned()
        }
    }
}

/// A `Retry-After` in seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    //! Parsing, formatting and error mapping without a network; the client↔simulator round
    //! trips live in `sim::changenow::tests`.

    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    const KEY: &str = "cn-live-SECRET-KEY-5678";

    fn client() -> ChangeNowClient {
        ChangeNowClient::new(
            Url::parse("https://api.changenow.io/v2").unwrap(),
            SecretString::from(KEY),
            Duration::from_secs(10),
        )
        .unwrap()
    }

    #[test]
    fn statuses_parse_and_never_fail() {
        for s in ExchangeState::KNOWN {
            assert_eq!(ExchangeState::parse(s.as_str()), s);
            assert_eq!(serde_json::to_value(&s).unwrap(), Value::from(s.as_str()));
            let back: ExchangeState = serde_json::from_value(Value::from(s.to_string())).unwrap();
            assert_eq!(back, s);
        }
        assert_eq!(ExchangeState::parse(" Finished\n"), ExchangeState::Finished);
        let hold = ExchangeState::parse("HOLD");
        assert_eq!(hold, ExchangeState::Unknown("hold".into()));
        assert_eq!(hold.as_str(), "hold");
        assert!(!hold.is_final() && !hold.is_in_progress() && hold.is_unknown());
        let null: ExchangeState = serde_json::from_str("null").unwrap();
        assert_eq!(null, ExchangeState::Unknown(String::new()));
    }

    #[test]
    fn final_and_in_progress_partition_the_known_statuses() {
        use ExchangeState::*;
        for s in [Finished, Failed, Refunded, Expired] {
            assert!(
                s.is_final() && !s.is_in_progress() && !s.is_awaiting_deposit(),
                "{s}"
            );
        }
        for s in [Confirming, Exchanging, Sending, Verifying] {
            assert!(!s.is_final() && s.is_in_progress(), "{s}");
        }
        for s in [New, Waiting] {
            assert!(
                !s.is_final() && !s.is_in_progress() && s.is_awaiting_deposit(),
                "{s}"
            );
        }
    }

    #[test]
    fn plain_strings_for_edge_values() {
        for (d, text) in [
            (dec!(0.000000000000000001), "0.000000000000000001"),
            (dec!(600000000000), "600000000000"),
            (dec!(6e11), "600000000000"),
            (dec!(1e-18), "0.000000000000000001"),
            (dec!(10.500), "10.5"),
            (dec!(0.00001), "0.00001"),
            (Decimal::ZERO, "0"),
            (-Decimal::ZERO, "0"),
            (Decimal::MAX, "79228162514264337593543950335"),
            (Decimal::new(1, 28), "0.0000000000000000000000000001"),
        ] {
            assert_eq!(to_plain_string(d), text);
        }
    }

    proptest! {
        #[test]
        fn plain_strings_never_use_exponents(
            lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
            negative in any::<bool>(), scale in 0u32..=28,
        ) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            let text = to_plain_string(d);
            prop_assert!(!text.contains(['e', 'E']), "{text}");
            prop_assert_eq!(Decimal::from_str_exact(&text).unwrap(), d);
        }

        #[test]
        fn amounts_round_trip_through_the_wire_text(
            mantissa in any::<i64>(), scale in 0u32..=18,
        ) {
            let d = Decimal::new(mantissa, scale);
            let body = format!(r#"{{"id":"a1","amountTo":{}}}"#, to_plain_string(d));
            let st = ExchangeStatus::from_slice(body.as_bytes()).unwrap();
            prop_assert_eq!(st.amount_to, Some(d));
        }
    }

    #[test]
    fn numbers_become_strings_and_strings_stay_untouched() {
        let raw =
            br#"{"a":1e-7,"b":"x 1 \"2\" \\","c":[-0.5,2E+3],"d":null,"e":true,"f":"\u00e9 1"}"#;
        let out = String::from_utf8(numbers_as_strings(raw)).unwrap();
        assert_eq!(
            out,
            r#"{"a":"1e-7","b":"x 1 \"2\" \\","c":["-0.5","2E+3"],"d":null,"e":true,"f":"\u00e9 1"}"#
        );
        let utf8 = "{\"m\":\"Канал 5\",\"n\":5}".as_bytes();
        assert_eq!(
            String::from_utf8(numbers_as_strings(utf8)).unwrap(),
            "{\"m\":\"Канал 5\",\"n\":\"5\"}"
        );
    }

    #[test]
    fn by_id_amounts_parse_exactly_and_nulls_are_none() {
        let body = br#"{"id":"e7f1a2b3c4d5e6","status":"finished","actionsAvailable":false,
            "fromCurrency":"USDT","fromNetwork":"bsc","toCurrency":"eth","toNetwork":"eth",
            "expectedAmountFrom":10.152,"expectedAmountTo":0.09853637216235617,
            "amountFrom":1e-7,"amountTo":596726.7,"refundAmount":"1.5E+3",
            "payinAddress":"0xabc","payoutAddress":"0xdef","payinExtraId":null,
            "payoutExtraId":"","payinHash":"0x1","payoutHash":"0x2","createdAt":"2024-01-01T00:00:00.000Z",
            "newField":{"nested":[1,2,{"x":1e400}]}}"#;
        let st = ExchangeStatus::from_slice(body).unwrap();
        assert_eq!(st.status, ExchangeState::Finished);
        assert_eq!(st.expected_amount_from, Some(dec!(10.152)));
        assert_eq!(st.expected_amount_to, Some(dec!(0.09853637216235617)));
        assert_eq!(st.amount_from, Some(dec!(0.0000001)));
        assert_eq!(st.amount_to, Some(dec!(596726.7)));
        assert_eq!(st.refund_amount, Some(dec!(1500)));
        assert_eq!(st.from_currency.as_deref(), Some("usdt"));
        assert_eq!(st.payin_extra_id, None);
        assert_eq!(st.payout_extra_id, None);
        assert_eq!(st.actions_available, Some(false));
        assert_eq!(st.settled_payout(), Some((dec!(596726.7), "0x2")));

        let sparse = br#"{"id":"abc","status":"waiting","amountFrom":null,"amountTo":"null"}"#;
        let st = ExchangeStatus::from_slice(sparse).unwrap();
        assert_eq!((st.amount_from, st.amount_to), (None, None));
        assert_eq!(st.expected_amount_to, None);
        assert_eq!(st.payout_hash, None);
        assert_eq!(st.settled_payout(), None);

        let no_status = br#"{"id":"abc"}"#;
        assert!(
            ExchangeStatus::from_slice(no_status)
                .unwrap()
                .status
                .is_unknown()
        );
        for bad in [
            &br#"{"status":"new"}"#[..],
            br#"{"id":"a","amountTo":"ten"}"#,
            br#"{"id":"a","amountTo":true}"#,
            br#"not json"#,
        ] {
            assert!(matches!(
                ExchangeStatus::from_slice(bad),
                Err(CnError::Decode(_))
            ));
        }
    }

    #[test]
    fn the_create_body_sends_plain_decimal_strings() {
        for (amount, text) in [
            (dec!(0.00001), "0.00001"),
            (dec!(1e-18), "0.000000000000000001"),
            (dec!(6e11), "600000000000"),
            (dec!(12.3400), "12.34"),
        ] {
            let req = CreateExchange {
                from: Asset::new("USDT", " BSC "),
                to: Asset::new("eth", "eth"),
                from_amount: amount,
                address: " 0x0000000000000000000000000000000000000001\n".into(),
                extra_id: Some("  ".into()),
                refund_address: None,
            };
            let body = req.to_json().unwrap();
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["fromAmount"], Value::from(text), "{body}");
            assert_eq!(v["fromCurrency"], "usdt");
            assert_eq!(v["fromNetwork"], "bsc");
            assert_eq!(v["address"], "0x0000000000000000000000000000000000000001");
            assert_eq!(v["flow"], "standard");
            assert_eq!(v["type"], "direct");
            assert!(v.get("extraId").is_none() && v.get("refundAddress").is_none());
        }
        let bad = CreateExchange {
            from: Asset::new("usdt", "bsc"),
            to: Asset::new("eth", "eth"),
            from_amount: Decimal::ZERO,
            address: "0x1".into(),
            extra_id: None,
            refund_address: None,
        };
        assert!(matches!(bad.to_json(), Err(CnError::InvalidRequest(_))));
        let bad = CreateExchange {
            from_amount: dec!(1),
            to: Asset::new("e th", "eth"),
            ..bad
        };
        assert!(matches!(bad.to_json(), Err(CnError::InvalidRequest(_))));
    }

    #[test]
    fn error_bodies_are_classified_and_never_carry_the_key() {
        let c = client();
        let e = c.classify(
            400,
            br#"{"error":"out_of_range","message":"Amount is less then minimal: 0.0223925 XMR"}"#,
        );
        assert!(e.is_out_of_range() && !e.is_retryable() && !e.outcome_unknown());
        assert_eq!(e.minimal_amount(), Some(dec!(0.0223925)));
        assert_eq!(e.code(), Some("out_of_range"));
        let e = c.classify(
            400,
            br#"{"error":"not_valid_address","message":"Invalid address 0xZZ"}"#,
        );
        assert!(e.is_not_valid_address() && !e.is_not_valid_refund_address());
        assert!(!e.is_retryable());
        assert_eq!(e.minimal_amount(), None);
        let e = c.classify(
            403,
            br#"{"error":"invalid_api_key","message":"key cn-live-SECRET-KEY-5678 unknown"}"#,
        );
        assert!(e.is_auth_error() && !e.is_retryable());
        assert!(!e.to_string().contains("SECRET") && !format!("{e:?}").contains("SECRET"));
        assert!(c.classify(401, b"").is_auth_error());
        let e = c.classify(502, b"<html><title>502 Bad Gateway</title></html>");
        assert_eq!(
            e,
            CnError::Api {
                status: 502,
                code: None,
                message: "502 Bad Gateway".into()
            }
        );
        assert!(e.is_retryable() && e.outcome_unknown());
        let e = c.classify(429, br#"{"message":"Too many requests"}"#);
        assert!(e.is_retryable() && !e.outcome_unknown());
        assert!(!format!("{c:?}").contains("SECRET"), "{c:?}");
    }

    #[test]
    fn retryable_means_worth_trying_again() {
        let api = |status| CnError::Api {
            status,
            code: None,
            message: String::new(),
        };
        for e in [
            CnError::Timeout,
            CnError::Connect("refused".into()),
            CnError::Network("reset".into()),
            api(500),
            api(503),
            api(429),
        ] {
            assert!(e.is_retryable(), "{e}");
        }
        for e in [
            api(400),
            api(401),
            api(403),
            api(404),
            api(408),
            api(422),
            CnError::Decode("x".into()),
            CnError::InvalidRequest("x".into()),
            CnError::Config("x".into()),
        ] {
            assert!(!e.is_retryable(), "{e}");
        }
        assert!(CnError::Timeout.outcome_unknown());
        assert!(!CnError::Connect("refused".into()).outcome_unknown());
    }

    #[test]
    fn construction_checks_url_key_and_timeout() {
        let url = Url::parse("https://api.changenow.io/v2/").unwrap();
        let t = Duration::from_secs(1);
        for base in [
            "https://api.changenow.io/v2",
            "https://api.changenow.io/v2/",
        ] {
            let c = ChangeNowClient::new(Url::parse(base).unwrap(), SecretString::from("k"), t)
                .unwrap();
            assert_eq!(
                c.endpoint(&["exchange", "by-id"]).unwrap().as_str(),
                "https://api.changenow.io/v2/exchange/by-id"
            );
        }
        let ftp = Url::parse("ftp://x/v2").unwrap();
        assert!(ChangeNowClient::new(ftp, SecretString::from("k"), t).is_err());
        for key in ["", "  \n", "a\nb"] {
            assert!(matches!(
                ChangeNowClient::new(url.clone(), SecretString::from(key), t),
                Err(CnError::Config(_))
            ));
        }
        assert!(
            ChangeNowClient::new(url.clone(), SecretString::from("k"), Duration::ZERO).is_err()
        );
        let trimmed = ChangeNowClient::new(url, SecretString::from(" k1\n"), t).unwrap();
        assert_eq!(trimmed.api_key.expose_secret(), "k1");
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let p = RetryPolicy::default();
        for _ in 0..50 {
            let d1 = p.delay(1, None);
            assert!(d1 >= Duration::from_millis(200) && d1 <= Duration::from_millis(250));
            let d2 = p.delay(2, None);
            assert!(d2 >= Duration::from_millis(400) && d2 <= Duration::from_millis(500));
            let d9 = p.delay(9, None);
            assert!(d9 <= Duration::from_millis(2500));
            assert!(p.delay(1, Some(Duration::from_secs(60))) <= Duration::from_millis(2500));
        }
    }

    #[tokio::test]
    async fn bad_ids_and_amounts_are_refused_before_sending() {
        let c = client();
        for id in ["", " ", "../x", "a&b=c", "id with space"] {
            assert!(
                matches!(c.exchange(id).await, Err(CnError::InvalidRequest(_))),
                "{id:?}"
            );
        }
        let (a, b) = (Asset::new("usdt", "bsc"), Asset::new("eth", "eth"));
        assert!(matches!(
            c.estimate(&a, &b, dec!(-1)).await,
            Err(CnError::InvalidRequest(_))
        ));
        assert!(matches!(
            c.validate_address("", "x").await,
            Err(CnError::InvalidRequest(_))
        ));
    }

    #[test]
    fn ranges_contain_their_bounds() {
        let r = AmountRange {
            min: dec!(2),
            max: Some(dec!(5)),
        };
        assert!(r.contains(dec!(2)) && r.contains(dec!(5)) && !r.contains(dec!(1.99)));
        let open = AmountRange {
            min: dec!(2),
            max: None,
        };
        assert!(open.contains(dec!(1e20)));
    }
}
