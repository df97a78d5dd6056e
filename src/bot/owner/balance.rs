//! Balance and payouts (SPEC §2.8): figures per channel and overall, threshold progress with a
//! pace-based estimate, payout history, itemized statements and a CSV export.

use rust_decimal::Decimal;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, InputFile, ParseMode};

use super::{button, owned, say, say_with};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::{ChartSpan, OwnerAction};
use crate::domain::lang::Lang;
use crate::domain::money::UsdMicros;
use crate::domain::states::PayoutState;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::channels::{Channel, PayoutStrategy};
use crate::store::stats::{ChannelFigures, PaymentLine, PayoutLine, next_payout_estimate};
use crate::store::users::UserRow;

const HISTORY: i64 = 10;

fn figures_text(lang: Lang, f: &ChannelFigures) -> String {
    t_args(
        lang,
        "own-figures",
        &[
            ("revenue", Arg::Html(f.revenue.localized(lang))),
            ("fees", Arg::Html(f.fees.localized(lang))),
            ("payments", Arg::Int(f.payments)),
            ("subscribers", Arg::Int(f.active_subscribers)),
            ("pending", Arg::Html(f.pending.localized(lang))),
            ("paid", Arg::Html(f.paid_out.localized(lang))),
        ],
    )
}

/// `$A / $T (P%)` and the estimated date, for a threshold channel.
pub fn progress_text(lang: Lang, f: &ChannelFigures, c: &Channel, ctx: &Ctx) -> Option<String> {
    let PayoutStrategy::Threshold(th) = c.payout.strategy else {
        return None;
    };
    let percent = if th.micros() > 0 {
        (Decimal::from(f.pending.micros()) * Decimal::from(100) / Decimal::from(th.micros()))
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::ToZero)
    } else {
        Decimal::ZERO
    };
    let progress = t_args(
        lang,
        "own-progress",
        &[
            ("pending", Arg::Html(f.pending.localized(lang))),
            ("threshold", Arg::Html(th.localized(lang))),
            ("percent", Arg::Html(percent.to_string())),
        ],
    );
    let now = ctx.clock.now();
    let eta = match next_payout_estimate(f.pending, th, f.owner_last_30d, now) {
        Some(at) if at <= now => t(lang, "own-eta-now"),
        Some(at) => t_args(
            lang,
            "own-eta",
            &[(
                "date",
                Arg::Html(
                    at.to_datetime()
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                ),
            )],
        ),
        None => t(lang, "own-eta-unknown"),
    };
    Some(format!("{progress}\n{eta}"))
}

/// All channels (`None`) or one.
pub async fn show(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: Option<i64>,
) -> HandlerResult {
    let lang = user.lang();
    let now = ctx.clock.now();
    let Some(id) = id else {
        let channels = ctx.db.channels_of_owner(user.id).await?;
        if channels.is_empty() {
            return say(bot, chat, t(lang, "own-no-channels")).await;
        }
        let mut total = ChannelFigures::default();
        let mut rows = Vec::new();
        for c in &channels {
            total = total + ctx.db.channel_figures(c.id, now).await?;
            rows.push(vec![button(
                c.title.clone(),
                OwnerAction::Balance(Some(c.id)),
            )]);
        }
        let text = t_args(
            lang,
            "own-balance-total",
            &[
                (
                    "count",
                    Arg::Int(i64::try_from(channels.len()).unwrap_or(0)),
                ),
                ("figures", Arg::Html(figures_text(lang, &total))),
            ],
        );
        return say_with(bot, chat, text, InlineKeyboardMarkup::new(rows)).await;
    };
    let Some(c) = owned(bot, ctx, chat, user, id).await? else {
        return Ok(());
    };
    let f = ctx.db.channel_figures(c.id, now).await?;
    let mut text = t_args(
        lang,
        "own-balance-channel",
        &[
            ("channel", Arg::from(c.title.as_str())),
            ("figures", Arg::Html(figures_text(lang, &f))),
        ],
    );
    if let Some(line) = super::trials::stats_line(ctx, lang, c.id).await? {
        text.push('\n');
        text.push_str(&line);
    }
    if let Some(line) = super::promos::balance_line(ctx, lang, c.id).await? {
        text.push('\n');
        text.push_str(&line);
    }
    if let Some(p) = progress_text(lang, &f, &c, ctx) {
        text.push_str("\n\n");
        text.push_str(&p);
    }
    if f.unvalued > 0 {
        text.push_str("\n\n");
        text.push_str(&t_args(
            lang,
            "own-unvalued",
            &[("count", Arg::Int(f.unvalued))],
        ));
    }
    let markup = InlineKeyboardMarkup::new(vec![
        vec![
            button(t(lang, "own-btn-history"), OwnerAction::History(c.id)),
            button(t(lang, "own-btn-csv"), OwnerAction::Csv(c.id)),
        ],
        ChartSpan::ALL
            .into_iter()
            .map(|span| {
                button(
                    t_args(
                        lang,
                        "chart-btn",
                        &[("days", Arg::Int(i64::from(span.days())))],
                    ),
                    OwnerAction::Chart(c.id, span),
                )
            })
            .collect(),
        vec![button(t(lang, "own-btn-back"), OwnerAction::Open(c.id))],
    ]);
    say_with(bot, chat, text, markup).await
}

