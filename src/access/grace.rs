//! Grace period (issue 15): when a paid subscription of a channel with a grace ends, the
//! expiry job does not remove the member; it stores the grace's end on the subscription (once,
//! a compare-and-set) and tells the subscriber, with the renew button. The member keeps access
//! (join requests are approved, `/access` works) until the grace ends; then the timer queues one
//! `end_grace` job per subscription and end (unique key), which removes the member and says
//! goodbye exactly as the expiry without a grace does. A payment during the grace extends from
//! the original end (`store::grace::renewal_base`). A free trial's end gets no grace: the trial
//! was free, its reminders already offered to buy.

use futures::FutureExt;
use futures::future::BoxFuture;

use super::expiry::{load, notify_with_renew, remove};
use crate::domain::job::Job;
use crate::domain::states::SubscriptionStatus;
use crate::domain::time::UnixMillis;
use crate::i18n::{Arg, t_args};
use crate::jobs::{JobError, JobHandler, decode};
use crate::services::Ctx;
use crate::store::channels::Channel;
use crate::store::grace::HOUR_MS;
use crate::store::jobs::{ClaimedJob, NewJob};
use crate::store::subscriptions::Subscription;

/// One `end_grace` job for each subscription whose grace ran out.
pub async fn due_jobs(
    ctx: &Ctx,
    now: UnixMillis,
    limit: u32,
) -> crate::store::StoreResult<Vec<NewJob>> {
    Ok(ctx
        .db
        .due_grace_ends(now, limit)
        .await?
        .into_iter()
        .map(|(id, expires_at)| NewJob {
            job: Job::EndGrace {
                subscription_id: id,
                expires_at,
            },
            unique_key: Some(format!("grace-end:{id}:{}", expires_at.as_millis())),
            run_at: now,
            give_up_at: now.saturating_add(ctx.config.jobs.give_up_after),
        })
        .collect())
}

/// At the end of a paid subscription: starts the channel's grace when it has one and the grace
/// has not run out already (a sweep that comes very late removes at once). True when the grace
/// takes over (started here, or by a concurrent change that also keeps the member).
pub(super) async fn start(
    ctx: &Ctx,
    sub: &Subscription,
    channel: &Channel,
    now: UnixMillis,
) -> Result<bool, JobError> {
    let hours = ctx
        .db
        .grace_hours(channel.id)
        .await
        .map_err(JobError::retryable)?;
    if hours == 0 {
        return Ok(false);
    }
    let until = UnixMillis::from_millis(
        sub.expires_at
            .as_millis()
            .saturating_add(i64::from(hours).saturating_mul(HOUR_MS)),
    );
    if until <= now {
        return Ok(false);
    }
    if !ctx
        .db
        .start_grace(sub.id, sub.expires_at, until, now)
        .await
        .map_err(JobError::retryable)?
    {
        // Renewed (or ended) in between: the removal's own compare-and-set decides.
        return Ok(false);
    }
    tracing::info!(
        user_id = sub.user_id,
        channel_id = channel.id,
        subscription_id = sub.id,
        hours,
        "grace started"
    );
    let started = Subscription {
        grace_until: Some(until),
        ..sub.clone()
    };
    tell_if_running(ctx, &started, channel, now).await?;
    Ok(true)
}

/// Tells the subscriber their subscription ended and until when they keep access, with the
/// one-tap renew button (same tier, price locked) — while the grace still runs.
pub(super) async fn tell_if_running(
    ctx: &Ctx,
    sub: &Subscription,
    channel: &Channel,
    now: UnixMillis,
) -> Result<(), JobError> {
    let Some(until) = sub.grace_until.filter(|_| sub.in_grace(now)) else {
        return Ok(());
    };
    let lang = ctx.db.user_lang(sub.user_id).await;
    let text = t_args(
        lang,
        "grace-started",
        &[
            ("channel", Arg::from(channel.title.as_str())),
            ("ended", Arg::Html(sub.expires_at.to_string())),
            ("until", Arg::Html(until.to_string())),
        ],
    );
    notify_with_renew(ctx, sub.user_id, text, sub.tier_id, lang, false).await
}

/// The end of a grace: the member is removed and told, as at an expiry without one.
pub struct EndGrace(pub Ctx);

impl JobHandler for EndGrace {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let ctx = &self.0;
            let Job::EndGrace {
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
            // Renewed since (a new end, the grace is history), or the grace still runs.
            if sub.expires_at != expires_at
                || sub.grace_until.is_none()
                || (sub.status == SubscriptionStatus::Active && sub.in_grace(now))
            {
                return Ok(());
            }
            remove(ctx, &sub, &channel, expires_at, now, false).await
        }
        .boxed()
    }
}
