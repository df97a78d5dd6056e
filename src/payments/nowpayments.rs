//! NOWPayments API client (reference/apis.md §A): create a hosted invoice, read a payment, and
//! the one payment shape shared by `GET /payment/{id}` and IPN bodies, parsed exactly into
//! `rust_decimal` whatever JSON type NOWPayments picked for a field this time.

use std::fmt::{self, Write as _};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use url::Url;

// ---- statuses -------------------------------------------------------------------------------

/// A payment status (apis.md §A.4). New statuses parse as [`PaymentStatus::Unknown`] so that a
/// status NOWPayments adds later never makes an IPN unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    Waiting,
    Confirming,
    Confirmed,
    Sending,
    PartiallyPaid,
    Finished,
    Failed,
    Refunded,
    Expired,
    /// Anything else, lowercased (e.g. the dashboard-only `cancelled`).
    Unknown(String),
}

impl PaymentStatus {
    /// Every documented status, in the order of [`PaymentStatus::rank`].
    pub const KNOWN: [PaymentStatus; 9] = [
        PaymentStatus::Waiting,
        PaymentStatus::Confirming,
        PaymentStatus::Confirmed,
        PaymentStatus::Sending,
        PaymentStatus::PartiallyPaid,
        PaymentStatus::Finished,
        PaymentStatus::Failed,
        PaymentStatus::Expired,
        PaymentStatus::Refunded,
    ];

    /// Parses a wire status; case and surrounding blanks are ignored. Never fails.
    pub fn parse(s: &str) -> Self {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "waiting" => Self::Waiting,
            "confirming" => Self::Confirming,
            "confirmed" => Self::Confirmed,
            "sending" => Self::Sending,
            "partially_paid" => Self::PartiallyPaid,
            "finished" => Self::Finished,
            "failed" => Self::Failed,
            "refunded" => Self::Refunded,
            "expired" => Self::Expired,
            _ => Self::Unknown(s),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Waiting => "waiting",
            Self::Confirming => "confirming",
            Self::Confirmed => "confirmed",
            Self::Sending => "sending",
            Self::PartiallyPaid => "partially_paid",
            Self::Finished => "finished",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Expired => "expired",
            Self::Unknown(s) => s,
        }
    }

    /// Position for forward-only updates: a stored status is replaced only by one of a higher
    /// rank (and never once it [is final](Self::is_final)).
    ///
    /// `unknown (0) < waiting (1) < confirming (2) < confirmed (3) < sending (4)
    ///  < partially_paid (5) < finished = failed = expired (6) < refunded (7)`
    ///
    /// Why this order:
    /// - the progress statuses follow NOWPayments' documented path; steps can be skipped, and
    ///   IPNs arrive out of order, so an older step arriving late must rank lower;
    /// - `partially_paid` ranks below `finished` because `actually_paid` is cumulative: a buyer
    ///   who sends the rest before expiry turns the same payment `finished`, while `finished`
    ///   must never fall back to `partially_paid`;
    /// - `finished`, `failed` and `expired` are alternative ends of one payment, so they share a
    ///   rank: none of them may overwrite another;
    /// - `refunded` ranks last because it is the only status that can follow another end
    ///   (support refunds a `partially_paid` or `failed` deposit);
    /// - an unknown status ranks lowest: it may be recorded but never moves a payment.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Unknown(_) => 0,
            Self::Waiting => 1,
            Self::Confirming => 2,
            Self::Confirmed => 3,
            Self::Sending => 4,
            Self::PartiallyPaid => 5,
            Self::Finished | Self::Failed | Self::Expired => 6,
            Self::Refunded => 7,
        }
    }

    /// No further IPN is expected in the normal flow: `finished`, `failed`, `expired` and
    /// `refunded`. `partially_paid` is not final (see [`Self::rank`]).
    ///
    /// Caveat (apis.md §A.4): after `expired` NOWPayments sends no IPN, yet a late deposit can
    /// still turn the payment `finished`, visible only through `GET /payment/{id}`; a reconciler
    /// must keep polling expired payments rather than trust this flag alone.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Finished | Self::Failed | Self::Expired | Self::Refunded
        )
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaymentStatus {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl Serialize for PaymentStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PaymentStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StatusVisitor;
        impl Visitor<'_> for StatusVisitor {
            type Value = PaymentStatus;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a payment status string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PaymentStatus, E> {
                Ok(PaymentStatus::parse(v))
            }
        }
        deserializer.deserialize_str(StatusVisitor)
    }
}

// ---- tolerant field parsing -----------------------------------------------------------------

/// Field deserializers for NOWPayments' shifting JSON types (apis.md §A.8).
mod lenient {
    use super::*;

    /// An exact decimal from a JSON double: its shortest round-trip text (what JavaScript
    /// printed when NOWPayments produced it), parsed as decimal text. No float arithmetic.
    pub(super) fn decimal_from_f64(f: f64) -> Result<Decimal, String> {
        if !f.is_finite() {
            return Err("the amount is not a finite number".to_owned());
        }
        decimal_from_text(ryu_js::Buffer::new().format_finite(f))
    }

