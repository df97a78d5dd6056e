//! The offer message (SPEC §2.6): the channel's title, description and one URL button per tier,
//! posted into a public channel of the owner's choice where the bot is an administrator. A
//! re-post removes the previous message only after the new one is out.

use teloxide::prelude::*;
use teloxide::types::{
    ButtonRequest, ChatAdministratorRights, ChatMemberKind, InlineKeyboardButton,
    InlineKeyboardMarkup, KeyboardButton, KeyboardButtonRequestChat, KeyboardMarkup,
    KeyboardRemove, MessageId, ParseMode, RequestId,
};

use super::{REQUEST_OFFER_CHANNEL, owned, say};
use crate::bot::dialogue::{Conversation, enter};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::deeplink::{ChannelCode, DeepLink};
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::users::UserRow;

fn posting_rights() -> ChatAdministratorRights {
    ChatAdministratorRights {
        is_anonymous: false,
        can_manage_chat: false,
        can_delete_messages: true,
        can_manage_video_chats: false,
        can_restrict_members: false,
        can_promote_members: false,
        can_change_info: false,
        can_invite_users: false,
        can_post_messages: Some(true),
        can_edit_messages: None,
        can_pin_messages: None,
        can_post_stories: None,
        can_edit_stories: None,
        can_delete_stories: None,
        can_manage_topics: None,
    }
}

pub async fn ask_channel(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
) -> HandlerResult {
    if owned(bot, ctx, chat, user, id).await?.is_none() {
        return Ok(());
    }
    enter(
        &ctx.db,
        chat.0,
        &Conversation::OfferChannel { channel_id: id },
        ctx.clock.now(),
    )
    .await?;
    let lang = user.lang();
    let request = KeyboardButtonRequestChat::new(RequestId(REQUEST_OFFER_CHANNEL), true)
        .chat_has_username(true)
        .bot_administrator_rights(posting_rights());
    let keyboard = KeyboardMarkup::new(vec![vec![
        KeyboardButton::new(t(lang, "own-offer-button"))
            .request(ButtonRequest::RequestChat(request)),
    ]])
    .resize_keyboard()
    .one_time_keyboard();
    bot.send_message(chat, t(lang, "own-offer-ask"))
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard)
        .await?;
    Ok(())
}

/// Posts the offer of `channel_id` into `target`.
pub async fn post(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
    target: i64,
) -> HandlerResult {
    let lang = user.lang();
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        return Ok(());
    };
    let can_post = match bot.get_chat_member(ChatId(target), ctx.bot_id).await {
        Ok(m) => match &m.kind {
            ChatMemberKind::Administrator(a) => a.can_post_messages,
            ChatMemberKind::Owner(_) => true,
            _ => false,
        },
        Err(_) => false,
    };
    if !can_post {
        return say(bot, chat, t(lang, "own-offer-not-admin")).await;
    }
    let Some(code) = ChannelCode::parse(&c.code) else {
        return say(bot, chat, t(lang, "own-not-found")).await;
    };
    let tiers = ctx.db.tiers(c.id).await?;
    let owner_lang = user.lang();
    let rows: Vec<Vec<InlineKeyboardButton>> = tiers
        .iter()
        .filter_map(|tier| {
            let url = DeepLink::Tier(code.clone(), tier.position)
                .url(&ctx.bot_username)
                .parse()
                .ok()?;
            Some(vec![InlineKeyboardButton::url(
                crate::bot::checkout::tier_label(owner_lang, tier),
                url,
            )])
        })
        .collect();
    let text = t_args(
        owner_lang,
        "own-offer-text",
        &[
            ("channel", Arg::from(c.title.as_str())),
            ("description", Arg::from(c.description.as_str())),
        ],
    );
    let sent = bot
        .send_message(ChatId(target), text)
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new(rows))
        .await;
    let sent = match sent {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %ctx.redact(&e.to_string()), "could not post the offer");
            // The previous offer (if any) stays where it is.
            return say(bot, chat, t(lang, "own-offer-failed")).await;
        }
    };
    let previous = ctx.db.offer_message(c.id).await?;
    ctx.db
        .owner_set_offer(user.id, c.id, target, i64::from(sent.id.0), ctx.clock.now())
        .await?;
    if let Some((old_chat, old_msg)) = previous {
        let old = MessageId(i32::try_from(old_msg).unwrap_or_default());
        if let Err(e) = bot.delete_message(ChatId(old_chat), old).await {
            tracing::info!(error = %ctx.redact(&e.to_string()), "previous offer not deleted");
        }
    }
    ctx.db.remove_dialogue(chat.0).await?;
    bot.send_message(chat, t(lang, "own-offer-posted"))
        .parse_mode(ParseMode::Html)
        .reply_markup(KeyboardRemove::new())
        .await?;
    Ok(())
}
