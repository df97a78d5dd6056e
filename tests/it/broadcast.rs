//! Broadcasts (issue 15), as people use them: the owner composes a message in the bot, sees the
//! count and confirms; the delivery job sends it through the Telegram simulator with its flood
//! limits ON (the default `SimConfig`: 30 messages/s overall, 1/s per chat, 429 otherwise);
//! each subscriber gets it once, even across a restart in the middle; users who blocked the bot
//! are recorded; subscribers can turn a channel's broadcasts off; win-back messages carry a
//! renew button; one broadcast per channel a day. A broadcast moves no money.

use std::time::Duration;

use telepay::domain::states::AdminLogAction;
use telepay::domain::time::Clock;
use telepay::store::channels::Channel;
use telepay_sim::telegram::{NewUser, SimMessage};

use crate::on_both_backends;
use crate::subscriber::live_channel;
use crate::support::app::{Mode, TestApp, press_expect, spawn_app, spawn_app_with, type_expect};
use crate::support::db::Backend;
use crate::support::wait::eventually_within;

const OWNER: i64 = 500;
const DAY: Duration = Duration::from_secs(86_400);
const DAY_MS: i64 = 86_400_000;
/// Long enough for 1,000 messages at 30/s with a restart in the middle, on a loaded machine.
const LONG: Duration = Duration::from_secs(180);

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::Row::get(
        &sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap(),
        0,
    )
}

async fn count_in(db: &telepay::store::Db, sql: &str) -> i64 {
    sqlx::Row::get(
        &sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(db.pool())
            .await
            .unwrap(),
        0,
    )
}

/// Waits for the bot's answer to `/help`: everything `user` pressed before was handled.
async fn barrier(app: &TestApp, user: i64) {
    let seen = app.last_message_id(user);
    app.send_text(user, "/help");
    app.reply(user, |m| m.from_bot && m.message_id > seen).await;
}

async fn audit_clean(app: &TestApp) {
    let report = telepay::payouts::audit::audit(&app.ctx.db).await.unwrap();
    assert!(report.clean(), "{report}");
}

