//! The operators' payouts console (operators issue, item 1): pending, failed and stuck payouts,
//! paginated; a payout's card; retry from the recorded step (never paying twice) and cancel
//! (the share back where it came from, the owner told), each confirmed first, each leaving
//! exactly one admin log row; non-admins' and other operators' replays change nothing.
//! Real payouts, through the NOWPayments, ChangeNOW and EVM simulators.

use std::str::FromStr;
use std::time::Duration;

use alloy_primitives::Address;
use rust_decimal_macros::dec;
use telepay::domain::money::UsdMicros;
use telepay::domain::states::{AdminLogAction, PayoutState};
use telepay::domain::time::Clock;
use telepay::store::admin_log::{Actor, AdminLogEntry};
use telepay::store::channels::{Channel, PayoutStrategy};
use telepay_sim::changenow::{Asset, CnEndpoint, CnFault};

use crate::on_both_backends;
use crate::payouts::{OWNER_EVM, channel, drive, payout_final, payouts_of, subscriber_pays};
use crate::support::app::{Mode, TestApp, host_address, spawn_app, spawn_app_with, usdt_contract};
use crate::support::db::Backend;

const ADMIN: i64 = 900_001;
const OTHER_ADMIN: i64 = 900_002;
const EVE: i64 = 41;
/// The channel owner of `crate::payouts::channel`.
const OWNER: i64 = 800;
const OWNER_TRON: &str = "TNDFkiSmBQorNFacb3735q8MnT29sn8BLn";
const OTHER_TRON: &str = "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7";

async fn two_admins(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Mode::Polling, |raw| {
        raw.admin_ids = Some(format!("{ADMIN},{OTHER_ADMIN}"));
    })
    .await
}

async fn log(app: &TestApp) -> Vec<AdminLogEntry> {
    app.ctx.db.admin_log_all().await.unwrap()
}

async fn audit_clean(app: &TestApp) {
    let report = telepay::payouts::audit::audit(&app.ctx.db).await.unwrap();
    assert!(report.clean(), "{report}");
}

async fn pause(app: &TestApp, on: bool) {
    app.ctx
        .db
        .set_payouts_paused(on, Actor::System, app.clock.now())
        .await
        .unwrap();
}

fn units(d: rust_decimal::Decimal) -> alloy_primitives::U256 {
    telepay::payouts::wallet::to_base_units(d, 18).unwrap()
}

async fn job_state(app: &TestApp, payout: i64) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT state FROM jobs WHERE unique_key = $1")
        .bind(format!("payout:{payout}"))
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    s
}

