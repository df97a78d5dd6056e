//! Telegram Stars (issue 15, item 5), as people use them, through the Telegram simulator: the
//! platform turns Stars on (STARS_ENABLED, STARS_USD_RATE), the owner types a plan's Stars
//! price, a subscriber pays the XTR invoice (pre-checkout answered, successful_payment granted
//! once per charge id), the owner's share is valued at the rate, split 3 % and paid out or
//! accumulated like any payment; an expired invoice is refused at pre-checkout; an operator's
//! refund revokes the access and takes back the unpaid share. The audit stays clean.

use std::time::Duration;

use alloy_primitives::Address;
use std::str::FromStr;
use telepay::domain::money::UsdMicros;
use telepay::domain::states::PayoutState;
use telepay::domain::time::Clock;
use telepay::store::channels::{Channel, PayoutStrategy};
use telepay_sim::telegram::{PayOutcome, SimMessage};

use crate::on_both_backends;
use crate::payouts::{OWNER_EVM, channel, drive, payout_final, payouts_of};
use crate::support::app::{
    Mode, TestApp, inject_expect, press_expect, spawn_app, spawn_app_with, type_expect,
    usdt_contract,
};
use crate::support::db::Backend;

const OWNER: i64 = 800;
const ADMIN: i64 = 900_001;
const OTHER_ADMIN: i64 = 900_002;

async fn stars_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Mode::Polling, |raw| {
        raw.stars_enabled = Some("true".into());
        raw.stars_usd_rate = Some("0.013".into());
        raw.admin_ids = Some(format!("{ADMIN},{OTHER_ADMIN}"));
    })
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::Row::get(
        &sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap(),
        0,
    )
}

async fn audit_clean(app: &TestApp) {
    let report = telepay::payouts::audit::audit(&app.ctx.db).await.unwrap();
    assert!(report.clean(), "{report}");
}

/// The owner opens /channels → the channel → ⭐ Stars prices → the first plan and types
/// `stars`; returns the first tier's id.
async fn owner_sets_stars(app: &TestApp, c: &Channel, stars: &str, expect: &str) -> i64 {
    let tier = app.ctx.db.tiers(c.id).await.unwrap()[0].id;
    let list = type_expect(app, OWNER, "/channels", "Your channels").await;
    let card = press_expect(
        app,
        OWNER,
        &list,
        &format!("o:ch:{}", c.id),
        "Payment notifications",
    )
    .await;
    let prices = press_expect(
        app,
        OWNER,
        &card,
        &format!("o:xtr:{}", c.id),
        "Stars prices of",
    )
    .await;
    assert!(
        prices
            .text
            .as_deref()
            .unwrap()
            .contains("0.013 USD per Star")
    );
    press_expect(
        app,
        OWNER,
        &prices,
        &format!("o:xtrp:{tier}"),
        "in whole Stars",
    )
    .await;
    type_expect(app, OWNER, stars, expect).await;
    tier
}

/// The subscriber opens the card and presses "⭐ Pay N Stars" for `tier`; returns the invoice.
async fn stars_invoice(app: &TestApp, user: i64, c: &Channel, tier: i64) -> SimMessage {
    let card = type_expect(app, user, &format!("/start c_{}", c.code), "Choose a plan").await;
    let data = format!("xtr:{tier}");
    assert!(
        card.callback_data().contains(&data),
        "{:?}",
        card.callback_data()
    );
    let before = app.last_message_id(user);
    app.press(user, card.message_id, &data);
    app.reply(user, |m| {
        m.from_bot && m.message_id > before && m.invoice.is_some()
    })
    .await
}

async fn pay(app: &TestApp, user: i64, invoice: &SimMessage) -> String {
    match app.tg.pay_invoice(user, invoice.message_id).await.unwrap() {
        PayOutcome::Paid { charge_id, .. } => charge_id,
        other => panic!("not paid: {other:?}"),
    }
}

async fn stars_payment(
    app: &TestApp,
    charge: &str,
) -> (i64, Option<i64>, Option<i64>, Option<i64>) {
    sqlx::query_as(
        "SELECT id, value_usd_micros, fee_usd_micros, owner_usd_micros FROM payments \
         WHERE telegram_payment_charge_id = $1 AND method = 'stars'",
    )
    .bind(charge)
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap()
}

