//! Hostile IPNs (issue 11, items 1–2): a correctly signed notification changes money only when it
//! agrees with the invoice we stored and its amounts are sane; anything else is stored as the raw
//! event, held for review with an admin alert, answered 200 and never granted, paid out or
//! topped up.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use telepay::domain::states::InvoiceStatus;
use telepay::domain::time::Clock;

use crate::on_both_backends;
use crate::subscriber::{buy_first_tier, live_channel};
use crate::support::app::{TestApp, spawn_app};
use crate::support::db::Backend;

/// A named way to spoil an honest IPN.
type Tamper = (&'static str, fn(&mut Value));

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
    let row: (Option<String>, Option<i64>, i64) =
        sqlx::query_as("SELECT held_reason, granted_at, id FROM payments WHERE np_payment_id = $1")
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
    assert_ne!(inv.status, InvoiceStatus::Paid);
}

async fn held_alert(app: &TestApp, np_payment_id: u64) -> String {
    let alerts = app.ctx.db.open_alerts(50).await.unwrap();
    alerts
        .into_iter()
        .find(|a| a.kind == "held_payment" && a.subject == np_payment_id.to_string())
        .map(|a| a.detail)
        .unwrap_or_else(|| panic!("no held_payment alert for {np_payment_id}"))
}

