//! Broadcasts, the owner's side (issue 15): "My channels" → a channel → "📣 Broadcast" → the
//! audience (active subscribers, or those whose subscription ended in the last N days, N typed
//! 1–90) → the message (text, or one photo with a caption) → a preview and "Send to N
//! subscribers?" → the delivery job (`access::broadcast`), which reports to the owner at the
//! end. One broadcast per channel in 24 hours. Also the subscriber's switch that turns a
//! channel's broadcasts off and back on (the button under every broadcast message).

use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::{button, owned, say, say_with};
use crate::access::broadcast::{MAX_CAPTION_CHARS, MAX_TEXT_CHARS, message_text};
use crate::bot::dialogue::{Conversation, enter};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::{CallbackData, OwnerAction};
use crate::domain::time::UnixMillis;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::broadcasts::{Audience, ConfirmOutcome, DAY_MS, MAX_LAPSED_DAYS};
use crate::store::channels::Channel;
use crate::store::users::UserRow;

fn count_arg(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// "One broadcast a day" refusal naming when the next one is possible.
fn limit_text(user: &UserRow, c: &Channel, last: UnixMillis) -> String {
    t_args(
        user.lang(),
        "bc-daily-limit",
        &[
            ("channel", Arg::from(c.title.as_str())),
            ("last", Arg::Html(last.to_string())),
            (
                "next",
                Arg::Html(
                    UnixMillis::from_millis(last.as_millis().saturating_add(DAY_MS)).to_string(),
                ),
            ),
        ],
    )
}

/// The audience choice, or the daily-limit refusal.
pub async fn show(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        return Ok(());
    };
    let now = ctx.clock.now();
    if let Some(last) = ctx.db.last_broadcast_within_day(c.id, now).await? {
        return say(bot, chat, limit_text(user, &c, last)).await;
    }
    let lang = user.lang();
    let active = ctx
        .db
        .broadcast_audience_count(c.id, Audience::Active, now)
        .await?;
    let rows = vec![
        vec![button(
            t_args(lang, "bc-btn-active", &[("count", Arg::Int(active))]),
            OwnerAction::BroadcastActive(c.id),
        )],
        vec![button(
            t(lang, "bc-btn-lapsed"),
            OwnerAction::BroadcastLapsed(c.id),
        )],
        vec![button(t(lang, "own-btn-back"), OwnerAction::Open(c.id))],
    ];
    let text = t_args(
        lang,
        "bc-title",
        &[("channel", Arg::from(c.title.as_str()))],
    );
    say_with(bot, chat, text, InlineKeyboardMarkup::new(rows)).await
}

/// Asks how many days back a win-back broadcast reaches.
pub async fn ask_days(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        return Ok(());
    };
    enter(
        &ctx.db,
        chat.0,
        &Conversation::BroadcastDays { channel_id: c.id },
        ctx.clock.now(),
    )
    .await?;
    let text = t_args(
        user.lang(),
        "bc-ask-days",
        &[("max", Arg::Int(i64::from(MAX_LAPSED_DAYS)))],
    );
    say(bot, chat, text).await
}

/// A typed number of days: digits only, 1 to 90.
pub fn parse_days(text: &str) -> Option<u32> {
    crate::bot::amount::typed_whole(text, 1, MAX_LAPSED_DAYS.into())
        .and_then(|d| u32::try_from(d).ok())
}

/// The owner's answer to [`ask_days`].
pub async fn on_days(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
    text: &str,
) -> HandlerResult {
    let Some(days) = parse_days(text) else {
        let text = t_args(
            user.lang(),
            "bc-days-bad",
            &[("max", Arg::Int(i64::from(MAX_LAPSED_DAYS)))],
        );
        return say(bot, chat, text).await;
    };
    ask_message(bot, ctx, chat, user, channel_id, Some(days)).await
}

fn audience_of(lapsed_days: Option<u32>) -> Audience {
    match lapsed_days {
        None => Audience::Active,
        Some(days) => Audience::Lapsed { days },
    }
}

