//! HTTP front: JSON-RPC 2.0 over `POST` on any path (providers put the API key in the path),
//! single and batch requests, injected faults, call recording.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::state::RpcErr;
use super::{RpcFault, Shared, SimTransfer, methods};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

fn respond(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn json_response(body: &Value) -> Response {
    respond(StatusCode::OK, "application/json", body.to_string())
}

fn error_object(id: Value, err: &RpcErr) -> Value {
    let mut error = json!({ "code": err.code, "message": err.message });
    if err.code == 3 {
        error["data"] = json!("0x");
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": error })
}

fn bad_gateway() -> Response {
    respond(
        StatusCode::BAD_GATEWAY,
        "text/html",
        "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
            .to_owned(),
    )
}

/// What happens to the HTTP answer after the requests were processed.
enum After {
    Normal,
    BadGateway,
    Late,
}

async fn handle(State(shared): State<Arc<Shared>>, method: Method, body: Bytes) -> Response {
    if method != Method::POST {
        return respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "JSON-RPC needs POST".to_owned(),
        );
    }
    let Ok(parsed) = serde_json::from_slice::<Value>(&body) else {
        return json_response(&error_object(
            Value::Null,
            &RpcErr::new(-32700, "parse error"),
        ));
    };
    let (items, batch) = match parsed {
        Value::Array(items) => (items, true),
        other => (vec![other], false),
    };
    if batch && items.is_empty() {
        return json_response(&error_object(
            Value::Null,
            &RpcErr::new(-32600, "empty batch"),
        ));
    }

    // Record the calls and take their faults, in order.
    let plans: Vec<(Option<String>, Option<RpcFault>)> = {
        let mut st = shared.state();
        items
            .iter()
            .map(|item| {
                let name = item
                    .get("method")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let fault = name.as_deref().and_then(|m| {
                    st.calls.push(m.to_owned());
                    st.take_fault(m)
                });
                (name, fault)
            })
            .collect()
    };
    shared.touch();

    // Faults that keep every request of this HTTP call from being processed.
    for (_, fault) in &plans {
        match fault {
            Some(RpcFault::HttpStatus(code)) => {
                let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::BAD_GATEWAY);
                return respond(
                    status,
                    "text/plain",
                    format!("simulated HTTP {}", status.as_u16()),
                );
            }
            Some(RpcFault::Timeout) => {
                tokio::time::sleep(shared.config.timeout_fault_delay).await;
                return respond(
                    StatusCode::GATEWAY_TIMEOUT,
                    "text/plain",
                    "simulated timeout".to_owned(),
                );
            }
            _ => {}
        }
    }

    let mut after = After::Normal;
    let mut responses = Vec::new();
    let mut events: Vec<SimTransfer> = Vec::new();
    for (item, (name, fault)) in items.iter().zip(plans) {
        let id = item.get("id").cloned();
        let outcome = match (&name, fault) {
            (None, _) => Err(RpcErr::new(-32600, "invalid request")),
            (Some(_), Some(RpcFault::RpcError { code, message })) => {
                Err(RpcErr::new(code, message))
            }
            (Some(m), fault) => {
                match fault {
                    Some(RpcFault::AcceptThenFail) => after = After::BadGateway,
                    Some(RpcFault::AcceptThenTimeout) => after = After::Late,
                    _ => {}
                }
                let params = match item.get("params") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(a)) => a.clone(),
                    Some(_) => {
                        responses.push(error_object(
                            id.clone().unwrap_or(Value::Null),
                            &RpcErr::invalid_params("params must be an array"),
                        ));
                        continue;
                    }
                };
                let result = methods::dispatch(&mut shared.state(), m, &params);
                result.map(|(value, mined)| {
                    events.extend(mined);
                    value
                })
            }
        };
        shared.touch();
        // A request without an id is a notification: processed, never answered.
        let Some(id) = id else {
            continue;
        };
        responses.push(match outcome {
            Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
            Err(err) => error_object(id, &err),
        });
    }

    // Observers run outside the state lock, before the client hears back.
    shared.fire(&events);

    match after {
        After::BadGateway => return bad_gateway(),
        After::Late => tokio::time::sleep(shared.config.timeout_fault_delay).await,
        After::Normal => {}
    }
    if batch {
        json_response(&Value::Array(responses))
    } else {
        match responses.into_iter().next() {
            Some(one) => json_response(&one),
            None => respond(StatusCode::OK, "application/json", String::new()),
        }
    }
}
