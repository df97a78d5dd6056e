//! The subscriber journey end to end: deep link → channel card → invoice at NOWPayments →
//! signed IPNs → access → join request approved; renewal, reminders and expiry.

use std::time::Duration;

use rust_decimal_macros::dec;
use telepay::domain::states::{InvoiceStatus, SubscriptionStatus};
use telepay::domain::time::Clock;
use telepay::store::channels::{Channel, PayoutStrategy};
use telepay_sim::nowpayments::PayIn;
use telepay_sim::nowpayments::PaymentStatus;
use telepay_sim::telegram::{AdminRights, NewChat};

use crate::on_both_backends;
use crate::support::app::{NP_IPN_SECRET, TestApp, WAIT, spawn_app};
use crate::support::db::Backend;
use crate::support::fixtures;

const OWNER: i64 = 500;
pub(crate) const CHAT: i64 = -100_777_000;

/// A registered channel in which the bot is a full admin.
pub(crate) async fn live_channel(app: &TestApp) -> Channel {
    app.user(OWNER, "Olga", Some("en"));
    app.tg
        .add_chat(NewChat::channel(CHAT, "Alpha Signals").owner(OWNER));
    app.tg.set_bot_rights(CHAT, AdminRights::full());
    fixtures::channel(
        &app.ctx.db,
        OWNER,
        CHAT,
        PayoutStrategy::Instant,
        app.clock.now(),
    )
    .await
}

/// Opens the deep link, presses the first tier and returns the invoice's NOWPayments id.
pub(crate) async fn buy_first_tier(app: &TestApp, user: i64, channel: &Channel) -> (i64, String) {
    let (cards, invoices) = (
        app.count_containing(user, "Choose a plan"),
        app.count_containing(user, "Pay with any coin"),
    );
    app.send_text(user, &format!("/start c_{}", channel.code));
    let card = app.nth_reply_containing(user, "Choose a plan", cards).await;
    let data = card.callback_data();
    assert_eq!(data.len(), 2, "one button per tier");
    app.press(user, card.message_id, &data[0]);
    let inv_msg = app
        .nth_reply_containing(user, "Pay with any coin", invoices)
        .await;
    let buttons = inv_msg.buttons();
    let url = buttons[0].2.clone().expect("a URL button");
    assert!(url.contains("/payment/?iid="), "{url}");
    let invoices = app.ctx.db.recent_invoices(user, 5).await.unwrap();
    let inv = &invoices[0];
    assert_eq!(inv.status, InvoiceStatus::Open);
    (inv.id, inv.np_invoice_id.clone().unwrap())
}

pub(crate) fn usdt(amount: rust_decimal::Decimal) -> PayIn {
    PayIn::exact("usdttrc20", amount).outcome("usdttrc20", amount * dec!(0.99))
}

/// NOWPayments invoice ids are numbers in its API; we store them as text.
pub(crate) fn np_id(id: &str) -> u64 {
    id.parse().expect("numeric NOWPayments id")
}

