//! GET /metrics in the Prometheus text format, and the timing of the webhook routes.
//!
//! Counters are counted where things happen; the gauges of state kept elsewhere (jobs in the
//! queue, the database pool, the dispatcher) are sampled here, at scrape time: one
//! `GROUP BY` over the jobs' state index, bounded by a short timeout.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::HttpState;
use crate::telemetry::names;

/// How long the jobs query may take before a scrape goes on without it.
const JOBS_QUERY_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn render(State(s): State<HttpState>) -> impl IntoResponse {
    sample(&s).await;
    render_recorded().await
}

/// What the recorder holds, without sampling (the start-up server has no database yet).
pub async fn render_recorded() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::metrics_handle().render(),
    )
}

async fn sample(s: &HttpState) {
    let up = if s.health.dispatcher() == "up" {
        1.0
    } else {
        0.0
    };
    metrics::gauge!(names::DISPATCHER_UP).set(up);

    let pool = s.ctx.db.pool();
    let size = pool.size();
    let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(size);
    metrics::gauge!(names::DB_POOL_CONNECTIONS, "state" => "idle").set(idle);
    metrics::gauge!(names::DB_POOL_CONNECTIONS, "state" => "in_use").set(size - idle);
    metrics::gauge!(names::DB_POOL_MAX_CONNECTIONS).set(pool.options().get_max_connections());

    match tokio::time::timeout(JOBS_QUERY_TIMEOUT, s.ctx.db.job_load()).await {
        Ok(Ok(rows)) => set_job_gauges(&rows),
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: could not count the jobs"),
        Err(_) => tracing::warn!("metrics: counting the jobs timed out"),
    }
}

/// Sets `telepay_jobs{kind, state}` from `rows`; a pair seen before and absent now is 0.
fn set_job_gauges(rows: &[(String, String, i64)]) {
    static SEEN: Mutex<BTreeSet<(String, String)>> = Mutex::new(BTreeSet::new());
    let mut seen = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now: BTreeSet<(String, String)> = rows
        .iter()
        .map(|(kind, state, _)| (kind.clone(), state.clone()))
        .collect();
    for (kind, state) in seen.difference(&now) {
        metrics::gauge!(names::JOBS, "kind" => kind.clone(), "state" => state.clone()).set(0.0);
    }
    for (kind, state, n) in rows {
        // A job count fits an f64 exactly.
        let n = *n as f64;
        metrics::gauge!(names::JOBS, "kind" => kind.clone(), "state" => state.clone()).set(n);
    }
    seen.extend(now);
}

/// Middleware timing a route in `telepay_http_request_duration_seconds{route, status}`;
/// `route` is a fixed name, never the path (the Telegram webhook's path is configurable).
pub async fn time_route(State(route): State<&'static str>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let res = next.run(req).await;
    metrics::histogram!(
        names::HTTP_REQUEST_DURATION,
        "route" => route,
        "status" => res.status().as_str().to_owned(),
    )
    .record(started.elapsed().as_secs_f64());
    res
}
