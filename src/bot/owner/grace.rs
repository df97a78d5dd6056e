//! Grace period, the owner's side (issue 15): in "My channels" → a channel → "⏳ Grace
//! period", the owner types the hours (0 to 72; 0 = none). The card shows it. A change applies
//! to subscriptions that end from then on; a grace already running keeps its end.

use teloxide::prelude::*;

use super::{owned, say};
use crate::bot::dialogue::{Conversation, enter};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::grace::MAX_GRACE_HOURS;
use crate::store::users::UserRow;

fn grace_text(lang: Lang, hours: u32) -> String {
    if hours == 0 {
        t(lang, "own-grace-none")
    } else {
        t_args(
            lang,
            "own-grace-hours",
            &[("hours", Arg::Int(i64::from(hours)))],
        )
    }
}

/// "⏳ Grace period: 24 hours" for the channel card.
pub async fn card_line(ctx: &Ctx, lang: Lang, channel_id: i64) -> anyhow::Result<String> {
    let hours = ctx.db.grace_hours(channel_id).await?;
    Ok(t_args(
        lang,
        "own-grace-card",
        &[("grace", Arg::Html(grace_text(lang, hours)))],
    ))
}

/// Asks for the channel's grace in hours.
pub async fn ask(
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
        &Conversation::EditGrace { channel_id: c.id },
        ctx.clock.now(),
    )
    .await?;
    let lang = user.lang();
    let hours = ctx.db.grace_hours(c.id).await?;
    let text = t_args(
        lang,
        "own-grace-ask",
        &[
            ("channel", Arg::from(c.title.as_str())),
            ("grace", Arg::Html(grace_text(lang, hours))),
            ("max", Arg::Int(i64::from(MAX_GRACE_HOURS))),
        ],
    );
    say(bot, chat, text).await
}

/// A typed grace: digits only, 0 to 72.
pub fn parse_hours(text: &str) -> Option<u32> {
    crate::bot::amount::typed_whole(text, 0, MAX_GRACE_HOURS.into())
        .and_then(|h| u32::try_from(h).ok())
}

/// The owner's answer to [`ask`]; a bad answer changes nothing and keeps the question open.
pub async fn on_hours(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
    text: &str,
) -> HandlerResult {
    let lang = user.lang();
    let Some(hours) = parse_hours(text) else {
        let text = t_args(
            lang,
            "own-grace-bad",
            &[("max", Arg::Int(i64::from(MAX_GRACE_HOURS)))],
        );
        return say(bot, chat, text).await;
    };
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        ctx.db.remove_dialogue(chat.0).await?;
        return Ok(());
    };
    let before = ctx
        .db
        .owner_set_grace_hours(user.id, c.id, hours, ctx.clock.now())
        .await?;
    ctx.db.remove_dialogue(chat.0).await?;
    let Some(before) = before else {
        return say(bot, chat, t(lang, "own-not-found")).await;
    };
    tracing::info!(
        user_id = user.id,
        channel_id = c.id,
        before,
        hours,
        "grace period set"
    );
    let channel = ("channel", Arg::from(c.title.as_str()));
    let text = if hours == 0 {
        t_args(lang, "own-grace-cleared", &[channel])
    } else {
        t_args(
            lang,
            "own-grace-saved",
            &[channel, ("hours", Arg::Int(i64::from(hours)))],
        )
    };
    say(bot, chat, text).await?;
    super::manage::card(bot, ctx, chat, user, c.id).await
}

#[cfg(test)]
mod tests {
    use super::parse_hours;

    #[test]
    fn grace_hours_are_0_to_72_digits_only() {
        for (text, want) in [
            ("24", Some(24)),
            (" 72 ", Some(72)),
            ("0", Some(0)),
            ("00", Some(0)),
            ("1", Some(1)),
            ("73", None),
            ("-1", None),
            ("+3", None),
            ("2.5", None),
            ("two", None),
            ("", None),
            ("100", None),
            ("24h", None),
            ("٢٤", None),
        ] {
            assert_eq!(parse_hours(text), want, "{text:?}");
        }
    }
}