async fn deep_link_to_membership(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(1, "Sam", Some("en"));
    let (invoice_id, np_invoice) = buy_first_tier(&app, u, &channel).await;

    let payment = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    app.np.advance_to_finished(payment).unwrap();
    let dm = app.reply_containing(u, "Payment received").await;
    let link = dm.buttons()[0].2.clone().expect("join link");
    let sub = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert!(sub.is_active(app.clock.now()));
    let days = (sub.expires_at.as_millis() - app.clock.now().as_millis()) / 86_400_000;
    assert!((29..=30).contains(&days), "{days} days");
    // The invoice message followed the statuses and ended at "paid".
    app.reply_containing(u, "Paid in full").await;
    assert_eq!(
        app.ctx
            .db
            .invoice(invoice_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        InvoiceStatus::Paid
    );

    // The user opens the personal link: a join request, approved because they paid.
    app.tg.user_opens_invite_link(u, &link).unwrap();
    app.tg
        .wait_for(WAIT, |tg| tg.member_status(CHAT, u).is_present())
        .await
        .unwrap();

    // A stranger with the same link is declined.
    let stranger = app.user(2, "Eve", None);
    app.tg.user_opens_invite_link(stranger, &link).unwrap();
    app.tg
        .wait_for_calls("declineChatJoinRequest", 1, WAIT)
        .await
        .unwrap();
    assert!(!app.tg.member_status(CHAT, stranger).is_present());
}

async fn lesson_3_the_same_ipn_fifty_times_changes_things_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(3, "Ann", None);
    let (_, np_invoice) = buy_first_tier(&app, u, &channel).await;
    let payment = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    app.np.set_status(payment, PaymentStatus::Finished).unwrap();
    app.reply_containing(u, "Payment received").await;
    let body = app.np.ipn_body(payment).unwrap();
    let mut sends = Vec::new();
    for _ in 0..50 {
        let app_url = format!("http://{}/webhooks/nowpayments", app.addr);
        let (b, sig) = (
            body.to_string(),
            telepay::providers::nowpayments::ipn::sign_body(NP_IPN_SECRET, &body),
        );
        let http = app.http.clone();
        sends.push(tokio::spawn(async move {
            http.post(app_url)
                .header("x-nowpayments-sig", sig)
                .body(b)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for s in sends {
        assert_eq!(s.await.unwrap(), 200);
    }
    app.run_jobs_once().await;
    let sub = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.ctx.db.grant_count(sub.id).await.unwrap(),
        1,
        "one subscription change"
    );
    assert_eq!(
        app.ctx.db.live_invite_links(sub.id).await.unwrap().len(),
        1,
        "one invite"
    );
    let dms = app
        .tg
        .messages_in(u)
        .into_iter()
        .filter(|m| {
            m.text
                .as_deref()
                .is_some_and(|t| t.contains("Payment received"))
        })
        .count();
    assert_eq!(dms, 1, "one access message");
}

async fn forged_and_unsigned_ipns_are_refused_and_change_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(4, "Bo", None);
    let (_, np_invoice) = buy_first_tier(&app, u, &channel).await;
    let payment = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    app.np.wait_idle(WAIT).await.unwrap();
    let events = || async {
        let n: i64 = sqlx::Row::get(
            &sqlx::query("SELECT COUNT(*) FROM payment_events")
                .fetch_one(app.ctx.db.pool())
                .await
                .unwrap(),
            0,
        );
        n
    };
    let before = events().await;
    assert_eq!(before, 1, "the genuine waiting IPN");
    let mut body = app.np.ipn_body(payment).unwrap();
    body["payment_status"] = "finished".into();
    let url = format!("http://{}/webhooks/nowpayments", app.addr);
    let raw = body.to_string();
    let good = telepay::providers::nowpayments::ipn::sign_body(NP_IPN_SECRET, &body);
    let wrong_secret = telepay::providers::nowpayments::ipn::sign_body("not-the-secret", &body);
    for sig in [None, Some(wrong_secret.as_str()), Some("deadbeef")] {
        let mut req = app.http.post(&url).body(raw.clone());
        if let Some(s) = sig {
            req = req.header("x-nowpayments-sig", s);
        }
        assert_eq!(req.send().await.unwrap().status(), 401);
    }
    // Tampered after signing: the amount changed, the signature no longer matches.
    let tampered = raw
        .replace("\"finished\"", "\"finished\" ")
        .replace(":5,", ":500,");
    let r = app
        .http
        .post(&url)
        .header("x-nowpayments-sig", &good)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(70 * 1024));
    let r = app
        .http
        .post(&url)
        .header("x-nowpayments-sig", &good)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(events().await, before, "nothing written");
    assert!(
        app.ctx
            .db
            .subscription_of(u, channel.id)
            .await
            .unwrap()
            .is_none()
    );
}

/// Pays the first tier in full and waits for the access message; returns its join link.
pub(crate) async fn pay_and_get_link(app: &TestApp, user: i64, channel: &Channel) -> String {
    let before = app
        .tg
        .messages_in(user)
        .into_iter()
        .filter(|m| {
            m.text
                .as_deref()
                .is_some_and(|t| t.contains("Payment received"))
        })
        .count();
    let (_, np_invoice) = buy_first_tier(app, user, channel).await;
    let payment = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    app.np.advance_to_finished(payment).unwrap();
    let dms = app
        .tg
        .wait_until(WAIT, |tg| {
            let m: Vec<_> = tg
                .messages_in(user)
                .into_iter()
                .filter(|m| {
                    m.text
                        .as_deref()
                        .is_some_and(|t| t.contains("Payment received"))
                })
                .collect();
            (m.len() > before).then_some(m)
        })
        .await
        .unwrap();
    dms.last().unwrap().buttons()[0].2.clone().unwrap()
}

const DAY: Duration = Duration::from_secs(86_400);

/// Lesson 53: paying early stacks days; the renewal is never cut short.
async fn lesson_53_early_renewal_stacks_days(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(10, "Kim", None);
    pay_and_get_link(&app, u, &channel).await;
    let first = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    app.clock.advance(DAY * 10);
    pay_and_get_link(&app, u, &channel).await;
    let second = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        second.expires_at.as_millis() - first.expires_at.as_millis(),
        30 * 86_400_000
    );
    assert_eq!(app.ctx.db.grant_count(second.id).await.unwrap(), 2);
    // At the first expiry nothing happens to the renewed subscriber.
    app.clock.advance(DAY * 21);
    app.run_jobs_once().await;
    let now = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert!(now.is_active(app.clock.now()));
    assert!(app.tg.calls_of("banChatMember").is_empty());
}

