//! ChangeNOW parsing, formatting and error mapping without a network; the client↔simulator round
//! trips live in `sim::changenow::tests`.

use std::time::Duration;

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::*;

const KEY: &str = "cn-live-SECRET-KEY-5678";

fn client() -> ChangeNowClient {
    ChangeNowClient::new(
        Url::parse("https://api.changenow.io/v2").unwrap(),
        SecretString::from(KEY),
        Duration::from_secs(10),
    )
    .unwrap()
}

#[test]
fn statuses_parse_and_never_fail() {
    for s in ExchangeState::KNOWN {
        assert_eq!(ExchangeState::parse(s.as_str()), s);
        assert_eq!(serde_json::to_value(&s).unwrap(), Value::from(s.as_str()));
        let back: ExchangeState = serde_json::from_value(Value::from(s.to_string())).unwrap();
        assert_eq!(back, s);
    }
    assert_eq!(ExchangeState::parse(" Finished\n"), ExchangeState::Finished);
    let hold = ExchangeState::parse("HOLD");
    assert_eq!(hold, ExchangeState::Unknown("hold".into()));
    assert_eq!(hold.as_str(), "hold");
    assert!(!hold.is_final() && !hold.is_in_progress() && hold.is_unknown());
    let null: ExchangeState = serde_json::from_str("null").unwrap();
    assert_eq!(null, ExchangeState::Unknown(String::new()));
}

#[test]
fn final_and_in_progress_partition_the_known_statuses() {
    use ExchangeState::*;
    for s in [Finished, Failed, Refunded, Expired] {
        assert!(
            s.is_final() && !s.is_in_progress() && !s.is_awaiting_deposit(),
            "{s}"
        );
    }
    for s in [Confirming, Exchanging, Sending, Verifying] {
        assert!(!s.is_final() && s.is_in_progress(), "{s}");
    }
    for s in [New, Waiting] {
        assert!(
            !s.is_final() && !s.is_in_progress() && s.is_awaiting_deposit(),
            "{s}"
        );
    }
}

proptest! {
    #[test]
    fn plain_strings_never_use_exponents(
        lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
        negative in any::<bool>(), scale in 0u32..=28,
    ) {
        let d = Decimal::from_parts(lo, mid, hi, negative, scale);
        let text = to_plain_string(d);
        prop_assert!(!text.contains(['e', 'E']), "{text}");
        prop_assert_eq!(Decimal::from_str_exact(&text).unwrap(), d);
    }

    #[test]
    fn amounts_round_trip_through_the_wire_text(
        mantissa in any::<i64>(), scale in 0u32..=18,
    ) {
        let d = Decimal::new(mantissa, scale);
        let body = format!(r#"{{"id":"a1","amountTo":{}}}"#, to_plain_string(d));
        let st = ExchangeStatus::from_slice(body.as_bytes()).unwrap();
        prop_assert_eq!(st.amount_to, Some(d));
    }
}

#[test]
fn by_id_amounts_parse_exactly_and_nulls_are_none() {
    let body = br#"{"id":"e7f1a2b3c4d5e6","status":"finished","actionsAvailable":false,
        "fromCurrency":"USDT","fromNetwork":"bsc","toCurrency":"eth","toNetwork":"eth",
        "expectedAmountFrom":10.152,"expectedAmountTo":0.09853637216235617,
        "amountFrom":1e-7,"amountTo":596726.7,"refundAmount":"1.5E+3",
        "payinAddress":"0xabc","payoutAddress":"0xdef","payinExtraId":null,
        "payoutExtraId":"","payinHash":"0x1","payoutHash":"0x2","createdAt":"2024-01-01T00:00:00.000Z",
        "newField":{"nested":[1,2,{"x":1e400}]}}"#;
    let st = ExchangeStatus::from_slice(body).unwrap();
    assert_eq!(st.status, ExchangeState::Finished);
    assert_eq!(st.expected_amount_from, Some(dec!(10.152)));
    assert_eq!(st.expected_amount_to, Some(dec!(0.09853637216235617)));
    assert_eq!(st.amount_from, Some(dec!(0.0000001)));
    assert_eq!(st.amount_to, Some(dec!(596726.7)));
    assert_eq!(st.refund_amount, Some(dec!(1500)));
    assert_eq!(st.from_currency.as_deref(), Some("usdt"));
    assert_eq!(st.payin_extra_id, None);
    assert_eq!(st.payout_extra_id, None);
    assert_eq!(st.actions_available, Some(false));
    assert_eq!(st.settled_payout(), Some((dec!(596726.7), "0x2")));

    let sparse = br#"{"id":"abc","status":"waiting","amountFrom":null,"amountTo":"null"}"#;
    let st = ExchangeStatus::from_slice(sparse).unwrap();
    assert_eq!((st.amount_from, st.amount_to), (None, None));
    assert_eq!(st.expected_amount_to, None);
    assert_eq!(st.payout_hash, None);
    assert_eq!(st.settled_payout(), None);

    let no_status = br#"{"id":"abc"}"#;
    assert!(
        ExchangeStatus::from_slice(no_status)
            .unwrap()
            .status
            .is_unknown()
    );
    for bad in [
        &br#"{"status":"new"}"#[..],
        br#"{"id":"a","amountTo":"ten"}"#,
        br#"{"id":"a","amountTo":true}"#,
        br#"not json"#,
    ] {
        assert!(matches!(
            ExchangeStatus::from_slice(bad),
            Err(CnError::Decode(_))
        ));
    }
}