/// Subscribers written directly into the database (setup only: reaching 1,000 subscriptions
/// through 1,000 paid invoices would take minutes and test nothing this file is about), each
/// also a started user of the Telegram simulator. `expires_in` may be negative (lapsed).
async fn seed_subscribers(
    app: &TestApp,
    channel: &Channel,
    ids: impl IntoIterator<Item = i64>,
    expires_in_ms: i64,
) {
    let tier = app.ctx.db.tiers(channel.id).await.unwrap()[0].id;
    let now = app.clock.now().as_millis();
    let expires = now + expires_in_ms;
    let status = if expires > now { "active" } else { "expired" };
    let mut tx = app.ctx.db.pool().begin().await.unwrap();
    for id in ids {
        app.tg.add_user(
            NewUser::new(id, &format!("Sub{id}"))
                .language("en")
                .started(),
        );
        sqlx::query(
            "INSERT INTO users (id, first_name, language_code, created_at, updated_at) \
             VALUES ($1, $2, 'en', $3, $3)",
        )
        .bind(id)
        .bind(format!("Sub{id}"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO subscriptions (id, user_id, channel_id, tier_id, \
               locked_price_usd_micros, locked_days, status, started_at, expires_at, \
               created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 5000000, 30, $5, $6, $7, $6, $6)",
        )
        .bind(id * 10 + 7)
        .bind(id)
        .bind(channel.id)
        .bind(tier)
        .bind(status)
        .bind(now - 30 * DAY_MS)
        .bind(expires)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The owner: /channels → the channel → 📣 Broadcast → the audience (`lapsed_days` typed for
/// a win-back) → the message; returns the confirmation ("Send it to N subscribers?").
async fn owner_composes(
    app: &TestApp,
    channel: &Channel,
    lapsed_days: Option<&str>,
    body: &str,
) -> SimMessage {
    let list = type_expect(app, OWNER, "/channels", "Your channels").await;
    let card = press_expect(
        app,
        OWNER,
        &list,
        &format!("o:ch:{}", channel.id),
        "Payment notifications",
    )
    .await;
    let menu = press_expect(
        app,
        OWNER,
        &card,
        &format!("o:bc:{}", channel.id),
        "Who should get the message?",
    )
    .await;
    match lapsed_days {
        None => {
            press_expect(
                app,
                OWNER,
                &menu,
                &format!("o:bca:{}", channel.id),
                "Send it now",
            )
            .await;
        }
        Some(days) => {
            press_expect(
                app,
                OWNER,
                &menu,
                &format!("o:bcl:{}", channel.id),
                "How many days back?",
            )
            .await;
            type_expect(app, OWNER, "0", "whole number of days from 1 to 90").await;
            type_expect(app, OWNER, days, "Send it now").await;
        }
    }
    type_expect(app, OWNER, body, "This is how subscribers will see it").await
}

/// Presses ✅ Send on the confirmation; returns the bot's answer containing `expect`.
async fn owner_confirms(app: &TestApp, confirm: &SimMessage, expect: &str) -> SimMessage {
    let data = confirm.callback_data();
    assert!(data[0].starts_with("o:bcs:"), "{data:?}");
    press_expect(app, OWNER, confirm, &data[0], expect).await
}

/// How many of the bot's messages in `user`'s chat carry `body`.
fn copies(app: &TestApp, user: i64, body: &str) -> usize {
    app.count_containing(user, body)
}

async fn a_thousand_subscribers_once_each_across_a_restart(backend: Backend) {
    let Some(mut app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    const BASE: i64 = 7_000_000;
    const N: i64 = 1000;
    seed_subscribers(&app, &channel, BASE + 1..=BASE + N, 20 * DAY_MS).await;
    // Two of them blocked the bot before the broadcast: the bot learns it from Telegram's
    // my_chat_member update and records them, they are not sent to.
    for id in [BASE + 1, BASE + 2] {
        app.tg.user_blocks_bot(id).unwrap();
    }
    eventually_within(LONG, "the two blocks recorded", async || {
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM users WHERE unreachable = 1 AND id IN ({}, {})",
                BASE + 1,
                BASE + 2
            ),
        )
        .await
            == 2
    })
    .await;

    let body = "Big news: the <b>weekly</b> report is out & waiting.";
    let confirm = owner_composes(&app, &channel, None, body).await;
    let confirm_text = confirm.text.clone().unwrap();
    assert!(
        confirm_text.contains("Send it to 998 subscribers"),
        "{confirm_text}"
    );
    owner_confirms(&app, &confirm, "Sending to 998 subscribers").await;
    // The last recipient (deliveries go in user-id order) blocks the bot after the
    // confirmation: the send is refused with 403 and recorded as blocked.
    app.tg.user_blocks_bot(BASE + N).unwrap();

    // A restart in the middle.
    let sent = "SELECT COUNT(*) FROM broadcast_deliveries WHERE state = 'sent'";
    eventually_within(LONG, "300 messages delivered", async || {
        count(&app, sent).await >= 300
    })
    .await;
    app.stop_process().await;
    // The process is gone: look at its database as another process would.
    let db = telepay::store::Db::connect(&app.database()).await.unwrap();
    let at_stop = count_in(&db, sent).await;
    assert!(
        at_stop < N - 3,
        "the restart must fall in the middle ({at_stop})"
    );
    // As a process that died between claiming a recipient and sending would leave it (set up
    // directly: a crash at that exact point cannot be timed from outside): one row `sending`.
    let crashed: i64 = count_in(
        &db,
        "SELECT MIN(user_id) FROM broadcast_deliveries WHERE state = 'pending'",
    )
    .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE broadcast_deliveries SET state = 'sending' WHERE user_id = {crashed} \
         AND state = 'pending'"
    )))
    .execute(db.pool())
    .await
    .unwrap();
    db.close().await;
    app.start_process().await;

    let report = eventually_within(LONG, "the owner's report", async || {
        app.tg.messages_in(OWNER).into_iter().find(|m| {
            m.from_bot
                && m.text
                    .as_deref()
                    .is_some_and(|t| t.contains("finished: delivered"))
        })
    })
    .await;
    let states = app
        .ctx
        .db
        .delivery_states(count(&app, "SELECT id FROM broadcasts").await)
        .await
        .unwrap();
    let n_of = |s: &str| {
        states
            .iter()
            .find(|(st, _)| st.as_str() == s)
            .map_or(0, |(_, n)| *n)
    };
    // Every recipient reached exactly once, except those the bot cannot reach and the one
    // left mid-send by the "crash", which is never sent again (at most once).
    let delivered = n_of("sent");
    assert_eq!(n_of("blocked"), 3, "{states:?}");
    assert_eq!(n_of("pending") + n_of("sending"), 0, "{states:?}");
    assert!(n_of("unknown") >= 1, "{states:?}");
    assert_eq!(
        delivered + n_of("unknown") + n_of("failed") + 3,
        N,
        "{states:?}"
    );
    assert_eq!(
        report.text.as_deref().unwrap(),
        format!(
            "📣 Broadcast to Alpha <Signals> & Co finished: delivered {delivered}, blocked 3, failed {}.",
            N - delivered - 3
        )
    );
    let mut twice = Vec::new();
    let mut received = 0;
    for id in BASE + 1..=BASE + N {
        match copies(&app, id, "report is out & waiting") {
            0 => {}
            1 => received += 1,
            _ => twice.push(id),
        }
    }
    assert!(twice.is_empty(), "got a second copy: {twice:?}");
    assert_eq!(received, delivered);
    assert_eq!(copies(&app, crashed, "report is out & waiting"), 0);
    for id in [BASE + 1, BASE + 2, BASE + N] {
        assert_eq!(copies(&app, id, "report is out & waiting"), 0, "{id}");
    }
    // The simulator never had to refuse a send: the shared Throttle kept the pace.
    let refused: Vec<_> = app
        .tg
        .calls()
        .into_iter()
        .filter(|c| c.refused == Some(429))
        .map(|c| (c.method, c.params))
        .collect();
    assert!(refused.is_empty(), "429s: {refused:?}");
    // The message as a subscriber reads it: the channel's name, the owner's words as typed
    // (not markup), and the switch to stop them.
    let msg = app
        .tg
        .messages_in(BASE + 500)
        .into_iter()
        .find(|m| m.from_bot)
        .unwrap();
    assert_eq!(
        msg.text.as_deref().unwrap(),
        format!("📣 Alpha <Signals> & Co\n\n{body}")
    );
    assert_eq!(
        msg.callback_data(),
        vec![format!("bo:{}:1", channel.id)],
        "no renew button for active subscribers"
    );
    audit_clean(&app).await;
}

