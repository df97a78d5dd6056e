//! The `grant_access` job: after a paid grant, give the subscriber a personal way in and tell
//! them. Safe to run again: a live link issued after the grant is reused, never duplicated.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;
use teloxide::prelude::*;
use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode};

use super::telegram_errors::{TgFailure, classify, job_error};
use crate::domain::job::Job;
use crate::i18n::{Arg, t, t_args};
use crate::jobs::{JobError, JobHandler, decode};
use crate::services::Ctx;
use crate::store::channels::{AccessMode, Channel};
use crate::store::jobs::ClaimedJob;
use crate::store::subscriptions::Subscription;

pub struct GrantAccess(pub Ctx);

impl JobHandler for GrantAccess {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let Job::GrantAccess {
                subscription_id, ..
            } = decode(job)?
            else {
                return Err(JobError::unexpected(job));
            };
            grant_access(&self.0, subscription_id, job.created_at).await
        }
        .boxed()
    }
}

/// The same work after a free trial started (its own job kind: a trial has no payment).
pub struct GrantTrialAccess(pub Ctx);

impl JobHandler for GrantTrialAccess {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let Job::GrantTrialAccess {
                subscription_id, ..
            } = decode(job)?
            else {
                return Err(JobError::unexpected(job));
            };
            grant_access_as(&self.0, subscription_id, job.created_at, Welcome::Trial).await
        }
        .boxed()
    }
}

/// An operator's resend of a subscriber's invite: a fresh link (older ones revoked; a link this
/// job made on an earlier attempt is reused, so a retry sends the same one).
pub struct ResendInvite(pub Ctx);

impl JobHandler for ResendInvite {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let Job::ResendInvite { subscription_id } = decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            grant_access_as(&self.0, subscription_id, job.created_at, Welcome::Resent).await
        }
        .boxed()
    }
}

/// Why the subscriber gets in: the access DM says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Welcome {
    Paid,
    Trial,
    /// An operator sent a fresh invite.
    Resent,
}

/// Issues (or reuses) the subscriber's invite link and DMs it.
pub async fn grant_access(
    ctx: &Ctx,
    subscription_id: i64,
    since: crate::domain::time::UnixMillis,
) -> Result<(), JobError> {
    grant_access_as(ctx, subscription_id, since, Welcome::Paid).await
}

/// [`grant_access`], with the DM saying why the subscriber gets in.
pub async fn grant_access_as(
    ctx: &Ctx,
    subscription_id: i64,
    since: crate::domain::time::UnixMillis,
    welcome: Welcome,
) -> Result<(), JobError> {
    let db = &ctx.db;
    let now = ctx.clock.now();
    let sub = db
        .subscription(subscription_id)
        .await
        .map_err(JobError::retryable)?
        .ok_or_else(|| {
            JobError::terminal(anyhow::anyhow!("subscription {subscription_id} not found"))
        })?;
    if !sub.is_active(now) {
        // Expired again before we got here: nothing to grant.
        return Ok(());
    }
    let channel = db
        .channel(sub.channel_id)
        .await
        .map_err(JobError::retryable)?
        .ok_or_else(|| {
            JobError::terminal(anyhow::anyhow!("channel {} not found", sub.channel_id))
        })?;
    let link = match db
        .live_invite_links(sub.id)
        .await
        .map_err(JobError::retryable)?
        .into_iter()
        .rev()
        .find(|l| l.created_at >= since)
    {
        Some(l) => l.link,
        None => issue_link(ctx, &sub, &channel).await?,
    };
    send_access_dm(ctx, &sub, &channel, &link, welcome).await
}