#[test]
fn the_create_body_sends_plain_decimal_strings() {
    for (amount, text) in [
        (dec!(0.00001), "0.00001"),
        (dec!(1e-18), "0.000000000000000001"),
        (dec!(6e11), "600000000000"),
        (dec!(12.3400), "12.34"),
    ] {
        let req = CreateExchange {
            from: Asset::new("USDT", " BSC "),
            to: Asset::new("eth", "eth"),
            from_amount: amount,
            address: " 0x0000000000000000000000000000000000000001\n".into(),
            extra_id: Some("  ".into()),
            refund_address: None,
        };
        let body = req.to_json().unwrap();
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["fromAmount"], Value::from(text), "{body}");
        assert_eq!(v["fromCurrency"], "usdt");
        assert_eq!(v["fromNetwork"], "bsc");
        assert_eq!(v["address"], "0x0000000000000000000000000000000000000001");
        assert_eq!(v["flow"], "standard");
        assert_eq!(v["type"], "direct");
        assert!(v.get("extraId").is_none() && v.get("refundAddress").is_none());
    }
    let bad = CreateExchange {
        from: Asset::new("usdt", "bsc"),
        to: Asset::new("eth", "eth"),
        from_amount: Decimal::ZERO,
        address: "0x1".into(),
        extra_id: None,
        refund_address: None,
    };
    assert!(matches!(bad.to_json(), Err(CnError::InvalidRequest(_))));
    let bad = CreateExchange {
        from_amount: dec!(1),
        to: Asset::new("e th", "eth"),
        ..bad
    };
    assert!(matches!(bad.to_json(), Err(CnError::InvalidRequest(_))));
}