    /// Plain (`0.00001234`) or exponent (`1e-7`, `1.5E+21`) decimal text, exactly or not at all.
    pub(super) fn decimal_from_text(s: &str) -> Result<Decimal, String> {
        let t = s.trim();
        let parsed = if t.contains(['e', 'E']) {
            // rust_decimal's exponent parser wants no `+` signs.
            Decimal::from_scientific(&t.replace('+', ""))
        } else {
            Decimal::from_str_exact(t)
        };
        parsed.map_err(|e| format!("`{}` is not an exact decimal: {e}", short(t)))
    }

    fn short(s: &str) -> String {
        s.chars().take(40).collect()
    }

    /// Amounts: JSON number, numeric string, `null`, `""` or `"null"` (NOWPayments has sent
    /// the string "null" for numeric fields).
    struct AmountVisitor;

    impl<'de> Visitor<'de> for AmountVisitor {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an amount as a number, a numeric string or null")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            decimal_from_f64(v).map(Some).map_err(E::custom)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("null") {
                return Ok(None);
            }
            decimal_from_text(t).map(Some).map_err(E::custom)
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

    /// Ids and other text that may come as a JSON number: an integral number becomes its
    /// digits; strings are trimmed; `null`, `""` and `"null"` mean absent.
    struct TextVisitor;

    impl<'de> Visitor<'de> for TextVisitor {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, an integer or null")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // An id written as `5077125051.0` or `5.077125051e9` is still an integer; one that
            // is not integral, or too large to be exact in a double, is refused.
            let exact = v.is_finite() && v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0;
            let text = ryu_js::Buffer::new().format_finite(v).to_owned();
            if exact && text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                Ok(Some(text))
            } else {
                Err(E::custom(format!("`{text}` is not an integer id")))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("null") {
                Ok(None)
            } else {
                Ok(Some(t.to_owned()))
            }
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

    pub(super) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(TextVisitor)
    }

    pub(super) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        opt_id(d)?.ok_or_else(|| de::Error::custom("the id is missing"))
    }

    /// Tickers are compared lowercase everywhere (`usd`, `usdttrc20`).
    pub(super) fn opt_currency<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<String>, D::Error> {
        Ok(opt_id(d)?.map(|c| c.to_ascii_lowercase()))
    }

    /// Free text (descriptions, addresses): kept as sent, `null` is absent.
    pub(super) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        struct Raw;
        impl<'de> Visitor<'de> for Raw {
            type Value = Option<String>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or null")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Some(v.to_owned()))
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
        d.deserialize_any(Raw)
    }

    /// `payment_extra_ids`: `null` or an array of ids of either type.
    pub(super) fn id_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        struct Item(Option<String>);
        impl<'de> Deserialize<'de> for Item {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                opt_id(d).map(Item)
            }
        }
        let items: Option<Vec<Item>> = Option::deserialize(d)?;
        Ok(items
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| i.0)
            .collect())
    }
}

// ---- payloads -------------------------------------------------------------------------------

/// One payment, as `GET /payment/{id}` returns it and as an IPN carries it. Ids are strings
/// whatever type was sent; amounts are exact decimals; currencies are lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct NpPayment {
    #[serde(deserialize_with = "lenient::id")]
    pub payment_id: String,
    /// Set on re-deposit and wrong-asset child payments: never fulfil those automatically.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub parent_payment_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub invoice_id: Option<String>,
    pub payment_status: PaymentStatus,
    /// Our order id, echoed; may be `null` on child payments.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub order_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub order_description: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub pay_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_currency")]
    pub pay_currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_currency")]
    pub price_currency: Option<String>,
    /// The invoice price in `price_currency`.
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub price_amount: Option<Decimal>,
    /// The crypto amount asked, in `pay_currency`.
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub pay_amount: Option<Decimal>,
    /// Cumulative crypto received, in `pay_currency`.
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub actually_paid: Option<Decimal>,
    /// What the merchant wallet gets after conversion and fees, in `outcome_currency`.
    #[serde(default, deserialize_with = "lenient::opt_amount")]
    pub outcome_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::opt_currency")]
    pub outcome_currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub purchase_id: Option<String>,
    /// Child payment ids of a parent (`GET /payment/{id}` only; IPNs send `null`).
    #[serde(default, deserialize_with = "lenient::id_list")]
    pub payment_extra_ids: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub updated_at: Option<String>,
}

impl NpPayment {
    /// Reads a payment from an already parsed body (e.g. a verified IPN).
    pub fn from_value(value: &Value) -> Result<Self, NpError> {
        Self::deserialize(value).map_err(|e| NpError::Decode(format!("payment: {e}")))
    }

    /// The amount fields, each parsed on its own by [`Self::from_ipn_value`].
    pub const AMOUNT_FIELDS: [&'static str; 4] = [
        "price_amount",
        "pay_amount",
        "actually_paid",
        "outcome_amount",
    ];

    /// Reads a verified IPN body. An amount that cannot be read exactly (`"Infinity"`, `1e40`,
    /// `"five"`) does not make the whole body unreadable: it is left out and named, with why,
    /// in the second part, so the intake can keep the event and hold the payment for review
    /// instead of refusing a signed body that NOWPayments would then resend forever. Ids and
    /// the status must still be readable.
    pub fn from_ipn_value(value: &Value) -> Result<(Self, Vec<(String, String)>), NpError> {
        let mut unreadable = Vec::new();
        let mut cleaned = value.clone();
        if let Some(fields) = cleaned.as_object_mut() {
            for field in Self::AMOUNT_FIELDS {
                let Some(v) = fields.get(field) else { continue };
                if let Err(e) = lenient::opt_amount(v.clone()) {
                    unreadable.push((field.to_owned(), e.to_string()));
                    fields.insert(field.to_owned(), Value::Null);
                }
            }
        }
        Ok((Self::from_value(&cleaned)?, unreadable))
    }

