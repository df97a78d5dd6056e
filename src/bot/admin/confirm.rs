//! Two presses for everything that moves money or changes access.
//!
//! The first press ([`ask`]) reads the subject, says what the action will do (or why it cannot
//! be done now) and offers a confirmation button that carries the operator's own id. The second
//! press ([`confirmed`]) checks everything again inside the change's own transaction, does it,
//! writes the admin log row, and removes the buttons. A stale or repeated confirmation finds the
//! subject already changed and does nothing; another operator's (or anyone else's) replay of the
//! button is refused before it gets here (`admin::on_callback`).

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::{button, send};
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::{AdminAction, AdminOp};
use crate::domain::lang::Lang;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::admin_log::Actor;
use crate::store::users::UserRow;

/// What an action would do, or why it cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// HTML describing exactly what confirming will do.
    Ready(String),
    /// HTML saying why not (already done, not found, money already on its way, …).
    Refused(String),
}

/// The first press: describe `op` and ask for confirmation.
pub async fn ask(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    op: AdminOp,
) -> HandlerResult {
    let lang = user.lang();
    match describe(ctx, lang, op).await? {
        Plan::Refused(text) => send(bot, chat, text, None).await,
        Plan::Ready(text) => {
            let text = format!("{text}\n\n{}", t(lang, "admin-confirm-question"));
            let markup = InlineKeyboardMarkup::new(vec![vec![
                button(
                    t(lang, "admin-btn-confirm"),
                    AdminAction::Confirm { admin: user.id, op },
                ),
                button(t(lang, "admin-btn-cancel"), AdminAction::Menu),
            ]]);
            send(bot, chat, text, Some(markup)).await
        }
    }
}

/// The second press, by the operator who asked: do `op` and say what happened.
pub async fn confirmed(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    message: Option<MessageId>,
    user: &UserRow,
    op: AdminOp,
) -> HandlerResult {
    let lang = user.lang();
    tracing::warn!(user_id = user.id, ?op, "admin action confirmed");
    let outcome = execute(ctx, user.id, lang, op).await?;
    if let Some(message) = message {
        // The buttons go once used; failing to remove them changes nothing (a second press
        // finds the work done).
        if let Err(e) = bot.edit_message_reply_markup(chat, message).await {
            tracing::debug!(error = %e, "could not remove a used confirmation's buttons");
        }
    }
    send(bot, chat, outcome, None).await
}

/// What `op` would do now.
pub async fn describe(ctx: &Ctx, lang: Lang, op: AdminOp) -> anyhow::Result<Plan> {
    match op {
        AdminOp::PausePayouts | AdminOp::ResumePayouts => {
            let pause = op == AdminOp::PausePayouts;
            if ctx.db.payouts_paused().await? == pause {
                let key = if pause {
                    "admin-already-paused"
                } else {
                    "admin-already-running"
                };
                return Ok(Plan::Refused(t(lang, key)));
            }
            let key = if pause {
                "admin-ask-pause"
            } else {
                "admin-ask-resume"
            };
            Ok(Plan::Ready(t(lang, key)))
        }
        AdminOp::RetryJob(id) => {
            let Some(job) = ctx.db.job(id).await? else {
                return Ok(Plan::Refused(t(lang, "admin-job-not-failed")));
            };
            if job.state != "failed" {
                return Ok(Plan::Refused(t(lang, "admin-job-not-failed")));
            }
            let err: String = ctx
                .redact(job.last_error.as_deref().unwrap_or_default())
                .chars()
                .take(300)
                .collect();
            Ok(Plan::Ready(t_args(
                lang,
                "admin-ask-retry-job",
                &[
                    ("id", Arg::Html(format!("<code>{id}</code>"))),
                    ("kind", Arg::from(job.kind.as_str())),
                    ("attempts", Arg::Int(job.attempts)),
                    ("error", Arg::from(err.as_str())),
                ],
            )))
        }
        AdminOp::RetryPayout(_) | AdminOp::CancelPayout(_) => {
            super::payouts::describe(ctx, lang, op).await
        }
        AdminOp::AssignPayment { .. }
        | AdminOp::DismissPayment { .. }
        | AdminOp::ReleasePayment(_) => super::orphans::describe(ctx, lang, op).await,
        AdminOp::ResendInvite(_)
        | AdminOp::PauseChannel(_)
        | AdminOp::ResumeChannel(_)
        | AdminOp::LiftBroadcastLimit(_) => super::lookup::describe(ctx, lang, op).await,
        AdminOp::RefundStars(_) => super::stars::describe(ctx, lang, op).await,
    }
}

/// Does `op` for operator `admin`, checking again that it still applies; the HTML outcome.
pub async fn execute(ctx: &Ctx, admin: i64, lang: Lang, op: AdminOp) -> anyhow::Result<String> {
    let now = ctx.clock.now();
    match op {
        AdminOp::PausePayouts | AdminOp::ResumePayouts => {
            let paused = op == AdminOp::PausePayouts;
            let changed = ctx
                .db
                .set_payouts_paused(paused, Actor::Admin(admin), now)
                .await?;
            tracing::warn!(
                user_id = admin,
                paused,
                changed,
                "kill switch set by an admin"
            );
            if changed && !paused {
                ctx.jobs_wake.notify_one();
            }
            let key = match (changed, paused) {
                (true, true) => "admin-paused-now",
                (true, false) => "admin-resumed-now",
                (false, true) => "admin-already-paused",
                (false, false) => "admin-already-running",
            };
            Ok(t(lang, key))
        }
        AdminOp::RetryJob(id) => {
            let give_up = now.saturating_add(ctx.config.jobs.give_up_after);
            let ok = ctx
                .db
                .retry_failed_job(id, Actor::Admin(admin), give_up, now)
                .await?;
            if ok {
                ctx.jobs_wake.notify_one();
            }
            Ok(t(
                lang,
                if ok {
                    "admin-job-retried"
                } else {
                    "admin-job-not-failed"
                },
            ))
        }
        AdminOp::RetryPayout(_) | AdminOp::CancelPayout(_) => {
            super::payouts::execute(ctx, admin, lang, op).await
        }
        AdminOp::AssignPayment { .. }
        | AdminOp::DismissPayment { .. }
        | AdminOp::ReleasePayment(_) => super::orphans::execute(ctx, admin, lang, op).await,
        AdminOp::ResendInvite(_)
        | AdminOp::PauseChannel(_)
        | AdminOp::ResumeChannel(_)
        | AdminOp::LiftBroadcastLimit(_) => super::lookup::execute(ctx, admin, lang, op).await,
        AdminOp::RefundStars(_) => super::stars::execute(ctx, admin, lang, op).await,
    }
}
