//! Logs (tracing, pretty or JSON) and metrics (one process-wide Prometheus recorder).
//!
//! Every metric is named in [`names`] and described (HELP) in [`describe`]; the list is the
//! operators' reference for dashboards and alerts.

pub mod telegram;

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

/// The metric names, Prometheus style: `telepay_` prefix, `_total` on counters, units in the
/// name.
pub mod names {
    /// Counter `{outcome}`: IPNs received on /webhooks/nowpayments, by what they came to.
    pub const IPN: &str = "telepay_ipn_total";
    /// Gauge `{kind, state}`: jobs pending, running or failed (sampled at scrape).
    pub const JOBS: &str = "telepay_jobs";
    /// Counter `{kind, outcome}`: job runs by outcome (done, retried, failed, lease_lost).
    pub const JOB_RUNS: &str = "telepay_job_runs_total";
    /// Counter: jobs an earlier process left running, released at start-up.
    pub const JOBS_RELEASED_AT_STARTUP: &str = "telepay_jobs_released_at_startup_total";
    /// Counter: failed renewals of a running job's lease.
    pub const JOB_LEASE_RENEWAL_ERRORS: &str = "telepay_job_lease_renewal_errors_total";
    /// Counter: job runner passes that failed (claiming or recording).
    pub const JOB_RUNNER_ERRORS: &str = "telepay_job_runner_errors_total";
    /// Counter `{timer, outcome}`: timer runs (ran, failed).
    pub const TIMER_RUNS: &str = "telepay_timer_runs_total";
    /// Counter `{state}`: payouts entering each state.
    pub const PAYOUTS: &str = "telepay_payouts_total";
    /// Counter `{method, result}`: Bot API requests (ok, error, 429, retried).
    pub const TELEGRAM_REQUESTS: &str = "telepay_telegram_requests_total";
    /// Counter: errors while taking or handling Telegram updates.
    pub const TELEGRAM_UPDATE_ERRORS: &str = "telepay_telegram_update_errors_total";
    /// Gauge: 1 while the Telegram dispatcher runs, else 0.
    pub const DISPATCHER_UP: &str = "telepay_dispatcher_up";
    /// Gauge `{state}`: database pool connections, idle or in_use (sampled at scrape).
    pub const DB_POOL_CONNECTIONS: &str = "telepay_db_pool_connections";
    /// Gauge: the most connections the database pool opens.
    pub const DB_POOL_MAX_CONNECTIONS: &str = "telepay_db_pool_max_connections";
    /// Histogram `{route, status}`: time to answer the webhooks, in seconds.
    pub const HTTP_REQUEST_DURATION: &str = "telepay_http_request_duration_seconds";
    /// Counter `{reason}`: HTTP requests or connections refused by the server's limits.
    pub const HTTP_REFUSED: &str = "telepay_http_refused_total";
    /// Counter `{decision}`: channel join requests approved or declined.
    pub const JOIN_REQUESTS: &str = "telepay_join_requests_total";
    /// Counter `{use, reason}`: typed amounts refused.
    pub const TYPED_AMOUNTS_REFUSED: &str = "telepay_typed_amounts_refused_total";
    /// Counter `{handler, outcome}`: bot updates handled.
    pub const BOT_UPDATES: &str = "telepay_bot_updates_total";
    /// Counter `{reason}`: bot updates dropped before handling (flood control).
    pub const BOT_UPDATES_DROPPED: &str = "telepay_bot_updates_dropped_total";
    /// Counter: "slow down" notices sent to flooding users.
    pub const BOT_FLOOD_NOTICES: &str = "telepay_bot_flood_notices_total";
    /// Gauge `{asset}`: the host wallet's balance of HOST_ASSET in whole units (sampled).
    pub const HOST_WALLET_BALANCE: &str = "telepay_host_wallet_balance";
    /// Gauge: the host wallet's native coin, which pays the gas, in whole units (sampled).
    pub const HOST_WALLET_GAS_BALANCE: &str = "telepay_host_wallet_gas_balance";
}

/// Buckets of [`names::HTTP_REQUEST_DURATION`], in seconds: webhook answers take milliseconds
/// when healthy; the top buckets show a database that makes them wait.
pub const HTTP_DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the global log subscriber. `RUST_LOG` filters (default `info`).
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::util::SubscriberInitExt;
    // `try_init` also forwards the `log` records of dependencies (teloxide logs through `log`).
    // A second init (tests) is not an error worth stopping for.
    let _ = match format {
        LogFormat::Json => json_subscriber(std::io::stderr).try_init(),
        LogFormat::Pretty => tracing_subscriber::fmt()
            .with_env_filter(env_filter())
            .with_writer(std::io::stderr)
            .finish()
            .try_init(),
    };
}

fn env_filter() -> EnvFilter {
    EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,hyper=warn,tower_http=info"))
}

/// One JSON object per line; an event's fields (`invoice_id`, `payment_id`, `payout_id`,
/// `user_id`, …) are top-level keys beside `timestamp`, `level`, `target` and `message`, and
/// the fields of the spans it happened in are under `span` and `spans`.
pub fn json_subscriber<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(env_filter())
        .with_writer(writer)
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(true)
        .finish()
}

/// The Prometheus recorder, installed on first use and shared by every app in the process.
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new().set_buckets_for_metric(
            Matcher::Full(names::HTTP_REQUEST_DURATION.to_owned()),
            HTTP_DURATION_BUCKETS,
        );
        let recorder = match builder {
            Ok(b) => b.build_recorder(),
            Err(e) => {
                tracing::warn!(error = %e, "histogram buckets refused; durations render as summaries");
                PrometheusBuilder::new().build_recorder()
            }
        };
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; then ours renders nothing,
        // which /metrics shows plainly rather than crashing.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        describe();
        start_at_zero();
        handle
    })
}

