//! Per-user flood protection: one user sending hundreds of updates cannot slow anyone else.
//!
//! Why it is needed: teloxide's `Dispatcher` hands every update to its chat's worker through a
//! bounded queue (64 by default) and *awaits* when that queue is full. Answers to one chat go
//! out at most once a second (Telegram's limit, kept by the shared `Throttle`), so a user who
//! sends 200 messages fills their queue within a second and the dispatcher then waits on it,
//! taking no update from anybody else until the flooder's backlog drains (minutes).
//!
//! What this module does, before an update reaches the dispatcher's queues:
//! - [`GuardedListener`] wraps the update listener (polling and webhook alike) and asks
//!   [`FloodGuard::admit`] about every private message and callback query. The check is a
//!   few arithmetic operations under a mutex; it never awaits, and anything it must send
//!   (the notice, a callback answer) is spawned.
//! - Each user has a token bucket of [`BURST`] updates, refilled by one every
//!   [`REFILL_EVERY`] (20 per 10 s sustained). Each worker queue may hold at most
//!   [`MAX_BACKLOG`] admitted updates that are not handled yet, so the dispatcher never
//!   meets a full queue. What exceeds either is dropped, logged and counted
//!   (`bot_updates_dropped_total{reason}`).
//! - The first drop in a [`NOTICE_EVERY`] window tells the user to slow down, in their
//!   language; a dropped button press is still answered so the client's spinner stops.
//! - [`FloodGuard::track`] wraps the handler tree to count an update as handled when its
//!   handler returns, and [`worker_key`] gives a callback query its user's worker rather than
//!   the worker of the chat the button is in (a popular channel post must not serialise
//!   every subscriber's checkout behind one queue).
//!
//! The `Throttle` itself does not need changing once this holds: a worker handles one update
//! at a time, so one chat has at most one answer waiting in the `Throttle` queue and cannot
//! crowd out the other chats' answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::prelude::*;
use teloxide::stop::StopToken;
use teloxide::types::{AllowedUpdate, ParseMode, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::domain::lang::Lang;
use crate::i18n::t;
use crate::services::Ctx;

/// Updates one user may send in a burst before the excess is dropped.
pub const BURST: u32 = 20;
/// One more update is allowed per this interval (a full bucket again after 10 s).
pub const REFILL_EVERY: Duration = Duration::from_millis(500);
/// Admitted updates per worker not yet handled. Well below teloxide's worker queue (64), so
/// the dispatcher never waits for a queue with room.
pub const MAX_BACKLOG: u32 = 10;
/// At most one "slow down" notice per user in this window.
pub const NOTICE_EVERY: Duration = Duration::from_secs(60);
/// Dropped button presses answered at the same time, at most (beyond that the client's
/// spinner simply times out).
const CALLBACK_ANSWERS_IN_FLIGHT: usize = 8;
/// Forget idle users once this many are tracked.
const PRUNE_ABOVE: usize = 4096;

/// The dispatcher's distribution key: a callback query goes to its user's worker (the same
/// as their private chat's), everything else to its chat's worker, as teloxide does.
pub fn worker_key(update: &Update) -> Option<ChatId> {
    match &update.kind {
        UpdateKind::CallbackQuery(q) => Some(user_chat(q.from.id)),
        _ => update.chat().map(|c| c.id),
    }
}

fn user_chat(user: UserId) -> ChatId {
    ChatId(i64::try_from(user.0).unwrap_or(i64::MAX))
}

/// The updates a user sends on purpose and the bot answers: private messages and button
/// presses. Membership updates, join requests and group chatter pass unguarded (they are
/// answered without Telegram sends, or not at all).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Subject {
    user: UserId,
    worker: ChatId,
    callback_id: Option<String>,
    language_code: Option<String>,
}

