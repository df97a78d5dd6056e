//! Membership updates. Private chats: the user blocked or unblocked the bot. Channel updates
//! are logged; join requests are decided by the access module.

use teloxide::types::{ChatJoinRequest, ChatMemberUpdated};

use super::HandlerResult;
use crate::app::Ctx;

/// `my_chat_member` in a private chat reports a user blocking (kicked) or unblocking the bot.
pub async fn my_chat_member(ctx: Ctx, upd: ChatMemberUpdated) -> HandlerResult {
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