/// Lesson 53: a lapsed subscriber is removed (and can come back by paying again).
async fn lesson_53_expiry_removes_and_paying_again_lets_back_in(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(11, "Lea", Some("es"));
    let link = pay_and_get_link_es(&app, u, &channel).await;
    app.tg.user_opens_invite_link(u, &link).unwrap();
    app.tg
        .wait_for(WAIT, |tg| tg.member_status(CHAT, u).is_present())
        .await
        .unwrap();

    // Reminders arrive before the end.
    app.clock.advance(DAY * 27 + Duration::from_secs(3600));
    app.run_jobs_once().await;
    app.reply_containing(u, "termina el").await;

    app.clock.advance(DAY * 3);
    app.run_jobs_once().await;
    app.tg
        .wait_for(WAIT, |tg| !tg.member_status(CHAT, u).is_present())
        .await
        .unwrap();
    let bye = app.reply_containing(u, "ha terminado").await;
    let sub = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Expired);
    // Idempotent: another sweep does nothing more.
    app.run_jobs_once().await;
    assert_eq!(app.tg.calls_of("banChatMember").len(), 1);
    // ban then unban with only_if_banned: free to come back.
    let unban = app.tg.calls_of("unbanChatMember");
    assert_eq!(unban[0].params["only_if_banned"], serde_json::json!(true));

    // Renew from the goodbye message.
    let renew = bye.callback_data()[0].clone();
    let before = app.count_containing(u, "Paga con cualquier moneda");
    app.press(u, bye.message_id, &renew);
    let inv = app
        .nth_reply_containing(u, "Paga con cualquier moneda", before)
        .await;
    assert!(inv.buttons()[0].2.is_some());
    let invoices = app.ctx.db.recent_invoices(u, 1).await.unwrap();
    let payment = app
        .np
        .pay(
            np_id(invoices[0].np_invoice_id.as_deref().unwrap()),
            usdt(dec!(5)),
        )
        .unwrap();
    app.np.advance_to_finished(payment).unwrap();
    let link = app
        .tg
        .wait_until(WAIT, |tg| {
            tg.messages_in(u)
                .into_iter()
                .filter(|m| {
                    m.text
                        .as_deref()
                        .is_some_and(|t| t.contains("Pago recibido"))
                })
                .nth(1)
                .and_then(|m| m.buttons().first().and_then(|b| b.2.clone()))
        })
        .await
        .unwrap();
    app.tg.user_opens_invite_link(u, &link).unwrap();
    app.tg
        .wait_for(WAIT, |tg| tg.member_status(CHAT, u).is_present())
        .await
        .unwrap();
}

async fn pay_and_get_link_es(app: &TestApp, user: i64, channel: &Channel) -> String {
    app.send_text(user, &format!("/start c_{}", channel.code));
    let card = app.reply_containing(user, "Elige un plan").await;
    app.press(user, card.message_id, &card.callback_data()[0]);
    app.reply_containing(user, "Paga con cualquier moneda")
        .await;
    let invoices = app.ctx.db.recent_invoices(user, 1).await.unwrap();
    let payment = app
        .np
        .pay(
            np_id(invoices[0].np_invoice_id.as_deref().unwrap()),
            usdt(dec!(5)),
        )
        .unwrap();
    app.np.advance_to_finished(payment).unwrap();
    let dm = app.reply_containing(user, "Pago recibido").await;
    dm.buttons()[0].2.clone().unwrap()
}

