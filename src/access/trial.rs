//! Starting a free trial (issue 15): in ONE transaction the subscription is created (or a
//! lapsed one reactivated) for the tier's trial days, the trial is recorded (one per user and
//! channel, ever: the database's UNIQUE key), the reminders are queued as after a paid grant,
//! the invite job is queued and the owner's notice with it. A trial moves no money: no
//! invoice, payment, grant row, fee or accumulation is written, so no audit invariant can
//! notice it. The end of the trial is the ordinary expiry sweep; paying during it extends
//! from its end like any early renewal.

use crate::domain::ids::new_id;
use crate::domain::job::Job;
use crate::domain::notice::Notice;
use crate::domain::time::UnixMillis;
use crate::services::Ctx;
use crate::store::StoreResult;
use crate::store::jobs::{NewJob, enqueue_job};
use crate::store::outbox;
use crate::store::payments::{lock_subscription, set_subscription_expiry};
use crate::store::trials::{self, Trial};

/// One day in milliseconds.
const DAY_MS: i64 = 86_400_000;

/// What a press of a trial button did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrialOutcome {
    /// The trial runs until `ends_at`; the invite is on its way.
    Started { trial: Trial, channel_id: i64 },
    /// The user had a trial in this channel before (maybe this very one): nothing changed.
    AlreadyHad,
    /// The user's subscription to the channel is running: nothing changed.
    Subscribed,
    /// The tier is gone or has no trial (any more).
    NoTrial,
    /// The channel takes no new subscribers now.
    NotOnSale,
}

/// Starts `user_id`'s trial of the tier `tier_id`, or says why not (changing nothing).
pub async fn start_trial(ctx: &Ctx, user_id: i64, tier_id: i64) -> StoreResult<TrialOutcome> {
    let db = &ctx.db;
    let now = ctx.clock.now();
    let mut tx = db.begin_write().await?;
    let Some(tier) = trials::trial_tier_in(&mut tx, tier_id).await? else {
        return Ok(TrialOutcome::NoTrial);
    };
    if !tier.on_sale {
        return Ok(TrialOutcome::NotOnSale);
    }
    if tier.trial_days == 0 {
        return Ok(TrialOutcome::NoTrial);
    }
    // Two presses of the same user (two replicas) queue here; the UNIQUE key below would
    // refuse the second anyway, this only makes its answer the right one.
    trials::lock_user(&mut tx, db.backend(), user_id).await?;
    if trials::had_trial_in(&mut tx, user_id, tier.channel_id).await? {
        return Ok(TrialOutcome::AlreadyHad);
    }
    let ends_at = UnixMillis::from_millis(
        now.as_millis()
            .saturating_add(i64::from(tier.trial_days) * DAY_MS),
    );
    let subscription_id =
        match trials::create_trial_subscription(&mut tx, user_id, &tier, ends_at, now).await? {
            Some(id) => id,
            None => {
                // A subscription row exists: a running one refuses the trial; a lapsed one
                // starts again for the trial's days (its price lock stays as it was).
                let sub =
                    lock_subscription(&mut tx, db.backend(), user_id, tier.channel_id).await?;
                if sub.active && sub.expires_at > now.as_millis() {
                    return Ok(TrialOutcome::Subscribed);
                }
                set_subscription_expiry(&mut tx, sub.id, ends_at.as_millis(), now).await?;
                sub.id
            }
        };
    let trial = Trial {
        id: new_id(),
        user_id,
        channel_id: tier.channel_id,
        tier_id: tier.tier_id,
        subscription_id,
        days: tier.trial_days,
        started_at: now,
        ends_at,
    };
    if !trials::insert_trial(&mut tx, &trial).await? {
        // Dropping the transaction rolls back the subscription change above.
        return Ok(TrialOutcome::AlreadyHad);
    }
    let give_up = ctx.config.jobs.give_up_after;
    for reminder in super::expiry::reminder_jobs(
        subscription_id,
        ends_at,
        &ctx.config.rules.reminder_offsets,
        now,
        give_up,
    ) {
        enqueue_job(&mut tx, &reminder, now).await?;
    }
    enqueue_job(
        &mut tx,
        &NewJob {
            job: Job::GrantTrialAccess {
                subscription_id,
                trial_id: trial.id,
            },
            unique_key: Some(format!("trial-access:{}", trial.id)),
            run_at: now,
            give_up_at: now.saturating_add(give_up),
        },
        now,
    )
    .await?;
    outbox::enqueue(
        &mut tx,
        tier.channel_id,
        Notice::TrialStarted {
            days: tier.trial_days,
        },
        &format!("trial:{}", trial.id),
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.jobs_wake.notify_one();
    tracing::info!(
        user_id,
        channel_id = tier.channel_id,
        tier_id,
        subscription_id,
        trial_id = trial.id,
        days = tier.trial_days,
        "free trial started"
    );
    Ok(TrialOutcome::Started {
        trial,
        channel_id: tier.channel_id,
    })
}
