//! The bot end to end: updates from the Telegram simulator through our dispatcher, replies
//! recorded by the simulator, state in the real database.

use std::time::Duration;

use serde_json::Value;
use telepay::bot::flood;
use telepay::domain::lang::Lang;
use telepay::i18n::t;

use crate::on_both_backends;
use crate::support::app::{Mode, TestApp, WAIT, WEBHOOK_SECRET, spawn_app, spawn_app_with};
use crate::support::db::Backend;
use crate::support::wait::eventually;

async fn start_replies_in_the_users_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let ru = app.user(1001, "Ива́н", Some("ru"));
    let es = app.user(1002, "Lucía", Some("es-AR"));
    let other = app.user(1003, "Kai", Some("de"));
    app.send_text(ru, "/start");
    app.send_text(es, "/start");
    app.send_text(other, "/start");
    let m = app.reply_containing(ru, "Привет, Ива́н!").await;
    assert_eq!(m.parse_mode.as_deref(), Some("HTML"));
    let data = m.callback_data();
    assert_eq!(data, vec!["o:add", "o:list", "o:bal", "m:lang", "m:help"]);
    app.reply_containing(es, "¡Hola, Lucía!").await;
    // An unsupported language falls back to English.
    app.reply_containing(other, "Hi, Kai!").await;
    let stored = app.ctx.db.get_user(ru).await.unwrap().unwrap();
    assert_eq!(stored.language_code.as_deref(), Some("ru"));
}

async fn language_choice_is_stored_and_used(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let u = app.user(2001, "Ann", Some("en"));
    app.send_text(u, "/language");
    let picker = app.reply_containing(u, "Choose your language").await;
    assert_eq!(
        picker.callback_data(),
        vec!["lang:en", "lang:ru", "lang:es"]
    );
    app.press(u, picker.message_id, "lang:es");
    app.reply_containing(u, "Idioma cambiado a 🇪🇸 Español")
        .await;
    let row = app.ctx.db.get_user(u).await.unwrap().unwrap();
    assert_eq!(row.lang(), Lang::Es);
    // The choice outlives Telegram's language_code on later updates.
    app.send_text(u, "/help");
    app.reply_containing(u, "Cómo funciona TelePay").await;
    app.tg
        .wait_for_calls("answerCallbackQuery", 1, WAIT)
        .await
        .unwrap();
}

async fn tampered_callback_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let u = app.user(3001, "Bo", Some("en"));
    app.send_text(u, "/language");
    let picker = app.reply_containing(u, "Choose your language").await;
    for forged in ["lang:xx", "admin:pause", &"lang:ru".repeat(10)] {
        app.tg
            .inject_callback_raw(u, picker.message_id, forged)
            .unwrap();
    }
    let answers = app
        .tg
        .wait_for_calls("answerCallbackQuery", 3, WAIT)
        .await
        .unwrap();
    for a in answers {
        assert_eq!(
            a.param_str("text").as_deref(),
            Some("This button is no longer valid.")
        );
    }
    let row = app.ctx.db.get_user(u).await.unwrap().unwrap();
    assert_eq!(row.language, None, "nothing was written");
}

async fn unknown_text_gets_a_hint(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let u = app.user(4001, "Cy", None);
    app.send_text(u, "hello there");
    app.reply_containing(u, "Send /help").await;
}

async fn blocking_the_bot_marks_the_user_unreachable(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let u = app.user(5001, "Di", Some("en"));
    app.send_text(u, "/start");
    app.reply_containing(u, "Hi, Di!").await;
    app.tg.user_blocks_bot(u).unwrap();
    eventually("the user marked unreachable", async || {
        app.ctx.db.get_user(u).await.unwrap().unwrap().unreachable
    })
    .await;
}

