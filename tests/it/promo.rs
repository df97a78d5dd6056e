//! Promo codes (issue 15), as people use them: the owner types codes in the bot (a percent and
//! an amount off, a plan restriction, a use limit, an expiry), a subscriber opens the code's
//! deep link or enters it on the channel card and pays the discounted invoice through the
//! NOWPayments simulator with signed IPNs; the payment's valuation and fee split follow what
//! was charged; one use per user; two users racing for the last use get it once; the owner's
//! list shows uses and revenue; the audit stays clean.

use std::time::Duration;

use rust_decimal_macros::dec;
use telepay::domain::states::InvoiceStatus;
use telepay::domain::time::Clock;
use telepay::store::channels::Channel;
use telepay::store::promos::PromoCode;
use telepay_sim::telegram::SimMessage;

use crate::on_both_backends;
use crate::subscriber::{live_channel, np_id, usdt};
use crate::support::app::{TestApp, inject_expect, press_expect, spawn_app, type_expect};
use crate::support::db::Backend;
use crate::support::wait::eventually;

const OWNER: i64 = 500;
const DAY: Duration = Duration::from_secs(86_400);

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

/// The owner opens /channels → the channel → 🏷 Promo codes and returns that list.
async fn owner_promos(app: &TestApp, channel: &Channel) -> SimMessage {
    let list = type_expect(app, OWNER, "/channels", "Your channels").await;
    let card = press_expect(
        app,
        OWNER,
        &list,
        &format!("o:ch:{}", channel.id),
        "Payment notifications",
    )
    .await;
    assert!(
        card.callback_data()
            .contains(&format!("o:promos:{}", channel.id))
    );
    press_expect(
        app,
        OWNER,
        &card,
        &format!("o:promos:{}", channel.id),
        "Promo codes of",
    )
    .await
}

/// The owner presses "➕ New code" on the list and types `line`; the answer contains `expect`.
async fn owner_types_code(app: &TestApp, channel: &Channel, line: &str, expect: &str) {
    let list = owner_promos(app, channel).await;
    press_expect(
        app,
        OWNER,
        &list,
        &format!("o:promonew:{}", channel.id),
        "send one line",
    )
    .await;
    type_expect(app, OWNER, line, expect).await;
}

async fn code(app: &TestApp, channel: &Channel, text: &str) -> PromoCode {
    app.ctx
        .db
        .promo_by_code(
            channel.id,
            &telepay::domain::promo::PromoText::parse(text).unwrap(),
        )
        .await
        .unwrap()
        .unwrap()
}

/// Opens the code's deep link; returns the answer containing `expect`.
async fn open_promo_link(
    app: &TestApp,
    user: i64,
    channel: &Channel,
    promo: &str,
    expect: &str,
) -> SimMessage {
    type_expect(
        app,
        user,
        &format!("/start c_{}_p_{promo}", channel.code),
        expect,
    )
    .await
}

