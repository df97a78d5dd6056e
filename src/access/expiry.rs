//! Expiry: a timer finds subscriptions whose time ran out and queues one `expire` job each; the
//! job removes the member (ban, then unban with only_if_banned so they can come back by paying)
//! and offers renewal — or, when the channel gives a grace, starts it (see `super::grace`) and
//! the removal waits for the grace's own `end_grace` job. Reminders before expiry are jobs
//! queued at grant time.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use teloxide::prelude::*;
use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode, UserId};

use super::telegram_errors::{TgFailure, classify, job_error};
use crate::domain::callbacks::CallbackData;
use crate::domain::job::Job;
use crate::domain::job_kinds;
use crate::domain::states::SubscriptionStatus;
use crate::domain::time::UnixMillis;
use crate::i18n::{Arg, t, t_args};
use crate::jobs::{JobError, JobHandler, JobRunner, Timer, decode};
use crate::services::Ctx;
use crate::store::jobs::{ClaimedJob, NewJob};

pub const TIMER: &str = "expiry";
const LOCK_KEY: i64 = 0x7465_6c65_0002;
const BATCH: u32 = 500;

/// The timer: only queues jobs (no Telegram calls inline).
pub fn timer(ctx: Ctx) -> Timer {
    Timer {
        name: TIMER,
        lock_key: LOCK_KEY,
        every: ctx.config.jobs.expiry_interval,
        tick: Arc::new(move || {
            let ctx = ctx.clone();
            async move {
                let now = ctx.clock.now();
                let due = ctx.db.due_expirations(now, BATCH).await?;
                for (id, expires_at) in due {
                    let job = NewJob {
                        job: Job::ExpireSubscription {
                            subscription_id: id,
                            expires_at,
                        },
                        unique_key: Some(format!("expire:{id}:{}", expires_at.as_millis())),
                        run_at: now,
                        give_up_at: now.saturating_add(ctx.config.jobs.give_up_after),
                    };
                    ctx.db.enqueue(&job, now).await?;
                }
                for job in super::grace::due_jobs(&ctx, now, BATCH).await? {
                    ctx.db.enqueue(&job, now).await?;
                }
                ctx.jobs_wake.notify_one();
                Ok(())
            }
            .boxed()
        }),
    }
}

pub struct ExpireSubscription(pub Ctx);

impl JobHandler for ExpireSubscription {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let Job::ExpireSubscription {
                subscription_id,
                expires_at,
            } = decode(job)?
            else {
                return Err(JobError::unexpected(job));
            };
            let now = ctx.clock.now();
            let Some((sub, channel)) = load(ctx, subscription_id).await? else {
                return Ok(());
            };
            let trial = ends_a_trial(ctx, &sub).await?;
            if sub.grace_until.is_some() && sub.expires_at == expires_at {
                // A grace follows this end: it started (maybe by this job, before a restart)
                // and its own job removes the member when it runs out.
                return super::grace::tell_if_running(ctx, &sub, &channel, now).await;
            }
            if sub.status == SubscriptionStatus::Active
                && sub.expires_at == expires_at
                && !trial
                && super::grace::start(ctx, &sub, &channel, now).await?
            {
                return Ok(());
            }
            remove(ctx, &sub, &channel, expires_at, now, trial).await
        }
        .boxed()
    }
}

/// The subscription and its channel, when both still exist.
pub(super) async fn load(
    ctx: &Ctx,
    subscription_id: i64,
) -> Result<
    Option<(
        crate::store::subscriptions::Subscription,
        crate::store::channels::Channel,
    )>,
    JobError,
> {
    let sub = ctx
        .db
        .subscription(subscription_id)
        .await
        .map_err(JobError::retryable)?;
    let Some(sub) = sub else { return Ok(None) };
    let channel = ctx
        .db
        .channel(sub.channel_id)
        .await
        .map_err(JobError::retryable)?;
    Ok(channel.map(|c| (sub, c)))
}

/// Ends the subscription that ran out at `expires_at` (unless renewed since), removes the
/// member, revokes their links and says goodbye with a renew (or, after a trial, buy) button.
/// A retry after a crash finds it ended and finishes the work.
pub(super) async fn remove(
    ctx: &Ctx,
    sub: &crate::store::subscriptions::Subscription,
    channel: &crate::store::channels::Channel,
    expires_at: UnixMillis,
    now: UnixMillis,
    trial: bool,
) -> Result<(), JobError> {
    // Renewed since it was selected: nothing to do (the compare-and-set decides).
    let ended = sub.status == SubscriptionStatus::Expired && sub.expires_at == expires_at;
    if !ended
        && !ctx
            .db
            .end_subscription(sub.id, expires_at, now)
            .await
            .map_err(JobError::retryable)?
    {
        return Ok(());
    }
    let chat = ChatId(channel.chat_id);
    let user = UserId(
        u64::try_from(sub.user_id)
            .map_err(|e| JobError::terminal(anyhow::anyhow!("user id: {e}")))?,
    );
    let kicked = async {
        ctx.bot.ban_chat_member(chat, user).await?;
        ctx.bot
            .unban_chat_member(chat, user)
            .only_if_banned(true)
            .await?;
        Ok::<(), teloxide::RequestError>(())
    }
    .await;
    if let Err(e) = kicked {
        match classify(&e) {
            TgFailure::NoRights => {
                super::grant::report_lost_rights(ctx, channel).await;
                // Retried with the normal backoff (minutes to an hour), not in a loop.
                return Err(JobError::retryable(anyhow::anyhow!(
                    "cannot remove the member: {e}"
                )));
            }
            // A user who is not (or no longer) a member is already out.
            TgFailure::UserUnreachable | TgFailure::Permanent => {
                tracing::info!(user_id = sub.user_id, error = %ctx.redact(&e.to_string()), "member already gone");
            }
            TgFailure::Transient => return Err(job_error(e, "banChatMember")),
        }
    }
    for link in ctx
        .db
        .live_invite_links(sub.id)
        .await
        .map_err(JobError::retryable)?
    {
        let _ = ctx
            .bot
            .revoke_chat_invite_link(chat, link.link.clone())
            .await;
        ctx.db
            .mark_invite_revoked(link.id, now)
            .await
            .map_err(JobError::retryable)?;
    }
    let lang = ctx.db.user_lang(sub.user_id).await;
    let text = t_args(
        lang,
        if trial {
            "trial-expired"
        } else {
            "subscription-expired"
        },
        &[("channel", Arg::from(channel.title.as_str()))],
    );
    notify_with_renew(ctx, sub.user_id, text, sub.tier_id, lang, trial).await
}

