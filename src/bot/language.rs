//! /language and the main-menu buttons.

use teloxide::prelude::*;
use teloxide::types::{MaybeInaccessibleMessage, ParseMode};

use super::{HandlerResult, TgBot, keyboards, start};
use crate::domain::callbacks::{CallbackData, MenuItem};
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::users::UserRow;

pub async fn choose(bot: TgBot, msg: Message, user: UserRow) -> HandlerResult {
    bot.send_message(msg.chat.id, t(user.lang(), "language-choose"))
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboards::languages())
        .await?;
    Ok(())
}

/// Every button press. Data we did not produce gets a polite refusal and changes nothing.
pub async fn on_callback(bot: TgBot, ctx: Ctx, q: CallbackQuery, user: UserRow) -> HandlerResult {
    let chat = q
        .message
        .as_ref()
        .map(MaybeInaccessibleMessage::chat)
        .map(|c| c.id);
    let data = q.data.as_deref().and_then(CallbackData::parse);
    let (Some(data), Some(chat)) = (data, chat) else {
        bot.answer_callback_query(q.id.clone())
            .text(t(user.lang(), "callback-expired"))
            .await?;
        return Ok(());
    };
    match data {
        CallbackData::SetLang(lang) => {
            ctx.db
                .set_user_language(user.id, lang, ctx.clock.now())
                .await?;
            super::menus::after_language_change(&ctx, user.id).await;
            bot.answer_callback_query(q.id.clone()).await?;
            let text = t_args(
                lang,
                "language-set",
                &[("language", Arg::from(lang.native_name()))],
            );
            bot.send_message(chat, text)
                .parse_mode(ParseMode::Html)
                .reply_markup(keyboards::main_menu(lang))
                .await?;
        }
        CallbackData::Menu(MenuItem::Language) => {
            bot.answer_callback_query(q.id.clone()).await?;
            bot.send_message(chat, t(user.lang(), "language-choose"))
                .parse_mode(ParseMode::Html)
                .reply_markup(keyboards::languages())
                .await?;
        }
        CallbackData::Admin(action) => {
            super::admin::on_callback(&bot, &ctx, &q, &user, chat, action).await?;
        }
        CallbackData::Owner(action) => {
            super::owner::on_callback(bot, ctx, q, user, chat, action).await?;
        }
        CallbackData::Buy(tier_id) => {
            super::checkout::on_buy(bot, ctx, q, user, chat, tier_id).await?;
        }
        CallbackData::BuyStars(tier_id) => {
            super::stars::on_buy_stars(bot, ctx, q, user, chat, tier_id).await?;
        }
        CallbackData::PromoAsk(channel_id) => {
            super::promo::on_ask(bot, ctx, q, user, chat, channel_id).await?;
        }
        CallbackData::BuyPromo { tier, promo } => {
            super::checkout::on_buy_promo(bot, ctx, q, user, chat, tier, promo).await?;
        }
        CallbackData::Trial(tier_id) => {
            super::trial::on_trial(bot, ctx, q, user, chat, tier_id).await?;
        }
        CallbackData::BroadcastsOff(channel_id, off) => {
            super::owner::broadcast::on_optout(&bot, &ctx, &q, &user, chat, channel_id, off)
                .await?;
        }
        CallbackData::Menu(MenuItem::Help) => {
            bot.answer_callback_query(q.id.clone()).await?;
            bot.send_message(chat, start::help_text(&ctx, &user))
                .parse_mode(ParseMode::Html)
                .await?;
        }
    }
    Ok(())
}
