//! Lookup for operators: a user (id or @username), a channel, an invoice, a payment or a tx hash,
//! each with its whole history; a channel's card (pause/resume its sales) and a user's card
//! (resend an invite). The changes are confirmed first (see `confirm`).

use teloxide::prelude::*;

use super::confirm::Plan;
use super::send;
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::AdminOp;
use crate::domain::lang::Lang;
use crate::i18n::t;
use crate::services::Ctx;
use crate::store::users::UserRow;

/// `/lookup <query>` (operators only).
pub async fn command(
    bot: &TgBot,
    _ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    _query: &str,
) -> HandlerResult {
    send(bot, chat, t(user.lang(), "admin-not-yet"), None).await
}

pub async fn channel_card(
    bot: &TgBot,
    _ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    _id: i64,
) -> HandlerResult {
    send(bot, chat, t(lang, "admin-not-yet"), None).await
}

pub async fn user_card(
    bot: &TgBot,
    _ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    _id: i64,
) -> HandlerResult {
    send(bot, chat, t(lang, "admin-not-yet"), None).await
}

pub async fn describe(_ctx: &Ctx, lang: Lang, _op: AdminOp) -> anyhow::Result<Plan> {
    Ok(Plan::Refused(t(lang, "admin-not-yet")))
}

pub async fn execute(_ctx: &Ctx, _admin: i64, lang: Lang, _op: AdminOp) -> anyhow::Result<String> {
    Ok(t(lang, "admin-not-yet"))
}
