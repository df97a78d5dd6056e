//! Promo codes, the owner's side (issue 15): in "My channels" → a channel → "🏷 Promo codes":
//! the codes with their uses, paid uses and revenue; "➕ New code" asks for one line
//! `CODE DISCOUNT [plan=N] [uses=N] [days=N]` (e.g. `SPRING 20%` or `WELCOME $3 uses=100`);
//! a code can be turned off. A bad line gets a clear answer and changes nothing.

use teloxide::prelude::*;
use teloxide::types::InlineKeyboardMarkup;

use super::{button, owned, say, say_with};
use crate::bot::amount::AmountUse;
use crate::bot::dialogue::{Conversation, enter};
use crate::bot::promo::discount_text;
use crate::bot::{HandlerResult, TgBot};
use crate::config::RulesConfig;
use crate::domain::callbacks::OwnerAction;
use crate::domain::deeplink::{ChannelCode, DeepLink};
use crate::domain::lang::Lang;
use crate::domain::money::UsdMicros;
use crate::domain::promo::{Discount, PromoText};
use crate::domain::time::UnixMillis;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::channels::Tier;
use crate::store::promos::{NewPromo, PromoStats};
use crate::store::users::UserRow;

/// Codes shown on the list (newest first).
const PAGE: usize = 10;
/// Largest use limit and longest validity an owner may type.
const MAX_USES: i64 = 1_000_000;
const MAX_DAYS: i64 = 3_650;

/// What an owner's line asks for (before the channel's uniqueness check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoLine {
    pub code: PromoText,
    pub discount: Discount,
    /// 1-based plan position.
    pub plan: Option<u8>,
    pub uses: Option<i64>,
    pub days: Option<i64>,
}

/// Why a line was refused: the message key (and, for an amount, the amount parser's words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    Code,
    Percent,
    Amount(crate::domain::money::TypedUsdError),
    Option,
    Plan,
    /// A fixed amount that leaves no plan it applies to above the minimum price.
    TooBig,
}

/// Parses `CODE DISCOUNT [plan=N] [uses=N] [days=N]` against the channel's plans.
pub fn parse_line(text: &str, tiers: &[Tier], rules: &RulesConfig) -> Result<PromoLine, LineError> {
    let mut words = text.split_whitespace();
    let code = words
        .next()
        .and_then(PromoText::parse)
        .ok_or(LineError::Code)?;
    let d = words.next().ok_or(LineError::Percent)?;
    let discount = match Discount::parse_percent(d) {
        Some(Ok(p)) => p,
        Some(Err(())) => return Err(LineError::Percent),
        None => Discount::Amount(
            AmountUse::PromoOff
                .parse(d, rules)
                .map_err(LineError::Amount)?,
        ),
    };
    let (mut plan, mut uses, mut days) = (None, None, None);
    for w in words {
        let (k, v) = w.split_once('=').ok_or(LineError::Option)?;
        let n: i64 = v
            .parse()
            .ok()
            .filter(|n: &i64| *n >= 1 && n.to_string() == v)
            .ok_or(LineError::Option)?;
        let slot = match k.to_ascii_lowercase().as_str() {
            "plan" | "tier" => {
                let p = u8::try_from(n).map_err(|_| LineError::Plan)?;
                if plan.replace(p).is_some() {
                    return Err(LineError::Option);
                }
                continue;
            }
            "uses" | "limit" if n <= MAX_USES => &mut uses,
            "days" if n <= MAX_DAYS => &mut days,
            _ => return Err(LineError::Option),
        };
        if slot.replace(n).is_some() {
            return Err(LineError::Option);
        }
    }
    let applies: Vec<&Tier> = match plan {
        Some(p) => vec![
            tiers
                .iter()
                .find(|t| t.position == p)
                .ok_or(LineError::Plan)?,
        ],
        None => tiers.iter().collect(),
    };
    if let Discount::Amount(a) = discount
        && !applies
            .iter()
            .any(|t| t.price.micros() - a.micros() >= rules.min_price.micros())
    {
        return Err(LineError::TooBig);
    }
    Ok(PromoLine {
        code,
        discount,
        plan,
        uses,
        days,
    })
}

fn line_error_text(lang: Lang, e: &LineError, rules: &RulesConfig) -> String {
    let reason = match e {
        LineError::Code => t(lang, "own-promo-bad-code"),
        LineError::Percent => t(lang, "own-promo-bad-percent"),
        LineError::Amount(e) => crate::bot::amount::refusal(lang, *e, AmountUse::PromoOff, rules),
        LineError::Option => t(lang, "own-promo-bad-option"),
        LineError::Plan => t(lang, "own-promo-bad-plan"),
        LineError::TooBig => t_args(
            lang,
            "own-promo-too-big",
            &[("min", Arg::Html(rules.min_price.localized(lang)))],
        ),
    };
    format!("{reason}\n\n{}", t(lang, "own-promo-format"))
}

