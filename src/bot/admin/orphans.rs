//! Payments waiting for an operator's review: orphans (no invoice of ours, or a child payment)
//! and held payments. Assign to an invoice, release, or dismiss with a reason (each confirmed
//! first, see `confirm`); the money side is `payments::review`.

use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html::escape;

use super::confirm::Plan;
use super::{button, is_admin, pager, send};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::{AdminAction, AdminOp, DismissReason};
use crate::domain::lang::Lang;
use crate::domain::time::UnixMillis;
use crate::i18n::{Arg, t, t_args};
use crate::payments::intake::IntakeRules;
use crate::payments::review::{self, Effect, Refusal, ReviewPlan};
use crate::services::Ctx;
use crate::store::invoices::{Invoice, InvoiceKind};
use crate::store::review::ReviewPayment;
use crate::store::users::UserRow;

/// Payments per page of the queue.
const PAGE: i64 = 8;
/// At most this many candidate invoices on a card.
const CANDIDATES: i64 = 5;
/// Candidates of the same price were created this close to the payment.
const WINDOW: Duration = Duration::from_secs(48 * 3600);

fn code(v: impl std::fmt::Display) -> String {
    format!("<code>{}</code>", escape(&v.to_string()))
}

fn opt(v: Option<&str>) -> String {
    escape(v.unwrap_or("-"))
}

/// `amount currency`, escaped; `-` when unknown.
fn money(amount: Option<&str>, currency: Option<&str>) -> String {
    match amount {
        Some(a) => escape(&format!("{a} {}", currency.unwrap_or("?").to_uppercase())),
        None => "-".into(),
    }
}

/// How long ago, shortly: `42m`, `5h`, `3d`.
fn age(now: UnixMillis, then: UnixMillis) -> String {
    let mins = now.since(then).as_secs() / 60;
    match mins {
        m if m < 60 => format!("{m}m"),
        m if m < 48 * 60 => format!("{}h", m / 60),
        m => format!("{}d", m / (24 * 60)),
    }
}

fn kind(lang: Lang, p: &ReviewPayment) -> String {
    t(
        lang,
        if p.held_reason.is_some() {
            "admin-orphan-kind-held"
        } else {
            "admin-orphan-kind-orphan"
        },
    )
}

fn queue_line(lang: Lang, p: &ReviewPayment, now: UnixMillis) -> String {
    let reason: String = p.reason().unwrap_or("-").chars().take(120).collect();
    format!(
        "• {} NP {} {} · {} · {} · {}: {} · {}",
        code(p.id),
        code(&p.np_payment_id),
        escape(&p.status),
        money(p.pay_amount.as_deref(), p.pay_currency.as_deref()),
        money(p.price_amount.as_deref(), p.price_currency.as_deref()),
        kind(lang, p),
        escape(&reason),
        age(now, p.created_at),
    )
}

pub async fn list(bot: &TgBot, ctx: &Ctx, chat: ChatId, lang: Lang, page: u32) -> HandlerResult {
    let total = ctx.db.review_queue_len().await?;
    if total == 0 {
        return send(bot, chat, t(lang, "admin-orphans-empty"), None).await;
    }
    let mut rows = ctx
        .db
        .review_queue(PAGE + 1, i64::from(page) * PAGE)
        .await?;
    let has_next = rows.len() > usize::try_from(PAGE).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(PAGE).unwrap_or(usize::MAX));
    let nav = pager(lang, page, has_next, AdminAction::Orphans);
    if rows.is_empty() {
        let text = t_args(
            lang,
            "admin-orphans-page-empty",
            &[("count", Arg::Int(total))],
        );
        return send(bot, chat, text, Some(InlineKeyboardMarkup::new(vec![nav]))).await;
    }
    let now = ctx.clock.now();
    let lines: Vec<String> = rows.iter().map(|p| queue_line(lang, p, now)).collect();
    let text = t_args(
        lang,
        "admin-orphans",
        &[
            ("count", Arg::Int(total)),
            ("lines", Arg::Html(lines.join("\n"))),
        ],
    );
    let mut keyboard: Vec<Vec<InlineKeyboardButton>> = rows
        .iter()
        .map(|p| {
            vec![button(
                format!("🧾 {} · {} · {}", p.id, p.np_payment_id, p.status),
                AdminAction::Orphan(p.id),
            )]
        })
        .collect();
    if !nav.is_empty() {
        keyboard.push(nav);
    }
    send(bot, chat, text, Some(InlineKeyboardMarkup::new(keyboard))).await
}