/// Statuses may arrive out of order: a final status is never overwritten by an earlier one.
async fn out_of_order_statuses_only_move_forward(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(12, "Max", None);
    let (invoice_id, np_invoice) = buy_first_tier(&app, u, &channel).await;
    let payment = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    app.np.set_status(payment, PaymentStatus::Finished).unwrap();
    app.reply_containing(u, "Payment received").await;
    app.np
        .set_status(payment, PaymentStatus::Confirming)
        .unwrap();
    app.np.set_status(payment, PaymentStatus::Waiting).unwrap();
    app.run_jobs_once().await;
    assert_eq!(
        app.ctx
            .db
            .latest_payment_status(invoice_id)
            .await
            .unwrap()
            .as_deref(),
        Some("finished")
    );
    let sub = app
        .ctx
        .db
        .subscription_of(u, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.ctx.db.grant_count(sub.id).await.unwrap(), 1);
}

/// A deposit that lands after NOWPayments called the payment expired still grants access.
/// NOWPayments sends no IPN after `expired`; the late `finished` reaches the same intake (here
/// posted as a signed notification, as a reconciliation poll would feed it).
async fn a_late_deposit_after_expiry_still_grants(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(19, "Zoe", None);
    let (invoice_id, np_invoice) = buy_first_tier(&app, u, &channel).await;
    let payment = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    app.np.set_status(payment, PaymentStatus::Expired).unwrap();
    app.np.wait_idle(WAIT).await.unwrap();
    assert_eq!(
        app.ctx
            .db
            .invoice(invoice_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        InvoiceStatus::Expired
    );
    let mut late = app.np.ipn_body(payment).unwrap();
    late["payment_status"] = "finished".into();
    late["actually_paid"] = 5.into();
    assert_eq!(app.post_ipn(&late).await, 200);
    app.reply_containing(u, "Payment received").await;
    assert_eq!(
        app.ctx
            .db
            .invoice(invoice_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        InvoiceStatus::Paid
    );
}

/// Lessons 2, 6: unknown orders and child payments are kept for review and never grant.
async fn lesson_2_and_6_orphans_and_child_payments_never_grant(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(13, "Ola", None);
    let (_, np_invoice) = buy_first_tier(&app, u, &channel).await;
    let parent = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    let child = app.np.child_payment(parent, usdt(dec!(5))).unwrap();
    app.np.set_status(child, PaymentStatus::Finished).unwrap();
    let mut unknown = app.np.ipn_body(child).unwrap();
    unknown["payment_id"] = 999_999_001u64.into();
    unknown["parent_payment_id"] = serde_json::Value::Null;
    unknown["order_id"] = "123".into();
    assert_eq!(
        app.post_ipn(&unknown).await,
        200,
        "answered, so NOWPayments stops retrying"
    );
    app.np.wait_idle(WAIT).await.unwrap();
    app.run_jobs_once().await;
    assert!(
        app.ctx
            .db
            .subscription_of(u, channel.id)
            .await
            .unwrap()
            .is_none()
    );
    let alerts: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) FROM alerts WHERE kind = 'orphan_payment'")
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap(),
        0,
    );
    assert_eq!(alerts, 2);
}