/// (state, payout_id, wallet address) of each accumulation of a payment or channel.
async fn accumulations(app: &TestApp, channel_id: i64) -> Vec<(String, Option<i64>, String, i64)> {
    sqlx::query_as(
        "SELECT state, payout_id, wallet_address, usdt_micros FROM accumulations WHERE channel_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(channel_id)
    .fetch_all(app.ctx.db.pool())
    .await
    .unwrap()
}

/// A threshold channel paying TRX whose one payment reaches the threshold, while ChangeNOW's
/// minimum is far above it: the batch payout fails (`payout_failed`, nothing sent).
async fn failed_batch_payout(app: &TestApp) -> (Channel, i64) {
    let c = channel(
        app,
        "TRX",
        "TRX",
        OWNER_TRON,
        PayoutStrategy::Threshold(UsdMicros::from_cents(400)),
    )
    .await;
    app.cn.set_min_amount(
        &Asset::new("usdt", "bsc"),
        &Asset::new("trx", "trx"),
        dec!(50),
    );
    subscriber_pays(app, 1, &c, dec!(5)).await;
    app.run_jobs_once().await;
    app.scheduler
        .run_now(telepay::payouts::batch::TIMER)
        .await
        .unwrap();
    drive(app, || payout_final(app, c.id)).await;
    let p = &payouts_of(app, c.id).await[0];
    assert_eq!((p.kind.as_str(), p.state), ("batch", PayoutState::Failed));
    (c, p.id)
}

/// Presses `data` on `message` and waits for a new bot message containing `needle`.
async fn press_for(
    app: &TestApp,
    user: i64,
    message: i32,
    data: &str,
    needle: &str,
) -> telepay_sim::telegram::SimMessage {
    let seen = app.last_message_id(user);
    app.press(user, message, data);
    app.reply(user, |m| {
        m.from_bot && m.message_id > seen && m.text.as_deref().is_some_and(|t| t.contains(needle))
    })
    .await
}

/// Injects `data` (a button that need not be on the message: forged or replayed) and waits
/// for a new bot message containing `needle`.
async fn inject_for(
    app: &TestApp,
    user: i64,
    message: i32,
    data: &str,
    needle: &str,
) -> telepay_sim::telegram::SimMessage {
    let seen = app.last_message_id(user);
    app.tg.inject_callback_raw(user, message, data).unwrap();
    app.reply(user, |m| {
        m.from_bot && m.message_id > seen && m.text.as_deref().is_some_and(|t| t.contains(needle))
    })
    .await
}

/// The operator opens `/admin` → Payouts → the `filter` list → payout `id`'s card.
async fn open_card(
    app: &TestApp,
    filter: &str,
    id: i64,
    needle: &str,
) -> telepay_sim::telegram::SimMessage {
    let seen = app.last_message_id(ADMIN);
    app.send_text(ADMIN, "/admin");
    let menu = app
        .reply(ADMIN, |m| {
            m.from_bot
                && m.message_id > seen
                && m.text
                    .as_deref()
                    .is_some_and(|t| t.contains("Operator menu"))
        })
        .await;
    let mut list = press_for(app, ADMIN, menu.message_id, "a:po:p:0", "Payouts: Pending").await;
    if filter != "p" {
        list = press_for(
            app,
            ADMIN,
            list.message_id,
            &format!("a:po:{filter}:0"),
            "Payouts: ",
        )
        .await;
    }
    press_for(app, ADMIN, list.message_id, &format!("a:pd:{id}"), needle).await
}

/// Eve (not an operator) replays every payout button, then another operator replays the first
/// operator's confirmations: nothing happens, nothing is logged.
async fn replays_are_refused(app: &TestApp, id: i64) {
    let eve = app.user(EVE, "Eve", Some("en"));
    app.send_text(eve, "/admin");
    let reply = app.reply_containing(eve, "did not understand").await;
    for data in [
        format!("a:?:ry:{id}"),
        format!("a:!:{EVE}:ry:{id}"),
        format!("a:!:{ADMIN}:ry:{id}"),
        format!("a:!:{ADMIN}:cp:{id}"),
        format!("a:pd:{id}"),
        "a:po:f:0".to_owned(),
    ] {
        app.tg
            .inject_callback_raw(eve, reply.message_id, &data)
            .unwrap();
    }
    // Barrier: one user's updates are handled in order.
    app.send_text(eve, "/admin");
    app.nth_reply_containing(eve, "did not understand", 1).await;
    assert_eq!(app.count_containing(eve, "Payout"), 0);

    let other = app.user(OTHER_ADMIN, "Ops2", Some("en"));
    app.send_text(other, "/admin");
    let menu = app.reply_containing(other, "Operator menu").await;
    for data in [
        format!("a:!:{ADMIN}:ry:{id}"),
        format!("a:!:{ADMIN}:cp:{id}"),
    ] {
        app.tg
            .inject_callback_raw(other, menu.message_id, &data)
            .unwrap();
    }
    app.send_text(other, "/admin");
    app.nth_reply_containing(other, "Operator menu", 1).await;
    assert!(log(app).await.is_empty());
}

/// Pending, failed and stuck lists, eight a page, newest first, with filter buttons and counts.
async fn lists_filter_and_page(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Kill switch on: the nine instant payouts wait in `pending`.
    pause(&app, true).await;
    let c = channel(&app, "USDT", "BSC", OWNER_EVM, PayoutStrategy::Instant).await;
    for u in 1..=9 {
        subscriber_pays(&app, u, &c, dec!(4.95)).await;
    }
    app.run_jobs_once().await;
    let ps = payouts_of(&app, c.id).await;
    assert_eq!(ps.len(), 9);
    assert!(ps.iter().all(|p| p.state == PayoutState::Pending));

    let admin = app.user(ADMIN, "Ops", Some("en"));
    app.send_text(admin, "/admin");
    let menu = app.reply_containing(admin, "Operator menu").await;
    let overview = menu.text.clone().unwrap();
    assert!(
        overview.contains("Payout queue: 9 moving, 0 stuck, 0 failed"),
        "{overview}"
    );
    assert!(overview.contains("Payments to review: 0"), "{overview}");
    let page1 = press_for(
        &app,
        admin,
        menu.message_id,
        "a:po:p:0",
        "Payouts: Pending, page 1",
    )
    .await;
    let text = page1.text.clone().unwrap();
    assert!(text.contains("changed within the last 60 min"), "{text}");
    assert_eq!(text.matches("• ").count(), 8, "{text}");
    assert!(
        text.contains("Alpha <Signals> & Co") && text.contains("USDT/BSC"),
        "{text}"
    );
    let data = page1.callback_data();
    // Newest first: the last payout created is the first line.
    let newest = ps.last().unwrap().id;
    assert_eq!(data[0], format!("a:pd:{newest}"));
    assert_eq!(data.iter().filter(|d| d.starts_with("a:pd:")).count(), 8);
    assert!(data.contains(&"a:po:p:1".to_owned()), "{data:?}");
    let buttons: Vec<String> = page1.buttons().into_iter().map(|b| b.0).collect();
    for label in ["Pending (9)", "Failed (0)", "Stuck (0)"] {
        assert!(buttons.iter().any(|b| b.contains(label)), "{buttons:?}");
    }
    let page2 = press_for(
        &app,
        admin,
        page1.message_id,
        "a:po:p:1",
        "Payouts: Pending, page 2",
    )
    .await;
    assert_eq!(page2.text.clone().unwrap().matches("• ").count(), 1);
    let oldest = ps[0].id;
    assert!(page2.callback_data().contains(&format!("a:pd:{oldest}")));
    assert!(page2.callback_data().contains(&"a:po:p:0".to_owned()));
    assert!(!page2.callback_data().contains(&"a:po:p:2".to_owned()));

    let failed = press_for(&app, admin, page2.message_id, "a:po:f:0", "Payouts: Failed").await;
    assert!(failed.text.unwrap().contains("No payouts here"));

    // An hour and more without a change: the same payouts are stuck, no longer pending. (The
    // jobs that came due run first, so none is running when the operator looks.)
    app.clock.advance(Duration::from_secs(61 * 60));
    app.run_jobs_once().await;
    let stuck = press_for(
        &app,
        admin,
        failed.message_id,
        "a:po:s:0",
        "Payouts: Stuck, page 1",
    )
    .await;
    assert_eq!(stuck.text.clone().unwrap().matches("• ").count(), 8);
    let buttons: Vec<String> = stuck.buttons().into_iter().map(|b| b.0).collect();
    for label in ["Pending (0)", "Failed (0)", "Stuck (9)"] {
        assert!(buttons.iter().any(|b| b.contains(label)), "{buttons:?}");
    }
    let pending = press_for(
        &app,
        admin,
        stuck.message_id,
        "a:po:p:0",
        "Payouts: Pending",
    )
    .await;
    assert!(pending.text.unwrap().contains("No payouts here"));

    // A stuck payout's card offers retry ("run its step now") and cancel.
    let card = press_for(
        &app,
        admin,
        stuck.message_id,
        &format!("a:pd:{newest}"),
        &format!("Payout {newest} (instant): pending"),
    )
    .await;
    let text = card.text.clone().unwrap();
    assert!(text.contains("Amount: $4.80"), "{text}");
    assert!(text.contains(OWNER_EVM), "{text}");
    assert!(text.contains("Wallet transactions:\nnone"), "{text}");
    let data = card.callback_data();
    assert!(data.contains(&format!("a:?:ry:{newest}")), "{data:?}");
    assert!(data.contains(&format!("a:?:cp:{newest}")), "{data:?}");
    let asked = app
        .ask(ADMIN, card.message_id, &format!("ry:{newest}"))
        .await;
    let text = asked.text.unwrap();
    assert!(text.contains("the step runs again now"), "{text}");
    assert!(text.contains("Payouts are paused"), "{text}");
    assert!(log(&app).await.is_empty(), "asking changes nothing");
}

/// A failed payout retried by an operator resumes and is paid once; the retry leaves exactly
/// one log row, and neither replays nor a repeated confirmation do anything.
async fn retry_of_a_failed_payout_pays_once(backend: Backend) {
    let Some(app) = two_admins(backend).await else {
        return;
    };
    let (c, id) = failed_batch_payout(&app).await;
    replays_are_refused(&app, id).await;
    assert_eq!(payouts_of(&app, c.id).await[0].state, PayoutState::Failed);

    let admin = app.user(ADMIN, "Ops", Some("en"));
    app.send_text(admin, "/admin");
    let menu = app.reply_containing(admin, "Operator menu").await;
    let pending = press_for(&app, admin, menu.message_id, "a:po:p:0", "Payouts: Pending").await;
    let list = press_for(
        &app,
        admin,
        pending.message_id,
        "a:po:f:0",
        "Payouts: Failed, page 1",
    )
    .await;
    assert!(list.text.unwrap().contains(&id.to_string()));
    let card = press_for(
        &app,
        admin,
        list.message_id,
        &format!("a:pd:{id}"),
        &format!("Payout {id} (batch): failed"),
    )
    .await;
    let text = card.text.clone().unwrap();
    assert!(text.contains("Accumulations (1)"), "{text}");
    assert!(text.contains("below the exchange minimum"), "{text}");
    assert!(text.contains(&format!("owner {OWNER}")), "{text}");

    // The cause is fixed (ChangeNOW's minimum is back to normal); the operator retries.
    app.cn.set_min_amount(
        &Asset::new("usdt", "bsc"),
        &Asset::new("trx", "trx"),
        dec!(1),
    );
    let asked = app.ask(ADMIN, card.message_id, &format!("ry:{id}")).await;
    assert!(
        asked
            .text
            .clone()
            .unwrap()
            .contains("starts again from the beginning")
    );
    // Another operator's replay of this very confirmation: refused.
    let other = app.user(OTHER_ADMIN, "Ops2", Some("en"));
    app.tg
        .inject_callback_raw(other, asked.message_id, &format!("a:!:{ADMIN}:ry:{id}"))
        .unwrap();
    app.send_text(other, "/admin");
    app.nth_reply_containing(other, "Operator menu", 2).await;
    assert!(log(&app).await.is_empty());
    assert_eq!(payouts_of(&app, c.id).await[0].state, PayoutState::Failed);

    press_for(
        &app,
        admin,
        asked.message_id,
        &format!("a:!:{ADMIN}:ry:{id}"),
        "failed → pending",
    )
    .await;
    let rows = log(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].admin_id, ADMIN);
    assert_eq!(rows[0].action, AdminLogAction::RetryPayout);
    assert_eq!(rows[0].subject, format!("payout:{id}"));
    assert_eq!(rows[0].before.as_deref(), Some("failed"));
    assert_eq!(rows[0].after.as_deref(), Some("pending"));

    drive(&app, || payout_final(&app, c.id)).await;
    let ps = payouts_of(&app, c.id).await;
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].state, PayoutState::Sent);
    assert_eq!(
        app.evm.sent_count(host_address()),
        1,
        "one transfer, not two"
    );
    assert_eq!(app.cn.created_count(), 1);

    // The same confirmation again (its buttons are gone; a replay): nothing changes.
    inject_for(
        &app,
        admin,
        asked.message_id,
        &format!("a:!:{ADMIN}:ry:{id}"),
        "is sent: there is nothing to retry",
    )
    .await;
    assert_eq!(log(&app).await.len(), 1);
    // A sent payout's card: the transaction, and neither retry nor cancel.
    let card = press_for(
        &app,
        admin,
        list.message_id,
        &format!("a:pd:{id}"),
        &format!("Payout {id} (batch): sent"),
    )
    .await;
    assert!(!card.callback_data().iter().any(|d| d.starts_with("a:?:")));
    assert!(
        card.text
            .unwrap()
            .contains(ps[0].tx_hash.as_deref().unwrap())
    );
    app.run_jobs_once().await;
    app.reply_containing(OWNER, "Payout sent").await;
    audit_clean(&app).await;
}

