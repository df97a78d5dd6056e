//! Registering a channel (SPEC §2.2–2.6) and changing a channel's payout settings: one
//! conversation whose state lives in the database. Nothing is written before "Confirm".

use teloxide::prelude::*;
use teloxide::types::{
    ButtonRequest, ChatAdministratorRights, ChatMemberKind, InlineKeyboardMarkup, KeyboardButton,
    KeyboardButtonRequestChat, KeyboardMarkup, KeyboardRemove, MessageId, ParseMode, RequestId,
};

use super::draft::{Draft, Target};
use super::{REQUEST_CHANNEL, button, owned, say, say_with};
use crate::bot::dialogue::{Conversation, enter};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::OwnerAction;
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::StoreError;
use crate::store::channels::{AccessMode, NewChannel};
use crate::store::users::UserRow;

mod input;
mod steps;

pub use input::{on_step_button, on_text};
use steps::*;

/// Currencies per page of the picker.
pub(super) const PAGE: usize = 12;

/// The rights the bot needs in a channel it sells (invite and remove members, post the offer).
pub(super) fn bot_rights() -> ChatAdministratorRights {
    ChatAdministratorRights {
        is_anonymous: false,
        can_manage_chat: false,
        can_delete_messages: false,
        can_manage_video_chats: false,
        can_restrict_members: true,
        can_promote_members: false,
        can_change_info: false,
        can_invite_users: true,
        can_post_messages: Some(true),
        can_edit_messages: None,
        can_pin_messages: None,
        can_post_stories: None,
        can_edit_stories: None,
        can_delete_stories: None,
        can_manage_topics: None,
    }
}

/// "Add a channel": the `request_chat` button (with the fallbacks explained).
pub async fn start_add(bot: &TgBot, ctx: &Ctx, chat: ChatId, user: &UserRow) -> HandlerResult {
    let lang = user.lang();
    if limit_reached(ctx, user).await? {
        return say(bot, chat, limit_text(ctx, lang)).await;
    }
    enter(
        &ctx.db,
        chat.0,
        &Conversation::AwaitChannel,
        ctx.clock.now(),
    )
    .await?;
    let request = KeyboardButtonRequestChat::new(RequestId(REQUEST_CHANNEL), true)
        .user_administrator_rights(bot_rights())
        .bot_administrator_rights(bot_rights());
    let keyboard = KeyboardMarkup::new(vec![vec![
        KeyboardButton::new(t(lang, "own-add-button")).request(ButtonRequest::RequestChat(request)),
    ]])
    .resize_keyboard()
    .one_time_keyboard();
    let text = t_args(
        lang,
        "own-add-intro",
        &[("bot", Arg::from(ctx.bot_username.as_str()))],
    );
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard)
        .await?;
    Ok(())
}

pub(super) async fn limit_reached(ctx: &Ctx, user: &UserRow) -> anyhow::Result<bool> {
    let n = ctx.db.channels_of_owner(user.id).await?.len();
    Ok(u32::try_from(n).unwrap_or(u32::MAX) >= ctx.config.rules.max_channels_per_owner)
}

pub(super) fn limit_text(ctx: &Ctx, lang: Lang) -> String {
    t_args(
        lang,
        "own-verify-limit",
        &[(
            "max",
            Arg::Int(i64::from(ctx.config.rules.max_channels_per_owner)),
        )],
    )
}

/// Why a channel cannot be registered by this user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotChannel,
    BotNotAdmin,
    BotRights,
    UserNotAdmin,
    Taken,
    AlreadyYours,
    Limit,
}

impl Refusal {
    fn key(self) -> &'static str {
        match self {
            Refusal::NotChannel => "own-verify-not-channel",
            Refusal::BotNotAdmin => "own-verify-bot-not-admin",
            Refusal::BotRights => "own-verify-bot-rights",
            Refusal::UserNotAdmin => "own-verify-user-not-admin",
            Refusal::Taken => "own-verify-taken",
            Refusal::AlreadyYours => "own-verify-already-yours",
            Refusal::Limit => "own-verify-limit",
        }
    }
}

/// Checks with Telegram that `chat_id` is a channel where the bot can invite and restrict
/// members and the user is its creator or an administrator, and with the database that
/// nobody registered it. The channel's title when everything holds.
pub async fn verify(
    bot: &TgBot,
    ctx: &Ctx,
    user: &UserRow,
    chat_id: i64,
) -> anyhow::Result<Result<String, Refusal>> {
    if let Some(existing) = ctx.db.channel_by_chat(chat_id).await? {
        return Ok(Err(if existing.owner_id == user.id {
            Refusal::AlreadyYours
        } else {
            Refusal::Taken
        }));
    }
    if limit_reached(ctx, user).await? {
        return Ok(Err(Refusal::Limit));
    }
    let Ok(info) = bot.get_chat(ChatId(chat_id)).await else {
        return Ok(Err(Refusal::BotNotAdmin));
    };
    if !info.is_channel() {
        return Ok(Err(Refusal::NotChannel));
    }
    let title = info.title().unwrap_or_default().to_owned();
    let Ok(me) = bot.get_chat_member(ChatId(chat_id), ctx.bot_id).await else {
        return Ok(Err(Refusal::BotNotAdmin));
    };
    match &me.kind {
        ChatMemberKind::Administrator(a) if a.can_invite_users && a.can_restrict_members => {}
        ChatMemberKind::Administrator(_) => return Ok(Err(Refusal::BotRights)),
        _ => return Ok(Err(Refusal::BotNotAdmin)),
    }
    let uid = teloxide::types::UserId(u64::try_from(user.id).unwrap_or_default());
    let Ok(them) = bot.get_chat_member(ChatId(chat_id), uid).await else {
        return Ok(Err(Refusal::UserNotAdmin));
    };
    if !(them.is_owner() || them.is_administrator()) {
        return Ok(Err(Refusal::UserNotAdmin));
    }
    Ok(Ok(title))
}