/// Start-up asks for every update kind explicitly (chat_member is never sent otherwise) and
/// registers everyone's command menu in every language.
async fn startup_requests_all_update_kinds_and_sets_menus(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // The simulator records a long poll when it answers; a message makes it answer.
    let u = app.user(7001, "Fay", None);
    app.send_text(u, "/start");
    app.reply_containing(u, "Hi, Fay!").await;
    let polls = app.tg.wait_for_calls("getUpdates", 1, WAIT).await.unwrap();
    let allowed: Vec<String> = polls[0].params["allowed_updates"]
        .as_array()
        .expect("the first getUpdates lists allowed_updates")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    for kind in [
        "message",
        "callback_query",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
    ] {
        assert!(
            allowed.iter().any(|a| a == kind),
            "{kind} missing from {allowed:?}"
        );
    }
    // The menus are set in the background after the server listens.
    for lang in ["ru", "es", "en", ""] {
        let cmds = eventually(&format!("the default menu in {lang:?}"), async || {
            app.tg.my_commands(lang)
        })
        .await;
        assert!(cmds.to_string().contains("language"), "{lang}: {cmds}");
        assert!(!cmds.to_string().contains("admin"), "{lang}: {cmds}");
    }
    let sends = app
        .telegram_calls()
        .into_iter()
        .filter(|c| c.method == "sendMessage")
        .count();
    assert_eq!(sends, 1, "one reply to one /start");
}

async fn webhook_mode_checks_the_secret(backend: Backend) {
    let Some(app) = spawn_app_with(backend, Mode::Webhook, |_| {}).await else {
        return;
    };
    let set = app.tg.wait_for_calls("setWebhook", 1, WAIT).await.unwrap();
    assert_eq!(
        set[0].param_str("secret_token").as_deref(),
        Some(WEBHOOK_SECRET)
    );
    assert!(
        set[0].params["allowed_updates"]
            .to_string()
            .contains("chat_member")
    );
    assert_eq!(
        app.tg.webhook_url().as_deref(),
        Some(format!("http://{}/webhooks/telegram", app.addr).as_str())
    );
    let u = app.user(6001, "Eve", Some("ru"));
    app.send_text(u, "/start");
    app.reply_containing(u, "Привет, Eve!").await;
    assert!(
        app.tg.calls_of("getUpdates").is_empty(),
        "no polling in webhook mode"
    );

    // A forged delivery without (or with a wrong) secret is refused and reaches no handler.
    let update = serde_json::json!({"update_id": 999, "message": {"message_id": 1, "date": 0,
        "chat": {"id": u, "type": "private", "first_name": "Eve"},
        "from": {"id": u, "is_bot": false, "first_name": "Eve"}, "text": "/help"}});
    let url = format!("http://{}/webhooks/telegram", app.addr);
    let r = app.http.post(&url).json(&update).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .http
        .post(&url)
        .header("X-Telegram-Bot-Api-Secret-Token", "wrong")
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Barrier: a later update from the same user, through the real webhook, is answered only
    // after everything the dispatcher took before it from this chat.
    app.send_text(u, "/start");
    app.nth_reply_containing(u, "Привет, Eve!", 1).await;
    let helps = app
        .tg
        .messages_in(u)
        .into_iter()
        .filter(|m| {
            m.text
                .as_deref()
                .is_some_and(|t| t.contains("Как работает"))
        })
        .count();
    assert_eq!(helps, 0);
}

