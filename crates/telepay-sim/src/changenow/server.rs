//! HTTP front of the simulator: routing, the global delay and injected faults (applied before
//! authentication, like a real edge), the `x-changenow-api-key` check, request validation
//! with ChangeNOW's error codes, call recording and the poll-driven lifecycle.
//!
//! Error codes of §B.5 are used where known (`out_of_range`, `not_valid_address`,
//! `not_valid_refund_address`, `invalid_api_key`); the codes for malformed parameters
//! (`not_valid_params`), unknown pairs (`pair_is_inactive`), exponent amounts
//! (`invalid_amount`) and unknown ids (`not_found`) are our choice [unverified].

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::names::Asset;
use super::state::{SimExchange, State as World, check_address};
use super::wire::{self, Js, opt_num, opt_s, s};
use super::{CnEndpoint, CnFault, RecordedCall, Shared, SimPayout};

/// The header every call carries its key in (§B.1).
const API_KEY_HEADER: &str = "x-changenow-api-key";

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
        Self::json(status, &wire::error(code, message))
    }

    fn params(message: &str) -> Self {
        Self::error(400, "not_valid_params", message)
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
    let query = uri.query().unwrap_or_default().to_owned();
    let api_key = headers
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let endpoint = CnEndpoint::of(&method, &path);
    // Recorded on arrival, so a request whose client gave up during a delay still shows (with
    // status 0); the answer is filled in once decided.
    let (slot, delay, fault, hold) = {
        let mut st = shared.state();
        let slot = st.calls.len();
        st.calls.push(RecordedCall {
            seq: u64::try_from(slot).unwrap_or(u64::MAX).saturating_add(1),
            endpoint,
            method: method.to_string(),
            path: path.clone(),
            query: query.clone(),
            body: String::from_utf8_lossy(&body).into_owned(),
            api_key: api_key.clone(),
            status: 0,
            response: String::new(),
        });
        let fault = endpoint.and_then(|e| st.take_fault(e));
        (slot, st.delay, fault, st.cfg.timeout_hold)
    };
    shared.touch();
    if !delay.is_zero() {
        shared.sleep(delay).await;
    }
    let mut held = false;
    let (reply, payouts) = match fault {
        Some(CnFault::Timeout) => {
            held = true;
            (
                Reply::error(
                    504,
                    "gateway_timeout",
                    "The upstream did not answer in time",
                ),
                Vec::new(),
            )
        }
        Some(CnFault::LostAnswer) => {
            held = true;
            route(
                &shared,
                &method,
                &path,
                &query,
                api_key.as_deref(),
                &headers,
                &body,
            )
        }
        Some(fault) => (fault_reply(fault), Vec::new()),
        None => route(
            &shared,
            &method,
            &path,
            &query,
            api_key.as_deref(),
            &headers,
            &body,
        ),
    };
    if let Some(call) = shared.state().calls.get_mut(slot) {
        call.status = reply.status;
        call.response = reply.body.clone();
    }
    shared.fire(&payouts);
    shared.touch();
    if held {
        // Hold the answer until the client has given up (or the simulator stops).
        shared.sleep(hold).await;
    }
    reply.into_response()
}

fn fault_reply(fault: CnFault) -> Reply {
    match fault {
        CnFault::Status(status) => {
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            let code = reason.to_ascii_lowercase().replace([' ', '-'], "_");
            Reply::error(status, &code, reason)
        }
        CnFault::ErrorCode {
            status,
            code,
            message,
        } => Reply::error(status, &code, &message),
        CnFault::Html(status) => {
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            Reply {
                status,
                html: true,
                body: format!(
                    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body><center><h1>{status} {reason}</h1></center><hr><center>cloudflare</center></body>\r\n</html>\r\n"
                ),
            }
        }
        // Handled by the caller.
        CnFault::Timeout | CnFault::LostAnswer => Reply::error(
            504,
            "gateway_timeout",
            "The upstream did not answer in time",
        ),
    }
}