/// A failed batch payout cancelled: its accumulations are owed again (converted, no payout,
/// the channel's current wallet), the owner is told, one log row; a repeat does nothing.
async fn cancel_of_a_batch_payout_returns_its_accumulations(backend: Backend) {
    let Some(app) = two_admins(backend).await else {
        return;
    };
    let (c, id) = failed_batch_payout(&app).await;
    replays_are_refused(&app, id).await;
    // The owner fixes the wallet the payout was for; the kill switch keeps the batch timer from
    // paying the returned share at once (which is what it should do once resumed).
    let mut settings = c.payout.clone();
    settings.address = OTHER_TRON.into();
    assert!(
        app.ctx
            .db
            .owner_set_payout(OWNER, c.id, &settings, app.clock.now())
            .await
            .unwrap()
    );
    pause(&app, true).await;

    let admin = app.user(ADMIN, "Ops", Some("en"));
    let card = open_card(&app, "f", id, &format!("Payout {id} (batch): failed")).await;
    let asked = app.ask(ADMIN, card.message_id, &format!("cp:{id}")).await;
    let text = asked.text.clone().unwrap();
    assert!(text.contains("Its 1 accumulations go back"), "{text}");
    assert!(
        text.contains(&format!("current wallet TRX / TRX {OTHER_TRON}")),
        "{text}"
    );
    assert!(text.contains(OWNER_TRON), "{text}");
    assert_eq!(payouts_of(&app, c.id).await[0].state, PayoutState::Failed);

    press_for(
        &app,
        admin,
        asked.message_id,
        &format!("a:!:{ADMIN}:cp:{id}"),
        "failed → cancelled",
    )
    .await;
    assert_eq!(
        payouts_of(&app, c.id).await[0].state,
        PayoutState::Cancelled
    );
    let accs = accumulations(&app, c.id).await;
    assert_eq!(
        accs,
        vec![(
            "converted".to_owned(),
            None,
            OTHER_TRON.to_owned(),
            4_850_000
        )]
    );
    let rows = log(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].action, AdminLogAction::CancelPayout);
    assert_eq!(rows[0].subject, format!("payout:{id}"));
    assert_eq!(rows[0].before.as_deref(), Some("failed"));
    assert_eq!(rows[0].after.as_deref(), Some("cancelled"));
    audit_clean(&app).await;
    app.run_jobs_once().await;
    app.reply_containing(OWNER, "was cancelled by our team")
        .await;

    // Repeated confirmation: nothing changes, no row.
    inject_for(
        &app,
        admin,
        asked.message_id,
        &format!("a:!:{ADMIN}:cp:{id}"),
        "is cancelled already",
    )
    .await;
    assert_eq!(log(&app).await.len(), 1);
    assert_eq!(accumulations(&app, c.id).await, accs);

    // Owed again: once payouts resume, the next batch pays it, to the current wallet.
    pause(&app, false).await;
    app.cn.set_min_amount(
        &Asset::new("usdt", "bsc"),
        &Asset::new("trx", "trx"),
        dec!(1),
    );
    app.scheduler
        .run_now(telepay::payouts::batch::TIMER)
        .await
        .unwrap();
    drive(&app, || async {
        payouts_of(&app, c.id).await.len() == 2 && payout_final(&app, c.id).await
    })
    .await;
    let ps = payouts_of(&app, c.id).await;
    let next = ps.iter().find(|p| p.id != id).unwrap();
    assert_eq!(next.state, PayoutState::Sent);
    assert_eq!(next.dest_address, OTHER_TRON);
    assert_eq!(next.usd, UsdMicros::from_micros(4_850_000));
    assert_eq!(
        accumulations(&app, c.id).await[0].1,
        Some(next.id),
        "the returned accumulation was paid by the next payout"
    );
    audit_clean(&app).await;
}

