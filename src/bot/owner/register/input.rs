//! The owner's answers, by step: typed text, the wallet address, and the buttons.

use super::*;

use super::super::draft::{self, Draft, DraftStrategy, Invalid, Step};
use super::super::{button, say, say_with, tiers_text};
use crate::bot::amount::{self, AmountUse};
use crate::bot::dialogue::{Conversation, current};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::address::AddressError;
use crate::domain::callbacks::OwnerAction;
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::users::UserRow;

/// Text answers, by step.
pub async fn on_text(
    bot: &TgBot,
    ctx: &Ctx,
    msg: &Message,
    user: &UserRow,
    mut d: Draft,
    text: &str,
) -> HandlerResult {
    let chat = msg.chat.id;
    let lang = user.lang();
    let rules = &ctx.config.rules;
    match d.step {
        Step::Price => match draft::parse_price(text, rules) {
            Ok(p) => {
                d.price = Some(p.micros());
                d.step = Step::Days;
                save(ctx, chat, &d).await?;
                let n = i64::try_from(d.tiers.len() + 1).unwrap_or(1);
                // The price as understood, before the next question.
                let text = t_args(
                    lang,
                    "own-ask-days",
                    &[("n", Arg::Int(n)), ("price", Arg::Html(p.localized(lang)))],
                );
                say(bot, chat, text).await
            }
            Err(e) => say(bot, chat, amount::refusal(lang, e, AmountUse::Price, rules)).await,
        },
        Step::Days => match (draft::parse_days(text), d.price) {
            (Ok(days), Some(price)) => {
                d.tiers.push((price, days));
                d.price = None;
                let max = usize::try_from(rules.max_tiers).unwrap_or(usize::MAX);
                if d.tiers.len() >= max {
                    d.step = Step::Currency;
                    save(ctx, chat, &d).await?;
                    let done = t_args(
                        lang,
                        "own-tiers-done",
                        &[("tiers", Arg::Html(tiers_text(lang, &d.tiers)))],
                    );
                    say(bot, chat, done).await?;
                    return ask_currency(bot, ctx, chat, lang, 0, None).await;
                }
                d.step = Step::MoreTiers;
                save(ctx, chat, &d).await?;
                let text = t_args(
                    lang,
                    "own-more-tiers",
                    &[("tiers", Arg::Html(tiers_text(lang, &d.tiers)))],
                );
                let markup = InlineKeyboardMarkup::new(vec![vec![
                    button(t(lang, "own-btn-add-tier"), OwnerAction::AddTier),
                    button(t(lang, "own-btn-tiers-done"), OwnerAction::TiersDone),
                ]]);
                say_with(bot, chat, text, markup).await
            }
            _ => say(bot, chat, t(lang, "own-bad-days")).await,
        },
        Step::Address => on_address(bot, ctx, msg, lang, d, text).await,
        Step::ExtraId => {
            let format = network_format(ctx, &d).await?;
            match draft::check_extra_id(&format, text) {
                Ok(extra) => {
                    d.extra_id = Some(extra);
                    d.step = Step::Strategy;
                    save(ctx, chat, &d).await?;
                    ask_strategy(bot, ctx, chat, lang).await
                }
                Err(_) => say(bot, chat, t(lang, "own-bad-extra")).await,
            }
        }
        Step::Threshold => match draft::parse_threshold(text, rules) {
            Ok(th) => {
                d.strategy = Some(DraftStrategy::Threshold {
                    usd_micros: th.micros(),
                });
                to_confirm(bot, ctx, chat, lang, d).await
            }
            Err(e) => {
                let text = amount::refusal(lang, e, AmountUse::Threshold, rules);
                say(bot, chat, text).await
            }
        },
        Step::MoreTiers | Step::Currency | Step::Strategy | Step::Confirm => {
            say(bot, chat, t(lang, "own-use-buttons")).await
        }
    }
}

pub(super) async fn network_format(ctx: &Ctx, d: &Draft) -> anyhow::Result<String> {
    let code = d.network.clone().unwrap_or_default();
    Ok(ctx
        .db
        .network(&code)
        .await?
        .map(|n| n.address_format)
        .unwrap_or_default())
}

