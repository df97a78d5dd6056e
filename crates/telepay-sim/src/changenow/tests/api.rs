//! The HTTP surface with raw requests: auth, validation, exponent amounts, wire shapes,
//! faults and recording.

use std::time::Duration;

use serde_json::{Value, json};

use super::{EVM_ADDR, sim};
use crate::changenow::{ChangeNowSim, CnEndpoint, CnFault};

async fn get(sim: &ChangeNowSim, path_and_query: &str, key: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(format!("{}{path_and_query}", sim.base_url()));
    if let Some(key) = key {
        req = req.header("x-changenow-api-key", key);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post_raw(sim: &ChangeNowSim, body: &str, key: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .post(format!("{}exchange", sim.base_url()))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        req = req.header("x-changenow-api-key", key);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn js(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn create_body(amount_json: &str) -> String {
    format!(
        r#"{{"fromCurrency":"usdt","fromNetwork":"bsc","toCurrency":"eth","toNetwork":"eth","fromAmount":{amount_json},"address":"{EVM_ADDR}","flow":"standard","type":"direct"}}"#
    )
}

const PAIR: &str = "fromCurrency=usdt&fromNetwork=bsc&toCurrency=eth&toNetwork=eth";

#[tokio::test]
async fn the_key_is_required_and_checked() {
    let sim = sim().await;
    let path = format!("exchange/range?{PAIR}");
    let (status, body) = get(&sim, &path, None).await;
    assert_eq!(status, 401);
    assert_eq!(js(&body)["error"], "unauthorized");
    let (status, body) = get(&sim, &path, Some("wrong")).await;
    assert_eq!(
        (status, js(&body)),
        (
            403,
            json!({"error": "invalid_api_key", "message": "Invalid api key"})
        )
    );
    let (status, _) = post_raw(&sim, &create_body(r#""100""#), None).await;
    assert_eq!(status, 401);
    assert_eq!(sim.created_count(), 0);
    let (status, body) = get(&sim, &path, Some(sim.api_key())).await;
    assert_eq!(status, 200);
    assert_eq!(
        js(&body),
        json!({"fromCurrency":"usdt","fromNetwork":"bsc","toCurrency":"eth","toNetwork":"eth",
               "flow":"standard","minAmount":2,"maxAmount":null})
    );
    let (status, body) = get(
        &sim,
        &format!("exchange/min-amount?{PAIR}"),
        Some(sim.api_key()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(js(&body)["minAmount"], json!(2));
    assert!(js(&body).get("maxAmount").is_none());
}

#[tokio::test]
async fn exponent_amounts_are_refused_in_queries_and_bodies() {
    let sim = sim().await;
    let key = Some(sim.api_key());
    for amount in ["1e-5", "1E-5", "2e1", "2.5e%2B1"] {
        let (status, body) = get(
            &sim,
            &format!("exchange/estimated-amount?{PAIR}&fromAmount={amount}"),
            key,
        )
        .await;
        assert_eq!(status, 400, "{amount}");
        assert_eq!(js(&body)["error"], "invalid_amount", "{amount}");
    }
    // As a JSON string or a JSON number: the raw text counts, not the value.
    for amount in [r#""1e-5""#, "1e-5", "2E+1", r#""25e0""#, "2.5e1"] {
        let (status, body) = post_raw(&sim, &create_body(amount), key).await;
        assert_eq!(status, 400, "{amount}: {body}");
        assert_eq!(js(&body)["error"], "invalid_amount", "{amount}");
    }
    assert_eq!(sim.created_count(), 0);
    for amount in [r#""25""#, "25", "25.000", r#""0.00002500e0""#] {
        let (status, _) = post_raw(&sim, &create_body(amount), key).await;
        let want = if amount.contains('e') { 400 } else { 200 };
        assert_eq!(status, want, "{amount}");
    }
    assert_eq!(sim.created_count(), 3);
    for bad in [r#""ten""#, r#""-5""#, "0", "null", "true"] {
        let (status, body) = post_raw(&sim, &create_body(bad), key).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, body) = get(&sim, &format!("exchange/estimated-amount?{PAIR}"), key).await;
    assert_eq!(
        (status, js(&body)["error"].clone()),
        (400, json!("not_valid_params"))
    );
}

#[tokio::test]
async fn wire_shapes_follow_the_reference() {
    let sim = sim().await;
    let key = Some(sim.api_key());
    let (status, body) = post_raw(&sim, &create_body(r#""100""#), key).await;
    assert_eq!(status, 200);
    let created = js(&body);
    let keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "id",
        "fromAmount",
        "toAmount",
        "flow",
        "type",
        "payinAddress",
        "payoutAddress",
        "payinExtraId",
        "payoutExtraId",
        "fromCurrency",
        "fromNetwork",
        "toCurrency",
        "toNetwork",
        "refundAddress",
        "refundExtraId",
    ] {
        assert!(keys.contains(&k), "{k} missing from {body}");
    }
    assert!(created.get("status").is_none());
    assert_eq!(created["payinExtraId"], Value::Null);
    assert!(
        body.contains(r#""fromAmount":100,"toAmount":0.03283332,"#),
        "{body}"
    );

    let id = created["id"].as_str().unwrap();
    let (status, body) = get(&sim, &format!("exchange/by-id?id={id}"), key).await;
    assert_eq!(status, 200);
    let st = js(&body);
    assert_eq!(st["status"], "new");
    for null in [
        "amountFrom",
        "amountTo",
        "payinHash",
        "payoutHash",
        "depositReceivedAt",
    ] {
        assert_eq!(st[null], Value::Null, "{null}");
    }
    assert_eq!(st["expectedAmountFrom"], json!(100));
    assert_eq!(st["fromLegacyTicker"], "usdtbsc");
    assert_eq!(st["toLegacyTicker"], "eth");
    assert!(st["createdAt"].as_str().unwrap().ends_with('Z'));
    assert!(st["validUntil"].is_string());

    let (status, body) = get(&sim, "exchange/by-id?id=00000000000000", key).await;
    assert_eq!(
        (status, js(&body)["error"].clone()),
        (404, json!("not_found"))
    );
    let (status, _) = get(&sim, "exchange/by-id", key).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn requests_are_validated() {
    let sim = sim().await;
    let key = Some(sim.api_key());
    let error_of = |r: (u16, String)| (r.0, js(&r.1)["error"].as_str().unwrap_or("").to_owned());
    let cases = [
        ("exchange/range?toCurrency=eth", "not_valid_params"),
        (
            "exchange/range?fromCurrency=abc&toCurrency=eth",
            "pair_is_inactive",
        ),
        (
            "exchange/range?fromCurrency=eth&toCurrency=eth",
            "pair_is_inactive",
        ),
        (
            "exchange/range?fromCurrency=btc&toCurrency=eth&flow=fixed-rate",
            "not_supported",
        ),
        ("validate/address?currency=eth", "not_valid_params"),
        (
            "validate/address?currency=zzz&address=x",
            "not_valid_params",
        ),
    ];
    for (path, code) in cases {
        assert_eq!(
            error_of(get(&sim, path, key).await),
            (400, code.to_owned()),
            "{path}"
        );
    }
    // A missing network means the currency's own.
    let (status, _) = get(&sim, "exchange/range?fromCurrency=btc&toCurrency=eth", key).await;
    assert_eq!(status, 200);
    let (status, body) = get(
        &sim,
        &format!("validate/address?currency=eth&address={EVM_ADDR}"),
        key,
    )
    .await;
    assert_eq!(
        (status, js(&body)),
        (200, json!({"result": true, "message": null}))
    );
    let (_, body) = get(&sim, "validate/address?currency=trx&address=0xabc", key).await;
    assert_eq!(js(&body)["result"], false);
    assert!(js(&body)["message"].is_string());

    // Without a JSON content type the body is not read.
    let res = reqwest::Client::new()
        .post(format!("{}exchange", sim.base_url()))
        .header("x-changenow-api-key", sim.api_key())
        .body(create_body(r#""100""#))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let (status, _) = post_raw(&sim, "[1,2]", key).await;
    assert_eq!(status, 400);
    let (status, _) = post_raw(&sim, "{nope", key).await;
    assert_eq!(status, 400);
    assert_eq!(sim.created_count(), 0);
    let (status, _) = get(&sim, "exchange/unknown", key).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn faults_apply_before_auth_once_each_and_are_recorded() {
    let sim = sim().await;
    let path = format!("exchange/range?{PAIR}");
    sim.fail_next(CnEndpoint::Any, CnFault::Html(502));
    sim.fail_next(CnEndpoint::Range, CnFault::Status(429));
    let (status, body) = get(&sim, &path, None).await;
    assert_eq!(status, 502);
    assert!(body.contains("<title>502 Bad Gateway</title>"), "{body}");
    let (status, body) = get(&sim, &path, None).await;
    assert_eq!(
        (status, js(&body)),
        (
            429,
            json!({"error": "too_many_requests", "message": "Too Many Requests"})
        )
    );
    let (status, _) = get(&sim, &path, None).await;
    assert_eq!(status, 401, "faults are used up");

    sim.set_delay(Duration::from_millis(150));
    let started = std::time::Instant::now();
    get(&sim, &path, Some(sim.api_key())).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    sim.set_delay(Duration::ZERO);

    let calls = sim.calls();
    assert_eq!(calls.len(), 4);
    assert_eq!(
        calls.iter().map(|c| (c.seq, c.status)).collect::<Vec<_>>(),
        vec![(1, 502), (2, 429), (3, 401), (4, 200)]
    );
    assert_eq!(calls[3].endpoint, Some(CnEndpoint::Range));
    assert_eq!(calls[3].param("fromNetwork").as_deref(), Some("bsc"));
    assert_eq!(calls[3].method, "GET");
    assert_eq!(calls[3].path, "/v2/exchange/range");
}
