//! "My channels" (SPEC §2.7): the list, a channel's card and every edit on it.

use teloxide::prelude::*;
use teloxide::types::InlineKeyboardMarkup;

use super::draft::{self, TierLinesError};
use super::{button, owned, say, say_with, tiers_text};
use crate::bot::amount::{self, AmountUse};
use crate::bot::dialogue::{Conversation, enter};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::OwnerAction;
use crate::domain::deeplink::{ChannelCode, DeepLink};
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::StoreError;
use crate::store::channels::{AccessMode, Channel, PayoutStrategy};
use crate::store::owner::{MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS};
use crate::store::users::UserRow;

pub async fn list(bot: &TgBot, ctx: &Ctx, chat: ChatId, user: &UserRow) -> HandlerResult {
    let lang = user.lang();
    let channels = ctx.db.channels_of_owner(user.id).await?;
    if channels.is_empty() {
        let markup = InlineKeyboardMarkup::new(vec![vec![button(
            t(lang, "menu-add-channel"),
            OwnerAction::Add,
        )]]);
        return say_with(bot, chat, t(lang, "own-no-channels"), markup).await;
    }
    let mut rows: Vec<Vec<_>> = channels
        .iter()
        .map(|c| {
            let mark = if c.on_sale() { "🟢" } else { "⏸" };
            vec![button(
                format!("{mark} {}", c.title),
                OwnerAction::Open(c.id),
            )]
        })
        .collect();
    rows.push(vec![button(t(lang, "menu-add-channel"), OwnerAction::Add)]);
    say_with(
        bot,
        chat,
        t(lang, "own-list-title"),
        InlineKeyboardMarkup::new(rows),
    )
    .await
}

fn status_text(lang: Lang, c: &Channel) -> String {
    let key = if c.rights_lost {
        "own-status-rights-lost"
    } else if c.admin_paused {
        // Only an operator lifts this; the owner's resume button does not.
        "own-status-admin-paused"
    } else if c.sales_paused {
        "own-status-paused"
    } else {
        "own-status-on-sale"
    };
    t(lang, key)
}

fn mode_text(lang: Lang, m: AccessMode) -> String {
    t(
        lang,
        match m {
            AccessMode::JoinRequest => "own-mode-join-request",
            AccessMode::OneTimeLink => "own-mode-one-time-link",
        },
    )
}

pub(crate) fn strategy_text(lang: Lang, s: PayoutStrategy) -> String {
    match s {
        PayoutStrategy::Instant => t(lang, "own-strategy-instant"),
        PayoutStrategy::Threshold(th) => t_args(
            lang,
            "own-strategy-threshold",
            &[("threshold", Arg::Html(th.localized(lang)))],
        ),
    }
}

pub async fn card(bot: &TgBot, ctx: &Ctx, chat: ChatId, user: &UserRow, id: i64) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, id).await? else {
        return Ok(());
    };
    let lang = user.lang();
    let tiers: Vec<(i64, u32)> = ctx
        .db
        .tiers(c.id)
        .await?
        .iter()
        .map(|t| (t.price.micros(), t.days))
        .collect();
    let notify_key = if c.notify_payments {
        "own-on"
    } else {
        "own-off"
    };
    let mut text = t_args(
        lang,
        "own-card",
        &[
            ("channel", Arg::from(c.title.as_str())),
            ("status", Arg::Html(status_text(lang, &c))),
            ("tiers", Arg::Html(tiers_text(lang, &tiers))),
            ("currency", Arg::from(c.payout.currency.as_str())),
            ("network", Arg::from(c.payout.network.as_str())),
            ("address", Arg::from(c.payout.address.as_str())),
            (
                "strategy",
                Arg::Html(strategy_text(lang, c.payout.strategy)),
            ),
            ("mode", Arg::Html(mode_text(lang, c.access_mode))),
            ("notify", Arg::Html(t(lang, notify_key))),
        ],
    );
    if let Some(line) = super::trials::card_line(ctx, lang, c.id).await? {
        text.push('\n');
        text.push_str(&line);
    }
    text.push('\n');
    text.push_str(&super::grace::card_line(ctx, lang, c.id).await?);
    let pause = if c.sales_paused {
        button(
            t(lang, "own-btn-resume"),
            OwnerAction::SetPaused(c.id, false),
        )
    } else {
        button(t(lang, "own-btn-pause"), OwnerAction::SetPaused(c.id, true))
    };
    let notify = button(
        t(
            lang,
            if c.notify_payments {
                "own-btn-notify-off"
            } else {
                "own-btn-notify-on"
            },
        ),
        OwnerAction::SetNotify(c.id, !c.notify_payments),
    );
    let stars_row = super::stars::card_row(ctx, lang, c.id);
    let markup = InlineKeyboardMarkup::new(
        vec![
            vec![
                button(t(lang, "own-btn-balance"), OwnerAction::Balance(Some(c.id))),
                button(t(lang, "own-btn-links"), OwnerAction::Links(c.id)),
            ],
            vec![
                button(t(lang, "own-btn-edit-tiers"), OwnerAction::EditTiers(c.id)),
                button(t(lang, "own-btn-trials"), OwnerAction::Trials(c.id)),
            ],
            vec![
                button(t(lang, "own-btn-promos"), OwnerAction::Promos(c.id)),
                button(t(lang, "bc-btn"), OwnerAction::Broadcast(c.id)),
            ],
            vec![button(
                t(lang, "own-btn-edit-payout"),
                OwnerAction::EditPayout(c.id),
            )],
            vec![button(
                t(lang, "own-btn-grace"),
                OwnerAction::EditGrace(c.id),
            )],
            stars_row.unwrap_or_default(),
            vec![
                button(t(lang, "own-btn-edit-title"), OwnerAction::EditTitle(c.id)),
                button(
                    t(lang, "own-btn-edit-desc"),
                    OwnerAction::EditDescription(c.id),
                ),
            ],
            vec![pause, notify],
            vec![
                button(t(lang, "own-btn-mode"), OwnerAction::ToggleMode(c.id)),
                button(t(lang, "own-btn-post"), OwnerAction::PostOffer(c.id)),
            ],
            vec![
                button(t(lang, "own-btn-delete"), OwnerAction::Delete(c.id)),
                button(t(lang, "own-btn-back"), OwnerAction::List),
            ],
        ]
        .into_iter()
        .filter(|row| !row.is_empty()),
    );
    say_with(bot, chat, text, markup).await
}

