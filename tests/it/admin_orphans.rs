//! The operators' review of payments (issue 14 item 1, issue 11): orphans (unknown order_id,
//! child payments) and held payments wait in a queue; an operator assigns an orphan to an
//! invoice, releases a held payment or dismisses either with a reason — each shown first and
//! done only on the same operator's confirmation, with one admin log row, and done exactly as
//! the intake would have done it (grant, money records, invite).

use rust_decimal_macros::dec;
use serde_json::{Value, json};
use telepay::domain::states::{AdminLogAction, InvoiceStatus};
use telepay::domain::time::Clock;
use telepay::store::admin_log::AdminLogEntry;
use telepay_sim::nowpayments::PaymentStatus;

use crate::on_both_backends;
use crate::subscriber::{buy_first_tier, live_channel, np_id, usdt};
use crate::support::app::{Mode, TestApp, WAIT, spawn_app_with};
use crate::support::db::Backend;
use crate::support::wait::eventually;

const ADMIN: i64 = 900_001;
const OTHER_ADMIN: i64 = 900_002;
const EVE: i64 = 41;

async fn two_admins(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Mode::Polling, |raw| {
        raw.admin_ids = Some(format!("{ADMIN},{OTHER_ADMIN}"));
    })
    .await
}

/// A well-formed signed `finished` IPN paying $5.00 in full (as in hostile.rs).
fn finished(payment_id: u64, order_id: &str, np_invoice: u64) -> Value {
    json!({
        "payment_id": payment_id,
        "invoice_id": np_invoice,
        "payment_status": "finished",
        "pay_address": "TXyz",
        "price_amount": 5,
        "price_currency": "usd",
        "pay_amount": 5.1,
        "actually_paid": 5.1,
        "pay_currency": "usdttrc20",
        "order_id": order_id,
        "order_description": "sub",
        "purchase_id": "77",
        "outcome_amount": 5.0,
        "outcome_currency": "usdttrc20",
        "payment_extra_ids": null,
    })
}

#[derive(Debug)]
struct Row {
    id: i64,
    invoice_id: Option<i64>,
    review: Option<String>,
    review_reason: Option<String>,
    status: String,
    granted: bool,
    valued: bool,
}

async fn payment(app: &TestApp, np: u64) -> Option<Row> {
    type R = (
        i64,
        Option<i64>,
        Option<String>,
        Option<String>,
        String,
        Option<i64>,
        Option<i64>,
    );
    let r: Option<R> = sqlx::query_as(
        "SELECT id, invoice_id, review, review_reason, status, granted_at, value_usd_micros \
         FROM payments WHERE np_payment_id = $1",
    )
    .bind(np.to_string())
    .fetch_optional(app.ctx.db.pool())
    .await
    .unwrap();
    r.map(|r| Row {
        id: r.0,
        invoice_id: r.1,
        review: r.2,
        review_reason: r.3,
        status: r.4,
        granted: r.5.is_some(),
        valued: r.6.is_some(),
    })
}

async fn payment_in(app: &TestApp, np: u64, status: &str) -> Row {
    eventually(
        &format!("payment {np} stored as {status}"),
        async || match payment(app, np).await {
            Some(r) if r.status == status => Ok(r),
            other => Err(other),
        },
    )
    .await
}

async fn log(app: &TestApp) -> Vec<AdminLogEntry> {
    app.ctx.db.admin_log_all().await.unwrap()
}

async fn open_alerts_about(app: &TestApp, np: u64) -> usize {
    app.ctx
        .db
        .open_alerts(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.subject == np.to_string())
        .count()
}

async fn audit_clean(app: &TestApp) {
    let report = telepay::payouts::audit::audit(&app.ctx.db).await.unwrap();
    assert!(report.clean(), "{report}");
}

async fn events(app: &TestApp, np: u64) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM payment_events WHERE np_payment_id = $1")
            .bind(np.to_string())
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    n
}

