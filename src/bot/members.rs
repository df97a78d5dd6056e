//! Membership updates. Private chats: the user blocked or unblocked the bot. Channel updates
//! are logged; join requests are decided by the access module.

use teloxide::prelude::*;
use teloxide::types::{ChatJoinRequest, ChatMemberKind, ChatMemberUpdated, InlineKeyboardMarkup};

use super::dialogue::{Conversation, current};
use super::{HandlerResult, TgBot};
use crate::domain::callbacks::OwnerAction;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;

/// Whether the bot can sell access in a channel with this status of its own.
fn rights_ok(kind: &ChatMemberKind) -> bool {
    match kind {
        ChatMemberKind::Administrator(a) => a.can_invite_users && a.can_restrict_members,
        ChatMemberKind::Owner(_) => true,
        _ => false,
    }
}

/// The bot's status changed in a channel: a registered channel pauses or resumes sales (SPEC
/// §2.7 lost rights); an unregistered one where we just became admin is offered for
/// registration to whoever added us (the fallback to the `request_chat` button).
async fn channel_status(bot: TgBot, ctx: Ctx, upd: ChatMemberUpdated) -> HandlerResult {
    let ok = rights_ok(&upd.new_chat_member.kind);
    let now = ctx.clock.now();
    if let Some(channel) = ctx.db.channel_by_chat(upd.chat.id.0).await? {
        let changed = ctx.db.rights_changed(channel.id, ok, now).await?;
        if changed {
            ctx.jobs_wake.notify_one();
            tracing::info!(
                channel_id = channel.id,
                rights_ok = ok,
                "bot rights changed"
            );
        }
        return Ok(());
    }
    if !upd.chat.is_channel() || !upd.new_chat_member.is_administrator() {
        return Ok(());
    }
    let from = i64::try_from(upd.from.id.0).unwrap_or(i64::MAX);
    // Picking the channel with the button also adds the bot; that path answers by itself.
    if matches!(
        current(&ctx.db, from).await?,
        Some(Conversation::AwaitChannel | Conversation::Owner(_))
    ) {
        return Ok(());
    }
    let lang = ctx.db.user_lang(from).await;
    let title = upd.chat.title().unwrap_or_default();
    let text = t_args(lang, "own-bot-added", &[("channel", Arg::from(title))]);
    let markup = InlineKeyboardMarkup::new(vec![vec![super::owner::button(
        t(lang, "own-btn-register"),
        OwnerAction::RegisterChat(upd.chat.id.0),
    )]]);
    if let Err(e) = bot
        .send_message(ChatId(from), text)
        .parse_mode(teloxide::types::ParseMode::Html)
        .reply_markup(markup)
        .await
    {
        tracing::info!(error = %ctx.redact(&e.to_string()), "could not offer registration");
    }
    Ok(())
}

/// `my_chat_member` in a private chat reports a user blocking (kicked) or unblocking the bot;
/// in a channel, the bot's own rights.
pub async fn my_chat_member(bot: TgBot, ctx: Ctx, upd: ChatMemberUpdated) -> HandlerResult {
    if upd.chat.is_private() {
        let blocked = upd.new_chat_member.is_banned();
        let id = i64::try_from(upd.from.id.0).unwrap_or(i64::MAX);
        ctx.db
            .set_user_unreachable(id, blocked, ctx.clock.now())
            .await?;
        tracing::info!(user_id = id, blocked, "user changed the bot's status");
    } else {
        tracing::info!(
            chat_id = upd.chat.id.0,
            from = upd.from.id.0,
            status = ?upd.new_chat_member.kind,
            "the bot's membership changed in a chat"
        );
        channel_status(bot, ctx, upd).await?;
    }
    Ok(())
}

pub async fn chat_member(upd: ChatMemberUpdated) -> HandlerResult {
    tracing::debug!(
        chat_id = upd.chat.id.0,
        user_id = upd.new_chat_member.user.id.0,
        "chat member update"
    );
    Ok(())
}

/// Approves subscribers with an active subscription, declines everyone else.
pub async fn join_request(ctx: Ctx, req: ChatJoinRequest) -> HandlerResult {
    let decision = crate::access::join_requests::on_join_request(&ctx, &req).await?;
    tracing::info!(
        chat_id = req.chat.id.0,
        user_id = req.from.id.0,
        ?decision,
        "join request"
    );
    Ok(())
}
