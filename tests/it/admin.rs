//! The operator console in the bot (SPEC §7): figures over a period, and nothing of it for
//! anyone else.

use crate::on_both_backends;
use crate::subscriber::{live_channel, pay_and_get_link};
use crate::support::app::spawn_app;
use crate::support::db::Backend;

const ADMIN: i64 = 900_001;

/// After one $5 payment: the last day's figures show it; a non-admin replaying the stats
/// button gets the expired-button toast and no figures.
async fn stats_over_a_period_for_admins_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let channel = live_channel(&app).await;
    let sam = app.user(31, "Sam", Some("en"));
    pay_and_get_link(&app, sam, &channel).await;
    app.run_jobs_once().await;

    let admin = app.user(ADMIN, "Ops", Some("en"));
    app.send_text(admin, "/admin");
    let menu = app.reply_containing(admin, "Operator menu").await;
    for data in ["a:stats:1d", "a:stats:7d", "a:stats:30d"] {
        assert!(menu.callback_data().contains(&data.to_owned()), "{data}");
    }
    app.press(admin, menu.message_id, "a:stats:1d");
    let stats = app.reply_containing(admin, "The last day").await;
    let text = stats.text.clone().unwrap();
    // $5 valued 1:1 (USDT), 3% platform fee.
    assert!(
        text.contains("Revenue: $4.95 (platform fees $0.15)"),
        "{text}"
    );
    assert!(text.contains("Payments: finished 1"), "{text}");
    assert!(
        text.contains("Subscriptions: 1 active, 1 new, 0 ended"),
        "{text}"
    );
    assert!(text.contains("Failed jobs: 0 · open alerts: 0"), "{text}");
    // The other periods are one tap away.
    assert!(stats.callback_data().contains(&"a:stats:30d".to_owned()));

    // Two days later the payment has left the last day's window, not the week's.
    app.clock
        .advance(std::time::Duration::from_secs(2 * 86_400));
    app.press(admin, stats.message_id, "a:stats:7d");
    let week = app.reply_containing(admin, "The last 7 days").await;
    assert!(week.text.unwrap().contains("Revenue: $4.95"));
    app.press(admin, stats.message_id, "a:stats:30d");
    app.reply_containing(admin, "The last 30 days").await;
    app.send_text(admin, "/admin");
    let menu = app.nth_reply_containing(admin, "Operator menu", 1).await;
    app.press(admin, menu.message_id, "a:stats:1d");
    let today = app.nth_reply_containing(admin, "The last day", 1).await;
    let text = today.text.unwrap();
    assert!(text.contains("Revenue: $0.00"), "{text}");
    assert!(text.contains("Payments: none"), "{text}");

    // Anyone else: the replayed button is refused and shows nothing.
    let eve = app.user(32, "Eve", Some("en"));
    app.send_text(eve, "/admin");
    let reply = app.reply_containing(eve, "did not understand").await;
    app.tg
        .inject_callback_raw(eve, reply.message_id, "a:stats:30d")
        .unwrap();
    app.send_text(eve, "/admin");
    app.nth_reply_containing(eve, "did not understand", 1).await;
    assert_eq!(app.count_containing(eve, "Revenue"), 0);
    let toasts = app.tg.calls_of("answerCallbackQuery");
    assert!(
        toasts
            .iter()
            .any(|c| c.param_str("text").as_deref() == Some("This button is no longer valid.")),
        "the replayed button got no refusal"
    );
}

on_both_backends!(stats_over_a_period_for_admins_only);
