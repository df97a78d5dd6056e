//! Delivering a confirmed broadcast (issue 15): the `broadcast` job sends one batch of its
//! pending recipients through the process's shared bot (so teloxide's `Throttle` keeps the
//! whole process within Telegram's limits: 30 messages/s overall, 1/s per chat), then queues
//! itself again; when no recipient waits, it closes the broadcast and tells the owner
//! "delivered X, blocked Y, failed Z".
//!
//! At most once per recipient: each row is claimed (`pending` → `sending`) in its own committed
//! statement BEFORE its send and marked after it. A run that finds rows `sending` knows an
//! earlier run died around those sends; it marks them `unknown` (counted as failed) and never
//! sends them again. The price: a crash at that exact point may leave one message per
//! in-flight send undelivered; nobody ever gets a second copy. No transaction is open while
//! sending.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::StreamExt;
use futures::future::BoxFuture;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{
    FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageId, ParseMode,
};

use super::telegram_errors::{TgFailure, classify};
use crate::domain::callbacks::CallbackData;
use crate::domain::job::Job;
use crate::domain::lang::Lang;
use crate::domain::states::{BroadcastState, DeliveryState};
use crate::i18n::{Arg, t, t_args};
use crate::jobs::{JobError, JobHandler, decode};
use crate::services::Ctx;
use crate::store::broadcasts::{Audience, Broadcast, BroadcastCounts, PendingDelivery};
use crate::store::jobs::ClaimedJob;

/// Recipients per job run: about two seconds at 30 messages/s, so other jobs are not kept
/// waiting behind a long broadcast.
const BATCH: u32 = 60;
/// Sends of one batch waiting in the shared `Throttle` at once: enough to keep it at its
/// overall rate, few enough that other traffic is not queued far behind.
const IN_FLIGHT: usize = 8;

/// The longest text an owner may broadcast (Telegram's 4096 less our header).
pub const MAX_TEXT_CHARS: usize = 3900;
/// The longest photo caption an owner may broadcast (Telegram's 1024 less our header).
pub const MAX_CAPTION_CHARS: usize = 900;

/// Telegram's flood windows are one second long, and a process that just started does not
/// know what the one before it sent in its last second (its `Throttle` starts empty): the
/// first batch after a start waits until this long after the start, so a restart in the
/// middle of a broadcast does not run into a 429.
const WARM_UP: Duration = Duration::from_millis(1100);

pub struct DeliverBroadcast {
    ctx: Ctx,
    /// When this process registered the handler (its start).
    started: tokio::time::Instant,
}

impl JobHandler for DeliverBroadcast {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let Job::Broadcast { broadcast_id } = decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            let warm = WARM_UP.saturating_sub(self.started.elapsed());
            if !warm.is_zero() {
                tokio::time::sleep(warm).await;
            }
            run(&self.ctx, broadcast_id).await
        }
        .boxed()
    }
}

/// Registers the job handler of this module.
pub fn register(runner: &mut crate::jobs::JobRunner, ctx: &Ctx) {
    runner.register(
        crate::domain::job_kinds::BROADCAST,
        Arc::new(DeliverBroadcast {
            ctx: ctx.clone(),
            started: tokio::time::Instant::now(),
        }),
    );
}

/// The message as a subscriber reads it: the channel's name, then the owner's words
/// (escaped: the owner's text is shown as typed, never as markup).
pub fn message_text(lang: Lang, channel_title: &str, body: &str) -> String {
    let header = t_args(lang, "bc-header", &[("channel", Arg::from(channel_title))]);
    if body.is_empty() {
        header
    } else {
        format!("{header}\n\n{}", teloxide::utils::html::escape(body))
    }
}

/// The buttons under a broadcast message: renew (win-back, when the tier is known) and the
/// switch that turns the channel's broadcasts off.
pub fn keyboard(
    lang: Lang,
    channel_id: i64,
    renew_tier: Option<i64>,
    winback: bool,
) -> InlineKeyboardMarkup {
    let mut rows = Vec::new();
    if let (true, Some(tier)) = (winback, renew_tier) {
        rows.push(vec![InlineKeyboardButton::callback(
            t(lang, "bc-renew-button"),
            CallbackData::Buy(tier).encode(),
        )]);
    }
    rows.push(vec![InlineKeyboardButton::callback(
        t(lang, "bc-stop-button"),
        CallbackData::BroadcastsOff(channel_id, true).encode(),
    )]);
    InlineKeyboardMarkup::new(rows)
}

/// Sends one broadcast message (text, or a photo with its caption) to `chat`.
pub async fn send(
    ctx: &Ctx,
    chat: ChatId,
    b: &Broadcast,
    channel_title: &str,
    lang: Lang,
    markup: InlineKeyboardMarkup,
) -> Result<MessageId, RequestError> {
    let text = message_text(lang, channel_title, &b.body);
    let msg = match &b.photo_file_id {
        Some(file) => {
            ctx.bot
                .send_photo(chat, InputFile::file_id(FileId(file.clone())))
                .caption(text)
                .parse_mode(ParseMode::Html)
                .reply_markup(markup)
                .await?
        }
        None => {
            ctx.bot
                .send_message(chat, text)
                .parse_mode(ParseMode::Html)
                .reply_markup(markup)
                .await?
        }
    };
    Ok(msg.id)
}

async fn run(ctx: &Ctx, broadcast_id: i64) -> Result<(), JobError> {
    let db = &ctx.db;
    let Some(b) = db
        .broadcast(broadcast_id)
        .await
        .map_err(JobError::retryable)?
    else {
        return Err(JobError::terminal(anyhow::anyhow!(
            "broadcast {broadcast_id} does not exist"
        )));
    };
    match b.state {
        BroadcastState::Sending => deliver(ctx, &b).await,
        BroadcastState::Done if b.reported_at.is_none() => {
            let c = BroadcastCounts {
                delivered: b.delivered,
                blocked: b.blocked,
                failed: b.failed,
            };
            report(ctx, &b, c).await
        }
        _ => Ok(()),
    }
}

