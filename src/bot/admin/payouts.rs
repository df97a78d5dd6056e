//! Payouts for operators: pending, failed and stuck, paginated; one payout's card; retry and
//! cancel (each confirmed first, see `confirm`).
//!
//! Money semantics (SPEC §6, §7):
//! - **Retry** never starts a payout over when something was recorded for it: a failed payout
//!   resumes at the step its records show (a signed transaction → its receipt is looked up and
//!   the same bytes re-broadcast; an unfunded exchange → checked, re-created if it closed;
//!   nothing → from the start), and one whose transaction was mined is refused (the money left
//!   the host wallet). A stuck payout's step job runs again now from the stored state.
//! - **Cancel** only when nothing can have left the host wallet for it (no wallet transaction
//!   other than reverted ones, state pending / exchange / failed). The share goes back where it
//!   came from: a batch's accumulations are owed again, an instant share becomes a deferred
//!   accumulation; both take the channel's *current* wallet (the usual reason to cancel is a
//!   wrong wallet). The owner is told.

use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::InlineKeyboardMarkup;
use teloxide::utils::html::escape;

use super::confirm::Plan;
use super::{button, pager, send};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::{AdminAction, AdminOp, PayoutFilter};
use crate::domain::lang::Lang;
use crate::domain::states::PayoutState;
use crate::domain::time::UnixMillis;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::admin_log::Actor;
use crate::store::payouts::{
    AdminPayoutOutcome, CancelPlan, PAYOUT_STUCK_AFTER, PayoutCard, PayoutList, RetryPlan,
    RetryRefusal, cancel_plan, retry_plan,
};

/// Payouts per page.
const PAGE: u32 = 8;
/// Wallet transactions and accumulation ids shown on a card at most.
const CARD_ROWS: usize = 10;

fn list_of(f: PayoutFilter) -> PayoutList {
    match f {
        PayoutFilter::Pending => PayoutList::Pending,
        PayoutFilter::Failed => PayoutList::Failed,
        PayoutFilter::Stuck => PayoutList::Stuck,
    }
}

fn filter_key(f: PayoutFilter) -> &'static str {
    match f {
        PayoutFilter::Pending => "admin-payouts-filter-pending",
        PayoutFilter::Failed => "admin-payouts-filter-failed",
        PayoutFilter::Stuck => "admin-payouts-filter-stuck",
    }
}

fn help_key(f: PayoutFilter) -> &'static str {
    match f {
        PayoutFilter::Pending => "admin-payouts-help-pending",
        PayoutFilter::Failed => "admin-payouts-help-failed",
        PayoutFilter::Stuck => "admin-payouts-help-stuck",
    }
}

fn stuck_minutes() -> i64 {
    i64::try_from(PAYOUT_STUCK_AFTER.as_secs() / 60).unwrap_or(i64::MAX)
}

pub(crate) fn stuck_before(ctx: &Ctx) -> UnixMillis {
    ctx.clock.now().saturating_sub(PAYOUT_STUCK_AFTER)
}

/// A short, language-neutral duration: `3d 4h`, `2h 5m`, `12m`, `<1m`.
fn ago(d: Duration) -> String {
    let m = d.as_secs() / 60;
    let (days, hours, mins) = (m / 1440, (m / 60) % 24, m % 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins}m")
    } else if mins > 0 {
        format!("{mins}m")
    } else {
        "<1m".into()
    }
}

fn code(id: i64) -> Arg {
    Arg::Html(format!("<code>{id}</code>"))
}

fn opt_text(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.is_empty() => escape(s),
        _ => "—".into(),
    }
}

fn opt_code(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.is_empty() => format!("<code>{}</code>", escape(s)),
        _ => "—".into(),
    }
}