/// One user sending 200 messages at once slows no one else: another user's `/start`, sent
/// after the whole flood, is answered within a few seconds on the simulator's clock. The
/// flooder is answered at most [`flood::BURST`] times, gets one "slow down" notice in their
/// language, and is answered again once the flood is over.
async fn a_flooding_user_does_not_starve_the_others(backend: Backend, mode: Mode) {
    let Some(app) = spawn_app_with(backend, mode, |_| {}).await else {
        return;
    };
    let flooder = app.user(8001, "Flo", Some("ru"));
    let other = app.user(8002, "Ola", Some("en"));
    for i in 0..200 {
        app.send_text(flooder, &format!("spam {i}"));
    }
    let asked = app.send_text(other, "/start");
    let asked = app
        .tg
        .message(other, asked.message_id.unwrap())
        .unwrap()
        .date;
    let answer = app.reply_containing(other, "Hi, Ola!").await;
    assert!(
        answer.date - asked <= 3,
        "/start answered {} s after it was sent (simulator clock)",
        answer.date - asked
    );

    let notice = t(Lang::Ru, "flood-slow-down");
    app.reply_containing(flooder, &notice).await;
    // Barrier: a later message from the flooder is answered once their backlog is worked off,
    // and everything they sent before it has been handled by then.
    help_barrier(&app, flooder, "Как работает").await;
    assert_eq!(app.count_containing(flooder, &notice), 1, "one notice");
    let hints = app.count_containing(flooder, "Я не понял");
    assert!(
        (1..=flood::BURST as usize).contains(&hints),
        "{hints} of 200 flood messages answered"
    );
}

/// Sends `/help` until it is answered (an attempt made while the user is still over budget is
/// dropped like the flood). Once answered, everything the user sent before has been handled.
async fn help_barrier(app: &TestApp, user: i64, help: &str) {
    for _ in 0..20 {
        app.send_text(user, "/help");
        let seen = app
            .tg
            .wait_for_message(user, Duration::from_secs(3), |m| {
                m.from_bot && m.text.as_deref().is_some_and(|t| t.contains(help))
            })
            .await;
        if seen.is_ok() {
            return;
        }
    }
    panic!("the user is not answered again after the flood");
}

/// A flood of button presses: the excess is dropped; the first dropped press is answered with
/// the notice as a toast (no chat message); nothing is answered twice.
async fn a_button_flood_is_dropped_with_one_toast(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let u = app.user(8101, "Bea", Some("es"));
    app.send_text(u, "/language");
    let picker = app.reply_containing(u, "Elige tu idioma").await;
    let presses = 40;
    for _ in 0..presses {
        app.tg
            .inject_callback_raw(u, picker.message_id, "lang:xx")
            .unwrap();
    }
    let notice = t(Lang::Es, "flood-slow-down");
    let toasts = |tg: &telepay_sim::telegram::TelegramSim| {
        tg.calls_of("answerCallbackQuery")
            .iter()
            .filter(|c| c.param_str("text").as_deref() == Some(notice.as_str()))
            .count()
    };
    app.tg.wait_for(WAIT, |tg| toasts(tg) > 0).await.unwrap();
    help_barrier(&app, u, "Cómo funciona").await;
    assert_eq!(toasts(&app.tg), 1);
    assert_eq!(
        app.count_containing(u, &notice),
        0,
        "no chat message for presses"
    );
    let answers = app.tg.calls_of("answerCallbackQuery");
    let expired = answers
        .iter()
        .filter(|c| c.param_str("text").as_deref() == Some("Este botón ya no es válido."))
        .count();
    assert!(
        (1..flood::BURST as usize).contains(&expired),
        "{expired} of {presses} presses handled"
    );
    assert!(answers.len() <= presses);
    let row = app.ctx.db.get_user(u).await.unwrap().unwrap();
    assert_eq!(row.language, None, "nothing was written");
}

async fn flood_polling(backend: Backend) {
    a_flooding_user_does_not_starve_the_others(backend, Mode::Polling).await;
}

async fn flood_webhook(backend: Backend) {
    a_flooding_user_does_not_starve_the_others(backend, Mode::Webhook).await;
}

on_both_backends!(
    start_replies_in_the_users_language,
    language_choice_is_stored_and_used,
    tampered_callback_changes_nothing,
    unknown_text_gets_a_hint,
    blocking_the_bot_marks_the_user_unreachable,
    startup_requests_all_update_kinds_and_sets_menus,
    webhook_mode_checks_the_secret,
    flood_polling,
    flood_webhook,
    a_button_flood_is_dropped_with_one_toast,
);
