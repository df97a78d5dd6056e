//! The simulator's world: users, chats, memberships, links, messages, the update
//! queue and the call log, all behind one mutex.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::SimConfig;
use super::commands::CommandScope;
use super::limits::RateLimiter;
use super::params::{ChatRef, MethodError};
use super::{
    ChatKind, DeliveryRecord, InviteLink, JoinRequest, MemberStatus, RecordedCall, SimChat,
    SimMessage, SimUser,
};
use crate::harness::Faults;

/// A queued update.
#[derive(Debug, Clone)]
pub(crate) struct QueuedUpdate {
    pub(crate) id: i64,
    pub(crate) kind: String,
    pub(crate) body: Value,
}

/// The current webhook.
#[derive(Debug, Clone)]
pub(crate) struct Webhook {
    pub(crate) url: String,
    pub(crate) secret_token: Option<String>,
    pub(crate) max_connections: u32,
}

/// A one-shot failure injected by a test.
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub(crate) code: u16,
    pub(crate) description: String,
    pub(crate) retry_after: Option<u32>,
}

/// A callback query waiting for `answerCallbackQuery`.
#[derive(Debug, Clone)]
pub(crate) struct PendingCallback {
    pub(crate) created: Instant,
}

/// Messages of one chat.
#[derive(Debug, Default)]
pub(crate) struct ChatLog {
    pub(crate) last_id: i32,
    pub(crate) messages: BTreeMap<i32, SimMessage>,
}

pub(crate) struct State {
    pub(crate) bot: SimUser,
    /// Added to the wall clock for every unix date, so tests can move time forward.
    pub(crate) clock_offset: i64,
    pub(crate) users: BTreeMap<i64, SimUser>,
    /// Groups, supergroups and channels; private chats are implied by users.
    pub(crate) chats: BTreeMap<i64, SimChat>,
    /// chat id → user id → status.
    pub(crate) members: HashMap<i64, BTreeMap<i64, MemberStatus>>,
    /// chat id → user id → link they joined through (while they stay in).
    pub(crate) joined_via: HashMap<i64, HashMap<i64, String>>,
    pub(crate) links: Vec<InviteLink>,
    pub(crate) join_requests: Vec<JoinRequest>,
    pub(crate) logs: HashMap<i64, ChatLog>,
    pub(crate) callbacks: HashMap<String, PendingCallback>,
    pub(crate) updates: VecDeque<QueuedUpdate>,
    pub(crate) next_update_id: i64,
    /// `None` = Telegram's default set (everything except `chat_member` and reactions).
    pub(crate) allowed_updates: Option<Vec<String>>,
    pub(crate) webhook: Option<Webhook>,
    pub(crate) webhook_last_error: Option<(i64, String)>,
    /// Bumped by every `getUpdates`; an older poll that sees a newer number ends with 409.
    pub(crate) poll_generation: u64,
    pub(crate) calls: Vec<RecordedCall>,
    pub(crate) deliveries: Vec<DeliveryRecord>,
    /// Keyed by method name, first in first out per method.
    pub(crate) faults: Faults<String, Fault>,
    pub(crate) delays: HashMap<String, Duration>,
    pub(crate) limiter: RateLimiter,
    /// (scope, language code or `""`) → commands, as `setMyCommands` stored them.
    pub(crate) commands: BTreeMap<(CommandScope, String), Value>,
    pub(crate) counter: u64,
    /// Pre-checkout queries sent to the bot: id → its answer once given.
    pub(crate) pre_checkouts: HashMap<String, super::payments::PendingPreCheckout>,
    /// Invoices sent with `sendInvoice`, by (chat id, message id).
    pub(crate) invoices: HashMap<(i64, i32), super::payments::InvoiceTerms>,
    /// Links made with `createInvoiceLink`.
    pub(crate) invoice_links: HashMap<String, super::payments::InvoiceTerms>,
    /// Telegram Stars charges by `telegram_payment_charge_id`.
    pub(crate) charges: BTreeMap<String, super::payments::StarCharge>,
}

impl State {
    pub(crate) fn new(config: &SimConfig, bot_id: i64) -> Self {
        let bot = SimUser {
            id: bot_id,
            is_bot: true,
            first_name: config.bot_first_name.clone(),
            last_name: None,
            username: Some(config.bot_username.clone()),
            language_code: None,
            started: true,
            blocked: false,
        };
        Self {
            bot,
            clock_offset: 0,
            users: BTreeMap::new(),
            chats: BTreeMap::new(),
            members: HashMap::new(),
            joined_via: HashMap::new(),
            links: Vec::new(),
            join_requests: Vec::new(),
            logs: HashMap::new(),
            callbacks: HashMap::new(),
            updates: VecDeque::new(),
            next_update_id: 700_000_001,
            allowed_updates: None,
            webhook: None,
            webhook_last_error: None,
            poll_generation: 0,
            calls: Vec::new(),
            deliveries: Vec::new(),
            faults: Faults::default(),
            delays: HashMap::new(),
            limiter: RateLimiter::default(),
            commands: BTreeMap::new(),
            counter: 0,
            pre_checkouts: HashMap::new(),
            invoices: HashMap::new(),
            invoice_links: HashMap::new(),
            charges: BTreeMap::new(),
        }
    }

    /// Unix seconds on the simulator's clock.
    pub(crate) fn now(&self) -> i64 {
        chrono::Utc::now().timestamp() + self.clock_offset
    }