/// Lesson 10: underpayment is judged in USD; within tolerance grants, below offers a top-up
/// and both payments together grant.
async fn lesson_10_underpayment_tolerance_and_top_up(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let within = app.user(14, "Ida", None);
    let (_, inv) = buy_first_tier(&app, within, &channel).await;
    let mut pay = usdt(dec!(5));
    pay.actually_paid = dec!(4.90);
    let p = app.np.pay(np_id(&inv), pay).unwrap();
    app.np.set_status(p, PaymentStatus::PartiallyPaid).unwrap();
    app.reply_containing(within, "Payment received").await;

    let below = app.user(15, "Jon", None);
    let (_, inv) = buy_first_tier(&app, below, &channel).await;
    let mut pay = usdt(dec!(5));
    pay.actually_paid = dec!(4);
    let p = app.np.pay(np_id(&inv), pay).unwrap();
    app.np.set_status(p, PaymentStatus::PartiallyPaid).unwrap();
    let offer = app.reply_containing(below, "$1.00 short").await;
    assert!(
        app.ctx
            .db
            .subscription_of(below, channel.id)
            .await
            .unwrap()
            .is_none()
    );
    let topup = app
        .ctx
        .db
        .recent_invoices(below, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        topup.price,
        telepay::domain::money::UsdMicros::from_cents(100)
    );
    assert!(offer.buttons()[0].2.is_some());
    let p2 = app
        .np
        .pay(
            np_id(topup.np_invoice_id.as_deref().unwrap()),
            usdt(dec!(1)),
        )
        .unwrap();
    app.np.advance_to_finished(p2).unwrap();
    app.reply_containing(below, "Payment received").await;
    let sub = app
        .ctx
        .db
        .subscription_of(below, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sub.locked_days, 30);
}

/// Lesson 12: a donation is its own kind: no subscription, no invite; the owner is told.
async fn lesson_12_donations_grant_nothing_and_notify_the_owner(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(16, "Pia", None);
    app.send_text(u, &format!("/start c_{}_d", channel.code));
    app.reply_containing(u, "How much would you like to give")
        .await;
    app.send_text(u, "0.5");
    app.reply_containing(u, "Please send an amount").await;
    app.send_text(u, "7.25");
    app.reply_containing(u, "Donation to").await;
    let inv = app.ctx.db.recent_invoices(u, 1).await.unwrap().remove(0);
    assert_eq!(inv.kind, telepay::store::invoices::InvoiceKind::Donation);
    let p = app
        .np
        .pay(
            np_id(inv.np_invoice_id.as_deref().unwrap()),
            usdt(dec!(7.25)),
        )
        .unwrap();
    app.np.advance_to_finished(p).unwrap();
    app.reply_containing(OWNER, "New donation").await;
    app.run_jobs_once().await;
    assert!(
        app.ctx
            .db
            .subscription_of(u, channel.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.tg.calls_of("createChatInviteLink").is_empty());
}

/// Issue 11 item 3: a donation of `1,000` is refused with the accepted forms and no invoice
/// is opened (none at NOWPayments either); `5 usd` is a $5.00 invoice; a ru donor's
/// `1000,50` is $1000.50, shown as `1 000,50 $`.
async fn typed_donations_mean_one_thing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(17, "Pia", Some("en"));
    app.send_text(u, &format!("/start c_{}_d", channel.code));
    let ask = app
        .reply_containing(u, "How much would you like to give")
        .await;
    assert!(
        ask.text.clone().unwrap().contains("Accepted forms"),
        "{:?}",
        ask.text
    );
    for (bad, why) in [
        ("1,000", "can be read two ways"),
        ("1 000", "can be read two ways"),
        ("-5", "cannot be negative"),
        ("0", "more than zero"),
        ("0.50", "below the minimum"),
        ("5.5555", "At most two decimals"),
    ] {
        let n = app.count_containing(u, why);
        app.send_text(u, bad);
        let refused = app.nth_reply_containing(u, why, n).await;
        let text = refused.text.clone().unwrap();
        assert!(
            text.contains("Please send an amount from $1.00 to $9,999.99."),
            "{bad}: {text}"
        );
        assert!(text.contains("Accepted forms"), "{bad}: {text}");
        assert!(
            app.np.invoices().is_empty(),
            "{bad}: nothing at NOWPayments"
        );
        assert!(app.ctx.db.recent_invoices(u, 5).await.unwrap().is_empty());
    }
    app.send_text(u, "5 usd");
    let created = app.reply_containing(u, "Donation to").await;
    assert!(
        created.text.clone().unwrap().contains(": $5.00."),
        "{:?}",
        created.text
    );
    let inv = app.ctx.db.recent_invoices(u, 5).await.unwrap().remove(0);
    assert_eq!(inv.kind, telepay::store::invoices::InvoiceKind::Donation);
    assert_eq!(
        inv.price,
        telepay::domain::money::UsdMicros::from_cents(500)
    );
    let at_np = app.np.invoices();
    assert_eq!(at_np.len(), 1);
    assert_eq!(at_np[0].price_amount, dec!(5));
    assert_eq!(at_np[0].price_currency, "usd");

    // The decimal comma of a Russian donor.
    let ru = app.user(18, "Ива́н", Some("ru"));
    app.send_text(ru, &format!("/start c_{}_d", channel.code));
    app.reply_containing(ru, "Сколько вы хотите пожертвовать")
        .await;
    app.send_text(ru, "1,000");
    app.reply_containing(ru, "можно понять двумя способами")
        .await;
    assert_eq!(app.np.invoices().len(), 1, "still only the $5 one");
    app.send_text(ru, "1000,50");
    let created = app.reply_containing(ru, "Пожертвование для").await;
    assert!(
        created
            .text
            .clone()
            .unwrap()
            .contains("1\u{a0}000,50\u{a0}$"),
        "{:?}",
        created.text
    );
    let inv = app.ctx.db.recent_invoices(ru, 5).await.unwrap().remove(0);
    assert_eq!(
        inv.price,
        telepay::domain::money::UsdMicros::from_cents(100_050)
    );
    let at_np = app.np.invoices();
    assert_eq!(at_np.len(), 2);
    assert!(at_np.iter().any(|i| i.price_amount == dec!(1000.50)));
}

