//! getChat, getChatMember, getChatAdministrators, getChatMemberCount, leaveChat.

use serde_json::Value;

use super::super::objects::{self, MemberChange};
use super::super::params::{MethodError, MethodResult, Params};
use super::super::state::State;
use super::super::{ChatKind, MemberStatus};
use super::access;

pub(super) fn get_chat(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, _) = access::visible_chat(st, p)?;
    Ok(objects::chat_full(st, chat_id))
}

/// Non-admin bots cannot list other people in a channel.
fn member_list_visible(st: &State, chat_id: i64, kind: ChatKind) -> Result<(), MethodError> {
    if kind == ChatKind::Channel && !st.bot_is_admin(chat_id) {
        return Err(MethodError::bad("member list is inaccessible"));
    }
    Ok(())
}

pub(super) fn get_chat_member(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, kind) = access::visible_chat(st, p)?;
    let user_id = access::user_id(st, p)?;
    if kind == ChatKind::Private {
        if user_id != chat_id && user_id != st.bot.id {
            return Err(MethodError::user_not_found());
        }
        return Ok(objects::member(
            st,
            chat_id,
            user_id,
            &MemberStatus::member(),
        ));
    }
    if user_id != st.bot.id {
        member_list_visible(st, chat_id, kind)?;
    }
    let status = st.status(chat_id, user_id);
    Ok(objects::member(st, chat_id, user_id, &status))
}

/// Administrators that are not bots, as the Bot API documents.
pub(super) fn get_chat_administrators(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, kind) = access::visible_chat(st, p)?;
    if kind == ChatKind::Private {
        return Err(MethodError::bad(
            "there are no administrators in the private chat",
        ));
    }
    member_list_visible(st, chat_id, kind)?;
    let admins: Vec<Value> = st
        .members
        .get(&chat_id)
        .into_iter()
        .flatten()
        .filter(|(uid, status)| status.is_admin() && st.user(**uid).is_some_and(|u| !u.is_bot))
        .map(|(uid, status)| objects::member(st, chat_id, *uid, status))
        .collect();
    Ok(Value::Array(admins))
}

pub(super) fn get_chat_member_count(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, kind) = access::visible_chat(st, p)?;
    if kind == ChatKind::Private {
        return Ok(2.into());
    }
    let count = st
        .members
        .get(&chat_id)
        .map_or(0, |m| m.values().filter(|s| s.is_present()).count());
    Ok(count.into())
}

pub(super) fn leave_chat(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, kind) = access::visible_chat(st, p)?;
    if kind == ChatKind::Private {
        return Err(MethodError::bad(
            "chat member status can't be changed in private chats",
        ));
    }
    let bot = st.bot.id;
    let old = st.bot_status(chat_id);
    if !old.is_present() {
        return Err(access::not_member(kind));
    }
    let new = MemberStatus::Left;
    st.set_status(chat_id, bot, new);
    let change = MemberChange {
        chat_id,
        actor: bot,
        user_id: bot,
        old,
        new,
        link: None,
        via_join_request: false,
    };
    let payload = objects::member_updated(st, &change);
    st.push_update("my_chat_member", payload);
    Ok(true.into())
}