/// Revokes the subscription's older links, then creates and records a new one.
pub async fn issue_link(
    ctx: &Ctx,
    sub: &Subscription,
    channel: &Channel,
) -> Result<String, JobError> {
    let now = ctx.clock.now();
    let chat = ChatId(channel.chat_id);
    for old in ctx
        .db
        .live_invite_links(sub.id)
        .await
        .map_err(JobError::retryable)?
    {
        match ctx
            .bot
            .revoke_chat_invite_link(chat, old.link.clone())
            .await
        {
            Ok(_) => {}
            Err(e) if classify(&e) == TgFailure::Transient => {
                return Err(job_error(e, "revokeChatInviteLink"));
            }
            // Already gone on Telegram's side: nothing left to revoke.
            Err(e) => {
                tracing::warn!(error = %ctx.redact(&e.to_string()), "could not revoke an old invite link")
            }
        }
        ctx.db
            .mark_invite_revoked(old.id, now)
            .await
            .map_err(JobError::retryable)?;
    }
    let name = format!("TelePay {}", sub.id % 1_000_000_000);
    let (request, expires) = match channel.access_mode {
        AccessMode::JoinRequest => (
            ctx.bot
                .create_chat_invite_link(chat)
                .name(name)
                .creates_join_request(true),
            None,
        ),
        AccessMode::OneTimeLink => {
            let expires = now.saturating_add(ctx.config.rules.invite_ttl);
            let at: DateTime<Utc> = expires.to_datetime().unwrap_or_else(Utc::now);
            (
                ctx.bot
                    .create_chat_invite_link(chat)
                    .name(name)
                    .member_limit(1)
                    .expire_date(at),
                Some(expires),
            )
        }
    };
    let created = match request.await {
        Ok(l) => l,
        Err(e) => {
            if classify(&e) == TgFailure::NoRights {
                report_lost_rights(ctx, channel).await;
            }
            return Err(job_error(e, "createChatInviteLink"));
        }
    };
    ctx.db
        .record_invite_link(
            sub.id,
            &created.invite_link,
            channel.access_mode.as_str(),
            expires,
            now,
        )
        .await
        .map_err(JobError::retryable)?;
    Ok(created.invite_link)
}

async fn send_access_dm(
    ctx: &Ctx,
    sub: &Subscription,
    channel: &Channel,
    link: &str,
    welcome: Welcome,
) -> Result<(), JobError> {
    let user = ctx
        .db
        .get_user(sub.user_id)
        .await
        .map_err(JobError::retryable)?;
    let lang = user.as_ref().map(|u| u.lang()).unwrap_or_default();
    let key = match (welcome, channel.access_mode) {
        (Welcome::Paid, AccessMode::JoinRequest) => "access-granted-request",
        (Welcome::Paid, AccessMode::OneTimeLink) => "access-granted-link",
        (Welcome::Trial, AccessMode::JoinRequest) => "trial-access-request",
        (Welcome::Trial, AccessMode::OneTimeLink) => "trial-access-link",
        (Welcome::Resent, AccessMode::JoinRequest) => "access-resent-request",
        (Welcome::Resent, AccessMode::OneTimeLink) => "access-resent-link",
    };
    let text = t_args(
        lang,
        key,
        &[
            ("channel", Arg::from(channel.title.as_str())),
            ("expires", Arg::Html(sub.expires_at.to_string())),
        ],
    );
    let url = match link.parse() {
        Ok(u) => u,
        Err(e) => {
            return Err(JobError::terminal(anyhow::anyhow!(
                "invite link is not a URL: {e}"
            )));
        }
    };
    let keyboard = InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::url(
        t(lang, "access-join-button"),
        url,
    )]]);
    match ctx
        .bot
        .send_message(ChatId(sub.user_id), text)
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard)
        .await
    {
        Ok(_) => {
            tracing::info!(
                user_id = sub.user_id,
                subscription_id = sub.id,
                channel_id = sub.channel_id,
                "access granted; invite link sent"
            );
            Ok(())
        }
        Err(e) if classify(&e) == TgFailure::UserUnreachable => {
            tracing::info!(
                user_id = sub.user_id,
                subscription_id = sub.id,
                "access granted; the subscriber cannot be messaged (link via /access)"
            );
            // They can still get the link with /access once they unblock the bot.
            let _ = ctx
                .db
                .set_user_unreachable(sub.user_id, true, ctx.clock.now())
                .await;
            Ok(())
        }
        Err(e) => Err(job_error(e, "sendMessage (access)")),
    }
}

/// The bot cannot invite or remove members: sales pause and the owner is told (once).
pub async fn report_lost_rights(ctx: &Ctx, channel: &Channel) {
    let now = ctx.clock.now();
    if let Err(e) = ctx.db.rights_changed(channel.id, false, now).await {
        tracing::error!(error = %e, "could not mark lost rights");
    }
}

/// Registers the job handlers of this module.
pub fn register(runner: &mut crate::jobs::JobRunner, ctx: &Ctx) {
    runner.register(
        crate::domain::job_kinds::GRANT_ACCESS,
        Arc::new(GrantAccess(ctx.clone())),
    );
    runner.register(
        crate::domain::job_kinds::GRANT_TRIAL_ACCESS,
        Arc::new(GrantTrialAccess(ctx.clone())),
    );
    runner.register(
        crate::domain::job_kinds::RESEND_INVITE,
        Arc::new(ResendInvite(ctx.clone())),
    );
}
