//! Test-facing helpers: set up the world, look at it, wait for things, inject faults.

use std::time::Duration;

use serde_json::Value;

use super::TelegramSim;
use super::commands::{self, CommandScope};
use super::methods;
use super::state::{Fault, State};
use super::{
    AdminRights, DeliveryRecord, InviteLink, JoinRequest, MemberStatus, NewChat, NewUser,
    RecordedCall, SimChat, SimError, SimMessage, SimUser,
};

impl TelegramSim {
    /// Runs `f` on the state, then wakes pollers, the webhook worker and waiters.
    pub(crate) fn mutate<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let out = f(&mut self.shared.state());
        self.shared.touch();
        out
    }

    fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.shared.state())
    }

    // ---- setting up the world -------------------------------------------------

    /// Adds (or replaces) a user and returns their id.
    pub fn add_user(&self, user: NewUser) -> i64 {
        let user = user.0;
        let id = user.id;
        self.mutate(|st| st.users.insert(id, user));
        id
    }

    /// Adds a channel or supergroup (see [`NewChat`]) and returns its id. The bot
    /// is not a member until [`Self::set_bot_rights`] or an injected `my_chat_member`.
    pub fn add_chat(&self, chat: NewChat) -> i64 {
        let id = chat.chat.id;
        self.mutate(|st| {
            st.chats.insert(id, chat.chat);
            if let Some(owner) = chat.owner {
                st.set_status(
                    id,
                    owner,
                    MemberStatus::Creator {
                        is_anonymous: false,
                    },
                );
            }
        });
        id
    }

    /// Shorthand for a private channel with this id and title.
    pub fn add_channel(&self, id: i64, title: &str) -> i64 {
        self.add_chat(NewChat::channel(id, title))
    }

    /// Sets a user's status in a chat directly, without producing an update.
    pub fn set_member(&self, chat_id: i64, user_id: i64, status: MemberStatus) {
        self.mutate(|st| st.set_status(chat_id, user_id, status));
    }

    /// Makes the bot an administrator of `chat_id` with `rights` (no update).
    pub fn set_bot_rights(&self, chat_id: i64, rights: AdminRights) {
        let bot = self.bot_id();
        self.set_member(chat_id, bot, MemberStatus::Administrator(rights));
    }

    /// Sets the bot's own status in a chat directly (no update).
    pub fn set_bot_status(&self, chat_id: i64, status: MemberStatus) {
        let bot = self.bot_id();
        self.set_member(chat_id, bot, status);
    }

    /// Flags a user as having started (or not) the bot, without any update.
    pub fn set_started(&self, user_id: i64, started: bool) {
        self.mutate(|st| st.users.get_mut(&user_id).map(|u| u.started = started));
    }

    /// Moves the simulator's unix clock (dates, link expiry, ban ends) forward.
    pub fn advance_clock(&self, by: Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.mutate(|st| st.clock_offset = st.clock_offset.saturating_add(secs));
    }

    /// Unix seconds on the simulator's clock.
    pub fn now(&self) -> i64 {
        self.read(State::now)
    }

    // ---- looking at it ----------------------------------------------------------

    /// A user as the simulator knows them.
    pub fn user(&self, user_id: i64) -> Option<SimUser> {
        self.read(|st| st.users.get(&user_id).cloned())
    }

    /// A group or channel.
    pub fn chat(&self, chat_id: i64) -> Option<SimChat> {
        self.read(|st| st.chats.get(&chat_id).cloned())
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.read(|st| st.calls.clone())
    }

    /// Calls of one method (any spelling: `SendMessage`, `sendMessage`).
    pub fn calls_of(&self, method: &str) -> Vec<RecordedCall> {
        let wanted = methods::normalize(method).unwrap_or(method);
        self.read(|st| {
            st.calls
                .iter()
                .filter(|c| c.method.eq_ignore_ascii_case(wanted))
                .cloned()
                .collect()
        })
    }

    /// Messages in a chat as they are now: edits applied, deleted ones left out.
    pub fn messages_in(&self, chat_id: i64) -> Vec<SimMessage> {
        self.read(|st| {
            st.logs
                .get(&chat_id)
                .map(|log| {
                    log.messages
                        .values()
                        .filter(|m| !m.deleted)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// One message, including deleted ones (see [`SimMessage::deleted`]).
    pub fn message(&self, chat_id: i64, message_id: i32) -> Option<SimMessage> {
        self.read(|st| st.message(chat_id, message_id).cloned())
    }

    /// The bot's latest undeleted message in the user's private chat.
    pub fn last_message_to(&self, user_id: i64) -> Option<SimMessage> {
        self.messages_in(user_id)
            .into_iter()
            .rev()
            .find(|m| m.from_bot)
    }

    /// Every user with a recorded status in the chat (the bot included).
    pub fn members(&self, chat_id: i64) -> Vec<(i64, MemberStatus)> {
        self.read(|st| {
            st.members
                .get(&chat_id)
                .map(|m| m.iter().map(|(k, v)| (*k, *v)).collect())
                .unwrap_or_default()
        })
    }

    /// A user's status in a chat (`Left` when unknown).
    pub fn member_status(&self, chat_id: i64, user_id: i64) -> MemberStatus {
        self.read(|st| st.status(chat_id, user_id))
    }

    /// Invite links of a chat, oldest first.
    pub fn invite_links(&self, chat_id: i64) -> Vec<InviteLink> {
        self.read(|st| {
            st.links
                .iter()
                .filter(|l| l.chat_id == chat_id)
                .cloned()
                .collect()
        })
    }

    /// Pending join requests of a chat.
    pub fn join_requests(&self, chat_id: i64) -> Vec<JoinRequest> {
        self.read(|st| {
            st.join_requests
                .iter()
                .filter(|r| r.chat_id == chat_id)
                .cloned()
                .collect()
        })
    }

    /// Updates still queued (not yet confirmed by an offset or delivered).
    pub fn pending_updates(&self) -> Vec<Value> {
        self.read(|st| st.updates.iter().map(|u| u.body.clone()).collect())
    }

    /// Webhook delivery attempts so far.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.read(|st| st.deliveries.clone())
    }

    /// The current webhook URL, if one is set.
    pub fn webhook_url(&self) -> Option<String> {
        self.read(|st| st.webhook.as_ref().map(|w| w.url.clone()))
    }

    /// Commands stored by `setMyCommands` for the default scope and a language
    /// (`""` for all languages).
    pub fn my_commands(&self, language_code: &str) -> Option<Value> {
        self.commands_in(CommandScope::Default, language_code)
    }

    /// Commands stored for exactly this scope and language (`""`: the list for every
    /// language without its own), as `getMyCommands` would return them.
    pub fn commands_in(&self, scope: CommandScope, language_code: &str) -> Option<Value> {
        let key = (scope, language_code.to_owned());
        self.read(|st| st.commands.get(&key).cloned())
    }

    /// The command list `user_id`'s client shows in the private chat with the bot, picked in
    /// the Bot API's order (chat, all_private_chats, default; each in the user's language
    /// first). `None` when no list applies.
    pub fn commands_seen_by(&self, user_id: i64) -> Option<Value> {
        self.read(|st| commands::seen_in_private_chat(st, user_id).cloned())
    }

    /// The command names of [`Self::commands_seen_by`] (empty when none applies).
    pub fn command_names_seen_by(&self, user_id: i64) -> Vec<String> {
        names(self.commands_seen_by(user_id))
    }

    /// The command list `user_id` sees in the group or supergroup `chat_id`, in the Bot
    /// API's order for groups (chat_member, chat_administrators, chat,
    /// all_chat_administrators, all_group_chats, default).
    pub fn commands_seen_in_group(&self, chat_id: i64, user_id: i64) -> Option<Value> {
        self.read(|st| commands::seen_in_group(st, chat_id, user_id).cloned())
    }

    /// Forgets every stored command list (as if the bot had never set any).
    pub fn forget_commands(&self) {
        self.mutate(|st| st.commands.clear());
    }

    // ---- waiting ------------------------------------------------------------------

    /// Re-evaluates `probe` after every call and state change until it returns
    /// `Some`, or fails after `timeout`. Replaces sleeps in tests.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut probe: impl FnMut(&TelegramSim) -> Option<T>,
    ) -> Result<T, SimError> {
        self.shared
            .hub
            .wait_until(timeout, || probe(self))
            .await
            .ok_or(SimError::Timeout(timeout))
    }

    /// Waits until `predicate` holds.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        mut predicate: impl FnMut(&TelegramSim) -> bool,
    ) -> Result<(), SimError> {
        self.wait_until(timeout, |sim| predicate(sim).then_some(()))
            .await
    }

    /// Waits until at least `count` calls of `method` were made; returns them all.
    pub async fn wait_for_calls(
        &self,
        method: &str,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedCall>, SimError> {
        self.wait_until(timeout, |sim| {
            Some(sim.calls_of(method)).filter(|c| c.len() >= count)
        })
        .await
    }

    /// Waits for a current message in `chat_id` matching `predicate`.
    pub async fn wait_for_message(
        &self,
        chat_id: i64,
        timeout: Duration,
        mut predicate: impl FnMut(&SimMessage) -> bool,
    ) -> Result<SimMessage, SimError> {
        self.wait_until(timeout, |sim| {
            sim.messages_in(chat_id).into_iter().find(|m| predicate(m))
        })
        .await
    }

    // ---- faults --------------------------------------------------------------------

    /// Makes the next call of `method` fail with this error (FIFO per method).
    /// With `retry_after`, the reply carries `parameters.retry_after`, which
    /// teloxide turns into `RequestError::RetryAfter`. Codes ≥ 500 make teloxide
    /// sleep 10 s before it even reads the reply.
    pub fn fail_next(
        &self,
        method: &str,
        error_code: u16,
        description: &str,
        retry_after: Option<u32>,
    ) {
        let key = methods::normalize(method).map_or_else(|| method.to_owned(), str::to_owned);
        let fault = Fault {
            code: error_code,
            description: description.to_owned(),
            retry_after,
        };
        self.mutate(|st| st.faults.push(key, fault));
    }

    /// Delays every reply of `method` by `delay` (`None` removes the delay).
    pub fn set_delay(&self, method: &str, delay: Option<Duration>) {
        let key = methods::normalize(method).map_or_else(|| method.to_owned(), str::to_owned);
        self.mutate(|st| match delay {
            Some(d) => st.delays.insert(key, d),
            None => st.delays.remove(&key),
        });
    }
}

/// The `command` fields of a list of `BotCommand`s.
fn names(list: Option<Value>) -> Vec<String> {
    list.as_ref()
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|c| c.get("command").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