/// Buys the first tier as `user`, posts the honest IPN spoilt by `tamper` twice, and checks the
/// payment is held with nothing granted, no job queued, an alert raised and its raw event kept.
/// Returns our invoice id and its NOWPayments id.
async fn post_and_expect_held(
    app: &TestApp,
    channel: &telepay::store::channels::Channel,
    user: i64,
    pid: u64,
    (what, tamper): &Tamper,
) -> (i64, String) {
    app.user(user, "Mallory", Some("en"));
    let (invoice_id, np_invoice) = buy_first_tier(app, user, channel).await;
    let mut body = honest(pid, invoice_id, &np_invoice);
    tamper(&mut body);
    assert_eq!(app.post_ipn(&body).await, 200, "{what}");
    // A repeat is still answered 200 and changes nothing.
    assert_eq!(app.post_ipn(&body).await, 200, "{what} again");
    app.run_jobs_once().await;
    let seen = payment_state(app, pid).await;
    assert!(seen.held.is_some(), "{what}: held");
    assert!(!seen.granted, "{what}: not granted");
    assert!(seen.jobs.is_empty(), "{what}: no jobs, got {:?}", seen.jobs);
    nothing_granted(app, user, channel.id, invoice_id).await;
    held_alert(app, pid).await;
    // The raw event is kept for the review (the byte-identical repeat only once).
    let (events,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM payment_events WHERE np_payment_id = $1")
            .bind(pid.to_string())
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    assert_eq!(events, 1, "{what}: one raw event");
    (invoice_id, np_invoice)
}

/// Item 1: price, currency and NOWPayments invoice id must agree with our invoice.
async fn an_ipn_that_disagrees_with_the_invoice_is_held(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let cases: [Tamper; 5] = [
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
    for (i, case) in cases.iter().enumerate() {
        let what = case.0;
        let user = 100 + i64::try_from(i).unwrap();
        let pid = 7_000_000 + u64::try_from(i).unwrap();
        let (invoice_id, np_invoice) = post_and_expect_held(&app, &channel, user, pid, case).await;
        // The same payment, now telling the truth, is still held: a held payment waits for an
        // admin, whatever arrives later.
        let honest_now = honest(pid, invoice_id, &np_invoice);
        assert_eq!(app.post_ipn(&honest_now).await, 200);
        app.run_jobs_once().await;
        assert!(
            !payment_state(&app, pid).await.granted,
            "{what}: still held"
        );
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
    let cases: [Tamper; 8] = [
        ("negative paid, finished", |b| {
            b["actually_paid"] = json!(-9.99);
        }),
        ("negative paid, partially_paid", |b| {
            b["payment_status"] = json!("partially_paid");
            b["actually_paid"] = json!(-5);
        }),
        ("huge outcome", |b| b["outcome_amount"] = json!(1e20)),
        ("absurd paid", |b| b["actually_paid"] = json!(5101)),
        ("non-finite text", |b| {
            b["actually_paid"] = json!("Infinity")
        }),
        ("overflowing text", |b| {
            b["outcome_amount"] = json!("1e40");
        }),
        ("not a number", |b| b["pay_amount"] = json!("five")),
        ("negative outcome", |b| b["outcome_amount"] = json!(-1)),
    ];
    for (i, case) in cases.iter().enumerate() {
        let user = 300 + i64::try_from(i).unwrap();
        let pid = 8_000_000 + u64::try_from(i).unwrap();
        post_and_expect_held(&app, &channel, user, pid, case).await;
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
        assert!(
            price >= dec!(5) - paid - dec!(0.01),
            "{paid}: top-up {price}"
        );
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
            telepay_sim::nowpayments::PayIn::exact("usdttrc20", dec!(5))
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

/// One amount as NOWPayments might (or must never) send it.
fn wild_amount() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    prop_oneof![
        Just(Value::Null),
        (0i64..100_000, 0u32..=4).prop_map(|(m, s)| json!(Decimal::new(m, s).to_string())),
        (0i64..100_000, 0u32..=4)
            .prop_map(|(m, s)| json!(Decimal::new(m, s).to_string().parse::<f64>().unwrap())),
        (any::<i64>(), 0u32..=18).prop_map(|(m, s)| json!(Decimal::new(m, s).to_string())),
        any::<f64>().prop_map(|f| if f.is_finite() {
            json!(f)
        } else {
            json!(f.to_string())
        }),
        prop::sample::select(vec![
            "NaN",
            "Infinity",
            "-Infinity",
            "1e40",
            "-0",
            "",
            "five",
            "1e-30"
        ])
        .prop_map(|s| json!(s)),
        Just(json!(5)),
        Just(json!(-5)),
        Just(json!(1e20)),
    ]
}

#[derive(Debug, Clone)]
struct WildIpn {
    status: &'static str,
    pay: Value,
    paid: Value,
    outcome: Value,
}

/// An amount relative to what was asked (per mille of it), or anything at all.
#[derive(Debug, Clone)]
enum Gen {
    PerMille(i64),
    Wild(Value),
}

impl Gen {
    fn resolve(&self, asked: Decimal) -> Value {
        match self {
            Gen::PerMille(m) => json!((asked * Decimal::new(*m, 3)).normalize().to_string()),
            Gen::Wild(v) => v.clone(),
        }
    }
}

fn gen_amount() -> impl proptest::strategy::Strategy<Value = Gen> {
    use proptest::prelude::*;
    prop_oneof![
        3 => (0i64..=1_200).prop_map(Gen::PerMille),
        1 => (950i64..=1_000).prop_map(Gen::PerMille),
        1 => wild_amount().prop_map(Gen::Wild),
    ]
}

/// (status, pay_amount, actually_paid, outcome_amount) before the case's asked amount is known.
type IpnGen = (&'static str, Gen, Gen, Gen);

fn wild_ipn() -> impl proptest::strategy::Strategy<Value = IpnGen> {
    use proptest::prelude::*;
    let statuses = vec![
        "waiting",
        "confirming",
        "confirmed",
        "sending",
        "partially_paid",
        "finished",
        "failed",
        "expired",
        "refunded",
        "cancelled",
    ];
    (
        prop_oneof![
            3 => Just("finished"),
            3 => Just("partially_paid"),
            4 => prop::sample::select(statuses),
        ],
        prop_oneof![4 => Just(Gen::PerMille(1_000)), 1 => gen_amount()],
        gen_amount(),
        gen_amount(),
    )
}

/// An exact, sane reading of an amount the way the intake must read it, or None.
fn sane(v: &Value) -> Option<Decimal> {
    let d = match v {
        Value::Number(n) => {
            let text = n.to_string();
            if text.contains(['e', 'E']) {
                Decimal::from_scientific(&text).ok()?
            } else {
                text.parse::<Decimal>().ok()?
            }
        }
        Value::String(s) if !s.trim().is_empty() => s.trim().parse::<Decimal>().ok()?,
        _ => return None,
    };
    (d >= Decimal::ZERO && d <= dec!(1_000_000_000_000_000)).then_some(d)
}

/// Did this IPN, as sent, show the price (within the 0.97 tolerance) paid?
fn covers(ipn: &WildIpn, price: Decimal) -> bool {
    let (Some(asked), Some(paid)) = (sane(&ipn.pay), sane(&ipn.paid)) else {
        return false;
    };
    !asked.is_zero()
        && matches!(ipn.status, "finished" | "partially_paid")
        && paid <= asked * dec!(1000)
        && price * paid / asked >= price * dec!(0.97)
}

/// Property (issue 11 item 2): signed IPNs with arbitrary amounts and statuses, one to three per
/// payment, through the real endpoint: never a 5xx, never a grant unless one of them showed the
/// price paid, never a top-up above the price.
async fn property_arbitrary_amounts_never_break_the_money_rules(backend: Backend) {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, TestRunner};
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let tier = app.ctx.db.tiers(channel.id).await.unwrap()[0];
    let cases = 40;
    let mut runner = TestRunner::new(Config::with_cases(cases));
    let strategy = (
        1i64..=100_000,
        (1i64..=10_000_000, 0u32..=8).prop_map(|(m, s)| Decimal::new(m, s)),
        proptest::collection::vec(wild_ipn(), 1..=3),
    );
    for case in 0..cases {
        // A user per case: one subscription invoice per user and plan may be open at a time.
        let user = 600 + i64::from(case);
        crate::support::fixtures::owner(&app.ctx.db, user, app.clock.now()).await;
        let (price_cents, asked, gens) = strategy.new_tree(&mut runner).unwrap().current();
        let ipns: Vec<WildIpn> = gens
            .iter()
            .map(|(status, pay, paid, outcome)| WildIpn {
                status,
                pay: pay.resolve(asked),
                paid: paid.resolve(asked),
                outcome: outcome.resolve(asked),
            })
            .collect();
        let price = telepay::domain::money::UsdMicros::from_cents(price_cents);
        let invoice = app
            .ctx
            .db
            .create_invoice(
                &telepay::store::invoices::NewInvoice {
                    kind: telepay::store::invoices::InvoiceKind::Subscription,
                    user_id: user,
                    channel_id: channel.id,
                    tier_id: Some(tier.id),
                    parent_invoice_id: None,
                    price,
                    days: Some(30),
                    expires_at: app
                        .clock
                        .now()
                        .saturating_add(std::time::Duration::from_secs(3600)),
                },
                app.clock.now(),
            )
            .await
            .unwrap();
        let np_invoice = (6_000_000 + case).to_string();
        app.ctx
            .db
            .open_invoice(
                invoice.id,
                &np_invoice,
                "https://np.test/i",
                app.clock.now(),
            )
            .await
            .unwrap();
        let pid = 6_500_000 + u64::from(case);
        for ipn in &ipns {
            let mut body = honest(pid, invoice.id, &np_invoice);
            body["price_amount"] = json!(price.to_decimal().normalize().to_string());
            body["payment_status"] = json!(ipn.status);
            body["pay_amount"] = ipn.pay.clone();
            body["actually_paid"] = ipn.paid.clone();
            body["outcome_amount"] = ipn.outcome.clone();
            let status = app.post_ipn(&body).await;
            assert_eq!(status, 200, "case {case}: {ipns:?} at price {price}");
        }
        let seen = payment_state(&app, pid).await;
        if seen.granted {
            assert!(
                ipns.iter().any(|i| covers(i, price.to_decimal())),
                "case {case}: granted without the price covered: {ipns:?} at {price}"
            );
        }
        let topups: Vec<(String,)> =
            sqlx::query_as("SELECT payload FROM jobs WHERE kind = $1 AND payload LIKE $2")
                .bind(telepay::domain::job_kinds::TOPUP_INVOICE)
                .bind(format!("%\"invoice_id\":{}%", invoice.id))
                .fetch_all(app.ctx.db.pool())
                .await
                .unwrap();
        for (payload,) in topups {
            let v: Value = serde_json::from_str(&payload).unwrap();
            let missing = v["missing_usd_micros"].as_i64().unwrap();
            assert!(
                missing > 0 && missing <= price.micros(),
                "case {case}: top-up of {missing} micros for a price of {price}: {ipns:?}"
            );
        }
    }
}

on_both_backends!(property_arbitrary_amounts_never_break_the_money_rules);
