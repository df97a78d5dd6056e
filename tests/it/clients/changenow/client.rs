//! The production client against the simulator over real sockets: round trips, error
//! classification, bounded GET retries, POSTs sent exactly once, and key hygiene.

use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use secrecy::SecretString;
use serde_json::Value;
use url::Url;

use super::{
    EVM_ADDR, TRON_ADDR, client_for, client_with_timeout, eth, order, sim, sim_asset, usdt_bsc,
    usdt_trx,
};
use telepay::providers::changenow::{
    Asset, ChangeNowClient, CnError, CreateExchange, ExchangeState, RetryPolicy,
};
use telepay_sim::changenow::{CnEndpoint, CnFault};

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn a_quote_and_an_exchange_round_trip() {
    let sim = sim().await;
    let client = client_for(&sim);

    let range = client.range(&usdt_bsc(), &eth()).await.unwrap();
    assert_eq!((range.min, range.max), (dec!(2), None));
    assert_eq!(
        client.min_amount(&usdt_bsc(), &eth()).await.unwrap(),
        dec!(2)
    );

    // 100 USDT → 100/3000 ETH × 0.995 − $1 of ETH.
    let est = client
        .estimate(&usdt_bsc(), &eth(), dec!(100))
        .await
        .unwrap();
    assert_eq!(est.from_amount, dec!(100));
    assert_eq!(est.to_amount, dec!(0.03283332));
    assert_eq!(est.withdrawal_fee, Some(dec!(0.00033334)));
    assert_eq!(est.to_currency.as_deref(), Some("eth"));
    assert_eq!(est.transaction_speed_forecast.as_deref(), Some("10-60"));
    let call = sim.calls_to(CnEndpoint::EstimatedAmount).pop().unwrap();
    assert_eq!(call.api_key.as_deref(), Some(sim.api_key()));
    assert_eq!(call.param("fromAmount").as_deref(), Some("100"));
    assert_eq!(call.param("fromCurrency").as_deref(), Some("usdt"));
    assert_eq!(call.param("fromNetwork").as_deref(), Some("bsc"));
    assert_eq!(call.param("toNetwork").as_deref(), Some("eth"));
    assert_eq!(call.param("flow").as_deref(), Some("standard"));

    let ok = client.validate_address("bsc", EVM_ADDR).await.unwrap();
    assert!(ok.is_valid() && ok.message.is_none());
    let bad = client.validate_address("TRX", EVM_ADDR).await.unwrap();
    assert!(!bad.is_valid());
    assert!(bad.message.is_some());
    assert_eq!(
        sim.calls_to(CnEndpoint::ValidateAddress)
            .pop()
            .unwrap()
            .param("currency")
            .as_deref(),
        Some("trx"),
        "`currency` carries the network"
    );

    let ex = client.create_exchange(&order(dec!(100))).await.unwrap();
    assert_eq!(ex.id.len(), 14);
    assert!(is_hex(&ex.id));
    assert!(ex.payin_address.starts_with("0x") && ex.payin_address.len() == 42);
    assert!(is_hex(&ex.payin_address[2..]));
    assert_eq!(ex.payin_extra_id, None);
    assert_eq!(ex.from_amount, dec!(100));
    assert_eq!(ex.to_amount, Some(dec!(0.03283332)));
    assert_eq!(ex.payout_address, EVM_ADDR);
    assert_eq!((ex.from.clone(), ex.to.clone()), (usdt_bsc(), eth()));
    let post = sim.calls_to(CnEndpoint::CreateExchange).pop().unwrap();
    let body = post.json().unwrap();
    assert_eq!(
        body["fromAmount"],
        Value::from("100"),
        "a plain decimal string"
    );
    assert_eq!(body["address"], Value::from(EVM_ADDR));
    let answer: Value = serde_json::from_str(&post.response).unwrap();
    assert!(
        answer.get("status").is_none(),
        "create answers carry no status"
    );
    assert!(answer["fromAmount"].is_number() && answer["toAmount"].is_number());

    let other = client.create_exchange(&order(dec!(100))).await.unwrap();
    assert_ne!(other.id, ex.id);
    assert_ne!(other.payin_address, ex.payin_address);
    assert_eq!(sim.created_count(), 2);

    let st = client.exchange(&ex.id).await.unwrap();
    assert_eq!(st.id, ex.id);
    assert_eq!(st.status, ExchangeState::New);
    assert_eq!(st.expected_amount_from, Some(dec!(100)));
    assert_eq!(st.expected_amount_to, Some(dec!(0.03283332)));
    // Null until known (lesson 33).
    assert_eq!((st.amount_from, st.amount_to), (None, None));
    assert_eq!(
        (st.payin_hash.clone(), st.payout_hash.clone()),
        (None, None)
    );
    assert_eq!(st.payin_address.as_deref(), Some(ex.payin_address.as_str()));
    assert_eq!(st.from_legacy_ticker.as_deref(), Some("usdtbsc"));
    assert!(st.created_at.as_deref().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(st.settled_payout(), None);
    assert_eq!(
        client.exchange(&ex.id).await.unwrap().status,
        ExchangeState::Waiting
    );
}

#[tokio::test]
async fn a_base_url_without_a_trailing_slash_works_too() {
    let sim = sim().await;
    let base = sim.base_url();
    assert!(base.as_str().ends_with("/v2/"));
    let bare = Url::parse(base.as_str().trim_end_matches('/')).unwrap();
    let client = ChangeNowClient::new(
        bare,
        SecretString::from(sim.api_key().to_owned()),
        Duration::from_secs(5),
    )
    .unwrap();
    client.range(&usdt_trx(), &eth()).await.unwrap();
    assert_eq!(sim.calls().pop().unwrap().path, "/v2/exchange/range");
}

#[tokio::test]
async fn a_5xx_on_a_get_is_retried_and_then_succeeds() {
    let sim = sim().await;
    let client = client_for(&sim);
    sim.fail_next(CnEndpoint::Range, CnFault::Status(502));
    let range = client.range(&usdt_bsc(), &eth()).await.unwrap();
    assert_eq!(range.min, dec!(2));
    let calls = sim.calls_to(CnEndpoint::Range);
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls.iter().map(|c| c.status).collect::<Vec<_>>(),
        vec![502, 200]
    );

    // 429 and an HTML edge page are retried as well.
    let ex = client.create_exchange(&order(dec!(10))).await.unwrap();
    sim.fail_next(
        CnEndpoint::ExchangeById,
        CnFault::ErrorCode {
            status: 429,
            code: "too_many_requests".into(),
            message: "slow down".into(),
        },
    );
    sim.fail_next(CnEndpoint::ExchangeById, CnFault::Html(503));
    let st = client.exchange(&ex.id).await.unwrap();
    assert_eq!(st.status, ExchangeState::New);
    assert_eq!(sim.calls_to(CnEndpoint::ExchangeById).len(), 3);
}

