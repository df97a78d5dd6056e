//! The production client against the simulator: round trips, error mapping and backoff.

use std::time::{Duration, Instant};

use rust_decimal_macros::dec;
use secrecy::SecretString;
use serde_json::json;
use url::Url;

use super::{Receiver, client_for, order, product_status, sim};
use telepay::providers::nowpayments::{NowPaymentsClient, NpError, PaymentStatus};
use telepay_sim::nowpayments::PaymentStatus as SimStatus;
use telepay_sim::nowpayments::{FaultBody, PayIn};

fn hook() -> Url {
    Url::parse("https://bot.example/webhooks/nowpayments").unwrap()
}

#[tokio::test]
async fn an_invoice_round_trips_with_a_string_id() {
    let sim = sim().await;
    let client = client_for(&sim);
    let inv = client
        .create_invoice(&order("inv-7", dec!(9.99), &hook()))
        .await
        .unwrap();

    let stored = sim.invoice_by_order("inv-7").unwrap();
    assert_eq!(inv.id, stored.id.to_string());
    assert_eq!(
        inv.invoice_url,
        format!("https://sandbox.nowpayments.io/payment/?iid={}", inv.id)
    );
    assert_eq!(inv.order_id.as_deref(), Some("inv-7"));
    assert_eq!(inv.price_amount, dec!(9.99));
    assert!(inv.created_at.is_some());
    assert_eq!(stored.price_amount, dec!(9.99));
    assert_eq!(stored.ipn_callback_url.as_deref(), Some(hook().as_str()));
    assert_eq!(
        stored.success_url.as_deref(),
        Some("https://bot.example/pay/inv-7")
    );

    let call = sim.calls().pop().unwrap();
    assert_eq!(
        (call.method.as_str(), call.path.as_str(), call.status),
        ("POST", "/v1/invoice", 201)
    );
    assert_eq!(call.api_key.as_deref(), Some(sim.api_key()));
    assert_eq!(
        call.body["price_amount"],
        json!(9.99),
        "sent as a JSON number"
    );
    // The wire types of apis.md §A.3: id and price_amount are strings in this answer.
    let answer: serde_json::Value = serde_json::from_str(&call.response).unwrap();
    assert_eq!(answer["id"], json!(inv.id));
    assert_eq!(answer["price_amount"], json!("9.99"));
}

#[tokio::test]
async fn a_base_url_with_a_trailing_slash_works_too() {
    let sim = sim().await;
    let base = Url::parse(&format!("{}/", sim.api_url())).unwrap();
    let client = NowPaymentsClient::new(base, SecretString::from(sim.api_key())).unwrap();
    client.api_status().await.unwrap();
    client
        .create_invoice(&order("1", dec!(5), &hook()))
        .await
        .unwrap();
    assert_eq!(sim.calls().last().unwrap().path, "/v1/invoice");
}

#[tokio::test]
async fn a_wrong_key_is_invalid_api_key_and_not_retried() {
    let sim = sim().await;
    let client = NowPaymentsClient::new(sim.api_url(), SecretString::from("sandbox-key")).unwrap();
    let err = client
        .create_invoice(&order("1", dec!(5), &hook()))
        .await
        .unwrap_err();
    assert_eq!(err, NpError::InvalidApiKey);
    assert!(!err.is_retryable());
    assert_eq!(sim.calls().len(), 1);
    let err = client.get_payment("5100000001").await.unwrap_err();
    assert_eq!(err, NpError::InvalidApiKey);
    assert!(!err.to_string().contains("sandbox-key"));
}

