//! Start-up, health, metrics and shutdown of the whole application.

use std::time::Duration;

use telepay::app::{Application, BuildOptions, StartupError};
use telepay::config::Config;
use telepay_sim::evm::{EvmSim, EvmSimConfig};
use telepay_sim::telegram::{SimConfig, TelegramSim};

use crate::on_both_backends;
use crate::support::app::{EVM_CHAIN_ID, Mode, spawn_app, spawn_app_with, test_settings};
use crate::support::db::{Backend, TestDb};
use crate::support::wait::{eventually, eventually_within};

async fn health_readiness_and_metrics(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["dispatcher"], "up");
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
    let u = app.user(8001, "Gus", None);
    app.send_text(u, "/start");
    app.reply_containing(u, "Hi, Gus!").await;
    // The handler counts its outcome after its last reply: wait for the count, not the reply.
    eventually(
        "the update counted in telepay_bot_updates_total",
        async || {
            let r = app.get("/metrics").await;
            assert_eq!(r.status(), 200);
            assert!(
                r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/plain")
            );
            let text = r.text().await.unwrap();
            if text.contains("telepay_bot_updates_total{") {
                Ok(())
            } else {
                Err(text)
            }
        },
    )
    .await;
    assert_eq!(app.get("/nope").await.status(), 404);
}

async fn readiness_fails_when_the_database_is_gone(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.ctx.db.close().await;
    assert_eq!(app.get("/readyz").await.status(), 503);
    // The process itself is still alive.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn stops_cleanly_and_quickly(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let u = app.user(8101, "Hal", None);
    app.send_text(u, "/start");
    app.reply_containing(u, "Hi, Hal!").await;
    let (took, res) = app.stop().await;
    res.unwrap();
    assert!(took < Duration::from_secs(10), "shutdown took {took:?}");
}

on_both_backends!(
    health_readiness_and_metrics,
    readiness_fails_when_the_database_is_gone,
    stops_cleanly_and_quickly,
);

async fn build(raw: telepay::config::RawSettings) -> Result<Application, StartupError> {
    Application::build_with(Config::from_raw(&raw).unwrap(), BuildOptions::default()).await
}

#[tokio::test]
async fn a_token_telegram_rejects_stops_startup_without_leaking_it() {
    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let mut raw = test_settings(&tg, &db, "https://pay.example.com");
    let wrong = "7000000001:AAF-wrong-secret-token-0123456789abcdef";
    raw.telegram_bot_token = Some(wrong.into());
    let err = build(raw).await.err().expect("refused");
    let msg = err.to_string();
    assert!(matches!(err, StartupError::Telegram(_)), "{msg}");
    assert!(!msg.contains("wrong-secret-token"), "token leaked: {msg}");
}

#[tokio::test]
async fn a_busy_http_address_stops_startup_before_the_database_is_created() {
    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut raw = test_settings(&tg, &db, "https://pay.example.com");
    raw.http_addr = Some(busy.local_addr().unwrap().to_string());
    let err = build(raw).await.err().expect("refused");
    assert!(matches!(err, StartupError::Listen { .. }), "{err}");
    assert!(err.to_string().starts_with("cannot listen on 127.0.0.1:"));
    let file = db.url.trim_start_matches("sqlite://");
    assert!(!std::path::Path::new(file).exists(), "nothing half-created");
}

#[tokio::test]
async fn an_unreachable_postgres_stops_startup_with_one_clear_error() {
    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let mut raw = test_settings(&tg, &db, "https://pay.example.com");
    raw.database_url = Some("postgres://postgres@127.0.0.1:1/telepay".into());
    let err = build(raw).await.err().expect("refused");
    assert!(matches!(err, StartupError::Database(_)), "{err}");
    assert!(
        err.to_string()
            .contains("cannot open the PostgreSQL database"),
        "{err}"
    );
    assert!(tg.calls().is_empty(), "Telegram was not contacted");
}

/// A node on another chain than EVM_CHAIN_ID stops start-up, naming both chains.
async fn a_node_on_another_chain_stops_startup(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    let bsc = EvmSim::start(EvmSimConfig {
        chain_id: 56,
        ..EvmSimConfig::default()
    })
    .await
    .unwrap();
    let mut raw = test_settings(&tg, &db, "https://pay.example.com");
    raw.evm_rpc_url = Some(bsc.url().to_string());
    raw.evm_chain_id = Some(EVM_CHAIN_ID.to_string());
    let err = build(raw).await.err().expect("refused");
    let msg = err.to_string();
    assert!(matches!(err, StartupError::WrongChain { .. }), "{msg}");
    assert!(msg.contains("chain 56"), "{msg}");
    assert!(msg.contains(&format!("chain {EVM_CHAIN_ID}")), "{msg}");
    assert!(
        !msg.contains(bsc.url().as_str()),
        "the RPC URL may carry a key: {msg}"
    );
}

/// A node that does not answer yet lets the app start, with /readyz failing and saying why,
/// until a later check reaches it.
async fn readiness_waits_for_the_evm_node(backend: Backend) {
    // A port nothing listens on yet; the node comes up there later.
    let node_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let node_url = format!("http://{node_addr}/");
    let Some(app) = spawn_app_with(backend, Mode::Polling, |raw| {
        raw.evm_rpc_url = Some(node_url.clone());
    })
    .await
    else {
        return;
    };
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.unwrap();
    let why = body["evm_node"].as_str().unwrap_or_default().to_owned();
    assert!(why.contains("eth_chainId"), "{body}");
    assert!(!why.contains(&node_url), "{body}");
    assert_eq!(body["database"], "ok", "{body}");
    // The bot works meanwhile.
    let u = app.user(8201, "Ivy", None);
    app.send_text(u, "/start");
    app.reply_containing(u, "Hi, Ivy!").await;

    let _node = EvmSim::start(EvmSimConfig {
        bind: node_addr,
        chain_id: EVM_CHAIN_ID,
        ..EvmSimConfig::default()
    })
    .await
    .unwrap();
    let body: serde_json::Value = eventually_within(
        Duration::from_secs(60),
        "/readyz to recover after the node came up",
        async || {
            let r = app.get("/readyz").await;
            let status = r.status();
            if status == 200 {
                Ok(r.json().await.unwrap())
            } else {
                Err(status)
            }
        },
    )
    .await;
    assert_eq!(body["evm_node"], "ok", "{body}");
}

on_both_backends!(
    a_node_on_another_chain_stops_startup,
    readiness_waits_for_the_evm_node,
);
