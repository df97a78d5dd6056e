//! The subscriber's first steps: a channel's deep link shows its card; a tier button opens (or
//! reuses) an invoice and shows the Pay button in a message that later follows the payment.

use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::{HandlerResult, TgBot};
use crate::domain::callbacks::CallbackData;
use crate::domain::deeplink::DeepLink;
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::payments::checkout::{CheckoutError, checkout_with_promo};
use crate::services::Ctx;
use crate::store::channels::{Channel, Tier};
use crate::store::invoices::Invoice;
use crate::store::users::UserRow;

const MEDALS: [&str; 3] = ["🥇", "🥈", "🥉"];

pub(crate) fn medal(position: u8) -> &'static str {
    usize::from(position)
        .checked_sub(1)
        .and_then(|i| MEDALS.get(i))
        .copied()
        .unwrap_or("🎖")
}

pub(crate) fn tier_label(lang: Lang, tier: &Tier) -> String {
    t_args(
        lang,
        "tier-button",
        &[
            ("medal", Arg::Html(medal(tier.position).to_owned())),
            ("price", Arg::Html(tier.price.localized(lang))),
            ("days", Arg::Int(i64::from(tier.days))),
        ],
    )
}

/// `/start c_…`: the channel card, or straight to a tier's invoice.
pub async fn open_link(
    bot: TgBot,
    ctx: Ctx,
    msg: Message,
    user: UserRow,
    link: DeepLink,
) -> HandlerResult {
    let lang = user.lang();
    let chat = msg.chat.id;
    let channel = ctx.db.channel_by_code(link.code().as_str()).await?;
    let Some(channel) = channel else {
        bot.send_message(chat, t(lang, "link-invalid"))
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(());
    };
    if !channel.on_sale() {
        let text = t_args(
            lang,
            "channel-paused",
            &[("channel", Arg::from(channel.title.as_str()))],
        );
        bot.send_message(chat, text)
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(());
    }
    if let DeepLink::Donate(_) = link {
        return super::donation::ask_amount(&bot, &ctx, chat, &user, &channel).await;
    }
    if let DeepLink::Promo(_, code) = &link {
        return super::promo::apply(&bot, &ctx, &user, chat, &channel, code).await;
    }
    let tiers = ctx.db.tiers(channel.id).await?;
    if let DeepLink::Tier(_, n) = link
        && let Some(tier) = tiers.iter().find(|t| t.position == n)
    {
        return start_checkout(&bot, &ctx, &user, chat, &channel, tier.id, None).await;
    }
    let mut extra = super::stars::star_rows(&ctx, lang, &channel, &tiers).await?;
    extra.extend(super::trial::trial_rows(&ctx, lang, user.id, &channel, &tiers).await?);
    extra.extend(super::promo::ask_row(&ctx, lang, &channel).await?);
    send_card(&bot, lang, chat, &channel, &tiers, extra).await
}

async fn send_card(
    bot: &TgBot,
    lang: Lang,
    chat: ChatId,
    channel: &Channel,
    tiers: &[Tier],
    trials: Vec<Vec<InlineKeyboardButton>>,
) -> HandlerResult {
    let text = t_args(
        lang,
        "channel-card",
        &[
            ("channel", Arg::from(channel.title.as_str())),
            ("description", Arg::from(channel.description.as_str())),
        ],
    );
    let rows = tiers
        .iter()
        .map(|tier| {
            vec![InlineKeyboardButton::callback(
                tier_label(lang, tier),
                CallbackData::Buy(tier.id).encode(),
            )]
        })
        .chain(trials);
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new(rows))
        .await?;
    Ok(())
}

/// A tier button.
pub async fn on_buy(
    bot: TgBot,
    ctx: Ctx,
    q: CallbackQuery,
    user: UserRow,
    chat: ChatId,
    tier_id: i64,
) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let Some(tier) = ctx.db.tier(tier_id).await? else {
        bot.send_message(chat, t(user.lang(), "tier-gone"))
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(());
    };
    let Some(channel) = ctx.db.channel(tier.channel_id).await? else {
        bot.send_message(chat, t(user.lang(), "tier-gone"))
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(());
    };
    start_checkout(&bot, &ctx, &user, chat, &channel, tier.id, None).await
}