/// Whether the subscription's current end is the end of a free trial (nothing paid since).
async fn ends_a_trial(
    ctx: &Ctx,
    sub: &crate::store::subscriptions::Subscription,
) -> Result<bool, JobError> {
    Ok(ctx
        .db
        .trial_of(sub.user_id, sub.channel_id)
        .await
        .map_err(JobError::retryable)?
        .is_some_and(|t| t.subscription_id == sub.id && t.ends_at == sub.expires_at))
}

/// DMs `text` with a one-tap renew button for the subscriber's tier (when it still exists);
/// after a free trial the button says "buy".
pub(super) async fn notify_with_renew(
    ctx: &Ctx,
    user_id: i64,
    text: String,
    tier_id: Option<i64>,
    lang: crate::domain::lang::Lang,
    trial: bool,
) -> Result<(), JobError> {
    let mut req = ctx
        .bot
        .send_message(ChatId(user_id), text)
        .parse_mode(ParseMode::Html);
    if let Some(tier) = tier_id {
        req = req.reply_markup(InlineKeyboardMarkup::new(vec![vec![
            InlineKeyboardButton::callback(
                t(
                    lang,
                    if trial {
                        "trial-buy-button"
                    } else {
                        "renew-button"
                    },
                ),
                CallbackData::Buy(tier).encode(),
            ),
        ]]));
    }
    match req.await {
        Ok(_) => Ok(()),
        Err(e) if classify(&e) == TgFailure::Transient => Err(job_error(e, "sendMessage")),
        Err(e) => {
            tracing::info!(user_id, error = %ctx.redact(&e.to_string()), "subscriber not reachable");
            Ok(())
        }
    }
}

/// Reminder jobs for a subscription that now expires at `expires_at`: one per offset still in
/// the future. Their keys include the expiry, so a renewal (new expiry) makes the old ones no-ops.
pub fn reminder_jobs(
    subscription_id: i64,
    expires_at: UnixMillis,
    offsets: &[Duration],
    now: UnixMillis,
    give_up: Duration,
) -> Vec<NewJob> {
    offsets
        .iter()
        .map(|off| (off, expires_at.saturating_sub(*off)))
        .filter(|(_, at)| *at > now)
        .map(|(off, at)| NewJob {
            job: Job::RemindSubscription {
                subscription_id,
                expires_at,
            },
            unique_key: Some(format!(
                "remind:{subscription_id}:{}:{}",
                expires_at.as_millis(),
                off.as_secs()
            )),
            run_at: at,
            give_up_at: at.saturating_add(give_up),
        })
        .collect()
}

pub struct RemindSubscription(pub Ctx);

impl JobHandler for RemindSubscription {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let Job::RemindSubscription {
                subscription_id,
                expires_at,
            } = decode(job)?
            else {
                return Err(JobError::unexpected(job));
            };
            let sub = ctx
                .db
                .subscription(subscription_id)
                .await
                .map_err(JobError::retryable)?;
            // Renewed (new expiry), ended, or its time already passed (a reminder run late,
            // after a restart: the expiry's own message says it now): this reminder is stale.
            let now = ctx.clock.now();
            let Some(sub) = sub.filter(|s| {
                s.status == SubscriptionStatus::Active
                    && s.expires_at == expires_at
                    && s.expires_at > now
            }) else {
                return Ok(());
            };
            let channel = ctx
                .db
                .channel(sub.channel_id)
                .await
                .map_err(JobError::retryable)?;
            let Some(channel) = channel else {
                return Ok(());
            };
            let lang = ctx.db.user_lang(sub.user_id).await;
            let trial = ends_a_trial(ctx, &sub).await?;
            let text = t_args(
                lang,
                if trial {
                    "trial-reminder"
                } else {
                    "subscription-reminder"
                },
                &[
                    ("channel", Arg::from(channel.title.as_str())),
                    ("expires", Arg::Html(sub.expires_at.to_string())),
                ],
            );
            notify_with_renew(ctx, sub.user_id, text, sub.tier_id, lang, trial).await
        }
        .boxed()
    }
}

pub fn register(runner: &mut JobRunner, ctx: &Ctx) {
    runner.register(
        job_kinds::EXPIRE_SUBSCRIPTION,
        Arc::new(ExpireSubscription(ctx.clone())),
    );
    runner.register(
        job_kinds::END_GRACE,
        Arc::new(super::grace::EndGrace(ctx.clone())),
    );
    runner.register(
        job_kinds::REMIND_SUBSCRIPTION,
        Arc::new(RemindSubscription(ctx.clone())),
    );
}