/// The series alert rules take `increase()` of exist at 0 from the start: a series born at 1
/// has no earlier sample, so its first event would go unseen (docs/alerts.md).
fn start_at_zero() {
    use names::{IPN, PAYOUTS};
    for state in ["sent", "failed"] {
        metrics::counter!(PAYOUTS, "state" => state).increment(0);
    }
    for outcome in ["applied", "bad_signature", "malformed"] {
        metrics::counter!(IPN, "outcome" => outcome).increment(0);
    }
}

/// The HELP text of every metric.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    use names::*;
    describe_counter!(
        IPN,
        "NOWPayments IPNs received, by outcome: applied (moved a payment of ours forward), \
         duplicate, stale, orphan, held, dismissed (an operator closed the payment), bad_signature, \
         malformed, error (database; retried)"
    );
    describe_gauge!(
        HOST_WALLET_BALANCE,
        "The host wallet's balance of HOST_ASSET in whole units, sampled every minute"
    );
    describe_gauge!(
        HOST_WALLET_GAS_BALANCE,
        "The host wallet's native coin (gas) in whole units, sampled every minute"
    );
    describe_gauge!(
        JOBS,
        "Jobs in the queue by kind and state (pending, running, failed), sampled at scrape"
    );
    describe_counter!(
        JOB_RUNS,
        "Job runs by kind and outcome (done, retried, failed, lease_lost)"
    );
    describe_counter!(
        JOBS_RELEASED_AT_STARTUP,
        "Jobs an earlier process left running, released at start-up"
    );
    describe_counter!(
        JOB_LEASE_RENEWAL_ERRORS,
        "Failed renewals of a running job's lease"
    );
    describe_counter!(JOB_RUNNER_ERRORS, "Job runner passes that failed");
    describe_counter!(
        TIMER_RUNS,
        "Periodic timer runs by timer and outcome (ran, failed)"
    );
    describe_counter!(
        PAYOUTS,
        "Payouts entering a state (pending, exchange, sending, funded, sent, failed, cancelled)"
    );
    describe_counter!(
        TELEGRAM_REQUESTS,
        "Bot API requests by method and result: ok, error, 429 (too many requests; retried \
         after retry_after), retried (succeeded after a 429)"
    );
    describe_counter!(
        TELEGRAM_UPDATE_ERRORS,
        "Errors while receiving or handling Telegram updates"
    );
    describe_gauge!(
        DISPATCHER_UP,
        "1 while the Telegram update dispatcher runs, 0 before it starts or after it stopped"
    );
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Open database pool connections by state (idle, in_use), sampled at scrape"
    );
    describe_gauge!(
        DB_POOL_MAX_CONNECTIONS,
        "The most connections the database pool opens"
    );
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        Unit::Seconds,
        "Time to answer a webhook request, by route (nowpayments_ipn, telegram_webhook) and status"
    );
    describe_counter!(
        HTTP_REFUSED,
        "HTTP requests or connections refused by the server's limits, by reason"
    );
    describe_counter!(
        JOIN_REQUESTS,
        "Channel join requests by decision (approved, declined)"
    );
    describe_counter!(
        TYPED_AMOUNTS_REFUSED,
        "Typed amounts refused, by use and reason"
    );
    describe_counter!(BOT_UPDATES, "Bot updates handled, by handler and outcome");
    describe_counter!(
        BOT_UPDATES_DROPPED,
        "Bot updates dropped before handling, by reason"
    );
    describe_counter!(
        BOT_FLOOD_NOTICES,
        "\"Slow down\" notices sent to flooding users"
    );
}

/// Counts `n` payouts entering `state` in [`names::PAYOUTS`]; called once the change is
/// committed.
pub fn count_payouts(state: crate::domain::states::PayoutState, n: u64) {
    if n > 0 {
        metrics::counter!(names::PAYOUTS, "state" => state.as_str()).increment(n);
    }
}

/// Replaces every occurrence of each secret in `text` (teloxide errors embed the request URL,
/// and the bot token is part of that URL).
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s, "[REDACTED]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn redacts_every_occurrence() {
        let t = "error sending request for url (https://api.telegram.org/bot123:SECRET/GetMe) 123:SECRET";
        let r = redact(t, &["123:SECRET"]);
        assert!(!r.contains("SECRET"));
        assert_eq!(r.matches("[REDACTED]").count(), 2);
    }

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buf {
        type Writer = Buf;
        fn make_writer(&'w self) -> Buf {
            self.clone()
        }
    }

    #[test]
    fn json_logs_carry_the_ids_as_keys() {
        let buf = Buf::default();
        tracing::subscriber::with_default(json_subscriber(buf.clone()), || {
            let span = tracing::info_span!("job", job_id = 7_i64, kind = "payout_step");
            let _in = span.enter();
            tracing::info!(
                invoice_id = 11_i64,
                payment_id = 12_i64,
                payout_id = 13_i64,
                user_id = 14_i64,
                "payout sent"
            );
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let line = text.lines().next().expect("one line");
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(v["message"], "payout sent", "{line}");
        assert_eq!(v["level"], "INFO", "{line}");
        assert_eq!(v["invoice_id"], 11, "{line}");
        assert_eq!(v["payment_id"], 12, "{line}");
        assert_eq!(v["payout_id"], 13, "{line}");
        assert_eq!(v["user_id"], 14, "{line}");
        assert_eq!(v["span"]["job_id"], 7, "{line}");
        assert_eq!(v["span"]["kind"], "payout_step", "{line}");
    }
}