/// The owner picked (shared, forwarded from, or confirmed) a channel.
pub async fn channel_chosen(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    chat_id: i64,
) -> HandlerResult {
    let lang = user.lang();
    let title = match verify(bot, ctx, user, chat_id).await? {
        Ok(title) => title,
        Err(Refusal::Limit) => return say(bot, chat, limit_text(ctx, lang)).await,
        Err(r) => {
            // The conversation stays open: the owner can fix the rights and pick again.
            return say(bot, chat, t(lang, r.key())).await;
        }
    };
    let draft = Draft::new_channel(chat_id, title.clone());
    enter(
        &ctx.db,
        chat.0,
        &Conversation::Owner(Box::new(draft)),
        ctx.clock.now(),
    )
    .await?;
    let text = t_args(
        lang,
        "own-channel-found",
        &[("channel", Arg::from(title.as_str()))],
    );
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(KeyboardRemove::new())
        .await?;
    ask_price(bot, ctx, chat, lang, 1).await
}

/// "Edit payout settings" of a channel: the same questions from the currency on.
pub async fn start_payout_edit(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
) -> HandlerResult {
    if owned(bot, ctx, chat, user, channel_id).await?.is_none() {
        return Ok(());
    }
    let draft = Draft::payout(channel_id);
    save(ctx, chat, &draft).await?;
    ask_currency(bot, ctx, chat, user.lang(), 0, None).await
}

pub(super) async fn save(ctx: &Ctx, chat: ChatId, draft: &Draft) -> anyhow::Result<()> {
    enter(
        &ctx.db,
        chat.0,
        &Conversation::Owner(Box::new(draft.clone())),
        ctx.clock.now(),
    )
    .await?;
    Ok(())
}

pub(super) async fn confirm(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    d: Draft,
) -> HandlerResult {
    let lang = user.lang();
    let Some(payout) = d.payout_settings() else {
        return say(bot, chat, t(lang, "callback-expired")).await;
    };
    let now = ctx.clock.now();
    match &d.target {
        Target::Payout { channel_id } => {
            let changed = ctx
                .db
                .owner_set_payout(user.id, *channel_id, &payout, now)
                .await?;
            ctx.db.remove_dialogue(chat.0).await?;
            ctx.jobs_wake.notify_one();
            let key = if changed {
                "own-payout-saved"
            } else {
                "own-not-found"
            };
            say(bot, chat, t(lang, key)).await
        }
        Target::NewChannel { chat_id, title } => {
            // The rights may have changed while the owner was typing: check once more.
            if let Err(r) = verify(bot, ctx, user, *chat_id).await? {
                return say(bot, chat, t(lang, r.key())).await;
            }
            let new = NewChannel {
                owner_id: user.id,
                chat_id: *chat_id,
                title: title.clone(),
                description: String::new(),
                access_mode: AccessMode::JoinRequest,
                payout,
                tiers: d.new_tiers(),
            };
            let channel = match ctx.db.create_channel(&new, now).await {
                Ok(c) => c,
                Err(StoreError::Conflict(_)) => {
                    ctx.db.remove_dialogue(chat.0).await?;
                    return say(bot, chat, t(lang, Refusal::Taken.key())).await;
                }
                Err(e) => return Err(e.into()),
            };
            ctx.db.remove_dialogue(chat.0).await?;
            // The owner's menu job was queued with the channel.
            ctx.jobs_wake.notify_one();
            tracing::info!(
                channel_id = channel.id,
                user_id = user.id,
                "channel registered"
            );
            let links = super::manage::links_text(ctx, lang, &channel).await?;
            let text = t_args(
                lang,
                "own-registered",
                &[
                    ("channel", Arg::from(channel.title.as_str())),
                    ("links", Arg::Html(links)),
                ],
            );
            let markup = InlineKeyboardMarkup::new(vec![
                vec![button(
                    t(lang, "own-btn-post"),
                    OwnerAction::PostOffer(channel.id),
                )],
                vec![button(
                    t(lang, "own-btn-open"),
                    OwnerAction::Open(channel.id),
                )],
            ]);
            say_with(bot, chat, text, markup).await
        }
    }
}
