//! Observability: `/metrics` after an IPN, a job and a payout (names, labels, values), the
//! Bot API request counter's results (429, retried, error) against the simulator, and
//! `/readyz` while the migrations wait.
//!
//! The metrics recorder is process-wide and the tests run in parallel in one process: the
//! app tests assert presence and lower bounds. The Bot API counter test counts exactly, on a
//! recorder of its own.

use std::collections::BTreeMap;
use std::time::Duration;

use rust_decimal_macros::dec;
use telepay::domain::job::Job;
use telepay::domain::time::Clock;
use telepay::store::channels::PayoutStrategy;
use telepay::store::jobs::NewJob;
use telepay_sim::telegram::{NewUser, SimConfig, TelegramSim};

use crate::on_both_backends;
use crate::payouts::{OWNER_EVM, channel, drive, payout_final, subscriber_pays};
use crate::support::app::{TestApp, spawn_app};
use crate::support::db::Backend;
use crate::support::wait::eventually;

/// The samples of a Prometheus text page: `name{labels}` → value (HELP/TYPE lines skipped).
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The value of the series `name{labels}`; labels in the order the exporter writes them
/// (as given to the macro).
fn value(page: &BTreeMap<String, f64>, series: &str) -> f64 {
    *page
        .get(series)
        .unwrap_or_else(|| panic!("no series {series} in {page:#?}"))
}

async fn scrape(app: &TestApp) -> String {
    let r = app.get("/metrics").await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

async fn metrics_after_an_ipn_a_job_and_a_payout(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let c = channel(&app, "USDT", "BSC", OWNER_EVM, PayoutStrategy::Instant).await;
    // The bot's first answer to the subscriber is refused once with 429: the throttle waits
    // the second Telegram asked for and sends it again.
    app.tg.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        Some(1),
    );
    // IPN(s) from the simulator → grant and valuation jobs → an instant payout, sent.
    subscriber_pays(&app, 1, &c, dec!(4.95)).await;
    drive(&app, || payout_final(&app, c.id)).await;
    // A job that waits a year: the queue gauge has something pending to show.
    let now = app.clock.now();
    app.ctx
        .db
        .enqueue(
            &NewJob {
                job: Job::ReconcilePayment {
                    np_payment_id: "metrics-test".into(),
                },
                unique_key: None,
                run_at: now.saturating_add(Duration::from_secs(365 * 86_400)),
                give_up_at: now.saturating_add(Duration::from_secs(366 * 86_400)),
            },
            now,
        )
        .await
        .unwrap();

    // The host wallet's balances, as the background sampler of `serve` reads them once a
    // minute (tests run without background timers).
    telepay::payouts::balance_gauges::sample(&app.ctx)
        .await
        .unwrap();
    let text = scrape(&app).await;
    let page = samples(&text);
    let at_least = |series: &str, n: f64| {
        let v = value(&page, series);
        assert!(v >= n, "{series} = {v}, expected at least {n}");
    };
    at_least("telepay_ipn_total{outcome=\"applied\"}", 1.0);
    at_least("telepay_payouts_total{state=\"pending\"}", 1.0);
    at_least("telepay_payouts_total{state=\"sending\"}", 1.0);
    at_least("telepay_payouts_total{state=\"sent\"}", 1.0);
    at_least(
        "telepay_job_runs_total{kind=\"grant_access\",outcome=\"done\"}",
        1.0,
    );
    at_least(
        "telepay_job_runs_total{kind=\"payout_step\",outcome=\"done\"}",
        1.0,
    );
    at_least(
        "telepay_jobs{kind=\"reconcile_payment\",state=\"pending\"}",
        1.0,
    );
    at_least(
        "telepay_telegram_requests_total{method=\"getMe\",result=\"ok\"}",
        1.0,
    );
    at_least(
        "telepay_telegram_requests_total{method=\"sendMessage\",result=\"ok\"}",
        1.0,
    );
    at_least(
        "telepay_telegram_requests_total{method=\"sendMessage\",result=\"429\"}",
        1.0,
    );
    at_least(
        "telepay_telegram_requests_total{method=\"sendMessage\",result=\"retried\"}",
        1.0,
    );
    assert_eq!(value(&page, "telepay_dispatcher_up"), 1.0, "{text}");
    at_least("telepay_db_pool_max_connections", 1.0);
    // The host wallet's balances (sampled above). Other apps in this process set the same
    // gauges (one of them drains its wallet on purpose), so only their presence is checked.
    at_least("telepay_host_wallet_balance{asset=\"USDT\"}", 0.0);
    at_least("telepay_host_wallet_gas_balance", 0.0);
    at_least("telepay_db_pool_connections{state=\"idle\"}", 0.0);
    at_least("telepay_db_pool_connections{state=\"in_use\"}", 0.0);
    // The IPN route's duration is a histogram with buckets, a sum and a count.
    at_least(
        "telepay_http_request_duration_seconds_bucket{route=\"nowpayments_ipn\",status=\"200\",le=\"+Inf\"}",
        1.0,
    );
    at_least(
        "telepay_http_request_duration_seconds_bucket{route=\"nowpayments_ipn\",status=\"200\",le=\"10\"}",
        1.0,
    );
    at_least(
        "telepay_http_request_duration_seconds_count{route=\"nowpayments_ipn\",status=\"200\"}",
        1.0,
    );
    assert!(
        text.contains("# TYPE telepay_http_request_duration_seconds histogram"),
        "{text}"
    );
    assert!(text.contains("# HELP telepay_ipn_total "), "{text}");
    assert!(text.contains("# TYPE telepay_jobs gauge"), "{text}");
    // No metric outside the telepay_ namespace, and no counter without `_total`.
    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let mut parts = line.split_whitespace().skip(2);
        let (name, kind) = (parts.next().unwrap(), parts.next().unwrap());
        assert!(name.starts_with("telepay_"), "{line}");
        if kind == "counter" {
            assert!(name.ends_with("_total"), "{line}");
        }
    }

    // A forged IPN is counted as such.
    let forged = app
        .http
        .post(format!("http://{}/webhooks/nowpayments", app.addr))
        .header("x-nowpayments-sig", "00")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let page = samples(&scrape(&app).await);
    at_least_in(&page, "telepay_ipn_total{outcome=\"bad_signature\"}", 1.0);
    at_least_in(
        &page,
        "telepay_http_request_duration_seconds_count{route=\"nowpayments_ipn\",status=\"401\"}",
        1.0,
    );
}