/// An instant payout whose step failed (a ChangeNOW 4xx) is stuck; cancelled, its share
/// becomes an accumulation owed to the owner (as a deferred instant share is), its job is
/// cancelled, the owner is told, the audit stays clean.
async fn cancel_of_an_instant_payout_makes_its_share_owed(backend: Backend) {
    let Some(app) = two_admins(backend).await else {
        return;
    };
    let c = channel(&app, "TRX", "TRX", OWNER_TRON, PayoutStrategy::Instant).await;
    app.cn.fail_next(
        CnEndpoint::CreateExchange,
        CnFault::ErrorCode {
            status: 400,
            code: "not_valid_address".into(),
            message: "Invalid address".into(),
        },
    );
    let payment = subscriber_pays(&app, 1, &c, dec!(4.95)).await;
    app.run_jobs_once().await;
    let p = payouts_of(&app, c.id).await[0].clone();
    assert_eq!(p.state, PayoutState::Pending);
    assert_eq!(job_state(&app, p.id).await, "failed");
    replays_are_refused(&app, p.id).await;
    pause(&app, true).await;

    // Stuck at once: its step job failed.
    let admin = app.user(ADMIN, "Ops", Some("en"));
    app.send_text(admin, "/admin");
    let menu = app.reply_containing(admin, "Operator menu").await;
    let pending = press_for(&app, admin, menu.message_id, "a:po:p:0", "Payouts: Pending").await;
    let stuck = press_for(
        &app,
        admin,
        pending.message_id,
        "a:po:s:0",
        "Payouts: Stuck, page 1",
    )
    .await;
    assert!(stuck.text.unwrap().contains(&p.id.to_string()));
    let card = press_for(
        &app,
        admin,
        stuck.message_id,
        &format!("a:pd:{}", p.id),
        &format!("Payout {} (instant): pending", p.id),
    )
    .await;
    let text = card.text.clone().unwrap();
    assert!(text.contains(&format!("Payment: {payment}")), "{text}");
    assert!(text.contains("Step job: failed"), "{text}");
    let asked = app
        .ask(ADMIN, card.message_id, &format!("cp:{}", p.id))
        .await;
    assert!(
        asked
            .text
            .clone()
            .unwrap()
            .contains(&format!("Its share (payment {payment}) goes back"))
    );
    press_for(
        &app,
        admin,
        asked.message_id,
        &format!("a:!:{ADMIN}:cp:{}", p.id),
        "pending → cancelled",
    )
    .await;

    assert_eq!(
        payouts_of(&app, c.id).await[0].state,
        PayoutState::Cancelled
    );
    assert_eq!(job_state(&app, p.id).await, "cancelled");
    let (n, usd, reason): (i64, i64, String) = sqlx::query_as(
        "SELECT COUNT(*), MAX(usdt_micros), MAX(reason) FROM accumulations \
         WHERE payment_id = $1 AND state = 'converted' AND payout_id IS NULL",
    )
    .bind(payment)
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!(
        (n, usd, reason.as_str()),
        (1, p.usd.micros(), "below_minimum")
    );
    let rows = log(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].action, AdminLogAction::CancelPayout);
    assert_eq!(rows[0].before.as_deref(), Some("pending"));
    assert_eq!(rows[0].after.as_deref(), Some("cancelled"));
    audit_clean(&app).await;
    app.run_jobs_once().await;
    let dm = app
        .reply_containing(OWNER, "was cancelled by our team")
        .await;
    assert!(dm.text.unwrap().contains("back in your balance"));

    // Repeated confirmation: nothing changes, no new row, no second accumulation.
    inject_for(
        &app,
        admin,
        asked.message_id,
        &format!("a:!:{ADMIN}:cp:{}", p.id),
        "is cancelled already",
    )
    .await;
    assert_eq!(log(&app).await.len(), 1);
    assert_eq!(accumulations(&app, c.id).await.len(), 1);
    assert_eq!(app.evm.sent_count(host_address()), 0);
    audit_clean(&app).await;
}

