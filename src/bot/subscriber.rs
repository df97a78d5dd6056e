//! /subscriptions, /access and /status: what a subscriber has, a fresh way in, and where their
//! payments stand.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::{HandlerResult, TgBot};
use crate::access::grant::issue_link;
use crate::domain::callbacks::CallbackData;
use crate::domain::states::InvoiceStatus;
use crate::i18n::{Arg, t, t_args};
use crate::payments::progress::status_key;
use crate::services::Ctx;
use crate::store::users::UserRow;

/// The user's running subscriptions, or None after telling them they have none.
async fn active_or_explain(
    bot: &TgBot,
    ctx: &Ctx,
    msg: &Message,
    user: &UserRow,
) -> anyhow::Result<Option<Vec<crate::store::subscriptions::Subscription>>> {
    let subs = ctx
        .db
        .active_subscriptions(user.id, ctx.clock.now())
        .await?;
    if subs.is_empty() {
        bot.send_message(msg.chat.id, t(user.lang(), "subscriptions-none"))
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(None);
    }
    Ok(Some(subs))
}

pub async fn subscriptions(bot: TgBot, ctx: Ctx, msg: Message, user: UserRow) -> HandlerResult {
    let lang = user.lang();
    let Some(subs) = active_or_explain(&bot, &ctx, &msg, &user).await? else {
        return Ok(());
    };
    let mut lines = vec![t(lang, "subscriptions-title")];
    let mut rows = Vec::new();
    for s in &subs {
        let title = ctx
            .db
            .channel(s.channel_id)
            .await?
            .map(|c| c.title)
            .unwrap_or_default();
        let line = match s.grace_until.filter(|_| s.in_grace(ctx.clock.now())) {
            Some(until) => t_args(
                lang,
                "subscriptions-grace-line",
                &[
                    ("channel", Arg::from(title.as_str())),
                    ("ended", Arg::Html(s.expires_at.to_string())),
                    ("until", Arg::Html(until.to_string())),
                ],
            ),
            None => t_args(
                lang,
                "subscriptions-line",
                &[
                    ("channel", Arg::from(title.as_str())),
                    ("expires", Arg::Html(s.expires_at.to_string())),
                ],
            ),
        };
        lines.push(line);
        if let Some(tier) = s.tier_id {
            let label = t_args(
                lang,
                "subscriptions-renew",
                &[("channel", Arg::Html(title.clone()))],
            );
            rows.push(vec![InlineKeyboardButton::callback(
                label,
                CallbackData::Buy(tier).encode(),
            )]);
        }
    }
    bot.send_message(msg.chat.id, lines.join("\n"))
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new(rows))
        .await?;
    Ok(())
}

/// A new personal link for every active subscription; the previous links stop working.
pub async fn access(bot: TgBot, ctx: Ctx, msg: Message, user: UserRow) -> HandlerResult {
    let lang = user.lang();
    let Some(subs) = active_or_explain(&bot, &ctx, &msg, &user).await? else {
        return Ok(());
    };
    for s in subs {
        let Some(channel) = ctx.db.channel(s.channel_id).await? else {
            continue;
        };
        let link = issue_link(&ctx, &s, &channel)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let text = t_args(
            lang,
            "access-reissued",
            &[("channel", Arg::from(channel.title.as_str()))],
        );
        bot.send_message(msg.chat.id, text)
            .parse_mode(ParseMode::Html)
            .reply_markup(InlineKeyboardMarkup::new(vec![vec![
                InlineKeyboardButton::url(t(lang, "access-join-button"), link.parse()?),
            ]]))
            .await?;
    }
    Ok(())
}

pub async fn status(bot: TgBot, ctx: Ctx, msg: Message, user: UserRow) -> HandlerResult {
    let lang = user.lang();
    let invoices = ctx.db.recent_invoices(user.id, 5).await?;
    if invoices.is_empty() {
        bot.send_message(msg.chat.id, t(lang, "status-none"))
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(());
    }
    let mut lines = vec![t(lang, "status-title")];
    for inv in invoices {
        let title = ctx
            .db
            .channel(inv.channel_id)
            .await?
            .map(|c| c.title)
            .unwrap_or_default();
        let status = match inv.status {
            InvoiceStatus::Paid => "finished".to_owned(),
            InvoiceStatus::Open => ctx
                .db
                .latest_payment_status(inv.id)
                .await?
                .unwrap_or_else(|| "waiting".into()),
            other => other.as_str().to_owned(),
        };
        let state = status_key(&status)
            .map(|k| t(lang, k))
            .unwrap_or_else(|| status.clone());
        lines.push(t_args(
            lang,
            "status-line",
            &[
                ("channel", Arg::from(title.as_str())),
                ("price", Arg::Html(inv.price.localized(lang))),
                ("state", Arg::Html(state)),
            ],
        ));
    }
    bot.send_message(msg.chat.id, lines.join("\n"))
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}
