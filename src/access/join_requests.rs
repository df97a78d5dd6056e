//! Join requests: approved only for users with an active subscription to that channel.

use teloxide::prelude::*;
use teloxide::types::ChatJoinRequest;

use crate::services::Ctx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approved,
    Declined,
    /// Not one of our channels: left for its admins.
    NotOurs,
}

pub async fn on_join_request(ctx: &Ctx, req: &ChatJoinRequest) -> anyhow::Result<Decision> {
    let Some(channel) = ctx.db.channel_by_chat(req.chat.id.0).await? else {
        return Ok(Decision::NotOurs);
    };
    let user_id = i64::try_from(req.from.id.0)?;
    let now = ctx.clock.now();
    let entitled = ctx
        .db
        .subscription_of(user_id, channel.id)
        .await?
        .is_some_and(|s| s.is_active(now));
    if entitled {
        ctx.bot
            .approve_chat_join_request(req.chat.id, req.from.id)
            .await?;
        if let Some(link) = &req.invite_link {
            ctx.db.mark_invite_used(&link.invite_link, now).await?;
        }
        metrics::counter!(crate::telemetry::names::JOIN_REQUESTS, "decision" => "approved")
            .increment(1);
        Ok(Decision::Approved)
    } else {
        ctx.bot
            .decline_chat_join_request(req.chat.id, req.from.id)
            .await?;
        metrics::counter!(crate::telemetry::names::JOIN_REQUESTS, "decision" => "declined")
            .increment(1);
        Ok(Decision::Declined)
    }
}