async fn a_stars_payment_grants_once_and_pays_the_owner_instantly(backend: Backend) {
    let Some(app) = stars_app(backend).await else {
        return;
    };
    let c = channel(&app, "USDT", "BSC", OWNER_EVM, PayoutStrategy::Instant).await;
    // The owner types a bad price first, then 400 Stars.
    let tier = owner_sets_stars(&app, &c, "four hundred", "whole number of Stars").await;
    type_expect(&app, OWNER, "400", "now also sells for 400 Stars").await;
    assert_eq!(app.ctx.db.tier_price_stars(tier).await.unwrap(), Some(400));

    let sam = app.user(1, "Sam", Some("en"));
    let invoice = stars_invoice(&app, sam, &c, tier).await;
    let inv = invoice.invoice.clone().unwrap();
    assert_eq!(
        (inv["currency"].as_str(), inv["total_amount"].as_i64()),
        (Some("XTR"), Some(400))
    );
    let sent = app.tg.calls_of("sendInvoice");
    let params = &sent.last().unwrap().params;
    assert!(
        params
            .get("provider_token")
            .is_none_or(|t| t.as_str() == Some("")),
        "{params}"
    );
    let charge = pay(&app, sam, &invoice).await;
    app.reply_containing(sam, "Payment received").await;

    // 400 Stars × $0.013 = $5.20; 3 % fee $0.156; owner $5.044, paid from the host wallet.
    let (payment, value, fee, owner) = stars_payment(&app, &charge).await;
    drive(&app, || payout_final(&app, c.id)).await;
    let (_, value2, fee2, owner2) = stars_payment(&app, &charge).await;
    assert_eq!(
        (value2, fee2, owner2),
        (Some(5_200_000), Some(156_000), Some(5_044_000)),
        "before {value:?} {fee:?} {owner:?}"
    );
    let p = &payouts_of(&app, c.id).await[0];
    assert_eq!(
        (p.state, p.payment_id, p.usd),
        (
            PayoutState::Sent,
            Some(payment),
            UsdMicros::from_micros(5_044_000)
        )
    );
    assert_eq!(
        app.evm
            .token_balance(usdt_contract(), Address::from_str(OWNER_EVM).unwrap()),
        telepay::payouts::wallet::to_base_units(rust_decimal_macros::dec!(5.044), 18).unwrap()
    );
    let sub = app
        .ctx
        .db
        .subscription_of(sam, c.id)
        .await
        .unwrap()
        .unwrap();
    audit_clean(&app).await;

    // A replayed successful_payment changes nothing (a later message of the same user is a
    // barrier: updates of one chat are handled in order).
    app.tg.replay_successful_payment(&charge).unwrap();
    type_expect(&app, sam, "/subscriptions", "Your subscriptions").await;
    app.run_jobs_once().await;
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM payments WHERE telegram_payment_charge_id = '{charge}'")
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM subscription_grants WHERE payment_id = {payment}")
        )
        .await,
        1
    );
    assert_eq!(payouts_of(&app, c.id).await.len(), 1);
    let again = app
        .ctx
        .db
        .subscription_of(sam, c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.expires_at, sub.expires_at);
    assert_eq!(app.count_containing(sam, "Payment received"), 1);

    // The statement of the payout marks the Stars payment.
    let statement = inject_expect(
        &app,
        OWNER,
        app.last_message_id(OWNER),
        &format!("o:st:{}", p.id),
        "Stars",
    )
    .await;
    assert!(
        statement.text.as_deref().unwrap().contains("⭐ 400 Stars"),
        "{:?}",
        statement.text
    );
    audit_clean(&app).await;

    // A refund after the payout was sent: the Stars go back and the days are taken back, but
    // the owner's share is already paid; the operator is told and an alert is raised.
    app.user(ADMIN, "Ada", Some("en"));
    let view = type_expect(
        &app,
        ADMIN,
        &format!("/lookup {payment}"),
        &format!("stars:{charge}"),
    )
    .await;
    let done = app
        .ask_and_confirm(ADMIN, view.message_id, &format!("rs:{payment}"))
        .await;
    let text = done.text.unwrap();
    assert!(text.contains("already paid out"), "{text}");
    assert!(app.tg.star_charge(&charge).unwrap().refunded);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM alerts WHERE kind = 'refunded_payment'"
        )
        .await,
        1
    );
    assert_eq!(payouts_of(&app, c.id).await[0].state, PayoutState::Sent);
    audit_clean(&app).await;
}