#[tokio::test]
async fn get_retries_are_bounded_to_three_attempts() {
    let sim = sim().await;
    let client = client_for(&sim);
    for _ in 0..4 {
        sim.fail_next(CnEndpoint::EstimatedAmount, CnFault::Status(503));
    }
    let err = client
        .estimate(&usdt_bsc(), &eth(), dec!(50))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.code(), Some("service_unavailable"));
    assert!(err.is_retryable());
    assert_eq!(sim.calls_to(CnEndpoint::EstimatedAmount).len(), 3);

    // With retries off, one attempt.
    let once = client.clone().with_retry(RetryPolicy::none());
    assert!(once.estimate(&usdt_bsc(), &eth(), dec!(50)).await.is_err());
    assert_eq!(sim.calls_to(CnEndpoint::EstimatedAmount).len(), 4);
    assert!(once.estimate(&usdt_bsc(), &eth(), dec!(50)).await.is_ok());
}

#[tokio::test]
async fn a_500_on_create_is_not_retried() {
    let sim = sim().await;
    let client = client_for(&sim);
    sim.fail_next(CnEndpoint::CreateExchange, CnFault::Status(500));
    let err = client.create_exchange(&order(dec!(100))).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(err.is_retryable(), "the caller may decide to try again");
    assert!(err.outcome_unknown(), "but the exchange may exist");
    assert_eq!(sim.calls_to(CnEndpoint::CreateExchange).len(), 1);
    assert_eq!(sim.created_count(), 0);
}

#[tokio::test]
async fn timeouts_are_retryable_and_a_post_is_sent_once() {
    let sim = sim().await;
    let client = client_with_timeout(&sim, Duration::from_millis(300));

    sim.fail_next(CnEndpoint::CreateExchange, CnFault::Timeout);
    let started = Instant::now();
    let err = client.create_exchange(&order(dec!(100))).await.unwrap_err();
    assert_eq!(err, CnError::Timeout);
    assert!(err.is_retryable() && err.outcome_unknown());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(sim.calls_to(CnEndpoint::CreateExchange).len(), 1);
    assert_eq!(sim.created_count(), 0);

    // The dangerous case: ChangeNOW created the exchange but the answer was lost. The client
    // still sends once; the error says the outcome is unknown.
    sim.fail_next(CnEndpoint::CreateExchange, CnFault::LostAnswer);
    let err = client.create_exchange(&order(dec!(100))).await.unwrap_err();
    assert!(err.outcome_unknown());
    assert_eq!(sim.calls_to(CnEndpoint::CreateExchange).len(), 2);
    assert_eq!(
        sim.created_count(),
        1,
        "created although the client saw a timeout"
    );

    // A GET that times out once is retried.
    let id = sim.exchanges()[0].id.clone();
    sim.fail_next(CnEndpoint::ExchangeById, CnFault::Timeout);
    let st = client.exchange(&id).await.unwrap();
    assert_eq!(st.id, id);
    assert_eq!(sim.calls_to(CnEndpoint::ExchangeById).len(), 2);
}

