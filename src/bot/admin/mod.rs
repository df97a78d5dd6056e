//! Operators (ADMIN_IDS) in the bot (SPEC §7): an overview, stats, the kill switch, failed jobs,
//! open alerts, payouts, the payments waiting for review, lookup, channels' sales, invites, the
//! money audit and the admin audit log. Anyone else gets no hint that these exist: the same
//! answer as for an unknown command, and a pressed admin button changes nothing.
//!
//! Everything that moves money or changes access is an [`AdminOp`]: its button shows what it
//! will do and asks for confirmation ([`confirm`]); only the confirmation, pressed by the same
//! operator, does it.

pub mod confirm;
pub mod lookup;
pub mod orphans;
pub mod payouts;
pub mod stars;

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ParseMode};
use teloxide::utils::html::escape;

use super::{HandlerResult, TgBot};
use crate::domain::callbacks::{AdminAction, AdminOp, CallbackData, PayoutFilter, StatsPeriod};
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::admin_log::{Actor, AdminLogEntry};
use crate::store::users::UserRow;

pub fn is_admin(ctx: &Ctx, user: &UserRow) -> bool {
    ctx.config.admin_ids.contains(&user.id)
}

pub(crate) fn button(text: String, a: AdminAction) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(text, CallbackData::Admin(a).encode())
}

/// Sends `text` (HTML) to an operator's chat, with buttons when given.
pub(crate) async fn send(
    bot: &TgBot,
    chat: ChatId,
    text: String,
    markup: Option<InlineKeyboardMarkup>,
) -> HandlerResult {
    let req = bot.send_message(chat, text).parse_mode(ParseMode::Html);
    match markup {
        Some(m) => req.reply_markup(m).await?,
        None => req.await?,
    };
    Ok(())
}

/// `/admin`: the overview.
pub async fn menu(bot: &TgBot, ctx: &Ctx, chat: ChatId, user: &UserRow) -> HandlerResult {
    let lang = user.lang();
    if !is_admin(ctx, user) {
        return send(bot, chat, t(lang, "unknown-command"), None).await;
    }
    let paused = ctx.db.payouts_paused().await?;
    let failed = ctx.db.failed_jobs(1000).await?.len();
    let alerts = ctx.db.open_alerts(1000).await?.len();
    let [payouts_pending, payouts_failed, payouts_stuck] = ctx
        .db
        .admin_payout_counts(payouts::stuck_before(ctx))
        .await?;
    let review = ctx.db.review_queue_len().await?;
    let balance = match crate::payouts::send::host_asset(ctx).await {
        Ok(host) => match ctx.wallet.balance(&host.wallet).await {
            Ok(units) => host
                .wallet
                .from_base_units(units)
                .map(|d| format!("{} {}", d.normalize(), host.currency))
                .unwrap_or_else(|_| "?".into()),
            Err(e) => format!("unavailable ({})", ctx.redact(&e.to_string())),
        },
        Err(_) => "unavailable".into(),
    };
    let text = t_args(
        lang,
        "admin-menu",
        &[
            (
                "paused",
                Arg::Html(t(
                    lang,
                    if paused {
                        "admin-paused"
                    } else {
                        "admin-running"
                    },
                )),
            ),
            (
                "failed",
                Arg::Int(i64::try_from(failed).unwrap_or(i64::MAX)),
            ),
            (
                "alerts",
                Arg::Int(i64::try_from(alerts).unwrap_or(i64::MAX)),
            ),
            (
                "wallet",
                Arg::from(ctx.wallet.address().to_string().as_str()),
            ),
            ("balance", Arg::from(balance.as_str())),
            ("payouts_pending", Arg::Int(payouts_pending)),
            ("payouts_failed", Arg::Int(payouts_failed)),
            ("payouts_stuck", Arg::Int(payouts_stuck)),
            ("review", Arg::Int(review)),
        ],
    );
    let switch = if paused {
        button(
            t(lang, "admin-btn-resume"),
            AdminAction::Ask(AdminOp::ResumePayouts),
        )
    } else {
        button(
            t(lang, "admin-btn-pause"),
            AdminAction::Ask(AdminOp::PausePayouts),
        )
    };
    let markup = InlineKeyboardMarkup::new(vec![
        vec![switch],
        vec![
            button(
                t(lang, "admin-btn-payouts"),
                AdminAction::Payouts(PayoutFilter::Pending, 0),
            ),
            button(t(lang, "admin-btn-orphans"), AdminAction::Orphans(0)),
        ],
        vec![
            button(t(lang, "admin-btn-jobs"), AdminAction::Jobs),
            button(t(lang, "admin-btn-alerts"), AdminAction::Alerts),
            button(t(lang, "admin-btn-lookup"), AdminAction::Lookup),
        ],
        StatsPeriod::ALL
            .into_iter()
            .map(|p| button(t(lang, period_button(p)), AdminAction::Stats(p)))
            .collect(),
        vec![
            button(t(lang, "admin-btn-audit"), AdminAction::Audit),
            button(t(lang, "admin-btn-log"), AdminAction::Log(0)),
        ],
    ]);
    send(bot, chat, text, Some(markup)).await
}