fn route(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &str,
    api_key: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> (Reply, Vec<SimPayout>) {
    let Some(endpoint) = CnEndpoint::of(method, path) else {
        return (
            Reply::error(404, "not_found", &format!("Cannot {method} {path}")),
            Vec::new(),
        );
    };
    match api_key {
        None => {
            return (
                Reply::error(401, "unauthorized", "Unauthorized"),
                Vec::new(),
            );
        }
        Some(k) if k != shared.api_key => {
            return (
                Reply::error(403, "invalid_api_key", "Invalid api key"),
                Vec::new(),
            );
        }
        Some(_) => {}
    }
    let q = Query::parse(query);
    let mut st = shared.state();
    st.expire_stale();
    let reply = match endpoint {
        CnEndpoint::MinAmount => min_amount(&st, &q, false),
        CnEndpoint::Range => min_amount(&st, &q, true),
        CnEndpoint::EstimatedAmount => estimate(&st, &q),
        CnEndpoint::CreateExchange => create(&mut st, headers, body),
        CnEndpoint::ExchangeById => return by_id(&mut st, &q),
        CnEndpoint::ValidateAddress => validate(&st, &q),
        CnEndpoint::Any => Err(Reply::error(404, "not_found", "Not found")),
    };
    (reply.unwrap_or_else(|e| e), Vec::new())
}

/// Query parameters, first value wins, blanks trimmed, empty values absent.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: &str) -> Self {
        Self(
            url::form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// An amount as ChangeNOW accepts it: plain decimal text, positive. Exponent form is refused
/// (§B.7) whether it came as a string or a JSON number.
fn plain_amount(field: &str, raw: Option<&str>) -> Result<Decimal, Reply> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Err(Reply::params(&format!("{field} is required")));
    };
    if text.contains(['e', 'E']) {
        return Err(Reply::error(
            400,
            "invalid_amount",
            &format!("{field} must be a plain decimal number, got `{text}`"),
        ));
    }
    let shaped = text
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
    let amount = shaped
        .then(|| Decimal::from_str_exact(text).ok())
        .flatten()
        .ok_or_else(|| {
            Reply::error(
                400,
                "invalid_amount",
                &format!("{field} must be a number, got `{text}`"),
            )
        })?;
    if amount <= Decimal::ZERO {
        return Err(Reply::error(
            400,
            "invalid_amount",
            &format!("{field} must be greater than 0"),
        ));
    }
    Ok(amount)
}

fn check_flow(flow: Option<&str>, kind: Option<&str>) -> Result<(), Reply> {
    if !flow.unwrap_or("standard").eq_ignore_ascii_case("standard") {
        return Err(Reply::error(
            400,
            "not_supported",
            "The simulator offers the standard flow only",
        ));
    }
    if !kind.unwrap_or("direct").eq_ignore_ascii_case("direct") {
        return Err(Reply::error(
            400,
            "not_supported",
            "The simulator offers direct exchanges only",
        ));
    }
    Ok(())
}

/// `fromCurrency`/`fromNetwork`/`toCurrency`/`toNetwork`; a missing network means the
/// currency's own (`btc`/`btc`). Both assets must be traded and differ.
fn pair(
    st: &World,
    from_currency: Option<&str>,
    from_network: Option<&str>,
    to_currency: Option<&str>,
    to_network: Option<&str>,
) -> Result<(Asset, Asset), Reply> {
    let from_c = from_currency.ok_or_else(|| Reply::params("fromCurrency is required"))?;
    let to_c = to_currency.ok_or_else(|| Reply::params("toCurrency is required"))?;
    let from = Asset::new(from_c, from_network.unwrap_or(from_c));
    let to = Asset::new(to_c, to_network.unwrap_or(to_c));
    if from == to || st.asset(&from).is_none() || st.asset(&to).is_none() {
        return Err(Reply::error(
            400,
            "pair_is_inactive",
            &format!("Pair {from} -> {to} is inactive"),
        ));
    }
    Ok((from, to))
}

fn query_pair(st: &World, q: &Query) -> Result<(Asset, Asset), Reply> {
    check_flow(q.get("flow"), q.get("type"))?;
    pair(
        st,
        q.get("fromCurrency"),
        q.get("fromNetwork"),
        q.get("toCurrency"),
        q.get("toNetwork"),
    )
}