/// A plan button at a promo code's price (issue 15).
pub async fn on_buy_promo(
    bot: TgBot,
    ctx: Ctx,
    q: CallbackQuery,
    user: UserRow,
    chat: ChatId,
    tier_id: i64,
    promo_id: i64,
) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let channel = match ctx.db.tier(tier_id).await? {
        Some(tier) => ctx.db.channel(tier.channel_id).await?,
        None => None,
    };
    let Some(channel) = channel else {
        bot.send_message(chat, t(user.lang(), "tier-gone"))
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(());
    };
    start_checkout(&bot, &ctx, &user, chat, &channel, tier_id, Some(promo_id)).await
}

async fn start_checkout(
    bot: &TgBot,
    ctx: &Ctx,
    user: &UserRow,
    chat: ChatId,
    channel: &Channel,
    tier_id: i64,
    promo_id: Option<i64>,
) -> HandlerResult {
    let lang = user.lang();
    match checkout_with_promo(ctx, user.id, tier_id, promo_id).await {
        Ok((invoice, fresh)) => {
            tracing::info!(
                user_id = user.id,
                invoice_id = invoice.id,
                channel_id = channel.id,
                tier_id,
                fresh,
                promo_id = ?invoice.promo_code_id,
                "invoice shown"
            );
            let msg = send_invoice(bot, lang, chat, channel, &invoice).await?;
            if fresh || invoice.progress_message_id.is_none() {
                ctx.db
                    .set_progress_message(invoice.id, msg.id.0, ctx.clock.now())
                    .await?;
            }
            Ok(())
        }
        Err(CheckoutError::NotOnSale) => {
            let text = t_args(
                lang,
                "channel-paused",
                &[("channel", Arg::from(channel.title.as_str()))],
            );
            bot.send_message(chat, text)
                .parse_mode(ParseMode::Html)
                .await?;
            Ok(())
        }
        Err(CheckoutError::TierGone) => {
            bot.send_message(chat, t(lang, "tier-gone"))
                .parse_mode(ParseMode::Html)
                .await?;
            Ok(())
        }
        Err(CheckoutError::Provider(e)) => {
            tracing::warn!(user_id = user.id, channel_id = channel.id, tier_id, error = %e, "NOWPayments refused or failed the invoice");
            bot.send_message(chat, t(lang, "invoice-failed"))
                .parse_mode(ParseMode::Html)
                .await?;
            Ok(())
        }
        Err(CheckoutError::Busy) => {
            tracing::warn!(
                user_id = user.id,
                channel_id = channel.id,
                tier_id,
                "another checkout of this plan did not finish in time"
            );
            bot.send_message(chat, t(lang, "invoice-failed"))
                .parse_mode(ParseMode::Html)
                .await?;
            Ok(())
        }
        Err(CheckoutError::Promo(r)) => {
            super::promo::refused(bot, ctx, user, chat, channel, r).await
        }
        Err(CheckoutError::Store(e)) => Err(e.into()),
    }
}

async fn send_invoice(
    bot: &TgBot,
    lang: Lang,
    chat: ChatId,
    channel: &Channel,
    invoice: &Invoice,
) -> anyhow::Result<Message> {
    let text = t_args(
        lang,
        "invoice-created",
        &[
            ("channel", Arg::from(channel.title.as_str())),
            ("price", Arg::Html(invoice.price.localized(lang))),
            ("days", Arg::Int(i64::from(invoice.days.unwrap_or(0)))),
        ],
    );
    let url = invoice
        .invoice_url
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("open invoice {} has no URL", invoice.id))?
        .parse()?;
    let button = t_args(
        lang,
        "invoice-pay-button",
        &[("price", Arg::Html(invoice.price.localized(lang)))],
    );
    let msg = bot
        .send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::url(button, url),
        ]]))
        .await?;
    Ok(msg)
}
