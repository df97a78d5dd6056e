//! HTTP front: `/bot{token}/{method}` routing, body decoding (JSON, form,
//! multipart, query string), fault injection, call recording and the envelope.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::RecordedCall;
use super::Shared;
use super::methods;
use super::multipart;
use super::params::{MethodError, MethodResult, Params};

/// Telegram accepts uploads up to 50 MB from bots.
const BODY_LIMIT: usize = 50 * 1024 * 1024;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    // A fallback instead of a route pattern: teloxide joins the base URL and
    // `bot{token}` with the `url` crate, and odd bases can yield `//bot…` paths.
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().trim_start_matches('/');
    let Some((bot, method)) = path.split_once('/') else {
        return envelope(Err(MethodError::new(404, "Not Found")));
    };
    let Some(token) = bot.strip_prefix("bot") else {
        return envelope(Err(MethodError::new(404, "Not Found")));
    };
    let method_raw = method.trim_end_matches('/');
    let normalized = methods::normalize(method_raw);
    let method_name = normalized.map_or_else(|| method_raw.to_owned(), str::to_owned);
    let params = decode_params(&headers, uri.query(), &body);
    let record_params = params.as_ref().map(Params::to_value).unwrap_or(Value::Null);
    let files = params.as_ref().map(|p| p.files.clone()).unwrap_or_default();

    let result = if percent_decode(token) != shared.config.token {
        Err(MethodError::new(401, "Unauthorized"))
    } else if let Some(name) = normalized {
        match params {
            Ok(params) => run(&shared, name, &params).await,
            Err(err) => Err(err),
        }
    } else {
        Err(MethodError::new(404, "Not Found"))
    };

    match &result {
        Ok(_) => tracing::debug!(method = %method_name, "telegram sim: ok"),
        Err(e) => {
            tracing::debug!(method = %method_name, code = e.code, description = %e.description, "telegram sim: refused")
        }
    }
    {
        let mut state = shared.state();
        let seq = u64::try_from(state.calls.len())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let (refused, description) = match &result {
            Ok(_) => (None, None),
            Err(e) => (Some(e.code), Some(e.description.clone())),
        };
        state.calls.push(RecordedCall {
            seq,
            method: method_name,
            params: record_params,
            files,
            refused,
            description,
        });
    }
    shared.touch();
    envelope(result)
}

/// Applies an injected delay or failure, then runs the method.
async fn run(shared: &Arc<Shared>, method: &'static str, params: &Params) -> MethodResult {
    let (delay, fault) = {
        let mut state = shared.state();
        let delay = state.delays.get(method).copied();
        let fault = state.faults.take(|m| m == method);
        (delay, fault)
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(fault) = fault {
        return Err(MethodError {
            code: fault.code,
            description: fault.description,
            retry_after: fault.retry_after,
        });
    }
    methods::call(shared, method, params).await
}

fn decode_params(
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Result<Params, MethodError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let lower = content_type.to_ascii_lowercase();
    let mut params = if body.is_empty() {
        Params::default()
    } else if lower.starts_with("multipart/form-data") {
        let boundary = multipart::boundary(content_type)
            .ok_or_else(|| MethodError::bad("can't parse multipart/form-data request"))?;
        multipart::parse(body, &boundary)?
    } else if lower.starts_with("application/x-www-form-urlencoded") {
        form(body)
    } else {
        // Telegram treats an unlabelled body as JSON too.
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| MethodError::bad("can't parse JSON encoded request body"))?;
        Params::from_json(value)?
    };
    if let Some(query) = query {
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if !params.map.contains_key(key.as_ref()) {
                params.insert_str(&key, &value);
            }
        }
    }
    Ok(params)
}

fn form(body: &[u8]) -> Params {
    let mut params = Params::default();
    for (key, value) in url::form_urlencoded::parse(body) {
        params.insert_str(&key, &value);
    }
    params
}

/// Decodes `%XX` escapes (the token's `:` may arrive encoded).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `{"ok":true,"result":…}` or the error object, with HTTP status = `error_code`.
fn envelope(result: MethodResult) -> Response {
    match result {
        Ok(value) => (
            StatusCode::OK,
            axum::Json(json!({"ok": true, "result": value})),
        )
            .into_response(),
        Err(err) => {
            let mut body =
                json!({"ok": false, "error_code": err.code, "description": err.description});
            if let (Some(retry), Some(obj)) = (err.retry_after, body.as_object_mut()) {
                obj.insert("parameters".to_owned(), json!({"retry_after": retry}));
            }
            let status = StatusCode::from_u16(err.code).unwrap_or(StatusCode::BAD_REQUEST);
            (status, axum::Json(body)).into_response()
        }
    }
}