/// Pays the user's newest invoice with `amount` USDT and waits for the grant and valuation;
/// returns (value, fee, owner) of the payment in micro-dollars.
async fn pay_newest(app: &TestApp, user: i64, amount: rust_decimal::Decimal) -> (i64, i64, i64) {
    let n = app.count_containing(user, "Payment received");
    let invoice = app.ctx.db.recent_invoices(user, 1).await.unwrap().remove(0);
    let payment = app
        .np
        .pay(
            np_id(invoice.np_invoice_id.as_deref().unwrap()),
            usdt(amount),
        )
        .unwrap();
    app.np.advance_to_finished(payment).unwrap();
    app.nth_reply_containing(user, "Payment received", n).await;
    let sql = format!(
        "SELECT value_usd_micros, fee_usd_micros, owner_usd_micros FROM payments \
         WHERE invoice_id = {} AND value_usd_micros IS NOT NULL",
        invoice.id
    );
    eventually("the payment valued and split", async || {
        app.run_jobs_once().await;
        sqlx::query_as::<_, (i64, i64, i64)>(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_optional(app.ctx.db.pool())
            .await
            .unwrap()
    })
    .await
}

fn assert_fee_is_3_percent(value: i64, fee: i64, owner: i64, charged: i64) {
    assert_eq!(value, fee + owner);
    assert_eq!(owner, value * 97 / 100, "the owner keeps 97 % (floored)");
    // What was charged (the discounted price), less the simulated 1 % conversion loss.
    assert!(
        value <= charged && value >= charged * 98 / 100,
        "valued {value} for {charged} charged"
    );
}

async fn codes_typed_by_the_owner_discount_the_invoice_and_the_split(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let tiers = app.ctx.db.tiers(channel.id).await.unwrap();

    // Bad lines: a clear refusal each, nothing stored, the question stays open.
    owner_types_code(
        &app,
        &channel,
        "SPRING20 100%",
        "whole percent from 1% to 99%",
    )
    .await;
    type_expect(&app, OWNER, "ab 20%", "3–32 letters").await;
    type_expect(&app, OWNER, "SPRING20 20% plan=7", "no such plan").await;
    type_expect(&app, OWNER, "SPRING20 $4.50 plan=1", "below $1.00").await;
    type_expect(
        &app,
        OWNER,
        "SPRING20 20% uses=0",
        "did not understand the options",
    )
    .await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM promo_codes").await, 0);
    // A 20 % code, then a $3 code for the second plan only.
    type_expect(&app, OWNER, "SPRING20 20%", "saved: 20% off").await;
    let saved = app.reply_containing(OWNER, "saved: 20% off").await;
    assert!(
        saved
            .text
            .as_deref()
            .unwrap()
            .contains(&format!("?start=c_{}_p_SPRING20", channel.code))
    );
    owner_types_code(&app, &channel, "Welcome $3 plan=2", "saved: $3.00 off").await;
    // Codes are unique per channel in any letter case.
    owner_types_code(&app, &channel, "spring20 10%", "already has the code").await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM promo_codes").await, 2);
    let spring = code(&app, &channel, "SPRING20").await;
    let welcome = code(&app, &channel, "welcome").await;
    assert_eq!(welcome.tier_id, Some(tiers[1].id));

    // Ann opens the deep link of SPRING20: every plan at 20 % off.
    let ann = app.user(41, "Ann", Some("en"));
    let card = open_promo_link(&app, ann, &channel, "SPRING20", "Code SPRING20 applied").await;
    let data = card.callback_data();
    assert_eq!(
        data,
        vec![
            format!("pbuy:{}:{}", tiers[0].id, spring.id),
            format!("pbuy:{}:{}", tiers[1].id, spring.id)
        ]
    );
    assert!(card.buttons()[0].0.contains("$4.00 (was $5.00)"));
    assert!(card.buttons()[1].0.contains("$10.00 (was $12.50)"));
    let inv = press_expect(&app, ann, &card, &data[0], "Pay with any coin").await;
    assert!(inv.text.as_deref().unwrap().contains("$4.00"));
    let invoice = app.ctx.db.recent_invoices(ann, 1).await.unwrap().remove(0);
    assert_eq!(invoice.price.micros(), 4_000_000);
    assert_eq!(invoice.promo_code_id, Some(spring.id));
    assert_eq!(code(&app, &channel, "SPRING20").await.uses, 1);
    // A second press shows the same invoice; the use is not counted twice.
    press_expect(&app, ann, &card, &data[0], "Pay with any coin").await;
    assert_eq!(app.ctx.db.recent_invoices(ann, 5).await.unwrap().len(), 1);
    assert_eq!(code(&app, &channel, "SPRING20").await.uses, 1);
    let (value, fee, owner) = pay_newest(&app, ann, dec!(4)).await;
    assert_fee_is_3_percent(value, fee, owner, 4_000_000);
    // One use per user: the link again is refused, the full-price plans still offered.
    let again = open_promo_link(
        &app,
        ann,
        &channel,
        "SPRING20",
        "already used this promo code",
    )
    .await;
    assert_eq!(
        again.callback_data(),
        vec![
            format!("buy:{}", tiers[0].id),
            format!("buy:{}", tiers[1].id)
        ]
    );
    // A forged press of the discounted button is refused as well, nothing new.
    inject_expect(
        &app,
        ann,
        card.message_id,
        &data[1],
        "already used this promo code",
    )
    .await;
    assert_eq!(app.ctx.db.recent_invoices(ann, 5).await.unwrap().len(), 1);

    // Bob enters the $3 code on the channel card ("🏷 I have a code"), in lower case.
    let bob = app.user(42, "Bob", Some("en"));
    let card = type_expect(
        &app,
        bob,
        &format!("/start c_{}", channel.code),
        "Choose a plan",
    )
    .await;
    let ask = format!("promo:{}", channel.id);
    assert!(card.callback_data().contains(&ask));
    press_expect(&app, bob, &card, &ask, "Send your promo code").await;
    let applied = type_expect(&app, bob, "welcome", "Code Welcome applied").await;
    // The first plan at full price (the code is for plan 2), the second at $9.50.
    assert_eq!(
        applied.callback_data(),
        vec![
            format!("buy:{}", tiers[0].id),
            format!("pbuy:{}:{}", tiers[1].id, welcome.id)
        ]
    );
    // A forged press of the code on plan 1: another plan, nothing written.
    inject_expect(
        &app,
        bob,
        applied.message_id,
        &format!("pbuy:{}:{}", tiers[0].id, welcome.id),
        "for another plan",
    )
    .await;
    assert!(app.ctx.db.recent_invoices(bob, 5).await.unwrap().is_empty());
    press_expect(
        &app,
        bob,
        &applied,
        &applied.callback_data()[1],
        "Pay with any coin",
    )
    .await;
    let invoice = app.ctx.db.recent_invoices(bob, 1).await.unwrap().remove(0);
    assert_eq!(invoice.price.micros(), 9_500_000);
    let (value, fee, owner) = pay_newest(&app, bob, dec!(9.5)).await;
    assert_fee_is_3_percent(value, fee, owner, 9_500_000);
    // A code that does not exist: a clear answer with the full-price plans.
    press_expect(&app, bob, &card, &ask, "Send your promo code").await;
    let nope = type_expect(&app, bob, "NOPE-1", "does not exist").await;
    assert_eq!(nope.callback_data().len(), 2);

    // The owner's list: uses, paid uses and revenue per code.
    let list = owner_promos(&app, &channel).await;
    let text = list.text.clone().unwrap();
    let spring_value = count(
        &app,
        &format!(
            "SELECT CAST(SUM(p.value_usd_micros) AS BIGINT) FROM payments p JOIN invoices i ON i.id = p.invoice_id \
             WHERE i.promo_code_id = {}",
            spring.id
        ),
    )
    .await;
    let spring_rev = telepay::domain::money::UsdMicros::from_micros(spring_value)
        .localized(telepay::domain::lang::Lang::En);
    assert!(
        text.contains(&format!(
            "SPRING20 — 20% off · uses 1/∞ · paid 1 · revenue {spring_rev}"
        )),
        "{text}"
    );
    assert!(
        text.contains("Welcome — $3.00 off · 🥈 · uses 1/∞ · paid 1"),
        "{text}"
    );
    assert!(text.contains("Paid with a code: 2"), "{text}");
    // The owner's balance has the line too.
    let bal = type_expect(&app, OWNER, "/balance", "All 1 channels").await;
    press_expect(
        &app,
        OWNER,
        &bal,
        &format!("o:bal:{}", channel.id),
        "Promo codes: 2 paid, revenue",
    )
    .await;
    audit_clean(&app).await;
}

async fn expiry_turning_off_and_replacing_an_open_invoice(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let tiers = app.ctx.db.tiers(channel.id).await.unwrap();
    owner_types_code(&app, &channel, "SOON 10% days=1", "saved: 10% off").await;
    owner_types_code(&app, &channel, "HALF 50%", "saved: 50% off").await;
    let half = code(&app, &channel, "HALF").await;

    // Cat has a full-price invoice open, then applies HALF: the open invoice is replaced by
    // one at the discounted price (one checkout per user and plan still holds).
    let cat = app.user(51, "Cat", Some("en"));
    let plain = type_expect(
        &app,
        cat,
        &format!("/start c_{}", channel.code),
        "Choose a plan",
    )
    .await;
    press_expect(
        &app,
        cat,
        &plain,
        &format!("buy:{}", tiers[0].id),
        "Pay with any coin",
    )
    .await;
    let full_id = app.ctx.db.recent_invoices(cat, 1).await.unwrap()[0].id;
    let card = open_promo_link(&app, cat, &channel, "HALF", "Code HALF applied").await;
    press_expect(
        &app,
        cat,
        &card,
        &card.callback_data()[0],
        "Pay with any coin",
    )
    .await;
    let newest = app.ctx.db.recent_invoices(cat, 1).await.unwrap().remove(0);
    assert_eq!(newest.price.micros(), 2_500_000);
    assert_eq!(newest.promo_code_id, Some(half.id));
    let full = app.ctx.db.invoice(full_id).await.unwrap().unwrap();
    assert_eq!(full.status, InvoiceStatus::Expired);
    // A plain plan press now shows the open discounted invoice again (no second invoice).
    let plain = type_expect(
        &app,
        cat,
        &format!("/start c_{}", channel.code),
        "Choose a plan",
    )
    .await;
    press_expect(
        &app,
        cat,
        &plain,
        &format!("buy:{}", tiers[0].id),
        "Pay with any coin",
    )
    .await;
    assert_eq!(
        app.ctx.db.recent_invoices(cat, 1).await.unwrap()[0].id,
        newest.id
    );
    assert_eq!(code(&app, &channel, "HALF").await.uses, 1);

    // The invoice lapses unpaid: the owner's list gives the use back, and Cat may use it again.
    app.clock.advance(Duration::from_secs(2 * 3600));
    let list = owner_promos(&app, &channel).await;
    assert!(
        list.text
            .as_deref()
            .unwrap()
            .contains("HALF — 50% off · uses 0/∞")
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM promo_redemptions").await,
        0
    );
    let card = open_promo_link(&app, cat, &channel, "HALF", "Code HALF applied").await;

    // The owner turns HALF off: refused from then on, even on the card shown before.
    let list = owner_promos(&app, &channel).await;
    press_expect(
        &app,
        OWNER,
        &list,
        &format!("o:promooff:{}", half.id),
        "turned off",
    )
    .await;
    press_expect(&app, cat, &card, &card.callback_data()[0], "does not exist").await;
    // Someone else's code cannot be turned off by a stranger.
    let eve = app.user(52, "Eve", Some("en"));
    let soon = code(&app, &channel, "SOON").await;
    inject_expect(
        &app,
        eve,
        list.message_id,
        &format!("o:promooff:{}", soon.id),
        "not available",
    )
    .await;
    assert!(code(&app, &channel, "SOON").await.active);

    // SOON expires after a day.
    app.clock.advance(DAY);
    open_promo_link(&app, eve, &channel, "SOON", "has expired").await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM promo_redemptions").await,
        0
    );
    audit_clean(&app).await;
}