/// The invoices an orphan may belong to: a child payment's parent's invoice; otherwise
/// unpaid invoices of the same price created within [`WINDOW`] of it, newest first.
async fn candidates(ctx: &Ctx, p: &ReviewPayment) -> anyhow::Result<Vec<Invoice>> {
    if let Some(parent) = p.parent_np_payment_id.as_deref()
        && let Some(parent) = ctx.db.review_payment_by_np(parent).await?
        && let Some(invoice_id) = parent.invoice_id
        && let Some(invoice) = ctx.db.invoice(invoice_id).await?
    {
        return Ok(vec![invoice]);
    }
    let Some(price) = p.price_usd() else {
        return Ok(Vec::new());
    };
    Ok(ctx
        .db
        .unpaid_invoices_priced(
            price,
            p.created_at.saturating_sub(WINDOW),
            p.created_at.saturating_add(WINDOW),
            CANDIDATES,
        )
        .await?)
}

async fn channel_title(ctx: &Ctx, channel_id: i64) -> anyhow::Result<String> {
    Ok(ctx
        .db
        .channel(channel_id)
        .await?
        .map(|c| c.title)
        .unwrap_or_else(|| format!("#{channel_id}")))
}

fn plan_text(lang: Lang, invoice: &Invoice) -> String {
    match (invoice.kind, invoice.days) {
        (InvoiceKind::Donation, _) => t(lang, "admin-review-plan-donation"),
        (InvoiceKind::Topup, _) => t(lang, "admin-review-plan-topup"),
        (_, days) => t_args(
            lang,
            "admin-review-plan-days",
            &[("days", Arg::Int(i64::from(days.unwrap_or(0))))],
        ),
    }
}

/// One invoice as HTML: id, user, channel, plan, price, status.
async fn invoice_text(ctx: &Ctx, lang: Lang, invoice: &Invoice) -> anyhow::Result<String> {
    let title = channel_title(ctx, invoice.channel_id).await?;
    Ok(t_args(
        lang,
        "admin-review-invoice",
        &[
            ("id", Arg::Html(escape(&invoice.id.to_string()))),
            ("user", Arg::Html(escape(&invoice.user_id.to_string()))),
            ("channel", Arg::Text(title)),
            ("plan", Arg::Html(plan_text(lang, invoice))),
            ("price", Arg::Html(escape(&invoice.price.to_string()))),
            ("status", Arg::Text(invoice.status.to_string())),
        ],
    ))
}

/// One payment as HTML: ids, status, paid of asked, outcome.
fn payment_text(lang: Lang, p: &ReviewPayment) -> String {
    t_args(
        lang,
        "admin-review-payment",
        &[
            ("id", Arg::Html(escape(&p.id.to_string()))),
            ("np", Arg::Html(escape(&p.np_payment_id))),
            ("status", Arg::Text(p.status.clone())),
            (
                "paid",
                Arg::Html(money(p.actually_paid.as_deref(), p.pay_currency.as_deref())),
            ),
            (
                "asked",
                Arg::Html(money(p.pay_amount.as_deref(), p.pay_currency.as_deref())),
            ),
            (
                "outcome",
                Arg::Html(money(
                    p.outcome_amount.as_deref(),
                    p.outcome_currency.as_deref(),
                )),
            ),
        ],
    )
}

