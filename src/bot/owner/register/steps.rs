//! The questions of the conversation: price, currency and network, strategy, summary.

use super::*;

use super::super::draft::{Draft, Step, Target};
use super::super::{button, say, say_with, tiers_text};
use crate::bot::amount::{self};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::OwnerAction;
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;

pub(super) async fn ask_price(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    n: usize,
) -> HandlerResult {
    let r = &ctx.config.rules;
    let text = t_args(
        lang,
        "own-ask-price",
        &[
            ("n", Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))),
            ("min", Arg::Html(r.min_price.localized(lang))),
            ("max", Arg::Html(r.max_price.localized(lang))),
        ],
    );
    say(bot, chat, format!("{text}\n{}", amount::forms(lang))).await
}

pub(super) async fn ask_currency(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    page: u8,
    edit: Option<MessageId>,
) -> HandlerResult {
    let all = ctx.db.payout_currencies().await?;
    let pages = all.len().div_ceil(PAGE).max(1);
    let page = usize::from(page).min(pages - 1);
    let mut rows: Vec<Vec<_>> = all
        .iter()
        .skip(page * PAGE)
        .take(PAGE)
        .collect::<Vec<_>>()
        .chunks(3)
        .map(|row| {
            row.iter()
                .map(|c| {
                    button(
                        format!("{} · {}", c.currency, c.network),
                        OwnerAction::Currency(c.currency.clone(), c.network.clone()),
                    )
                })
                .collect()
        })
        .collect();
    let mut nav = Vec::new();
    if page > 0 {
        nav.push(button(
            "◀".into(),
            OwnerAction::CurrencyPage(u8::try_from(page - 1).unwrap_or(0)),
        ));
    }
    if page + 1 < pages {
        nav.push(button(
            "▶".into(),
            OwnerAction::CurrencyPage(u8::try_from(page + 1).unwrap_or(0)),
        ));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    let markup = InlineKeyboardMarkup::new(rows);
    let text = t_args(
        lang,
        "own-ask-currency",
        &[
            ("page", Arg::Int(i64::try_from(page + 1).unwrap_or(1))),
            ("pages", Arg::Int(i64::try_from(pages).unwrap_or(1))),
        ],
    );
    match edit {
        Some(id) => {
            bot.edit_message_text(chat, id, text)
                .parse_mode(ParseMode::Html)
                .reply_markup(markup)
                .await?;
            Ok(())
        }
        None => say_with(bot, chat, text, markup).await,
    }
}

pub(super) async fn ask_strategy(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
) -> HandlerResult {
    let fee = ctx
        .config
        .rules
        .platform_fee_percent
        .normalize()
        .to_string();
    let text = t_args(
        lang,
        "own-ask-strategy",
        &[
            ("fee", Arg::Html(fee)),
            (
                "min",
                Arg::Html(ctx.config.rules.min_threshold.localized(lang)),
            ),
        ],
    );
    let markup = InlineKeyboardMarkup::new(vec![vec![
        button(t(lang, "own-btn-instant"), OwnerAction::Instant),
        button(t(lang, "own-btn-threshold"), OwnerAction::Threshold),
    ]]);
    say_with(bot, chat, text, markup).await
}

pub(super) async fn summary(bot: &TgBot, chat: ChatId, lang: Lang, d: &Draft) -> HandlerResult {
    let Some(p) = d.payout_settings() else {
        return Ok(());
    };
    let extra = p.extra_id.clone().unwrap_or_else(|| "—".into());
    let payout_args = |title: &str| -> Vec<(&'static str, Arg)> {
        vec![
            ("channel", Arg::from(title)),
            ("currency", Arg::from(p.currency.as_str())),
            ("network", Arg::from(p.network.as_str())),
            ("address", Arg::from(p.address.as_str())),
            ("extra", Arg::from(extra.as_str())),
            (
                "strategy",
                Arg::Html(super::super::manage::strategy_text(lang, p.strategy)),
            ),
        ]
    };
    let text = match &d.target {
        Target::NewChannel { title, .. } => {
            let mut args = payout_args(title);
            args.push(("tiers", Arg::Html(tiers_text(lang, &d.tiers))));
            t_args(lang, "own-summary", &args)
        }
        Target::Payout { .. } => t_args(lang, "own-summary-payout", &payout_args("")),
    };
    let markup = InlineKeyboardMarkup::new(vec![vec![
        button(t(lang, "own-btn-confirm"), OwnerAction::Confirm),
        button(t(lang, "own-btn-abort"), OwnerAction::Abort),
    ]]);
    say_with(bot, chat, text, markup).await
}

/// After the strategy: the summary.
pub(super) async fn to_confirm(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    mut d: Draft,
) -> HandlerResult {
    d.step = Step::Confirm;
    save(ctx, chat, &d).await?;
    summary(bot, chat, lang, &d).await
}