fn subject(update: &Update) -> Option<Subject> {
    match &update.kind {
        // A Telegram Stars `successful_payment` is never dropped: the user was charged already.
        UpdateKind::Message(m) if m.chat.is_private() && m.successful_payment().is_none() => {
            let from = m.from.as_ref()?;
            Some(Subject {
                user: from.id,
                worker: m.chat.id,
                callback_id: None,
                language_code: from.language_code.clone(),
            })
        }
        UpdateKind::CallbackQuery(q) => Some(Subject {
            user: q.from.id,
            worker: user_chat(q.from.id),
            callback_id: Some(q.id.0.clone()),
            language_code: q.from.language_code.clone(),
        }),
        _ => None,
    }
}

/// Why an update was dropped (the metric's `reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// The user's token bucket is empty.
    Budget,
    /// Their worker already holds [`MAX_BACKLOG`] updates.
    Backlog,
}

impl DropReason {
    fn as_str(self) -> &'static str {
        match self {
            DropReason::Budget => "budget",
            DropReason::Backlog => "backlog",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Admit,
    /// Dropped; `notice` when this is the first drop of the user's notice window.
    Drop {
        reason: DropReason,
        notice: bool,
    },
}

#[derive(Debug)]
struct Bucket {
    tokens: u32,
    refilled_at: Instant,
    last_notice: Option<Instant>,
}

impl Bucket {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.refilled_at);
        let steps = elapsed.as_nanos() / REFILL_EVERY.as_nanos().max(1);
        let steps = u32::try_from(steps).unwrap_or(u32::MAX);
        if steps == 0 {
            return;
        }
        self.tokens = self.tokens.saturating_add(steps).min(BURST);
        self.refilled_at = if self.tokens == BURST {
            now
        } else {
            self.refilled_at + REFILL_EVERY * steps
        };
    }

    fn idle(&self, now: Instant) -> bool {
        self.tokens == BURST
            && self
                .last_notice
                .is_none_or(|t| now.saturating_duration_since(t) >= NOTICE_EVERY)
    }
}

/// The bookkeeping, apart from the effects, so it can be tested with chosen instants.
#[derive(Debug, Default)]
pub struct Budgets {
    users: HashMap<UserId, Bucket>,
    backlog: HashMap<ChatId, u32>,
    checks: u64,
}

impl Budgets {
    /// Decides about one update from `user` for `worker` at `now`; an admitted update counts
    /// against the worker's backlog until [`Budgets::done`].
    pub fn check(&mut self, user: UserId, worker: ChatId, now: Instant) -> Verdict {
        self.checks = self.checks.wrapping_add(1);
        if self.checks.is_multiple_of(1024) && self.users.len() > PRUNE_ABOVE {
            self.users.retain(|_, b| {
                b.refill(now);
                !b.idle(now)
            });
        }
        let bucket = self.users.entry(user).or_insert(Bucket {
            tokens: BURST,
            refilled_at: now,
            last_notice: None,
        });
        bucket.refill(now);
        let backlog = self.backlog.get(&worker).copied().unwrap_or(0);
        let reason = if backlog >= MAX_BACKLOG {
            DropReason::Backlog
        } else if bucket.tokens == 0 {
            DropReason::Budget
        } else {
            bucket.tokens -= 1;
            *self.backlog.entry(worker).or_insert(0) += 1;
            return Verdict::Admit;
        };
        let notice = bucket
            .last_notice
            .is_none_or(|t| now.saturating_duration_since(t) >= NOTICE_EVERY);
        if notice {
            bucket.last_notice = Some(now);
        }
        Verdict::Drop { reason, notice }
    }

    /// An admitted update for `worker` has been handled.
    pub fn done(&mut self, worker: ChatId) {
        if let Some(n) = self.backlog.get_mut(&worker) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.backlog.remove(&worker);
            }
        }
    }
}

/// The flood guard of one running bot.
pub struct FloodGuard {
    ctx: Ctx,
    budgets: Mutex<Budgets>,
    callback_answers: Arc<Semaphore>,
}

impl FloodGuard {
    pub fn new(ctx: Ctx) -> Arc<FloodGuard> {
        Arc::new(FloodGuard {
            ctx,
            budgets: Mutex::new(Budgets::default()),
            callback_answers: Arc::new(Semaphore::new(CALLBACK_ANSWERS_IN_FLIGHT)),
        })
    }

