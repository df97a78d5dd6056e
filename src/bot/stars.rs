//! Telegram Stars, the subscriber's side (issue 15): "⭐ Pay N Stars" buttons on a channel's
//! card (when the platform sells for Stars and the plan has a Stars price), the XTR invoice a
//! press sends, the answer to Telegram's `pre_checkout_query` (within its 10 s) and the
//! `successful_payment` message, recorded and granted once per charge id.

use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, InlineKeyboardButton, LabeledPrice, ParseMode, PreCheckoutQuery,
};

use super::{HandlerResult, TgBot};
use crate::domain::callbacks::CallbackData;
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::payments::checkout::CheckoutError;
use crate::payments::intake::IntakeRules;
use crate::payments::stars::{
    Refusal, StarsOutcome, StarsReceipt, XTR, check_pre_checkout, checkout_stars, payload,
    record_successful_payment,
};
use crate::services::Ctx;
use crate::store::channels::{Channel, Tier};
use crate::store::users::UserRow;

/// Extra tries to record a `successful_payment` when the database fails for a moment.
const RECORD_RETRIES: u32 = 3;
const RECORD_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// One "⭐ Pay N Stars" row per plan with a Stars price, when Stars are on and the channel sells.
pub(crate) async fn star_rows(
    ctx: &Ctx,
    lang: Lang,
    channel: &Channel,
    tiers: &[Tier],
) -> anyhow::Result<Vec<Vec<InlineKeyboardButton>>> {
    if ctx.config.rules.stars_usd_rate.is_none() || !channel.on_sale() {
        return Ok(Vec::new());
    }
    let prices = ctx.db.tier_stars(channel.id).await?;
    Ok(tiers
        .iter()
        .filter_map(|tier| {
            let (_, stars) = prices.iter().find(|(id, _)| *id == tier.id)?;
            let stars = (*stars)?;
            Some(vec![InlineKeyboardButton::callback(
                t_args(
                    lang,
                    "stars-button",
                    &[
                        (
                            "medal",
                            Arg::Html(super::checkout::medal(tier.position).to_owned()),
                        ),
                        ("stars", Arg::Int(stars)),
                        ("days", Arg::Int(i64::from(tier.days))),
                    ],
                ),
                CallbackData::BuyStars(tier.id).encode(),
            )])
        })
        .collect())
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

async fn say(bot: &TgBot, chat: ChatId, text: String) -> HandlerResult {
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

/// A "⭐ Pay N Stars" button: the XTR invoice (payload = our invoice id, nothing else).
pub async fn on_buy_stars(
    bot: TgBot,
    ctx: Ctx,
    q: CallbackQuery,
    user: UserRow,
    chat: ChatId,
    tier_id: i64,
) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let lang = user.lang();
    match checkout_stars(&ctx, user.id, tier_id).await {
        Ok((invoice, stars)) => {
            let Some(channel) = ctx.db.channel(invoice.channel_id).await? else {
                return say(&bot, chat, t(lang, "tier-gone")).await;
            };
            let days = i64::from(invoice.days.unwrap_or(0));
            let description = t_args(
                lang,
                "stars-invoice-description",
                &[
                    ("channel", Arg::Text(channel.title.clone())),
                    ("days", Arg::Int(days)),
                ],
            );
            let label = t_args(lang, "stars-invoice-label", &[("days", Arg::Int(days))]);
            let amount = u32::try_from(stars)?;
            bot.send_invoice(
                chat,
                cut(&channel.title, 32),
                cut(&description, 255),
                payload(invoice.id),
                XTR,
                vec![LabeledPrice::new(cut(&label, 32), amount)],
            )
            .await?;
            tracing::info!(
                user_id = user.id,
                invoice_id = invoice.id,
                channel_id = channel.id,
                tier_id,
                stars,
                "Stars invoice sent"
            );
            Ok(())
        }
        Err(CheckoutError::NotOnSale) => say(&bot, chat, t(lang, "stars-unavailable")).await,
        // A Stars checkout carries no promo code, so a promo refusal cannot come back; were
        // it to, the plan is not available for Stars as asked.
        Err(CheckoutError::TierGone | CheckoutError::Promo(_)) => {
            say(&bot, chat, t(lang, "stars-unavailable")).await
        }
        Err(CheckoutError::Busy | CheckoutError::Provider(_)) => {
            say(&bot, chat, t(lang, "invoice-failed")).await
        }
        Err(CheckoutError::Store(e)) => Err(e.into()),
    }
}

/// Telegram asks whether the payment may go ahead; answered within its 10 s: ok only for an
/// open, unexpired invoice of this user at this amount of a channel on sale.
pub async fn on_pre_checkout(bot: TgBot, ctx: Ctx, q: PreCheckoutQuery) -> HandlerResult {
    let user_id = i64::try_from(q.from.id.0)?;
    let decision = check_pre_checkout(
        &ctx,
        user_id,
        &q.currency,
        i64::from(q.total_amount),
        &q.invoice_payload,
    )
    .await;
    let answer = bot.answer_pre_checkout_query(q.id.clone(), matches!(decision, Ok(Ok(_))));
    let refusal = match &decision {
        Ok(Ok(invoice_id)) => {
            tracing::info!(user_id, invoice_id, "Stars pre-checkout accepted");
            None
        }
        Ok(Err(r)) => Some(*r),
        // Our database failing is no reason to take the Stars: refuse, say why in the log.
        Err(e) => {
            tracing::error!(user_id, error = %e, "Stars pre-checkout could not be checked");
            Some(Refusal::Invalid)
        }
    };
    match refusal {
        None => {
            answer.await?;
        }
        Some(r) => {
            let lang = ctx
                .db
                .get_user(user_id)
                .await
                .ok()
                .flatten()
                .map(|u| u.lang())
                .unwrap_or_default();
            let key = match r {
                Refusal::Invalid => "stars-refused-invalid",
                Refusal::Expired => "stars-refused-expired",
                Refusal::NotOnSale => "stars-refused-not-on-sale",
            };
            tracing::info!(user_id, reason = ?r, "Stars pre-checkout refused");
            answer.error_message(t(lang, key)).await?;
        }
    }
    Ok(())
}

/// The `successful_payment` message: recorded and granted once per charge id; a replay
/// changes nothing.
pub async fn on_successful_payment(
    bot: TgBot,
    ctx: Ctx,
    msg: Message,
    user: UserRow,
) -> HandlerResult {
    let Some(paid) = msg.successful_payment() else {
        return Ok(());
    };
    let charge_id = paid.telegram_payment_charge_id.0.as_str();
    let Some(rate) = ctx.config.rules.stars_usd_rate else {
        // Stars were turned off between the checkout and the payment: the charge is kept in the
        // log for an operator (who can refund it), and nothing is granted without a rate.
        tracing::error!(
            user_id = user.id,
            charge_id,
            "a Stars payment arrived while STARS_ENABLED is off; not recorded"
        );
        return say(
            &bot,
            msg.chat.id,
            t(user.lang(), "stars-received-unmatched"),
        )
        .await;
    };
    let receipt = StarsReceipt {
        user_id: user.id,
        currency: &paid.currency,
        total_amount: i64::from(paid.total_amount),
        invoice_payload: &paid.invoice_payload,
        charge_id,
    };
    let (host_currency, _) = &ctx.config.providers.host_asset;
    let rules = IntakeRules::from_config(&ctx.config);
    // Telegram does not send this update again once we took it, and the user is charged: a
    // passing database error is retried here (safe: the charge id makes a repeat a no-op).
    let mut attempt = 0u32;
    let outcome = loop {
        let now = ctx.clock.now();
        match record_successful_payment(&ctx.db, &receipt, rate, host_currency, &rules, now).await {
            Ok(outcome) => break outcome,
            Err(e) if attempt < RECORD_RETRIES => {
                attempt += 1;
                tracing::warn!(user_id = user.id, charge_id, attempt, error = %e, "Stars payment not recorded yet; retrying");
                tokio::time::sleep(RECORD_RETRY_PAUSE * attempt).await;
            }
            Err(e) => {
                tracing::error!(user_id = user.id, charge_id, error = %e, "Stars payment could not be recorded");
                return Err(e.into());
            }
        }
    };
    tracing::info!(user_id = user.id, ?outcome, "Stars payment");
    match outcome {
        StarsOutcome::Granted { .. } => {
            ctx.jobs_wake.notify_one();
            Ok(())
        }
        StarsOutcome::Duplicate => Ok(()),
        StarsOutcome::Orphan { .. } => {
            say(
                &bot,
                msg.chat.id,
                t(user.lang(), "stars-received-unmatched"),
            )
            .await
        }
    }
}

/// "⭐ 250 Stars" for a Stars payment's statement line; None for any other payment.
pub(crate) fn statement_mark(lang: Lang, p: &crate::store::stats::PaymentLine) -> Option<String> {
    if !p
        .pay_currency
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case(XTR))
    {
        return None;
    }
    let stars = p.actually_paid.as_deref()?.parse::<i64>().ok()?;
    Some(t_args(
        lang,
        "stars-statement-mark",
        &[("stars", Arg::Int(stars))],
    ))
}
