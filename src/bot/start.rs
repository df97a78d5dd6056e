//! /start, /help and anything else typed in a private chat.

use teloxide::prelude::*;
use teloxide::types::{ParseMode, User};

use super::dialogue::{Conversation, current};
use super::{HandlerResult, TgBot, keyboards};
use crate::domain::deeplink::DeepLink;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::users::{SeenUser, UserRow};

/// Records the user behind an update and returns their row. When the database is down the
/// user is still answered, in the language Telegram reports.
pub async fn seen(ctx: &Ctx, u: &User) -> UserRow {
    let seen = SeenUser {
        id: i64::try_from(u.id.0).unwrap_or(i64::MAX),
        username: u.username.as_deref(),
        first_name: &u.first_name,
        language_code: u.language_code.as_deref(),
    };
    match ctx.db.upsert_user(&seen, ctx.clock.now()).await {
        Ok(row) => row,
        Err(e) => {
            tracing::error!(error = %e, "could not record the user");
            UserRow {
                id: seen.id,
                username: u.username.clone(),
                first_name: u.first_name.clone(),
                language_code: u.language_code.clone(),
                language: None,
                unreachable: false,
            }
        }
    }
}

pub async fn start(
    bot: TgBot,
    ctx: Ctx,
    msg: Message,
    user: UserRow,
    payload: String,
) -> HandlerResult {
    // An operator's menu can only be set once they have opened the bot: (re)set it now.
    if ctx.config.admin_ids.contains(&user.id)
        && let Err(e) = super::menus::enqueue(&ctx, user.id).await
    {
        tracing::warn!(error = %e, "could not queue the operator's command menu");
    }
    if !payload.trim().is_empty() {
        return match DeepLink::parse(&payload) {
            Some(link) => super::checkout::open_link(bot, ctx, msg, user, link).await,
            None => {
                bot.send_message(msg.chat.id, t(user.lang(), "link-invalid"))
                    .parse_mode(ParseMode::Html)
                    .await?;
                Ok(())
            }
        };
    }
    let lang = user.lang();
    let text = t_args(
        lang,
        "start-welcome",
        &[("name", Arg::from(user.first_name.as_str()))],
    );
    bot.send_message(msg.chat.id, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboards::main_menu(lang))
        .await?;
    Ok(())
}

pub fn help_text(ctx: &Ctx, user: &UserRow) -> String {
    let fee = ctx
        .config
        .rules
        .platform_fee_percent
        .normalize()
        .to_string();
    t_args(user.lang(), "help-text", &[("fee", Arg::Html(fee))])
}

/// Leaves any open question.
pub async fn cancel(bot: TgBot, ctx: Ctx, msg: Message, user: UserRow) -> HandlerResult {
    ctx.db.remove_dialogue(msg.chat.id.0).await?;
    bot.send_message(msg.chat.id, t(user.lang(), "cancelled"))
        .parse_mode(ParseMode::Html)
        .reply_markup(teloxide::types::KeyboardRemove::new())
        .await?;
    Ok(())
}

pub async fn help(bot: TgBot, ctx: Ctx, msg: Message, user: UserRow) -> HandlerResult {
    bot.send_message(msg.chat.id, help_text(&ctx, &user))
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

/// Any other text: the answer to an open question, or a hint.
pub async fn unknown(bot: TgBot, ctx: Ctx, msg: Message, user: UserRow) -> HandlerResult {
    match current(&ctx.db, msg.chat.id.0).await? {
        Some(Conversation::DonationAmount { channel_id }) => {
            return super::donation::on_amount(&bot, &ctx, &msg, &user, channel_id).await;
        }
        Some(Conversation::PromoCode { channel_id }) => {
            return super::promo::on_code(&bot, &ctx, &msg, &user, channel_id).await;
        }
        _ => {}
    }
    if super::owner::on_message(&bot, &ctx, &msg, &user).await? {
        return Ok(());
    }
    bot.send_message(msg.chat.id, t(user.lang(), "unknown-command"))
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}
