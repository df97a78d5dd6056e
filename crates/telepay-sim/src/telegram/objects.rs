//! Bot API JSON objects, shaped so that teloxide-core 0.13 deserialises them
//! (every field it requires is always present).

use serde_json::{Map, Value, json};

use super::state::State;
use super::{ChatKind, InviteLink, MemberStatus, SimMessage, SimUser};

/// Inserts `value` under `key` when it is `Some`.
fn put<T: Into<Value>>(obj: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        obj.insert(key.to_owned(), v.into());
    }
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub(crate) fn user(u: &SimUser) -> Value {
    let mut obj = into_map(json!({"id": u.id, "is_bot": u.is_bot, "first_name": u.first_name}));
    put(&mut obj, "last_name", u.last_name.clone());
    put(&mut obj, "username", u.username.clone());
    put(&mut obj, "language_code", u.language_code.clone());
    Value::Object(obj)
}

/// A user by id; unknown ids get a placeholder so an update is still well-formed.
pub(crate) fn user_by_id(state: &State, id: i64) -> Value {
    state.user(id).map_or_else(
        || json!({"id": id, "is_bot": false, "first_name": format!("User {id}")}),
        user,
    )
}

/// `getMe`: a User plus the four booleans teloxide's `Me` requires.
pub(crate) fn me(state: &State) -> Value {
    let mut obj = into_map(user(&state.bot));
    for key in [
        "can_read_all_group_messages",
        "supports_inline_queries",
        "can_connect_to_business",
        "has_main_web_app",
    ] {
        obj.insert(key.to_owned(), Value::Bool(false));
    }
    obj.insert("can_join_groups".to_owned(), Value::Bool(true));
    Value::Object(obj)
}

pub(crate) fn chat(state: &State, chat_id: i64) -> Value {
    if let Some(c) = state.chats.get(&chat_id) {
        let mut obj = into_map(json!({"id": c.id, "type": c.kind.as_str(), "title": c.title}));
        put(&mut obj, "username", c.username.clone());
        return Value::Object(obj);
    }
    let mut obj = into_map(json!({"id": chat_id, "type": "private"}));
    if let Some(u) = state.user(chat_id) {
        obj.insert("first_name".to_owned(), json!(u.first_name));
        put(&mut obj, "last_name", u.last_name.clone());
        put(&mut obj, "username", u.username.clone());
    }
    Value::Object(obj)
}