fn stats_line(lang: Lang, s: &PromoStats, tiers: &[Tier], now: UnixMillis) -> String {
    let p = &s.promo;
    let plan = p
        .tier_id
        .and_then(|id| tiers.iter().find(|t| t.id == id))
        .map(|t| format!(" · {}", crate::bot::checkout::medal(t.position)))
        .unwrap_or_default();
    let limit = p
        .max_uses
        .map(|m| m.to_string())
        .unwrap_or_else(|| "∞".into());
    let state = if !p.active {
        t(lang, "own-promo-off")
    } else if p.expires_at.is_some_and(|e| e <= now) {
        t(lang, "own-promo-expired")
    } else {
        p.expires_at
            .map(|e| {
                t_args(
                    lang,
                    "own-promo-until",
                    &[("date", Arg::Html(e.to_string()))],
                )
            })
            .unwrap_or_default()
    };
    t_args(
        lang,
        "own-promo-line",
        &[
            ("code", Arg::from(p.code.as_str())),
            ("discount", Arg::Html(discount_text(lang, p.discount))),
            ("plan", Arg::Html(plan)),
            ("uses", Arg::Int(p.uses)),
            ("limit", Arg::Html(limit)),
            ("paid", Arg::Int(s.paid)),
            ("revenue", Arg::Html(s.revenue.localized(lang))),
            ("state", Arg::Html(state)),
        ],
    )
}

/// The channel's codes with uses and revenue, and the buttons to add or turn one off.
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
    let now = ctx.clock.now();
    let stale = UnixMillis::from_millis(
        now.as_millis()
            .saturating_sub(crate::payments::checkout::STALE_CREATING_MS),
    );
    let stats = ctx.db.promo_stats(c.id, now, stale).await?;
    let tiers = ctx.db.tiers(c.id).await?;
    let mut lines = vec![t_args(
        lang,
        "own-promos-title",
        &[("channel", Arg::from(c.title.as_str()))],
    )];
    if stats.is_empty() {
        lines.push(t(lang, "own-promos-none"));
    }
    for s in stats.iter().take(PAGE) {
        lines.push(stats_line(lang, s, &tiers, now));
    }
    if stats.len() > PAGE {
        lines.push(t_args(
            lang,
            "own-promos-more",
            &[(
                "count",
                Arg::Int(i64::try_from(stats.len() - PAGE).unwrap_or(i64::MAX)),
            )],
        ));
    }
    if !stats.is_empty() {
        let revenue = stats
            .iter()
            .try_fold(UsdMicros::ZERO, |acc, s| acc.checked_add(s.revenue))
            .unwrap_or(UsdMicros::ZERO);
        let paid: i64 = stats.iter().map(|s| s.paid).sum();
        lines.push(t_args(
            lang,
            "own-promos-total",
            &[
                ("paid", Arg::Int(paid)),
                ("revenue", Arg::Html(revenue.localized(lang))),
            ],
        ));
    }
    let mut rows = vec![vec![button(
        t(lang, "own-promo-btn-new"),
        OwnerAction::NewPromo(c.id),
    )]];
    for s in stats.iter().take(PAGE).filter(|s| s.promo.active) {
        rows.push(vec![button(
            t_args(
                lang,
                "own-promo-btn-off",
                &[("code", Arg::from(s.promo.code.as_str()))],
            ),
            OwnerAction::PromoOff(s.promo.id),
        )]);
    }
    rows.push(vec![button(
        t(lang, "own-btn-back"),
        OwnerAction::Open(c.id),
    )]);
    say_with(bot, chat, lines.join("\n"), InlineKeyboardMarkup::new(rows)).await
}

/// "🏷 Promo codes: N paid, revenue $X" for the owner's balance, once a code was paid with.
pub async fn balance_line(
    ctx: &Ctx,
    lang: Lang,
    channel_id: i64,
) -> anyhow::Result<Option<String>> {
    let (paid, revenue) = ctx.db.promo_totals(channel_id).await?;
    if paid == 0 {
        return Ok(None);
    }
    Ok(Some(t_args(
        lang,
        "own-promos-balance",
        &[
            ("paid", Arg::Int(paid)),
            ("revenue", Arg::Html(revenue.localized(lang))),
        ],
    )))
}

/// "➕ New code": asks for the line.
pub async fn ask_new(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        return Ok(());
    };
    enter(
        &ctx.db,
        chat.0,
        &Conversation::NewPromo { channel_id: c.id },
        ctx.clock.now(),
    )
    .await?;
    let lang = user.lang();
    let text = t_args(
        lang,
        "own-promo-ask",
        &[("channel", Arg::from(c.title.as_str()))],
    );
    say(
        bot,
        chat,
        format!("{text}\n\n{}", t(lang, "own-promo-format")),
    )
    .await
}