pub async fn card(bot: &TgBot, ctx: &Ctx, chat: ChatId, lang: Lang, id: i64) -> HandlerResult {
    let Some(p) = ctx.db.review_payment(id).await? else {
        let text = t_args(lang, "admin-orphan-not-found", &[("id", Arg::Int(id))]);
        return send(bot, chat, text, None).await;
    };
    let events = ctx.db.payment_event_summary(&p.np_payment_id).await?;
    let yes_no = |b: bool| if b { "✔" } else { "✖" };
    let mut text = t_args(
        lang,
        "admin-orphan-card",
        &[
            ("id", Arg::Html(code(p.id))),
            ("kind", Arg::Html(kind(lang, &p))),
            ("np", Arg::Html(code(&p.np_payment_id))),
            ("order", Arg::Html(opt(p.order_id.as_deref()))),
            ("parent", Arg::Html(opt(p.parent_np_payment_id.as_deref()))),
            ("status", Arg::Text(p.status.clone())),
            (
                "asked",
                Arg::Html(money(p.pay_amount.as_deref(), p.pay_currency.as_deref())),
            ),
            (
                "paid",
                Arg::Html(money(p.actually_paid.as_deref(), p.pay_currency.as_deref())),
            ),
            (
                "price",
                Arg::Html(money(
                    p.price_amount.as_deref(),
                    p.price_currency.as_deref(),
                )),
            ),
            (
                "outcome",
                Arg::Html(money(
                    p.outcome_amount.as_deref(),
                    p.outcome_currency.as_deref(),
                )),
            ),
            ("granted", Arg::Html(yes_no(p.granted).into())),
            (
                "invoice",
                Arg::Html(p.invoice_id.map_or_else(|| "-".into(), code)),
            ),
            ("reason", Arg::Html(opt(p.reason()))),
            ("events", Arg::Int(events.count)),
            ("last", Arg::Html(opt(events.last_status.as_deref()))),
            ("created", Arg::Html(escape(&p.created_at.to_string()))),
        ],
    );
    if let Some(review) = p.review {
        let line = t_args(
            lang,
            "admin-orphan-reviewed",
            &[
                ("review", Arg::Text(review.to_string())),
                ("reason", Arg::Html(opt(p.review_reason.as_deref()))),
                (
                    "by",
                    Arg::Html(p.reviewed_by.map_or_else(|| "-".into(), |b| b.to_string())),
                ),
                (
                    "at",
                    Arg::Html(
                        p.reviewed_at
                            .map_or_else(|| "-".into(), |a| escape(&a.to_string())),
                    ),
                ),
            ],
        );
        text = format!("{text}\n\n{line}");
    }
    if !p.waiting() {
        return send(bot, chat, text, None).await;
    }
    let mut rows: Vec<Vec<InlineKeyboardButton>> = Vec::new();
    if p.held_reason.is_some() {
        rows.push(vec![button(
            t(lang, "admin-btn-release"),
            AdminAction::Ask(AdminOp::ReleasePayment(p.id)),
        )]);
    }
    if p.invoice_id.is_none() {
        let found = candidates(ctx, &p).await?;
        let section = if found.is_empty() {
            t(lang, "admin-orphan-no-candidates")
        } else {
            let mut lines = Vec::new();
            for invoice in &found {
                lines.push(format!("• {}", invoice_text(ctx, lang, invoice).await?));
                rows.push(vec![button(
                    t_args(
                        lang,
                        "admin-btn-assign",
                        &[
                            ("invoice", Arg::Html(invoice.id.to_string())),
                            ("price", Arg::Html(invoice.price.to_string())),
                            ("status", Arg::Html(invoice.status.to_string())),
                        ],
                    ),
                    AdminAction::Ask(AdminOp::AssignPayment {
                        payment: p.id,
                        invoice: invoice.id,
                    }),
                )]);
            }
            t_args(
                lang,
                "admin-orphan-candidates",
                &[("lines", Arg::Html(lines.join("\n")))],
            )
        };
        let hint = t_args(
            lang,
            "admin-orphan-assign-hint",
            &[("id", Arg::Html(p.id.to_string()))],
        );
        text = format!("{text}\n\n{section}\n{hint}");
    }
    rows.push(vec![button(
        t(lang, "admin-btn-dismiss"),
        AdminAction::DismissReasons(p.id),
    )]);
    send(bot, chat, text, Some(InlineKeyboardMarkup::new(rows))).await
}

fn reason_key(r: DismissReason) -> &'static str {
    match r {
        DismissReason::Duplicate => "admin-dismiss-reason-duplicate",
        DismissReason::Refunded => "admin-dismiss-reason-refunded",
        DismissReason::Test => "admin-dismiss-reason-test",
        DismissReason::NotOurs => "admin-dismiss-reason-not-ours",
    }
}

pub async fn dismiss_reasons(
    bot: &TgBot,
    _ctx: &Ctx,
    chat: ChatId,
    lang: Lang,
    id: i64,
) -> HandlerResult {
    let text = t_args(
        lang,
        "admin-orphan-dismiss-pick",
        &[("id", Arg::Html(id.to_string()))],
    );
    let rows = DismissReason::ALL
        .into_iter()
        .map(|reason| {
            vec![button(
                t(lang, reason_key(reason)),
                AdminAction::Ask(AdminOp::DismissPayment {
                    payment: id,
                    reason,
                }),
            )]
        })
        .collect::<Vec<_>>();
    send(bot, chat, text, Some(InlineKeyboardMarkup::new(rows))).await
}