pub async fn list(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    filter: PayoutFilter,
    page: u32,
) -> HandlerResult {
    let before = stuck_before(ctx);
    let counts = ctx.db.admin_payout_counts(before).await?;
    let mut rows = ctx
        .db
        .admin_payouts(
            list_of(filter),
            before,
            PAGE + 1,
            u64::from(page) * u64::from(PAGE),
        )
        .await?;
    let has_next = rows.len() > PAGE as usize;
    rows.truncate(PAGE as usize);
    let name = t(lang, filter_key(filter));
    let help = t_args(
        lang,
        help_key(filter),
        &[("minutes", Arg::Int(stuck_minutes()))],
    );
    let now = ctx.clock.now();
    let lines: Vec<String> = rows
        .iter()
        .map(|p| {
            format!(
                "• <code>{}</code> {} — {} — <b>{}</b> — {} — {}/{}",
                p.id,
                escape(&p.channel_title),
                p.usd.localized(lang),
                p.state,
                escape(&ago(now.since(p.created_at))),
                escape(&p.dest_currency),
                escape(&p.dest_network),
            )
        })
        .collect();
    let text = if lines.is_empty() {
        t_args(
            lang,
            "admin-payouts-empty",
            &[
                ("filter", Arg::from(name.as_str())),
                ("help", Arg::Html(help)),
            ],
        )
    } else {
        t_args(
            lang,
            "admin-payouts-list",
            &[
                ("filter", Arg::from(name.as_str())),
                ("help", Arg::Html(help)),
                ("page", Arg::Int(i64::from(page) + 1)),
                ("lines", Arg::Html(lines.join("\n"))),
            ],
        )
    };
    let mut keyboard: Vec<Vec<_>> = rows
        .iter()
        .map(|p| {
            vec![button(
                format!("{} · {} · {}", p.id, p.usd.localized(lang), p.state),
                AdminAction::Payout(p.id),
            )]
        })
        .collect();
    let nav = pager(lang, page, has_next, |p| AdminAction::Payouts(filter, p));
    if !nav.is_empty() {
        keyboard.push(nav);
    }
    keyboard.push(
        PayoutFilter::ALL
            .into_iter()
            .zip(counts)
            .map(|(f, n)| {
                let mark = if f == filter { "• " } else { "" };
                button(
                    format!("{mark}{} ({n})", t(lang, filter_key(f))),
                    AdminAction::Payouts(f, 0),
                )
            })
            .collect(),
    );
    send(bot, chat, text, Some(InlineKeyboardMarkup::new(keyboard))).await
}

fn card_text(ctx: &Ctx, lang: Lang, c: &PayoutCard, explorer: Option<String>) -> String {
    let p = &c.payout;
    let dest = format!(
        "{} / {} <code>{}</code>{}",
        escape(&p.dest_currency),
        escape(&p.dest_network),
        escape(&p.dest_address),
        p.dest_extra_id
            .as_deref()
            .map(|x| format!(" (extra id <code>{}</code>)", escape(x)))
            .unwrap_or_default()
    );
    let source = format!(
        "{} {}",
        opt_text(p.source_amount.as_deref()),
        escape(&p.source_currency)
    );
    let tx = match (&p.tx_hash, explorer) {
        (Some(h), Some(url)) if !url.is_empty() => format!(
            "<code>{}</code> (<a href=\"{}\">explorer</a>)",
            escape(h),
            escape(&url)
        ),
        (h, _) => opt_code(h.as_deref()),
    };
    let error: Option<String> = c
        .error
        .as_deref()
        .map(|e| ctx.redact(e).chars().take(400).collect());
    let origin = match p.payment_id {
        Some(payment) => t_args(
            lang,
            "admin-payout-origin-payment",
            &[("payment", code(payment))],
        ),
        None => {
            let mut ids: Vec<String> = c
                .accumulation_ids
                .iter()
                .take(CARD_ROWS)
                .map(|id| format!("<code>{id}</code>"))
                .collect();
            if c.accumulation_ids.len() > CARD_ROWS {
                ids.push("…".into());
            }
            t_args(
                lang,
                "admin-payout-origin-batch",
                &[
                    (
                        "count",
                        Arg::Int(i64::try_from(c.accumulation_ids.len()).unwrap_or(i64::MAX)),
                    ),
                    ("ids", Arg::Html(ids.join(", "))),
                ],
            )
        }
    };
    let mut txs: Vec<String> = c
        .wallet_txs
        .iter()
        .take(CARD_ROWS)
        .map(|w| {
            format!(
                "• <code>{}</code> nonce {} — <b>{}</b> ({})",
                escape(&w.tx_hash),
                w.nonce,
                escape(&w.state),
                w.created_at
            )
        })
        .collect();
    if c.wallet_txs.len() > CARD_ROWS {
        txs.push("…".into());
    }
    let txs = if txs.is_empty() {
        t(lang, "admin-payout-no-wallet-txs")
    } else {
        txs.join("\n")
    };
    t_args(
        lang,
        "admin-payout-card",
        &[
            ("id", code(p.id)),
            ("kind", Arg::from(p.kind.as_str())),
            ("state", Arg::from(p.state.as_str())),
            ("channel", Arg::from(c.channel_title.as_str())),
            ("channel_id", code(p.channel_id)),
            ("owner", code(c.owner_id)),
            ("usd", Arg::Html(p.usd.localized(lang))),
            ("source", Arg::Html(source)),
            ("dest", Arg::Html(dest)),
            ("exchange", Arg::Html(opt_code(p.exchange_id.as_deref()))),
            ("payin", Arg::Html(opt_code(p.payin_address.as_deref()))),
            ("sent", Arg::Html(opt_text(c.amount_sent.as_deref()))),
            ("tx", Arg::Html(tx)),
            ("error", Arg::Html(opt_text(error.as_deref()))),
            ("created", Arg::from(c.created_at.to_string())),
            ("updated", Arg::from(c.updated_at.to_string())),
            (
                "sent_at",
                Arg::from(c.sent_at.map_or_else(|| "—".into(), |s| s.to_string())),
            ),
            ("origin", Arg::Html(origin)),
            ("job", Arg::from(c.job_state.as_deref().unwrap_or("—"))),
            ("txs", Arg::Html(txs)),
        ],
    )
}