/// Asks for the message, saying how many subscribers the audience reaches now.
pub async fn ask_message(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
    lapsed_days: Option<u32>,
) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        ctx.db.remove_dialogue(chat.0).await?;
        return Ok(());
    };
    let now = ctx.clock.now();
    let count = ctx
        .db
        .broadcast_audience_count(c.id, audience_of(lapsed_days), now)
        .await?;
    enter(
        &ctx.db,
        chat.0,
        &Conversation::BroadcastMessage {
            channel_id: c.id,
            lapsed_days,
        },
        now,
    )
    .await?;
    let lang = user.lang();
    let who = match lapsed_days {
        None => t_args(lang, "bc-who-active", &[("count", Arg::Int(count))]),
        Some(days) => t_args(
            lang,
            "bc-who-lapsed",
            &[
                ("count", Arg::Int(count)),
                ("days", Arg::Int(i64::from(days))),
            ],
        ),
    };
    let text = t_args(
        lang,
        "bc-ask-message",
        &[
            ("who", Arg::Html(who)),
            ("max_text", Arg::Int(count_arg(MAX_TEXT_CHARS))),
            ("max_caption", Arg::Int(count_arg(MAX_CAPTION_CHARS))),
        ],
    );
    say(bot, chat, text).await
}

/// The owner's message: stored as a draft, shown back as subscribers will see it, with the
/// confirmation.
pub async fn on_message(
    bot: &TgBot,
    ctx: &Ctx,
    msg: &Message,
    user: &UserRow,
    channel_id: i64,
    lapsed_days: Option<u32>,
) -> HandlerResult {
    let chat = msg.chat.id;
    let lang = user.lang();
    let photo = msg
        .photo()
        .and_then(|sizes| sizes.iter().max_by_key(|p| p.width * p.height))
        .map(|p| p.file.id.0.clone());
    let (body, limit) = match &photo {
        Some(_) => (msg.caption().unwrap_or_default(), MAX_CAPTION_CHARS),
        None => match msg.text() {
            Some(text) => (text, MAX_TEXT_CHARS),
            None => return say(bot, chat, t(lang, "bc-message-kind")).await,
        },
    };
    if body.trim().is_empty() && photo.is_none() {
        return say(bot, chat, t(lang, "bc-message-kind")).await;
    }
    if body.chars().count() > limit {
        let text = t_args(
            lang,
            "bc-message-long",
            &[
                ("max", Arg::Int(count_arg(limit))),
                ("length", Arg::Int(count_arg(body.chars().count()))),
            ],
        );
        return say(bot, chat, text).await;
    }
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        ctx.db.remove_dialogue(chat.0).await?;
        return Ok(());
    };
    let now = ctx.clock.now();
    let audience = audience_of(lapsed_days);
    let id = ctx
        .db
        .create_broadcast_draft(user.id, c.id, audience, body, photo.as_deref(), now)
        .await?;
    ctx.db.remove_dialogue(chat.0).await?;
    let count = ctx.db.broadcast_audience_count(c.id, audience, now).await?;
    tracing::info!(
        user_id = user.id,
        channel_id = c.id,
        broadcast_id = id,
        count,
        "broadcast drafted"
    );
    // The preview: the message exactly as a subscriber gets it (buttons shown, not live).
    let preview = message_text(lang, &c.title, body);
    match &photo {
        Some(file) => {
            bot.send_photo(
                chat,
                teloxide::types::InputFile::file_id(teloxide::types::FileId(file.clone())),
            )
            .caption(preview)
            .parse_mode(ParseMode::Html)
            .await?;
        }
        None => say(bot, chat, preview).await?,
    }
    let text = t_args(
        lang,
        "bc-confirm",
        &[
            ("count", Arg::Int(count)),
            ("channel", Arg::from(c.title.as_str())),
        ],
    );
    let rows = vec![vec![
        button(
            t_args(lang, "bc-btn-send", &[("count", Arg::Int(count))]),
            OwnerAction::BroadcastSend(id),
        ),
        button(t(lang, "bc-btn-cancel"), OwnerAction::BroadcastCancel(id)),
    ]];
    say_with(bot, chat, text, InlineKeyboardMarkup::new(rows)).await
}