/// `/assign <payment> <invoice>` (operators only): the same confirmation as the button. The
/// payment may be named by our id or NOWPayments'.
pub async fn assign_command(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    args: &str,
) -> HandlerResult {
    let lang = user.lang();
    if !is_admin(ctx, user) {
        return send(bot, chat, t(lang, "unknown-command"), None).await;
    }
    let parts: Vec<&str> = args.split_whitespace().collect();
    let parsed = match parts.as_slice() {
        [payment, invoice] => payment
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .zip(invoice.parse::<i64>().ok().filter(|id| *id > 0)),
        _ => None,
    };
    let Some((payment, invoice)) = parsed else {
        return send(bot, chat, t(lang, "admin-assign-usage"), None).await;
    };
    let payment = match ctx.db.review_payment(payment).await? {
        Some(p) => p.id,
        None => match ctx.db.review_payment_by_np(&payment.to_string()).await? {
            Some(p) => p.id,
            None => payment,
        },
    };
    super::confirm::ask(
        bot,
        ctx,
        chat,
        user,
        AdminOp::AssignPayment { payment, invoice },
    )
    .await
}

fn refusal_text(lang: Lang, r: &Refusal) -> String {
    match r {
        Refusal::NoPayment => t(lang, "admin-review-no-payment"),
        Refusal::Reviewed(review) => t_args(
            lang,
            "admin-review-done",
            &[("review", Arg::Text(review.to_string()))],
        ),
        Refusal::NotWaiting => t(lang, "admin-review-not-waiting"),
        Refusal::NotOrphan => t(lang, "admin-review-not-orphan"),
        Refusal::NotHeld => t(lang, "admin-review-not-held"),
        Refusal::NoInvoice => t(lang, "admin-review-no-invoice"),
        Refusal::InvoiceClosed(status) => t_args(
            lang,
            "admin-review-invoice-closed",
            &[("status", Arg::Text(status.to_string()))],
        ),
        Refusal::Amounts(reason) => t_args(
            lang,
            "admin-review-amounts",
            &[("reason", Arg::Text(reason.clone()))],
        ),
    }
}

/// What the plan does to the invoice's user, in words.
async fn effect_text(ctx: &Ctx, lang: Lang, plan: &ReviewPlan) -> anyhow::Result<String> {
    let invoice = &plan.invoice;
    let user = Arg::Html(invoice.user_id.to_string());
    Ok(match &plan.effect {
        Effect::Grant { days: Some(days) } => t_args(
            lang,
            "admin-effect-grant",
            &[
                ("days", Arg::Int(i64::from(*days))),
                (
                    "channel",
                    Arg::Text(channel_title(ctx, invoice.channel_id).await?),
                ),
                ("user", user),
            ],
        ),
        Effect::Grant { days: None } => t_args(
            lang,
            "admin-effect-donation",
            &[
                ("price", Arg::Html(escape(&invoice.price.to_string()))),
                (
                    "channel",
                    Arg::Text(channel_title(ctx, invoice.channel_id).await?),
                ),
            ],
        ),
        Effect::TopUp(missing) => t_args(
            lang,
            "admin-effect-topup",
            &[
                ("user", user),
                ("missing", Arg::Html(escape(&missing.to_string()))),
            ],
        ),
        Effect::Wait => t(lang, "admin-effect-wait"),
        Effect::Close(status) => t_args(
            lang,
            "admin-effect-close",
            &[("status", Arg::Text(status.as_str().to_owned()))],
        ),
        Effect::Revalue => t(lang, "admin-effect-revalue"),
    })
}

