//! Telegram Stars prices, the owner's side (issue 15): in "My channels" → a channel →
//! "⭐ Stars prices" (shown only when the platform sells for Stars), one button per plan;
//! pressing one asks for its price in whole Stars (0 stops selling that plan for Stars).

use teloxide::prelude::*;
use teloxide::types::InlineKeyboardMarkup;

use super::{button, owned, say, say_with};
use crate::bot::checkout::tier_label;
use crate::bot::dialogue::{Conversation, enter};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::OwnerAction;
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::payments::stars::stars_value;
use crate::services::Ctx;
use crate::store::channels::{Channel, Tier};
use crate::store::stars::MAX_PRICE_STARS;
use crate::store::users::UserRow;

fn price_text(lang: Lang, stars: Option<i64>) -> String {
    match stars {
        None => t(lang, "own-stars-none"),
        Some(n) => t_args(lang, "own-stars-price", &[("stars", Arg::Int(n))]),
    }
}

/// The card's "⭐ Stars prices" row, when the platform sells for Stars.
pub fn card_row(
    ctx: &Ctx,
    lang: Lang,
    channel_id: i64,
) -> Option<Vec<teloxide::types::InlineKeyboardButton>> {
    ctx.config.rules.stars_usd_rate.map(|_| {
        vec![button(
            t(lang, "own-btn-stars"),
            OwnerAction::StarsPrices(channel_id),
        )]
    })
}

/// The channel's plans, each a button to set its Stars price.
pub async fn show(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
) -> HandlerResult {
    let lang = user.lang();
    let Some(rate) = ctx.config.rules.stars_usd_rate else {
        return say(bot, chat, t(lang, "stars-unavailable")).await;
    };
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        return Ok(());
    };
    let prices = ctx.db.tier_stars(c.id).await?;
    let mut rows: Vec<Vec<_>> = ctx
        .db
        .tiers(c.id)
        .await?
        .into_iter()
        .map(|tier| {
            let stars = prices
                .iter()
                .find(|(id, _)| *id == tier.id)
                .and_then(|(_, s)| *s);
            vec![button(
                t_args(
                    lang,
                    "own-stars-plan",
                    &[
                        ("plan", Arg::Html(tier_label(lang, &tier))),
                        ("price", Arg::Html(price_text(lang, stars))),
                    ],
                ),
                OwnerAction::EditStars(tier.id),
            )]
        })
        .collect();
    rows.push(vec![button(
        t(lang, "own-btn-back"),
        OwnerAction::Open(c.id),
    )]);
    let text = t_args(
        lang,
        "own-stars-title",
        &[
            ("channel", Arg::from(c.title.as_str())),
            ("rate", Arg::Html(rate.normalize().to_string())),
        ],
    );
    say_with(bot, chat, text, InlineKeyboardMarkup::new(rows)).await
}

async fn owned_tier(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    tier_id: i64,
) -> anyhow::Result<Option<(Tier, Channel)>> {
    let Some(tier) = ctx.db.tier(tier_id).await? else {
        say(bot, chat, t(user.lang(), "own-not-found")).await?;
        return Ok(None);
    };
    Ok(owned(bot, ctx, chat, user, tier.channel_id)
        .await?
        .map(|c| (tier, c)))
}

/// Asks for the Stars price of one plan.
pub async fn ask(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    tier_id: i64,
) -> HandlerResult {
    let lang = user.lang();
    let Some(rate) = ctx.config.rules.stars_usd_rate else {
        return say(bot, chat, t(lang, "stars-unavailable")).await;
    };
    let Some((tier, c)) = owned_tier(bot, ctx, chat, user, tier_id).await? else {
        return Ok(());
    };
    enter(
        &ctx.db,
        chat.0,
        &Conversation::EditStars { tier_id: tier.id },
        ctx.clock.now(),
    )
    .await?;
    let text = t_args(
        lang,
        "own-stars-ask",
        &[
            ("plan", Arg::Html(tier_label(lang, &tier))),
            ("channel", Arg::from(c.title.as_str())),
            ("rate", Arg::Html(rate.normalize().to_string())),
            ("max", Arg::Int(MAX_PRICE_STARS)),
        ],
    );
    say(bot, chat, text).await
}

/// A typed Stars price: digits only, 0 (not sold for Stars) to [`MAX_PRICE_STARS`].
pub fn parse_stars(text: &str) -> Option<i64> {
    let max = u64::try_from(MAX_PRICE_STARS).ok()?;
    crate::bot::amount::typed_whole(text, 0, max).and_then(|n| i64::try_from(n).ok())
}

/// The owner's answer to [`ask`].
pub async fn on_stars(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    tier_id: i64,
    text: &str,
) -> HandlerResult {
    let lang = user.lang();
    let Some(rate) = ctx.config.rules.stars_usd_rate else {
        ctx.db.remove_dialogue(chat.0).await?;
        return say(bot, chat, t(lang, "stars-unavailable")).await;
    };
    let Some(stars) = parse_stars(text) else {
        let text = t_args(lang, "own-stars-bad", &[("max", Arg::Int(MAX_PRICE_STARS))]);
        return say(bot, chat, text).await;
    };
    let Some((tier, c)) = owned_tier(bot, ctx, chat, user, tier_id).await? else {
        ctx.db.remove_dialogue(chat.0).await?;
        return Ok(());
    };
    let price = (stars > 0).then_some(stars);
    let changed = ctx
        .db
        .owner_set_price_stars(user.id, tier.id, price, ctx.clock.now())
        .await?;
    ctx.db.remove_dialogue(chat.0).await?;
    if !changed {
        return say(bot, chat, t(lang, "own-not-found")).await;
    }
    tracing::info!(
        user_id = user.id,
        channel_id = c.id,
        tier_id = tier.id,
        stars,
        "Stars price set"
    );
    let plan = ("plan", Arg::Html(tier_label(lang, &tier)));
    let text = match price.and_then(|n| stars_value(n, rate).map(|v| (n, v))) {
        None => t_args(lang, "own-stars-cleared", &[plan]),
        Some((n, value)) => t_args(
            lang,
            "own-stars-saved",
            &[
                plan,
                ("stars", Arg::Int(n)),
                ("value", Arg::Html(value.localized(lang))),
            ],
        ),
    };
    say(bot, chat, text).await?;
    show(bot, ctx, chat, user, c.id).await
}

#[cfg(test)]
mod tests {
    use super::parse_stars;

    #[test]
    fn stars_prices_are_whole_numbers_up_to_the_maximum() {
        for (text, want) in [
            ("250", Some(250)),
            (" 1 ", Some(1)),
            ("0", Some(0)),
            ("100000", Some(100_000)),
            ("100001", None),
            ("-5", None),
            ("2.5", None),
            ("1e3", None),
            ("", None),
            ("250 stars", None),
        ] {
            assert_eq!(parse_stars(text), want, "{text:?}");
        }
    }
}