/// A payout whose transaction is broadcast (money may be on its way) cannot be cancelled, and
/// while it moves it cannot be retried; once stuck, a retry runs its step now and it is paid
/// once (the recorded transaction looked up, never signed twice).
async fn a_broadcast_payout_is_never_cancelled(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let c = channel(&app, "USDT", "BSC", OWNER_EVM, PayoutStrategy::Instant).await;
    app.evm.set_auto_mine(false);
    subscriber_pays(&app, 1, &c, dec!(4.95)).await;
    app.run_jobs_once().await;
    let p = payouts_of(&app, c.id).await[0].clone();
    assert_eq!(p.state, PayoutState::Sending);

    let admin = app.user(ADMIN, "Ops", Some("en"));
    let card = open_card(
        &app,
        "p",
        p.id,
        &format!("Payout {} (instant): sending", p.id),
    )
    .await;
    assert!(card.text.clone().unwrap().contains("— broadcast"));
    assert!(
        !card.callback_data().iter().any(|d| d.starts_with("a:?:")),
        "neither retry nor cancel while it moves"
    );
    // Forged first press and confirmation of a cancel: refused, nothing changes.
    for data in [
        format!("a:?:cp:{}", p.id),
        format!("a:!:{ADMIN}:cp:{}", p.id),
    ] {
        inject_for(
            &app,
            admin,
            card.message_id,
            &data,
            "money may already be on its way",
        )
        .await;
    }
    inject_for(
        &app,
        admin,
        card.message_id,
        &format!("a:?:ry:{}", p.id),
        "still moving",
    )
    .await;
    assert!(log(&app).await.is_empty());
    assert_eq!(payouts_of(&app, c.id).await[0].state, PayoutState::Sending);

    // An hour without a change: stuck; the retry runs its step now. (The job that came due
    // runs first: the stuck transaction is replaced with the same nonce.)
    app.clock.advance(Duration::from_secs(61 * 60));
    app.run_jobs_once().await;
    let card = open_card(
        &app,
        "s",
        p.id,
        &format!("Payout {} (instant): sending", p.id),
    )
    .await;
    assert!(card.callback_data().contains(&format!("a:?:ry:{}", p.id)));
    assert!(!card.callback_data().contains(&format!("a:?:cp:{}", p.id)));
    app.evm.set_auto_mine(true);
    app.evm.mine();
    let done = app
        .ask_and_confirm(ADMIN, card.message_id, &format!("ry:{}", p.id))
        .await;
    assert!(done.text.unwrap().contains("sending (step"), "log words");
    let rows = log(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].action, AdminLogAction::RetryPayout);
    drive(&app, || payout_final(&app, c.id)).await;
    assert_eq!(payouts_of(&app, c.id).await[0].state, PayoutState::Sent);
    assert_eq!(app.evm.mined_count(host_address()), 1);
    assert_eq!(
        app.evm
            .token_balance(usdt_contract(), Address::from_str(OWNER_EVM).unwrap()),
        units(dec!(4.8015))
    );
    assert_eq!(log(&app).await.len(), 1);
    audit_clean(&app).await;
}