fn at_least_in(page: &BTreeMap<String, f64>, series: &str, n: f64) {
    let v = value(page, series);
    assert!(v >= n, "{series} = {v}, expected at least {n}");
}

on_both_backends!(metrics_after_an_ipn_a_job_and_a_payout);

/// Every attempt of a Bot API call is counted once, by what came back: 429, then the
/// throttle's successful retry (`retried`), a Telegram error, and plain successes. Counted on
/// a recorder of this test's own (thread-local, so the runtime is single-threaded).
#[test]
fn bot_api_requests_are_counted_by_result() {
    use telepay::telemetry::telegram::Counted;
    use teloxide::adaptors::throttle::Limits;
    use teloxide::prelude::*;

    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        rt.block_on(async {
            let sim = TelegramSim::start(SimConfig::default()).await.unwrap();
            let alice = sim.add_user(NewUser::new(5001, "Alice").started());
            let bot = Counted::new(Bot::new(sim.token()).set_api_url(sim.api_url().clone()))
                .throttle(Limits::default());
            bot.get_me().await.unwrap();
            sim.fail_next(
                "sendMessage",
                429,
                "Too Many Requests: retry after 1",
                Some(1),
            );
            bot.send_message(ChatId(alice), "after a 429")
                .await
                .unwrap();
            sim.fail_next("sendMessage", 400, "Bad Request: chat not found", None);
            bot.send_message(ChatId(alice), "refused")
                .await
                .unwrap_err();
            // Throttle paces a private chat at 1/s; this one is sent plainly.
            bot.send_message(ChatId(alice), "fine").await.unwrap();
        });
    });
    let page = samples(&handle.render());
    let count = |method: &str, result: &str| {
        let series =
            format!("telepay_telegram_requests_total{{method=\"{method}\",result=\"{result}\"}}");
        page.get(&series).copied().unwrap_or(0.0)
    };
    assert_eq!(count("getMe", "ok"), 1.0, "{page:#?}");
    assert_eq!(count("sendMessage", "429"), 1.0, "{page:#?}");
    assert_eq!(count("sendMessage", "retried"), 1.0, "{page:#?}");
    assert_eq!(count("sendMessage", "error"), 1.0, "{page:#?}");
    assert_eq!(count("sendMessage", "ok"), 1.0, "{page:#?}");
}