pub(super) async fn on_address(
    bot: &TgBot,
    ctx: &Ctx,
    msg: &Message,
    lang: Lang,
    mut d: Draft,
    text: &str,
) -> HandlerResult {
    let chat = msg.chat.id;
    let network = ctx
        .db
        .network(d.network.as_deref().unwrap_or_default())
        .await?;
    let Some(network) = network else {
        return say(bot, chat, t(lang, "own-use-buttons")).await;
    };
    match draft::check_address(&network.address_format, text) {
        Ok(address) => {
            d.address = Some(address);
            if network.extra_id_name.is_some() {
                d.step = Step::ExtraId;
                save(ctx, chat, &d).await?;
                let name = network.extra_id_name.clone().unwrap_or_default();
                let text = t_args(lang, "own-ask-extra", &[("name", Arg::from(name.as_str()))]);
                let markup = InlineKeyboardMarkup::new(vec![vec![button(
                    t(lang, "own-btn-skip-extra"),
                    OwnerAction::SkipExtraId,
                )]]);
                return say_with(bot, chat, text, markup).await;
            }
            d.step = Step::Strategy;
            save(ctx, chat, &d).await?;
            ask_strategy(bot, ctx, chat, lang).await
        }
        Err(Invalid::Address(AddressError::LooksLikeSecret)) => {
            // Never stored, never logged; and taken out of the chat history where we can.
            if let Err(e) = bot.delete_message(chat, msg.id).await {
                tracing::warn!(error = %ctx.redact(&e.to_string()), "could not delete a pasted secret");
            }
            tracing::warn!(
                user_id = chat.0,
                "a wallet answer looked like a secret; refused"
            );
            say(bot, chat, t(lang, "own-address-secret")).await
        }
        Err(Invalid::Address(AddressError::WrongNetwork { detected })) => {
            let text = t_args(
                lang,
                "own-address-wrong-network",
                &[
                    ("detected", Arg::from(detected.label())),
                    ("network", Arg::from(network.name.as_str())),
                ],
            );
            say(bot, chat, text).await
        }
        Err(Invalid::Address(AddressError::BadChecksum)) => {
            let text = t_args(
                lang,
                "own-address-bad-checksum",
                &[("network", Arg::from(network.name.as_str()))],
            );
            say(bot, chat, text).await
        }
        Err(_) => {
            let text = t_args(
                lang,
                "own-address-bad-format",
                &[("network", Arg::from(network.name.as_str()))],
            );
            say(bot, chat, text).await
        }
    }
}

/// Buttons inside the conversation. A button from an old message, or one that does not fit
/// the current step, changes nothing.
pub async fn on_step_button(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    action: OwnerAction,
) -> HandlerResult {
    use OwnerAction as A;
    let lang = user.lang();
    let Some(Conversation::Owner(d)) = current(&ctx.db, chat.0).await? else {
        return say(bot, chat, t(lang, "callback-expired")).await;
    };
    let mut d = *d;
    let max = usize::try_from(ctx.config.rules.max_tiers).unwrap_or(usize::MAX);
    match (action, d.step) {
        (A::Abort, _) => {
            ctx.db.remove_dialogue(chat.0).await?;
            say(bot, chat, t(lang, "own-aborted")).await
        }
        (A::AddTier, Step::MoreTiers) if d.tiers.len() < max => {
            d.step = Step::Price;
            save(ctx, chat, &d).await?;
            ask_price(bot, ctx, chat, lang, d.tiers.len() + 1).await
        }
        (A::AddTier, Step::MoreTiers) => {
            let text = t_args(
                lang,
                "own-too-many-tiers",
                &[("max", Arg::Int(i64::from(ctx.config.rules.max_tiers)))],
            );
            say(bot, chat, text).await
        }
        (A::TiersDone, Step::MoreTiers) if !d.tiers.is_empty() => {
            d.step = Step::Currency;
            save(ctx, chat, &d).await?;
            ask_currency(bot, ctx, chat, lang, 0, None).await
        }
        (A::CurrencyPage(p), Step::Currency) => ask_currency(bot, ctx, chat, lang, p, None).await,
        (A::Currency(c, n), Step::Currency) => {
            let Some(pair) = ctx.db.payout_currency(&c, &n).await? else {
                return say(bot, chat, t(lang, "callback-expired")).await;
            };
            let network = ctx.db.network(&pair.network).await?;
            let name = network
                .map(|n| n.name)
                .unwrap_or_else(|| pair.network.clone());
            d.currency = Some(pair.currency.clone());
            d.network = Some(pair.network.clone());
            d.step = Step::Address;
            save(ctx, chat, &d).await?;
            let text = t_args(
                lang,
                "own-ask-address",
                &[
                    ("currency", Arg::from(pair.display_name.as_str())),
                    ("network", Arg::from(name.as_str())),
                ],
            );
            say(bot, chat, text).await
        }
        (A::SkipExtraId, Step::ExtraId) => {
            d.extra_id = None;
            d.step = Step::Strategy;
            save(ctx, chat, &d).await?;
            ask_strategy(bot, ctx, chat, lang).await
        }
        (A::Instant, Step::Strategy) => {
            d.strategy = Some(DraftStrategy::Instant);
            to_confirm(bot, ctx, chat, lang, d).await
        }
        (A::Threshold, Step::Strategy) => {
            d.step = Step::Threshold;
            save(ctx, chat, &d).await?;
            let text = t_args(
                lang,
                "own-ask-threshold",
                &[(
                    "min",
                    Arg::Html(ctx.config.rules.min_threshold.localized(lang)),
                )],
            );
            say(bot, chat, format!("{text}\n{}", amount::forms(lang))).await
        }
        (A::Confirm, Step::Confirm) => confirm(bot, ctx, chat, user, d).await,
        _ => say(bot, chat, t(lang, "callback-expired")).await,
    }
}
