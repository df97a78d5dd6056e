//! The command menus Telegram shows, so nobody sees commands they cannot use.
//!
//! Telegram keeps one list per (scope, language) and shows a private chat the first list set
//! among: that chat (with the user's language, then without), all private chats, default
//! (Bot API, "Determining list of commands"). So:
//! - the `default` scope, without a language and in each of ours, has everyone's commands;
//! - an owner's chat (`chat` scope) has everyone's plus the owners' commands;
//! - an operator's chat has all of those plus /admin (an operator who owns channels too gets
//!   this list: it is a superset).
//!
//! A chat's list replaces the default one in that chat, whatever the client's language, so it
//! is set in the user's own language (their /language choice, else Telegram's).
//!
//! Chat lists change through durable [`Job::CommandMenu`] jobs (queued with the change that
//! causes them: a channel registered or deleted, a language chosen), which look at what the
//! user may use when they run, so a failed Telegram call is retried and never lost. At
//! start-up, after the server listens, a background task sets the default lists and every
//! operator's and owner's list with a few calls at a time.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};
use tokio_util::sync::CancellationToken;

use super::TgBot;
use crate::access::telegram_errors::{TgFailure, classify, job_error};
use crate::domain::job::Job;
use crate::domain::job_kinds;
use crate::domain::lang::Lang;
use crate::i18n::t;
use crate::jobs::{JobError, JobHandler, JobRunner, decode};
use crate::services::Ctx;
use crate::store::jobs::ClaimedJob;
use crate::store::{Db, StoreError, outbox};

/// Who a menu is for; each is a superset of the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Audience {
    /// Anyone: a subscriber, or someone who has not registered a channel yet.
    Everyone,
    /// Someone with a live channel.
    Owner,
    /// An operator (ADMIN_IDS).
    Admin,
}

/// How many users' menus start-up sets at once.
const STARTUP_CONCURRENCY: usize = 4;

fn command(lang: Lang, name: &str) -> BotCommand {
    BotCommand::new(name, t(lang, &format!("cmd-{name}")))
}

/// The menu of `audience` in `lang`.
pub fn commands(audience: Audience, lang: Lang) -> Vec<BotCommand> {
    let mut names = vec!["start", "subscriptions", "access", "status"];
    if audience >= Audience::Owner {
        names.extend(["addchannel", "channels", "balance"]);
    }
    names.extend(["language", "help"]);
    if audience >= Audience::Admin {
        names.extend(["admin", "lookup"]);
    }
    names.into_iter().map(|n| command(lang, n)).collect()
}

/// What `user_id` may use now.
pub async fn audience_of(ctx: &Ctx, user_id: i64) -> Result<Audience, StoreError> {
    Ok(if ctx.config.admin_ids.contains(&user_id) {
        Audience::Admin
    } else if ctx.db.has_live_channels(user_id).await? {
        Audience::Owner
    } else {
        Audience::Everyone
    })
}

/// Sets everyone's menu: the `default` scope without a language (English) and in each
/// language we speak.
pub async fn set_default(bot: &TgBot) -> Result<(), RequestError> {
    bot.set_my_commands(commands(Audience::Everyone, Lang::En))
        .await?;
    for lang in Lang::ALL {
        bot.set_my_commands(commands(Audience::Everyone, lang))
            .language_code(lang.code())
            .await?;
    }
    Ok(())
}

fn chat_scope(user_id: i64) -> BotCommandScope {
    BotCommandScope::Chat {
        chat_id: Recipient::Id(ChatId(user_id)),
    }
}

/// Why a user's menu was not set.
#[derive(Debug, thiserror::Error)]
pub enum MenuError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Telegram(#[from] RequestError),
}

/// Sets the menu of `user_id`'s private chat to what they may use now: the owners' or the
/// operators' list, or none of their own (deleted: the chat falls back to everyone's).
pub async fn apply(ctx: &Ctx, user_id: i64) -> Result<Audience, MenuError> {
    let audience = audience_of(ctx, user_id).await?;
    match audience {
        Audience::Everyone => {
            ctx.bot
                .delete_my_commands()
                .scope(chat_scope(user_id))
                .await?;
        }
        Audience::Owner | Audience::Admin => {
            let lang = ctx.db.user_lang(user_id).await;
            ctx.bot
                .set_my_commands(commands(audience, lang))
                .scope(chat_scope(user_id))
                .await?;
        }
    }
    Ok(audience)
}

/// Queues a check of `user_id`'s menu (its own transaction; no key: it always runs).
pub async fn enqueue(ctx: &Ctx, user_id: i64) -> Result<(), StoreError> {
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin_write().await?;
    outbox::enqueue_menu(&mut tx, user_id, None, now).await?;
    tx.commit().await?;
    ctx.jobs_wake.notify_one();
    Ok(())
}

/// Queues a check of the menu of a user who now speaks another language, when their chat has
/// a list of its own (an owner's or an operator's). Failures are logged: the menu is a
/// convenience, the language change stands.
pub async fn after_language_change(ctx: &Ctx, user_id: i64) {
    let res = match audience_of(ctx, user_id).await {
        Ok(Audience::Everyone) => Ok(()),
        Ok(_) => enqueue(ctx, user_id).await,
        Err(e) => Err(e),
    };
    if let Err(e) = res {
        tracing::warn!(error = %e, "could not queue the command menu in the new language");
    }
}

/// The [`Job::CommandMenu`] handler.
pub struct CommandMenu(pub Ctx);