/// While the migrations wait (another process holds the lock on the migrations table), the
/// port already answers: `/healthz` 200 and `/readyz` 503 naming the step; once they are
/// through, the app serves and becomes ready. PostgreSQL only: SQLite migrations take no
/// lock another connection could hold them with.
#[tokio::test]
async fn readiness_is_false_while_migrations_run() {
    use sqlx::{Connection, Executor};
    use telepay::app::{Application, BuildOptions};
    use telepay::config::Config;
    use tokio::net::TcpListener;
    use tokio_util::sync::CancellationToken;

    use crate::support::app::{EVM_CHAIN_ID, start_payout_sims, test_settings};
    use crate::support::db::TestDb;

    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    // The schema exists; a transaction holding `_sqlx_migrations` stops the app's migrator
    // at its first look at it.
    drop(db.connect().await);
    let mut blocker = sqlx::PgConnection::connect(&db.url).await.unwrap();
    blocker.execute("BEGIN").await.unwrap();
    blocker
        .execute("LOCK TABLE _sqlx_migrations IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();

    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    let (_cn, evm) = start_payout_sims().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut raw = test_settings(&tg, &db, &format!("http://{addr}"));
    raw.evm_rpc_url = Some(evm.url().to_string());
    raw.evm_chain_id = Some(EVM_CHAIN_ID.to_string());
    let building = tokio::spawn(Application::build_with(
        Config::from_raw(&raw).unwrap(),
        BuildOptions {
            listener: Some(listener),
            manual_timers: true,
            ..BuildOptions::default()
        },
    ));

    let http = reqwest::Client::new();
    let get = async |path: &str| {
        http.get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap()
    };
    let body: serde_json::Value = eventually("/readyz to say the migrations run", async || {
        let r = get("/readyz").await;
        let status = r.status();
        let body: serde_json::Value = r.json().await.unwrap();
        if status == 503 && body["step"] == "migrating the database" {
            Ok(body)
        } else {
            Err((status, body))
        }
    })
    .await;
    assert_eq!(body["status"], "starting", "{body}");
    let r = get("/healthz").await;
    assert_eq!(r.status(), 200, "alive while migrating");
    assert_eq!(get("/metrics").await.status(), 200);
    assert_eq!(get("/webhooks/nowpayments").await.status(), 503);
    assert!(!building.is_finished(), "start-up waits for the migrations");

    blocker.execute("COMMIT").await.unwrap();
    let app = tokio::time::timeout(Duration::from_secs(30), building)
        .await
        .expect("start-up goes on once the lock is gone")
        .unwrap()
        .expect("the application starts");
    let cancel = CancellationToken::new();
    let task = tokio::spawn(app.run_until_stopped(cancel.clone()));
    let body: serde_json::Value = eventually("/readyz to pass after start-up", async || {
        let r = get("/readyz").await;
        if r.status() == 200 {
            Ok(r.json().await.unwrap())
        } else {
            Err(r.status())
        }
    })
    .await;
    assert_eq!(body["database"], "ok", "{body}");
    cancel.cancel();
    task.await.unwrap().unwrap();
}
