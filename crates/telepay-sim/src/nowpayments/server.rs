//! HTTP front of the simulator: routing, injected delays and faults (applied before
//! authentication, like the real edge's rate limit), the `x-api-key` check, request
//! validation with NOWPayments' error codes, and call recording.

use std::str::FromStr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::state::{Fault, SimInvoice, now_iso};
use super::wire::{self, Js};
use super::{FaultBody, NpCall, Shared};

/// What the handler answers, before it becomes an HTTP response.
struct Reply {
    status: u16,
    html: bool,
    body: String,
}

impl Reply {
    fn json(status: u16, js: &Js) -> Self {
        Self {
            status,
            html: false,
            body: js.text(),
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(status, &wire::error(status, code, message))
    }

    /// A Joi-style validation failure. The code is what NOWPayments returns for request
    /// validation as far as we know [unverified]; the messages follow the one quoted in
    /// lesson 8 ("success_url must be a valid uri").
    fn invalid(message: &str) -> Self {
        Self::error(400, "INVALID_REQUEST_PARAMS", message)
    }

    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let content_type = if self.html {
            "text/html"
        } else {
            "application/json; charset=utf-8"
        };
        let mut response = (status, self.body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    // One fallback handler, so delays, faults and recording apply to every path alike.
    Router::new().fallback(handle).with_state(shared)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let api_key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (delay, fault) = {
        let mut st = shared.state();
        (st.delay_for(&path), st.take_fault(&path))
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let reply = match fault {
        Some(fault) => fault_reply(fault),
        None => route(&shared, &method, &path, api_key.as_deref(), &headers, &body),
    };
    let recorded_body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
    };
    {
        let mut st = shared.state();
        let seq = u64::try_from(st.calls.len())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        st.calls.push(NpCall {
            seq,
            method: method.to_string(),
            path,
            api_key,
            body: recorded_body,
            status: reply.status,
            response: reply.body.clone(),
        });
    }
    shared.touch();
    reply.into_response()
}

fn fault_reply(fault: Fault) -> Reply {
    match fault.body {
        FaultBody::Json(v) => Reply {
            status: fault.status,
            html: false,
            body: v.to_string(),
        },
        FaultBody::Html(html) => Reply {
            status: fault.status,
            html: true,
            body: html,
        },
    }
}

fn route(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    api_key: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let trimmed = path.trim_end_matches('/');
    let Some(rest) = trimmed.strip_prefix("/v1") else {
        return not_found(method, path);
    };
    let authorized = api_key == Some(shared.config.api_key.as_str());
    match (method.as_str(), rest) {
        ("GET", "/status") => Reply::json(200, &Js::O(vec![("message", Js::V("OK".into()))])),
        ("POST", "/invoice") if !authorized => invalid_key(),
        ("POST", "/invoice") => create_invoice(shared, headers, body),
        ("GET", p) if p.starts_with("/payment/") => {
            if !authorized {
                return invalid_key();
            }
            get_payment(shared, p.trim_start_matches("/payment/"))
        }
        _ => not_found(method, path),
    }
}

fn invalid_key() -> Reply {
    Reply::error(403, "INVALID_API_KEY", "Invalid api key")
}

fn not_found(method: &Method, path: &str) -> Reply {
    Reply::error(404, "NOT_FOUND", &format!("Cannot {method} {path}"))
}

fn get_payment(shared: &Arc<Shared>, id: &str) -> Reply {
    let Ok(id) = id.parse::<u64>() else {
        return Reply::invalid("paymentID must be a number");
    };
    let st = shared.state();
    let found = st
        .payments
        .get(&id)
        .and_then(|p| st.invoices.get(&p.invoice_id).map(|inv| (inv, p)));
    match found {
        Some((inv, p)) => Reply::json(200, &wire::payment_status(inv, p)),
        // The exact code for an unknown payment is not documented [unverified].
        None => Reply::error(404, "PAYMENT_NOT_FOUND", "Payment not found"),
    }
}

/// `POST /v1/invoice`: validates like NOWPayments and answers 201 with string ids.
fn create_invoice(shared: &Arc<Shared>, headers: &HeaderMap, body: &[u8]) -> Reply {
    // Like the real (Express) body parser: without a JSON content type the body is not read
    // at all, so every required field is "missing".
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"));
    let fields: Map<String, Value> = if is_json && !body.is_empty() {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Reply::invalid("request body must be an object"),
            Err(e) => return Reply::invalid(&format!("Unexpected token in JSON: {e}")),
        }
    } else {
        Map::new()
    };
    let parsed = match InvoiceRequest::parse(&fields) {
        Ok(r) => r,
        Err(message) => return Reply::invalid(&message),
    };
    let min = shared.config.min_price_amount;
    if parsed.price_amount < min {
        return Reply::error(
            400,
            "AMOUNT_MINIMAL_ERROR",
            &format!(
                "Crypto amount {} {} is less than minimal {min}",
                parsed.price_amount.normalize(),
                parsed.price_currency
            ),
        );
    }
    let mut st = shared.state();
    let id = st.invoice_id();
    let token_id = st.token_id();
    let invoice = SimInvoice {
        id,
        token_id,
        order_id: parsed.order_id,
        order_description: parsed.order_description,
        price_amount: parsed.price_amount,
        price_currency: parsed.price_currency,
        pay_currency: parsed.pay_currency,
        ipn_callback_url: parsed.ipn_callback_url,
        success_url: parsed.success_url,
        cancel_url: parsed.cancel_url,
        partially_paid_url: parsed.partially_paid_url,
        is_fixed_rate: parsed.is_fixed_rate,
        is_fee_paid_by_user: parsed.is_fee_paid_by_user,
        invoice_url: shared.invoice_url(id),
        created_at: now_iso(),
    };
    let reply = Reply::json(201, &wire::invoice_created(&invoice));
    st.invoices.insert(id, invoice);
    reply
}

struct InvoiceRequest {
    price_amount: Decimal,
    price_currency: String,
    pay_currency: Option<String>,
    order_id: Option<String>,
    order_description: Option<String>,
    ipn_callback_url: Option<String>,
    success_url: Option<String>,
    cancel_url: Option<String>,
    partially_paid_url: Option<String>,
    is_fixed_rate: bool,
    is_fee_paid_by_user: bool,
}

impl InvoiceRequest {
    fn parse(f: &Map<String, Value>) -> Result<Self, String> {
        let price_amount = match f.get("price_amount") {
            None | Some(Value::Null) => return Err("price_amount is required".to_owned()),
            Some(v) => number(v).ok_or("price_amount must be a number")?,
        };
        if price_amount <= Decimal::ZERO {
            return Err("price_amount must be a positive number".to_owned());
        }
        let price_currency = match f.get("price_currency") {
            None | Some(Value::Null) => return Err("price_currency is required".to_owned()),
            Some(Value::String(s)) if is_ticker(s) => s.to_ascii_lowercase(),
            Some(_) => return Err("price_currency must be a valid currency".to_owned()),
        };
        let pay_currency = text(f, "pay_currency")?.map(|s| s.to_ascii_lowercase());
        if pay_currency.as_deref().is_some_and(|c| !is_ticker(c)) {
            return Err("pay_currency must be a valid currency".to_owned());
        }
        Ok(Self {
            price_amount,
            price_currency,
            pay_currency,
            order_id: text(f, "order_id")?,
            order_description: text(f, "order_description")?,
            ipn_callback_url: uri(f, "ipn_callback_url")?,
            success_url: uri(f, "success_url")?,
            cancel_url: uri(f, "cancel_url")?,
            partially_paid_url: uri(f, "partially_paid_url")?,
            is_fixed_rate: flag(f, "is_fixed_rate")?,
            is_fee_paid_by_user: flag(f, "is_fee_paid_by_user")?,
        })
    }
}

/// A number as the real validator converts it: JSON numbers and numeric strings.
fn number(v: &Value) -> Option<Decimal> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text.replace('+', "")).ok()
    } else {
        Decimal::from_str(&text).ok()
    }
}

fn is_ticker(s: &str) -> bool {
    (2..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn text(f: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match f.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

fn flag(f: &Map<String, Value>, key: &str) -> Result<bool, String> {
    match f.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{key} must be a boolean")),
    }
}

fn uri(f: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match text(f, key)? {
        None => Ok(None),
        Some(s) if is_valid_uri(&s) => Ok(Some(s)),
        Some(_) => Err(format!("{key} must be a valid uri")),
    }
}

/// An absolute http(s) URI made only of RFC 3986 characters. The real validator refuses a raw
/// `|`, space, `{`, `^` and the like even where browsers would tolerate them (lesson 8).
pub(crate) fn is_valid_uri(s: &str) -> bool {
    let bytes = s.as_bytes();
    let chars_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b.is_ascii_alphanumeric()
            || b"-._~:/?#[]@!$&'()*+,;=".contains(&b)
            || (b == b'%'
                && bytes
                    .get(i + 1..i + 3)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)))
    });
    chars_ok
        && url::Url::parse(s).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        })
}
