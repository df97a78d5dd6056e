//! The owner's chart (issue 15 item 6), as people use it: subscribers pay through the
//! NOWPayments simulator on two different days, the owner opens /balance → the channel →
//! "📈 30 days" / "📈 90 days" and receives a PNG by `sendPhoto` (decoded here), an empty
//! channel gets the empty chart, and another user's replayed chart button gets nothing.

use std::time::Duration;

use rust_decimal_macros::dec;
use telepay::domain::lang::Lang;
use telepay::domain::money::UsdMicros;
use telepay::domain::time::Clock;
use telepay::store::channels::{Channel, PayoutStrategy};
use telepay::store::charts::shape;
use telepay_sim::telegram::{AdminRights, NewChat, SimMessage};

use crate::on_both_backends;
use crate::subscriber::{buy_first_tier, np_id, usdt};
use crate::support::app::{TestApp, spawn_app};
use crate::support::db::Backend;
use crate::support::fixtures;
use crate::support::wait::eventually;

const OWNER: i64 = 500;
const STRANGER: i64 = 666;
const CHAT: i64 = -100_777_100;
const DAY: Duration = Duration::from_secs(86_400);
/// The image sizes `src/bot/owner/chart.rs` draws: 1000 wide, a 56 px title and 300 px per
/// panel (revenue, subscribers, and the threshold progress for a threshold channel).
const WIDTH: u32 = 1000;
const HEIGHT_INSTANT: u32 = 56 + 2 * 300;
const HEIGHT_THRESHOLD: u32 = 56 + 3 * 300;

async fn channel(app: &TestApp, strategy: PayoutStrategy) -> Channel {
    app.user(OWNER, "Olga", Some("en"));
    app.tg
        .add_chat(NewChat::channel(CHAT, "Alpha Signals").owner(OWNER));
    app.tg.set_bot_rights(CHAT, AdminRights::full());
    fixtures::channel(&app.ctx.db, OWNER, CHAT, strategy, app.clock.now()).await
}

async fn pays(app: &TestApp, user: i64, name: &str, channel: &Channel) {
    app.user(user, name, Some("en"));
    let (_, np_invoice) = buy_first_tier(app, user, channel).await;
    let payment = app.np.pay(np_id(&np_invoice), usdt(dec!(5))).unwrap();
    app.np.advance_to_finished(payment).unwrap();
    app.reply_containing(user, "Payment received").await;
}

/// /balance → the channel's figures, with the chart buttons.
async fn balance_of(app: &TestApp, channel: &Channel) -> SimMessage {
    let n = app.count_containing(OWNER, "All 1 channels");
    app.send_text(OWNER, "/balance");
    let all = app.nth_reply_containing(OWNER, "All 1 channels", n).await;
    let n = app.count_containing(OWNER, "Platform fee");
    app.press(OWNER, all.message_id, &format!("o:bal:{}", channel.id));
    let view = app.nth_reply_containing(OWNER, "Platform fee", n).await;
    let buttons = view.buttons();
    for days in [30, 90] {
        assert!(
            buttons
                .iter()
                .any(|(text, data, _)| text == &format!("📈 {days} days")
                    && data.as_deref() == Some(&format!("o:chart:{}:{days}", channel.id))),
            "{buttons:?}"
        );
    }
    view
}

fn photos_to(app: &TestApp, chat: i64) -> Vec<telepay_sim::telegram::RecordedCall> {
    app.tg
        .calls_of("sendPhoto")
        .into_iter()
        // Multipart values are recorded as strings.
        .filter(|c| c.param_str("chat_id") == Some(chat.to_string()) && c.refused.is_none())
        .collect()
}

/// Presses a chart button and returns the photo message and the uploaded PNG's size.
async fn chart(app: &TestApp, view: &SimMessage, data: &str) -> (SimMessage, (u32, u32)) {
    let photos = || {
        app.tg
            .messages_in(OWNER)
            .into_iter()
            .filter(|m| m.photo.is_some())
            .collect::<Vec<_>>()
    };
    let before = photos().len();
    app.press(OWNER, view.message_id, data);
    eventually("the chart arrives", async || photos().len() > before).await;
    let photo = photos().pop().unwrap();
    let calls = photos_to(app, OWNER);
    assert_eq!(calls.len(), before + 1);
    let call = calls.last().unwrap();
    assert_eq!(call.files.len(), 1);
    let bytes = &call.files[0].bytes;
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 10_000, "{} bytes", bytes.len());
    assert_eq!(photo.photo.as_ref().unwrap().bytes, *bytes);
    let reader = png::Decoder::new(std::io::Cursor::new(bytes.as_slice()))
        .read_info()
        .unwrap();
    let size = (reader.info().width, reader.info().height);
    (photo, size)
}

async fn audit_clean(app: &TestApp) {
    let report = telepay::payouts::audit::audit(&app.ctx.db).await.unwrap();
    assert!(report.clean(), "{report}");
}