/// How one send ended.
enum Sent {
    Done,
    /// Telegram asked us to slow down (the `Throttle` should prevent it): the row went back to
    /// `pending`, nothing was delivered.
    RetryAfter(Duration),
}

async fn deliver(ctx: &Ctx, b: &Broadcast) -> Result<(), JobError> {
    let db = &ctx.db;
    let now = ctx.clock.now();
    let abandoned = db
        .abandon_sending_deliveries(b.id, now)
        .await
        .map_err(JobError::retryable)?;
    if abandoned > 0 {
        tracing::warn!(
            broadcast_id = b.id,
            abandoned,
            "broadcast rows left mid-send by an earlier run: counted as unknown, not sent again"
        );
    }
    let rows = db
        .pending_deliveries(b.id, BATCH)
        .await
        .map_err(JobError::retryable)?;
    if rows.is_empty() {
        return match db
            .finish_broadcast(b.id, ctx.clock.now())
            .await
            .map_err(JobError::retryable)?
        {
            Some(c) => report(ctx, b, c).await,
            None => Ok(()),
        };
    }
    let title = db
        .channel(b.channel_id)
        .await
        .map_err(JobError::retryable)?
        .map(|c| c.title)
        .unwrap_or_default();
    let outcomes: Vec<Result<Sent, JobError>> = futures::stream::iter(rows)
        .map(|row| deliver_one(ctx, b, &title, row))
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let mut wait = Duration::ZERO;
    for outcome in outcomes {
        if let Sent::RetryAfter(d) = outcome? {
            wait = wait.max(d);
        }
    }
    let now = ctx.clock.now();
    let give_up = now.saturating_add(ctx.config.jobs.give_up_after);
    db.queue_broadcast_batch(b.id, now.saturating_add(wait), give_up, now)
        .await
        .map_err(JobError::retryable)?;
    ctx.jobs_wake.notify_one();
    Ok(())
}

async fn deliver_one(
    ctx: &Ctx,
    b: &Broadcast,
    title: &str,
    row: PendingDelivery,
) -> Result<Sent, JobError> {
    let db = &ctx.db;
    if !db
        .claim_delivery(b.id, row.user_id, ctx.clock.now())
        .await
        .map_err(JobError::retryable)?
    {
        return Ok(Sent::Done);
    }
    let winback = matches!(b.audience, Audience::Lapsed { .. });
    let markup = keyboard(row.lang, b.channel_id, row.tier_id, winback);
    let result = send(ctx, ChatId(row.user_id), b, title, row.lang, markup).await;
    let now = ctx.clock.now();
    let (state, message_id, error, sent) = match result {
        Ok(id) => (DeliveryState::Sent, Some(i64::from(id.0)), None, Sent::Done),
        Err(RequestError::RetryAfter(after)) => {
            tracing::warn!(
                broadcast_id = b.id,
                user_id = row.user_id,
                "Telegram answered 429 to a broadcast send; the row waits for the next batch"
            );
            (
                DeliveryState::Pending,
                None,
                None,
                Sent::RetryAfter(after.duration()),
            )
        }
        Err(e) => {
            let error = ctx.redact(&e.to_string());
            match classify(&e) {
                TgFailure::UserUnreachable => {
                    if let Err(e) = db.set_user_unreachable(row.user_id, true, now).await {
                        tracing::warn!(error = %e, "could not mark the user unreachable");
                    }
                    (DeliveryState::Blocked, None, Some(error), Sent::Done)
                }
                // A network error may hide a delivered message: never sent again.
                _ => (DeliveryState::Failed, None, Some(error), Sent::Done),
            }
        }
    };
    db.finish_delivery(b.id, row.user_id, state, message_id, error.as_deref(), now)
        .await
        .map_err(JobError::retryable)?;
    Ok(sent)
}

/// Tells the owner how the broadcast went, once (a failed send is retried with the job).
async fn report(ctx: &Ctx, b: &Broadcast, c: BroadcastCounts) -> Result<(), JobError> {
    let lang = ctx.db.user_lang(b.owner_id).await;
    let title = ctx
        .db
        .channel(b.channel_id)
        .await
        .map_err(JobError::retryable)?
        .map(|c| c.title)
        .unwrap_or_default();
    let text = t_args(
        lang,
        "bc-report",
        &[
            ("channel", Arg::from(title.as_str())),
            ("delivered", Arg::Int(c.delivered)),
            ("blocked", Arg::Int(c.blocked)),
            ("failed", Arg::Int(c.failed)),
        ],
    );
    match ctx
        .bot
        .send_message(ChatId(b.owner_id), text)
        .parse_mode(ParseMode::Html)
        .await
    {
        Ok(_) => {}
        Err(e) if classify(&e) == TgFailure::Transient => {
            return Err(JobError::retryable(anyhow::anyhow!(
                "sendMessage (broadcast report): {}",
                ctx.redact(&e.to_string())
            )));
        }
        Err(e) => {
            tracing::warn!(error = %ctx.redact(&e.to_string()), "the broadcast report could not be sent");
        }
    }
    ctx.db
        .mark_broadcast_reported(b.id, ctx.clock.now())
        .await
        .map_err(JobError::retryable)?;
    tracing::info!(
        broadcast_id = b.id,
        channel_id = b.channel_id,
        delivered = c.delivered,
        blocked = c.blocked,
        failed = c.failed,
        "broadcast finished"
    );
    Ok(())
}
