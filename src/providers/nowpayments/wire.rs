//! NOWPayments wire types (reference/apis.md §A): the payment shape shared by
//! `GET /payment/{id}` and IPN bodies, parsed exactly into `rust_decimal` whatever JSON type
//! NOWPayments picked for a field this time, the invoice request and answer, and statuses.

use std::fmt::{self, Write as _};

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::error::NpError;

// ---- statuses -------------------------------------------------------------------------------

/// Payment statuses are a domain type (job payloads and the forward-only rule use them too).
pub use crate::domain::payment_status::PaymentStatus;

// ---- tolerant field parsing -----------------------------------------------------------------

/// Field deserializers for NOWPayments' shifting JSON types (apis.md §A.8).
mod lenient {
    use super::*;

    pub(super) use crate::providers::json_number::{amount, opt_amount};

    pub(super) use crate::providers::json_number::opt_id;

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