/// Lesson 13: tampered links and callbacks are refused and create nothing.
async fn lesson_13_tampered_links_and_callbacks_create_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(17, "Rex", None);
    app.send_text(u, &format!("/start c_{}_1_price_1", channel.code));
    app.reply_containing(u, "This link is not valid").await;
    app.send_text(u, "/start c_NoSuchCode1");
    let card_count = 2;
    app.tg
        .wait_for(WAIT, |tg| {
            tg.messages_in(u)
                .iter()
                .filter(|m| m.text.as_deref().is_some_and(|t| t.contains("not valid")))
                .count()
                == card_count
        })
        .await
        .unwrap();
    app.send_text(u, &format!("/start c_{}", channel.code));
    let card = app.reply_containing(u, "Choose a plan").await;
    app.tg
        .inject_callback_raw(u, card.message_id, "buy:123456789")
        .unwrap();
    app.reply_containing(u, "no longer available").await;
    assert!(app.ctx.db.recent_invoices(u, 5).await.unwrap().is_empty());
    assert!(app.np.invoices().is_empty());
    // A paused channel sells nothing.
    app.ctx
        .db
        .set_sales_paused(channel.id, true, app.clock.now())
        .await
        .unwrap();
    app.press(u, card.message_id, &card.callback_data()[0]);
    app.reply_containing(u, "paused").await;
    assert!(app.np.invoices().is_empty());
}

/// Pressing the same tier again while its invoice is open reuses it.
async fn lesson_15_same_tier_reuses_the_invoice_and_status_page_never_sticks(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(18, "Sol", None);
    let (first, _) = buy_first_tier(&app, u, &channel).await;
    let card = app.reply_containing(u, "Choose a plan").await;
    app.press(u, card.message_id, &card.callback_data()[0]);
    app.tg
        .wait_for(WAIT, |tg| {
            tg.messages_in(u)
                .iter()
                .filter(|m| {
                    m.text
                        .as_deref()
                        .is_some_and(|t| t.contains("Pay with any coin"))
                })
                .count()
                == 2
        })
        .await
        .unwrap();
    let all = app.ctx.db.recent_invoices(u, 5).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, first);
    assert_eq!(app.np.invoices().len(), 1);
    // The status page shows it without internals; unknown ids are 404.
    let page = app.get(&format!("/pay/{first}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Waiting for your payment") && html.contains("https://t.me/"));
    assert_eq!(app.get("/pay/42").await.status(), 404);
    assert_eq!(app.get("/pay/abc").await.status(), 404);
}