async fn the_chart_of_real_payments_and_a_strangers_replay(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let threshold = UsdMicros::from_cents(5000);
    let c = channel(&app, PayoutStrategy::Threshold(threshold)).await;
    // Two subscribers pay, a day apart.
    pays(&app, 1, "Sam", &c).await;
    app.clock.advance(DAY);
    pays(&app, 2, "Ann", &c).await;
    app.run_jobs_once().await;

    let now = app.clock.now();
    let figures = app.ctx.db.channel_figures(c.id, now).await.unwrap();
    assert_eq!(figures.payments, 2);
    assert!(figures.pending > UsdMicros::ZERO && figures.pending < threshold);

    // The figures drawn, read through the same queries on this backend: one payment on each
    // of the last two days, two subscribers at the end of today (one yesterday), and today's
    // pending balance equal to the /balance figure.
    let data = shape(
        &app.ctx.db.chart_rows(c.id, 30, now).await.unwrap(),
        30,
        now,
    );
    assert_eq!(data.payments, 2);
    assert_eq!(data.total, figures.revenue);
    assert!(data.revenue_on(28) > UsdMicros::ZERO && data.revenue_on(29) > UsdMicros::ZERO);
    assert_eq!(
        data.revenue_on(28).checked_add(data.revenue_on(29)),
        Some(figures.revenue)
    );
    assert_eq!(&data.subscribers[27..], &[0, 1, 2]);
    assert_eq!(data.pending.last(), Some(&figures.pending));

    let view = balance_of(&app, &c).await;
    let (photo, size) = chart(&app, &view, &format!("o:chart:{}:30", c.id)).await;
    assert_eq!(size, (WIDTH, HEIGHT_THRESHOLD));
    let caption = photo.caption.clone().unwrap_or_default();
    for part in [
        "last 30 days".to_owned(),
        format!(
            "Revenue (gross): {} from 2 payments",
            figures.revenue.localized(Lang::En)
        ),
        "Active subscribers now: 2".to_owned(),
        format!(
            "Waiting for payout: {} of {}",
            figures.pending.localized(Lang::En),
            threshold.localized(Lang::En)
        ),
        "Expected to reach the threshold on".to_owned(),
    ] {
        assert!(caption.contains(&part), "{part:?} in {caption:?}");
    }
    let (photo, size) = chart(&app, &view, &format!("o:chart:{}:90", c.id)).await;
    assert_eq!(size, (WIDTH, HEIGHT_THRESHOLD));
    assert!(photo.caption.unwrap_or_default().contains("last 90 days"));

    // Another user replays the owner's chart buttons (and a forged span): nothing is drawn
    // for them.
    app.user(STRANGER, "Mallory", Some("en"));
    app.send_text(STRANGER, "/start");
    let mine = app.reply_containing(STRANGER, "Choose what to do").await;
    for days in [30, 90] {
        let n = app.count_containing(STRANGER, "not available");
        app.tg
            .inject_callback_raw(
                STRANGER,
                mine.message_id,
                &format!("o:chart:{}:{days}", c.id),
            )
            .unwrap();
        app.nth_reply_containing(STRANGER, "not available", n).await;
    }
    app.tg
        .inject_callback_raw(STRANGER, mine.message_id, &format!("o:chart:{}:7", c.id))
        .unwrap();
    // A barrier: the next update is handled after the forged one.
    let n = app.count_containing(STRANGER, "not available");
    app.tg
        .inject_callback_raw(STRANGER, mine.message_id, &format!("o:bal:{}", c.id))
        .unwrap();
    app.nth_reply_containing(STRANGER, "not available", n).await;
    assert!(photos_to(&app, STRANGER).is_empty());
    assert!(
        app.tg
            .messages_in(STRANGER)
            .iter()
            .all(|m| m.photo.is_none())
    );
    assert_eq!(photos_to(&app, OWNER).len(), 2);
    audit_clean(&app).await;
}

async fn an_empty_channel_gets_the_empty_chart(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let c = channel(&app, PayoutStrategy::Instant).await;
    let view = balance_of(&app, &c).await;
    let (photo, size) = chart(&app, &view, &format!("o:chart:{}:30", c.id)).await;
    assert_eq!(size, (WIDTH, HEIGHT_INSTANT));
    let caption = photo.caption.unwrap_or_default();
    assert!(
        caption.contains("from 0 payments") && caption.contains("Active subscribers now: 0"),
        "{caption}"
    );
    // A Russian owner gets the labels and caption in Russian.
    app.send_text(OWNER, "/language");
    let pick = app.reply_containing(OWNER, "Choose your language").await;
    app.press(OWNER, pick.message_id, "lang:ru");
    app.reply_containing(OWNER, "Язык интерфейса").await;
    let (photo, size) = chart(&app, &view, &format!("o:chart:{}:90", c.id)).await;
    assert_eq!(size, (WIDTH, HEIGHT_INSTANT));
    let caption = photo.caption.unwrap_or_default();
    assert!(caption.contains("последние 90 дней"), "{caption}");
    audit_clean(&app).await;
}

on_both_backends!(
    the_chart_of_real_payments_and_a_strangers_replay,
    an_empty_channel_gets_the_empty_chart,
);
