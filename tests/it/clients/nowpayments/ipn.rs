//! IPN delivery: signatures the production verifier accepts, retries, ordering, children.

use rust_decimal_macros::dec;
use serde_json::Value;

use super::{Receiver, WAIT, client_for, config, order, product_status, sim};
use telepay::providers::nowpayments::ipn::{sign_body, verify};
use telepay::providers::nowpayments::{NpPayment, PaymentStatus};
use telepay_sim::nowpayments::PaymentStatus as SimStatus;
use telepay_sim::nowpayments::{NowPaymentsSim, NpSimConfig, PayIn};

/// An invoice made by the production client, ready to be paid.
async fn invoice(sim: &NowPaymentsSim, receiver: &Receiver, order_id: &str) -> u64 {
    let inv = client_for(sim)
        .create_invoice(&order(order_id, dec!(10), &receiver.url))
        .await
        .unwrap();
    inv.id.parse().unwrap()
}

fn verified(sim: &NowPaymentsSim, got: &super::Received) -> NpPayment {
    let body = verify(sim.ipn_secret(), &got.body, got.signature.as_deref()).unwrap();
    NpPayment::from_value(&body).unwrap()
}

#[tokio::test]
async fn an_ipn_arrives_signed_and_carries_our_order() {
    let receiver = Receiver::start(&[]).await;
    let sim = sim().await;
    let mut req = order("sub_42_7", dec!(10), &receiver.url);
    req.order_description = "Канал «Сигналы» — 30 дней".into();
    let inv = client_for(&sim).create_invoice(&req).await.unwrap();
    let invoice_id: u64 = inv.id.parse().unwrap();
    let pid = sim
        .pay(
            invoice_id,
            PayIn::exact("btc", dec!(0.00001234)).outcome("usdttrc20", dec!(0.98)),
        )
        .unwrap();

    let got = receiver.wait_for(1).await;
    let p = verified(&sim, &got[0]);
    assert_eq!(p.payment_id, pid.to_string());
    assert_eq!(p.invoice_id.as_deref(), Some(inv.id.as_str()));
    assert_eq!(p.order_id.as_deref(), Some("sub_42_7"));
    assert_eq!(
        p.order_description.as_deref(),
        Some("Канал «Сигналы» — 30 дней")
    );
    assert_eq!(p.payment_status, PaymentStatus::Waiting);
    assert_eq!(p.pay_amount, Some(dec!(0.00001234)));
    assert_eq!(p.price_amount, Some(dec!(10)));
    assert_eq!(p.parent_payment_id, None);

    // The wire text: documented key order (not sorted), JavaScript numbers, raw UTF-8, the
    // nested fee, ids as numbers except purchase_id.
    let text = String::from_utf8(got[0].body.clone()).unwrap();
    assert!(text.starts_with(&format!(r#"{{"payment_id":{pid},"parent_payment_id":null,"invoice_id":{invoice_id},"payment_status":"waiting","#)), "{text}");
    assert!(
        text.contains(r#""pay_amount":0.00001234,"actually_paid":0,"#),
        "{text}"
    );
    assert!(text.contains("«Сигналы»"), "{text}");
    assert!(text.contains(r#""payment_extra_ids":null,"#), "{text}");
    assert!(
        text.ends_with(
            r#""fee":{"currency":"usdttrc20","depositFee":0,"withdrawalFee":0,"serviceFee":0}}"#
        ),
        "{text}"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["purchase_id"].is_string());
    assert_eq!(got[0].signature.as_deref().map(str::len), Some(128));

    let d = sim.wait_for_delivery(WAIT, |d| d.delivered).await.unwrap();
    assert_eq!(
        (d.payment_id, d.attempt, d.http_status),
        (pid, 1, Some(200))
    );
    assert_eq!(d.url, receiver.url.as_str());
}

#[tokio::test]
async fn a_failing_receiver_is_retried_until_it_answers_2xx_then_left_alone() {
    let receiver = Receiver::start(&[500, 503]).await;
    let sim = sim().await;
    let invoice_id = invoice(&sim, &receiver, "1").await;
    let pid = sim.pay(invoice_id, PayIn::exact("trx", dec!(80))).unwrap();
    sim.wait_idle(WAIT).await.unwrap();

    let attempts: Vec<(u32, Option<u16>, bool)> = sim
        .deliveries()
        .iter()
        .map(|d| (d.attempt, d.http_status, d.delivered))
        .collect();
    assert_eq!(
        attempts,
        [
            (1, Some(500), false),
            (2, Some(503), false),
            (3, Some(200), true)
        ]
    );
    let got = receiver.got();
    assert_eq!(got.len(), 3);
    assert!(
        got.iter()
            .all(|g| g.body == got[0].body && g.signature == got[0].signature)
    );
    assert!(sim.deliveries().iter().all(|d| d.payment_id == pid));
}

#[tokio::test]
async fn delivery_gives_up_after_the_configured_retries() {
    let receiver = Receiver::start(&[500; 10]).await;
    let sim = NowPaymentsSim::start(NpSimConfig {
        ipn_retries: 2,
        ..config()
    })
    .await
    .unwrap();
    let invoice_id = invoice(&sim, &receiver, "1").await;
    sim.pay(invoice_id, PayIn::exact("trx", dec!(80))).unwrap();
    sim.wait_idle(WAIT).await.unwrap();
    let attempts: Vec<u32> = sim.deliveries().iter().map(|d| d.attempt).collect();
    assert_eq!(attempts, [1, 2, 3], "first try plus two retries");
    assert_eq!(receiver.got().len(), 3);
}

#[tokio::test]
async fn an_unreachable_receiver_counts_as_a_failed_attempt() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = url::Url::parse(&format!("http://{}/ipn", listener.local_addr().unwrap())).unwrap();
    drop(listener);
    let sim = NowPaymentsSim::start(NpSimConfig {
        ipn_retries: 1,
        ..config()
    })
    .await
    .unwrap();
    let inv = client_for(&sim)
        .create_invoice(&order("1", dec!(10), &dead))
        .await
        .unwrap();
    sim.pay(inv.id.parse().unwrap(), PayIn::exact("trx", dec!(80)))
        .unwrap();
    sim.wait_idle(WAIT).await.unwrap();
    let d = sim.deliveries();
    assert_eq!(d.len(), 2);
    assert!(
        d.iter()
            .all(|d| d.http_status.is_none() && d.error.is_some() && !d.delivered)
    );
}

#[tokio::test]
async fn statuses_arrive_in_path_order_one_ipn_each() {
    let receiver = Receiver::start(&[500]).await;
    let sim = sim().await;
    let invoice_id = invoice(&sim, &receiver, "1").await;
    let pid = sim
        .pay(
            invoice_id,
            PayIn::exact("usdttrc20", dec!(10.152)).outcome("usdttrc20", dec!(9.8505)),
        )
        .unwrap();
    sim.advance_to_finished(pid).unwrap();
    sim.wait_idle(WAIT).await.unwrap();

    // The first IPN failed once and was retried before any later status went out.
    let seen: Vec<PaymentStatus> = receiver
        .got()
        .iter()
        .map(|g| verified(&sim, g).payment_status)
        .collect();
    let path = [
        PaymentStatus::Waiting,
        PaymentStatus::Waiting,
        PaymentStatus::Confirming,
        PaymentStatus::Confirmed,
        PaymentStatus::Sending,
        PaymentStatus::Finished,
    ];
    assert_eq!(seen, path);
    let history: Vec<PaymentStatus> = sim
        .payment(pid)
        .unwrap()
        .history
        .into_iter()
        .map(|h| product_status(&h.status))
        .collect();
    assert_eq!(history, path[1..]);

    let last = verified(&sim, receiver.got().last().unwrap());
    assert_eq!(last.actually_paid, Some(dec!(10.152)));
    assert_eq!(last.outcome_amount, Some(dec!(9.8505)));
    let text = String::from_utf8(receiver.got().last().unwrap().body.clone()).unwrap();
    assert!(text.contains(r#""depositFee":0.3015,"#), "{text}");

    // Advancing again changes nothing.
    sim.advance_to_finished(pid).unwrap();
    assert_eq!(sim.ipns_pending(), 0);
}

#[tokio::test]
async fn a_child_payment_names_its_parent() {
    let receiver = Receiver::start(&[]).await;
    let sim = sim().await;
    let invoice_id = invoice(&sim, &receiver, "sub_1").await;
    let parent = sim
        .pay(invoice_id, PayIn::exact("usdttrc20", dec!(10)))
        .unwrap();
    sim.set_status(parent, SimStatus::PartiallyPaid).unwrap();
    let child = sim
        .child_payment(parent, PayIn::exact("usdterc20", dec!(3)))
        .unwrap();
    let got = receiver.wait_for(3).await;

    // Only one payment's IPNs are ordered; the child's may overtake the parent's.
    let c = got
        .iter()
        .map(|g| verified(&sim, g))
        .find(|p| p.payment_id == child.to_string())
        .unwrap();
    assert_eq!(c.payment_id, child.to_string());
    assert_eq!(
        c.parent_payment_id.as_deref(),
        Some(parent.to_string().as_str())
    );
    assert_eq!(
        c.invoice_id.as_deref(),
        Some(invoice_id.to_string().as_str())
    );
    assert_eq!(c.order_id, None, "children may come without our order id");
    assert!(c.is_child());

    let client = client_for(&sim);
    let p = client.get_payment(&parent.to_string()).await.unwrap();
    assert_eq!(p.payment_extra_ids, vec![child.to_string()]);
    assert_eq!(p.order_id.as_deref(), Some("sub_1"));
    let c = client.get_payment(&child.to_string()).await.unwrap();
    assert_eq!(c.parent_payment_id, Some(parent.to_string()));
    assert_eq!(c.purchase_id, p.purchase_id);
}

#[tokio::test]
async fn a_resent_ipn_is_byte_for_byte_the_same() {
    let receiver = Receiver::start(&[]).await;
    let sim = sim().await;
    let invoice_id = invoice(&sim, &receiver, "1").await;
    let pid = sim.pay(invoice_id, PayIn::exact("trx", dec!(80))).unwrap();
    sim.set_status(pid, SimStatus::Finished).unwrap();
    sim.resend_ipn(pid).unwrap();
    let got = receiver.wait_for(3).await;
    assert_eq!(got[1].body, got[2].body);
    assert_eq!(got[1].signature, got[2].signature);
    assert_eq!(
        verified(&sim, &got[2]).payment_status,
        PaymentStatus::Finished
    );
}

#[tokio::test]
async fn ipn_body_is_what_would_be_sent_and_signs_like_the_wire() {
    let receiver = Receiver::start(&[]).await;
    let sim = sim().await;
    let invoice_id = invoice(&sim, &receiver, "1").await;
    let pid = sim
        .pay(invoice_id, PayIn::exact("btc", dec!(0.0000001)))
        .unwrap();
    let got = receiver.wait_for(1).await;
    let body = sim.ipn_body(pid).unwrap();
    let (text, sig) = sim.ipn_wire(pid).unwrap();
    assert_eq!(text.as_bytes(), got[0].body.as_slice());
    assert_eq!(Some(&sig), got[0].signature.as_ref());
    assert_eq!(sign_body(sim.ipn_secret(), &body), sig);
    assert_eq!(body["pay_amount"], serde_json::json!(1e-7));
    assert!(
        text.contains(r#""pay_amount":1e-7,"#),
        "JavaScript's exponent form: {text}"
    );
    assert_eq!(verified(&sim, &got[0]).pay_amount, Some(dec!(0.0000001)));
}

#[tokio::test]
async fn nothing_is_sent_without_an_ipn_secret_or_after_expiry() {
    let receiver = Receiver::start(&[]).await;
    let quiet = NowPaymentsSim::start(NpSimConfig {
        ipn_secret: String::new(),
        ..config()
    })
    .await
    .unwrap();
    let invoice_id = invoice(&quiet, &receiver, "1").await;
    let pid = quiet
        .pay(invoice_id, PayIn::exact("trx", dec!(80)))
        .unwrap();
    quiet.advance_to_finished(pid).unwrap();
    assert_eq!(quiet.ipns_pending(), 0);
    assert!(quiet.deliveries().is_empty());

    let sim = sim().await;
    let invoice_id = invoice(&sim, &receiver, "2").await;
    let pid = sim.pay(invoice_id, PayIn::exact("trx", dec!(80))).unwrap();
    sim.set_status(pid, SimStatus::Expired).unwrap();
    sim.set_status(pid, SimStatus::Finished).unwrap();
    sim.wait_idle(WAIT).await.unwrap();
    let history = sim.payment(pid).unwrap().history;
    assert_eq!(
        history.last().map(|h| (&h.status, h.ipn_queued)),
        Some((&SimStatus::Finished, false))
    );
    assert_eq!(sim.deliveries().len(), 2);
    assert!(
        receiver
            .got()
            .iter()
            .all(|g| verified(&sim, g).payment_status != PaymentStatus::Finished)
    );
}