/// A tiny PNG, as a phone would send a photo.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().unwrap();
    let pixels = usize::try_from(width * height * 3).unwrap();
    w.write_image_data(&vec![200u8; pixels]).unwrap();
    w.finish().unwrap();
    out
}

/// A photo with a caption goes out as that photo (its Telegram file id sent again), with the
/// caption under the channel's header and the opt-out button, once to each subscriber.
async fn a_photo_broadcast_goes_out_as_the_photo(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let (a, b) = (8_100_001, 8_100_002);
    seed_subscribers(&app, &channel, [a, b], 200 * DAY_MS).await;
    let list = type_expect(&app, OWNER, "/channels", "Your channels").await;
    let card = press_expect(
        &app,
        OWNER,
        &list,
        &format!("o:ch:{}", channel.id),
        "Payment notifications",
    )
    .await;
    let menu = press_expect(
        &app,
        OWNER,
        &card,
        &format!("o:bc:{}", channel.id),
        "Who should get the message?",
    )
    .await;
    press_expect(
        &app,
        OWNER,
        &menu,
        &format!("o:bca:{}", channel.id),
        "Send it now",
    )
    .await;
    let picture = png(64, 48);
    app.tg
        .send_photo(OWNER, &picture, Some("Our new studio"))
        .unwrap();
    let confirm = app
        .reply_containing(OWNER, "This is how subscribers will see it")
        .await;
    assert!(
        confirm
            .text
            .as_deref()
            .unwrap()
            .contains("Send it to 2 subscribers")
    );
    // The preview is the photo itself, with the caption as subscribers will read it.
    let preview = app.reply(OWNER, |m| m.from_bot && m.photo.is_some()).await;
    assert!(
        preview
            .caption
            .as_deref()
            .unwrap()
            .contains("Our new studio")
    );
    assert_eq!(preview.photo.as_ref().unwrap().bytes, picture);
    owner_confirms(&app, &confirm, "Sending to 2 subscribers").await;
    app.nth_reply_containing(OWNER, "delivered 2, blocked 0, failed 0", 0)
        .await;
    for user in [a, b] {
        let got: Vec<_> = app
            .tg
            .messages_in(user)
            .into_iter()
            .filter(|m| m.from_bot && m.photo.is_some())
            .collect();
        assert_eq!(got.len(), 1, "{user}: {got:?}");
        let m = &got[0];
        assert_eq!(m.photo.as_ref().unwrap().bytes, picture);
        let caption = m.caption.as_deref().unwrap();
        assert!(caption.contains("Our new studio"), "{caption}");
        assert!(caption.contains("Alpha"), "{caption}");
        assert!(
            m.callback_data().contains(&format!("bo:{}:1", channel.id)),
            "{m:?}"
        );
    }
    audit_clean(&app).await;
}