async fn a_threshold_share_accumulates_and_an_operator_refund_takes_it_back(backend: Backend) {
    let Some(app) = stars_app(backend).await else {
        return;
    };
    let c = channel(
        &app,
        "USDT",
        "BSC",
        OWNER_EVM,
        PayoutStrategy::Threshold(UsdMicros::from_cents(5000)),
    )
    .await;
    let tier = app.ctx.db.tiers(c.id).await.unwrap()[0].id;
    // Set up the price through the store (the typing is covered above).
    assert!(
        app.ctx
            .db
            .owner_set_price_stars(OWNER, tier, Some(250), app.clock.now())
            .await
            .unwrap()
    );
    let sam = app.user(1, "Sam", Some("en"));
    let invoice = stars_invoice(&app, sam, &c, tier).await;
    let charge = pay(&app, sam, &invoice).await;
    app.reply_containing(sam, "Payment received").await;
    let payment: i64 = stars_payment(&app, &charge).await.0;
    // 250 × $0.013 = $3.25; fee $0.0975; owner $3.1525 in the balance, stable (no conversion).
    drive(&app, || async {
        count(&app, &format!("SELECT COUNT(*) FROM accumulations WHERE payment_id = {payment} AND state = 'converted' AND usdt_micros = 3152500")).await == 1
    })
    .await;
    assert!(payouts_of(&app, c.id).await.is_empty());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM conversions").await, 0);
    audit_clean(&app).await;
    let sub = app
        .ctx
        .db
        .subscription_of(sam, c.id)
        .await
        .unwrap()
        .unwrap();
    assert!(sub.is_active(app.clock.now()));

    // The operator finds the payment and sees the refund button.
    app.user(ADMIN, "Ada", Some("en"));
    app.user(OTHER_ADMIN, "Bea", Some("en"));
    let view = type_expect(
        &app,
        ADMIN,
        &format!("/lookup {payment}"),
        &format!("stars:{charge}"),
    )
    .await;
    let op = format!("rs:{payment}");
    assert!(
        view.callback_data().contains(&format!("a:?:{op}")),
        "{:?}",
        view.callback_data()
    );
    let log_rows = || {
        count(
            &app,
            "SELECT COUNT(*) FROM admin_actions WHERE action = 'refund_stars'",
        )
    };

    // A non-admin's and another admin's replay of the confirmation change nothing.
    let eve = app.user(66, "Eve", Some("en"));
    app.send_text(eve, "/start");
    app.reply(eve, |m| m.from_bot).await;
    let before = app.last_message_id(eve);
    app.tg
        .inject_callback_raw(eve, before, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    let other_before = app.last_message_id(OTHER_ADMIN);
    app.tg
        .inject_callback_raw(OTHER_ADMIN, other_before, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    // Barrier: updates of one chat are handled in order.
    type_expect(&app, eve, "/subscriptions", "subscriptions").await;
    type_expect(&app, OTHER_ADMIN, "/subscriptions", "subscriptions").await;
    assert_eq!(log_rows().await, 0);
    assert!(!app.tg.star_charge(&charge).unwrap().refunded);

    // The confirmed refund: Stars back, access revoked, the unpaid share taken back, one row.
    let done = app.ask_and_confirm(ADMIN, view.message_id, &op).await;
    let text = done.text.unwrap();
    assert!(
        text.contains("refunded") && text.contains("taken back"),
        "{text}"
    );
    assert!(app.tg.star_charge(&charge).unwrap().refunded);
    assert_eq!(log_rows().await, 1);
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM accumulations WHERE payment_id = {payment}")
        )
        .await,
        0
    );
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM payments WHERE id = {payment} AND status = 'refunded' AND refunded_at IS NOT NULL")).await, 1);
    let after = app
        .ctx
        .db
        .subscription_of(sam, c.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !after.is_active(app.clock.now()),
        "the days were taken back"
    );
    let row: (Option<String>, Option<String>, String) = sqlx::query_as(
        "SELECT before, after, subject FROM admin_actions WHERE action = 'refund_stars'",
    )
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!(row.2, format!("payment:{payment}"));
    assert!(row.0.unwrap().ends_with(", 250 Stars"));
    let after = row.1.unwrap();
    assert!(
        after.starts_with("refunded, access revoked, share taken back"),
        "{after}"
    );
    audit_clean(&app).await;

    // A repeated confirmation changes nothing and writes no row.
    let n = app.count_containing(ADMIN, "already refunded");
    app.tg
        .inject_callback_raw(ADMIN, view.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.nth_reply_containing(ADMIN, "already refunded", n).await;
    assert_eq!(log_rows().await, 1);
    assert_eq!(app.tg.calls_of("refundStarPayment").len(), 1);
    // The expiry sweep removes the subscriber whose days were taken back.
    app.run_jobs_once().await;
    audit_clean(&app).await;
}

async fn pre_checkout_refuses_an_expired_invoice_and_stars_are_off_by_default(backend: Backend) {
    let Some(app) = stars_app(backend).await else {
        return;
    };
    let c = channel(&app, "USDT", "BSC", OWNER_EVM, PayoutStrategy::Instant).await;
    let tier = app.ctx.db.tiers(c.id).await.unwrap()[0].id;
    assert!(
        app.ctx
            .db
            .owner_set_price_stars(OWNER, tier, Some(100), app.clock.now())
            .await
            .unwrap()
    );
    let sam = app.user(1, "Sam", Some("en"));
    let invoice = stars_invoice(&app, sam, &c, tier).await;
    // INVOICE_TTL is 1 h: the invoice expires before the subscriber pays.
    app.clock.advance(Duration::from_secs(2 * 3600));
    let outcome = app.tg.pay_invoice(sam, invoice.message_id).await.unwrap();
    let PayOutcome::Refused { error_message } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(error_message.contains("expired"), "{error_message}");
    assert!(app.tg.star_charges().is_empty());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM payments").await, 0);
    // A new press gives a fresh invoice, which is accepted.
    let fresh = stars_invoice(&app, sam, &c, tier).await;
    pay(&app, sam, &fresh).await;
    app.reply_containing(sam, "Payment received").await;
    app.run_jobs_once().await;
    audit_clean(&app).await;
    drop(app);

    // Without STARS_ENABLED: no Stars button for the subscriber, no Stars prices for the owner.
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let c = channel(&app, "USDT", "BSC", OWNER_EVM, PayoutStrategy::Instant).await;
    let tier = app.ctx.db.tiers(c.id).await.unwrap()[0].id;
    assert!(
        app.ctx
            .db
            .owner_set_price_stars(OWNER, tier, Some(100), app.clock.now())
            .await
            .unwrap()
    );
    let sam = app.user(1, "Sam", Some("en"));
    let card = type_expect(&app, sam, &format!("/start c_{}", c.code), "Choose a plan").await;
    assert!(card.callback_data().iter().all(|d| !d.starts_with("xtr:")));
    let forged = inject_expect(
        &app,
        sam,
        card.message_id,
        &format!("xtr:{tier}"),
        "not available",
    )
    .await;
    assert!(forged.invoice.is_none());
    assert!(app.tg.calls_of("sendInvoice").is_empty());
    let list = type_expect(&app, OWNER, "/channels", "Your channels").await;
    let owner_card = press_expect(
        &app,
        OWNER,
        &list,
        &format!("o:ch:{}", c.id),
        "Payment notifications",
    )
    .await;
    assert!(
        owner_card
            .callback_data()
            .iter()
            .all(|d| !d.starts_with("o:xtr"))
    );
    audit_clean(&app).await;
}

on_both_backends!(
    a_stars_payment_grants_once_and_pays_the_owner_instantly,
    a_threshold_share_accumulates_and_an_operator_refund_takes_it_back,
    pre_checkout_refuses_an_expired_invoice_and_stars_are_off_by_default,
);