#[tokio::test]
async fn a_get_that_keeps_timing_out_gives_up() {
    let sim = sim().await;
    let client = client_with_timeout(&sim, Duration::from_millis(200));
    sim.set_delay(Duration::from_secs(2));
    let started = Instant::now();
    let err = client.range(&usdt_bsc(), &eth()).await.unwrap_err();
    assert_eq!(err, CnError::Timeout);
    assert!(started.elapsed() < Duration::from_millis(1500), "bounded");
    let calls = sim
        .wait_until(Duration::from_secs(5), |s| {
            let n = s.calls_to(CnEndpoint::Range).len();
            (n == 3).then_some(n)
        })
        .await
        .unwrap();
    assert_eq!(calls, 3);
    sim.set_delay(Duration::ZERO);
}

#[tokio::test]
async fn an_invalid_payout_address_is_terminal_with_its_code() {
    let sim = sim().await;
    let client = client_for(&sim);
    let mut req = order(dec!(100));
    req.address = "0x1234".into();
    let err = client.create_exchange(&req).await.unwrap_err();
    assert!(err.is_not_valid_address(), "{err}");
    assert_eq!(err.code(), Some("not_valid_address"));
    assert_eq!(err.status(), Some(400));
    assert!(!err.is_retryable() && !err.outcome_unknown());

    // A Tron address for an ETH payout is refused too; a bad refund address has its own code.
    req.address = TRON_ADDR.into();
    assert!(
        client
            .create_exchange(&req)
            .await
            .unwrap_err()
            .is_not_valid_address()
    );
    let req = CreateExchange {
        refund_address: Some("not an address".into()),
        ..order(dec!(100))
    };
    let err = client.create_exchange(&req).await.unwrap_err();
    assert!(err.is_not_valid_refund_address() && !err.is_not_valid_address());
    assert_eq!(
        sim.calls_to(CnEndpoint::CreateExchange).len(),
        3,
        "no retries"
    );
    assert_eq!(sim.created_count(), 0);
}

#[tokio::test]
async fn out_of_range_names_the_minimum() {
    let sim = sim().await;
    let client = client_for(&sim);
    let err = client
        .estimate(&usdt_bsc(), &eth(), dec!(1.5))
        .await
        .unwrap_err();
    assert!(err.is_out_of_range() && !err.is_retryable());
    assert_eq!(
        err.api_message(),
        Some("Amount is less then minimal: 2 USDT")
    );
    assert_eq!(err.minimal_amount(), Some(dec!(2)));
    assert_eq!(sim.calls_to(CnEndpoint::EstimatedAmount).len(), 1);

    let err = client
        .create_exchange(&order(dec!(1.99)))
        .await
        .unwrap_err();
    assert!(err.is_out_of_range());
    assert_eq!(sim.created_count(), 0);

    // Pair minimums are configurable and move (§B.7).
    sim.set_min_amount(&sim_asset(&usdt_bsc()), &sim_asset(&eth()), dec!(25));
    assert_eq!(
        client.range(&usdt_bsc(), &eth()).await.unwrap().min,
        dec!(25)
    );
    let err = client
        .estimate(&usdt_bsc(), &eth(), dec!(20))
        .await
        .unwrap_err();
    assert_eq!(err.minimal_amount(), Some(dec!(25)));

    sim.set_max_amount_usd(Some(dec!(1000)));
    let range = client.range(&usdt_bsc(), &eth()).await.unwrap();
    assert_eq!(range.max, Some(dec!(1000)));
    let err = client
        .estimate(&usdt_bsc(), &eth(), dec!(1000.5))
        .await
        .unwrap_err();
    assert!(err.is_out_of_range());
    assert_eq!(
        err.api_message(),
        Some("Amount is more then maximal: 1000 USDT")
    );
}

