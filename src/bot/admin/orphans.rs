//! Payments waiting for an operator's review: orphans (no invoice of ours, or a child payment)
//! and held payments. Assign to an invoice, release, or dismiss with a reason (each confirmed
//! first, see `confirm`).

use teloxide::prelude::*;

use super::confirm::Plan;
use super::send;
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::AdminOp;
use crate::domain::lang::Lang;
use crate::i18n::t;
use crate::services::Ctx;
use crate::store::users::UserRow;

pub async fn list(bot: &TgBot, _ctx: &Ctx, chat: ChatId, lang: Lang, _page: u32) -> HandlerResult {
    send(bot, chat, t(lang, "admin-not-yet"), None).await
}

pub async fn card(bot: &TgBot, _ctx: &Ctx, chat: ChatId, lang: Lang, _id: i64) -> HandlerResult {
    send(bot, chat, t(lang, "admin-not-yet"), None).await
}

pub async fn dismiss_reasons(
    bot: &TgBot,
    _ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    _id: i64,
) -> HandlerResult {
    send(bot, chat, t(lang, "admin-not-yet"), None).await
}

/// `/assign <payment> <invoice>` (operators only).
pub async fn assign_command(
    bot: &TgBot,
    _ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    _args: &str,
) -> HandlerResult {
    send(bot, chat, t(user.lang(), "admin-not-yet"), None).await
}

pub async fn describe(_ctx: &Ctx, lang: Lang, _op: AdminOp) -> anyhow::Result<Plan> {
    Ok(Plan::Refused(t(lang, "admin-not-yet")))
}

pub async fn execute(_ctx: &Ctx, _admin: i64, lang: Lang, _op: AdminOp) -> anyhow::Result<String> {
    Ok(t(lang, "admin-not-yet"))
}
