//! NOWPayments parsing, serialisation and error mapping without a network; the client↔simulator
//! round trips live in `sim::nowpayments::tests`.

use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use secrecy::SecretString;
use serde_json::{Value, json};
use url::Url;

use super::error::SNIPPET_CHARS;
use super::*;
use crate::providers::http::snippet;

/// The apis.md §A.5 test vector body.
const VECTOR_BODY: &str = r#"{"payment_id":5077125051,"parent_payment_id":null,"invoice_id":4522625843,"payment_status":"finished","pay_address":"TNDFkiSmBQorNFacb3735q8MnT29sn8BLn","payin_extra_id":null,"price_amount":10,"price_currency":"usd","pay_amount":10.152,"actually_paid":10.152,"actually_paid_at_fiat":0,"pay_currency":"usdttrc20","order_id":"sub_42_7","order_description":"Channel X, 30 days","purchase_id":"6084744717","outcome_amount":9.8505,"outcome_currency":"usdttrc20","payment_extra_ids":null,"created_at":"2021-04-12T14:22:54.942Z","updated_at":"2021-04-12T14:23:06.244Z","fee":{"currency":"usdttrc20","depositFee":0.05,"withdrawalFee":0,"serviceFee":0.0507}}"#;

/// The apis.md §A.3 `GET /payment/{id}` example, types kept.
const STATUS_EXAMPLE: &str = r#"{"payment_id":6249365965,"invoice_id":null,"payment_status":"finished","pay_address":"addr","payin_extra_id":null,"price_amount":1,"price_currency":"usd","pay_amount":11.8,"actually_paid":12,"pay_currency":"trx","order_id":null,"order_description":null,"purchase_id":5312822613,"outcome_amount":11.8405,"outcome_currency":"trx","payout_hash":"h","payin_hash":"h","created_at":"2021-04-12T14:22:54.942Z","updated_at":"2021-04-12T14:23:06.244Z","burning_percent":"null","type":"crypto2crypto","payment_extra_ids":[5513339153]}"#;

fn payment(v: Value) -> NpPayment {
    NpPayment::from_value(&v).unwrap()
}

fn amount_of(v: Value) -> Option<Decimal> {
    payment(json!({"payment_id": 1, "payment_status": "waiting", "pay_amount": v})).pay_amount
}

#[test]
fn the_reference_vector_parses_exactly() {
    let p = NpPayment::from_slice(VECTOR_BODY.as_bytes()).unwrap();
    assert_eq!(p.payment_id, "5077125051");
    assert_eq!(p.parent_payment_id, None);
    assert_eq!(p.invoice_id.as_deref(), Some("4522625843"));
    assert_eq!(p.payment_status, PaymentStatus::Finished);
    assert_eq!(p.order_id.as_deref(), Some("sub_42_7"));
    assert_eq!(p.order_description.as_deref(), Some("Channel X, 30 days"));
    assert_eq!(p.price_amount, Some(dec!(10)));
    assert_eq!(p.price_currency.as_deref(), Some("usd"));
    assert_eq!(p.pay_amount, Some(dec!(10.152)));
    assert_eq!(p.actually_paid, Some(dec!(10.152)));
    assert_eq!(p.outcome_amount, Some(dec!(9.8505)));
    assert_eq!(p.outcome_currency.as_deref(), Some("usdttrc20"));
    assert_eq!(p.purchase_id.as_deref(), Some("6084744717"));
    assert!(p.payment_extra_ids.is_empty());
    assert!(!p.is_child());
    // The same through a parsed Value, as the IPN handler sees it after verification.
    let v: Value = serde_json::from_str(VECTOR_BODY).unwrap();
    assert_eq!(NpPayment::from_value(&v).unwrap(), p);
}

