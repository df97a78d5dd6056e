//! Hostile IPNs (issue 11, items 1–2): a correctly signed notification changes money only when it
//! agrees with the invoice we stored and its amounts are sane; anything else is stored as the raw
//! event, held for review with an admin alert, answered 200 and never granted, paid out or
//! topped up.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::subscriber::{buy_first_tier, live_channel};
use crate::support::app::{TestApp, spawn_app};
use crate::support::db::Backend;

/// A well-formed `finished` IPN for `invoice` (our id) paying its $5.00 price in full.
fn honest(payment_id: u64, order_id: i64, np_invoice: &str) -> Value {
    json!({
        "payment_id": payment_id,
        "invoice_id": np_invoice.parse::<u64>().unwrap(),
        "payment_status": "finished",
        "pay_address": "TXyz",
        "price_amount": 5,
        "price_currency": "usd",
        "pay_amount": 5.1,
        "actually_paid": 5.1,
        "pay_currency": "usdttrc20",
        "order_id": order_id.to_string(),
        "order_description": "sub",
        "purchase_id": "77",
        "outcome_amount": 5.0,
        "outcome_currency": "usdttrc20",
        "payment_extra_ids": null,
    })
}

struct Seen {
    held: Option<String>,
    granted: bool,
    jobs: Vec<String>,
}

async fn payment_state(app: &TestApp, np_payment_id: u64) -> Seen {
    let row: (Option<String>, Option<i64>, i64) = sqlx::query_as(
        "SELECT held_reason, granted_at, id FROM payments WHERE np_payment_id = $1",
    )
    .bind(np_payment_id.to_string())
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    let jobs: Vec<(String,)> =
        sqlx::query_as("SELECT kind FROM jobs WHERE payload LIKE $1 ORDER BY kind")
            .bind(format!("%\"payment_id\":{}%", row.2))
            .fetch_all(app.ctx.db.pool())
            .await
            .unwrap();
    Seen {
        held: row.0,
        granted: row.1.is_some(),
        jobs: jobs.into_iter().map(|j| j.0).collect(),
    }
}

async fn nothing_granted(app: &TestApp, user: i64, channel_id: i64, invoice_id: i64) {
    assert!(
        app.ctx
            .db
            .subscription_of(user, channel_id)
            .await
            .unwrap()
            .is_none(),
        "no subscription"
    );
    let inv = app.ctx.db.invoice(invoice_id).await.unwrap().unwrap();
    assert_ne!(inv.status, "paid");
}

async fn held_alert(app: &TestApp, np_payment_id: u64) -> String {
    let alerts = app.ctx.db.open_alerts(50).await.unwrap();
    alerts
        .into_iter()
        .find(|a| a.kind == "held_payment" && a.subject == np_payment_id.to_string())
        .map(|a| a.detail)
        .unwrap_or_else(|| panic!("no held_payment alert for {np_payment_id}"))
}

/// Item 1: price, currency and NOWPayments invoice id must agree with our invoice.
async fn an_ipn_that_disagrees_with_the_invoice_is_held(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let cases: [(&str, fn(&mut Value)); 5] = [
        ("the reported case", |b| {
            b["price_amount"] = json!(0.01);
            b["price_currency"] = json!("eur");
            b["invoice_id"] = json!(999_999_999u64);
        }),
        ("price", |b| b["price_amount"] = json!(0.01)),
        ("currency", |b| b["price_currency"] = json!("eur")),
        ("invoice id", |b| b["invoice_id"] = json!(999_999_999u64)),
        ("no invoice id", |b| b["invoice_id"] = Value::Null),
    ];
    for (i, (what, tamper)) in cases.iter().enumerate() {
        let user = 100 + i64::try_from(i).unwrap();
        app.user(user, "Mallory", Some("en"));
        let (invoice_id, np_invoice) = buy_first_tier(&app, user, &channel).await;
        let pid = 7_000_000 + u64::try_from(i).unwrap();
        let mut body = honest(pid, invoice_id, &np_invoice);
        tamper(&mut body);
        assert_eq!(app.post_ipn(&body).await, 200, "{what}");
        // A repeat is still answered 200 and changes nothing.
        assert_eq!(app.post_ipn(&body).await, 200, "{what} again");
        app.run_jobs_once().await;
        let seen = payment_state(&app, pid).await;
        assert!(seen.held.is_some(), "{what}: held");
        assert!(!seen.granted, "{what}: not granted");
        assert!(seen.jobs.is_empty(), "{what}: no jobs, got {:?}", seen.jobs);
        nothing_granted(&app, user, channel.id, invoice_id).await;
        held_alert(&app, pid).await;
        // The same payment, now telling the truth, is still held: a held payment waits for an
        // admin, whatever arrives later.
        let honest_now = honest(pid, invoice_id, &np_invoice);
        assert_eq!(app.post_ipn(&honest_now).await, 200);
        app.run_jobs_once().await;
        assert!(!payment_state(&app, pid).await.granted, "{what}: still held");
        nothing_granted(&app, user, channel.id, invoice_id).await;
    }
    // No payout or money record was made from any of them.
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payouts")
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);

    // The honest IPN for a fresh invoice still grants (the check is not a blanket refusal).
    let user = 199;
    app.user(user, "Sam", Some("en"));
    let (invoice_id, np_invoice) = buy_first_tier(&app, user, &channel).await;
    assert_eq!(
        app.post_ipn(&honest(7_100_000, invoice_id, &np_invoice))
            .await,
        200
    );
    app.reply_containing(user, "Payment received").await;
    assert!(payment_state(&app, 7_100_000).await.granted);
}