/// The pair's range check, with ChangeNOW's (sic) messages.
fn check_range(st: &World, from: &Asset, to: &Asset, amount: Decimal) -> Result<(), Reply> {
    let ticker = from.ticker.to_ascii_uppercase();
    if let Some(min) = st.min_amount(from, to)
        && amount < min
    {
        return Err(Reply::error(
            400,
            "out_of_range",
            &format!("Amount is less then minimal: {} {ticker}", plain(min)),
        ));
    }
    if let Some(max) = st.max_amount(from)
        && amount > max
    {
        return Err(Reply::error(
            400,
            "out_of_range",
            &format!("Amount is more then maximal: {} {ticker}", plain(max)),
        ));
    }
    Ok(())
}

/// The estimate, or `out_of_range` when nothing positive is left after fees.
fn converted(st: &World, from: &Asset, to: &Asset, amount: Decimal) -> Result<Decimal, Reply> {
    st.convert(from, to, amount).ok_or_else(|| {
        let min = st.min_amount(from, to).unwrap_or_default();
        Reply::error(
            400,
            "out_of_range",
            &format!(
                "Amount is less then minimal: {} {}",
                plain(min),
                from.ticker.to_ascii_uppercase()
            ),
        )
    })
}

fn pair_fields(from: &Asset, to: &Asset) -> Vec<(&'static str, Js)> {
    vec![
        ("fromCurrency", s(from.ticker.as_str())),
        ("fromNetwork", s(from.network.as_str())),
        ("toCurrency", s(to.ticker.as_str())),
        ("toNetwork", s(to.network.as_str())),
        ("flow", s("standard")),
    ]
}

/// `GET /v2/exchange/min-amount` and `/range`.
fn min_amount(st: &World, q: &Query, range: bool) -> Result<Reply, Reply> {
    let (from, to) = query_pair(st, q)?;
    let mut fields = pair_fields(&from, &to);
    fields.push(("minAmount", opt_num(st.min_amount(&from, &to))));
    if range {
        fields.push(("maxAmount", opt_num(st.max_amount(&from))));
    }
    Ok(Reply::json(200, &Js::Obj(fields)))
}

/// `GET /v2/exchange/estimated-amount` (standard, direct).
fn estimate(st: &World, q: &Query) -> Result<Reply, Reply> {
    let (from, to) = query_pair(st, q)?;
    let amount = plain_amount("fromAmount", q.get("fromAmount"))?;
    check_range(st, &from, &to, amount)?;
    let to_amount = converted(st, &from, &to, amount)?;
    let mut fields = pair_fields(&from, &to);
    fields.extend([
        ("type", s("direct")),
        ("rateId", Js::Null),
        ("validUntil", Js::Null),
        ("transactionSpeedForecast", s("10-60")),
        ("warningMessage", Js::Null),
        ("depositFee", Js::Num(Decimal::ZERO)),
        ("withdrawalFee", opt_num(st.network_fee(&to))),
        ("userId", Js::Null),
        ("fromAmount", Js::Num(amount)),
        ("toAmount", Js::Num(to_amount)),
    ]);
    Ok(Reply::json(200, &Js::Obj(fields)))
}

/// A text field of the create body; numbers were turned into their exact text already.
fn text<'a>(f: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Reply> {
    match f.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(v)) => Ok(Some(v.trim()).filter(|v| !v.is_empty())),
        Some(_) => Err(Reply::params(&format!("{key} must be a string"))),
    }
}

/// The top-level fields of a JSON object, with every number replaced by a string holding the
/// exact text the client wrote: ChangeNOW refuses exponent-form amounts such as `1e-5`
/// (§B.7), which a double would hide. Other values are kept as parsed.
fn fields_as_written(body: &[u8]) -> Result<Map<String, Value>, serde_json::Error> {
    let raw: BTreeMap<String, Box<RawValue>> = serde_json::from_slice(body)?;
    let mut fields = Map::new();
    for (key, value) in raw {
        let text = value.get().trim();
        let value = if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Value::String(text.to_owned())
        } else {
            serde_json::from_str(text)?
        };
        fields.insert(key, value);
    }
    Ok(fields)
}

/// An amount as plain decimal text, for messages like ChangeNOW's "Amount is less then
/// minimal: 0.0223925 XMR" (§B.5).
fn plain(amount: Decimal) -> String {
    amount.normalize().to_string()
}

