//! The HTTP server while the process starts (database, migrations, Telegram, the EVM node):
//! `/healthz` answers 200 (the process is alive; a long migration must not get it killed),
//! `/readyz` 503 naming the step under way, `/metrics` as usual, anything else 503. The port
//! is bound before the database is touched, so probes get an answer instead of a hanging
//! connection; when start-up is done the listener is handed to the real server.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::Health;
use crate::config::HttpLimits;

/// How long connections to the start-up server may go on once start-up is done.
const DRAIN: Duration = Duration::from_secs(2);

pub struct StartupServer {
    task: JoinHandle<TcpListener>,
    /// Stops the server when start-up fails (the listener is then dropped with it).
    stop: DropGuard,
}

impl StartupServer {
    pub fn spawn(listener: TcpListener, limits: HttpLimits, health: Arc<Health>) -> Self {
        let stop = CancellationToken::new();
        let router = Router::new()
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(super::metrics::render_recorded))
            .fallback(|| async { (StatusCode::SERVICE_UNAVAILABLE, "starting") })
            .with_state(health);
        let task = tokio::spawn(super::serve_until(
            listener,
            router,
            limits,
            stop.clone(),
            Some(DRAIN),
        ));
        Self {
            task,
            stop: stop.drop_guard(),
        }
    }

    /// Stops serving and hands back the listener.
    pub async fn finish(self) -> std::io::Result<TcpListener> {
        let StartupServer { task, stop } = self;
        drop(stop);
        task.await.map_err(std::io::Error::other)
    }
}

async fn healthz(State(health): State<Arc<Health>>) -> Json<Value> {
    Json(json!({
        "status": "starting",
        "step": health.starting().unwrap_or("starting"),
    }))
}

async fn readyz(State(health): State<Arc<Health>>) -> (StatusCode, Json<Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "status": "starting",
            "step": health.starting().unwrap_or("starting"),
        })),
    )
}