async fn opt_out_win_back_and_one_a_day(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let tier = app.ctx.db.tiers(channel.id).await.unwrap()[0].id;
    let (a, b, c, d) = (8_000_001, 8_000_002, 8_000_003, 8_000_004);
    let day = DAY_MS;
    seed_subscribers(&app, &channel, [a, b], 200 * day).await;
    // C's subscription ended 3 days ago, D's 40 days ago.
    seed_subscribers(&app, &channel, [c], -3 * day).await;
    seed_subscribers(&app, &channel, [d], -40 * day).await;

    // 1. To the active subscribers.
    let confirm = owner_composes(&app, &channel, None, "First news").await;
    assert!(
        confirm
            .text
            .as_deref()
            .unwrap()
            .contains("Send it to 2 subscribers")
    );
    owner_confirms(&app, &confirm, "Sending to 2 subscribers").await;
    app.nth_reply_containing(OWNER, "delivered 2, blocked 0, failed 0", 0)
        .await;
    let to_a = app.reply_containing(a, "First news").await;
    app.reply_containing(b, "First news").await;
    assert_eq!(copies(&app, c, "First news"), 0);

    // A turns the channel's broadcasts off.
    let off = press_expect(
        &app,
        a,
        &to_a,
        &format!("bo:{}:1", channel.id),
        "You will not get broadcast messages from Alpha <Signals> & Co",
    )
    .await;
    let optouts = "SELECT COUNT(*) FROM broadcast_optouts";
    assert_eq!(count(&app, optouts).await, 1);

    // 2. The same day: refused, whatever the audience.
    let list = type_expect(&app, OWNER, "/channels", "Your channels").await;
    let card = press_expect(
        &app,
        OWNER,
        &list,
        &format!("o:ch:{}", channel.id),
        "Payment notifications",
    )
    .await;
    press_expect(
        &app,
        OWNER,
        &card,
        &format!("o:bc:{}", channel.id),
        "already had a broadcast in the last 24 hours",
    )
    .await;

    // 3. A day later: win-back to those who left in the last 7 days (C, not D), with a renew
    // button for C's tier.
    app.clock.advance(DAY + Duration::from_secs(3600));
    let confirm = owner_composes(&app, &channel, Some("7"), "Come back, 20% off").await;
    assert!(
        confirm
            .text
            .as_deref()
            .unwrap()
            .contains("Send it to 1 subscriber ")
    );
    // A second draft confirmed the same day is refused by the limit at confirmation too.
    let second = owner_composes(&app, &channel, None, "Also this").await;
    owner_confirms(&app, &confirm, "Sending to 1 subscriber").await;
    owner_confirms(
        &app,
        &second,
        "already had a broadcast in the last 24 hours",
    )
    .await;
    app.nth_reply_containing(OWNER, "delivered 1, blocked 0, failed 0", 0)
        .await;
    let to_c = app.reply_containing(c, "Come back, 20% off").await;
    assert_eq!(
        to_c.callback_data(),
        vec![format!("buy:{tier}"), format!("bo:{}:1", channel.id)]
    );
    for other in [a, b, d] {
        assert_eq!(copies(&app, other, "Come back"), 0, "{other}");
    }
    // The renew button opens the ordinary checkout of C's tier.
    press_expect(&app, c, &to_c, &format!("buy:{tier}"), "Pay with any coin").await;

    // 4. Another day: A, who turned them off, is skipped.
    app.clock.advance(DAY + Duration::from_secs(3600));
    let confirm = owner_composes(&app, &channel, None, "Third news").await;
    assert!(
        confirm
            .text
            .as_deref()
            .unwrap()
            .contains("Send it to 1 subscriber ")
    );
    owner_confirms(&app, &confirm, "Sending to 1 subscriber").await;
    app.reply_containing(b, "Third news").await;
    app.nth_reply_containing(OWNER, "delivered 1, blocked 0, failed 0", 1)
        .await;
    assert_eq!(copies(&app, a, "Third news"), 0);

    // A turns them back on from the answer to the first press.
    press_expect(
        &app,
        a,
        &off,
        &format!("bo:{}:0", channel.id),
        "are on again",
    )
    .await;
    assert_eq!(count(&app, optouts).await, 0);
    // A forged switch for a channel that does not exist changes nothing.
    app.tg
        .inject_callback_raw(a, off.message_id, "bo:999999:1")
        .unwrap();
    barrier(&app, a).await;
    assert_eq!(count(&app, optouts).await, 0);

    // Cancelling a draft sends nothing and leaves the day's broadcast free.
    app.clock.advance(DAY + Duration::from_secs(3600));
    let draft = owner_composes(&app, &channel, None, "Never mind").await;
    press_expect(
        &app,
        OWNER,
        &draft,
        &draft.callback_data()[1],
        "Broadcast cancelled",
    )
    .await;
    // Pressing Send on the cancelled draft afterwards does nothing.
    owner_confirms(&app, &draft, "already sent or cancelled").await;
    assert_eq!(copies(&app, b, "Never mind"), 0);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM broadcasts WHERE state = 'cancelled'"
        )
        .await,
        1
    );
    audit_clean(&app).await;
}

