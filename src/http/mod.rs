//! The HTTP server: health, readiness, metrics and (in webhook mode) Telegram's webhook.

pub mod health;
pub mod ipn;
pub mod metrics;
pub mod pay_page;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::trace::TraceLayer;

use crate::app::Ctx;

/// Liveness of the parts that can die while the HTTP server stays up.
#[derive(Debug, Default)]
pub struct Health {
    dispatcher_started: std::sync::atomic::AtomicBool,
    dispatcher_down: std::sync::atomic::AtomicBool,
}

impl Health {
    pub fn dispatcher_started(&self) {
        self.dispatcher_started
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn dispatcher_stopped(&self) {
        self.dispatcher_down
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// "up", "starting" or "down".
    pub fn dispatcher(&self) -> &'static str {
        use std::sync::atomic::Ordering::SeqCst;
        if self.dispatcher_down.load(SeqCst) {
            "down"
        } else if self.dispatcher_started.load(SeqCst) {
            "up"
        } else {
            "starting"
        }
    }
}

#[derive(Clone)]
pub struct HttpState {
    pub ctx: Ctx,
    pub health: Arc<Health>,
}

/// Largest request body any route accepts unless it sets its own limit.
const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .route("/pay/{id}", get(pay_page::show))
        .route(
            "/webhooks/nowpayments",
            post(ipn::receive).layer(DefaultBodyLimit::max(ipn::MAX_IPN_BODY)),
        )
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
}
