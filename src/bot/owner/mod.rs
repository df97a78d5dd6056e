//! The channel owner's side of the bot (SPEC §2): registration, channel management, balance
//! and payouts. Every action re-checks on the server that the channel belongs to the user.

pub mod balance;
pub mod broadcast;
pub mod chart;
pub mod draft;
pub mod grace;
pub mod manage;
pub mod offer;
pub mod promos;
pub mod register;
pub mod stars;
pub mod trials;

use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::dialogue::{Conversation, current};
use super::{HandlerResult, TgBot};
use crate::domain::callbacks::{CallbackData, OwnerAction};
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::channels::Channel;
use crate::store::users::UserRow;

/// `request_id` of the keyboard button that picks the channel to register.
pub const REQUEST_CHANNEL: i32 = 1;
/// `request_id` of the keyboard button that picks the public channel for the offer post.
pub const REQUEST_OFFER_CHANNEL: i32 = 2;

pub(crate) fn button(text: String, action: OwnerAction) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(text, CallbackData::Owner(action).encode())
}

pub(crate) async fn say(bot: &TgBot, chat: ChatId, text: String) -> HandlerResult {
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

pub(crate) async fn say_with(
    bot: &TgBot,
    chat: ChatId,
    text: String,
    markup: InlineKeyboardMarkup,
) -> HandlerResult {
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(markup)
        .await?;
    Ok(())
}

/// The channel when it belongs to `user`; otherwise the same neutral answer for "not yours"
/// and "does not exist", and `None`.
pub(crate) async fn owned(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
) -> anyhow::Result<Option<Channel>> {
    let c = ctx.db.owned_channel(user.id, channel_id).await?;
    if c.is_none() {
        tracing::warn!(
            user_id = user.id,
            channel_id,
            "owner action on a channel the user does not own"
        );
        say(bot, chat, t(user.lang(), "own-not-found")).await?;
    }
    Ok(c)
}

/// Every owner button.
pub async fn on_callback(
    bot: TgBot,
    ctx: Ctx,
    q: CallbackQuery,
    user: UserRow,
    chat: ChatId,
    action: OwnerAction,
) -> HandlerResult {
    use OwnerAction as A;
    bot.answer_callback_query(q.id.clone()).await?;
    let (bot, ctx) = (&bot, &ctx);
    match action {
        A::Add => register::start_add(bot, ctx, chat, &user).await,
        A::RegisterChat(chat_id) => register::channel_chosen(bot, ctx, chat, &user, chat_id).await,
        A::List => manage::list(bot, ctx, chat, &user).await,
        A::Open(id) => manage::card(bot, ctx, chat, &user, id).await,
        A::Balance(id) => balance::show(bot, ctx, chat, &user, id).await,
        A::History(id) => balance::history(bot, ctx, chat, &user, id).await,
        A::Statement(id) => balance::statement(bot, ctx, chat, &user, id).await,
        A::Csv(id) => balance::csv(bot, ctx, chat, &user, id).await,
        A::Chart(id, span) => chart::send(bot, ctx, chat, &user, id, span).await,
        A::Links(id) => manage::links(bot, ctx, chat, &user, id).await,
        A::SetPaused(id, p) => manage::set_paused(bot, ctx, chat, &user, id, p).await,
        A::SetNotify(id, n) => manage::set_notify(bot, ctx, chat, &user, id, n).await,
        A::ToggleMode(id) => manage::toggle_mode(bot, ctx, chat, &user, id).await,
        A::EditTiers(id) => manage::ask_tiers(bot, ctx, chat, &user, id).await,
        A::Trials(id) => trials::show(bot, ctx, chat, &user, id).await,
        A::EditTrial(id) => trials::ask(bot, ctx, chat, &user, id).await,
        A::StarsPrices(id) => stars::show(bot, ctx, chat, &user, id).await,
        A::EditStars(id) => stars::ask(bot, ctx, chat, &user, id).await,
        A::Promos(id) => promos::show(bot, ctx, chat, &user, id).await,
        A::NewPromo(id) => promos::ask_new(bot, ctx, chat, &user, id).await,
        A::PromoOff(id) => promos::turn_off(bot, ctx, chat, &user, id).await,
        A::EditGrace(id) => grace::ask(bot, ctx, chat, &user, id).await,
        A::EditPayout(id) => register::start_payout_edit(bot, ctx, chat, &user, id).await,
        A::EditTitle(id) => {
            manage::ask_text(bot, ctx, chat, &user, id, manage::TextField::Title).await
        }
        A::EditDescription(id) => {
            manage::ask_text(bot, ctx, chat, &user, id, manage::TextField::Description).await
        }
        A::PostOffer(id) => offer::ask_channel(bot, ctx, chat, &user, id).await,
        A::Broadcast(id) => broadcast::show(bot, ctx, chat, &user, id).await,
        A::BroadcastActive(id) => broadcast::ask_message(bot, ctx, chat, &user, id, None).await,
        A::BroadcastLapsed(id) => broadcast::ask_days(bot, ctx, chat, &user, id).await,
        A::BroadcastSend(id) => broadcast::confirm(bot, ctx, chat, &user, id).await,
        A::BroadcastCancel(id) => broadcast::cancel(bot, ctx, chat, &user, id).await,
        A::Delete(id) => manage::ask_delete(bot, ctx, chat, &user, id).await,
        A::DeleteConfirmed(id) => manage::delete(bot, ctx, chat, &user, id).await,
        A::AddTier
        | A::TiersDone
        | A::CurrencyPage(_)
        | A::Currency(..)
        | A::SkipExtraId
        | A::Instant
        | A::Threshold
        | A::Confirm
        | A::Abort => register::on_step_button(bot, ctx, chat, &user, action).await,
    }
}

/// A message in a private chat that is not a command: an answer in an owner conversation, a
/// shared chat, or a forwarded channel post. `Ok(false)` when it is none of the owner's business.
pub async fn on_message(
    bot: &TgBot,
    ctx: &Ctx,
    msg: &Message,
    user: &UserRow,
) -> anyhow::Result<bool> {
    let chat = msg.chat.id;
    let conversation = current(&ctx.db, chat.0).await?;
    if let Some(shared) = msg.shared_chat() {
        match shared.request_id.0 {
            REQUEST_OFFER_CHANNEL => {
                if let Some(Conversation::OfferChannel { channel_id }) = conversation {
                    offer::post(bot, ctx, chat, user, channel_id, shared.chat_id.0).await?;
                }
            }
            _ => {
                if matches!(conversation, Some(Conversation::AwaitChannel)) {
                    register::channel_chosen(bot, ctx, chat, user, shared.chat_id.0).await?;
                }
            }
        }
        return Ok(true);
    }
    if let Some(teloxide::types::MessageOrigin::Channel { chat: origin, .. }) = msg.forward_origin()
    {
        match conversation {
            Some(Conversation::OfferChannel { channel_id }) => {
                offer::post(bot, ctx, chat, user, channel_id, origin.id.0).await?;
            }
            _ => register::channel_chosen(bot, ctx, chat, user, origin.id.0).await?,
        }
        return Ok(true);
    }
    if let Some(Conversation::BroadcastMessage {
        channel_id,
        lapsed_days,
    }) = conversation
    {
        broadcast::on_message(bot, ctx, msg, user, channel_id, lapsed_days).await?;
        return Ok(true);
    }
    let Some(text) = msg.text() else {
        return Ok(false);
    };
    match conversation {
        Some(Conversation::Owner(draft)) => {
            register::on_text(bot, ctx, msg, user, *draft, text).await?;
        }
        Some(Conversation::AwaitChannel) => {
            say(bot, chat, t(user.lang(), "own-add-waiting")).await?;
        }
        Some(Conversation::EditTiers { channel_id }) => {
            manage::on_tiers(bot, ctx, chat, user, channel_id, text).await?;
        }
        Some(Conversation::NewPromo { channel_id }) => {
            promos::on_new(bot, ctx, chat, user, channel_id, text).await?;
        }
        Some(Conversation::EditTrial { tier_id }) => {
            trials::on_days(bot, ctx, chat, user, tier_id, text).await?;
        }
        Some(Conversation::EditStars { tier_id }) => {
            stars::on_stars(bot, ctx, chat, user, tier_id, text).await?;
        }
        Some(Conversation::EditGrace { channel_id }) => {
            grace::on_hours(bot, ctx, chat, user, channel_id, text).await?;
        }
        Some(Conversation::EditTitle { channel_id }) => {
            manage::on_text(
                bot,
                ctx,
                chat,
                user,
                channel_id,
                text,
                manage::TextField::Title,
            )
            .await?;
        }
        Some(Conversation::EditDescription { channel_id }) => {
            manage::on_text(
                bot,
                ctx,
                chat,
                user,
                channel_id,
                text,
                manage::TextField::Description,
            )
            .await?;
        }
        Some(Conversation::OfferChannel { .. }) => {
            say(bot, chat, t(user.lang(), "own-offer-waiting")).await?;
        }
        Some(Conversation::BroadcastDays { channel_id }) => {
            broadcast::on_days(bot, ctx, chat, user, channel_id, text).await?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Tiers as the owner reads them: `🥇 $9.99 — 30 days` per line.
pub(crate) fn tiers_text(lang: Lang, tiers: &[(i64, u32)]) -> String {
    tiers
        .iter()
        .enumerate()
        .map(|(i, (price, days))| {
            t_args(
                lang,
                "own-tier-line",
                &[
                    (
                        "medal",
                        Arg::Html(
                            super::checkout::medal(u8::try_from(i + 1).unwrap_or(u8::MAX))
                                .to_owned(),
                        ),
                    ),
                    (
                        "price",
                        Arg::Html(
                            crate::domain::money::UsdMicros::from_micros(*price).localized(lang),
                        ),
                    ),
                    ("days", Arg::Int(i64::from(*days))),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
