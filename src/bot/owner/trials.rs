//! Free trials, the owner's side (issue 15): in "My channels" → a channel → "🎁 Free trials",
//! one button per plan; pressing one asks for the trial's length in days (1 to 30, 0 removes
//! it). The card and the balance show the trials; a statement line counts them.

use teloxide::prelude::*;
use teloxide::types::InlineKeyboardMarkup;

use super::{button, owned, say, say_with};
use crate::bot::checkout::tier_label;
use crate::bot::dialogue::{Conversation, enter};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::OwnerAction;
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::channels::Tier;
use crate::store::trials::MAX_TRIAL_DAYS;
use crate::store::users::UserRow;

fn trial_text(lang: Lang, days: u32) -> String {
    if days == 0 {
        t(lang, "own-trial-none")
    } else {
        t_args(
            lang,
            "own-trial-days",
            &[("days", Arg::Int(i64::from(days)))],
        )
    }
}

/// The channel's live tiers with their trial days.
async fn tiers_with_trials(ctx: &Ctx, channel_id: i64) -> anyhow::Result<Vec<(Tier, u32)>> {
    let days = ctx.db.trial_days(channel_id).await?;
    Ok(ctx
        .db
        .tiers(channel_id)
        .await?
        .into_iter()
        .map(|tier| {
            let d = days
                .iter()
                .find(|(id, _)| *id == tier.id)
                .map(|(_, d)| *d)
                .unwrap_or(0);
            (tier, d)
        })
        .collect())
}

/// "🎁 Free trials: 🥇 3-day trial" for the channel card, when any plan has one.
pub async fn card_line(ctx: &Ctx, lang: Lang, channel_id: i64) -> anyhow::Result<Option<String>> {
    let list: Vec<String> = tiers_with_trials(ctx, channel_id)
        .await?
        .into_iter()
        .filter(|(_, d)| *d > 0)
        .map(|(tier, d)| {
            format!(
                "{} {}",
                crate::bot::checkout::medal(tier.position),
                trial_text(lang, d)
            )
        })
        .collect();
    if list.is_empty() {
        return Ok(None);
    }
    Ok(Some(t_args(
        lang,
        "own-trials-card",
        &[("list", Arg::Html(list.join(", ")))],
    )))
}

/// "🎁 Trials: started N, converted M" for the owner's figures, once a trial was started.
pub async fn stats_line(ctx: &Ctx, lang: Lang, channel_id: i64) -> anyhow::Result<Option<String>> {
    let c = ctx.db.trial_counts(channel_id).await?;
    if c.started == 0 {
        return Ok(None);
    }
    Ok(Some(t_args(
        lang,
        "own-trials-stats",
        &[
            ("started", Arg::Int(c.started)),
            ("converted", Arg::Int(c.converted)),
        ],
    )))
}

/// The plans of a channel, each a button to set its trial.
pub async fn show(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        return Ok(());
    };
    let lang = user.lang();
    let mut rows: Vec<Vec<_>> = tiers_with_trials(ctx, c.id)
        .await?
        .into_iter()
        .map(|(tier, d)| {
            vec![button(
                t_args(
                    lang,
                    "own-trial-plan",
                    &[
                        ("plan", Arg::Html(tier_label(lang, &tier))),
                        ("trial", Arg::Html(trial_text(lang, d))),
                    ],
                ),
                OwnerAction::EditTrial(tier.id),
            )]
        })
        .collect();
    rows.push(vec![button(
        t(lang, "own-btn-back"),
        OwnerAction::Open(c.id),
    )]);
    let text = t_args(
        lang,
        "own-trials-title",
        &[("channel", Arg::from(c.title.as_str()))],
    );
    say_with(bot, chat, text, InlineKeyboardMarkup::new(rows)).await
}

/// The tier and its channel when both are live and the channel is the user's.
async fn owned_tier(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    tier_id: i64,
) -> anyhow::Result<Option<(Tier, crate::store::channels::Channel)>> {
    let Some(tier) = ctx.db.tier(tier_id).await? else {
        say(bot, chat, t(user.lang(), "own-not-found")).await?;
        return Ok(None);
    };
    Ok(owned(bot, ctx, chat, user, tier.channel_id)
        .await?
        .map(|c| (tier, c)))
}

/// Asks for the trial length of one plan.
pub async fn ask(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    tier_id: i64,
) -> HandlerResult {
    let Some((tier, c)) = owned_tier(bot, ctx, chat, user, tier_id).await? else {
        return Ok(());
    };
    enter(
        &ctx.db,
        chat.0,
        &Conversation::EditTrial { tier_id: tier.id },
        ctx.clock.now(),
    )
    .await?;
    let lang = user.lang();
    let text = t_args(
        lang,
        "own-trial-ask",
        &[
            ("plan", Arg::Html(tier_label(lang, &tier))),
            ("channel", Arg::from(c.title.as_str())),
            ("max", Arg::Int(i64::from(MAX_TRIAL_DAYS))),
        ],
    );
    say(bot, chat, text).await
}

/// A typed trial length: digits only, 0 to 30.
pub fn parse_days(text: &str) -> Option<u32> {
    crate::bot::amount::typed_whole(text, 0, MAX_TRIAL_DAYS.into())
        .and_then(|d| u32::try_from(d).ok())
}

/// The owner's answer to [`ask`].
pub async fn on_days(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    tier_id: i64,
    text: &str,
) -> HandlerResult {
    let lang = user.lang();
    let Some(days) = parse_days(text) else {
        let text = t_args(
            lang,
            "own-trial-bad",
            &[("max", Arg::Int(i64::from(MAX_TRIAL_DAYS)))],
        );
        return say(bot, chat, text).await;
    };
    let Some((tier, c)) = owned_tier(bot, ctx, chat, user, tier_id).await? else {
        ctx.db.remove_dialogue(chat.0).await?;
        return Ok(());
    };
    let changed = ctx
        .db
        .owner_set_trial_days(user.id, tier.id, days, ctx.clock.now())
        .await?;
    ctx.db.remove_dialogue(chat.0).await?;
    if !changed {
        return say(bot, chat, t(lang, "own-not-found")).await;
    }
    tracing::info!(
        user_id = user.id,
        channel_id = c.id,
        tier_id = tier.id,
        days,
        "trial length set"
    );
    let plan = ("plan", Arg::Html(tier_label(lang, &tier)));
    let text = if days == 0 {
        t_args(lang, "own-trial-cleared", &[plan])
    } else {
        t_args(
            lang,
            "own-trial-saved",
            &[plan, ("days", Arg::Int(i64::from(days)))],
        )
    };
    say(bot, chat, text).await?;
    show(bot, ctx, chat, user, c.id).await
}

#[cfg(test)]
mod tests {
    use super::parse_days;

    #[test]
    fn trial_days_are_0_to_30_digits_only() {
        for (text, want) in [
            ("3", Some(3)),
            (" 30 ", Some(30)),
            ("0", Some(0)),
            ("00", Some(0)),
            ("31", None),
            ("-1", None),
            ("+3", None),
            ("3.5", None),
            ("three", None),
            ("", None),
            ("300", None),
            ("3 days", None),
            ("٣", None),
        ] {
            assert_eq!(parse_days(text), want, "{text:?}");
        }
    }
}