fn state_text(lang: Lang, state: PayoutState) -> String {
    match state {
        PayoutState::Sent => t(lang, "own-payout-state-sent"),
        PayoutState::Failed => t(lang, "own-payout-state-failed"),
        PayoutState::Cancelled => t(lang, "own-payout-state-cancelled"),
        PayoutState::Pending
        | PayoutState::Exchange
        | PayoutState::Sending
        | PayoutState::Funded => t(lang, "own-payout-state-pending"),
    }
}

fn payout_summary(lang: Lang, p: &PayoutLine) -> String {
    let amount = p
        .amount_sent
        .clone()
        .map(|a| format!("{a} {}", p.dest_currency))
        .unwrap_or_else(|| p.usd.localized(lang));
    t_args(
        lang,
        "own-history-line",
        &[
            ("date", Arg::Html(p.created_at.to_string())),
            ("amount", Arg::from(amount.as_str())),
            ("usd", Arg::Html(p.usd.localized(lang))),
            ("state", Arg::Html(state_text(lang, p.state))),
        ],
    )
}

pub async fn history(
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
    let payouts = ctx.db.payout_history(c.id, HISTORY).await?;
    if payouts.is_empty() {
        return say(bot, chat, t(lang, "own-history-empty")).await;
    }
    let lines: Vec<String> = payouts.iter().map(|p| payout_summary(lang, p)).collect();
    let rows = payouts
        .iter()
        .map(|p| {
            vec![button(
                format!("🧾 {} · {}", p.created_at, p.usd.localized(lang)),
                OwnerAction::Statement(p.id),
            )]
        })
        .collect::<Vec<_>>();
    let text = t_args(
        lang,
        "own-history",
        &[
            ("channel", Arg::from(c.title.as_str())),
            ("lines", Arg::Html(lines.join("\n"))),
        ],
    );
    say_with(bot, chat, text, InlineKeyboardMarkup::new(rows)).await
}

fn usd_opt(lang: Lang, v: Option<UsdMicros>) -> String {
    v.map(|u| u.localized(lang)).unwrap_or_else(|| "—".into())
}

