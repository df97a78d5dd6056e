//! Payouts for operators: pending, failed and stuck, paginated; one payout's card; retry and
//! cancel (each confirmed first, see `confirm`).

use teloxide::prelude::*;

use super::confirm::Plan;
use super::send;
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::{AdminOp, PayoutFilter};
use crate::domain::lang::Lang;
use crate::i18n::t;
use crate::services::Ctx;

pub async fn list(
    bot: &TgBot,
    _ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    _filter: PayoutFilter,
    _page: u32,
) -> HandlerResult {
    send(bot, chat, t(lang, "admin-not-yet"), None).await
}

pub async fn card(bot: &TgBot, _ctx: &Ctx, chat: ChatId, lang: Lang, _id: i64) -> HandlerResult {
    send(bot, chat, t(lang, "admin-not-yet"), None).await
}

pub async fn describe(_ctx: &Ctx, lang: Lang, _op: AdminOp) -> anyhow::Result<Plan> {
    Ok(Plan::Refused(t(lang, "admin-not-yet")))
}

pub async fn execute(_ctx: &Ctx, _admin: i64, lang: Lang, _op: AdminOp) -> anyhow::Result<String> {
    Ok(t(lang, "admin-not-yet"))
}
