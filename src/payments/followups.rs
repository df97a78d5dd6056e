//! Jobs that follow a payment: the top-up invoice after an underpayment, and the owner's notices.

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use teloxide::prelude::*;
use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use crate::access::telegram_errors::{TgFailure, classify, job_error};
use crate::domain::job::Job;
use crate::domain::job_kinds;
use crate::domain::money::UsdMicros;
use crate::domain::states::InvoiceStatus;
use crate::i18n::{Arg, t_args};
use crate::jobs::{JobError, JobHandler, JobRunner, decode};
use crate::services::Ctx;
use crate::store::invoices::{InvoiceKind, NewInvoice};
use crate::store::jobs::ClaimedJob;

/// Opens an invoice for what is missing; paid, it completes the original (SPEC §4).
pub struct TopupInvoice(pub Ctx);

impl JobHandler for TopupInvoice {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let Job::TopupInvoice {
                invoice_id,
                payment_id,
                missing_usd_micros,
            } = decode(job)?
            else {
                return Err(JobError::unexpected(job));
            };
            let parent = ctx
                .db
                .invoice(invoice_id)
                .await
                .map_err(JobError::retryable)?;
            let Some(parent) = parent.filter(|i| i.status != InvoiceStatus::Paid) else {
                return Ok(());
            };
            // NOWPayments cannot invoice less than a cent; the smallest top-up is one cent, and
            // it never asks for more than the invoice it completes (whatever the payload says).
            let missing = missing_usd_micros
                .max(UsdMicros::from_cents(1))
                .min(parent.price);
            let now = ctx.clock.now();
            let topup = ctx
                .db
                .create_invoice(
                    &NewInvoice {
                        kind: InvoiceKind::Topup,
                        user_id: parent.user_id,
                        channel_id: parent.channel_id,
                        tier_id: parent.tier_id,
                        parent_invoice_id: Some(parent.id),
                        price: missing,
                        days: None,
                        expires_at: now.saturating_add(ctx.config.rules.invoice_ttl),
                    },
                    now,
                )
                .await
                .map_err(JobError::retryable)?;
            let request = crate::providers::nowpayments::CreateInvoice {
                price_amount: missing.to_decimal().round_dp(2).normalize(),
                price_currency: "usd".into(),
                order_id: topup.id.to_string(),
                order_description: format!("Top-up for payment {payment_id}"),
                ipn_callback_url: ctx
                    .config
                    .public_base_url
                    .join("webhooks/nowpayments")
                    .map_err(JobError::terminal)?,
                success_url: ctx
                    .config
                    .public_base_url
                    .join(&format!("pay/{}", topup.id))
                    .map_err(JobError::terminal)?,
                cancel_url: None,
            };
            let np = match ctx.nowpayments.create_invoice(&request).await {
                Ok(np) => np,
                Err(e) => {
                    ctx.db
                        .cancel_invoice(topup.id, now)
                        .await
                        .map_err(JobError::retryable)?;
                    let retry = e.is_retryable();
                    let err = anyhow::anyhow!("NOWPayments refused the top-up invoice: {e}");
                    return Err(if retry {
                        JobError::Retryable(err)
                    } else {
                        JobError::Terminal(err)
                    });
                }
            };
            ctx.db
                .open_invoice(topup.id, &np.id, &np.invoice_url, now)
                .await
                .map_err(JobError::retryable)?;
            let lang = ctx.db.user_lang(parent.user_id).await;
            let text = t_args(
                lang,
                "topup-offer",
                &[("missing", Arg::Html(missing.localized(lang)))],
            );
            let url = np
                .invoice_url
                .parse()
                .map_err(|e| JobError::terminal(anyhow::anyhow!("invoice URL: {e}")))?;
            let button = t_args(
                lang,
                "invoice-pay-button",
                &[("price", Arg::Html(missing.localized(lang)))],
            );
            match ctx
                .bot
                .send_message(ChatId(parent.user_id), text)
                .parse_mode(ParseMode::Html)
                .reply_markup(InlineKeyboardMarkup::new(vec![vec![
                    InlineKeyboardButton::url(button, url),
                ]]))
                .await
            {
                Ok(m) => {
                    ctx.db
                        .set_progress_message(topup.id, m.id.0, now)
                        .await
                        .map_err(JobError::retryable)?;
                    Ok(())
                }
                Err(e) if classify(&e) == TgFailure::Transient => {
                    Err(job_error(e, "sendMessage (top-up)"))
                }
                Err(_) => Ok(()),
            }
        }
        .boxed()
    }
}

pub fn register(runner: &mut JobRunner, ctx: &Ctx) {
    runner.register(
        job_kinds::TOPUP_INVOICE,
        Arc::new(TopupInvoice(ctx.clone())),
    );
    runner.register(
        job_kinds::NOTIFY_OWNER,
        Arc::new(crate::notify::NotifyOwner(ctx.clone())),
    );
}