/// The generic link and one per tier, one per line.
pub async fn links_text(ctx: &Ctx, lang: Lang, c: &Channel) -> anyhow::Result<String> {
    let tiers = ctx.db.tiers(c.id).await?;
    let Some(code) = ChannelCode::parse(&c.code) else {
        return Ok(String::new());
    };
    let mut lines = vec![DeepLink::Channel(code.clone()).url(&ctx.bot_username)];
    for tier in &tiers {
        lines.push(format!(
            "{} {} — {}",
            crate::bot::checkout::medal(tier.position),
            tier.price.localized(lang),
            DeepLink::Tier(code.clone(), tier.position).url(&ctx.bot_username)
        ));
    }
    lines.push(format!(
        "💝 {}",
        DeepLink::Donate(code).url(&ctx.bot_username)
    ));
    Ok(lines.join("\n"))
}

pub async fn links(bot: &TgBot, ctx: &Ctx, chat: ChatId, user: &UserRow, id: i64) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, id).await? else {
        return Ok(());
    };
    let lang = user.lang();
    let text = t_args(
        lang,
        "own-links",
        &[
            ("channel", Arg::from(c.title.as_str())),
            ("links", Arg::Html(links_text(ctx, lang, &c).await?)),
        ],
    );
    say(bot, chat, text).await
}

pub async fn set_paused(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
    paused: bool,
) -> HandlerResult {
    if ctx
        .db
        .owner_set_paused(user.id, id, paused, ctx.clock.now())
        .await?
    {
        card(bot, ctx, chat, user, id).await
    } else {
        say(bot, chat, t(user.lang(), "own-not-found")).await
    }
}

pub async fn set_notify(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
    on: bool,
) -> HandlerResult {
    if ctx
        .db
        .owner_set_notify(user.id, id, on, ctx.clock.now())
        .await?
    {
        card(bot, ctx, chat, user, id).await
    } else {
        say(bot, chat, t(user.lang(), "own-not-found")).await
    }
}

pub async fn toggle_mode(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, id).await? else {
        return Ok(());
    };
    let next = match c.access_mode {
        AccessMode::JoinRequest => AccessMode::OneTimeLink,
        AccessMode::OneTimeLink => AccessMode::JoinRequest,
    };
    ctx.db
        .owner_set_access_mode(user.id, id, next, ctx.clock.now())
        .await?;
    card(bot, ctx, chat, user, id).await
}

pub async fn ask_tiers(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, id).await? else {
        return Ok(());
    };
    enter(
        &ctx.db,
        chat.0,
        &Conversation::EditTiers { channel_id: c.id },
        ctx.clock.now(),
    )
    .await?;
    let r = &ctx.config.rules;
    let lang = user.lang();
    let text = t_args(
        lang,
        "own-ask-tiers-edit",
        &[
            ("max", Arg::Int(i64::from(r.max_tiers))),
            ("min", Arg::Html(r.min_price.localized(lang))),
        ],
    );
    say(bot, chat, format!("{text}\n{}", amount::forms(lang))).await
}

