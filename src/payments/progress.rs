//! The `payment_progress` job: edits the subscriber's invoice message as statuses arrive.

use futures::FutureExt;
use futures::future::BoxFuture;
use teloxide::prelude::*;
use teloxide::types::{ChatId, MessageId, ParseMode};
use teloxide::{ApiError, RequestError};

use crate::access::telegram_errors::{TgFailure, classify, job_error};
use crate::domain::job::Job;
use crate::i18n::{Arg, t, t_args};
use crate::jobs::{JobError, JobHandler, decode};
use crate::services::Ctx;
use crate::store::jobs::ClaimedJob;

pub struct PaymentProgress(pub Ctx);

/// The status line for a NOWPayments status, or None for statuses we do not show.
pub fn status_key(status: &str) -> Option<&'static str> {
    Some(match status {
        "waiting" => "status-waiting",
        "confirming" => "status-confirming",
        "confirmed" | "sending" => "status-confirmed",
        "finished" => "status-finished",
        "partially_paid" => "status-partially_paid",
        "failed" => "status-failed",
        "expired" => "status-expired",
        "refunded" => "status-refunded",
        _ => return None,
    })
}

impl JobHandler for PaymentProgress {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let Job::PaymentProgress { invoice_id, status, .. } = decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            let Some(key) = status_key(status.as_str()) else { return Ok(()) };
            let invoice = ctx.db.invoice(invoice_id).await.map_err(JobError::retryable)?;
            let Some(invoice) = invoice else { return Ok(()) };
            let Some(message_id) = invoice.progress_message_id else { return Ok(()) };
            // Jobs may run in any order; only the payment's current status is shown.
            let current = ctx.db.latest_payment_status(invoice.id).await.map_err(JobError::retryable)?;
            if current.as_deref() != Some(status.as_str()) {
                return Ok(());
            }
            let channel = ctx.db.channel(invoice.channel_id).await.map_err(JobError::retryable)?;
            let user = ctx.db.get_user(invoice.user_id).await.map_err(JobError::retryable)?;
            let lang = user.map(|u| u.lang()).unwrap_or_default();
            let title = channel.map(|c| c.title).unwrap_or_default();
            let header = t_args(
                lang,
                "invoice-created",
                &[
                    ("channel", Arg::from(title.as_str())),
                    ("price", Arg::Html(invoice.price.localized(lang))),
                    ("days", Arg::Int(i64::from(invoice.days.unwrap_or(0)))),
                ],
            );
            let text = format!("{header}\n\n<b>{}</b>", t(lang, key));
            let edit = ctx
                .bot
                .edit_message_text(ChatId(invoice.user_id), MessageId(message_id), text)
                .parse_mode(ParseMode::Html)
                .await;
            match edit {
                Ok(_) => Ok(()),
                Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
                Err(e) if classify(&e) == TgFailure::Transient => Err(job_error(e, "editMessageText")),
                // The message is gone or the user blocked us: progress is cosmetic, stop here.
                Err(e) => {
                    tracing::info!(error = %ctx.redact(&e.to_string()), "progress message not updated");
                    Ok(())
                }
            }
        }
        .boxed()
    }
}