fn tx_states(c: &PayoutCard) -> Vec<String> {
    c.wallet_txs.iter().map(|w| w.state.clone()).collect()
}

fn retry_of(ctx: &Ctx, c: &PayoutCard) -> RetryPlan {
    retry_plan(
        c.payout.state,
        c.payout.exchange_id.as_deref(),
        c.updated_at,
        &tx_states(c),
        c.job_state.as_deref(),
        stuck_before(ctx),
    )
}

fn cancel_of(c: &PayoutCard) -> CancelPlan {
    cancel_plan(c.payout.state, &tx_states(c), c.job_state.as_deref())
}

pub async fn card(bot: &TgBot, ctx: &Ctx, chat: ChatId, lang: Lang, id: i64) -> HandlerResult {
    let Some(c) = ctx.db.payout_card(id).await? else {
        return send(bot, chat, not_found(lang, id), None).await;
    };
    let explorer = match &c.payout.tx_hash {
        Some(h) => ctx
            .db
            .network(&c.payout.dest_network)
            .await?
            .map(|n| n.tx_url(h)),
        None => None,
    };
    let text = card_text(ctx, lang, &c, explorer);
    let mut row = Vec::new();
    if !matches!(retry_of(ctx, &c), RetryPlan::Refused(_)) {
        row.push(button(
            t(lang, "admin-payout-btn-retry"),
            AdminAction::Ask(AdminOp::RetryPayout(id)),
        ));
    }
    if cancel_of(&c) == CancelPlan::Ready {
        row.push(button(
            t(lang, "admin-payout-btn-cancel"),
            AdminAction::Ask(AdminOp::CancelPayout(id)),
        ));
    }
    let mut keyboard = Vec::new();
    if !row.is_empty() {
        keyboard.push(row);
    }
    keyboard.push(vec![button(
        t(lang, "admin-btn-payouts"),
        AdminAction::Payouts(PayoutFilter::Pending, 0),
    )]);
    send(bot, chat, text, Some(InlineKeyboardMarkup::new(keyboard))).await
}

fn not_found(lang: Lang, id: i64) -> String {
    t_args(lang, "admin-payout-not-found", &[("id", code(id))])
}