pub async fn on_tiers(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
    text: &str,
) -> HandlerResult {
    let lang = user.lang();
    let r = &ctx.config.rules;
    let tiers = match draft::parse_tier_lines(text, r) {
        Ok(t) => t,
        Err(TierLinesError::TooMany) => {
            let text = t_args(
                lang,
                "own-too-many-tiers",
                &[("max", Arg::Int(i64::from(r.max_tiers)))],
            );
            return say(bot, chat, text).await;
        }
        Err(TierLinesError::Line(n)) => {
            let text = t_args(
                lang,
                "own-tiers-bad-line",
                &[
                    ("line", Arg::Int(i64::try_from(n).unwrap_or(0))),
                    ("min", Arg::Html(r.min_price.localized(lang))),
                    ("max", Arg::Html(r.max_price.localized(lang))),
                ],
            );
            return say(bot, chat, text).await;
        }
        Err(TierLinesError::Price { line, why }) => {
            let head = t_args(
                lang,
                "own-tiers-bad-price",
                &[("line", Arg::Int(i64::try_from(line).unwrap_or(0)))],
            );
            let text = format!(
                "{head}\n{}",
                amount::refusal(lang, why, AmountUse::Price, r)
            );
            return say(bot, chat, text).await;
        }
        Err(TierLinesError::Empty) => return say(bot, chat, t(lang, "own-use-format")).await,
    };
    let changed = ctx
        .db
        .owner_replace_tiers(user.id, id, &tiers, ctx.clock.now())
        .await?;
    ctx.db.remove_dialogue(chat.0).await?;
    if !changed {
        return say(bot, chat, t(lang, "own-not-found")).await;
    }
    say(bot, chat, t(lang, "own-tiers-saved")).await?;
    card(bot, ctx, chat, user, id).await
}

/// Which text of a channel the owner is editing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    Title,
    Description,
}

impl TextField {
    fn max(self) -> usize {
        match self {
            TextField::Title => MAX_TITLE_CHARS,
            TextField::Description => MAX_DESCRIPTION_CHARS,
        }
    }
}

/// Asks for a new title or description (after checking ownership).
pub async fn ask_text(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
    field: TextField,
) -> HandlerResult {
    if owned(bot, ctx, chat, user, id).await?.is_none() {
        return Ok(());
    }
    let (conversation, key) = match field {
        TextField::Title => (Conversation::EditTitle { channel_id: id }, "own-ask-title"),
        TextField::Description => (
            Conversation::EditDescription { channel_id: id },
            "own-ask-description",
        ),
    };
    enter(&ctx.db, chat.0, &conversation, ctx.clock.now()).await?;
    let max = i64::try_from(field.max()).unwrap_or(0);
    say(
        bot,
        chat,
        t_args(user.lang(), key, &[("max", Arg::Int(max))]),
    )
    .await
}

/// The owner's new title or description.
pub async fn on_text(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
    text: &str,
    field: TextField,
) -> HandlerResult {
    let lang = user.lang();
    let value = text.trim();
    let max = field.max();
    if value.is_empty() || value.chars().count() > max {
        let text = t_args(
            lang,
            "own-text-too-long",
            &[("max", Arg::Int(i64::try_from(max).unwrap_or(0)))],
        );
        return say(bot, chat, text).await;
    }
    let now = ctx.clock.now();
    let changed = match field {
        TextField::Title => ctx.db.owner_set_title(user.id, id, value, now).await?,
        TextField::Description => {
            ctx.db
                .owner_set_description(user.id, id, value, now)
                .await?
        }
    };
    ctx.db.remove_dialogue(chat.0).await?;
    if !changed {
        return say(bot, chat, t(lang, "own-not-found")).await;
    }
    say(bot, chat, t(lang, "own-saved")).await?;
    card(bot, ctx, chat, user, id).await
}

pub async fn ask_delete(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, id).await? else {
        return Ok(());
    };
    let lang = user.lang();
    let markup = InlineKeyboardMarkup::new(vec![vec![
        button(
            t(lang, "own-btn-delete-confirm"),
            OwnerAction::DeleteConfirmed(c.id),
        ),
        button(t(lang, "own-btn-back"), OwnerAction::Open(c.id)),
    ]]);
    let text = t_args(
        lang,
        "own-delete-ask",
        &[("channel", Arg::from(c.title.as_str()))],
    );
    say_with(bot, chat, text, markup).await
}

pub async fn delete(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
) -> HandlerResult {
    let lang = user.lang();
    let Some(c) = owned(bot, ctx, chat, user, id).await? else {
        return Ok(());
    };
    match ctx
        .db
        .owner_delete_channel(user.id, id, ctx.clock.now())
        .await
    {
        Ok(true) => {
            // The owner's menu check was queued with the deletion.
            ctx.jobs_wake.notify_one();
            let text = t_args(
                lang,
                "own-deleted",
                &[("channel", Arg::from(c.title.as_str()))],
            );
            say(bot, chat, text).await
        }
        Ok(false) => say(bot, chat, t(lang, "own-not-found")).await,
        Err(StoreError::Conflict(_)) => say(bot, chat, t(lang, "own-delete-refused")).await,
        Err(e) => Err(e.into()),
    }
}
