//! Donations (`c_<code>_d`): the amount is typed, then an invoice of its own kind is opened.
//! No subscription and no invite come of it; the owner is told when it is paid.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::amount::{self, AmountUse};
use super::dialogue::{Conversation, enter};
use super::{HandlerResult, TgBot};
use crate::i18n::{Arg, t, t_args};
use crate::payments::checkout::{CheckoutError, checkout_donation};
use crate::services::Ctx;
use crate::store::channels::Channel;
use crate::store::users::UserRow;

pub async fn ask_amount(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel: &Channel,
) -> HandlerResult {
    enter(
        &ctx.db,
        chat.0,
        &Conversation::DonationAmount {
            channel_id: channel.id,
        },
        ctx.clock.now(),
    )
    .await?;
    let lang = user.lang();
    let range = AmountUse::Donation.range(&ctx.config.rules);
    let text = t_args(
        lang,
        "donation-ask",
        &[
            ("channel", Arg::from(channel.title.as_str())),
            ("min", Arg::Html(range.min.localized(lang))),
            ("max", Arg::Html(range.max.localized(lang))),
        ],
    );
    let text = format!("{text}\n{}", amount::forms(lang));
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

/// The typed amount. A bad amount is explained (why, the range, the accepted forms), nothing
/// is created and the question stays open.
pub async fn on_amount(
    bot: &TgBot,
    ctx: &Ctx,
    msg: &Message,
    user: &UserRow,
    channel_id: i64,
) -> HandlerResult {
    let lang = user.lang();
    let chat = msg.chat.id;
    let rules = &ctx.config.rules;
    let parsed = AmountUse::Donation.parse(msg.text().unwrap_or_default(), rules);
    let amount = match parsed {
        Ok(a) => a,
        Err(e) => {
            let text = amount::refusal(lang, e, AmountUse::Donation, rules);
            bot.send_message(chat, text)
                .parse_mode(ParseMode::Html)
                .await?;
            return Ok(());
        }
    };
    ctx.db.remove_dialogue(chat.0).await?;
    match checkout_donation(ctx, user.id, channel_id, amount).await {
        Ok(invoice) => {
            tracing::info!(
                user_id = user.id,
                invoice_id = invoice.id,
                channel_id,
                "donation invoice created"
            );
            let title = ctx
                .db
                .channel(channel_id)
                .await?
                .map(|c| c.title)
                .unwrap_or_default();
            let text = t_args(
                lang,
                "donation-created",
                &[
                    ("channel", Arg::from(title.as_str())),
                    ("price", Arg::Html(amount.localized(lang))),
                ],
            );
            let url = invoice
                .invoice_url
                .as_deref()
                .ok_or_else(|| anyhow::anyhow!("open invoice without URL"))?
                .parse()?;
            let button = t_args(
                lang,
                "invoice-pay-button",
                &[("price", Arg::Html(amount.localized(lang)))],
            );
            let sent = bot
                .send_message(chat, text)
                .parse_mode(ParseMode::Html)
                .reply_markup(InlineKeyboardMarkup::new(vec![vec![
                    InlineKeyboardButton::url(button, url),
                ]]))
                .await?;
            ctx.db
                .set_progress_message(invoice.id, sent.id.0, ctx.clock.now())
                .await?;
        }
        Err(CheckoutError::Busy | CheckoutError::Promo(_)) => {
            bot.send_message(chat, t(lang, "invoice-failed"))
                .parse_mode(ParseMode::Html)
                .await?;
        }
        Err(CheckoutError::Provider(e)) => {
            tracing::warn!(user_id = user.id, channel_id, error = %e, "NOWPayments refused the donation invoice");
            bot.send_message(chat, t(lang, "invoice-failed"))
                .parse_mode(ParseMode::Html)
                .await?;
        }
        Err(CheckoutError::NotOnSale | CheckoutError::TierGone) => {
            bot.send_message(chat, t(lang, "link-invalid"))
                .parse_mode(ParseMode::Html)
                .await?;
        }
        Err(CheckoutError::Store(e)) => return Err(e.into()),
    }
    Ok(())
}