fn period_button(p: StatsPeriod) -> &'static str {
    match p {
        StatsPeriod::Today => "admin-btn-stats-today",
        StatsPeriod::Week => "admin-btn-stats-week",
        StatsPeriod::Month => "admin-btn-stats-month",
    }
}

/// The platform's figures over `period` (SPEC §7): revenue, fees, payments by status,
/// subscriptions, pending balances by channel, failed jobs and open alerts.
async fn stats(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: crate::domain::lang::Lang,
    period: StatsPeriod,
) -> HandlerResult {
    let s = ctx
        .db
        .platform_stats(period.days(), ctx.clock.now())
        .await?;
    let payments = if s.payments_by_status.is_empty() {
        t(lang, "admin-stats-none")
    } else {
        s.payments_by_status
            .iter()
            .map(|(status, n)| format!("{} {n}", teloxide::utils::html::escape(status)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pending = if s.pending_by_channel.is_empty() {
        t(lang, "admin-stats-none")
    } else {
        s.pending_by_channel
            .iter()
            .map(|(title, usd)| {
                format!(
                    "• {}: {}",
                    teloxide::utils::html::escape(title),
                    usd.localized(lang)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let text = t_args(
        lang,
        "admin-stats",
        &[
            ("days", Arg::Int(period.days())),
            ("revenue", Arg::Html(s.revenue.localized(lang))),
            ("fees", Arg::Html(s.fees.localized(lang))),
            ("payments", Arg::Html(payments)),
            ("active", Arg::Int(s.active_subscriptions)),
            ("new", Arg::Int(s.new_subscriptions)),
            ("ended", Arg::Int(s.churned)),
            ("pending", Arg::Html(pending)),
            ("failed", Arg::Int(s.failed_jobs)),
            ("alerts", Arg::Int(s.open_alerts)),
        ],
    );
    let periods: Vec<_> = StatsPeriod::ALL
        .into_iter()
        .filter(|p| *p != period)
        .map(|p| button(t(lang, period_button(p)), AdminAction::Stats(p)))
        .collect();
    send(
        bot,
        chat,
        text,
        Some(InlineKeyboardMarkup::new(vec![periods])),
    )
    .await
}

/// Admin buttons; a non-admin pressing one (replayed data) changes nothing, and neither does
/// another operator's confirmation.
pub async fn on_callback(
    bot: &TgBot,
    ctx: &Ctx,
    q: &CallbackQuery,
    user: &UserRow,
    chat: ChatId,
    action: AdminAction,
) -> HandlerResult {
    let lang = user.lang();
    let foreign_confirmation =
        matches!(action, AdminAction::Confirm { admin, .. } if admin != user.id);
    if !is_admin(ctx, user) || foreign_confirmation {
        tracing::warn!(
            user_id = user.id,
            admin = is_admin(ctx, user),
            "admin button refused: not an operator, or another operator's confirmation"
        );
        bot.answer_callback_query(q.id.clone())
            .text(t(lang, "callback-expired"))
            .await?;
        return Ok(());
    }
    bot.answer_callback_query(q.id.clone()).await?;
    match action {
        AdminAction::Menu => menu(bot, ctx, chat, user).await,
        AdminAction::Ask(op) => confirm::ask(bot, ctx, chat, user, op).await,
        AdminAction::Confirm { op, .. } => {
            let message = q.message.as_ref().map(|m| m.id());
            confirm::confirmed(bot, ctx, chat, message, user, op).await
        }
        AdminAction::Jobs => jobs(bot, ctx, chat, lang).await,
        AdminAction::Alerts => alerts(bot, ctx, chat, lang).await,
        AdminAction::Ack(id) => {
            let resolved = ctx
                .db
                .resolve_alert(id, Actor::Admin(user.id), ctx.clock.now())
                .await?;
            let key = if resolved {
                "admin-alert-resolved"
            } else {
                "admin-alert-not-open"
            };
            send(bot, chat, t(lang, key), None).await
        }
        AdminAction::Stats(period) => stats(bot, ctx, chat, lang, period).await,
        AdminAction::Log(page) => log(bot, ctx, chat, lang, page).await,
        AdminAction::LogCsv => log_csv(bot, ctx, chat, lang).await,
        AdminAction::Audit => {
            let report = crate::payouts::audit::audit(&ctx.db).await?;
            let text = format!(
                "<pre>{}</pre>",
                teloxide::utils::html::escape(&report.to_string())
            );
            send(bot, chat, text, None).await
        }
        AdminAction::Payouts(filter, page) => {
            payouts::list(bot, ctx, chat, lang, filter, page).await
        }
        AdminAction::Payout(id) => payouts::card(bot, ctx, chat, lang, id).await,
        AdminAction::Orphans(page) => orphans::list(bot, ctx, chat, lang, page).await,
        AdminAction::Orphan(id) => orphans::card(bot, ctx, chat, lang, id).await,
        AdminAction::DismissReasons(id) => orphans::dismiss_reasons(bot, ctx, chat, lang, id).await,
        AdminAction::Lookup => send(bot, chat, t(lang, "admin-lookup-help"), None).await,
        AdminAction::Channel(id) => lookup::channel_card(bot, ctx, chat, lang, id).await,
        AdminAction::User(id) => lookup::user_card(bot, ctx, chat, lang, id).await,
    }
}

/// Failed jobs, each with a retry button (which asks for confirmation first).
async fn jobs(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: crate::domain::lang::Lang,
) -> HandlerResult {
    let jobs = ctx.db.failed_jobs(10).await?;
    if jobs.is_empty() {
        return send(bot, chat, t(lang, "admin-no-failed-jobs"), None).await;
    }
    let lines: Vec<String> = jobs
        .iter()
        .map(|j| {
            let err = j.last_error.clone().unwrap_or_default();
            let err: String = ctx.redact(&err).chars().take(160).collect();
            format!(
                "• <code>{}</code> {} ({}×): {}",
                j.id,
                escape(&j.kind),
                j.attempts,
                escape(&err)
            )
        })
        .collect();
    let rows = jobs
        .iter()
        .map(|j| {
            vec![button(
                format!("🔁 {} {}", j.kind, j.id),
                AdminAction::Ask(AdminOp::RetryJob(j.id)),
            )]
        })
        .collect::<Vec<_>>();
    let text = t_args(
        lang,
        "admin-failed-jobs",
        &[("lines", Arg::Html(lines.join("\n")))],
    );
    send(bot, chat, text, Some(InlineKeyboardMarkup::new(rows))).await
}

/// Open alerts, each with a button to mark it handled.
async fn alerts(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: crate::domain::lang::Lang,
) -> HandlerResult {
    let alerts = ctx.db.open_alerts(10).await?;
    if alerts.is_empty() {
        return send(bot, chat, t(lang, "admin-no-alerts"), None).await;
    }
    let lines: Vec<String> = alerts
        .iter()
        .map(|a| {
            format!(
                "• {} <b>{}</b> {}: {}",
                a.created_at,
                escape(&a.kind),
                escape(&a.subject),
                escape(&a.detail)
            )
        })
        .collect();
    let rows = alerts
        .iter()
        .map(|a| vec![button(format!("✔ {}", a.kind), AdminAction::Ack(a.id))])
        .collect::<Vec<_>>();
    let text = t_args(
        lang,
        "admin-alerts",
        &[("lines", Arg::Html(lines.join("\n")))],
    );
    send(bot, chat, text, Some(InlineKeyboardMarkup::new(rows))).await
}

/// How many rows of the admin audit log the bot shows; the CSV has them all.
pub const LOG_PAGE: i64 = 20;

/// One page of [`LOG_PAGE`] admin actions, newest first, with buttons for the pages around it
/// and for the whole log as CSV.
async fn log(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: crate::domain::lang::Lang,
    page: u32,
) -> HandlerResult {
    // One row more than a page tells whether a next page exists.
    let mut rows = ctx
        .db
        .admin_log(LOG_PAGE + 1, i64::from(page) * LOG_PAGE)
        .await?;
    let has_next = rows.len() > usize::try_from(LOG_PAGE).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(LOG_PAGE).unwrap_or(usize::MAX));
    if rows.is_empty() {
        return send(bot, chat, t(lang, "admin-log-empty"), None).await;
    }
    // Who each operator is, by name as well as id (a handful of operators per page at most).
    let mut names = std::collections::BTreeMap::new();
    for e in &rows {
        if let std::collections::btree_map::Entry::Vacant(v) = names.entry(e.admin_id) {
            v.insert(
                ctx.db
                    .get_user(e.admin_id)
                    .await?
                    .map(|u| operator_name(&u)),
            );
        }
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|e| log_line(e, names.get(&e.admin_id).cloned().flatten().as_deref()))
        .collect();
    let text = t_args(
        lang,
        "admin-log",
        &[
            ("from", Arg::Int(i64::from(page) * LOG_PAGE + 1)),
            (
                "to",
                Arg::Int(
                    i64::from(page) * LOG_PAGE + i64::try_from(rows.len()).unwrap_or(LOG_PAGE),
                ),
            ),
            ("lines", Arg::Html(lines.join("\n"))),
        ],
    );
    let mut nav = pager(lang, page, has_next, AdminAction::Log);
    nav.push(button(t(lang, "admin-btn-log-csv"), AdminAction::LogCsv));
    send(bot, chat, text, Some(InlineKeyboardMarkup::new(vec![nav]))).await
}

/// "◀ Newer" and "Older ▶" buttons around `page` (page 0 is the newest); `to` builds the
/// action for a page.
pub(crate) fn pager(
    lang: crate::domain::lang::Lang,
    page: u32,
    has_next: bool,
    to: impl Fn(u32) -> AdminAction,
) -> Vec<InlineKeyboardButton> {
    let mut row = Vec::new();
    if page > 0 {
        row.push(button(t(lang, "admin-btn-prev"), to(page - 1)));
    }
    if has_next && page < 9999 {
        row.push(button(t(lang, "admin-btn-next"), to(page + 1)));
    }
    row
}

/// How an operator is named in the log: first name and @username when known.
fn operator_name(u: &UserRow) -> String {
    match &u.username {
        Some(name) => format!("{} @{name}", u.first_name),
        None => u.first_name.clone(),
    }
}

/// One row as HTML: when, who (name and id), what, subject, before → after; every stored text
/// escaped.
fn log_line(e: &AdminLogEntry, who: Option<&str>) -> String {
    let who = match who {
        Some(name) => format!("{} (<code>{}</code>)", escape(name), e.admin_id),
        None => format!("<code>{}</code>", e.admin_id),
    };
    format!(
        "• {} {who} <b>{}</b> {}: {} → {}",
        e.created_at,
        e.action,
        escape(&e.subject),
        escape(e.before.as_deref().unwrap_or("-")),
        escape(e.after.as_deref().unwrap_or("-")),
    )
}

/// The whole admin audit log as CSV, oldest first, one line per row after the header.
pub fn log_csv_bytes(rows: &[AdminLogEntry]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "created_at_ms",
        "date_utc",
        "admin_id",
        "action",
        "subject",
        "before",
        "after",
    ])?;
    for e in rows {
        w.write_record([
            e.id.to_string(),
            e.created_at.as_millis().to_string(),
            e.created_at.to_string(),
            e.admin_id.to_string(),
            e.action.to_string(),
            e.subject.clone(),
            e.before.clone().unwrap_or_default(),
            e.after.clone().unwrap_or_default(),
        ])?;
    }
    Ok(w.into_inner()?)
}

async fn log_csv(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    lang: crate::domain::lang::Lang,
) -> HandlerResult {
    let rows = ctx.db.admin_log_all().await?;
    let bytes = log_csv_bytes(&rows)?;
    let file = InputFile::memory(bytes).file_name("telepay-admin-log.csv");
    let caption = t_args(
        lang,
        "admin-log-csv-caption",
        &[(
            "count",
            Arg::Int(i64::try_from(rows.len()).unwrap_or(i64::MAX)),
        )],
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
    use crate::domain::states::AdminLogAction;
    use crate::domain::time::UnixMillis;

    fn entry(subject: &str) -> AdminLogEntry {
        AdminLogEntry {
            id: 7,
            admin_id: 900_001,
            action: AdminLogAction::RetryJob,
            subject: subject.into(),
            before: Some("failed".into()),
            after: None,
            created_at: UnixMillis::from_millis(1_700_000_000_000),
        }
    }

    #[test]
    fn a_log_line_escapes_stored_text() {
        let line = log_line(&entry("job:<b>1</b>"), Some("Ops <x> @ops"));
        assert!(line.contains("job:&lt;b&gt;1&lt;/b&gt;"), "{line}");
        assert!(
            line.contains("Ops &lt;x&gt; @ops (<code>900001</code>)"),
            "{line}"
        );
        let line = log_line(&entry("job:1"), None);
        assert!(
            line.contains(" <code>900001</code> <b>retry_job</b>"),
            "{line}"
        );
        assert!(line.contains("<b>retry_job</b>"), "{line}");
        assert!(line.contains("failed → -"), "{line}");
    }

    #[test]
    fn the_csv_has_a_header_and_quotes_commas() {
        let out = String::from_utf8(log_csv_bytes(&[entry("a,b")]).unwrap()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].starts_with("id,created_at_ms,date_utc,admin_id,action"));
        assert_eq!(
            lines[1],
            "7,1700000000000,2023-11-14 22:13 UTC,900001,retry_job,\"a,b\",failed,"
        );
    }
}
