//! getUpdates long polling, conflicts, allowed_updates and webhook delivery.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use teloxide::prelude::*;
use teloxide::types::UpdateKind;
use teloxide::{ApiError, RequestError};

use super::super::SimConfig;
use super::{ALICE, WAIT, polls_started, raw, setup, setup_with};

#[tokio::test]
async fn long_poll_returns_as_soon_as_an_update_arrives() {
    let (sim, bot) = setup().await;
    let poller = bot.clone();
    let started = Instant::now();
    let poll = tokio::spawn(async move { poller.get_updates().timeout(8).await });
    polls_started(&sim, 1).await;
    let sent = sim.send_text(ALICE, "hello").unwrap();
    let updates = poll.await.unwrap().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(updates.len(), 1);
    let UpdateKind::Message(message) = &updates[0].kind else {
        panic!()
    };
    assert_eq!(message.text(), Some("hello"));
    assert_eq!(Some(message.id.0), sent.message_id);
    // Confirming with offset forgets it; an empty poll times out quickly.
    let next = i32::try_from(updates[0].id.0).unwrap() + 1;
    assert!(
        bot.get_updates()
            .offset(next)
            .timeout(1)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(sim.pending_updates().is_empty());
}

#[tokio::test]
async fn concurrent_polls_conflict() {
    let (sim, bot) = setup().await;
    let first = bot.clone();
    let older = tokio::spawn(async move { first.get_updates().timeout(5).await });
    polls_started(&sim, 1).await;
    let newer = bot.get_updates().timeout(0).await.unwrap();
    assert!(newer.is_empty());
    let err = older.await.unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            RequestError::Api(ApiError::TerminatedByOtherGetUpdates)
        ),
        "{err:?}"
    );
    assert_eq!(
        sim.calls_of("getUpdates")
            .iter()
            .filter(|c| c.refused == Some(409))
            .count(),
        1
    );
}

#[tokio::test]
async fn negative_offset_and_default_allowed_updates() {
    let (sim, bot) = setup().await;
    for text in ["a", "b", "c"] {
        sim.send_text(ALICE, text).unwrap();
    }
    let last = bot
        .get_updates()
        .offset(-1)
        .limit(1)
        .timeout(0)
        .await
        .unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(sim.pending_updates().len(), 1);
    let (_, body) = raw(&sim, "getUpdates", json!({"allowed_updates": []})).await;
    assert_eq!(body["result"].as_array().map(Vec::len), Some(1));
}

/// (secret header, body) of each POST the receiver got.
type Seen = Arc<Mutex<Vec<(Option<String>, Value)>>>;

#[derive(Clone, Default)]
struct Receiver {
    seen: Seen,
}

async fn receive(
    axum::extract::State(rx): axum::extract::State<Receiver>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> StatusCode {
    let secret = headers
        .get("x-telegram-bot-api-secret-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut seen = rx.seen.lock().unwrap();
    seen.push((secret, body));
    // Fail the first attempt to exercise the retry.
    if seen.len() == 1 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

#[tokio::test]
async fn webhook_delivery_with_secret_and_retry() {
    let (sim, bot) = setup_with(SimConfig {
        webhook_retry_interval: Duration::from_millis(20),
        ..SimConfig::default()
    })
    .await;
    let rx = Receiver::default();
    let app = axum::Router::new()
        .route("/tg", axum::routing::post(receive))
        .with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/tg", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    bot.set_webhook(url.parse().unwrap())
        .secret_token("s3cret".to_owned())
        .await
        .unwrap();
    assert_eq!(sim.webhook_url().as_deref(), Some(url.as_str()));
    let err = bot.get_updates().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("can't use getUpdates method while webhook is active"),
        "{err}"
    );

    let sent = sim.send_text(ALICE, "/start").unwrap();
    sim.wait_for(WAIT, |s| s.deliveries().iter().any(|d| d.delivered))
        .await
        .unwrap();
    let deliveries = sim.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(
        (deliveries[0].status, deliveries[0].delivered),
        (Some(500), false)
    );
    let seen = rx.seen.lock().unwrap().clone();
    assert_eq!(seen[1].0.as_deref(), Some("s3cret"));
    assert_eq!(seen[1].1["update_id"], json!(sent.update_id));
    assert_eq!(seen[1].1["message"]["text"], "/start");
    let info = bot.get_webhook_info().await.unwrap();
    assert_eq!(info.pending_update_count, 0);
    assert!(info.last_error_message.is_some());

    bot.delete_webhook().await.unwrap();
    sim.send_text(ALICE, "polling again").unwrap();
    assert_eq!(bot.get_updates().await.unwrap().len(), 1);
}

#[tokio::test]
async fn shutdown_ends_long_polls_and_closes_the_port() {
    let (sim, bot) = setup().await;
    let poller = bot.clone();
    let poll = tokio::spawn(async move { poller.get_updates().timeout(8).await });
    polls_started(&sim, 1).await;
    let started = Instant::now();
    sim.shutdown();
    assert!(poll.await.unwrap().unwrap().is_empty());
    assert!(started.elapsed() < Duration::from_secs(2));
    let url = format!("{}bot{}/getMe", sim.api_url(), sim.token());
    let mut refused = false;
    for _ in 0..50 {
        if reqwest::Client::new().post(&url).send().await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "the port still answers after shutdown");
}