on_both_backends!(
    a_late_deposit_after_expiry_still_grants,
    lesson_53_early_renewal_stacks_days,
    lesson_53_expiry_removes_and_paying_again_lets_back_in,
    out_of_order_statuses_only_move_forward,
    lesson_2_and_6_orphans_and_child_payments_never_grant,
    lesson_10_underpayment_tolerance_and_top_up,
    lesson_12_donations_grant_nothing_and_notify_the_owner,
    typed_donations_mean_one_thing,
    lesson_13_tampered_links_and_callbacks_create_nothing,
    lesson_15_same_tier_reuses_the_invoice_and_status_page_never_sticks,
    deep_link_to_membership,
    lesson_3_the_same_ipn_fifty_times_changes_things_once,
    forged_and_unsigned_ipns_are_refused_and_change_nothing,
);

/// /access re-issues a personal link and revokes the previous one; /status and /subscriptions
/// show what the subscriber has.
async fn access_reissues_and_revokes_and_status_shows_payments(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(20, "Uma", None);
    let old = pay_and_get_link(&app, u, &channel).await;
    app.send_text(u, "/access");
    let fresh = app.reply_containing(u, "new personal link").await;
    let new_link = fresh.buttons()[0].2.clone().unwrap();
    assert_ne!(new_link, old);
    let links = app.tg.invite_links(CHAT);
    assert!(
        links.iter().any(|l| l.link == old && l.is_revoked),
        "old link revoked"
    );
    app.send_text(u, "/status");
    app.reply_containing(u, "Your recent payments").await;
    app.send_text(u, "/subscriptions");
    let subs = app.reply_containing(u, "Your subscriptions").await;
    assert_eq!(subs.callback_data().len(), 1, "a renew button");
    // Someone without a subscription gets a plain answer.
    let v = app.user(21, "Val", None);
    app.send_text(v, "/access");
    app.reply_containing(v, "no active subscriptions").await;
}

/// One-time-link channels: the link admits one member and expires after INVITE_TTL.
async fn one_time_link_mode_admits_exactly_one(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    sqlx::query("UPDATE channels SET access_mode = 'one_time_link' WHERE id = $1")
        .bind(channel.id)
        .execute(app.ctx.db.pool())
        .await
        .unwrap();
    let u = app.user(22, "Wes", None);
    let link = pay_and_get_link(&app, u, &channel).await;
    let created = app.tg.calls_of("createChatInviteLink");
    assert_eq!(created[0].params["member_limit"], serde_json::json!(1));
    assert!(
        created[0]
            .params
            .get("creates_join_request")
            .is_none_or(|v| v != &serde_json::json!(true))
    );
    assert!(created[0].params["expire_date"].as_i64().is_some());
    app.tg.user_opens_invite_link(u, &link).unwrap();
    assert!(app.tg.member_status(CHAT, u).is_present());
    let other = app.user(23, "Xi", None);
    assert!(
        app.tg.user_opens_invite_link(other, &link).is_err(),
        "the link is used up"
    );
}

on_both_backends!(
    access_reissues_and_revokes_and_status_shows_payments,
    one_time_link_mode_admits_exactly_one,
);

/// NOWPayments sends nothing after `expired`; a late deposit is found by the reconciliation
/// poll (GET /payment/{id}) and grants through the same intake.
async fn reconciliation_finds_a_late_deposit_without_an_ipn(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let u = app.user(24, "Yan", None);
    let (invoice_id, np_invoice) = buy_first_tier(&app, u, &channel).await;
    let payment = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    app.np.set_status(payment, PaymentStatus::Expired).unwrap();
    app.np.wait_idle(WAIT).await.unwrap();
    let delivered = app.np.deliveries().len();
    app.np.set_status(payment, PaymentStatus::Finished).unwrap();
    app.np.wait_idle(WAIT).await.unwrap();
    assert_eq!(app.np.deliveries().len(), delivered, "no IPN after expiry");
    // Quiet for a while: the poll picks it up.
    app.clock.advance(Duration::from_secs(31 * 60));
    app.run_jobs_once().await;
    app.reply_containing(u, "Payment received").await;
    assert_eq!(
        app.ctx
            .db
            .invoice(invoice_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        InvoiceStatus::Paid
    );
    // Granted payments are not polled again.
    app.clock.advance(Duration::from_secs(16 * 60));
    let polls = app.np.calls().len();
    app.run_jobs_once().await;
    assert_eq!(app.np.calls().len(), polls);
}

on_both_backends!(reconciliation_finds_a_late_deposit_without_an_ipn);