#[test]
fn error_bodies_are_classified_and_never_carry_the_key() {
    let c = client();
    let e = c.classify(
        400,
        br#"{"error":"out_of_range","message":"Amount is less then minimal: 0.0223925 XMR"}"#,
    );
    assert!(e.is_out_of_range() && !e.is_retryable() && !e.outcome_unknown());
    assert_eq!(e.minimal_amount(), Some(dec!(0.0223925)));
    assert_eq!(e.code(), Some("out_of_range"));
    let e = c.classify(
        400,
        br#"{"error":"not_valid_address","message":"Invalid address 0xZZ"}"#,
    );
    assert!(e.is_not_valid_address() && !e.is_not_valid_refund_address());
    assert!(!e.is_retryable());
    assert_eq!(e.minimal_amount(), None);
    let e = c.classify(
        403,
        br#"{"error":"invalid_api_key","message":"key cn-live-SECRET-KEY-5678 unknown"}"#,
    );
    assert!(e.is_auth_error() && !e.is_retryable());
    assert!(!e.to_string().contains("SECRET") && !format!("{e:?}").contains("SECRET"));
    assert!(c.classify(401, b"").is_auth_error());
    let e = c.classify(502, b"<html><title>502 Bad Gateway</title></html>");
    assert_eq!(
        e,
        CnError::Api {
            status: 502,
            code: None,
            message: "502 Bad Gateway".into()
        }
    );
    assert!(e.is_retryable() && e.outcome_unknown());
    let e = c.classify(429, br#"{"message":"Too many requests"}"#);
    assert!(e.is_retryable() && !e.outcome_unknown());
    assert!(!format!("{c:?}").contains("SECRET"), "{c:?}");
}

#[test]
fn retryable_means_worth_trying_again() {
    let api = |status| CnError::Api {
        status,
        code: None,
        message: String::new(),
    };
    for e in [
        CnError::Timeout,
        CnError::Connect("refused".into()),
        CnError::Network("reset".into()),
        api(500),
        api(503),
        api(429),
    ] {
        assert!(e.is_retryable(), "{e}");
    }
    for e in [
        api(400),
        api(401),
        api(403),
        api(404),
        api(408),
        api(422),
        CnError::Decode("x".into()),
        CnError::InvalidRequest("x".into()),
        CnError::Config("x".into()),
    ] {
        assert!(!e.is_retryable(), "{e}");
    }
    assert!(CnError::Timeout.outcome_unknown());
    assert!(!CnError::Connect("refused".into()).outcome_unknown());
}

#[test]
fn construction_checks_url_key_and_timeout() {
    let url = Url::parse("https://api.changenow.io/v2/").unwrap();
    let t = Duration::from_secs(1);
    for base in [
        "https://api.changenow.io/v2",
        "https://api.changenow.io/v2/",
    ] {
        let c =
            ChangeNowClient::new(Url::parse(base).unwrap(), SecretString::from("k"), t).unwrap();
        assert_eq!(
            c.endpoint(&["exchange", "by-id"]).unwrap().as_str(),
            "https://api.changenow.io/v2/exchange/by-id"
        );
    }
    let ftp = Url::parse("ftp://x/v2").unwrap();
    assert!(ChangeNowClient::new(ftp, SecretString::from("k"), t).is_err());
    for key in ["", "  \n", "a\nb"] {
        assert!(matches!(
            ChangeNowClient::new(url.clone(), SecretString::from(key), t),
            Err(CnError::Config(_))
        ));
    }
    assert!(ChangeNowClient::new(url.clone(), SecretString::from("k"), Duration::ZERO).is_err());
    let trimmed = ChangeNowClient::new(url, SecretString::from(" k1\n"), t).unwrap();
    assert_eq!(trimmed.api_key().expose_secret(), "k1");
}

#[test]
fn backoff_grows_and_stays_bounded() {
    let p = DEFAULT_RETRY;
    for _ in 0..50 {
        let d1 = p.delay(1, None);
        assert!(d1 >= Duration::from_millis(200) && d1 <= Duration::from_millis(250));
        let d2 = p.delay(2, None);
        assert!(d2 >= Duration::from_millis(400) && d2 <= Duration::from_millis(500));
        let d9 = p.delay(9, None);
        assert!(d9 <= Duration::from_millis(2500));
        assert!(p.delay(1, Some(Duration::from_secs(60))) <= Duration::from_millis(2500));
    }
}

#[tokio::test]
async fn bad_ids_and_amounts_are_refused_before_sending() {
    let c = client();
    for id in ["", " ", "../x", "a&b=c", "id with space"] {
        assert!(
            matches!(c.exchange(id).await, Err(CnError::InvalidRequest(_))),
            "{id:?}"
        );
    }
    let (a, b) = (Asset::new("usdt", "bsc"), Asset::new("eth", "eth"));
    assert!(matches!(
        c.estimate(&a, &b, dec!(-1)).await,
        Err(CnError::InvalidRequest(_))
    ));
    assert!(matches!(
        c.validate_address("", "x").await,
        Err(CnError::InvalidRequest(_))
    ));
}

#[test]
fn ranges_contain_their_bounds() {
    let r = AmountRange {
        min: dec!(2),
        max: Some(dec!(5)),
    };
    assert!(r.contains(dec!(2)) && r.contains(dec!(5)) && !r.contains(dec!(1.99)));
    let open = AmountRange {
        min: dec!(2),
        max: None,
    };
    assert!(open.contains(dec!(1e20)));
}