/// `POST /v2/exchange` (standard, direct).
fn create(st: &mut World, headers: &HeaderMap, body: &[u8]) -> Result<Reply, Reply> {
    // Like an Express body parser: without a JSON content type the body is not read, so every
    // field is missing.
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"));
    let fields: Map<String, Value> = if is_json && !body.is_empty() {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(_)) => {
                fields_as_written(body).map_err(|e| Reply::params(&format!("Invalid JSON: {e}")))?
            }
            Ok(_) => return Err(Reply::params("The request body must be an object")),
            Err(e) => return Err(Reply::params(&format!("Invalid JSON: {e}"))),
        }
    } else {
        Map::new()
    };
    check_flow(text(&fields, "flow")?, text(&fields, "type")?)?;
    if text(&fields, "rateId")?.is_some() {
        return Err(Reply::error(
            400,
            "not_supported",
            "rateId belongs to the fixed-rate flow",
        ));
    }
    let (from, to) = pair(
        st,
        text(&fields, "fromCurrency")?,
        text(&fields, "fromNetwork")?,
        text(&fields, "toCurrency")?,
        text(&fields, "toNetwork")?,
    )?;
    let amount = match fields.get("fromAmount") {
        None | Some(Value::Null) => None,
        Some(Value::String(v)) => Some(v.as_str()),
        Some(_) => {
            return Err(Reply::error(
                400,
                "invalid_amount",
                "fromAmount must be a number",
            ));
        }
    };
    let amount = plain_amount("fromAmount", amount)?;
    let address = text(&fields, "address")?.ok_or_else(|| Reply::params("address is required"))?;
    if check_address(&to.network, address).is_err() {
        return Err(Reply::error(
            400,
            "not_valid_address",
            &format!("Address {address} is not valid"),
        ));
    }
    let refund_address = text(&fields, "refundAddress")?;
    if let Some(refund) = refund_address
        && check_address(&from.network, refund).is_err()
    {
        return Err(Reply::error(
            400,
            "not_valid_refund_address",
            &format!("Address {refund} is not valid"),
        ));
    }
    check_range(st, &from, &to, amount)?;
    let to_amount = converted(st, &from, &to, amount)?;
    let ex = st.create(
        from,
        to,
        amount,
        to_amount,
        address.to_owned(),
        text(&fields, "extraId")?.map(str::to_owned),
        refund_address.map(str::to_owned),
        text(&fields, "refundExtraId")?.map(str::to_owned),
    );
    tracing::debug!(exchange_id = %ex.id, "changenow simulator: exchange created");
    Ok(Reply::json(200, &created(&ex)))
}

/// The create answer (§B.3): no `status`, amounts as numbers, `payinExtraId` null.
fn created(ex: &SimExchange) -> Js {
    Js::Obj(vec![
        ("id", s(ex.id.as_str())),
        ("fromAmount", Js::Num(ex.expected_from)),
        ("toAmount", Js::Num(ex.expected_to)),
        ("flow", s("standard")),
        ("type", s("direct")),
        ("payinAddress", s(ex.payin_address.as_str())),
        ("payoutAddress", s(ex.payout_address.as_str())),
        ("payinExtraId", Js::Null),
        ("payoutExtraId", opt_s(ex.payout_extra_id.as_deref())),
        ("payoutExtraIdName", Js::Null),
        ("fromCurrency", s(ex.from.ticker.as_str())),
        ("fromNetwork", s(ex.from.network.as_str())),
        ("toCurrency", s(ex.to.ticker.as_str())),
        ("toNetwork", s(ex.to.network.as_str())),
        ("refundAddress", opt_s(ex.refund_address.as_deref())),
        ("refundExtraId", opt_s(ex.refund_extra_id.as_deref())),
    ])
}

/// ChangeNOW's legacy ticker (`usdttrc20`, `usdterc20`, `usdtbsc`; a native coin keeps its
/// ticker).
fn legacy_ticker(a: &Asset) -> String {
    if a.ticker == a.network {
        return a.ticker.clone();
    }
    let suffix = match a.network.as_str() {
        "trx" => "trc20",
        "eth" => "erc20",
        other => other,
    };
    format!("{}{suffix}", a.ticker)
}

