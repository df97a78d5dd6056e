//! Things users and Telegram do to the bot: messages, button presses, membership
//! changes, invite-link joins. Each queues the update Telegram would send.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::TelegramSim;
use super::objects::{self, MemberChange};
use super::params::utf16_len;
use super::state::{PendingCallback, State};
use super::{ChatKind, Injected, JoinOutcome, JoinRequest, MemberStatus, SimError};

fn injected(update_id: i64, message_id: Option<i32>) -> Injected {
    Injected {
        update_id,
        message_id,
        callback_query_id: None,
    }
}

fn known_user(st: &State, user_id: i64) -> Result<(), SimError> {
    if st.users.contains_key(&user_id) {
        Ok(())
    } else {
        Err(SimError::UnknownUser(user_id))
    }
}

fn known_chat(st: &State, chat_id: i64) -> Result<ChatKind, SimError> {
    st.chat_kind(chat_id).ok_or(SimError::UnknownChat(chat_id))
}

/// Telegram's `chat_instance` is an opaque per-chat number.
fn chat_instance(chat_id: i64) -> String {
    chat_id
        .wrapping_mul(2_654_435_761)
        .wrapping_add(97)
        .to_string()
}

impl TelegramSim {
    /// The user writes `text` to the bot in private. A leading `/command` gets a
    /// `bot_command` entity; `/start…` marks the user as having started the bot
    /// (and unblocks it, with the `my_chat_member` update Telegram sends then).
    pub fn send_text(&self, user_id: i64, text: &str) -> Result<Injected, SimError> {
        self.mutate(|st| {
            known_user(st, user_id)?;
            let is_start =
                text == "/start" || text.starts_with("/start ") || text.starts_with("/start@");
            let was_blocked = st.users.get(&user_id).is_some_and(|u| u.blocked);
            if was_blocked && !is_start {
                return Err(SimError::BlockedBot(user_id));
            }
            if let Some(user) = st.users.get_mut(&user_id) {
                user.started |= is_start;
                user.blocked &= !is_start;
            }
            if was_blocked {
                private_block_change(st, user_id, false);
            }
            let mut message = st.blank_message(user_id);
            message.from_user = Some(user_id);
            message.text = Some(text.to_owned());
            if text.starts_with('/') {
                let command = text.split_whitespace().next().unwrap_or(text);
                message.entities = Some(
                    json!([{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]),
                );
            }
            let id = st.add_message(message);
            let payload = st
                .message(user_id, id)
                .map_or(Value::Null, |m| objects::message(st, m));
            Ok(injected(st.push_update("message", payload), Some(id)))
        })
    }

    /// The user sends the bot a photo (a PNG), with an optional caption. The photo gets a file
    /// id the bot may send again (`sendPhoto` with that id), as on Telegram.
    pub fn send_photo(
        &self,
        user_id: i64,
        png: &[u8],
        caption: Option<&str>,
    ) -> Result<Injected, SimError> {
        let (width, height) =
            super::methods::messaging::png_size(png).ok_or(SimError::NotAnImage)?;
        self.mutate(|st| {
            known_user(st, user_id)?;
            if st.users.get(&user_id).is_some_and(|u| u.blocked) {
                return Err(SimError::BlockedBot(user_id));
            }
            let mut message = st.blank_message(user_id);
            message.from_user = Some(user_id);
            message.caption = caption.map(str::to_owned);
            message.photo = Some(super::SimPhoto {
                file_id: format!("AgACAgIAAxkBAAIU{:06}", st.next_counter()),
                width,
                height,
                bytes: png.to_vec(),
            });
            let id = st.add_message(message);
            let payload = st
                .message(user_id, id)
                .map_or(Value::Null, |m| objects::message(st, m));
            Ok(injected(st.push_update("message", payload), Some(id)))
        })
    }

    /// The user blocks the bot: later sends fail with "bot was blocked by the user"
    /// and the bot gets a private `my_chat_member` (member → kicked).
    pub fn user_blocks_bot(&self, user_id: i64) -> Result<Injected, SimError> {
        self.mutate(|st| {
            known_user(st, user_id)?;
            if let Some(user) = st.users.get_mut(&user_id) {
                user.blocked = true;
            }
            Ok(injected(private_block_change(st, user_id, true), None))
        })
    }

    /// The user presses an inline button with `data` under the bot's message
    /// `message_id` in their private chat. Refused if no such button exists.
    pub fn press_button(
        &self,
        user_id: i64,
        message_id: i32,
        data: &str,
    ) -> Result<Injected, SimError> {
        self.press_button_in(user_id, user_id, message_id, data)
    }

    /// Like [`Self::press_button`] for a message in any chat (e.g. a channel post).
    pub fn press_button_in(
        &self,
        user_id: i64,
        chat_id: i64,
        message_id: i32,
        data: &str,
    ) -> Result<Injected, SimError> {
        self.mutate(|st| {
            known_user(st, user_id)?;
            let message = st.message(chat_id, message_id).filter(|m| !m.deleted);
            let message = message.ok_or(SimError::UnknownMessage {
                chat_id,
                message_id,
            })?;
            if !message.callback_data().iter().any(|d| d == data) {
                return Err(SimError::NoSuchButton {
                    message_id,
                    data: data.to_owned(),
                });
            }
            Ok(callback(st, user_id, chat_id, message_id, data))
        })
    }

    /// A callback query with arbitrary `data` for a message in the user's private
    /// chat, whether or not such a button exists (for tampering tests). A missing
    /// message is sent as an inaccessible one.
    pub fn inject_callback_raw(
        &self,
        user_id: i64,
        message_id: i32,
        data: &str,
    ) -> Result<Injected, SimError> {
        self.mutate(|st| {
            known_user(st, user_id)?;
            Ok(callback(st, user_id, user_id, message_id, data))
        })
    }

    /// The user forwards a (new) post of `channel_id` to the bot, as owners do to
    /// register a channel. The message carries `forward_origin` of type channel.
    pub fn forward_channel_post(
        &self,
        user_id: i64,
        channel_id: i64,
    ) -> Result<Injected, SimError> {
        self.mutate(|st| {
            known_user(st, user_id)?;
            let title = st
                .chats
                .get(&channel_id)
                .map(|c| c.title.clone())
                .ok_or(SimError::UnknownChat(channel_id))?;
            let mut post = st.blank_message(channel_id);
            post.text = Some(format!("A post in {title}"));
            let post_text = post.text.clone();
            let post_id = st.add_message(post);
            let mut message = st.blank_message(user_id);
            message.from_user = Some(user_id);
            message.text = post_text;
            message.forwarded_from = Some((channel_id, post_id));
            let id = st.add_message(message);
            let payload = st
                .message(user_id, id)
                .map_or(Value::Null, |m| objects::message(st, m));
            Ok(injected(st.push_update("message", payload), Some(id)))
        })
    }

    /// `from_user` changes the bot's own status in `chat_id` (adds it as admin,
    /// demotes or removes it); queues the `my_chat_member` update.
    /// The user picks `chat_id` with a `request_chat` keyboard button (`request_id`). When
    /// `bot_rights` is given, Telegram first makes the bot an administrator with those rights
    /// (and reports it with a `my_chat_member` update), as it does for a button that asks for them.
    pub fn share_chat(
        &self,
        user_id: i64,
        request_id: i32,
        chat_id: i64,
        bot_rights: Option<super::AdminRights>,
    ) -> Result<Injected, SimError> {
        self.mutate(|st| {
            known_user(st, user_id)?;
            known_chat(st, chat_id)?;
            if let Some(rights) = bot_rights {
                let bot = st.bot.id;
                let old = st.bot_status(chat_id);
                let new = MemberStatus::Administrator(rights);
                st.set_status(chat_id, bot, new);
                let change = MemberChange {
                    chat_id,
                    actor: user_id,
                    user_id: bot,
                    old,
                    new,
                    link: None,
                    via_join_request: false,
                };
                let payload = objects::member_updated(st, &change);
                st.push_update("my_chat_member", payload);
            }
            let mut message = st.blank_message(user_id);
            message.from_user = Some(user_id);
            message.chat_shared = Some((request_id, chat_id));
            let id = st.add_message(message);
            let payload = st
                .message(user_id, id)
                .map_or(Value::Null, |m| objects::message(st, m));
            Ok(injected(st.push_update("message", payload), Some(id)))
        })
    }

    pub fn inject_my_chat_member(
        &self,
        chat_id: i64,
        from_user: i64,
        new: MemberStatus,
    ) -> Result<Injected, SimError> {
        self.mutate(|st| {
            known_chat(st, chat_id)?;
            let bot = st.bot.id;
            let old = st.bot_status(chat_id);
            st.set_status(chat_id, bot, new);
            let change = MemberChange {
                chat_id,
                actor: from_user,
                user_id: bot,
                old,
                new,
                link: None,
                via_join_request: false,
            };
            let payload = objects::member_updated(st, &change);
            Ok(injected(st.push_update("my_chat_member", payload), None))
        })
    }

    /// Changes a user's status in a chat as done by `actor` (the user themself
    /// when `None`). Returns the `chat_member` update id, produced only when the
    /// bot is an administrator there.
    pub fn inject_chat_member(
        &self,
        chat_id: i64,
        user_id: i64,
        new: MemberStatus,
        actor: Option<i64>,
    ) -> Result<Option<i64>, SimError> {
        self.mutate(|st| {
            known_chat(st, chat_id)?;
            known_user(st, user_id)?;
            let old = st.status(chat_id, user_id);
            st.set_status(chat_id, user_id, new);
            let actor = actor.unwrap_or(user_id);
            let change = MemberChange {
                chat_id,
                actor,
                user_id,
                old,
                new,
                link: None,
                via_join_request: false,
            };
            Ok(st.emit_chat_member(&change))
        })
    }

    /// The user leaves the chat on their own.
    pub fn user_leaves(&self, chat_id: i64, user_id: i64) -> Result<Option<i64>, SimError> {
        self.inject_chat_member(chat_id, user_id, MemberStatus::Left, None)
    }

    /// The user opens an invite link, with Telegram's outcomes: revoked, expired,
    /// full or banned → error; `creates_join_request` → a pending request and a
    /// `chat_join_request` update; otherwise membership and a `chat_member` update.
    pub fn user_opens_invite_link(
        &self,
        user_id: i64,
        link: &str,
    ) -> Result<JoinOutcome, SimError> {
        self.mutate(|st| {
            known_user(st, user_id)?;
            let record = st
                .link(link)
                .cloned()
                .ok_or_else(|| SimError::LinkNotFound(link.to_owned()))?;
            let chat_id = record.chat_id;
            if record.is_revoked {
                return Err(SimError::LinkRevoked);
            }
            if record.expire_date.is_some_and(|d| d <= st.now()) {
                return Err(SimError::LinkExpired);
            }
            let old = st.status(chat_id, user_id);
            if matches!(old, MemberStatus::Kicked { .. }) {
                return Err(SimError::Banned);
            }
            if old.is_present() {
                return Err(SimError::AlreadyMember);
            }
            if record.creates_join_request {
                if st
                    .join_requests
                    .iter()
                    .any(|r| r.chat_id == chat_id && r.user_id == user_id)
                {
                    return Err(SimError::RequestPending);
                }
                let date = st.now();
                let request = JoinRequest {
                    chat_id,
                    user_id,
                    invite_link: Some(record.link.clone()),
                    date,
                };
                st.join_requests.push(request);
                let may_approve = st
                    .bot_status(chat_id)
                    .rights()
                    .is_some_and(|r| r.can_invite_users);
                let update_id = may_approve.then(|| {
                    let payload = json!({
                        "chat": objects::chat(st, chat_id),
                        "from": objects::user_by_id(st, user_id),
                        "user_chat_id": user_id,
                        "date": date,
                        "invite_link": objects::invite_link(st, &record),
                    });
                    st.push_update("chat_join_request", payload)
                });
                return Ok(JoinOutcome::Requested { update_id });
            }
            if record.member_limit.is_some_and(|n| {
                st.link_usage(chat_id, &record.link) >= usize::try_from(n).unwrap_or(usize::MAX)
            }) {
                return Err(SimError::LinkLimitReached);
            }
            let new = MemberStatus::member();
            st.set_status(chat_id, user_id, new);
            st.joined_via
                .entry(chat_id)
                .or_default()
                .insert(user_id, record.link.clone());
            if let Some(stored) = st.link_mut(&record.link) {
                stored.joined.push(user_id);
            }
            let change = MemberChange {
                chat_id,
                actor: user_id,
                user_id,
                old,
                new,
                link: Some(&record),
                via_join_request: false,
            };
            Ok(JoinOutcome::Joined {
                update_id: st.emit_chat_member(&change),
            })
        })
    }

    /// Queues any update JSON (an object with one update kind besides
    /// `update_id`); the simulator assigns the `update_id`.
    pub fn inject_raw(&self, update: Value) -> Result<i64, SimError> {
        let Value::Object(map) = update else {
            return Err(SimError::InvalidUpdate(
                "an update must be a JSON object".to_owned(),
            ));
        };
        let mut kinds = map.into_iter().filter(|(k, _)| k != "update_id");
        let (kind, payload) = kinds
            .next()
            .ok_or_else(|| SimError::InvalidUpdate("no update kind".to_owned()))?;
        if kinds.next().is_some() {
            return Err(SimError::InvalidUpdate(
                "more than one update kind".to_owned(),
            ));
        }
        Ok(self.mutate(|st| st.push_update(&kind, payload)))
    }
}

/// Private-chat `my_chat_member`: blocking is member → kicked, unblocking the reverse.
fn private_block_change(st: &mut State, user_id: i64, blocked: bool) -> i64 {
    let (old, new) = if blocked {
        (
            MemberStatus::member(),
            MemberStatus::Kicked { until_date: 0 },
        )
    } else {
        (
            MemberStatus::Kicked { until_date: 0 },
            MemberStatus::member(),
        )
    };
    let bot = st.bot.id;
    let change = MemberChange {
        chat_id: user_id,
        actor: user_id,
        user_id: bot,
        old,
        new,
        link: None,
        via_join_request: false,
    };
    let payload = objects::member_updated(st, &change);
    st.push_update("my_chat_member", payload)
}

fn callback(st: &mut State, user_id: i64, chat_id: i64, message_id: i32, data: &str) -> Injected {
    let message = match st.message(chat_id, message_id).filter(|m| !m.deleted) {
        Some(m) => objects::message(st, m),
        None => json!({"chat": objects::chat(st, chat_id), "message_id": message_id, "date": 0}),
    };
    let n = st.next_counter();
    let id = format!("{}{n:06}", st.bot.id);
    st.callbacks.insert(
        id.clone(),
        PendingCallback {
            created: Instant::now(),
        },
    );
    let payload = json!({
        "id": id,
        "from": objects::user_by_id(st, user_id),
        "message": message,
        "chat_instance": chat_instance(chat_id),
        "data": data,
    });
    let update_id = st.push_update("callback_query", payload);
    Injected {
        update_id,
        message_id: Some(message_id),
        callback_query_id: Some(id),
    }
}