#[test]
fn the_status_example_parses_with_its_odd_types() {
    let p = NpPayment::from_slice(STATUS_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(p.payment_id, "6249365965");
    assert_eq!(p.invoice_id, None);
    assert_eq!(p.order_id, None);
    assert_eq!(p.purchase_id.as_deref(), Some("5312822613"));
    assert_eq!(p.actually_paid, Some(dec!(12)));
    assert_eq!(p.outcome_amount, Some(dec!(11.8405)));
    assert_eq!(p.payment_extra_ids, vec!["5513339153".to_owned()]);
}

#[test]
fn amounts_parse_exactly_from_any_json_type() {
    let cases = [
        (json!(0.00001234), dec!(0.00001234)),
        (json!(596726.7), dec!(596726.7)),
        (json!(600000000000.5), dec!(600000000000.5)),
        (json!(10.152), dec!(10.152)),
        (json!(0.09853637216235617), dec!(0.09853637216235617)),
        (json!(1e-7), dec!(0.0000001)),
        (json!(15), dec!(15)),
        (json!(-3), dec!(-3)),
        (json!("0.00001234"), dec!(0.00001234)),
        (json!(" 596726.70 "), dec!(596726.70)),
        (json!("1e-7"), dec!(0.0000001)),
        (json!("1.5E+3"), dec!(1500)),
    ];
    for (wire, want) in cases {
        assert_eq!(amount_of(wire.clone()), Some(want), "{wire}");
    }
    for absent in [json!(null), json!(""), json!("null")] {
        assert_eq!(amount_of(absent.clone()), None, "{absent}");
    }
    // From raw text too: serde_json's correctly rounded float parser plus the shortest
    // round-trip text gives back exactly what was written.
    let raw = r#"{"payment_id":"1","payment_status":"waiting","pay_amount":1e-7,"actually_paid":0.00001234,"outcome_amount":1e21}"#;
    let p = NpPayment::from_slice(raw.as_bytes()).unwrap();
    assert_eq!(p.pay_amount, Some(dec!(0.0000001)));
    assert_eq!(p.actually_paid, Some(dec!(0.00001234)));
    assert_eq!(p.outcome_amount, Some(dec!(1000000000000000000000)));
    let bad = json!({"payment_id": 1, "payment_status": "waiting", "pay_amount": "ten"});
    assert!(matches!(
        NpPayment::from_value(&bad),
        Err(NpError::Decode(_))
    ));
    let bad = json!({"payment_id": 1, "payment_status": "waiting", "pay_amount": true});
    assert!(NpPayment::from_value(&bad).is_err());
}

#[test]
fn ids_are_strings_whatever_their_json_type() {
    let p = payment(json!({
        "payment_id": "5745459419", "payment_status": "waiting",
        "parent_payment_id": 987654321, "invoice_id": 4522625843.0_f64,
        "purchase_id": 5837122679_u64, "order_id": 42,
        "payment_extra_ids": [1, "2", null],
    }));
    assert_eq!(p.payment_id, "5745459419");
    assert_eq!(p.parent_payment_id.as_deref(), Some("987654321"));
    assert_eq!(p.invoice_id.as_deref(), Some("4522625843"));
    assert_eq!(p.purchase_id.as_deref(), Some("5837122679"));
    assert_eq!(p.order_id.as_deref(), Some("42"));
    assert_eq!(p.payment_extra_ids, vec!["1".to_owned(), "2".to_owned()]);
    assert!(p.is_child());
    for bad in [
        json!({"payment_status": "waiting"}),
        json!({"payment_id": null, "payment_status": "waiting"}),
        json!({"payment_id": 1.5, "payment_status": "waiting"}),
        json!({"payment_id": 1}),
    ] {
        assert!(NpPayment::from_value(&bad).is_err(), "{bad}");
    }
}

#[test]
fn currencies_are_lowercased_and_new_statuses_still_parse() {
    let p = payment(json!({
        "payment_id": 1, "payment_status": "CANCELLED",
        "price_currency": "USD", "pay_currency": "USDTTRC20", "outcome_currency": "Trx",
    }));
    assert_eq!(p.price_currency.as_deref(), Some("usd"));
    assert_eq!(p.pay_currency.as_deref(), Some("usdttrc20"));
    assert_eq!(p.outcome_currency.as_deref(), Some("trx"));
    assert_eq!(p.payment_status, PaymentStatus::Unknown("cancelled".into()));
    assert_eq!(p.payment_status.as_str(), "cancelled");
}

#[test]
fn statuses_round_trip_and_rank_forward_only() {
    for s in PaymentStatus::KNOWN {
        assert_eq!(PaymentStatus::parse(s.as_str()), s);
        assert_eq!(serde_json::to_value(&s).unwrap(), json!(s.as_str()));
        let back: PaymentStatus = serde_json::from_value(json!(s.to_string())).unwrap();
        assert_eq!(back, s);
    }
    assert_eq!(
        PaymentStatus::parse(" Partially_Paid "),
        PaymentStatus::PartiallyPaid
    );
    let path = [
        "waiting",
        "confirming",
        "confirmed",
        "sending",
        "partially_paid",
        "finished",
    ];
    for pair in path.windows(2) {
        let (a, b) = (PaymentStatus::parse(pair[0]), PaymentStatus::parse(pair[1]));
        assert!(a.rank() < b.rank(), "{a} < {b}");
    }
    let ends = [
        PaymentStatus::Finished,
        PaymentStatus::Failed,
        PaymentStatus::Expired,
    ];
    for a in &ends {
        assert!(a.is_final());
        for b in &ends {
            assert_eq!(a.rank(), b.rank(), "no end overwrites another");
        }
        assert!(a.rank() < PaymentStatus::Refunded.rank());
    }
    assert!(PaymentStatus::Refunded.is_final());
    assert!(!PaymentStatus::PartiallyPaid.is_final());
    let unknown = PaymentStatus::parse("cancelled");
    assert!(!unknown.is_final());
    assert!(unknown.rank() < PaymentStatus::Waiting.rank());
}

#[test]
fn invoices_parse_with_string_or_number_ids() {
    let created = json!({"id":"4522625843","token_id":"5998913548","order_id":"RGDBP-21314","price_amount":"1000","price_currency":"usd","invoice_url":"https://nowpayments.io/payment/?iid=4522625843","created_at":"2020-12-22T15:05:58.290Z"});
    let inv: NpInvoice = serde_json::from_value(created).unwrap();
    assert_eq!(inv.id, "4522625843");
    assert_eq!(inv.price_amount, dec!(1000));
    assert_eq!(inv.order_id.as_deref(), Some("RGDBP-21314"));
    let numeric: NpInvoice = serde_json::from_value(
        json!({"id": 4522625843_u64, "price_amount": 9.99, "invoice_url": "u"}),
    )
    .unwrap();
    assert_eq!(numeric.id, "4522625843");
    assert_eq!(numeric.price_amount, dec!(9.99));
    assert_eq!(numeric.created_at, None);
    assert!(serde_json::from_value::<NpInvoice>(json!({"id": "1", "invoice_url": "u"})).is_err());
}

fn request(price: Decimal) -> CreateInvoice {
    CreateInvoice {
        price_amount: price,
        price_currency: "USD".into(),
        order_id: "123".into(),
        order_description: "Канал «X» — 30 дней".into(),
        ipn_callback_url: Url::parse("https://bot.example/webhooks/nowpayments").unwrap(),
        success_url: Url::parse("https://bot.example/pay/123?from=np|ok").unwrap(),
        cancel_url: None,
    }
}

#[test]
fn the_invoice_body_writes_prices_as_plain_numbers() {
    for (price, text) in [
        (dec!(0.00001234), "0.00001234"),
        (dec!(10.50), "10.5"),
        (dec!(1E-7), "0.0000001"),
        (dec!(600000000000.5), "600000000000.5"),
        (dec!(5), "5"),
    ] {
        let body = request(price).to_json().unwrap();
        assert!(
            body.starts_with(&format!("{{\"price_amount\":{text},")),
            "{body}"
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v["price_amount"].is_number());
    }
    let v: Value = serde_json::from_str(&request(dec!(10)).to_json().unwrap()).unwrap();
    assert_eq!(v["price_currency"], "usd");
    assert_eq!(v["order_id"], "123");
    assert_eq!(v["order_description"], "Канал «X» — 30 дней");
    assert_eq!(
        v["ipn_callback_url"],
        "https://bot.example/webhooks/nowpayments"
    );
    // Lesson 8: a raw `|` made NOWPayments refuse the invoice.
    assert_eq!(v["success_url"], "https://bot.example/pay/123?from=np%7Cok");
    assert!(v.get("cancel_url").is_none());
    for bad in [Decimal::ZERO, dec!(-1)] {
        assert!(matches!(
            request(bad).to_json(),
            Err(NpError::InvalidRequest(_))
        ));
    }
}

#[test]
fn strict_uris_escape_only_what_rfc3986_forbids() {
    let u = Url::parse("https://x.example/a/b?q=a|b^c&d={e}#f`g").unwrap();
    let s = strict_uri(&u);
    assert_eq!(s, "https://x.example/a/b?q=a%7Cb%5Ec&d=%7Be%7D#f%60g");
    let kept = Url::parse("https://x.example/p?a=1&b=%20x~y").unwrap();
    assert_eq!(strict_uri(&kept), kept.as_str());
}

#[test]
fn error_bodies_become_short_safe_messages() {
    let page =
        "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>…</body></html>";
    assert_eq!(snippet(page, SNIPPET_CHARS), "429 Too Many Requests");
    assert_eq!(
        snippet("<p>Bad\n\tgateway</p>", SNIPPET_CHARS),
        "Bad gateway"
    );
    assert_eq!(snippet("", SNIPPET_CHARS), "(empty body)");
    let long = "x".repeat(1000);
    assert_eq!(
        snippet(&long, SNIPPET_CHARS).chars().count(),
        SNIPPET_CHARS + 1
    );
}

fn client() -> NowPaymentsClient {
    NowPaymentsClient::new(
        Url::parse("https://api.nowpayments.io/v1").unwrap(),
        SecretString::from("sk-live-SECRET-KEY-1234"),
    )
    .unwrap()
}

#[test]
fn answers_are_classified_and_never_carry_the_key() {
    let c = client();
    let key_json = br#"{"status":false,"statusCode":403,"code":"INVALID_API_KEY","message":"Invalid api key"}"#;
    assert_eq!(c.classify(403, key_json), NpError::InvalidApiKey);
    assert_eq!(c.classify(429, b"<html>429</html>"), NpError::RateLimited);
    assert_eq!(
        c.classify(403, b"<html>blocked</html>"),
        NpError::RateLimited
    );
    let min = br#"{"status":false,"statusCode":400,"code":"AMOUNT_MINIMAL_ERROR","message":"less than minimal"}"#;
    assert_eq!(
        c.classify(400, min),
        NpError::Api {
            status: 400,
            code: Some("AMOUNT_MINIMAL_ERROR".into()),
            message: "less than minimal".into()
        }
    );
    let list = br#"{"statusCode":400,"message":["a is required","b must be a string"]}"#;
    assert!(
        matches!(c.classify(400, list), NpError::Api { message, .. } if message == "a is required; b must be a string")
    );
    let echo = br#"{"code":"BAD","message":"key sk-live-SECRET-KEY-1234 is odd"}"#;
    let err = c.classify(400, echo);
    assert!(!err.to_string().contains("SECRET"), "{err}");
    let html = c.classify(502, b"<html><title>502 Bad Gateway</title></html>");
    assert_eq!(
        html,
        NpError::Api {
            status: 502,
            code: None,
            message: "502 Bad Gateway".into()
        }
    );
    assert!(!format!("{c:?}").contains("SECRET"));
}

#[test]
fn retryable_means_worth_trying_again_later() {
    let api = |status| NpError::Api {
        status,
        code: None,
        message: String::new(),
    };
    for e in [
        NpError::RateLimited,
        NpError::Timeout,
        NpError::Network("reset".into()),
        api(500),
        api(503),
        api(408),
    ] {
        assert!(e.is_retryable(), "{e}");
    }
    for e in [
        NpError::InvalidApiKey,
        api(400),
        api(404),
        NpError::Decode("x".into()),
        NpError::InvalidRequest("x".into()),
    ] {
        assert!(!e.is_retryable(), "{e}");
    }
}

#[test]
fn endpoints_join_with_or_without_a_trailing_slash() {
    for base in [
        "https://api.nowpayments.io/v1",
        "https://api.nowpayments.io/v1/",
    ] {
        let c = NowPaymentsClient::new(Url::parse(base).unwrap(), SecretString::from("k")).unwrap();
        assert_eq!(
            c.endpoint(&["invoice"]).unwrap().as_str(),
            "https://api.nowpayments.io/v1/invoice"
        );
        assert_eq!(
            c.endpoint(&["payment", "42"]).unwrap().as_str(),
            "https://api.nowpayments.io/v1/payment/42"
        );
    }
    assert!(
        NowPaymentsClient::new(Url::parse("ftp://x/v1").unwrap(), SecretString::from("k")).is_err()
    );
    assert!(
        NowPaymentsClient::new(Url::parse("https://x/v1").unwrap(), SecretString::from(" "))
            .is_err()
    );
}

#[test]
fn backoff_grows_and_stays_bounded() {
    let p = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(300),
    };
    for _ in 0..50 {
        let d1 = p.delay(1, None);
        assert!(d1 >= Duration::from_millis(100) && d1 <= Duration::from_millis(150));
        let d2 = p.delay(2, None);
        assert!(d2 >= Duration::from_millis(200) && d2 <= Duration::from_millis(300));
        let d9 = p.delay(9, None);
        assert!(d9 >= Duration::from_millis(300) && d9 <= Duration::from_millis(450));
        let ra = p.delay(1, Some(Duration::from_secs(60)));
        assert!(ra <= Duration::from_millis(450));
    }
}

#[tokio::test]
async fn bad_payment_ids_are_refused_before_sending() {
    let c = client();
    for id in ["", " ", "../invoice", "12a"] {
        assert!(
            matches!(c.get_payment(id).await, Err(NpError::InvalidRequest(_))),
            "{id:?}"
        );
    }
}
