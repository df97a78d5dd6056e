//! Telegram Stars: invoices, the pre-checkout round trip, successful_payment, replay, refunds.

use std::time::Duration;

use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::{LabeledPrice, MessageKind, TelegramTransactionId, UpdateKind};

use super::super::{PayOutcome, SimConfig, SimError};
use super::{ALICE, raw, setup, setup_with};

async fn invoice(bot: &Bot, stars: u32) -> Message {
    bot.send_invoice(
        ChatId(ALICE),
        "Premium Signals",
        "30 days of access",
        "inv:42",
        "XTR",
        vec![LabeledPrice::new("30 days", stars)],
    )
    .await
    .unwrap()
}

/// Answers the next pre-checkout query with `ok` (or the error text).
fn answer_next(bot: Bot, refuse: Option<&'static str>) -> tokio::task::JoinHandle<u32> {
    tokio::spawn(async move {
        loop {
            for u in bot.get_updates().timeout(1).await.unwrap() {
                bot.get_updates()
                    .offset(i32::try_from(u.id.0).unwrap() + 1)
                    .timeout(0)
                    .await
                    .unwrap();
                if let UpdateKind::PreCheckoutQuery(q) = u.kind {
                    let mut req = bot.answer_pre_checkout_query(q.id.clone(), refuse.is_none());
                    req.error_message = refuse.map(str::to_owned);
                    req.await.unwrap();
                    return q.total_amount;
                }
            }
        }
    })
}

#[tokio::test]
async fn a_stars_invoice_is_paid_after_an_ok_pre_checkout() {
    let (sim, bot) = setup().await;
    let sent = invoice(&bot, 250).await;
    let inv = sent.invoice().unwrap();
    assert_eq!((inv.currency.as_str(), inv.total_amount), ("XTR", 250));

    let answering = answer_next(bot.clone(), None);
    let outcome = sim.pay_invoice(ALICE, sent.id.0).await.unwrap();
    assert_eq!(answering.await.unwrap(), 250);
    let PayOutcome::Paid { charge_id, .. } = outcome else {
        panic!("{outcome:?}")
    };
    let updates = bot.get_updates().timeout(1).await.unwrap();
    let last = updates.last().unwrap();
    let UpdateKind::Message(m) = &last.kind else {
        panic!("{:?}", last.kind)
    };
    let MessageKind::SuccessfulPayment(p) = &m.kind else {
        panic!("{:?}", m.kind)
    };
    let p = &p.successful_payment;
    assert_eq!(p.currency, "XTR");
    assert_eq!(p.total_amount, 250);
    assert_eq!(p.invoice_payload, "inv:42");
    assert_eq!(p.telegram_payment_charge_id.0, charge_id);

    // A replay delivers the very same message again.
    let replayed = sim.replay_successful_payment(&charge_id).unwrap();
    assert!(replayed > i64::from(last.id.0));

    // Refund: once, then CHARGE_ALREADY_REFUNDED.
    bot.refund_star_payment(
        UserId(ALICE as u64),
        TelegramTransactionId(charge_id.clone()),
    )
    .await
    .unwrap();
    assert!(sim.star_charge(&charge_id).unwrap().refunded);
    let again = bot
        .refund_star_payment(UserId(ALICE as u64), TelegramTransactionId(charge_id))
        .await
        .unwrap_err();
    assert!(
        again.to_string().contains("CHARGE_ALREADY_REFUNDED"),
        "{again}"
    );
    let (status, body) = raw(
        &sim,
        "refundStarPayment",
        json!({"user_id": ALICE, "telegram_payment_charge_id": "nope"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["description"], "Bad Request: CHARGE_NOT_FOUND");
}

#[tokio::test]
async fn a_refusal_charges_nothing_and_shows_the_error() {
    let (sim, bot) = setup().await;
    let sent = invoice(&bot, 10).await;
    let answering = answer_next(bot.clone(), Some("This invoice has expired"));
    let outcome = sim.pay_invoice(ALICE, sent.id.0).await.unwrap();
    answering.await.unwrap();
    assert_eq!(
        outcome,
        PayOutcome::Refused {
            error_message: "This invoice has expired".into()
        }
    );
    assert!(sim.star_charges().is_empty());
    // ok=false needs an error_message.
    let (status, body) = raw(
        &sim,
        "answerPreCheckoutQuery",
        json!({"pre_checkout_query_id": "1", "ok": false}),
    )
    .await;
    assert_eq!(
        (status, body["description"].as_str()),
        (400, Some("Bad Request: ERROR_MESSAGE_EMPTY"))
    );
}

#[tokio::test]
async fn no_answer_within_the_limit_charges_nothing_and_a_late_answer_is_refused() {
    let mut config = SimConfig::default();
    config.limits.enabled = false;
    config.pre_checkout_timeout = Duration::from_millis(300);
    let (sim, bot) = setup_with(config).await;
    let sent = invoice(&bot, 10).await;
    assert_eq!(
        sim.pay_invoice(ALICE, sent.id.0).await.unwrap(),
        PayOutcome::NoAnswer
    );
    let updates = bot.get_updates().timeout(1).await.unwrap();
    let UpdateKind::PreCheckoutQuery(q) = &updates[0].kind else {
        panic!("{:?}", updates[0].kind)
    };
    let late = bot
        .answer_pre_checkout_query(q.id.clone(), true)
        .await
        .unwrap_err();
    assert!(late.to_string().contains("query is too old"), "{late}");
    assert!(sim.star_charges().is_empty());
}

#[tokio::test]
async fn stars_invoices_follow_the_xtr_rules() {
    let (sim, bot) = setup().await;
    let base = json!({
        "chat_id": ALICE, "title": "T", "description": "D", "payload": "p",
        "currency": "XTR", "prices": [{"label": "x", "amount": 5}],
    });
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (
            with(
                "prices",
                json!([{"label": "a", "amount": 1}, {"label": "b", "amount": 2}]),
            ),
            "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID",
        ),
        (
            with("prices", json!([{"label": "a", "amount": 0}])),
            "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID",
        ),
        (
            with("provider_token", json!("284685063:TEST")),
            "Bad Request: PAYMENT_PROVIDER_INVALID",
        ),
        (
            with("currency", json!("USD")),
            "Bad Request: CURRENCY_INVALID",
        ),
        (
            with("payload", json!("")),
            "Bad Request: INVOICE_PAYLOAD_INVALID",
        ),
    ];
    for (body, expected) in cases {
        let (status, reply) = raw(&sim, "sendInvoice", body).await;
        assert_eq!(
            (status, reply["description"].as_str()),
            (400, Some(expected))
        );
    }
    let (status, _) = raw(&sim, "sendInvoice", with("provider_token", json!(""))).await;
    assert_eq!(status, 200);
    // A plain message is not an invoice.
    let m = bot.send_message(ChatId(ALICE), "hi").await.unwrap();
    assert!(matches!(
        sim.pay_invoice(ALICE, m.id.0).await,
        Err(SimError::NotAnInvoice { .. })
    ));
    // An invoice link.
    let link = bot
        .create_invoice_link("T", "D", "inv:7", "XTR", vec![LabeledPrice::new("x", 3)])
        .await
        .unwrap();
    let answering = answer_next(bot.clone(), None);
    let outcome = sim.pay_invoice_link(ALICE, &link).await.unwrap();
    assert_eq!(answering.await.unwrap(), 3);
    assert!(matches!(outcome, PayOutcome::Paid { .. }));
}