/// A non-admin pressing the ask and the confirmation of `op`, and the second operator pressing
/// the first one's confirmation: all refused (checked by the caller: nothing changed, no row).
async fn replays_are_refused(app: &TestApp, admin_message: i32, op: &str) {
    let eve = app.user(EVE, "Eve", Some("en"));
    let seen = app.count_containing(eve, "did not understand");
    app.send_text(eve, "/admin");
    let reply = app
        .nth_reply_containing(eve, "did not understand", seen)
        .await;
    for data in [format!("a:?:{op}"), format!("a:!:{ADMIN}:{op}")] {
        app.tg
            .inject_callback_raw(eve, reply.message_id, &data)
            .unwrap();
    }
    // Barrier: one user's updates are handled in order.
    app.send_text(eve, "/admin");
    app.nth_reply_containing(eve, "did not understand", seen + 1)
        .await;
    assert_eq!(app.count_containing(eve, "Do it?"), 0);

    app.user(OTHER_ADMIN, "Ops2", Some("en"));
    let menus = app.count_containing(OTHER_ADMIN, "Operator menu");
    app.tg
        .inject_callback_raw(OTHER_ADMIN, admin_message, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.send_text(OTHER_ADMIN, "/admin");
    app.nth_reply_containing(OTHER_ADMIN, "Operator menu", menus)
        .await;
}

fn assert_row(e: &AdminLogEntry, action: AdminLogAction, subject: &str, before: &str, after: &str) {
    assert_eq!(e.admin_id, ADMIN, "{e:?}");
    assert_eq!(e.action, action, "{e:?}");
    assert_eq!(e.subject, subject, "{e:?}");
    assert_eq!(e.before.as_deref(), Some(before), "{e:?}");
    assert_eq!(e.after.as_deref(), Some(after), "{e:?}");
}

/// The queue pages, a card with its candidate invoice, `/assign` (bad input, a non-admin, the
/// confirmation showing both sides), an orphan assigned and granted with the owner's money
/// records, and an orphan dismissed whose later IPN moves nothing.
async fn orphans_are_listed_assigned_and_dismissed(backend: Backend) {
    let Some(app) = two_admins(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let buyer = app.user(13, "Ola", Some("en"));
    let (invoice, np_invoice) = buy_first_tier(&app, buyer, &channel).await;

    // Nine signed IPNs for an order that is not ours: nine orphans, answered 200.
    let nps: Vec<u64> = (990_001..=990_009).collect();
    for np in &nps {
        let body = finished(*np, "123456789", np_id(&np_invoice) + 1000);
        assert_eq!(app.post_ipn(&body).await, 200);
        // A minute apart, so "newest first" has an order to show.
        app.clock.advance(std::time::Duration::from_secs(60));
    }
    let rows = {
        let mut v = Vec::new();
        for np in &nps {
            v.push(payment_in(&app, *np, "finished").await);
        }
        v
    };
    assert!(rows.iter().all(|r| r.invoice_id.is_none() && !r.granted));

    let admin = app.user(ADMIN, "Ops", Some("en"));
    app.send_text(admin, "/admin");
    let menu = app.reply_containing(admin, "Operator menu").await;
    app.press(admin, menu.message_id, "a:or:0");
    let page0 = app.reply_containing(admin, "9 waiting").await;
    let text = page0.text.clone().unwrap();
    assert!(
        text.contains("990009") && !text.contains("990001"),
        "{text}"
    );
    assert!(
        text.contains("orphan") && text.contains("5.1 USDTTRC20"),
        "{text}"
    );
    let data = page0.callback_data();
    assert_eq!(
        data.iter().filter(|d| d.starts_with("a:od:")).count(),
        8,
        "{data:?}"
    );
    assert!(data.contains(&"a:or:1".to_owned()), "{data:?}");
    app.press(admin, page0.message_id, "a:or:1");
    let page1 = app.nth_reply_containing(admin, "9 waiting", 1).await;
    assert!(page1.text.clone().unwrap().contains("990001"));
    assert!(page1.callback_data().contains(&"a:or:0".to_owned()));

    // The card: every fact, the invoice of the same price as a candidate, dismiss.
    let newest = &rows[8];
    let oldest = &rows[0];
    app.press(admin, page0.message_id, &format!("a:od:{}", newest.id));
    let card = app
        .reply_containing(admin, "Invoices it could belong to")
        .await;
    let text = card.text.clone().unwrap();
    assert!(
        text.contains("990009") && text.contains("123456789"),
        "{text}"
    );
    assert!(text.contains("no invoice of ours"), "{text}");
    assert!(text.contains(&format!("{invoice}")), "{text}");
    let assign_op = format!("as:{}:{invoice}", newest.id);
    assert!(card.callback_data().contains(&format!("a:?:{assign_op}")));
    assert!(
        card.callback_data()
            .contains(&format!("a:dr:{}", newest.id))
    );

    // The first press shows both sides and what will happen; nothing changes.
    let asked = app.ask(ADMIN, card.message_id, &assign_op).await;
    let text = asked.text.clone().unwrap();
    for needle in [
        "990009",
        "finished",
        "5.1 USDTTRC20",
        &format!("invoice {invoice} of user 13"),
        "Alpha <Signals> & Co",
        "30 days",
        "$5.00",
        "grants 30 days of Alpha <Signals> & Co to user 13",
    ] {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
    // The channel's title is the owner's text: escaped in the HTML sent.
    assert!(
        asked
            .raw_text
            .clone()
            .unwrap()
            .contains("Alpha &lt;Signals&gt; &amp; Co")
    );
    assert!(payment(&app, 990_009).await.unwrap().review.is_none());
    assert!(log(&app).await.is_empty());

    // /assign: a non-admin gets the unknown-command answer; bad input the usage; nothing changes.
    let eve = app.user(EVE, "Eve", Some("en"));
    app.send_text(eve, &format!("/assign {} {invoice}", oldest.id));
    app.reply_containing(eve, "did not understand").await;
    for (n, bad) in [
        "/assign",
        "/assign abc 5",
        &format!("/assign {} {invoice} 3", oldest.id),
    ]
    .into_iter()
    .enumerate()
    {
        app.send_text(admin, bad);
        app.nth_reply_containing(admin, "Usage: /assign", n).await;
    }
    assert!(log(&app).await.is_empty());

    // Replays of the assignment by a non-admin and by the other operator: refused.
    replays_are_refused(&app, asked.message_id, &assign_op).await;
    // The channel's title is the owner's text: escaped in the HTML sent.
    assert!(
        asked
            .raw_text
            .clone()
            .unwrap()
            .contains("Alpha &lt;Signals&gt; &amp; Co")
    );
    assert!(payment(&app, 990_009).await.unwrap().review.is_none());
    assert!(log(&app).await.is_empty());

    // /assign by NOWPayments' id: the same confirmation; confirmed, the buyer gets access.
    let asks = app.count_containing(admin, "Do it?");
    app.send_text(admin, &format!("/assign 990009 {invoice}"));
    let by_command = app.nth_reply_containing(admin, "Do it?", asks).await;
    assert!(
        by_command
            .callback_data()
            .contains(&format!("a:!:{ADMIN}:{assign_op}"))
    );
    app.press(
        admin,
        by_command.message_id,
        &format!("a:!:{ADMIN}:{assign_op}"),
    );
    app.reply_containing(admin, "assigned to invoice").await;
    let join = app.reply_containing(buyer, "Payment received").await;
    assert!(join.buttons()[0].2.is_some(), "a join link");
    app.run_jobs_once().await;
    let p = payment(&app, 990_009).await.unwrap();
    assert_eq!(p.invoice_id, Some(invoice));
    assert_eq!(p.review.as_deref(), Some("assigned"));
    assert!(p.granted && p.valued, "{p:?}");
    let sub = app
        .ctx
        .db
        .subscription_of(buyer, channel.id)
        .await
        .unwrap()
        .unwrap();
    assert!(sub.is_active(app.clock.now()));
    assert_eq!(
        app.ctx.db.invoice(invoice).await.unwrap().unwrap().status,
        InvoiceStatus::Paid
    );
    // The owner's share is in its one place (an instant payout for this channel).
    let (payouts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payouts WHERE payment_id = $1")
        .bind(p.id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(payouts, 1);
    assert_eq!(open_alerts_about(&app, 990_009).await, 0, "alert resolved");
    let rows_now = log(&app).await;
    assert_eq!(rows_now.len(), 1, "{rows_now:?}");
    assert_row(
        &rows_now[0],
        AdminLogAction::AssignPayment,
        &format!("payment:{}", p.id),
        "orphan",
        &format!("invoice:{invoice}"),
    );
    audit_clean(&app).await;

    // The same confirmation again: already done, nothing changes, no row.
    app.tg
        .inject_callback_raw(
            ADMIN,
            by_command.message_id,
            &format!("a:!:{ADMIN}:{assign_op}"),
        )
        .unwrap();
    app.reply_containing(admin, "already reviewed").await;
    assert_eq!(log(&app).await.len(), 1);

    // Another orphan to the now paid invoice: refused at the first press.
    app.send_text(admin, &format!("/assign {} {invoice}", rows[7].id));
    app.reply_containing(admin, "That invoice is paid").await;

    // Dismiss the oldest: the reasons, then the confirmation.
    app.press(admin, page1.message_id, &format!("a:od:{}", oldest.id));
    let card = app
        .reply(admin, |m| {
            m.from_bot && m.callback_data().contains(&format!("a:dr:{}", oldest.id))
        })
        .await;
    app.press(admin, card.message_id, &format!("a:dr:{}", oldest.id));
    let reasons = app.reply_containing(admin, "Why dismiss").await;
    assert_eq!(reasons.callback_data().len(), 4);
    let dismiss_op = format!("ds:{}:test", oldest.id);
    let asked = app.ask(ADMIN, reasons.message_id, &dismiss_op).await;
    assert!(asked.text.clone().unwrap().contains("A test or a mistake"));
    replays_are_refused(&app, asked.message_id, &dismiss_op).await;
    assert!(payment(&app, 990_001).await.unwrap().review.is_none());
    assert_eq!(log(&app).await.len(), 1);
    app.press(
        admin,
        asked.message_id,
        &format!("a:!:{ADMIN}:{dismiss_op}"),
    );
    app.reply_containing(admin, "dismissed (A test or a mistake)")
        .await;
    let p = payment(&app, 990_001).await.unwrap();
    assert_eq!(p.review.as_deref(), Some("dismissed"));
    assert_eq!(p.review_reason.as_deref(), Some("test"));
    assert!(!p.granted);
    assert_eq!(open_alerts_about(&app, 990_001).await, 0);
    let rows_now = log(&app).await;
    assert_eq!(rows_now.len(), 2, "{rows_now:?}");
    // (Both rows are of the same millisecond on the test clock: found by action.)
    let dismissed = rows_now
        .iter()
        .find(|e| e.action == AdminLogAction::DismissPayment)
        .expect("a dismiss row");
    assert_row(
        dismissed,
        AdminLogAction::DismissPayment,
        &format!("payment:{}", p.id),
        "orphan",
        "dismissed: test",
    );
    app.tg
        .inject_callback_raw(
            ADMIN,
            asked.message_id,
            &format!("a:!:{ADMIN}:{dismiss_op}"),
        )
        .unwrap();
    app.nth_reply_containing(admin, "already reviewed", 1).await;
    assert_eq!(log(&app).await.len(), 2);

    // A later IPN of the dismissed payment (now for our invoice's order!): kept, moves nothing.
    let mut later = finished(990_001, &invoice.to_string(), np_id(&np_invoice));
    later["actually_paid"] = json!(5.2);
    assert_eq!(app.post_ipn(&later).await, 200);
    assert_eq!(events(&app, 990_001).await, 2);
    let p = payment(&app, 990_001).await.unwrap();
    assert!(p.invoice_id.is_none() && !p.granted && p.review.as_deref() == Some("dismissed"));

    // The queue: seven left.
    app.press(admin, menu.message_id, "a:or:0");
    app.reply_containing(admin, "7 waiting").await;
    audit_clean(&app).await;
}

/// A child payment (a re-deposit) is an orphan whose candidate is its parent's invoice;
/// assigned while NOWPayments still confirms it, it grants when its `finished` IPN arrives.
async fn a_child_payment_assigned_early_grants_when_finished(backend: Backend) {
    let Some(app) = two_admins(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let buyer = app.user(14, "Ida", Some("en"));
    let (invoice, np_invoice) = buy_first_tier(&app, buyer, &channel).await;
    let parent = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    let child = app.np.child_payment(parent, usdt(dec!(5))).unwrap();
    app.np.set_status(child, PaymentStatus::Confirming).unwrap();
    app.np.wait_idle(WAIT).await.unwrap();
    let row = payment_in(&app, child, "confirming").await;
    assert!(row.invoice_id.is_none());

    let admin = app.user(ADMIN, "Ops", Some("en"));
    app.send_text(admin, "/admin");
    let menu = app.reply_containing(admin, "Operator menu").await;
    app.press(admin, menu.message_id, "a:or:0");
    let queue = app.reply_containing(admin, "1 waiting").await;
    app.press(admin, queue.message_id, &format!("a:od:{}", row.id));
    let card = app
        .reply_containing(admin, "Invoices it could belong to")
        .await;
    assert!(card.text.clone().unwrap().contains("child payment"));
    let op = format!("as:{}:{invoice}", row.id);
    assert_eq!(
        card.callback_data()
            .iter()
            .filter(|d| d.starts_with("a:?:as:"))
            .collect::<Vec<_>>(),
        vec![&format!("a:?:{op}")],
        "the parent's invoice only"
    );
    let asked = app.ask(ADMIN, card.message_id, &op).await;
    assert!(
        asked
            .text
            .clone()
            .unwrap()
            .contains("access comes when NOWPayments reports it finished")
    );
    replays_are_refused(&app, asked.message_id, &op).await;
    assert!(log(&app).await.is_empty());
    app.press(admin, asked.message_id, &format!("a:!:{ADMIN}:{op}"));
    app.reply_containing(admin, "assigned to invoice").await;
    app.run_jobs_once().await;
    let p = payment(&app, child).await.unwrap();
    assert_eq!(p.invoice_id, Some(invoice));
    assert!(!p.granted);
    assert_eq!(log(&app).await.len(), 1);

    // NOWPayments finishes it: processed against the assigned invoice, access granted.
    app.np.set_status(child, PaymentStatus::Finished).unwrap();
    app.reply_containing(buyer, "Payment received").await;
    app.run_jobs_once().await;
    let p = payment(&app, child).await.unwrap();
    assert!(p.granted && p.valued, "{p:?}");
    assert_eq!(p.status, "finished");
    app.tg
        .inject_callback_raw(ADMIN, asked.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.reply_containing(admin, "already reviewed").await;
    assert_eq!(log(&app).await.len(), 1);
    audit_clean(&app).await;
}

/// A held payment (its IPN names another NOWPayments invoice) is released by an operator:
/// granted as the intake would have without the hold; the hold's reason is in the log row.
async fn a_held_payment_is_released_and_grants(backend: Backend) {
    let Some(app) = two_admins(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let buyer = app.user(15, "Mia", Some("en"));
    let (invoice, _np_invoice) = buy_first_tier(&app, buyer, &channel).await;
    let np = 880_001;
    assert_eq!(
        app.post_ipn(&finished(np, &invoice.to_string(), 777)).await,
        200
    );
    let row = payment_in(&app, np, "finished").await;
    assert_eq!(row.invoice_id, Some(invoice));
    assert!(!row.granted);
    assert_eq!(open_alerts_about(&app, np).await, 1);

    let admin = app.user(ADMIN, "Ops", Some("en"));
    app.send_text(admin, "/admin");
    let menu = app.reply_containing(admin, "Operator menu").await;
    app.press(admin, menu.message_id, "a:or:0");
    let queue = app.reply_containing(admin, "1 waiting").await;
    assert!(queue.text.clone().unwrap().contains("held"));
    app.press(admin, queue.message_id, &format!("a:od:{}", row.id));
    let op = format!("rl:{}", row.id);
    let card = app
        .reply(admin, |m| {
            m.from_bot && m.callback_data().contains(&format!("a:?:{op}"))
        })
        .await;
    let text = card.text.clone().unwrap();
    assert!(
        text.contains("invoice_id 777") && text.contains("Events: 1"),
        "{text}"
    );
    let asked = app.ask(ADMIN, card.message_id, &op).await;
    let text = asked.text.clone().unwrap();
    assert!(
        text.contains("grants 30 days of Alpha <Signals> & Co to user 15") && text.contains("777"),
        "{text}"
    );
    replays_are_refused(&app, asked.message_id, &op).await;
    assert!(!payment(&app, np).await.unwrap().granted);
    assert!(log(&app).await.is_empty());

    app.press(admin, asked.message_id, &format!("a:!:{ADMIN}:{op}"));
    app.reply_containing(admin, "released").await;
    app.reply_containing(buyer, "Payment received").await;
    app.run_jobs_once().await;
    let p = payment(&app, np).await.unwrap();
    assert!(p.granted && p.valued, "{p:?}");
    assert_eq!(p.review.as_deref(), Some("released"));
    assert_eq!(open_alerts_about(&app, np).await, 0);
    let rows = log(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].action, AdminLogAction::ReleasePayment);
    assert!(
        rows[0]
            .before
            .as_deref()
            .unwrap()
            .starts_with("held: invoice_id 777"),
        "{rows:?}"
    );
    assert_eq!(rows[0].after.as_deref(), Some("released"));
    audit_clean(&app).await;

    // Repeated: nothing, no row; the queue is empty.
    app.tg
        .inject_callback_raw(ADMIN, asked.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.reply_containing(admin, "already reviewed").await;
    assert_eq!(log(&app).await.len(), 1);
    app.press(admin, menu.message_id, "a:or:0");
    app.reply_containing(admin, "No payments wait for review")
        .await;

    // Released while still waiting: its later IPNs belong to the invoice and are no longer held
    // by the sticky hold (the mismatch the operator accepted is not judged again).
    let second = app.user(16, "Noa", Some("en"));
    let (invoice2, _) = buy_first_tier(&app, second, &channel).await;
    let np2 = 880_002;
    let mut waiting = finished(np2, &invoice2.to_string(), 777);
    waiting["payment_status"] = json!("waiting");
    waiting["actually_paid"] = json!(0);
    assert_eq!(app.post_ipn(&waiting).await, 200);
    let row2 = payment_in(&app, np2, "waiting").await;
    app.press(admin, menu.message_id, "a:or:0");
    let queue = app.nth_reply_containing(admin, "1 waiting", 1).await;
    app.press(admin, queue.message_id, &format!("a:od:{}", row2.id));
    let op2 = format!("rl:{}", row2.id);
    let card = app
        .reply(admin, |m| {
            m.from_bot && m.callback_data().contains(&format!("a:?:{op2}"))
        })
        .await;
    let done = app.ask_and_confirm(ADMIN, card.message_id, &op2).await;
    let text = done.text.clone().unwrap();
    assert!(
        text.contains("released") && text.contains("access comes when"),
        "{text}"
    );
    assert!(!payment(&app, np2).await.unwrap().granted);
    assert_eq!(
        app.post_ipn(&finished(np2, &invoice2.to_string(), 777))
            .await,
        200
    );
    app.reply_containing(second, "Payment received").await;
    app.run_jobs_once().await;
    let p = payment(&app, np2).await.unwrap();
    assert!(p.granted && p.valued, "{p:?}");
    assert_eq!(log(&app).await.len(), 2);
    assert_eq!(open_alerts_about(&app, np2).await, 0, "not held again");
    audit_clean(&app).await;

    // A later IPN whose amounts cannot be true is a new doubt: held again, back in the queue
    // for a new decision, nothing moved.
    let mut insane = finished(np2, &invoice2.to_string(), 777);
    insane["payment_status"] = json!("refunded");
    insane["actually_paid"] = json!(-1);
    assert_eq!(app.post_ipn(&insane).await, 200);
    assert_eq!(open_alerts_about(&app, np2).await, 1);
    app.press(admin, menu.message_id, "a:or:0");
    let queue = app.nth_reply_containing(admin, "1 waiting", 2).await;
    assert!(
        queue
            .text
            .clone()
            .unwrap()
            .contains("actually_paid is negative")
    );
    let p = payment(&app, np2).await.unwrap();
    assert!(p.granted && p.review.is_none(), "{p:?}");
    assert_eq!(log(&app).await.len(), 2);
    audit_clean(&app).await;
}

on_both_backends!(
    orphans_are_listed_assigned_and_dismissed,
    a_child_payment_assigned_early_grants_when_finished,
    a_held_payment_is_released_and_grants,
);