/// An exchange that failed after our deposit was mined: the money left the host wallet, so the
/// failed payout can be neither retried (it could pay twice) nor cancelled; nothing changes.
async fn money_that_left_the_wallet_is_never_retried_or_returned(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let c = channel(&app, "TRX", "TRX", OWNER_TRON, PayoutStrategy::Instant).await;
    // Polls do not move the exchange: it waits, funded, until forced.
    app.cn.set_steps_per_poll(0);
    subscriber_pays(&app, 1, &c, dec!(4.95)).await;
    drive(&app, || async {
        payouts_of(&app, c.id).await[0].state == PayoutState::Funded
    })
    .await;
    let p = payouts_of(&app, c.id).await[0].clone();
    app.cn
        .force_status(p.exchange_id.as_deref().unwrap(), "failed")
        .unwrap();
    drive(&app, || payout_final(&app, c.id)).await;
    assert_eq!(payouts_of(&app, c.id).await[0].state, PayoutState::Failed);

    let admin = app.user(ADMIN, "Ops", Some("en"));
    let card = open_card(
        &app,
        "f",
        p.id,
        &format!("Payout {} (instant): failed", p.id),
    )
    .await;
    let text = card.text.clone().unwrap();
    assert!(text.contains("— confirmed"), "{text}");
    assert!(text.contains("check with ChangeNOW support"), "{text}");
    assert!(!card.callback_data().iter().any(|d| d.starts_with("a:?:")));
    for data in [
        format!("a:?:ry:{}", p.id),
        format!("a:!:{ADMIN}:ry:{}", p.id),
    ] {
        inject_for(
            &app,
            admin,
            card.message_id,
            &data,
            "the money left the host wallet",
        )
        .await;
    }
    for data in [
        format!("a:?:cp:{}", p.id),
        format!("a:!:{ADMIN}:cp:{}", p.id),
    ] {
        inject_for(
            &app,
            admin,
            card.message_id,
            &data,
            "money may already be on its way",
        )
        .await;
    }
    assert!(log(&app).await.is_empty());
    assert_eq!(payouts_of(&app, c.id).await[0].state, PayoutState::Failed);
    assert_eq!(app.evm.sent_count(host_address()), 1);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accumulations")
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    audit_clean(&app).await;
}

on_both_backends!(
    lists_filter_and_page,
    retry_of_a_failed_payout_pays_once,
    cancel_of_a_batch_payout_returns_its_accumulations,
    cancel_of_an_instant_payout_makes_its_share_owed,
    a_broadcast_payout_is_never_cancelled,
    money_that_left_the_wallet_is_never_retried_or_returned,
);
