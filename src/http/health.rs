//! GET /healthz (the process and its bot dispatcher) and GET /readyz (the database answers).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::HttpState;

pub async fn healthz(State(s): State<HttpState>) -> (StatusCode, Json<Value>) {
    let dispatcher = s.health.dispatcher();
    let code = if dispatcher == "down" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let status = if code.is_success() { "ok" } else { "failing" };
    (
        code,
        Json(json!({ "status": status, "dispatcher": dispatcher })),
    )
}

pub async fn readyz(State(s): State<HttpState>) -> (StatusCode, Json<Value>) {
    match tokio::time::timeout(Duration::from_secs(3), s.ctx.db.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "database": "ok" })),
        ),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: database error");
            unavailable()
        }
        Err(_) => {
            tracing::warn!("readiness check: database timed out");
            unavailable()
        }
    }
}

fn unavailable() -> (StatusCode, Json<Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "not ready", "database": "unavailable" })),
    )
}