#[tokio::test]
async fn amounts_travel_exactly_both_ways() {
    let sim = sim().await;
    let client = client_for(&sim);
    // A coin so dear that the payout is below 1e-6: JavaScript prints it as `2e-7`.
    sim.set_price("wbtc", "eth", dec!(10000000));
    sim.set_network_fee("wbtc", "eth", Some(Decimal::ZERO));
    let wbtc = Asset::new("WBTC", "ETH");
    let est = client
        .estimate(&usdt_bsc(), &wbtc, dec!(2.1))
        .await
        .unwrap();
    assert_eq!(est.to_amount, dec!(0.0000002));
    let raw = sim
        .calls_to(CnEndpoint::EstimatedAmount)
        .pop()
        .unwrap()
        .response;
    assert!(raw.contains(r#""toAmount":2e-7"#), "{raw}");

    // What we send is always plain, whatever scale the Decimal had.
    let amount = Decimal::from_scientific("2.50e1").unwrap();
    client.estimate(&usdt_bsc(), &eth(), amount).await.unwrap();
    let shib = Asset::new("shib", "eth");
    let est = client
        .estimate(&shib, &usdt_bsc(), dec!(600000))
        .await
        .unwrap();
    assert_eq!(est.to_amount, dec!(10.94));
    let sent: Vec<String> = sim
        .calls_to(CnEndpoint::EstimatedAmount)
        .iter()
        .filter_map(|c| c.param("fromAmount"))
        .collect();
    assert_eq!(sent, vec!["2.1", "25", "600000"]);
}

#[tokio::test]
async fn unknown_and_held_statuses_parse_without_errors() {
    let sim = sim().await;
    let client = client_for(&sim);
    let ex = client.create_exchange(&order(dec!(100))).await.unwrap();
    sim.force_status(&ex.id, "hold").unwrap();
    let st = client.exchange(&ex.id).await.unwrap();
    assert_eq!(st.status, ExchangeState::Unknown("hold".into()));
    assert!(!st.status.is_final() && !st.status.is_in_progress());

    sim.force_status(&ex.id, "verifying").unwrap();
    for _ in 0..3 {
        let st = client.exchange(&ex.id).await.unwrap();
        assert_eq!(
            st.status,
            ExchangeState::Verifying,
            "an AML hold does not move"
        );
        assert!(st.status.is_in_progress());
    }
    for (forced, want) in [
        ("failed", ExchangeState::Failed),
        ("refunded", ExchangeState::Refunded),
        ("expired", ExchangeState::Expired),
    ] {
        sim.force_status(&ex.id, forced).unwrap();
        let st = client.exchange(&ex.id).await.unwrap();
        assert_eq!(st.status, want);
        assert!(st.status.is_final());
    }
    assert_eq!(sim.calls_to(CnEndpoint::ExchangeById).len(), 7);
}

#[tokio::test]
async fn unknown_ids_are_terminal_404s() {
    let sim = sim().await;
    let client = client_for(&sim);
    let err = client.exchange("ffffffffffffff").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("not_found"));
    assert!(!err.is_retryable());
    assert_eq!(sim.calls_to(CnEndpoint::ExchangeById).len(), 1);
}

#[tokio::test]
async fn the_key_never_shows_in_debug_or_errors() {
    let sim = sim().await;
    let secret = "cn-WRONG-secret-key-0123456789";
    let client = ChangeNowClient::new(
        sim.base_url(),
        SecretString::from(secret),
        Duration::from_secs(5),
    )
    .unwrap()
    .with_retry(super::fast_retry());
    let err = client.range(&usdt_bsc(), &eth()).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.code(), Some("invalid_api_key"));
    assert!(err.is_auth_error() && !err.is_retryable());
    assert_eq!(sim.calls_to(CnEndpoint::Range).len(), 1, "no retry on 403");
    assert_eq!(
        sim.calls().pop().unwrap().api_key.as_deref(),
        Some(secret),
        "the header was sent"
    );
    for text in [
        format!("{err}"),
        format!("{err:?}"),
        format!("{client:?}"),
        format!("{:?}", client.clone()),
    ] {
        assert!(!text.contains(secret) && !text.contains("WRONG"), "{text}");
    }

    // A server that echoes the key in its message gets it scrubbed.
    sim.fail_next(
        CnEndpoint::Range,
        CnFault::ErrorCode {
            status: 400,
            code: "bad".into(),
            message: format!("key {secret} is not allowed"),
        },
    );
    let err = client.range(&usdt_bsc(), &eth()).await.unwrap_err();
    assert!(err.to_string().contains("[redacted]"), "{err}");
    assert!(!format!("{err:?}").contains(secret));

    // Transport errors carry no key either.
    sim.shutdown();
    let dead = Url::parse("http://127.0.0.1:9/v2").unwrap();
    let client = ChangeNowClient::new(dead, SecretString::from(secret), Duration::from_secs(2))
        .unwrap()
        .with_retry(RetryPolicy::none());
    let err = client.range(&usdt_bsc(), &eth()).await.unwrap_err();
    assert!(matches!(err, CnError::Connect(_)), "{err:?}");
    assert!(err.is_retryable() && !err.outcome_unknown());
    assert!(!format!("{err:?}").contains(secret));
}