/// The by-id answer (§B.3). `amountFrom`/`amountTo`, hashes and dates are null until known.
fn status(ex: &SimExchange) -> Js {
    Js::Obj(vec![
        ("id", s(ex.id.as_str())),
        ("status", s(ex.status.as_str())),
        ("actionsAvailable", Js::Bool(false)),
        ("fromCurrency", s(ex.from.ticker.as_str())),
        ("fromNetwork", s(ex.from.network.as_str())),
        ("toCurrency", s(ex.to.ticker.as_str())),
        ("toNetwork", s(ex.to.network.as_str())),
        ("expectedAmountFrom", Js::Num(ex.expected_from)),
        ("expectedAmountTo", Js::Num(ex.expected_to)),
        ("amountFrom", opt_num(ex.deposit)),
        ("amountTo", opt_num(ex.amount_to)),
        ("payinAddress", s(ex.payin_address.as_str())),
        ("payoutAddress", s(ex.payout_address.as_str())),
        ("payinExtraId", Js::Null),
        ("payoutExtraId", opt_s(ex.payout_extra_id.as_deref())),
        ("refundAddress", opt_s(ex.refund_address.as_deref())),
        ("refundExtraId", opt_s(ex.refund_extra_id.as_deref())),
        ("createdAt", s(wire::iso(ex.created_at))),
        ("updatedAt", s(wire::iso(ex.updated_at))),
        ("validUntil", s(wire::iso(ex.valid_until))),
        (
            "depositReceivedAt",
            opt_s(ex.deposit_received_at.map(wire::iso).as_deref()),
        ),
        ("payinHash", opt_s(ex.payin_hash.as_deref())),
        ("payoutHash", opt_s(ex.payout_hash.as_deref())),
        ("refundHash", opt_s(ex.refund_hash.as_deref())),
        ("refundAmount", opt_num(ex.refund_amount)),
        ("fromLegacyTicker", s(legacy_ticker(&ex.from))),
        ("toLegacyTicker", s(legacy_ticker(&ex.to))),
    ])
}

/// `GET /v2/exchange/by-id`: answers the current state, then moves the exchange
/// `steps_per_poll` steps along its lifecycle, so each poll sees the next status.
fn by_id(st: &mut World, q: &Query) -> (Reply, Vec<SimPayout>) {
    let Some(id) = q.get("id") else {
        return (Reply::params("id is required"), Vec::new());
    };
    let Some(i) = st.index_of(id) else {
        return (
            Reply::error(404, "not_found", "Exchange not found"),
            Vec::new(),
        );
    };
    let Some(ex) = st.exchanges.get_mut(i) else {
        return (
            Reply::error(404, "not_found", "Exchange not found"),
            Vec::new(),
        );
    };
    ex.polls = ex.polls.saturating_add(1);
    let reply = Reply::json(200, &status(ex));
    let steps = st.cfg.steps_per_poll;
    let payouts = st.steps(i, steps);
    (reply, payouts)
}

/// `GET /v2/validate/address?currency=<network>&address=…`.
fn validate(st: &World, q: &Query) -> Result<Reply, Reply> {
    let network = q
        .get("currency")
        .ok_or_else(|| Reply::params("currency is required"))?
        .to_ascii_lowercase();
    let address = q
        .get("address")
        .ok_or_else(|| Reply::params("address is required"))?;
    if !st.has_network(&network) {
        return Err(Reply::params(&format!(
            "Currency {network} is not supported"
        )));
    }
    let js = match check_address(&network, address) {
        Ok(()) => Js::Obj(vec![("result", Js::Bool(true)), ("message", Js::Null)]),
        Err(why) => Js::Obj(vec![("result", Js::Bool(false)), ("message", s(why))]),
    };
    Ok(Reply::json(200, &js))
}

impl CnEndpoint {
    /// The endpoint a request is for (trailing slashes ignored); `None` for anything else.
    pub(crate) fn of(method: &Method, path: &str) -> Option<Self> {
        let path = path.trim_end_matches('/');
        Some(match (method.as_str(), path) {
            ("GET", "/v2/exchange/min-amount") => Self::MinAmount,
            ("GET", "/v2/exchange/range") => Self::Range,
            ("GET", "/v2/exchange/estimated-amount") => Self::EstimatedAmount,
            ("POST", "/v2/exchange") => Self::CreateExchange,
            ("GET", "/v2/exchange/by-id") => Self::ExchangeById,
            ("GET", "/v2/validate/address") => Self::ValidateAddress,
            _ => return None,
        })
    }
}