/// `getChat`: ChatFullInfo (Bot API 9), including the fields teloxide 0.13 requires.
pub(crate) fn chat_full(state: &State, chat_id: i64) -> Value {
    let mut obj = into_map(chat(state, chat_id));
    obj.insert(
        "accepted_gift_types".to_owned(),
        json!({"unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false, "premium_subscription": false}),
    );
    obj.insert("max_reaction_count".to_owned(), json!(11));
    obj.insert("accent_color_id".to_owned(), json!(0));
    if let Some(c) = state.chats.get(&chat_id) {
        put(&mut obj, "description", c.description.clone());
        let may_see_link = state
            .bot_status(chat_id)
            .rights()
            .is_some_and(|r| r.can_invite_users);
        let primary = state
            .links
            .iter()
            .find(|l| l.chat_id == chat_id && l.is_primary && !l.is_revoked);
        if let (true, Some(link)) = (may_see_link, primary) {
            obj.insert("invite_link".to_owned(), json!(link.link));
        }
        if c.kind == ChatKind::Supergroup {
            obj.insert("permissions".to_owned(), json!({"can_send_messages": true}));
        }
    }
    Value::Object(obj)
}

fn rights_fields(obj: &mut Map<String, Value>, status: &MemberStatus, channel: bool) {
    let Some(r) = status.rights() else { return };
    let mut flags = vec![
        ("is_anonymous", r.is_anonymous),
        ("can_be_edited", r.can_be_edited),
        ("can_manage_chat", r.can_manage_chat),
        ("can_change_info", r.can_change_info),
        ("can_delete_messages", r.can_delete_messages),
        ("can_invite_users", r.can_invite_users),
        ("can_restrict_members", r.can_restrict_members),
        ("can_promote_members", r.can_promote_members),
        ("can_manage_video_chats", r.can_manage_video_chats),
        ("can_post_stories", r.can_post_stories),
        ("can_edit_stories", r.can_edit_stories),
        ("can_delete_stories", r.can_delete_stories),
    ];
    if channel {
        flags.extend([
            ("can_post_messages", r.can_post_messages),
            ("can_edit_messages", r.can_edit_messages),
        ]);
    } else {
        flags.extend([
            ("can_pin_messages", r.can_pin_messages),
            ("can_manage_topics", r.can_manage_topics),
        ]);
    }
    for (key, value) in flags {
        obj.insert(key.to_owned(), Value::Bool(value));
    }
}

/// ChatMember for `user_id` with `status` in `chat_id`.
pub(crate) fn member(state: &State, chat_id: i64, user_id: i64, status: &MemberStatus) -> Value {
    let mut obj = into_map(json!({"user": user_by_id(state, user_id), "status": status.as_str()}));
    let channel = state.chat_kind(chat_id) == Some(ChatKind::Channel);
    match status {
        MemberStatus::Creator { is_anonymous } => {
            obj.insert("is_anonymous".to_owned(), json!(is_anonymous));
        }
        MemberStatus::Administrator(_) => rights_fields(&mut obj, status, channel),
        MemberStatus::Member { until_date } => put(&mut obj, "until_date", *until_date),
        MemberStatus::Restricted {
            is_member,
            can_send_messages,
            until_date,
        } => {
            obj.insert("is_member".to_owned(), json!(is_member));
            obj.insert("until_date".to_owned(), json!(until_date));
            for key in [
                "can_send_messages",
                "can_send_audios",
                "can_send_documents",
                "can_send_photos",
                "can_send_videos",
                "can_send_video_notes",
                "can_send_voice_notes",
                "can_send_polls",
                "can_send_other_messages",
                "can_add_web_page_previews",
            ] {
                obj.insert(key.to_owned(), json!(can_send_messages));
            }
            for key in [
                "can_change_info",
                "can_invite_users",
                "can_pin_messages",
                "can_manage_topics",
            ] {
                obj.insert(key.to_owned(), json!(false));
            }
        }
        MemberStatus::Left => {}
        MemberStatus::Kicked { until_date } => {
            obj.insert("until_date".to_owned(), json!(until_date));
        }
    }
    Value::Object(obj)
}

/// ChatInviteLink; links made by someone else come back masked, as on Telegram.
pub(crate) fn invite_link(state: &State, link: &InviteLink) -> Value {
    let shown = if link.creator_id == state.bot.id {
        link.link.clone()
    } else {
        let keep = link.link.len().saturating_sub(6);
        format!("{}…", link.link.get(..keep).unwrap_or(&link.link))
    };
    let mut obj = into_map(json!({
        "invite_link": shown,
        "creator": user_by_id(state, link.creator_id),
        "creates_join_request": link.creates_join_request,
        "is_primary": link.is_primary,
        "is_revoked": link.is_revoked,
    }));
    put(&mut obj, "name", link.name.clone());
    put(&mut obj, "expire_date", link.expire_date);
    put(&mut obj, "member_limit", link.member_limit);
    if link.creates_join_request {
        let pending = state
            .join_requests
            .iter()
            .filter(|r| r.invite_link.as_deref() == Some(&link.link))
            .count();
        obj.insert("pending_join_request_count".to_owned(), json!(pending));
    }
    Value::Object(obj)
}

/// Message as the Bot API returns it.
pub(crate) fn message(state: &State, m: &SimMessage) -> Value {
    let mut obj = into_map(
        json!({"message_id": m.message_id, "date": m.date, "chat": chat(state, m.chat_id)}),
    );
    let channel = state.chat_kind(m.chat_id) == Some(ChatKind::Channel);
    if channel {
        obj.insert("sender_chat".to_owned(), chat(state, m.chat_id));
    } else if m.from_bot {
        obj.insert("from".to_owned(), user(&state.bot));
    } else if let Some(uid) = m.from_user {
        obj.insert("from".to_owned(), user_by_id(state, uid));
    }
    let entities = m
        .entities
        .clone()
        .filter(|e| e.as_array().is_some_and(|a| !a.is_empty()));
    if let Some(text) = &m.text {
        obj.insert("text".to_owned(), json!(text));
        put(&mut obj, "entities", entities.clone());
    }
    if let Some(doc) = &m.document {
        let mut d = into_map(json!({
            "file_id": doc.file_id,
            "file_unique_id": format!("u{}", doc.file_id),
            "file_size": u64::try_from(doc.bytes.len()).unwrap_or(u64::MAX),
        }));
        put(&mut d, "file_name", doc.file_name.clone());
        put(&mut d, "mime_type", doc.mime_type.clone());
        obj.insert("document".to_owned(), Value::Object(d));
        put(&mut obj, "caption", m.caption.clone());
        if m.caption.is_some() {
            put(&mut obj, "caption_entities", entities);
        }
    }
    if let Some(photo) = &m.photo {
        obj.insert(
            "photo".to_owned(),
            json!([{
                "file_id": photo.file_id,
                "file_unique_id": format!("u{}", photo.file_id),
                "width": photo.width,
                "height": photo.height,
                "file_size": u64::try_from(photo.bytes.len()).unwrap_or(u64::MAX),
            }]),
        );
        put(&mut obj, "caption", m.caption.clone());
        if m.caption.is_some() {
            put(
                &mut obj,
                "caption_entities",
                m.entities
                    .clone()
                    .filter(|e| e.as_array().is_some_and(|a| !a.is_empty())),
            );
        }
    }
    if let Some((channel_id, post_id)) = m.forwarded_from {
        let date = state
            .message(channel_id, post_id)
            .map_or(m.date, |p| p.date);
        obj.insert(
            "forward_origin".to_owned(),
            json!({"type": "channel", "chat": chat(state, channel_id), "message_id": post_id, "date": date}),
        );
    }
    if let Some((request_id, chat_id)) = m.chat_shared {
        let title = state.chats.get(&chat_id).map(|c| c.title.clone());
        let mut shared = into_map(json!({"request_id": request_id, "chat_id": chat_id}));
        put(&mut shared, "title", title);
        obj.insert("chat_shared".to_owned(), Value::Object(shared));
    }
    put(&mut obj, "invoice", m.invoice.clone());
    put(&mut obj, "successful_payment", m.successful_payment.clone());
    put(&mut obj, "reply_markup", m.reply_markup.clone());
    put(
        &mut obj,
        "link_preview_options",
        m.link_preview_options.clone(),
    );
    put(&mut obj, "edit_date", m.edit_date);
    Value::Object(obj)
}

/// What changed in a membership, for `chat_member` / `my_chat_member` updates.
pub(crate) struct MemberChange<'a> {
    pub(crate) chat_id: i64,
    pub(crate) actor: i64,
    pub(crate) user_id: i64,
    pub(crate) old: MemberStatus,
    pub(crate) new: MemberStatus,
    pub(crate) link: Option<&'a InviteLink>,
    pub(crate) via_join_request: bool,
}

pub(crate) fn member_updated(state: &State, change: &MemberChange<'_>) -> Value {
    let mut obj = into_map(json!({
        "chat": chat(state, change.chat_id),
        "from": user_by_id(state, change.actor),
        "date": state.now(),
        "old_chat_member": member(state, change.chat_id, change.user_id, &change.old),
        "new_chat_member": member(state, change.chat_id, change.user_id, &change.new),
    }));
    if let Some(link) = change.link {
        obj.insert("invite_link".to_owned(), invite_link(state, link));
    }
    if change.via_join_request {
        obj.insert("via_join_request".to_owned(), Value::Bool(true));
    }
    Value::Object(obj)
}