fn retry_refusal(lang: Lang, id: i64, c: Option<&PayoutCard>, why: RetryRefusal) -> String {
    let state = |s: PayoutState| ("state", Arg::from(s.as_str()));
    match why {
        RetryRefusal::Final(s) => t_args(
            lang,
            "admin-payout-retry-final",
            &[("id", code(id)), state(s)],
        ),
        RetryRefusal::MoneyLeft => t_args(
            lang,
            "admin-payout-retry-money-left",
            &[
                ("id", code(id)),
                (
                    "exchange",
                    Arg::Html(opt_code(c.and_then(|c| c.payout.exchange_id.as_deref()))),
                ),
            ],
        ),
        RetryRefusal::Running => t_args(lang, "admin-payout-running", &[("id", code(id))]),
        RetryRefusal::Healthy => t_args(
            lang,
            "admin-payout-retry-healthy",
            &[
                ("id", code(id)),
                (
                    "state",
                    Arg::from(c.map_or("?", |c| c.payout.state.as_str())),
                ),
                ("minutes", Arg::Int(stuck_minutes())),
            ],
        ),
    }
}

fn cancel_refusal(lang: Lang, id: i64, why: CancelPlan) -> String {
    match why {
        CancelPlan::Ready => String::new(),
        CancelPlan::Final(s) => t_args(
            lang,
            "admin-payout-cancel-final",
            &[("id", code(id)), ("state", Arg::from(s.as_str()))],
        ),
        CancelPlan::MoneyMayHaveLeft => {
            t_args(lang, "admin-payout-cancel-money", &[("id", code(id))])
        }
        CancelPlan::InFlight(s) => t_args(
            lang,
            "admin-payout-cancel-inflight",
            &[("id", code(id)), ("state", Arg::from(s.as_str()))],
        ),
        CancelPlan::Running => t_args(lang, "admin-payout-running", &[("id", code(id))]),
    }
}

pub async fn describe(ctx: &Ctx, lang: Lang, op: AdminOp) -> anyhow::Result<Plan> {
    let id = match op {
        AdminOp::RetryPayout(id) | AdminOp::CancelPayout(id) => id,
        _ => return Ok(Plan::Refused(String::new())),
    };
    let Some(c) = ctx.db.payout_card(id).await? else {
        return Ok(Plan::Refused(not_found(lang, id)));
    };
    let p = &c.payout;
    let paused = if ctx.db.payouts_paused().await? {
        format!("\n{}", t(lang, "admin-payout-paused-note"))
    } else {
        String::new()
    };
    let head = [
        ("id", code(id)),
        ("kind", Arg::from(p.kind.as_str())),
        ("usd", Arg::Html(p.usd.localized(lang))),
        ("state", Arg::from(p.state.as_str())),
        ("channel", Arg::from(c.channel_title.as_str())),
    ];
    if let AdminOp::CancelPayout(_) = op {
        let plan = cancel_of(&c);
        if plan != CancelPlan::Ready {
            return Ok(Plan::Refused(cancel_refusal(lang, id, plan)));
        }
        let share = match p.payment_id {
            Some(payment) => t_args(
                lang,
                "admin-cancel-share-instant",
                &[("payment", code(payment))],
            ),
            None => t_args(
                lang,
                "admin-cancel-share-batch",
                &[(
                    "count",
                    Arg::Int(i64::try_from(c.accumulation_ids.len()).unwrap_or(i64::MAX)),
                )],
            ),
        };
        let wallet = match ctx.db.channel(p.channel_id).await? {
            Some(ch) => format!(
                "{} / {} <code>{}</code>",
                escape(&ch.payout.currency),
                escape(&ch.payout.network),
                escape(&ch.payout.address)
            ),
            None => "?".into(),
        };
        let old = format!(
            "{} / {} <code>{}</code>",
            escape(&p.dest_currency),
            escape(&p.dest_network),
            escape(&p.dest_address)
        );
        let exchange = match &p.exchange_id {
            Some(x) => format!(
                "\n{}",
                t_args(
                    lang,
                    "admin-cancel-exchange",
                    &[("exchange", Arg::Html(opt_code(Some(x))))]
                )
            ),
            None => String::new(),
        };
        let mut args = head.to_vec();
        args.extend([
            ("share", Arg::Html(share)),
            ("wallet", Arg::Html(wallet)),
            ("old", Arg::Html(old)),
        ]);
        let text = t_args(lang, "admin-ask-cancel-payout", &args);
        return Ok(Plan::Ready(format!("{text}{exchange}{paused}")));
    }
    let how = match retry_of(ctx, &c) {
        RetryPlan::Refused(why) => {
            return Ok(Plan::Refused(retry_refusal(lang, id, Some(&c), why)));
        }
        RetryPlan::Resume(PayoutState::Sending) => {
            let live = c
                .wallet_txs
                .iter()
                .find(|w| w.state == "signed" || w.state == "broadcast")
                .map(|w| w.tx_hash.as_str());
            t_args(
                lang,
                "admin-retry-how-sending",
                &[("tx", Arg::Html(opt_code(live)))],
            )
        }
        RetryPlan::Resume(PayoutState::Exchange) => t_args(
            lang,
            "admin-retry-how-exchange",
            &[("exchange", Arg::Html(opt_code(p.exchange_id.as_deref())))],
        ),
        RetryPlan::Resume(_) => t(lang, "admin-retry-how-pending"),
        RetryPlan::RunNow => t_args(
            lang,
            "admin-retry-how-run-now",
            &[
                ("job", Arg::from(c.job_state.as_deref().unwrap_or("—"))),
                ("ago", Arg::from(ago(ctx.clock.now().since(c.updated_at)))),
            ],
        ),
    };
    let error: String = ctx
        .redact(c.error.as_deref().unwrap_or("—"))
        .chars()
        .take(300)
        .collect();
    let mut args = head.to_vec();
    args.extend([("how", Arg::Html(how)), ("error", Arg::from(error))]);
    Ok(Plan::Ready(format!(
        "{}{paused}",
        t_args(lang, "admin-ask-retry-payout", &args)
    )))
}