    /// Reads a payment from raw JSON bytes.
    pub fn from_slice(body: &[u8]) -> Result<Self, NpError> {
        serde_json::from_slice(body).map_err(|e| NpError::Decode(format!("payment: {e}")))
    }

    /// A re-deposit or wrong-asset payment hanging off another one.
    pub fn is_child(&self) -> bool {
        self.parent_payment_id.is_some()
    }
}

/// What `POST /invoice` answers (apis.md §A.3): `id` and `price_amount` come as strings there,
/// numbers are accepted too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NpInvoice {
    #[serde(deserialize_with = "lenient::id")]
    pub id: String,
    /// The hosted payment page to send the buyer to.
    pub invoice_url: String,
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub order_id: Option<String>,
    #[serde(deserialize_with = "lenient::amount")]
    pub price_amount: Decimal,
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub created_at: Option<String>,
}

/// A hosted invoice to create. The buyer picks the coin on NOWPayments' page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateInvoice {
    pub price_amount: Decimal,
    /// Fiat code, e.g. "usd".
    pub price_currency: String,
    /// Our invoice id, echoed in every payment and IPN.
    pub order_id: String,
    pub order_description: String,
    pub ipn_callback_url: Url,
    pub success_url: Url,
    pub cancel_url: Option<Url>,
}

/// Every field but the price, which is spliced in as exact number text (see `to_json`).
#[derive(Serialize)]
struct InvoiceFields<'a> {
    price_currency: String,
    order_id: &'a str,
    order_description: &'a str,
    ipn_callback_url: String,
    success_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancel_url: Option<String>,
}

impl CreateInvoice {
    /// The request body. `price_amount` is a JSON number in plain decimal form: serde_json
    /// would print a double (`1.234e-5`), and NOWPayments' validator takes the number, so the
    /// decimal text is written as is. URLs are made strict RFC 3986 (lesson 8).
    pub fn to_json(&self) -> Result<String, NpError> {
        if self.price_amount <= Decimal::ZERO {
            return Err(NpError::InvalidRequest(
                "price_amount must be positive".to_owned(),
            ));
        }
        let fields = InvoiceFields {
            price_currency: self.price_currency.trim().to_ascii_lowercase(),
            order_id: &self.order_id,
            order_description: &self.order_description,
            ipn_callback_url: strict_uri(&self.ipn_callback_url),
            success_url: strict_uri(&self.success_url),
            cancel_url: self.cancel_url.as_ref().map(strict_uri),
        };
        let rest = serde_json::to_string(&fields)
            .map_err(|e| NpError::InvalidRequest(format!("invoice body: {e}")))?;
        let rest = rest
            .strip_prefix('{')
            .ok_or_else(|| NpError::InvalidRequest("invoice body is not an object".to_owned()))?;
        // Decimal's Display never uses exponent form.
        Ok(format!(
            "{{\"price_amount\":{},{rest}",
            self.price_amount.normalize()
        ))
    }
}

/// The URL with every character RFC 3986 does not allow percent-encoded. The `url` crate keeps
/// `|`, `^`, `{`, `}` and friends raw in queries, and NOWPayments rejects such a URL with
/// "success_url must be a valid uri" (lesson 8).
pub fn strict_uri(url: &Url) -> String {
    let s = url.as_str();
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &b) in bytes.iter().enumerate() {
        let allowed = b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b);
        let escape = b == b'%'
            && bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if allowed || escape {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

// ---- errors ---------------------------------------------------------------------------------

/// Why a NOWPayments call failed. Messages never contain the API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NpError {
    /// 403 `INVALID_API_KEY`: missing, wrong, or a sandbox key on production (or the reverse).
    #[error("NOWPayments refused the API key (INVALID_API_KEY)")]
    InvalidApiKey,
    /// 429 (or an HTML 403) from the edge, with no Retry-After.
    #[error("NOWPayments rate limit hit")]
    RateLimited,
    /// Any other non-2xx answer; `message` is NOWPayments' text or a short snippet of an
    /// HTML page.
    #[error("NOWPayments answered HTTP {status} ({}): {message}", code.as_deref().unwrap_or("no code"))]
    Api {
        status: u16,
        code: Option<String>,
        message: String,
    },
    #[error("NOWPayments did not answer in time")]
    Timeout,
    #[error("network error talking to NOWPayments: {0}")]
    Network(String),
    /// A 2xx answer we could not read.
    #[error("unreadable NOWPayments answer: {0}")]
    Decode(String),
    /// Refused before sending: the request itself is wrong (never retried).
    #[error("invalid NOWPayments request: {0}")]
    InvalidRequest(String),
}