    fn budgets(&self) -> std::sync::MutexGuard<'_, Budgets> {
        // The bookkeeping stays consistent even if a holder panicked mid-way.
        self.budgets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `update` may go on to the dispatcher. Never awaits: what a drop must send is
    /// spawned.
    pub fn admit(&self, update: &Update) -> bool {
        let Some(who) = subject(update) else {
            return true;
        };
        let verdict = self.budgets().check(who.user, who.worker, Instant::now());
        let Verdict::Drop { reason, notice } = verdict else {
            return true;
        };
        metrics::counter!(crate::telemetry::names::BOT_UPDATES_DROPPED, "reason" => reason.as_str()).increment(1);
        tracing::debug!(
            user_id = who.user.0,
            reason = reason.as_str(),
            "update dropped"
        );
        if notice {
            metrics::counter!(crate::telemetry::names::BOT_FLOOD_NOTICES).increment(1);
            tracing::warn!(
                user_id = who.user.0,
                reason = reason.as_str(),
                "a user is sending faster than their budget; dropping the excess"
            );
        }
        self.after_drop(who, notice);
        false
    }

    /// Tells the user, when due, and stops the spinner of a dropped button press.
    fn after_drop(&self, who: Subject, notice: bool) {
        let ctx = self.ctx.clone();
        if let Some(callback_id) = who.callback_id {
            // Beyond the in-flight bound the press is left unanswered; it times out by itself.
            let Ok(permit) = self.callback_answers.clone().try_acquire_owned() else {
                return;
            };
            tokio::spawn(async move {
                let mut answer = ctx
                    .bot
                    .answer_callback_query(teloxide::types::CallbackQueryId(callback_id));
                if notice {
                    let lang = language(&ctx, who.user, who.language_code.as_deref()).await;
                    answer = answer.text(t(lang, "flood-slow-down"));
                }
                if let Err(e) = answer.await {
                    tracing::debug!(error = %ctx.redact(&e.to_string()), "could not answer a dropped button press");
                }
                drop(permit);
            });
        } else if notice {
            tokio::spawn(async move {
                let lang = language(&ctx, who.user, who.language_code.as_deref()).await;
                let sent = ctx
                    .bot
                    .send_message(who.worker, t(lang, "flood-slow-down"))
                    .parse_mode(ParseMode::Html)
                    .await;
                if let Err(e) = sent {
                    tracing::debug!(error = %ctx.redact(&e.to_string()), "could not send the slow-down notice");
                }
            });
        }
    }

    /// Wraps an update listener so that updates over budget never reach the dispatcher.
    pub fn listener<L>(self: &Arc<Self>, inner: L) -> GuardedListener<L> {
        GuardedListener {
            inner,
            guard: self.clone(),
        }
    }

    /// Wraps the handler tree so that an admitted update stops counting against its
    /// worker's backlog once handled (also when the handler fails or panics).
    pub fn track(
        self: &Arc<Self>,
        handler: UpdateHandler<anyhow::Error>,
    ) -> UpdateHandler<anyhow::Error> {
        let guard = self.clone();
        let done_marker = dptree::from_fn_with_description(
            <DpHandlerDescription as dptree::HandlerDescription>::entry(),
            move |deps: dptree::di::DependencyMap, cont| {
                let counted = deps
                    .try_get::<Update>()
                    .and_then(|u| subject(&u))
                    .map(|s| s.worker);
                let done = counted.map(|worker| Handled {
                    guard: guard.clone(),
                    worker,
                });
                async move {
                    let out = cont(deps).await;
                    drop(done);
                    out
                }
            },
            dptree::HandlerSignature::Entry,
        );
        done_marker.chain(handler)
    }
}

/// Marks an admitted update handled when dropped, whatever way the handler ended.
struct Handled {
    guard: Arc<FloodGuard>,
    worker: ChatId,
}