pub async fn describe(ctx: &Ctx, lang: Lang, op: AdminOp) -> anyhow::Result<Plan> {
    let rules = IntakeRules::from_config(&ctx.config);
    match op {
        AdminOp::AssignPayment { payment, invoice } => {
            match review::plan_assign(&ctx.db, payment, invoice, &rules).await? {
                Err(r) => Ok(Plan::Refused(refusal_text(lang, &r))),
                Ok(plan) => Ok(Plan::Ready(t_args(
                    lang,
                    "admin-ask-assign",
                    &[
                        ("payment", Arg::Html(payment_text(lang, &plan.payment))),
                        (
                            "invoice",
                            Arg::Html(invoice_text(ctx, lang, &plan.invoice).await?),
                        ),
                        ("effect", Arg::Html(effect_text(ctx, lang, &plan).await?)),
                    ],
                ))),
            }
        }
        AdminOp::ReleasePayment(payment) => {
            match review::plan_release(&ctx.db, payment, &rules).await? {
                Err(r) => Ok(Plan::Refused(refusal_text(lang, &r))),
                Ok(plan) => Ok(Plan::Ready(t_args(
                    lang,
                    "admin-ask-release",
                    &[
                        ("payment", Arg::Html(payment_text(lang, &plan.payment))),
                        (
                            "reason",
                            Arg::Text(plan.payment.held_reason.clone().unwrap_or_default()),
                        ),
                        (
                            "invoice",
                            Arg::Html(invoice_text(ctx, lang, &plan.invoice).await?),
                        ),
                        ("effect", Arg::Html(effect_text(ctx, lang, &plan).await?)),
                    ],
                ))),
            }
        }
        AdminOp::DismissPayment { payment, reason } => {
            match review::plan_dismiss(&ctx.db, payment).await? {
                Err(r) => Ok(Plan::Refused(refusal_text(lang, &r))),
                Ok(p) => Ok(Plan::Ready(t_args(
                    lang,
                    "admin-ask-dismiss",
                    &[
                        ("payment", Arg::Html(payment_text(lang, &p))),
                        ("reason", Arg::Html(t(lang, reason_key(reason)))),
                    ],
                ))),
            }
        }
        _ => Ok(Plan::Refused(t(lang, "unknown-command"))),
    }
}

pub async fn execute(ctx: &Ctx, admin: i64, lang: Lang, op: AdminOp) -> anyhow::Result<String> {
    let rules = IntakeRules::from_config(&ctx.config);
    let now = ctx.clock.now();
    match op {
        AdminOp::AssignPayment { payment, invoice } => {
            match review::assign(&ctx.db, admin, payment, invoice, &rules, now).await? {
                Err(r) => Ok(refusal_text(lang, &r)),
                Ok(plan) => {
                    ctx.jobs_wake.notify_one();
                    Ok(t_args(
                        lang,
                        "admin-assigned-now",
                        &[
                            ("payment", Arg::Html(payment.to_string())),
                            ("invoice", Arg::Html(invoice.to_string())),
                            ("effect", Arg::Html(effect_text(ctx, lang, &plan).await?)),
                        ],
                    ))
                }
            }
        }
        AdminOp::ReleasePayment(payment) => {
            match review::release(&ctx.db, admin, payment, &rules, now).await? {
                Err(r) => Ok(refusal_text(lang, &r)),
                Ok(plan) => {
                    ctx.jobs_wake.notify_one();
                    Ok(t_args(
                        lang,
                        "admin-released-now",
                        &[
                            ("payment", Arg::Html(payment.to_string())),
                            ("effect", Arg::Html(effect_text(ctx, lang, &plan).await?)),
                        ],
                    ))
                }
            }
        }
        AdminOp::DismissPayment { payment, reason } => {
            match review::dismiss(&ctx.db, admin, payment, reason, now).await? {
                Err(r) => Ok(refusal_text(lang, &r)),
                Ok(_) => Ok(t_args(
                    lang,
                    "admin-dismissed-now",
                    &[
                        ("payment", Arg::Html(payment.to_string())),
                        ("reason", Arg::Html(t(lang, reason_key(reason)))),
                    ],
                )),
            }
        }
        _ => Ok(t(lang, "unknown-command")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_short() {
        let now = UnixMillis::from_millis(10 * 86_400_000);
        let ago = |s: u64| now.saturating_sub(Duration::from_secs(s));
        assert_eq!(age(now, ago(120)), "2m");
        assert_eq!(age(now, ago(5 * 3600)), "5h");
        assert_eq!(age(now, ago(3 * 86_400)), "3d");
    }

    #[test]
    fn amounts_are_escaped_and_show_the_currency() {
        assert_eq!(money(Some("5.1"), Some("usdttrc20")), "5.1 USDTTRC20");
        assert_eq!(money(None, Some("btc")), "-");
        assert_eq!(money(Some("<b>"), None), "&lt;b&gt; ?");
    }
}
