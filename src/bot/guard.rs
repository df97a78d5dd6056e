//! Runs a handler so that neither an error nor a panic can take the dispatcher down: both are
//! logged (with the bot token redacted), counted, and answered with a short apology.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use teloxide::prelude::*;
use teloxide::types::ParseMode;

use super::{HandlerResult, TgBot};
use crate::app::Ctx;
use crate::domain::lang::Lang;
use crate::i18n::t;

/// Runs `fut` for handler `name`. When it fails and `reply_to` is set, the user is told.
pub async fn guarded(
    name: &'static str,
    ctx: &Ctx,
    bot: &TgBot,
    reply_to: Option<(ChatId, Lang)>,
    fut: impl Future<Output = HandlerResult>,
) -> HandlerResult {
    let outcome = AssertUnwindSafe(fut).catch_unwind().await;
    let failure = match outcome {
        Ok(Ok(())) => {
            metrics::counter!("bot_updates_total", "handler" => name, "outcome" => "ok")
                .increment(1);
            return Ok(());
        }
        Ok(Err(e)) => {
            metrics::counter!("bot_updates_total", "handler" => name, "outcome" => "error")
                .increment(1);
            format!("{e:#}")
        }
        Err(panic) => {
            metrics::counter!("bot_updates_total", "handler" => name, "outcome" => "panic")
                .increment(1);
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            format!("panic: {what}")
        }
    };
    tracing::error!(handler = name, error = %ctx.redact(&failure), "bot handler failed");
    if let Some((chat, lang)) = reply_to {
        // Best effort: if even this fails there is nothing more to tell the user.
        if let Err(e) = bot
            .send_message(chat, t(lang, "error-generic"))
            .parse_mode(ParseMode::Html)
            .await
        {
            tracing::warn!(error = %ctx.redact(&e.to_string()), "could not send the apology");
        }
    }
    Ok(())
}