    /// A fresh number for ids and random-looking tokens.
    pub(crate) fn next_counter(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// The bot or a known user.
    pub(crate) fn user(&self, id: i64) -> Option<&SimUser> {
        if id == self.bot.id {
            Some(&self.bot)
        } else {
            self.users.get(&id)
        }
    }

    /// Resolves `chat_id` to a chat id: a known user (private chat) or group/channel.
    pub(crate) fn resolve(&self, chat: &ChatRef) -> Result<i64, MethodError> {
        match chat {
            ChatRef::Id(id) if *id > 0 && self.users.contains_key(id) => Ok(*id),
            ChatRef::Id(id) if self.chats.contains_key(id) => Ok(*id),
            ChatRef::Id(_) => Err(MethodError::chat_not_found()),
            ChatRef::Username(name) => self
                .chats
                .values()
                .find(|c| {
                    c.username
                        .as_deref()
                        .is_some_and(|u| u.eq_ignore_ascii_case(name))
                })
                .map(|c| c.id)
                .ok_or_else(MethodError::chat_not_found),
        }
    }

    pub(crate) fn chat_kind(&self, chat_id: i64) -> Option<ChatKind> {
        if chat_id > 0 {
            self.users
                .contains_key(&chat_id)
                .then_some(ChatKind::Private)
        } else {
            self.chats.get(&chat_id).map(|c| c.kind)
        }
    }

    /// A user's status in a chat; unknown means `Left`.
    pub(crate) fn status(&self, chat_id: i64, user_id: i64) -> MemberStatus {
        self.members
            .get(&chat_id)
            .and_then(|m| m.get(&user_id))
            .copied()
            .unwrap_or(MemberStatus::Left)
    }

    /// Sets a status and keeps the "joined through link" bookkeeping in step:
    /// leaving frees the link slot (member_limit counts people currently inside).
    pub(crate) fn set_status(&mut self, chat_id: i64, user_id: i64, status: MemberStatus) {
        if !status.is_present()
            && let Some(via) = self.joined_via.get_mut(&chat_id)
        {
            via.remove(&user_id);
        }
        self.members
            .entry(chat_id)
            .or_default()
            .insert(user_id, status);
    }

    pub(crate) fn bot_status(&self, chat_id: i64) -> MemberStatus {
        self.status(chat_id, self.bot.id)
    }

    pub(crate) fn bot_is_admin(&self, chat_id: i64) -> bool {
        self.bot_status(chat_id).is_admin()
    }

    /// Members who are inside the chat now because they used this link.
    pub(crate) fn link_usage(&self, chat_id: i64, link: &str) -> usize {
        self.joined_via
            .get(&chat_id)
            .map_or(0, |m| m.values().filter(|l| l.as_str() == link).count())
    }

    pub(crate) fn link(&self, link: &str) -> Option<&InviteLink> {
        self.links.iter().find(|l| l.link == link)
    }

    pub(crate) fn link_mut(&mut self, link: &str) -> Option<&mut InviteLink> {
        self.links.iter_mut().find(|l| l.link == link)
    }

    /// Appends a message to a chat, assigning the next per-chat id.
    pub(crate) fn add_message(&mut self, mut message: SimMessage) -> i32 {
        let log = self.logs.entry(message.chat_id).or_default();
        log.last_id += 1;
        message.message_id = log.last_id;
        log.messages.insert(log.last_id, message);
        log.last_id
    }

    pub(crate) fn message(&self, chat_id: i64, message_id: i32) -> Option<&SimMessage> {
        self.logs.get(&chat_id)?.messages.get(&message_id)
    }

    pub(crate) fn message_mut(&mut self, chat_id: i64, message_id: i32) -> Option<&mut SimMessage> {
        self.logs.get_mut(&chat_id)?.messages.get_mut(&message_id)
    }

    /// Queues an update and returns its id.
    pub(crate) fn push_update(&mut self, kind: &str, payload: Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        let mut body = serde_json::Map::new();
        body.insert("update_id".to_owned(), Value::from(id));
        body.insert(kind.to_owned(), payload);
        self.updates.push_back(QueuedUpdate {
            id,
            kind: kind.to_owned(),
            body: Value::Object(body),
        });
        id
    }

    /// Whether updates of this kind are currently delivered.
    pub(crate) fn allowed(&self, kind: &str) -> bool {
        match &self.allowed_updates {
            Some(list) if !list.is_empty() => list.iter().any(|k| k == kind),
            _ => !matches!(
                kind,
                "chat_member" | "message_reaction" | "message_reaction_count"
            ),
        }
    }

    /// Drops queued updates the bot has not subscribed to, as Telegram never sends them.
    pub(crate) fn drop_unwanted(&mut self) {
        let keep: Vec<QueuedUpdate> = self.updates.drain(..).collect();
        for update in keep {
            if self.allowed(&update.kind) {
                self.updates.push_back(update);
            }
        }
    }

    /// A blank message skeleton for `chat_id`.
    pub(crate) fn blank_message(&self, chat_id: i64) -> SimMessage {
        SimMessage {
            chat_id,
            message_id: 0,
            from_bot: false,
            from_user: None,
            text: None,
            raw_text: None,
            parse_mode: None,
            entities: None,
            caption: None,
            reply_markup: None,
            link_preview_options: None,
            document: None,
            photo: None,
            forwarded_from: None,
            chat_shared: None,
            invoice: None,
            successful_payment: None,
            date: self.now(),
            edit_date: None,
            deleted: false,
        }
    }
}

impl State {
    /// Queues a `chat_member` update for `change`, if the bot is an administrator
    /// there (Telegram reports other people's membership changes only to admins).
    pub(crate) fn emit_chat_member(
        &mut self,
        change: &super::objects::MemberChange<'_>,
    ) -> Option<i64> {
        if !self.bot_is_admin(change.chat_id) || change.old == change.new {
            return None;
        }
        let payload = super::objects::member_updated(self, change);
        Some(self.push_update("chat_member", payload))
    }
}
