//! The HTTP server: health, readiness, metrics and (in webhook mode) Telegram's webhook.
//!
//! No client can hold it open or fill it up ([`serve`]): headers must arrive within a bound,
//! every request is done within another, a body over the limit is refused from its
//! `Content-Length` before it is read, a Telegram webhook call with the wrong secret is
//! refused before its body is read, and requests beyond a concurrency bound get 503 at once
//! instead of a place in an endless queue.

pub mod health;
pub mod ipn;
pub mod metrics;
pub mod pay_page;
pub mod startup;

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::HttpLimits;
use crate::services::Ctx;
use crate::telemetry::names;

/// Liveness of the parts that can die while the HTTP server stays up.
#[derive(Debug, Default)]
pub struct Health {
    /// What start-up is doing (`connecting to the database`, `migrating`, …) until it is done.
    starting: std::sync::Mutex<Option<&'static str>>,
    dispatcher_started: std::sync::atomic::AtomicBool,
    dispatcher_down: std::sync::atomic::AtomicBool,
    /// Why the host wallet's EVM node is not known to serve our chain yet; None once it
    /// answered `eth_chainId` with EVM_CHAIN_ID.
    evm_problem: std::sync::Mutex<Option<String>>,
}

impl Health {
    /// Records the start-up step under way; None once start-up is over.
    pub fn set_starting(&self, step: Option<&'static str>) {
        *self
            .starting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = step;
    }

    /// The start-up step under way, if start-up is not over.
    pub fn starting(&self) -> Option<&'static str> {
        *self
            .starting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records the outcome of the latest `eth_chainId` check (None: the node is on our chain).
    pub fn set_evm_problem(&self, problem: Option<String>) {
        *self
            .evm_problem
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = problem;
    }

    pub fn evm_problem(&self) -> Option<String> {
        self.evm_problem
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

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
            post(ipn::receive)
                .layer::<_, Infallible>(DefaultBodyLimit::max(ipn::MAX_IPN_BODY))
                .layer::<_, Infallible>(RequestBodyLimitLayer::new(ipn::MAX_IPN_BODY))
                .layer::<_, Infallible>(middleware::from_fn_with_state(
                    "nowpayments_ipn",
                    metrics::time_route,
                )),
        )
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
}

/// The header Telegram echoes our webhook secret in.
const TELEGRAM_SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Puts the secret check in front of Telegram's webhook `routes` (teloxide's handler reads
/// the whole body before it looks at the secret): a call without the right secret is
/// answered 401 before a byte of its body is read. The comparison is constant-time. Every
/// call, refused or not, is timed (route `telegram_webhook`).
pub fn guard_telegram_webhook(routes: Router, secret: SecretString) -> Router {
    routes
        .route_layer(middleware::from_fn_with_state(
            Arc::new(secret),
            require_webhook_secret,
        ))
        .route_layer(middleware::from_fn_with_state(
            "telegram_webhook",
            metrics::time_route,
        ))
}

async fn require_webhook_secret(
    State(secret): State<Arc<SecretString>>,
    req: Request,
    next: Next,
) -> Response {
    let given = req
        .headers()
        .get(TELEGRAM_SECRET_HEADER)
        .map_or(&[][..], |v| v.as_bytes());
    if bool::from(given.ct_eq(secret.expose_secret().as_bytes())) {
        next.run(req).await
    } else {
        ::metrics::counter!(names::HTTP_REFUSED, "reason" => "webhook_secret").increment(1);
        tracing::warn!("Telegram webhook call with a wrong or missing secret refused");
        (StatusCode::UNAUTHORIZED, "wrong secret").into_response()
    }
}

/// Answer for a request shed because `max_concurrent_requests` are already in flight.
async fn overloaded(err: tower::BoxError) -> Response {
    if err.is::<tower::load_shed::error::Overloaded>() {
        ::metrics::counter!(names::HTTP_REFUSED, "reason" => "overloaded").increment(1);
        (StatusCode::SERVICE_UNAVAILABLE, "busy, try again").into_response()
    } else {
        tracing::error!(error = %err, "HTTP middleware failed");
        (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
    }
}

/// Counts the refusals the tower-http layers answer themselves.
fn count_refusals<B>(res: axum::http::Response<B>) -> axum::http::Response<B> {
    let reason = match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Some("body_too_large"),
        StatusCode::REQUEST_TIMEOUT => Some("request_timeout"),
        _ => None,
    };
    if let Some(reason) = reason {
        ::metrics::counter!(names::HTTP_REFUSED, "reason" => reason).increment(1);
    }
    res
}

/// Serves `router` on `listener` with `limits` until `stop` fires, then stops accepting and
/// lets the requests in flight finish (each is bounded by the request timeout).
///
/// `axum::serve` offers no header-read timeout, so connections are served with hyper's
/// HTTP/1 builder directly: hyper closes a connection whose headers (or, on keep-alive, the
/// next request's) do not arrive within `header_timeout`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    stop: CancellationToken,
) -> std::io::Result<()> {
    drop(serve_until(listener, router, limits, stop, None).await);
    Ok(())
}

/// [`serve`], handing the listener back when `stop` fires (the start-up server gives it to
/// the real one, so the port stays bound throughout). With `drain`, connections still open
/// after that long are left to finish on their own.
pub(crate) async fn serve_until(
    mut listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    stop: CancellationToken,
    drain: Option<std::time::Duration>,
) -> TcpListener {
    // Outermost first: shed when full, count the refusals, refuse a body over the limit from
    // its Content-Length (and cut a chunked one at the limit), bound the whole request.
    let service = ServiceBuilder::new()
        .layer(HandleErrorLayer::<_, ()>::new(overloaded))
        .load_shed()
        .concurrency_limit(limits.max_concurrent_requests)
        .map_response(count_refusals)
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .service(router);
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, _peer) = tokio::select! {
            // axum's accept retries (after a pause) on errors such as too many open files.
            conn = axum::serve::Listener::accept(&mut listener) => conn,
            () = stop.cancelled() => break,
        };
        let conn = http1.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(service.clone()),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                if e.is_timeout() {
                    ::metrics::counter!(names::HTTP_REFUSED, "reason" => "header_timeout")
                        .increment(1);
                }
                tracing::debug!(error = %e, "HTTP connection ended with an error");
            }
        });
    }
    match drain {
        None => graceful.shutdown().await,
        Some(d) => drop(tokio::time::timeout(d, graceful.shutdown()).await),
    }
    listener
}
