//! IPN intake throughput on PostgreSQL: the whole path (HTTP, signature, the intake
//! transaction) with 8 concurrent senders, against a raw single-row
//! `INSERT … ON CONFLICT DO NOTHING` commit on the same database with 8 concurrent writers.
//!
//! Run: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench ipn`
//! (a fresh database is created beside the one named, and dropped afterwards).

use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use sqlx::{Connection, Executor, PgConnection};
use telepay::app::{Application, BuildOptions};
use telepay::config::{Config, DatabaseConfig, RawSettings};
use telepay::domain::money::UsdMicros;
use telepay::domain::time::{Clock, SystemClock};
use telepay::providers::nowpayments::ipn::sign_body;
use telepay::store::Db;
use telepay::store::channels::{AccessMode, NewChannel, NewTier, PayoutSettings, PayoutStrategy};
use telepay::store::invoices::{InvoiceKind, NewInvoice};
use telepay::store::users::SeenUser;
use telepay_sim::telegram::{SimConfig, TelegramSim};
use tokio_util::sync::CancellationToken;

const SENDERS: usize = 8;
const PER_SENDER: usize = 250;
const SECRET: &str = "bench-ipn-secret";

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let Ok(admin) = std::env::var("BENCH_DATABASE_URL") else {
        eprintln!("set BENCH_DATABASE_URL=postgres://… to run this benchmark");
        return Ok(());
    };
    let name = format!(
        "telepay_bench_{}",
        telepay::domain::ids::new_code(8).to_lowercase()
    );
    let mut conn = PgConnection::connect(&admin).await?;
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .await?;
    let mut url = url::Url::parse(&admin)?;
    url.set_path(&format!("/{name}"));
    let result = run(url.as_str()).await;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .await?;
    result
}

async fn run(db_url: &str) -> anyhow::Result<()> {
    let raw_rate = raw_inserts(db_url).await?;
    let ipn_rate = ipn_path(db_url).await?;
    println!("raw INSERT … ON CONFLICT commits: {raw_rate:.0}/s ({SENDERS} writers)");
    println!("IPN path (HTTP + HMAC + intake tx): {ipn_rate:.0}/s ({SENDERS} senders)");
    println!("ratio: {:.2}× (target ≥ 0.70×)", ipn_rate / raw_rate);
    Ok(())
}

async fn raw_inserts(db_url: &str) -> anyhow::Result<f64> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(10)
        .connect(db_url)
        .await?;
    pool.execute("CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, v TEXT NOT NULL)")
        .await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..PER_SENDER {
                let id = i64::try_from(s * PER_SENDER + i).unwrap_or(0);
                sqlx::query(
                    "INSERT INTO bench_raw (id, v) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind("x")
                .execute(&pool)
                .await?;
            }
            Ok::<(), sqlx::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let rate = count() / started.elapsed().as_secs_f64();
    pool.close().await;
    Ok(rate)
}

fn count() -> f64 {
    f64::from(u32::try_from(SENDERS * PER_SENDER).unwrap_or(u32::MAX))
}

async fn ipn_path(db_url: &str) -> anyhow::Result<f64> {
    let tg = TelegramSim::start(SimConfig::default()).await?;
    let raw = RawSettings {
        telegram_bot_token: Some(tg.token().to_owned()),
        telegram_api_url: Some(tg.api_url().to_string()),
        database_url: Some(db_url.to_owned()),
        database_max_connections: Some("16".into()),
        http_addr: Some("127.0.0.1:0".into()),
        public_base_url: Some("http://127.0.0.1".into()),
        nowpayments_api_key: Some("k".into()),
        nowpayments_ipn_secret: Some(SECRET.into()),
        nowpayments_api_url: Some("http://127.0.0.1:9/v1".into()),
        changenow_api_key: Some("k".into()),
        evm_rpc_url: Some("http://127.0.0.1:9".into()),
        host_wallet_private_key: Some(format!("0x{}", "11".repeat(32))),
        ..RawSettings::default()
    };
    let config = Config::from_raw(&raw)?;
    let app = Application::build_with(
        config,
        BuildOptions {
            manual_timers: true,
            ..BuildOptions::default()
        },
    )
    .await?;
    let addr = app.local_addr();
    let db = Db::connect(&DatabaseConfig {
        url: SecretString::from(db_url.to_owned()),
        max_connections: 2,
    })
    .await?;
    let invoice = seed_invoice(&db).await?;
    let cancel = CancellationToken::new();
    let task = tokio::spawn(app.run_until_stopped(cancel.clone()));

    let http = reqwest::Client::new();
    let url = Arc::new(format!("http://{addr}/webhooks/nowpayments"));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let (http, url) = (http.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..PER_SENDER {
                let body = serde_json::json!({
                    "payment_id": 6_000_000_000u64 + u64::try_from(s * PER_SENDER + i).unwrap_or(0),
                    "parent_payment_id": null, "invoice_id": 1, "payment_status": "waiting",
                    "pay_address": "T", "price_amount": 5, "price_currency": "usd",
                    "pay_amount": 5.01, "actually_paid": 0, "pay_currency": "usdttrc20",
                    "order_id": invoice.to_string(), "outcome_amount": 4.95,
                    "outcome_currency": "usdttrc20", "payment_extra_ids": null,
                    "fee": {"currency": "usdttrc20", "depositFee": 0.05, "withdrawalFee": 0, "serviceFee": 0}
                });
                let sig = sign_body(SECRET, &body);
                let r = http
                    .post(url.as_str())
                    .header("x-nowpayments-sig", sig)
                    .body(body.to_string())
                    .send()
                    .await?;
                anyhow::ensure!(r.status().is_success(), "IPN answered {}", r.status());
            }
            Ok::<(), anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let rate = count() / started.elapsed().as_secs_f64();
    cancel.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
    db.close().await;
    Ok(rate)
}

async fn seed_invoice(db: &Db) -> anyhow::Result<i64> {
    let now = SystemClock.now();
    db.upsert_user(
        &SeenUser {
            id: 1,
            username: None,
            first_name: "B",
            language_code: None,
        },
        now,
    )
    .await?;
    let channel = db
        .create_channel(
            &NewChannel {
                owner_id: 1,
                chat_id: -1_001_234,
                title: "Bench".into(),
                description: String::new(),
                access_mode: AccessMode::JoinRequest,
                payout: PayoutSettings {
                    currency: "USDT".into(),
                    network: "TRX".into(),
                    address: "TNDFkiSmBQorNFacb3735q8MnT29sn8BLn".into(),
                    extra_id: None,
                    strategy: PayoutStrategy::Instant,
                },
                tiers: vec![NewTier {
                    price: UsdMicros::from_cents(500),
                    days: 30,
                }],
            },
            now,
        )
        .await?;
    let invoice = db
        .create_invoice(
            &NewInvoice {
                kind: InvoiceKind::Subscription,
                user_id: 1,
                channel_id: channel.id,
                tier_id: None,
                parent_invoice_id: None,
                price: UsdMicros::from_cents(500),
                days: Some(30),
                expires_at: now.saturating_add(Duration::from_secs(3600)),
            },
            now,
        )
        .await?;
    Ok(invoice.id)
}
