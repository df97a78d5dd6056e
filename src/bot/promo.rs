//! Promo codes, the subscriber's side (issue 15): "🏷 I have a code" on the channel card (or a
//! deep link `c_<code>_p_<PROMO>`) shows the plans at the discounted prices; a plan button
//! carries the code's id and checkout re-checks everything in its transaction. A code that
//! cannot be used gets a clear answer with the full-price plans.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::dialogue::{Conversation, enter};
use super::{HandlerResult, TgBot};
use crate::domain::callbacks::CallbackData;
use crate::domain::lang::Lang;
use crate::domain::promo::{Discount, PromoRefusal, PromoText};
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::channels::{Channel, Tier};
use crate::store::promos::PromoCode;
use crate::store::users::UserRow;

/// "20%" or "$3.00" in the reader's language.
pub(crate) fn discount_text(lang: Lang, d: Discount) -> String {
    match d {
        Discount::Percent(p) => format!("{p}%"),
        Discount::Amount(a) => a.localized(lang),
    }
}

/// The "🏷 I have a code" row for a channel card, when the channel has a code to enter.
pub(crate) async fn ask_row(
    ctx: &Ctx,
    lang: Lang,
    channel: &Channel,
) -> anyhow::Result<Option<Vec<InlineKeyboardButton>>> {
    if !ctx
        .db
        .channel_has_promos(channel.id, ctx.clock.now())
        .await?
    {
        return Ok(None);
    }
    Ok(Some(vec![InlineKeyboardButton::callback(
        t(lang, "promo-have-code"),
        CallbackData::PromoAsk(channel.id).encode(),
    )]))
}

/// The "🏷 I have a code" button: asks for the code.
pub async fn on_ask(
    bot: TgBot,
    ctx: Ctx,
    q: CallbackQuery,
    user: UserRow,
    chat: ChatId,
    channel_id: i64,
) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let lang = user.lang();
    let Some(channel) = ctx.db.channel(channel_id).await?.filter(Channel::on_sale) else {
        bot.send_message(chat, t(lang, "link-invalid"))
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(());
    };
    enter(
        &ctx.db,
        chat.0,
        &Conversation::PromoCode {
            channel_id: channel.id,
        },
        ctx.clock.now(),
    )
    .await?;
    let text = t_args(
        lang,
        "promo-ask",
        &[("channel", Arg::from(channel.title.as_str()))],
    );
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

/// The code the subscriber typed after [`on_ask`].
pub async fn on_code(
    bot: &TgBot,
    ctx: &Ctx,
    msg: &Message,
    user: &UserRow,
    channel_id: i64,
) -> HandlerResult {
    let chat = msg.chat.id;
    ctx.db.remove_dialogue(chat.0).await?;
    let Some(channel) = ctx.db.channel(channel_id).await? else {
        bot.send_message(chat, t(user.lang(), "link-invalid"))
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(());
    };
    match msg.text().and_then(PromoText::parse) {
        Some(code) => apply(bot, ctx, user, chat, &channel, &code).await,
        None => refused(bot, ctx, user, chat, &channel, PromoRefusal::Unknown).await,
    }
}

/// Shows the channel's plans at the prices after `code`, or why the code cannot be used.
pub async fn apply(
    bot: &TgBot,
    ctx: &Ctx,
    user: &UserRow,
    chat: ChatId,
    channel: &Channel,
    code: &PromoText,
) -> HandlerResult {
    let lang = user.lang();
    let now = ctx.clock.now();
    let Some(found) = ctx.db.promo_by_code(channel.id, code).await? else {
        return refused(bot, ctx, user, chat, channel, PromoRefusal::Unknown).await;
    };
    // Uses held by invoices that lapsed unpaid are given back before "used up" is judged.
    let stale = crate::domain::time::UnixMillis::from_millis(
        now.as_millis()
            .saturating_sub(crate::payments::checkout::STALE_CREATING_MS),
    );
    ctx.db
        .release_lapsed_promo_uses(found.id, now, stale)
        .await?;
    let Some(promo) = ctx.db.promo(found.id).await? else {
        return refused(bot, ctx, user, chat, channel, PromoRefusal::Unknown).await;
    };
    if let Some(r) = promo.refusal(now) {
        return refused(bot, ctx, user, chat, channel, r).await;
    }
    if ctx.db.promo_used_by(promo.id, user.id).await? {
        return refused(bot, ctx, user, chat, channel, PromoRefusal::AlreadyUsed).await;
    }
    let tiers = ctx.db.tiers(channel.id).await?;
    let rows: Vec<Vec<InlineKeyboardButton>> = tiers
        .iter()
        .map(|tier| vec![promo_button(ctx, lang, tier, &promo)])
        .collect();
    tracing::info!(
        user_id = user.id,
        channel_id = channel.id,
        promo_id = promo.id,
        "promo code applied to the card"
    );
    let text = t_args(
        lang,
        "promo-applied",
        &[
            ("channel", Arg::from(channel.title.as_str())),
            ("code", Arg::from(promo.code.as_str())),
            ("discount", Arg::Html(discount_text(lang, promo.discount))),
        ],
    );
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new(rows))
        .await?;
    Ok(())
}

/// A plan button at the code's price, or the plain one when the code is for another plan.
fn promo_button(ctx: &Ctx, lang: Lang, tier: &Tier, promo: &PromoCode) -> InlineKeyboardButton {
    if !promo.fits(tier.id) {
        return InlineKeyboardButton::callback(
            super::checkout::tier_label(lang, tier),
            CallbackData::Buy(tier.id).encode(),
        );
    }
    let price = promo.discount.apply(tier.price, ctx.config.rules.min_price);
    let label = t_args(
        lang,
        "promo-tier-button",
        &[
            (
                "medal",
                Arg::Html(super::checkout::medal(tier.position).to_owned()),
            ),
            ("price", Arg::Html(price.localized(lang))),
            ("old", Arg::Html(tier.price.localized(lang))),
            ("days", Arg::Int(i64::from(tier.days))),
        ],
    );
    InlineKeyboardButton::callback(
        label,
        CallbackData::BuyPromo {
            tier: tier.id,
            promo: promo.id,
        }
        .encode(),
    )
}

/// Why the code cannot be used, with the full-price plans.
pub async fn refused(
    bot: &TgBot,
    ctx: &Ctx,
    user: &UserRow,
    chat: ChatId,
    channel: &Channel,
    refusal: PromoRefusal,
) -> HandlerResult {
    let lang = user.lang();
    tracing::info!(
        user_id = user.id,
        channel_id = channel.id,
        reason = ?refusal,
        "promo code refused"
    );
    let text = t_args(
        lang,
        refusal.key(),
        &[("channel", Arg::from(channel.title.as_str()))],
    );
    let rows: Vec<Vec<InlineKeyboardButton>> = if channel.on_sale() {
        ctx.db
            .tiers(channel.id)
            .await?
            .iter()
            .map(|tier| {
                vec![InlineKeyboardButton::callback(
                    super::checkout::tier_label(lang, tier),
                    CallbackData::Buy(tier.id).encode(),
                )]
            })
            .collect()
    } else {
        Vec::new()
    };
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new(rows))
        .await?;
    Ok(())
}