/// Item 2: negative, non-finite, absurd and overflowing amounts are held, answered 200.
async fn insane_amounts_are_held_and_never_loop(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let cases: [(&str, fn(&mut Value)); 8] = [
        ("negative paid, finished", |b| {
            b["actually_paid"] = json!(-9.99);
        }),
        ("negative paid, partially_paid", |b| {
            b["payment_status"] = json!("partially_paid");
            b["actually_paid"] = json!(-5);
        }),
        ("huge outcome", |b| b["outcome_amount"] = json!(1e20)),
        ("absurd paid", |b| b["actually_paid"] = json!(5101)),
        ("non-finite text", |b| b["actually_paid"] = json!("Infinity")),
        ("overflowing text", |b| {
            b["outcome_amount"] = json!("1e40");
        }),
        ("not a number", |b| b["pay_amount"] = json!("five")),
        ("negative outcome", |b| b["outcome_amount"] = json!(-1)),
    ];
    for (i, (what, tamper)) in cases.iter().enumerate() {
        let user = 300 + i64::try_from(i).unwrap();
        app.user(user, "Mallory", Some("en"));
        let (invoice_id, np_invoice) = buy_first_tier(&app, user, &channel).await;
        let pid = 8_000_000 + u64::try_from(i).unwrap();
        let mut body = honest(pid, invoice_id, &np_invoice);
        tamper(&mut body);
        assert_eq!(app.post_ipn(&body).await, 200, "{what}");
        assert_eq!(app.post_ipn(&body).await, 200, "{what} again");
        app.run_jobs_once().await;
        let seen = payment_state(&app, pid).await;
        assert!(seen.held.is_some(), "{what}: held");
        assert!(!seen.granted, "{what}: not granted");
        assert!(seen.jobs.is_empty(), "{what}: no jobs, got {:?}", seen.jobs);
        nothing_granted(&app, user, channel.id, invoice_id).await;
        held_alert(&app, pid).await;
        // The raw event is kept for the review.
        let (events,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM payment_events WHERE np_payment_id = $1")
                .bind(pid.to_string())
                .fetch_one(app.ctx.db.pool())
                .await
                .unwrap();
        assert_eq!(events, 1, "{what}: one raw event");
    }
    // No top-up was asked of NOWPayments for any of them.
    assert_eq!(
        app.np.invoices().len(),
        cases.len(),
        "only the invoices the buyers opened"
    );
}

/// A top-up is never larger than the part of the price still missing.
async fn a_top_up_never_exceeds_what_is_missing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    for (i, paid) in [dec!(0), dec!(0.000001), dec!(2.5), dec!(4.84)]
        .into_iter()
        .enumerate()
    {
        let user = 400 + i64::try_from(i).unwrap();
        app.user(user, "Ann", Some("en"));
        let (invoice_id, np_invoice) = buy_first_tier(&app, user, &channel).await;
        let pid = 9_000_000 + u64::try_from(i).unwrap();
        let mut body = honest(pid, invoice_id, &np_invoice);
        body["payment_status"] = json!("partially_paid");
        body["pay_amount"] = json!(5);
        body["actually_paid"] = json!(paid.to_string());
        assert_eq!(app.post_ipn(&body).await, 200);
        app.run_jobs_once().await;
        let seen = payment_state(&app, pid).await;
        assert!(seen.held.is_none(), "{paid}: an honest underpayment");
        let topups = app
            .ctx
            .db
            .recent_invoices(user, 5)
            .await
            .unwrap()
            .into_iter()
            .filter(|i| i.parent_invoice_id == Some(invoice_id))
            .collect::<Vec<_>>();
        assert_eq!(topups.len(), 1, "{paid}: one top-up");
        let price = topups[0].price.to_decimal();
        assert!(price <= dec!(5), "{paid}: top-up {price} above the price");
        assert!(price >= dec!(5) - paid - dec!(0.01), "{paid}: top-up {price}");
        assert!(price > Decimal::ZERO);
    }
}

on_both_backends!(
    an_ipn_that_disagrees_with_the_invoice_is_held,
    insane_amounts_are_held_and_never_loop,
    a_top_up_never_exceeds_what_is_missing,
);

/// An outcome worth more than 1,000 times the price (here 10 million USDT settled for a $5
/// invoice) is not paid out: the valuation holds the payment for an admin.
async fn an_impossible_outcome_is_held_at_valuation(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(500, "Sam", Some("en"));
    let (_, np_invoice) = buy_first_tier(&app, u, &channel).await;
    let payment = app
        .np
        .pay(
            np_invoice.parse().unwrap(),
            telepay::sim::nowpayments::PayIn::exact("usdttrc20", dec!(5))
                .outcome("usdttrc20", dec!(10_000_000)),
        )
        .unwrap();
    app.np.advance_to_finished(payment).unwrap();
    app.reply_containing(u, "Payment received").await;
    app.run_jobs_once().await;
    let seen = payment_state(&app, payment).await;
    let reason = seen.held.expect("held at valuation");
    assert!(reason.contains("10000000"), "{reason}");
    let (valued, payouts, accumulations): (Option<i64>, i64, i64) = sqlx::query_as(
        "SELECT (SELECT value_usd_micros FROM payments WHERE np_payment_id = $1), \
                (SELECT COUNT(*) FROM payouts), (SELECT COUNT(*) FROM accumulations)",
    )
    .bind(payment.to_string())
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!((valued, payouts, accumulations), (None, 0, 0));
    held_alert(&app, payment).await;
}

on_both_backends!(an_impossible_outcome_is_held_at_valuation);