impl NpError {
    /// Whether trying again later may succeed: rate limits, 5xx, timeouts and network errors.
    /// 4xx answers (wrong key, validation, minimum amount) will fail the same way again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited | Self::Timeout | Self::Network(_) => true,
            Self::Api { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            Self::InvalidApiKey | Self::Decode(_) | Self::InvalidRequest(_) => false,
        }
    }

    /// Whether the client itself backs off and retries this answer (429 and 5xx only: a
    /// timeout already cost the whole time budget and is left to the caller's job retry).
    fn backs_off(&self) -> bool {
        match self {
            Self::RateLimited => true,
            Self::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// Longest error message kept from a response body.
const SNIPPET_CHARS: usize = 160;

/// A short, single-line, printable excerpt of an error body: the `<title>` of an HTML page or
/// its text without tags.
fn snippet(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let title = lower.find("<title>").and_then(|start| {
        let from = start + "<title>".len();
        lower[from..]
            .find("</title>")
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
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() > SNIPPET_CHARS {
        let cut: String = joined.chars().take(SNIPPET_CHARS).collect();
        format!("{cut}…")
    } else if joined.is_empty() {
        "(empty body)".to_owned()
    } else {
        joined
    }
}

// ---- the client -----------------------------------------------------------------------------

/// Bounded backoff for 429 and 5xx answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (at least 1).
    pub max_tries: u32,
    /// Delay before the second attempt; doubled for each later one.
    pub base_delay: Duration,
    /// Upper bound of one delay (before jitter), also applied to a Retry-After header.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_tries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(4),
        }
    }
}

impl RetryPolicy {
    /// The pause after failed attempt number `attempt` (1-based): exponential, capped, plus
    /// up to 50 % random jitter so that several workers do not retry in lockstep (the 429
    /// page gives no Retry-After, apis.md §A.8).
    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = 2u32.saturating_pow(attempt.saturating_sub(1));
        let base = retry_after
            .unwrap_or_else(|| self.base_delay.saturating_mul(exp))
            .min(self.max_delay);
        let jitter = rand::random_range(Duration::ZERO..=base / 2);
        base.saturating_add(jitter)
    }
}

/// Connect timeout of the default client.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Whole-request timeout of the default client.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Client for NOWPayments API v1. Cheap to clone.
#[derive(Clone)]
pub struct NowPaymentsClient {
    http: reqwest::Client,
    base: Url,
    api_key: SecretString,
    retry: RetryPolicy,
}

impl fmt::Debug for NowPaymentsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NowPaymentsClient")
            .field("base", &self.base.as_str())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

fn http_client(connect: Duration, total: Duration) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(total)
        .user_agent(concat!("telepay/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the NOWPayments HTTP client")
}

impl NowPaymentsClient {
    /// `base_url` is the API root, e.g. `https://api.nowpayments.io/v1`, with or without a
    /// trailing slash. Timeouts: 5 s to connect, 15 s in all.
    pub fn new(base_url: Url, api_key: SecretString) -> anyhow::Result<Self> {
        anyhow::ensure!(
            matches!(base_url.scheme(), "http" | "https") && !base_url.cannot_be_a_base(),
            "the NOWPayments API URL must be an http(s) URL"
        );
        anyhow::ensure!(
            !api_key.expose_secret().trim().is_empty(),
            "the NOWPayments API key is empty"
        );
        let mut base = base_url;
        base.set_query(None);
        base.set_fragment(None);
        Ok(Self {
            http: http_client(CONNECT_TIMEOUT, REQUEST_TIMEOUT)?,
            base,
            api_key,
            retry: RetryPolicy::default(),
        })
    }

    /// Replaces the connect and whole-request timeouts.
    pub fn with_timeouts(mut self, connect: Duration, total: Duration) -> anyhow::Result<Self> {
        self.http = http_client(connect, total)?;
        Ok(self)
    }

    /// Replaces the backoff policy for 429 and 5xx answers.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The API root this client talks to.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// `base` + path segments, whether or not `base` ends with `/`.
    fn endpoint(&self, segments: &[&str]) -> Result<Url, NpError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| NpError::InvalidRequest("the API URL cannot take a path".to_owned()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// `GET /status`: whether the API is up (no key needed).
    pub async fn api_status(&self) -> Result<(), NpError> {
        let url = self.endpoint(&["status"])?;
        let body = self.send("status", || self.http.get(url.clone())).await?;
        let v: Value =
            serde_json::from_slice(&body).map_err(|e| NpError::Decode(format!("status: {e}")))?;
        match v.get("message").and_then(Value::as_str) {
            Some(m) if m.eq_ignore_ascii_case("ok") => Ok(()),
            _ => Err(NpError::Decode(format!(
                "status: {}",
                snippet(&v.to_string())
            ))),
        }
    }

    /// `POST /invoice`: a hosted invoice for our order. Retried on 429/5xx; a retry after a
    /// lost answer may leave an unused duplicate invoice at NOWPayments, which is harmless
    /// (invoices send nothing until paid and carry our `order_id`).
    pub async fn create_invoice(&self, req: &CreateInvoice) -> Result<NpInvoice, NpError> {
        let body = req.to_json()?;
        let url = self.endpoint(&["invoice"])?;
        let bytes = self
            .send("invoice", || {
                self.http
                    .post(url.clone())
                    .header(CONTENT_TYPE, "application/json")
                    .header("x-api-key", self.api_key.expose_secret())
                    .body(body.clone())
            })
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| NpError::Decode(format!("invoice: {e}")))
    }