/// "Send": the recipients are fixed and the delivery starts, unless the daily limit says no.
pub async fn confirm(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    broadcast_id: i64,
) -> HandlerResult {
    let lang = user.lang();
    let Some(b) = ctx.db.broadcast(broadcast_id).await? else {
        return say(bot, chat, t(lang, "own-not-found")).await;
    };
    let Some(c) = owned(bot, ctx, chat, user, b.channel_id).await? else {
        return Ok(());
    };
    let now = ctx.clock.now();
    let give_up = now.saturating_add(ctx.config.jobs.give_up_after);
    let text = match ctx
        .db
        .confirm_broadcast(user.id, b.id, now, give_up)
        .await?
    {
        ConfirmOutcome::Started { recipients } => {
            ctx.jobs_wake.notify_one();
            tracing::info!(
                user_id = user.id,
                channel_id = c.id,
                broadcast_id = b.id,
                recipients,
                "broadcast confirmed"
            );
            t_args(
                lang,
                "bc-started",
                &[
                    ("count", Arg::Int(recipients)),
                    ("channel", Arg::from(c.title.as_str())),
                ],
            )
        }
        ConfirmOutcome::NotDraft => t(lang, "bc-not-draft"),
        ConfirmOutcome::DailyLimit { last } => limit_text(user, &c, last),
        ConfirmOutcome::NoRecipients => t(lang, "bc-nobody"),
    };
    say(bot, chat, text).await
}

/// "Cancel" on the confirmation.
pub async fn cancel(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    broadcast_id: i64,
) -> HandlerResult {
    let lang = user.lang();
    let text = if ctx.db.cancel_broadcast_draft(user.id, broadcast_id).await? {
        t(lang, "bc-cancelled")
    } else {
        t(lang, "bc-not-draft")
    };
    say(bot, chat, text).await
}

/// A subscriber's "🔕 Stop messages from this channel" (or "🔔 turn back on").
pub async fn on_optout(
    bot: &TgBot,
    ctx: &Ctx,
    q: &CallbackQuery,
    user: &UserRow,
    chat: ChatId,
    channel_id: i64,
    off: bool,
) -> HandlerResult {
    let lang = user.lang();
    let Some(c) = ctx.db.channel(channel_id).await? else {
        bot.answer_callback_query(q.id.clone())
            .text(t(lang, "callback-expired"))
            .await?;
        return Ok(());
    };
    bot.answer_callback_query(q.id.clone()).await?;
    let changed = ctx
        .db
        .set_broadcast_optout(user.id, c.id, off, ctx.clock.now())
        .await?;
    if changed {
        tracing::info!(
            user_id = user.id,
            channel_id = c.id,
            off,
            "broadcast opt-out changed"
        );
    }
    let (key, button_key) = if off {
        ("bc-optout-off", "bc-optout-on-button")
    } else {
        ("bc-optout-on", "bc-stop-button")
    };
    let text = t_args(lang, key, &[("channel", Arg::from(c.title.as_str()))]);
    let markup = InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback(
        t(lang, button_key),
        CallbackData::BroadcastsOff(c.id, !off).encode(),
    )]]);
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(markup)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_days;

    #[test]
    fn lapsed_days_are_1_to_90_digits_only() {
        for (text, want) in [
            ("1", Some(1)),
            (" 90 ", Some(90)),
            ("7", Some(7)),
            ("0", None),
            ("91", None),
            ("-1", None),
            ("+3", None),
            ("3.5", None),
            ("", None),
            ("100", None),
            ("٣", None),
        ] {
            assert_eq!(parse_days(text), want, "{text:?}");
        }
    }
}
