//! Operators' lookup (issue 14, item 1): `/lookup` by user id, @username, channel code, invoice
//! id, NOWPayments payment id and payout tx hash shows each history; a channel's sales stopped
//! and restarted by an operator (the owner cannot lift it); a fresh invite resent once. Every
//! change is confirmed by the operator who asked and leaves exactly one admin log row.

use std::time::Duration;

use rust_decimal_macros::dec;
use sqlx::Row;
use telepay::domain::states::{AdminLogAction, PayoutState};
use telepay::domain::time::Clock;
use telepay::store::admin_log::AdminLogEntry;
use telepay::store::channels::PayoutStrategy;
use telepay_sim::nowpayments::PayIn;
use telepay_sim::telegram::NewUser;

use crate::on_both_backends;
use crate::payouts::{OWNER_EVM, drive, payout_final, payouts_of};
use crate::subscriber::{buy_first_tier, live_channel, np_id, pay_and_get_link};
use crate::support::app::{Mode, TestApp, spawn_app, spawn_app_with};
use crate::support::db::Backend;

const ADMIN: i64 = 900_001;
const OTHER_ADMIN: i64 = 900_002;
const EVE: i64 = 41;
const SAM: i64 = 4242;

async fn log(app: &TestApp) -> Vec<AdminLogEntry> {
    app.ctx.db.admin_log_all().await.unwrap()
}

fn text(m: &telepay_sim::telegram::SimMessage) -> String {
    m.text.clone().unwrap_or_default()
}

/// `/lookup <q>` by the operator; waits for the `n`-th answer containing `needle`.
async fn lookup(app: &TestApp, q: &str, needle: &str, n: usize) -> String {
    app.send_text(ADMIN, &format!("/lookup {q}"));
    text(&app.nth_reply_containing(ADMIN, needle, n).await)
}

async fn lookup_shows_every_history(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let c = crate::payouts::channel(&app, "USDT", "BSC", OWNER_EVM, PayoutStrategy::Instant).await;
    app.tg.add_user(
        NewUser::new(SAM, "Sam")
            .username("sam_pays")
            .language("en")
            .started(),
    );
    let (invoice_id, np_invoice) = buy_first_tier(&app, SAM, &c).await;
    let np_payment = app
        .np
        .pay(
            np_id(&np_invoice),
            PayIn::exact("usdtbsc", dec!(5)).outcome("usdtbsc", dec!(4.95)),
        )
        .unwrap();
    app.np.advance_to_finished(np_payment).unwrap();
    app.reply_containing(SAM, "Payment received").await;
    drive(&app, || payout_final(&app, c.id)).await;
    let payout = payouts_of(&app, c.id).await.remove(0);
    assert_eq!(payout.state, PayoutState::Sent);
    let hash = payout.tx_hash.clone().unwrap();

    // Not an operator: the unknown-command answer, nothing of the user's history.
    let eve = app.user(EVE, "Eve", Some("en"));
    app.send_text(eve, &format!("/lookup {SAM}"));
    app.reply_containing(eve, "did not understand").await;
    assert_eq!(app.count_containing(eve, "Sam"), 0);

    app.user(ADMIN, "Ops", Some("en"));
    // By Telegram user id: the whole history, HTML-escaped titles read back plain.
    let user = lookup(&app, &SAM.to_string(), &format!("User {SAM}"), 0).await;
    for needle in [
        "@sam_pays",
        "Alpha <Signals> & Co active",
        "Invoices",
        "subscription Alpha <Signals> & Co $5.00 paid",
        "finished",
        "+30d",
        "join_request",
    ] {
        assert!(user.contains(needle), "{needle:?} in {user}");
    }
    // By @username: the same user.
    let again = lookup(&app, "@SAM_pays", &format!("User {SAM}"), 1).await;
    assert!(again.contains("@sam_pays"), "{again}");

    // By channel code: the channel card with its payout, tx hash and explorer link.
    let card = lookup(&app, &c.code, &format!("Channel {}", c.id), 0).await;
    for needle in [
        "Active subscribers: 1",
        "on sale",
        "USDT/BSC",
        hash.as_str(),
        "explorer",
        "sent",
    ] {
        assert!(card.contains(needle), "{needle:?} in {card}");
    }
    let card_msg = app
        .nth_reply_containing(ADMIN, &format!("Channel {}", c.id), 0)
        .await;
    assert!(
        card_msg
            .callback_data()
            .contains(&format!("a:?:pc:{}", c.id))
    );

    // By invoice id: its payments and their IPNs.
    let inv = lookup(
        &app,
        &invoice_id.to_string(),
        &format!("Invoice {invoice_id}"),
        0,
    )
    .await;
    assert!(inv.contains(&np_payment.to_string()), "{inv}");
    assert!(inv.contains("(applied)"), "{inv}");

    // By NOWPayments payment id: amounts, split, events, grant and payout.
    let pay = lookup(
        &app,
        &np_payment.to_string(),
        &format!("NOWPayments {np_payment}"),
        0,
    )
    .await;
    for needle in [
        "NOWPayments",
        "Value $4.95",
        "grant:",
        "sent",
        hash.as_str(),
    ] {
        assert!(pay.contains(needle), "{needle:?} in {pay}");
    }

    // By tx hash: the wallet transaction and the payout it belongs to.
    let tx = lookup(
        &app,
        &hash.to_uppercase().replace("0X", "0x"),
        "Wallet transaction",
        0,
    )
    .await;
    assert!(tx.contains("For payout"), "{tx}");
    assert!(tx.contains(&format!("#{}", payout.id)), "{tx}");

    // Nonsense and an empty query: the usage text, nothing else.
    app.send_text(ADMIN, "/lookup <b>nope</b>");
    app.nth_reply_containing(ADMIN, "send /lookup and one of", 0)
        .await;
    app.send_text(ADMIN, "/lookup");
    app.nth_reply_containing(ADMIN, "send /lookup and one of", 1)
        .await;
    // A number nobody has.
    lookup(&app, "777", "Nothing found", 0).await;
    assert!(log(&app).await.is_empty(), "lookups change nothing");
}