    /// `GET /payment/{id}`. Must use the key that created the payment (apis.md §A.1).
    pub async fn get_payment(&self, payment_id: &str) -> Result<NpPayment, NpError> {
        let id = payment_id.trim();
        // NOWPayments ids are digits; anything else would change the path (an empty id would
        // even hit the list endpoint).
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NpError::InvalidRequest(format!(
                "payment id `{}` is not numeric",
                id.chars().take(24).collect::<String>()
            )));
        }
        let url = self.endpoint(&["payment", id])?;
        let bytes = self
            .send("payment", || {
                self.http
                    .get(url.clone())
                    .header("x-api-key", self.api_key.expose_secret())
            })
            .await?;
        NpPayment::from_slice(&bytes)
    }

    /// Sends with bounded backoff on 429/5xx and returns the 2xx body.
    async fn send(
        &self,
        endpoint: &'static str,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, NpError> {
        let tries = self.retry.max_tries.max(1);
        let mut attempt = 1;
        loop {
            match self.attempt(request()).await {
                Ok(body) => return Ok(body),
                Err((err, retry_after)) if err.backs_off() && attempt < tries => {
                    let delay = self.retry.delay(attempt, retry_after);
                    tracing::warn!(endpoint, attempt, ?delay, error = %err, "NOWPayments call failed; backing off");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err((err, _)) => {
                    tracing::debug!(endpoint, attempt, error = %err, "NOWPayments call failed");
                    return Err(err);
                }
            }
        }
    }

    async fn attempt(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, (NpError, Option<Duration>)> {
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

    fn transport(&self, err: &reqwest::Error) -> NpError {
        if err.is_timeout() {
            return NpError::Timeout;
        }
        // The chain says why (refused, reset, DNS); the URL in it carries no secret, and the
        // key is scrubbed anyway.
        let mut text = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        NpError::Network(self.redact(&text))
    }

    /// Maps a non-2xx answer. JSON bodies follow `{"status":false,"statusCode","code",
    /// "message"}`; the edge's rate-limit pages are HTML.
    fn classify(&self, status: u16, body: &[u8]) -> NpError {
        let text = String::from_utf8_lossy(body);
        let json = serde_json::from_slice::<Value>(body)
            .ok()
            .filter(Value::is_object);
        let Some(json) = json else {
            return match status {
                // The edge answers a rate-limit breach with an HTML 429, sometimes a 403; a
                // wrong key is always the JSON error.
                429 | 403 => NpError::RateLimited,
                _ => NpError::Api {
                    status,
                    code: None,
                    message: self.redact(&snippet(&text)),
                },
            };
        };
        let code = json.get("code").and_then(Value::as_str).map(str::to_owned);
        if code.as_deref() == Some("INVALID_API_KEY") {
            return NpError::InvalidApiKey;
        }
        if status == 429 {
            return NpError::RateLimited;
        }
        let message = match json.get("message").or_else(|| json.get("error")) {
            Some(Value::String(s)) => s.clone(),
            // Validation errors sometimes come as a list of messages.
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("; "),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        NpError::Api {
            status,
            code: code.map(|c| self.redact(&c)),
            message: self.redact(&snippet(&message)),
        }
    }

    /// Removes the API key from text that may echo a request.
    fn redact(&self, text: &str) -> String {
        let key = self.api_key.expose_secret().trim();
        if key.len() >= 4 {
            text.replace(key, "[redacted]")
        } else {
            text.to_owned()
        }
    }
}

/// A Retry-After in seconds, if the edge ever sends one.
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
    //! Parsing, serialisation and error mapping without a network; the client↔simulator
    //! round trips live in `sim::nowpayments::tests`.

    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    /// The apis.md §A.5 test vector body.
    const VECTOR_BODY: &str = r#"{"payment_id":5077125051,"parent_payment_id":null,"invoice_id":4522625843,"payment_status":"finished","pay_address":"TNDFkiSmBQorNFacb3735q8MnT29sn8BLn","payin_extra_id":null,"price_amount":10,"price_currency":"usd","pay_amount":10.152,"actually_paid":10.152,"actually_paid_at_fiat":0,"pay_currency":"usdttrc20","order_id":"sub_42_7","order_description":"Channel X, 30 days","purchase_id":"6084744717","outcome_amount":9.8505,"outcome_currency":"usdttrc20","payment_extra_ids":null,"created_at":"2021-04-12T14:22:54.942Z","updated_at":"2021-04-12T14:23:06.244Z","fee":{"currency":"usdttrc20","depositFee":0.05,"withdrawalFee":0,"serviceFee":0.0507}}"#;

    /// The apis.md §A.3 `GET /payment/{id}` example, types kept.
    const STATUS_EXAMPLE: &str = r#"{"payment_id":6249365965,"invoice_id":null,"payment_status":"finished","pay_address":"addr","payin_extra_id":null,"price_amount":1,"price_currency":"usd","pay_amount":11.8,"actually_paid":12,"pay_currency":"trx","order_id":null,"order_description":null,"purchase_id":5312822613,"outcome_amount":11.8405,"outcome_currency":"trx","payout_hash":"h","payin_hash":"h","created_at":"2021-04-12T14:22:54.942Z","updated_at":"2021-04-12T14:23:06.244Z","burning_percent":"null","type":"crypto2crypto","payment_extra_ids":[5513339153]}"#;

    fn payment(v: Value) -> NpPayment {
        NpPayment::from_value(&v).unwrap()
    }

    fn amount_of(v: Value) -> Option<Decimal> {
        payment(json!({"payment_id": 1, "payment_status": "waiting", "pay_amount": v})).pay_amount
    }

    #[test]
    fn the_reference_vector_parses_exactly() {
        let p = NpPayment::from_slice(VECTOR_BODY.as_bytes()).unwrap();
        assert_eq!(p.payment_id, "5077125051");
        assert_eq!(p.parent_payment_id, None);
        assert_eq!(p.invoice_id.as_deref(), Some("4522625843"));
        assert_eq!(p.payment_status, PaymentStatus::Finished);
        assert_eq!(p.order_id.as_deref(), Some("sub_42_7"));
        assert_eq!(p.order_description.as_deref(), Some("Channel X, 30 days"));
        assert_eq!(p.price_amount, Some(dec!(10)));
        assert_eq!(p.price_currency.as_deref(), Some("usd"));
        assert_eq!(p.pay_amount, Some(dec!(10.152)));
        assert_eq!(p.actually_paid, Some(dec!(10.152)));
        assert_eq!(p.outcome_amount, Some(dec!(9.8505)));
        assert_eq!(p.outcome_currency.as_deref(), Some("usdttrc20"));
        assert_eq!(p.purchase_id.as_deref(), Some("6084744717"));
        assert!(p.payment_extra_ids.is_empty());
        assert!(!p.is_child());
        // The same through a parsed Value, as the IPN handler sees it after verification.
        let v: Value = serde_json::from_str(VECTOR_BODY).unwrap();
        assert_eq!(NpPayment::from_value(&v).unwrap(), p);
    }

    #[test]
    fn the_status_example_parses_with_its_odd_types() {
        let p = NpPayment::from_slice(STATUS_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(p.payment_id, "6249365965");
        assert_eq!(p.invoice_id, None);
        assert_eq!(p.order_id, None);
        assert_eq!(p.purchase_id.as_deref(), Some("5312822613"));
        assert_eq!(p.actually_paid, Some(dec!(12)));
        assert_eq!(p.outcome_amount, Some(dec!(11.8405)));
        assert_eq!(p.payment_extra_ids, vec!["5513339153".to_owned()]);
    }

    #[test]
    fn amounts_parse_exactly_from_any_json_type() {
        let cases = [
            (json!(0.00001234), dec!(0.00001234)),
            (json!(596726.7), dec!(596726.7)),
            (json!(600000000000.5), dec!(600000000000.5)),
            (json!(10.152), dec!(10.152)),
            (json!(0.09853637216235617), dec!(0.09853637216235617)),
            (json!(1e-7), dec!(0.0000001)),
            (json!(15), dec!(15)),
            (json!(-3), dec!(-3)),
            (json!("0.00001234"), dec!(0.00001234)),
            (json!(" 596726.70 "), dec!(596726.70)),
            (json!("1e-7"), dec!(0.0000001)),
            (json!("1.5E+3"), dec!(1500)),
        ];
        for (wire, want) in cases {
            assert_eq!(amount_of(wire.clone()), Some(want), "{wire}");
        }
        for absent in [json!(null), json!(""), json!("null")] {
            assert_eq!(amount_of(absent.clone()), None, "{absent}");
        }
        // From raw text too: serde_json's correctly rounded float parser plus the shortest
        // round-trip text gives back exactly what was written.
        let raw = r#"{"payment_id":"1","payment_status":"waiting","pay_amount":1e-7,"actually_paid":0.00001234,"outcome_amount":1e21}"#;
        let p = NpPayment::from_slice(raw.as_bytes()).unwrap();
        assert_eq!(p.pay_amount, Some(dec!(0.0000001)));
        assert_eq!(p.actually_paid, Some(dec!(0.00001234)));
        assert_eq!(p.outcome_amount, Some(dec!(1000000000000000000000)));
        let bad = json!({"payment_id": 1, "payment_status": "waiting", "pay_amount": "ten"});
        assert!(matches!(
            NpPayment::from_value(&bad),
            Err(NpError::Decode(_))
        ));
        let bad = json!({"payment_id": 1, "payment_status": "waiting", "pay_amount": true});
        assert!(NpPayment::from_value(&bad).is_err());
    }

    #[test]
    fn ids_are_strings_whatever_their_json_type() {
        let p = payment(json!({
            "payment_id": "5745459419", "payment_status": "waiting",
            "parent_payment_id": 987654321, "invoice_id": 4522625843.0_f64,
            "purchase_id": 5837122679_u64, "order_id": 42,
            "payment_extra_ids": [1, "2", null],
        }));
        assert_eq!(p.payment_id, "5745459419");
        assert_eq!(p.parent_payment_id.as_deref(), Some("987654321"));
        assert_eq!(p.invoice_id.as_deref(), Some("4522625843"));
        assert_eq!(p.purchase_id.as_deref(), Some("5837122679"));
        assert_eq!(p.order_id.as_deref(), Some("42"));
        assert_eq!(p.payment_extra_ids, vec!["1".to_owned(), "2".to_owned()]);
        assert!(p.is_child());
        for bad in [
            json!({"payment_status": "waiting"}),
            json!({"payment_id": null, "payment_status": "waiting"}),
            json!({"payment_id": 1.5, "payment_status": "waiting"}),
            json!({"payment_id": 1}),
        ] {
            assert!(NpPayment::from_value(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn currencies_are_lowercased_and_new_statuses_still_parse() {
        let p = payment(json!({
            "payment_id": 1, "payment_status": "CANCELLED",
            "price_currency": "USD", "pay_currency": "USDTTRC20", "outcome_currency": "Trx",
        }));
        assert_eq!(p.price_currency.as_deref(), Some("usd"));
        assert_eq!(p.pay_currency.as_deref(), Some("usdttrc20"));
        assert_eq!(p.outcome_currency.as_deref(), Some("trx"));
        assert_eq!(p.payment_status, PaymentStatus::Unknown("cancelled".into()));
        assert_eq!(p.payment_status.as_str(), "cancelled");
    }

    #[test]
    fn statuses_round_trip_and_rank_forward_only() {
        for s in PaymentStatus::KNOWN {
            assert_eq!(PaymentStatus::parse(s.as_str()), s);
            assert_eq!(serde_json::to_value(&s).unwrap(), json!(s.as_str()));
            let back: PaymentStatus = serde_json::from_value(json!(s.to_string())).unwrap();
            assert_eq!(back, s);
        }
        assert_eq!(
            PaymentStatus::parse(" Partially_Paid "),
            PaymentStatus::PartiallyPaid
        );
        let path = [
            "waiting",
            "confirming",
            "confirmed",
            "sending",
            "partially_paid",
            "finished",
        ];
        for pair in path.windows(2) {
            let (a, b) = (PaymentStatus::parse(pair[0]), PaymentStatus::parse(pair[1]));
            assert!(a.rank() < b.rank(), "{a} < {b}");
        }
        let ends = [
            PaymentStatus::Finished,
            PaymentStatus::Failed,
            PaymentStatus::Expired,
        ];
        for a in &ends {
            assert!(a.is_final());
            for b in &ends {
                assert_eq!(a.rank(), b.rank(), "no end overwrites another");
            }
            assert!(a.rank() < PaymentStatus::Refunded.rank());
        }
        assert!(PaymentStatus::Refunded.is_final());
        assert!(!PaymentStatus::PartiallyPaid.is_final());
        let unknown = PaymentStatus::parse("cancelled");
        assert!(!unknown.is_final());
        assert!(unknown.rank() < PaymentStatus::Waiting.rank());
    }

    #[test]
    fn invoices_parse_with_string_or_number_ids() {
        let created = json!({"id":"4522625843","token_id":"5998913548","order_id":"RGDBP-21314","price_amount":"1000","price_currency":"usd","invoice_url":"https://nowpayments.io/payment/?iid=4522625843","created_at":"2020-12-22T15:05:58.290Z"});
        let inv: NpInvoice = serde_json::from_value(created).unwrap();
        assert_eq!(inv.id, "4522625843");
        assert_eq!(inv.price_amount, dec!(1000));
        assert_eq!(inv.order_id.as_deref(), Some("RGDBP-21314"));
        let numeric: NpInvoice = serde_json::from_value(
            json!({"id": 4522625843_u64, "price_amount": 9.99, "invoice_url": "u"}),
        )
        .unwrap();
        assert_eq!(numeric.id, "4522625843");
        assert_eq!(numeric.price_amount, dec!(9.99));
        assert_eq!(numeric.created_at, None);
        assert!(
            serde_json::from_value::<NpInvoice>(json!({"id": "1", "invoice_url": "u"})).is_err()
        );
    }

    fn request(price: Decimal) -> CreateInvoice {
        CreateInvoice {
            price_amount: price,
            price_currency: "USD".into(),
            order_id: "123".into(),
            order_description: "Канал «X» — 30 дней".into(),
            ipn_callback_url: Url::parse("https://bot.example/webhooks/nowpayments").unwrap(),
            success_url: Url::parse("https://bot.example/pay/123?from=np|ok").unwrap(),
            cancel_url: None,
        }
    }

    #[test]
    fn the_invoice_body_writes_prices_as_plain_numbers() {
        for (price, text) in [
            (dec!(0.00001234), "0.00001234"),
            (dec!(10.50), "10.5"),
            (dec!(1E-7), "0.0000001"),
            (dec!(600000000000.5), "600000000000.5"),
            (dec!(5), "5"),
        ] {
            let body = request(price).to_json().unwrap();
            assert!(
                body.starts_with(&format!("{{\"price_amount\":{text},")),
                "{body}"
            );
            let v: Value = serde_json::from_str(&body).unwrap();
            assert!(v["price_amount"].is_number());
        }
        let v: Value = serde_json::from_str(&request(dec!(10)).to_json().unwrap()).unwrap();
        assert_eq!(v["price_currency"], "usd");
        assert_eq!(v["order_id"], "123");
        assert_eq!(v["order_description"], "Канал «X» — 30 дней");
        assert_eq!(
            v["ipn_callback_url"],
            "https://bot.example/webhooks/nowpayments"
        );
        // Lesson 8: a raw `|` made NOWPayments refuse the invoice.
        assert_eq!(v["success_url"], "https://bot.example/pay/123?from=np%7Cok");
        assert!(v.get("cancel_url").is_none());
        for bad in [Decimal::ZERO, dec!(-1)] {
            assert!(matches!(
                request(bad).to_json(),
                Err(NpError::InvalidRequest(_))
            ));
        }
    }

    #[test]
    fn strict_uris_escape_only_what_rfc3986_forbids() {
        let u = Url::parse("https://x.example/a/b?q=a|b^c&d={e}#f`g").unwrap();
        let s = strict_uri(&u);
        assert_eq!(s, "https://x.example/a/b?q=a%7Cb%5Ec&d=%7Be%7D#f%60g");
        let kept = Url::parse("https://x.example/p?a=1&b=%20x~y").unwrap();
        assert_eq!(strict_uri(&kept), kept.as_str());
    }

    #[test]
    fn error_bodies_become_short_safe_messages() {
        let page =
            "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>…</body></html>";
        assert_eq!(snippet(page), "429 Too Many Requests");
        assert_eq!(snippet("<p>Bad\n\tgateway</p>"), "Bad gateway");
        assert_eq!(snippet(""), "(empty body)");
        let long = "x".repeat(1000);
        assert_eq!(snippet(&long).chars().count(), SNIPPET_CHARS + 1);
    }

    fn client() -> NowPaymentsClient {
        NowPaymentsClient::new(
            Url::parse("https://api.nowpayments.io/v1").unwrap(),
            SecretString::from("sk-live-SECRET-KEY-1234"),
        )
        .unwrap()
    }

    #[test]
    fn answers_are_classified_and_never_carry_the_key() {
        let c = client();
        let key_json = br#"{"status":false,"statusCode":403,"code":"INVALID_API_KEY","message":"Invalid api key"}"#;
        assert_eq!(c.classify(403, key_json), NpError::InvalidApiKey);
        assert_eq!(c.classify(429, b"<html>429</html>"), NpError::RateLimited);
        assert_eq!(
            c.classify(403, b"<html>blocked</html>"),
            NpError::RateLimited
        );
        let min = br#"{"status":false,"statusCode":400,"code":"AMOUNT_MINIMAL_ERROR","message":"less than minimal"}"#;
        assert_eq!(
            c.classify(400, min),
            NpError::Api {
                status: 400,
                code: Some("AMOUNT_MINIMAL_ERROR".into()),
                message: "less than minimal".into()
            }
        );
        let list = br#"{"statusCode":400,"message":["a is required","b must be a string"]}"#;
        assert!(
            matches!(c.classify(400, list), NpError::Api { message, .. } if message == "a is required; b must be a string")
        );
        let echo = br#"{"code":"BAD","message":"key sk-live-SECRET-KEY-1234 is odd"}"#;
        let err = c.classify(400, echo);
        assert!(!err.to_string().contains("SECRET"), "{err}");
        let html = c.classify(502, b"<html><title>502 Bad Gateway</title></html>");
        assert_eq!(
            html,
            NpError::Api {
                status: 502,
                code: None,
                message: "502 Bad Gateway".into()
            }
        );
        assert!(!format!("{c:?}").contains("SECRET"));
    }

    #[test]
    fn retryable_means_worth_trying_again_later() {
        let api = |status| NpError::Api {
            status,
            code: None,
            message: String::new(),
        };
        for e in [
            NpError::RateLimited,
            NpError::Timeout,
            NpError::Network("reset".into()),
            api(500),
            api(503),
            api(408),
        ] {
            assert!(e.is_retryable(), "{e}");
        }
        for e in [
            NpError::InvalidApiKey,
            api(400),
            api(404),
            NpError::Decode("x".into()),
            NpError::InvalidRequest("x".into()),
        ] {
            assert!(!e.is_retryable(), "{e}");
        }
    }

    #[test]
    fn endpoints_join_with_or_without_a_trailing_slash() {
        for base in [
            "https://api.nowpayments.io/v1",
            "https://api.nowpayments.io/v1/",
        ] {
            let c =
                NowPaymentsClient::new(Url::parse(base).unwrap(), SecretString::from("k")).unwrap();
            assert_eq!(
                c.endpoint(&["invoice"]).unwrap().as_str(),
                "https://api.nowpayments.io/v1/invoice"
            );
            assert_eq!(
                c.endpoint(&["payment", "42"]).unwrap().as_str(),
                "https://api.nowpayments.io/v1/payment/42"
            );
        }
        assert!(
            NowPaymentsClient::new(Url::parse("ftp://x/v1").unwrap(), SecretString::from("k"))
                .is_err()
        );
        assert!(
            NowPaymentsClient::new(Url::parse("https://x/v1").unwrap(), SecretString::from(" "))
                .is_err()
        );
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let p = RetryPolicy {
            max_tries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        for _ in 0..50 {
            let d1 = p.delay(1, None);
            assert!(d1 >= Duration::from_millis(100) && d1 <= Duration::from_millis(150));
            let d2 = p.delay(2, None);
            assert!(d2 >= Duration::from_millis(200) && d2 <= Duration::from_millis(300));
            let d9 = p.delay(9, None);
            assert!(d9 >= Duration::from_millis(300) && d9 <= Duration::from_millis(450));
            let ra = p.delay(1, Some(Duration::from_secs(60)));
            assert!(ra <= Duration::from_millis(450));
        }
    }

    #[tokio::test]
    async fn bad_payment_ids_are_refused_before_sending() {
        let c = client();
        for id in ["", " ", "../invoice", "12a"] {
            assert!(
                matches!(c.get_payment(id).await, Err(NpError::InvalidRequest(_))),
                "{id:?}"
            );
        }
    }
}