impl Drop for Handled {
    fn drop(&mut self) {
        self.guard.budgets().done(self.worker);
    }
}

/// The user's chosen language (read from the database in the spawned task, never in the
/// check), else Telegram's, else English.
async fn language(ctx: &Ctx, user: UserId, telegram: Option<&str>) -> Lang {
    let id = i64::try_from(user.0).unwrap_or(i64::MAX);
    match ctx.db.get_user(id).await {
        Ok(Some(row)) => row.lang(),
        _ => Lang::negotiate(None, telegram),
    }
}

/// An update listener whose stream leaves out what the [`FloodGuard`] drops.
pub struct GuardedListener<L> {
    inner: L,
    guard: Arc<FloodGuard>,
}

impl<L> UpdateListener for GuardedListener<L>
where
    L: UpdateListener,
    L::Err: Send + 'static,
{
    type Err = L::Err;

    fn stop_token(&mut self) -> StopToken {
        self.inner.stop_token()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.inner.hint_allowed_updates(hint);
    }
}

impl<'a, L> AsUpdateStream<'a> for GuardedListener<L>
where
    L: UpdateListener,
    L::Err: Send + 'static,
{
    type StreamErr = L::Err;
    type Stream = BoxStream<'a, Result<Update, L::Err>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        let guard = self.guard.clone();
        self.inner
            .as_stream()
            .filter(move |item| {
                let pass = match item {
                    Ok(update) => guard.admit(update),
                    Err(_) => true,
                };
                futures::future::ready(pass)
            })
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: UserId = UserId(42);
    const W: ChatId = ChatId(42);

    #[test]
    fn a_burst_is_admitted_then_the_excess_dropped_with_one_notice() {
        let mut b = Budgets::default();
        let t0 = Instant::now();
        for i in 0..BURST {
            assert_eq!(b.check(U, W, t0), Verdict::Admit, "update {i}");
            b.done(W);
        }
        assert_eq!(
            b.check(U, W, t0),
            Verdict::Drop {
                reason: DropReason::Budget,
                notice: true
            }
        );
        for _ in 0..50 {
            assert_eq!(
                b.check(U, W, t0),
                Verdict::Drop {
                    reason: DropReason::Budget,
                    notice: false
                }
            );
        }
        // Another user is untouched.
        assert_eq!(b.check(UserId(7), ChatId(7), t0), Verdict::Admit);
        // One token back per interval; a full bucket after BURST intervals.
        assert_eq!(b.check(U, W, t0 + REFILL_EVERY), Verdict::Admit);
        b.done(W);
        let later = t0 + REFILL_EVERY * (BURST + 1);
        for _ in 0..BURST {
            assert_eq!(b.check(U, W, later), Verdict::Admit);
            b.done(W);
        }
        // Still inside the notice window: dropped silently.
        assert!(matches!(
            b.check(U, W, later),
            Verdict::Drop { notice: false, .. }
        ));
        // A new window, a new notice.
        let next = t0 + NOTICE_EVERY;
        let mut first_drop = b.check(U, W, next);
        while first_drop == Verdict::Admit {
            b.done(W);
            first_drop = b.check(U, W, next);
        }
        assert_eq!(
            first_drop,
            Verdict::Drop {
                reason: DropReason::Budget,
                notice: true
            }
        );
    }

    #[test]
    fn a_worker_never_holds_more_than_the_backlog() {
        let mut b = Budgets::default();
        let t0 = Instant::now();
        for _ in 0..MAX_BACKLOG {
            assert_eq!(b.check(U, W, t0), Verdict::Admit);
        }
        assert_eq!(
            b.check(U, W, t0),
            Verdict::Drop {
                reason: DropReason::Backlog,
                notice: true
            }
        );
        b.done(W);
        assert_eq!(b.check(U, W, t0), Verdict::Admit);
        // Unknown workers and extra completions do not underflow.
        b.done(ChatId(99));
        for _ in 0..100 {
            b.done(W);
        }
        assert!(b.backlog.is_empty());
    }
}