pub async fn execute(ctx: &Ctx, admin: i64, lang: Lang, op: AdminOp) -> anyhow::Result<String> {
    let now = ctx.clock.now();
    let (id, outcome) = match op {
        AdminOp::RetryPayout(id) => (
            id,
            ctx.db
                .admin_retry_payout(
                    id,
                    Actor::Admin(admin),
                    stuck_before(ctx),
                    ctx.config.jobs.give_up_after,
                    now,
                )
                .await?,
        ),
        AdminOp::CancelPayout(id) => (
            id,
            ctx.db
                .admin_cancel_payout(id, Actor::Admin(admin), now)
                .await?,
        ),
        _ => return Ok(String::new()),
    };
    Ok(match outcome {
        AdminPayoutOutcome::Done { before, after } => {
            ctx.jobs_wake.notify_one();
            let key = if matches!(op, AdminOp::RetryPayout(_)) {
                "admin-payout-retried"
            } else {
                "admin-payout-cancelled"
            };
            t_args(
                lang,
                key,
                &[
                    ("id", code(id)),
                    ("before", Arg::from(before)),
                    ("after", Arg::from(after)),
                ],
            )
        }
        AdminPayoutOutcome::NotFound => not_found(lang, id),
        AdminPayoutOutcome::Retry(RetryPlan::Refused(why)) => {
            let c = ctx.db.payout_card(id).await?;
            retry_refusal(lang, id, c.as_ref(), why)
        }
        AdminPayoutOutcome::Retry(_) => t_args(lang, "admin-payout-running", &[("id", code(id))]),
        AdminPayoutOutcome::Cancel(plan) => cancel_refusal(lang, id, plan),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_short() {
        assert_eq!(ago(Duration::from_secs(10)), "<1m");
        assert_eq!(ago(Duration::from_secs(12 * 60)), "12m");
        assert_eq!(ago(Duration::from_secs(2 * 3600 + 5 * 60)), "2h 5m");
        assert_eq!(ago(Duration::from_secs(3 * 86_400 + 4 * 3600)), "3d 4h");
    }
}