/// The owner's line after [`ask_new`]: a refusal keeps the question open.
pub async fn on_new(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    channel_id: i64,
    text: &str,
) -> HandlerResult {
    let lang = user.lang();
    let Some(c) = owned(bot, ctx, chat, user, channel_id).await? else {
        ctx.db.remove_dialogue(chat.0).await?;
        return Ok(());
    };
    let tiers = ctx.db.tiers(c.id).await?;
    let line = match parse_line(text, &tiers, &ctx.config.rules) {
        Ok(line) => line,
        Err(e) => return say(bot, chat, line_error_text(lang, &e, &ctx.config.rules)).await,
    };
    let now = ctx.clock.now();
    let new = NewPromo {
        channel_id: c.id,
        code: line.code.clone(),
        discount: line.discount,
        tier_id: line
            .plan
            .and_then(|p| tiers.iter().find(|t| t.position == p))
            .map(|t| t.id),
        max_uses: line.uses,
        expires_at: line.days.map(|d| {
            UnixMillis::from_millis(now.as_millis().saturating_add(d.saturating_mul(86_400_000)))
        }),
    };
    let Some(promo) = ctx.db.create_promo(&new, now).await? else {
        let text = t_args(
            lang,
            "own-promo-exists",
            &[("code", Arg::from(line.code.as_str()))],
        );
        return say(bot, chat, text).await;
    };
    ctx.db.remove_dialogue(chat.0).await?;
    tracing::info!(
        user_id = user.id,
        channel_id = c.id,
        promo_id = promo.id,
        "promo code created"
    );
    let link = ChannelCode::parse(&c.code)
        .map(|code| DeepLink::Promo(code, line.code.clone()))
        .filter(|l| l.payload().len() <= crate::domain::deeplink::MAX_PAYLOAD_LEN)
        .map(|l| l.url(&ctx.bot_username))
        .unwrap_or_default();
    let text = t_args(
        lang,
        "own-promo-saved",
        &[
            ("code", Arg::from(promo.code.as_str())),
            ("discount", Arg::Html(discount_text(lang, promo.discount))),
            ("link", Arg::from(link.as_str())),
        ],
    );
    say(bot, chat, text).await?;
    show(bot, ctx, chat, user, c.id).await
}

/// "🚫 Turn off": the code is refused from now on.
pub async fn turn_off(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    promo_id: i64,
) -> HandlerResult {
    let Some(channel_id) = ctx.db.owner_deactivate_promo(user.id, promo_id).await? else {
        tracing::warn!(
            user_id = user.id,
            promo_id,
            "promo action on a code the user does not own"
        );
        return say(bot, chat, t(user.lang(), "own-not-found")).await;
    };
    tracing::info!(user_id = user.id, promo_id, "promo code turned off");
    show(bot, ctx, chat, user, channel_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers() -> Vec<Tier> {
        vec![
            Tier {
                id: 11,
                channel_id: 1,
                position: 1,
                price: UsdMicros::from_cents(500),
                days: 30,
            },
            Tier {
                id: 12,
                channel_id: 1,
                position: 2,
                price: UsdMicros::from_cents(1250),
                days: 90,
            },
        ]
    }

    fn rules() -> RulesConfig {
        crate::config::tests_support::rules()
    }

    #[test]
    fn owner_lines_parse_or_are_refused() {
        let r = rules();
        let ok = parse_line("SPRING 20%", &tiers(), &r).unwrap();
        assert_eq!(ok.discount, Discount::Percent(20));
        assert_eq!((ok.plan, ok.uses, ok.days), (None, None, None));
        let ok = parse_line("welcome $3 plan=2 uses=100 days=30", &tiers(), &r).unwrap();
        assert_eq!(ok.discount, Discount::Amount(UsdMicros::from_cents(300)));
        assert_eq!((ok.plan, ok.uses, ok.days), (Some(2), Some(100), Some(30)));
        for (line, want) in [
            ("", LineError::Code),
            ("ab 20%", LineError::Code),
            ("SPRING", LineError::Percent),
            ("SPRING 0%", LineError::Percent),
            ("SPRING 100%", LineError::Percent),
            ("SPRING 12.5%", LineError::Percent),
            ("SPRING 20% plan=3", LineError::Plan),
            ("SPRING 20% uses=0", LineError::Option),
            ("SPRING 20% uses=-1", LineError::Option),
            ("SPRING 20% days=99999", LineError::Option),
            ("SPRING 20% color=red", LineError::Option),
            ("SPRING 20% uses=1 uses=2", LineError::Option),
            ("SPRING 20% 30", LineError::Option),
            // $4.50 off leaves $0.50 on the $5 plan: below the $1 minimum.
            ("SPRING $4.50 plan=1", LineError::TooBig),
            ("SPRING $12 ", LineError::TooBig),
        ] {
            assert_eq!(parse_line(line, &tiers(), &r), Err(want), "{line:?}");
        }
        assert!(matches!(
            parse_line("SPRING $abc", &tiers(), &r),
            Err(LineError::Amount(_))
        ));
        // $4.50 is fine when the $12.50 plan is included.
        assert!(parse_line("SPRING $4.50", &tiers(), &r).is_ok());
    }
}