async fn an_operator_lifts_the_daily_limit(backend: Backend) {
    const ADMIN: i64 = 900_001;
    const OTHER_ADMIN: i64 = 900_002;
    let Some(app) = spawn_app_with(backend, Mode::Polling, |raw| {
        raw.admin_ids = Some("900001,900002".into());
    })
    .await
    else {
        return;
    };
    let channel = live_channel(&app).await;
    let (a, b) = (8_100_001, 8_100_002);
    seed_subscribers(&app, &channel, [a, b], 200 * DAY_MS).await;
    let admin = app.user(ADMIN, "Ops", Some("en"));
    let other = app.user(OTHER_ADMIN, "Ops2", Some("en"));
    let eve = a;
    let log = async || app.ctx.db.admin_log_all().await.unwrap();
    let op = format!("bl:{}", channel.id);

    // No broadcast yet: the operator's card offers no lift, and a forged ask is refused.
    app.send_text(admin, &format!("/lookup {}", channel.code));
    let card = app
        .reply_containing(admin, &format!("Channel {}", channel.id))
        .await;
    assert!(!card.callback_data().iter().any(|d| d.contains(&op)));
    app.tg
        .inject_callback_raw(admin, card.message_id, &format!("a:?:{op}"))
        .unwrap();
    app.reply_containing(admin, "has no broadcast limit in force")
        .await;

    // Two drafts; the first goes out, the second is refused by the daily limit.
    let confirm = owner_composes(&app, &channel, None, "Monday news").await;
    let draft = owner_composes(&app, &channel, None, "Monday extra").await;
    owner_confirms(&app, &confirm, "Sending to 2 subscribers").await;
    app.nth_reply_containing(OWNER, "delivered 2, blocked 0, failed 0", 0)
        .await;
    owner_confirms(&app, &draft, "already had a broadcast in the last 24 hours").await;

    // The card now offers the lift; asking changes nothing.
    app.send_text(admin, &format!("/lookup {}", channel.code));
    let card = app
        .nth_reply_containing(admin, &format!("Channel {}", channel.id), 1)
        .await;
    assert!(card.callback_data().contains(&format!("a:?:{op}")));
    let asked = app.ask(ADMIN, card.message_id, &op).await;
    assert!(
        asked
            .text
            .as_deref()
            .unwrap()
            .contains("Lift the daily broadcast limit of Alpha <Signals> & Co?")
    );
    // A non-admin's replays and another operator's replay of the confirmation: refused.
    for data in [format!("a:?:{op}"), format!("a:!:{ADMIN}:{op}")] {
        let m = app
            .tg
            .messages_in(eve)
            .into_iter()
            .find(|m| m.from_bot)
            .unwrap();
        app.tg
            .inject_callback_raw(eve, m.message_id, &data)
            .unwrap();
    }
    barrier(&app, eve).await;
    app.tg
        .inject_callback_raw(other, asked.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.send_text(other, "/admin");
    app.reply_containing(other, "Operator menu").await;
    assert!(log().await.is_empty());
    assert!(
        app.ctx
            .db
            .last_broadcast_within_day(channel.id, app.clock.now())
            .await
            .unwrap()
            .is_some()
    );

    // Confirmed: lifted, one row with before/after.
    app.press(ADMIN, asked.message_id, &format!("a:!:{ADMIN}:{op}"));
    app.reply_containing(
        admin,
        "daily broadcast limit of Alpha <Signals> & Co is lifted",
    )
    .await;
    // The same confirmation again: nothing more.
    app.tg
        .inject_callback_raw(admin, asked.message_id, &format!("a:!:{ADMIN}:{op}"))
        .unwrap();
    app.nth_reply_containing(admin, "has no broadcast limit in force", 1)
        .await;
    let rows = log().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].admin_id, ADMIN);
    assert_eq!(rows[0].action, AdminLogAction::LiftBroadcastLimit);
    assert_eq!(rows[0].subject, format!("channel:{}", channel.id));
    assert!(
        rows[0]
            .before
            .as_deref()
            .unwrap()
            .starts_with("one broadcast a day: limit in force")
    );
    assert_eq!(
        rows[0].after.as_deref(),
        Some("limit lifted: the owner may broadcast again")
    );

    // The owner's waiting draft goes out now, the same day; then the limit holds again.
    owner_confirms(&app, &draft, "Sending to 2 subscribers").await;
    app.nth_reply_containing(OWNER, "delivered 2, blocked 0, failed 0", 1)
        .await;
    app.reply_containing(b, "Monday extra").await;
    let limited = app.count_containing(OWNER, "already had a broadcast in the last 24 hours");
    let list = type_expect(&app, OWNER, "/channels", "Your channels").await;
    let card = press_expect(
        &app,
        OWNER,
        &list,
        &format!("o:ch:{}", channel.id),
        "Payment notifications",
    )
    .await;
    press_expect(
        &app,
        OWNER,
        &card,
        &format!("o:bc:{}", channel.id),
        "already had a broadcast in the last 24 hours",
    )
    .await;
    assert_eq!(
        app.count_containing(OWNER, "already had a broadcast in the last 24 hours"),
        limited + 1
    );
    audit_clean(&app).await;
}

on_both_backends!(
    a_thousand_subscribers_once_each_across_a_restart,
    opt_out_win_back_and_one_a_day,
    an_operator_lifts_the_daily_limit,
    a_photo_broadcast_goes_out_as_the_photo,
);