impl JobHandler for CommandMenu {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> BoxFuture<'a, Result<(), JobError>> {
        async move {
            let Job::CommandMenu { user_id } = decode(job)? else {
                return Err(JobError::unexpected(job));
            };
            match apply(&self.0, user_id).await {
                Ok(_) => Ok(()),
                Err(MenuError::Store(e)) => Err(JobError::retryable(e)),
                Err(MenuError::Telegram(e)) => match classify(&e) {
                    // A chat the bot cannot reach (never opened, or gone) has no menu to set;
                    // the next start-up or /start sets it.
                    TgFailure::UserUnreachable | TgFailure::NoRights => {
                        tracing::info!(user_id, "command menu not set: the chat is not reachable");
                        Ok(())
                    }
                    _ => Err(job_error(e, "setMyCommands (chat menu)")),
                },
            }
        }
        .boxed()
    }
}

pub fn register(runner: &mut JobRunner, ctx: &Ctx) {
    runner.register(job_kinds::COMMAND_MENU, Arc::new(CommandMenu(ctx.clone())));
}

/// The setting that remembers which operators start-up last gave the operators' list, so the
/// next start-up can take it back from one no longer in `ADMIN_IDS`.
const MENU_ADMINS: &str = "command_menu_admins";

/// Whose chat has a list of its own: operators and owners, and the operators of the last
/// start-up (one removed from `ADMIN_IDS` since gets the list they may use now).
async fn users_with_own_menu(db: &Db, admins: &BTreeSet<i64>) -> Result<Vec<i64>, StoreError> {
    let mut users: BTreeSet<i64> = admins.clone();
    users.extend(db.owners_with_live_channels().await?);
    users.extend(previous_admins(db).await?);
    Ok(users.into_iter().collect())
}

async fn previous_admins(db: &Db) -> Result<BTreeSet<i64>, StoreError> {
    Ok(db
        .get_setting(MENU_ADMINS)
        .await?
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse::<i64>().ok())
        .collect())
}

/// Start-up: the default lists, then every operator's and owner's, a few at a time. Runs in
/// the background after the server listens; stops when `stop` fires. A user whose call fails
/// for a passing reason gets a durable job instead.
pub async fn at_startup(ctx: Ctx, stop: CancellationToken) {
    let work = async {
        if let Err(e) = set_default(&ctx.bot).await {
            tracing::warn!(error = %ctx.redact(&e.to_string()), "could not set the default command menus");
        }
        let users = match users_with_own_menu(&ctx.db, &ctx.config.admin_ids).await {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(error = %e, "could not list the owners for their command menus");
                return;
            }
        };
        futures::stream::iter(users)
            .for_each_concurrent(STARTUP_CONCURRENCY, |user_id| {
                let ctx = &ctx;
                async move { startup_one(ctx, user_id).await }
            })
            .await;
        let admins: Vec<String> = ctx.config.admin_ids.iter().map(i64::to_string).collect();
        if let Err(e) = ctx
            .db
            .put_setting(MENU_ADMINS, &admins.join(","), ctx.clock.now())
            .await
        {
            tracing::warn!(error = %e, "could not remember the operators given a menu");
        }
        tracing::info!("command menus set");
    };
    tokio::select! {
        () = stop.cancelled() => {}
        () = work => {}
    }
}

async fn startup_one(ctx: &Ctx, user_id: i64) {
    let retry = match apply(ctx, user_id).await {
        Ok(_) => false,
        Err(MenuError::Store(_)) => true,
        Err(MenuError::Telegram(e)) => match classify(&e) {
            TgFailure::Transient => true,
            // An operator who never opened the bot has no chat yet: /start sets it later.
            TgFailure::UserUnreachable | TgFailure::NoRights => {
                tracing::info!(
                    user_id,
                    "command menu not set (has this user opened the bot?)"
                );
                false
            }
            TgFailure::Permanent => {
                // The error text may carry the request URL (with the token): redacted.
                tracing::warn!(user_id, error = %ctx.redact(&e.to_string()), "command menu refused");
                false
            }
        },
    };
    if retry && let Err(e) = enqueue(ctx, user_id).await {
        tracing::warn!(user_id, error = %e, "could not queue the command menu");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(a: Audience) -> Vec<String> {
        commands(a, Lang::En)
            .into_iter()
            .map(|c| c.command)
            .collect()
    }

    #[test]
    fn each_menu_is_a_superset_of_the_one_before_and_only_admins_see_admin() {
        let everyone = names(Audience::Everyone);
        let owner = names(Audience::Owner);
        let admin = names(Audience::Admin);
        for c in ["addchannel", "channels", "balance", "admin"] {
            assert!(!everyone.contains(&c.to_owned()), "{c} in everyone's menu");
        }
        assert!(!owner.contains(&"admin".to_owned()));
        assert!(everyone.iter().all(|c| owner.contains(c)));
        assert!(owner.iter().all(|c| admin.contains(c)));
        assert!(admin.contains(&"admin".to_owned()));
    }

    #[test]
    fn every_menu_entry_is_a_command_the_bot_parses_with_a_valid_description() {
        use teloxide::utils::command::BotCommands;
        for lang in Lang::ALL {
            for c in commands(Audience::Admin, lang) {
                assert!(
                    super::super::commands::Command::parse(&format!("/{}", c.command), "bot")
                        .is_ok(),
                    "{}",
                    c.command
                );
                let n = c.description.chars().count();
                assert!((3..=256).contains(&n), "{lang} {}: {n}", c.command);
            }
        }
    }
}
