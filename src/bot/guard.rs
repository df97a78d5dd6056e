//! Runs a handler so that neither an error nor a panic can take the dispatcher down: both are
//! logged (with the bot token redacted), counted, and answered with a short apology.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use teloxide::prelude::*;
use teloxide::types::ParseMode;

use super::{HandlerResult, TgBot};
use crate::domain::lang::Lang;
use crate::i18n::t;
use crate::services::Ctx;

/// Runs `fut` for handler `name`. When it fails and `reply_to` is set, the user is told.
pub async fn guarded(
    name: &'static str,
    ctx: &Ctx,
    bot: &TgBot,
    reply_to: Option<(ChatId, Lang)>,
    fut: impl Future<Output = HandlerResult>,
) -> HandlerResult {
    let Err(failure) = run_caught(name, fut).await else {
        return Ok(());
    };
    tracing::error!(
        handler = name,
        chat_id = reply_to.map(|(chat, _)| chat.0),
        error = %ctx.redact(&failure),
        "bot handler failed"
    );
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

/// Runs `fut`, turning an error or a panic into its description and counting the outcome.
async fn run_caught(
    name: &'static str,
    fut: impl Future<Output = HandlerResult>,
) -> Result<(), String> {
    let (outcome, result) = match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(Ok(())) => ("ok", Ok(())),
        Ok(Err(e)) => ("error", Err(format!("{e:#}"))),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            ("panic", Err(format!("panic: {what}")))
        }
    };
    metrics::counter!(crate::telemetry::names::BOT_UPDATES, "handler" => name, "outcome" => outcome).increment(1);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_is_contained() {
        let r = run_caught("t", async { panic!("boom") }).await;
        assert_eq!(r, Err("panic: boom".to_owned()));
        let r = run_caught("t", async { Err(anyhow::anyhow!("db down")) }).await;
        assert_eq!(r, Err("db down".to_owned()));
        assert_eq!(run_caught("t", async { Ok(()) }).await, Ok(()));
        // The runtime and the next handler are unaffected.
        assert_eq!(run_caught("t", async { Ok(()) }).await, Ok(()));
    }
}