/// Two users press the last use at the same moment through the bot, and six checkouts race
/// for two uses through the library: each use goes to exactly one of them.
async fn racing_for_the_last_use_counts_it_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let tiers = app.ctx.db.tiers(channel.id).await.unwrap();
    owner_types_code(&app, &channel, "LAST 20% uses=1", "saved: 20% off").await;
    let last = code(&app, &channel, "LAST").await;
    let (u1, u2) = (
        app.user(61, "Uno", Some("en")),
        app.user(62, "Dos", Some("en")),
    );
    let c1 = open_promo_link(&app, u1, &channel, "LAST", "Code LAST applied").await;
    let c2 = open_promo_link(&app, u2, &channel, "LAST", "Code LAST applied").await;
    app.press(u1, c1.message_id, &c1.callback_data()[0]);
    app.press(u2, c2.message_id, &c2.callback_data()[0]);
    let outcome = |u: i64| {
        let app = &app;
        async move {
            app.reply(u, |m| {
                m.text
                    .as_deref()
                    .is_some_and(|t| t.contains("Pay with any coin") || t.contains("used up"))
            })
            .await
            .text
            .unwrap()
            .contains("Pay with any coin")
        }
    };
    let (won1, won2) = (outcome(u1).await, outcome(u2).await);
    assert!(
        won1 ^ won2,
        "exactly one gets the last use ({won1}, {won2})"
    );
    let loser = if won1 { u2 } else { u1 };
    assert!(
        app.ctx
            .db
            .recent_invoices(loser, 5)
            .await
            .unwrap()
            .is_empty()
    );
    let last_now = code(&app, &channel, "LAST").await;
    assert_eq!(last_now.uses, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM promo_redemptions").await,
        1
    );

    // Six checkouts at once for a code with two uses.
    owner_types_code(&app, &channel, "TWO $1 uses=2", "saved: $1.00 off").await;
    let two = code(&app, &channel, "TWO").await;
    let users: Vec<i64> = (70..76).collect();
    for id in &users {
        // Users the bot has seen (checkout names them); the race itself is the point here.
        crate::support::fixtures::owner(&app.ctx.db, *id, app.clock.now()).await;
    }
    let tier = tiers[0].id;
    let results = futures::future::join_all(users.iter().map(|u| {
        let ctx = app.ctx.clone();
        let u = *u;
        tokio::spawn(async move {
            telepay::payments::checkout::checkout_with_promo(&ctx, u, tier, Some(two.id)).await
        })
    }))
    .await;
    let mut won = 0;
    for r in results {
        match r.unwrap() {
            Ok((invoice, true)) => {
                assert_eq!(invoice.price.micros(), 4_000_000);
                won += 1;
            }
            Err(telepay::payments::checkout::CheckoutError::Promo(
                telepay::domain::promo::PromoRefusal::UsedUp,
            )) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 2);
    assert_eq!(code(&app, &channel, "TWO").await.uses, 2);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM promo_redemptions WHERE code_id = {}",
                two.id
            )
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM invoices WHERE promo_code_id = {}",
                two.id
            )
        )
        .await,
        2
    );
    // The winner never pays: once that invoice lapses the use is given back, and the other
    // user gets the code after all.
    app.clock.advance(Duration::from_secs(2 * 3600));
    let winner = if won1 { u1 } else { u2 };
    let again = open_promo_link(&app, loser, &channel, "LAST", "Code LAST applied").await;
    press_expect(
        &app,
        loser,
        &again,
        &again.callback_data()[0],
        "Pay with any coin",
    )
    .await;
    assert_eq!(code(&app, &channel, "LAST").await.uses, 1);
    let sql = format!(
        "SELECT user_id FROM promo_redemptions WHERE code_id = {}",
        last.id
    );
    assert_eq!(count(&app, &sql).await, loser);
    let _ = winner;
    audit_clean(&app).await;
}

on_both_backends!(
    codes_typed_by_the_owner_discount_the_invoice_and_the_split,
    expiry_turning_off_and_replacing_an_open_invoice,
    racing_for_the_last_use_counts_it_once,
);
