//! Command menus per scope and language, seen through the Telegram simulator as a client would
//! pick them (chat list, then all private chats, then default; each in the client's language
//! first): subscribers see everyone's commands, owners the owners' menu in their language,
//! operators /admin; a restart sets them all again.

use telepay::bot::menus::{Audience, commands};
use telepay::domain::lang::Lang;
use telepay::domain::time::Clock;
use telepay::store::channels::PayoutStrategy;
use telepay_sim::telegram::CommandScope;

use crate::on_both_backends;
use crate::owner::{register, setup_channel};
use crate::support::app::{TestApp, spawn_app};
use crate::support::db::Backend;
use crate::support::fixtures;
use crate::support::wait::eventually;

/// The operator of the test settings (ADMIN_IDS).
const ADMIN: i64 = 900_001;
const OWNER: i64 = 700;
const SUBSCRIBER: i64 = 1201;
const CHAT: i64 = -100_555_000;

const OWNERS_ONLY: [&str; 4] = ["addchannel", "channels", "balance", "admin"];

type Menu = Vec<(String, String)>;

/// What the user's client shows in the private chat with the bot.
fn seen(app: &TestApp, user: i64) -> Menu {
    app.tg
        .commands_seen_by(user)
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|c| {
            (
                c["command"].as_str().unwrap_or_default().to_owned(),
                c["description"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn menu(audience: Audience, lang: Lang) -> Menu {
    commands(audience, lang)
        .into_iter()
        .map(|c| (c.command, c.description))
        .collect()
}

/// Waits until `user` sees exactly the menu of `audience` in `lang`.
async fn sees(app: &TestApp, user: i64, audience: Audience, lang: Lang) {
    let want = menu(audience, lang);
    eventually(
        &format!("user {user} sees the {audience:?} menu in {lang}"),
        async || {
            let got = seen(app, user);
            if got == want { Ok(()) } else { Err(got) }
        },
    )
    .await;
}

fn names(menu: &Menu) -> Vec<&str> {
    menu.iter().map(|(c, _)| c.as_str()).collect()
}

async fn a_subscriber_sees_no_owner_or_admin_commands(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let ru = app.user(SUBSCRIBER, "Ива́н", Some("ru"));
    let es = app.user(SUBSCRIBER + 1, "Lucía", Some("es-AR"));
    let other = app.user(SUBSCRIBER + 2, "Kai", Some("de"));
    sees(&app, ru, Audience::Everyone, Lang::Ru).await;
    sees(&app, es, Audience::Everyone, Lang::Es).await;
    // No list in the client's language: the default one, in English.
    sees(&app, other, Audience::Everyone, Lang::En).await;
    // Using the bot (and choosing a language) gives a subscriber no list of their own.
    app.send_text(ru, "/start");
    app.reply_containing(ru, "Привет").await;
    app.send_text(ru, "/language");
    let picker = app.reply_containing(ru, "Выберите язык").await;
    app.press(ru, picker.message_id, "lang:es");
    app.reply_containing(ru, "Idioma cambiado").await;
    app.run_jobs_once().await;
    for user in [ru, es, other] {
        let got = seen(&app, user);
        for c in OWNERS_ONLY {
            assert!(!names(&got).contains(&c), "{c} shown to {user}: {got:?}");
        }
    }
    assert!(
        app.tg
            .commands_in(CommandScope::Chat { chat_id: ru }, "")
            .is_none()
    );
}

async fn an_owner_gets_the_owners_menu_in_their_language(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.user(OWNER, "Olga", Some("en"));
    setup_channel(&app, CHAT, "Alpha Signals", OWNER);
    sees(&app, OWNER, Audience::Everyone, Lang::En).await;
    let channel = register(&app, OWNER, CHAT).await;
    sees(&app, OWNER, Audience::Owner, Lang::En).await;
    assert!(!names(&seen(&app, OWNER)).contains(&"admin"));

    // Another language chosen: the owner's list follows it.
    app.send_text(OWNER, "/language");
    let picker = app.reply_containing(OWNER, "Choose your language").await;
    app.press(OWNER, picker.message_id, "lang:es");
    sees(&app, OWNER, Audience::Owner, Lang::Es).await;

    // The last channel deleted: the chat's own list is removed and the default one shows
    // again (in the client's language).
    assert!(
        app.ctx
            .db
            .owner_delete_channel(OWNER, channel.id, app.clock.now())
            .await
            .unwrap()
    );
    app.run_jobs_once().await;
    sees(&app, OWNER, Audience::Everyone, Lang::En).await;
    assert!(
        app.tg
            .commands_in(CommandScope::Chat { chat_id: OWNER }, "")
            .is_none()
    );
}

async fn only_operators_see_admin(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // The operator opens the bot after start-up: /start sets their list, in their language.
    app.user(ADMIN, "Ада", Some("ru"));
    let user = app.user(SUBSCRIBER, "Bo", Some("en"));
    app.send_text(ADMIN, "/start");
    app.send_text(user, "/start");
    app.reply_containing(user, "Hi, Bo!").await;
    sees(&app, ADMIN, Audience::Admin, Lang::Ru).await;
    app.run_jobs_once().await;
    assert!(!names(&seen(&app, user)).contains(&"admin"));
    assert!(!names(&seen(&app, user)).contains(&"lookup"));
    sees(&app, user, Audience::Everyone, Lang::En).await;

    // An operator who also owns a channel keeps the operators' list (a superset of the
    // owners'), also after that channel is deleted.
    let now = app.clock.now();
    // (Not `fixtures::channel`: it would record the operator as an English speaker.)
    let c = app
        .ctx
        .db
        .create_channel(&fixtures::channel_template(ADMIN, CHAT), now)
        .await
        .unwrap();
    app.ctx.jobs_wake.notify_one();
    app.run_jobs_once().await;
    sees(&app, ADMIN, Audience::Admin, Lang::Ru).await;
    app.ctx
        .db
        .owner_delete_channel(ADMIN, c.id, now)
        .await
        .unwrap();
    app.run_jobs_once().await;
    sees(&app, ADMIN, Audience::Admin, Lang::Ru).await;
}

async fn a_restart_sets_every_menu_again(backend: Backend) {
    let Some(mut app) = spawn_app(backend).await else {
        return;
    };
    app.user(ADMIN, "Ada", Some("en"));
    app.user(OWNER, "Olga", Some("es"));
    let subscriber = app.user(SUBSCRIBER, "Bo", Some("ru"));
    let now = app.clock.now();
    fixtures::channel(&app.ctx.db, OWNER, CHAT, PayoutStrategy::Instant, now).await;
    app.ctx
        .db
        .set_user_language(OWNER, Lang::Es, now)
        .await
        .unwrap();
    app.ctx.jobs_wake.notify_one();
    app.run_jobs_once().await;
    sees(&app, OWNER, Audience::Owner, Lang::Es).await;

    // Telegram forgets every list (or a new version changed them); no job is left to set
    // them again: only start-up does.
    app.tg.forget_commands();
    let pending = app.ctx.db.job_counts().await.unwrap();
    assert!(
        pending.iter().all(|(s, n)| s != "pending" || *n == 0),
        "{pending:?}"
    );
    assert!(seen(&app, OWNER).is_empty());
    app.restart().await;
    sees(&app, subscriber, Audience::Everyone, Lang::Ru).await;
    sees(&app, OWNER, Audience::Owner, Lang::Es).await;
    // The operator had not opened the bot before the first start-up; now their chat exists.
    sees(&app, ADMIN, Audience::Admin, Lang::En).await;

    // The operator is taken out of ADMIN_IDS: the next start-up takes the list back.
    app.raw.admin_ids = Some("900002".into());
    app.restart().await;
    sees(&app, ADMIN, Audience::Everyone, Lang::En).await;
    sees(&app, OWNER, Audience::Owner, Lang::Es).await;
}

on_both_backends!(
    a_subscriber_sees_no_owner_or_admin_commands,
    an_owner_gets_the_owners_menu_in_their_language,
    only_operators_see_admin,
    a_restart_sets_every_menu_again,
);