fn owner_card(app: &TestApp, owner: i64) -> Option<telepay_sim::telegram::SimMessage> {
    app.tg
        .messages_in(owner)
        .into_iter()
        .rev()
        .find(|m| m.from_bot && m.callback_data().iter().any(|d| d.starts_with("o:pause:")))
}

async fn operator_stops_sales_and_resends_an_invite(backend: Backend) {
    let Some(app) = spawn_app_with(backend, Mode::Polling, |raw| {
        raw.admin_ids = Some(format!("{ADMIN},{OTHER_ADMIN}"));
    })
    .await
    else {
        return;
    };
    let c = live_channel(&app).await;
    let sam = app.user(SAM, "Sam", Some("en"));
    let old_link = pay_and_get_link(&app, sam, &c).await;
    app.run_jobs_once().await;
    let admin = app.user(ADMIN, "Ops", Some("en"));
    let other = app.user(OTHER_ADMIN, "Ops2", Some("en"));
    let eve = app.user(EVE, "Eve", Some("en"));

    // ── Stop the channel's sales ──
    app.send_text(admin, &format!("/lookup {}", c.code));
    let card = app
        .reply_containing(admin, &format!("Channel {}", c.id))
        .await;
    let op = format!("pc:{}", c.id);
    let asked = app.ask(ADMIN, card.message_id, &op).await;
    let asked_text = text(&asked);
    for needle in ["new purchases", "keep their access", "cannot lift it"] {
        assert!(asked_text.contains(needle), "{needle:?} in {asked_text}");
    }
    assert!(
        !app.ctx
            .db
            .channel(c.id)
            .await
            .unwrap()
            .unwrap()
            .admin_paused
    );
    // A non-admin's replays: refused, nothing changes.
    app.send_text(eve, "/admin");
    let eve_msg = app.reply_containing(eve, "did not understand").await;
    for data in [format!("a:?:{op}"), format!("a:!:{ADMIN}:{op}")] {
        app.tg
            .inject_callback_raw(eve, eve_msg.message_id, &data)
            .unwrap();
    }
    app.send_text(eve, "/admin");
    app.nth_reply_containing(eve, "did not understand", 1).await;
    // Another operator's replay of the first one's confirmation: refused.
    app.tg
        .inject_callback_raw(other, asked.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.send_text(other, "/admin");
    app.reply_containing(other, "Operator menu").await;
    assert!(
        !app.ctx
            .db
            .channel(c.id)
            .await
            .unwrap()
            .unwrap()
            .admin_paused
    );
    assert!(log(&app).await.is_empty());
    // Confirmed: stopped, one row.
    app.press(ADMIN, asked.message_id, &format!("a:!:{ADMIN}:{op}"));
    app.reply_containing(admin, "are stopped by the operator")
        .await;
    let ch = app.ctx.db.channel(c.id).await.unwrap().unwrap();
    assert!(ch.admin_paused && !ch.on_sale());
    // The same confirmation again: nothing more.
    app.tg
        .inject_callback_raw(admin, asked.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.reply_containing(admin, "already stopped by an operator")
        .await;
    let rows = log(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].admin_id, ADMIN);
    assert_eq!(rows[0].action, AdminLogAction::PauseChannelSales);
    assert_eq!(rows[0].subject, format!("channel:{}", c.id));
    assert_eq!(rows[0].before.as_deref(), Some("not paused by an operator"));
    assert_eq!(rows[0].after.as_deref(), Some("paused by an operator"));

    // The deep link refuses to sell; existing members keep access.
    let val = app.user(77, "Val", Some("en"));
    app.send_text(val, &format!("/start c_{}", c.code));
    app.reply_containing(val, "are paused right now").await;
    assert_eq!(app.count_containing(val, "Choose a plan"), 0);
    let sub = app
        .ctx
        .db
        .subscription_of(sam, c.id)
        .await
        .unwrap()
        .unwrap();
    assert!(sub.is_active(app.clock.now()));

    // The owner sees the operator's stop; their own pause and resume do not lift it.
    let owner = c.owner_id;
    app.send_text(owner, "/channels");
    let list = app.reply_containing(owner, "Your channels").await;
    app.press(owner, list.message_id, &format!("o:ch:{}", c.id));
    app.reply_containing(owner, "sales stopped by the operator")
        .await;
    let card = owner_card(&app, owner).unwrap();
    app.press(owner, card.message_id, &format!("o:pause:{}:1", c.id));
    app.nth_reply_containing(owner, "sales stopped by the operator", 1)
        .await;
    let card = owner_card(&app, owner).unwrap();
    app.press(owner, card.message_id, &format!("o:pause:{}:0", c.id));
    app.nth_reply_containing(owner, "sales stopped by the operator", 2)
        .await;
    let ch = app.ctx.db.channel(c.id).await.unwrap().unwrap();
    assert!(!ch.sales_paused && ch.admin_paused && !ch.on_sale());
    app.send_text(val, &format!("/start c_{}", c.code));
    app.nth_reply_containing(val, "are paused right now", 1)
        .await;

    // The operator restarts sales: one more row, the link sells again.
    app.clock.advance(Duration::from_secs(60));
    app.send_text(admin, &format!("/lookup {}", c.id));
    let card = app
        .nth_reply_containing(admin, &format!("Channel {}", c.id), 1)
        .await;
    assert!(text(&card).contains("paused by the operator"));
    let done = app
        .ask_and_confirm(ADMIN, card.message_id, &format!("rc:{}", c.id))
        .await;
    assert!(text(&done).contains("is lifted"), "{done:?}");
    assert!(app.ctx.db.channel(c.id).await.unwrap().unwrap().on_sale());
    let rows = log(&app).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1].action, AdminLogAction::ResumeChannelSales);
    assert_eq!(rows[1].before.as_deref(), Some("paused by an operator"));
    app.send_text(val, &format!("/start c_{}", c.code));
    app.reply_containing(val, "Choose a plan").await;

    // ── Resend an invite ── (a minute after the grant: the resend job reuses only a link made
    // since it was queued)
    app.clock.advance(Duration::from_secs(60));
    app.send_text(admin, &format!("/lookup {SAM}"));
    let user = app.reply_containing(admin, &format!("User {SAM}")).await;
    app.press(admin, user.message_id, &format!("a:us:{SAM}"));
    let op = format!("ri:{}", sub.id);
    let user_card = app
        .reply(admin, |m| {
            m.from_bot && m.callback_data().contains(&format!("a:?:{op}"))
        })
        .await;
    let asked = app.ask(ADMIN, user_card.message_id, &op).await;
    assert!(
        text(&asked).contains("receive a fresh personal link"),
        "{asked:?}"
    );
    let dms = app.count_containing(sam, "fresh invite");
    assert_eq!(dms, 0);
    // Replays by a non-admin and by the other operator: refused.
    app.tg
        .inject_callback_raw(eve, eve_msg.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.send_text(eve, "/admin");
    app.nth_reply_containing(eve, "did not understand", 2).await;
    app.tg
        .inject_callback_raw(other, asked.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.send_text(other, "/admin");
    app.nth_reply_containing(other, "Operator menu", 1).await;
    app.run_jobs_once().await;
    assert_eq!(app.count_containing(sam, "fresh invite"), dms);
    assert_eq!(log(&app).await.len(), 2);
    // Confirmed: a fresh invite DM, the old link revoked, one row.
    app.press(ADMIN, asked.message_id, &format!("a:!:{ADMIN}:{op}"));
    app.reply_containing(admin, "is on its way").await;
    app.run_jobs_once().await;
    let fresh = app.nth_reply_containing(sam, "fresh invite", dms).await;
    assert!(
        text(&fresh).contains("Links sent before no longer work"),
        "{fresh:?}"
    );
    let new_link = fresh.buttons()[0].2.clone().unwrap();
    assert_ne!(new_link, old_link);
    assert!(
        app.tg
            .invite_links(crate::subscriber::CHAT)
            .iter()
            .any(|l| l.link == old_link && l.is_revoked),
        "the old link is revoked"
    );
    // The same confirmation again: nothing more is sent.
    app.tg
        .inject_callback_raw(admin, asked.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.reply_containing(admin, "less than a minute ago").await;
    app.run_jobs_once().await;
    assert_eq!(app.count_containing(sam, "fresh invite"), dms + 1);
    let rows = log(&app).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[2].action, AdminLogAction::ResendInvite);
    assert_eq!(rows[2].subject, format!("subscription:{}", sub.id));
    assert_eq!(rows[2].before.as_deref(), Some("1 live link(s)"));
    assert_eq!(rows[2].after.as_deref(), Some("invite sent"));
    let jobs: i64 = sqlx::query(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'resend_invite' AND unique_key LIKE 'resend:%'",
    )
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap()
    .try_get(0)
    .unwrap();
    assert_eq!(jobs, 1);
}

on_both_backends!(
    lookup_shows_every_history,
    operator_stops_sales_and_resends_an_invite
);