pub async fn statement(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    payout_id: i64,
) -> HandlerResult {
    let lang = user.lang();
    let payout = ctx.db.payout_line(payout_id).await?;
    // Ownership goes through the payout's channel.
    let Some(p) = payout else {
        return say(bot, chat, t(lang, "own-not-found")).await;
    };
    if owned(bot, ctx, chat, user, p.channel_id).await?.is_none() {
        return Ok(());
    }
    let payments = ctx.db.payout_payments(p.id).await?;
    let mut gross = UsdMicros::ZERO;
    let mut fees = UsdMicros::ZERO;
    let items: Vec<String> = payments
        .iter()
        .map(|x| {
            gross = x.value.and_then(|v| gross.checked_add(v)).unwrap_or(gross);
            fees = x.fee.and_then(|v| fees.checked_add(v)).unwrap_or(fees);
            let mut item = t_args(
                lang,
                "own-statement-item",
                &[
                    (
                        "date",
                        Arg::Html(x.granted_at.map(|d| d.to_string()).unwrap_or_default()),
                    ),
                    ("value", Arg::Html(usd_opt(lang, x.value))),
                    ("fee", Arg::Html(usd_opt(lang, x.fee))),
                    ("owner", Arg::Html(usd_opt(lang, x.owner))),
                ],
            );
            // A Telegram Stars payment (issue 15) says so, with its Stars.
            if let Some(stars) = crate::bot::stars::statement_mark(lang, x) {
                item.push_str(" · ");
                item.push_str(&stars);
            }
            item
        })
        .collect();
    let rate = match (&p.source_amount, &p.amount_sent) {
        (Some(from), Some(to)) => match (from.parse::<Decimal>(), to.parse::<Decimal>()) {
            (Ok(f), Ok(t)) if !f.is_zero() => format!(
                "1 {} = {} {}",
                p.source_currency,
                (t / f).round_dp(8).normalize(),
                p.dest_currency
            ),
            _ => "—".into(),
        },
        _ => "—".into(),
    };
    let (tx, link) = match &p.tx_hash {
        Some(h) => {
            let link = ctx
                .db
                .network(&p.dest_network)
                .await?
                .map(|n| n.tx_url(h))
                .unwrap_or_default();
            (h.clone(), link)
        }
        None => ("—".into(), String::new()),
    };
    let text = t_args(
        lang,
        "own-statement",
        &[
            ("id", Arg::Int(p.id)),
            ("date", Arg::Html(p.created_at.to_string())),
            ("state", Arg::Html(state_text(lang, p.state))),
            ("items", Arg::Html(items.join("\n"))),
            ("gross", Arg::Html(gross.localized(lang))),
            ("fees", Arg::Html(fees.localized(lang))),
            ("net", Arg::Html(p.usd.localized(lang))),
            (
                "amount",
                Arg::from(
                    p.amount_sent
                        .clone()
                        .map(|a| format!("{a} {}", p.dest_currency))
                        .unwrap_or_else(|| "—".into())
                        .as_str(),
                ),
            ),
            ("network", Arg::from(p.dest_network.as_str())),
            ("rate", Arg::from(rate.as_str())),
            ("tx", Arg::from(tx.as_str())),
            ("link", Arg::from(link.as_str())),
        ],
    );
    bot.send_message(chat, text)
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

/// The CSV of a channel's payments (with the payout each one went into) and its payouts.
pub fn csv_bytes(payments: &[PaymentLine], payouts: &[PayoutLine]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "record",
        "id",
        "date_utc",
        "kind",
        "currency",
        "amount",
        "value_usd",
        "fee_usd",
        "owner_usd",
        "status",
        "payout_id",
        "tx_hash",
    ])?;
    let usd = |v: Option<UsdMicros>| v.map(|u| u.to_decimal().to_string()).unwrap_or_default();
    for p in payments {
        w.write_record([
            "payment".to_owned(),
            p.np_payment_id.clone(),
            p.granted_at.map(|d| d.to_string()).unwrap_or_default(),
            p.kind.clone(),
            p.pay_currency.clone().unwrap_or_default(),
            p.actually_paid.clone().unwrap_or_default(),
            usd(p.value),
            usd(p.fee),
            usd(p.owner),
            if p.refunded { "refunded" } else { "granted" }.to_owned(),
            p.payout_id.map(|i| i.to_string()).unwrap_or_default(),
            String::new(),
        ])?;
    }
    for p in payouts {
        w.write_record([
            "payout".to_owned(),
            p.id.to_string(),
            p.created_at.to_string(),
            p.kind.clone(),
            p.dest_currency.clone(),
            p.amount_sent.clone().unwrap_or_default(),
            String::new(),
            String::new(),
            p.usd.to_decimal().to_string(),
            p.state.to_string(),
            p.id.to_string(),
            p.tx_hash.clone().unwrap_or_default(),
        ])?;
    }
    Ok(w.into_inner()?)
}

pub async fn csv(bot: &TgBot, ctx: &Ctx, chat: ChatId, user: &UserRow, id: i64) -> HandlerResult {
    let Some(c) = owned(bot, ctx, chat, user, id).await? else {
        return Ok(());
    };
    let payments = ctx.db.channel_payments(c.id).await?;
    let payouts = ctx.db.payout_history(c.id, i64::MAX).await?;
    let bytes = csv_bytes(&payments, &payouts)?;
    let file = InputFile::memory(bytes).file_name(format!("telepay-{}.csv", c.code));
    let caption = t_args(
        user.lang(),
        "own-csv-caption",
        &[("channel", Arg::from(c.title.as_str()))],
    );
    bot.send_document(chat, file)
        .caption(caption)
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::UnixMillis;

    #[test]
    fn csv_has_exact_amounts_and_escapes() {
        let pay = PaymentLine {
            payment_id: 1,
            np_payment_id: "5077125051".into(),
            kind: "subscription".into(),
            granted_at: Some(UnixMillis::from_millis(0)),
            pay_currency: Some("shib".into()),
            actually_paid: Some("596726.123456789012345678".into()),
            value: Some(UsdMicros::from_micros(9_990_000)),
            fee: Some(UsdMicros::from_micros(299_700)),
            owner: Some(UsdMicros::from_micros(9_690_300)),
            refunded: false,
            payout_id: Some(9),
        };
        let out = String::from_utf8(csv_bytes(&[pay], &[]).unwrap()).unwrap();
        let mut lines = out.lines();
        assert!(lines.next().unwrap().starts_with("record,id,date_utc"));
        assert_eq!(
            lines.next().unwrap(),
            "payment,5077125051,1970-01-01 00:00 UTC,subscription,shib,596726.123456789012345678,9.990000,0.299700,9.690300,granted,9,"
        );
    }
}
