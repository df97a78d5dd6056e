//! The HTTP surface with raw requests: auth, validation, error shapes, faults, recording.

use std::time::Duration;

use serde_json::{Value, json};

use super::sim;
use crate::nowpayments::{FaultBody, NowPaymentsSim};

async fn post(sim: &NowPaymentsSim, key: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/invoice", sim.api_url()))
        .json(&body);
    if let Some(key) = key {
        req = req.header("x-api-key", key);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn valid() -> Value {
    json!({
        "price_amount": 10, "price_currency": "usd", "order_id": "1",
        "ipn_callback_url": "https://bot.example/ipn", "success_url": "https://bot.example/ok",
    })
}

fn with(field: &str, value: Value) -> Value {
    let mut body = valid();
    body[field] = value;
    body
}

#[tokio::test]
async fn status_needs_no_key_and_invoices_need_the_right_one() {
    let sim = sim().await;
    let res = reqwest::get(format!("{}/status", sim.api_url()))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"message": "OK"}));

    let key_error = json!({"status": false, "statusCode": 403, "code": "INVALID_API_KEY", "message": "Invalid api key"});
    assert_eq!(post(&sim, None, valid()).await, (403, key_error.clone()));
    assert_eq!(
        post(&sim, Some("wrong"), valid()).await,
        (403, key_error.clone())
    );
    let res = reqwest::get(format!("{}/payment/1", sim.api_url()))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let (status, body) = post(&sim, Some(sim.api_key()), valid()).await;
    assert_eq!(status, 201);
    assert!(body["id"].is_string() && body["token_id"].is_string());
    assert_eq!(body["price_amount"], json!("10"));
    assert_eq!(
        body["invoice_url"],
        json!(format!(
            "https://sandbox.nowpayments.io/payment/?iid={}",
            body["id"].as_str().unwrap()
        ))
    );
}

#[tokio::test]
async fn invalid_invoices_are_refused_like_nowpayments_does() {
    let sim = sim().await;
    let key = Some(sim.api_key());
    let mut missing = valid();
    missing.as_object_mut().unwrap().remove("price_amount");
    let cases = [
        (missing, "price_amount is required"),
        (
            with("price_amount", json!("ten")),
            "price_amount must be a number",
        ),
        (
            with("price_amount", json!(0)),
            "price_amount must be a positive number",
        ),
        (
            with("price_currency", json!(null)),
            "price_currency is required",
        ),
        (
            with("price_currency", json!("US$")),
            "price_currency must be a valid currency",
        ),
        (
            with("ipn_callback_url", json!("/webhooks/nowpayments")),
            "ipn_callback_url must be a valid uri",
        ),
        (
            with("ipn_callback_url", json!("ftp://bot.example/ipn")),
            "ipn_callback_url must be a valid uri",
        ),
        (
            with(
                "success_url",
                json!("https://bot.example/pay?o=PGP|-100123"),
            ),
            "success_url must be a valid uri",
        ),
        (
            with("success_url", json!("https://bot.example/pay me")),
            "success_url must be a valid uri",
        ),
        (
            with("cancel_url", json!("not a url")),
            "cancel_url must be a valid uri",
        ),
        (with("order_id", json!(42)), "order_id must be a string"),
        (
            with("is_fixed_rate", json!("yes")),
            "is_fixed_rate must be a boolean",
        ),
    ];
    for (body, message) in cases {
        let (status, answer) = post(&sim, key, body).await;
        assert_eq!(status, 400, "{message}");
        assert_eq!(answer["code"], "INVALID_REQUEST_PARAMS", "{message}");
        assert_eq!(answer["message"], message);
        assert_eq!(answer["status"], false);
        assert_eq!(answer["statusCode"], 400);
    }
    let (status, answer) = post(&sim, key, with("price_amount", json!(0.99))).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (400, Some("AMOUNT_MINIMAL_ERROR"))
    );
    assert!(sim.invoices().is_empty());

    // Numeric strings convert, as the real validator does; no callback URL is allowed.
    let mut loose = with("price_amount", json!("12.5"));
    loose.as_object_mut().unwrap().remove("ipn_callback_url");
    assert_eq!(post(&sim, key, loose).await.0, 201);
    assert_eq!(sim.invoices()[0].ipn_callback_url, None);
}

#[tokio::test]
async fn a_body_without_a_json_content_type_is_not_read() {
    let sim = sim().await;
    let res = reqwest::Client::new()
        .post(format!("{}/invoice", sim.api_url()))
        .header("x-api-key", sim.api_key())
        .body(valid().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap()["message"],
        "price_amount is required"
    );
}

#[tokio::test]
async fn payments_and_unknown_paths_answer_with_the_error_shape() {
    let sim = sim().await;
    let get = |path: &str| {
        let url = format!("{}{path}", sim.api_url());
        let key = sim.api_key().to_owned();
        async move {
            let res = reqwest::Client::new()
                .get(url)
                .header("x-api-key", key)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = get("/payment/abc").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("INVALID_REQUEST_PARAMS"))
    );
    let (status, body) = get("/payment/5100000001").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("PAYMENT_NOT_FOUND"))
    );
    let (status, body) = get("/nope").await;
    assert_eq!((status, body["statusCode"].as_u64()), (404, Some(404)));
}

#[tokio::test]
async fn faults_are_fifo_one_shot_and_come_before_the_key_check() {
    let sim = sim().await;
    sim.fail_next("/v1/payment", 500, FaultBody::np_error(500, "X", "first"));
    sim.fail_next("invoice", 429, FaultBody::rate_limit_page());
    sim.fail_next("", 502, FaultBody::bad_gateway_page());

    // Wrong key, yet the queued 429 answers first: the edge limits before auth.
    let res = reqwest::Client::new()
        .post(format!("{}/invoice", sim.api_url()))
        .header("x-api-key", "wrong")
        .json(&valid())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().get("retry-after").is_none());
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(res.text().await.unwrap().contains("429 Too Many Requests"));
    // The catch-all fault is next in line for /invoice; the /payment one still waits.
    let status = |url: String| async move {
        reqwest::Client::new()
            .get(url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(status(format!("{}/status", sim.api_url())).await, 502);
    assert_eq!(status(format!("{}/status", sim.api_url())).await, 200);
    assert_eq!(status(format!("{}/payment/1", sim.api_url())).await, 500);
    assert_eq!(status(format!("{}/payment/1", sim.api_url())).await, 403);
    let seen: Vec<(String, u16)> = sim
        .calls()
        .into_iter()
        .map(|c| (c.path, c.status))
        .collect();
    assert_eq!(seen[0], ("/v1/invoice".to_owned(), 429));
    assert_eq!(sim.calls()[0].api_key.as_deref(), Some("wrong"));
    assert_eq!(seen.len(), 5);
}

#[tokio::test]
async fn a_delay_holds_the_answer_until_cleared() {
    let sim = sim().await;
    sim.set_delay("status", Some(Duration::from_millis(150)));
    let started = std::time::Instant::now();
    reqwest::get(format!("{}/status", sim.api_url()))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    sim.set_delay("status", None);
    let started = std::time::Instant::now();
    reqwest::get(format!("{}/status", sim.api_url()))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_millis(150));
}
