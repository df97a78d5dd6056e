//! The subscriber's free trial (issue 15): the "🎁 Try N days free" buttons on a channel's card
//! and what a press of one does. Whether the trial may start is decided again, in the trial's
//! transaction, by `access::trial`; the card only hides buttons that would be refused.

use teloxide::prelude::*;
use teloxide::types::{CallbackQuery, InlineKeyboardButton, ParseMode};

use super::{HandlerResult, TgBot};
use crate::access::trial::{TrialOutcome, start_trial};
use crate::domain::callbacks::CallbackData;
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::channels::{Channel, Tier};
use crate::store::users::UserRow;

/// One button per tier with a trial, when `user_id` may still start one in this channel (never
/// had a trial there and no running subscription); none otherwise.
pub(crate) async fn trial_rows(
    ctx: &Ctx,
    lang: Lang,
    user_id: i64,
    channel: &Channel,
    tiers: &[Tier],
) -> anyhow::Result<Vec<Vec<InlineKeyboardButton>>> {
    let days = ctx.db.trial_days(channel.id).await?;
    if days.iter().all(|(_, d)| *d == 0) || !channel.on_sale() {
        return Ok(Vec::new());
    }
    if ctx.db.trial_of(user_id, channel.id).await?.is_some() {
        return Ok(Vec::new());
    }
    let now = ctx.clock.now();
    if ctx
        .db
        .subscription_of(user_id, channel.id)
        .await?
        .is_some_and(|s| s.is_active(now))
    {
        return Ok(Vec::new());
    }
    Ok(tiers
        .iter()
        .filter_map(|tier| {
            let (_, d) = days.iter().find(|(id, _)| *id == tier.id)?;
            (*d > 0).then(|| {
                vec![InlineKeyboardButton::callback(
                    t_args(
                        lang,
                        "trial-button",
                        &[
                            (
                                "medal",
                                Arg::Html(super::checkout::medal(tier.position).to_owned()),
                            ),
                            ("days", Arg::Int(i64::from(*d))),
                        ],
                    ),
                    CallbackData::Trial(tier.id).encode(),
                )]
            })
        })
        .collect())
}

/// A trial button.
pub async fn on_trial(
    bot: TgBot,
    ctx: Ctx,
    q: CallbackQuery,
    user: UserRow,
    chat: ChatId,
    tier_id: i64,
) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let lang = user.lang();
    let outcome = start_trial(&ctx, user.id, tier_id).await?;
    let channel_id = match &outcome {
        TrialOutcome::Started { channel_id, .. } => Some(*channel_id),
        _ => ctx.db.tier(tier_id).await?.map(|t| t.channel_id),
    };
    let channel = match channel_id {
        Some(id) => ctx.db.channel(id).await?,
        None => None,
    };
    let title = channel
        .as_ref()
        .map(|c| c.title.clone())
        .unwrap_or_default();
    let text = match outcome {
        TrialOutcome::Started { trial, .. } => t_args(
            lang,
            "trial-started",
            &[
                ("channel", Arg::from(title.as_str())),
                ("days", Arg::Int(i64::from(trial.days))),
                ("expires", Arg::Html(trial.ends_at.to_string())),
            ],
        ),
        TrialOutcome::AlreadyHad => {
            tracing::info!(user_id = user.id, tier_id, "trial refused: had one");
            t_args(
                lang,
                "trial-refused-used",
                &[("channel", Arg::from(title.as_str()))],
            )
        }
        TrialOutcome::Subscribed => t_args(
            lang,
            "trial-refused-subscribed",
            &[("channel", Arg::from(title.as_str()))],
        ),
        TrialOutcome::NotOnSale => t_args(
            lang,
            "channel-paused",
            &[("channel", Arg::from(title.as_str()))],
        ),
        TrialOutcome::NoTrial => t(lang, "trial-unavailable"),
    };
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}