#[tokio::test]
async fn an_html_429_is_retried_then_succeeds_or_reports_rate_limited() {
    let sim = sim().await;
    let client = client_for(&sim);
    sim.fail_next("/invoice", 429, FaultBody::rate_limit_page());
    client
        .create_invoice(&order("1", dec!(5), &hook()))
        .await
        .unwrap();
    let statuses: Vec<u16> = sim.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses, [429, 201]);

    for _ in 0..3 {
        sim.fail_next("invoice", 429, FaultBody::rate_limit_page());
    }
    let err = client
        .create_invoice(&order("2", dec!(5), &hook()))
        .await
        .unwrap_err();
    assert_eq!(err, NpError::RateLimited);
    assert!(err.is_retryable());
    assert_eq!(sim.calls().len(), 5, "three tries, no more");
    assert_eq!(sim.invoices().len(), 1);

    // The edge sometimes answers a breach with an HTML 403; it is not a key problem.
    sim.fail_next(
        "payment",
        403,
        FaultBody::Html("<html>403 Forbidden</html>".into()),
    );
    let err = client.get_payment("1").await.unwrap_err();
    assert_eq!(
        err,
        NpError::Api {
            status: 404,
            code: Some("PAYMENT_NOT_FOUND".into()),
            message: "Payment not found".into()
        }
    );
    let last: Vec<u16> = sim.calls().iter().rev().take(2).map(|c| c.status).collect();
    assert_eq!(last, [404, 403], "the HTML 403 was backed off and retried");
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let sim = sim().await;
    let client = client_for(&sim);
    sim.fail_next(
        "invoice",
        500,
        FaultBody::np_error(500, "INTERNAL_ERROR", "oops"),
    );
    sim.fail_next("invoice", 502, FaultBody::bad_gateway_page());
    let inv = client
        .create_invoice(&order("1", dec!(5), &hook()))
        .await
        .unwrap();
    assert_eq!(sim.invoices()[0].id.to_string(), inv.id);
    let statuses: Vec<u16> = sim.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses, [500, 502, 201]);

    for _ in 0..3 {
        sim.fail_next("invoice", 503, FaultBody::bad_gateway_page());
    }
    let err = client
        .create_invoice(&order("2", dec!(5), &hook()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            NpError::Api {
                status: 503,
                code: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(sim.calls().len(), 6);
}

#[tokio::test]
async fn a_price_under_the_minimum_is_a_terminal_400() {
    let sim = sim().await;
    let client = client_for(&sim);
    let err = client
        .create_invoice(&order("1", dec!(0.5), &hook()))
        .await
        .unwrap_err();
    match &err {
        NpError::Api {
            status: 400,
            code: Some(code),
            message,
        } => {
            assert_eq!(code, "AMOUNT_MINIMAL_ERROR");
            assert!(message.contains("less than minimal"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(sim.calls().len(), 1, "a 4xx is not retried");
    assert!(sim.invoices().is_empty());
}

#[tokio::test]
async fn a_pipe_in_the_success_url_is_escaped_so_the_invoice_is_accepted() {
    // Lesson 8: NOWPayments refused "success_url must be a valid uri" for a raw `|`.
    let sim = sim().await;
    let client = client_for(&sim);
    let mut req = order("1", dec!(5), &hook());
    req.success_url = Url::parse("https://bot.example/pay?o=PGP|-100123").unwrap();
    client.create_invoice(&req).await.unwrap();
    assert_eq!(
        sim.invoices()[0].success_url.as_deref(),
        Some("https://bot.example/pay?o=PGP%7C-100123")
    );
}

#[tokio::test]
async fn a_slow_answer_is_a_retryable_timeout() {
    let sim = sim().await;
    let client = client_for(&sim)
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(100))
        .unwrap();
    sim.set_delay("/invoice", Some(Duration::from_millis(400)));
    let started = Instant::now();
    let err = client
        .create_invoice(&order("1", dec!(5), &hook()))
        .await
        .unwrap_err();
    assert_eq!(err, NpError::Timeout);
    assert!(err.is_retryable());
    assert!(
        started.elapsed() < Duration::from_millis(350),
        "not retried inside the client"
    );
    sim.set_delay("/invoice", None);
    client
        .create_invoice(&order("2", dec!(5), &hook()))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_closed_port_is_a_retryable_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = Url::parse(&format!("http://{addr}/v1")).unwrap();
    let client = NowPaymentsClient::new(url, SecretString::from("k-123456")).unwrap();
    let err = client.get_payment("1").await.unwrap_err();
    assert!(matches!(err, NpError::Network(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn get_payment_parses_the_numbers_exactly() {
    let sim = sim().await;
    let client = client_for(&sim);
    let inv = client
        .create_invoice(&order("big", dec!(600000000000.5), &hook()))
        .await
        .unwrap();
    let pid = sim
        .pay(
            inv.id.parse().unwrap(),
            PayIn::exact("btc", dec!(0.00001234)).outcome("shib", dec!(596726.7)),
        )
        .unwrap();
    let p = client.get_payment(&pid.to_string()).await.unwrap();
    assert_eq!(p.payment_id, pid.to_string());
    assert_eq!(p.invoice_id.as_deref(), Some(inv.id.as_str()));
    assert_eq!(p.payment_status, PaymentStatus::Waiting);
    assert_eq!(p.price_amount, Some(dec!(600000000000.5)));
    assert_eq!(p.pay_amount, Some(dec!(0.00001234)));
    assert_eq!(
        p.actually_paid,
        Some(dec!(0)),
        "nothing received while waiting"
    );
    assert_eq!(p.outcome_amount, Some(dec!(596726.7)));
    assert_eq!(p.outcome_currency.as_deref(), Some("shib"));
    assert_eq!(p.order_id.as_deref(), Some("big"));
    // On the wire: JSON numbers in JavaScript's form, ids as numbers.
    let wire = sim.calls().pop().unwrap().response;
    assert!(wire.contains(r#""pay_amount":0.00001234,"#), "{wire}");
    assert!(wire.contains(r#""price_amount":600000000000.5,"#), "{wire}");
    assert!(
        wire.starts_with(&format!(r#"{{"payment_id":{pid},"#)),
        "{wire}"
    );

    let inv2 = client
        .create_invoice(&order("small", dec!(10), &hook()))
        .await
        .unwrap();
    let pid2 = sim
        .pay(
            inv2.id.parse().unwrap(),
            PayIn::exact("usdttrc20", dec!(10.152)).outcome("usdttrc20", dec!(9.8505)),
        )
        .unwrap();
    sim.set_status(pid2, SimStatus::Confirming).unwrap();
    let p2 = client.get_payment(&pid2.to_string()).await.unwrap();
    assert_eq!(p2.pay_amount, Some(dec!(10.152)));
    assert_eq!(p2.actually_paid, Some(dec!(10.152)));
    assert_eq!(p2.outcome_amount, Some(dec!(9.8505)));
    assert_eq!(p2.payment_status, PaymentStatus::Confirming);
}

#[tokio::test]
async fn an_unknown_payment_is_a_terminal_404() {
    let sim = sim().await;
    let err = client_for(&sim).get_payment("999").await.unwrap_err();
    assert!(matches!(&err, NpError::Api { status: 404, .. }), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn polling_sees_a_late_deposit_after_expiry_that_no_ipn_reports() {
    let receiver = Receiver::start(&[]).await;
    let sim = sim().await;
    let client = client_for(&sim);
    let inv = client
        .create_invoice(&order("late", dec!(10), &receiver.url))
        .await
        .unwrap();
    let pid = sim
        .pay(inv.id.parse().unwrap(), PayIn::exact("trx", dec!(80)))
        .unwrap();
    sim.set_status(pid, SimStatus::Expired).unwrap();
    sim.set_status(pid, SimStatus::Finished).unwrap();
    sim.wait_idle(super::WAIT).await.unwrap();
    let statuses: Vec<PaymentStatus> = sim
        .deliveries()
        .into_iter()
        .map(|d| product_status(&d.status))
        .collect();
    assert_eq!(statuses, [PaymentStatus::Waiting, PaymentStatus::Expired]);
    let p = client.get_payment(&pid.to_string()).await.unwrap();
    assert_eq!(p.payment_status, PaymentStatus::Finished);
    assert_eq!(p.actually_paid, Some(dec!(80)));
}
