//! Shared checks: which chat a call targets and whether the bot may act there.

use super::super::ChatKind;
use super::super::params::{MethodError, Params};
use super::super::state::State;

/// An administrator right a method needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Right {
    Restrict,
    Invite,
}

pub(super) fn kicked(kind: ChatKind) -> MethodError {
    match kind {
        ChatKind::Channel => MethodError::forbidden("bot was kicked from the channel chat"),
        ChatKind::Supergroup => MethodError::forbidden("bot was kicked from the supergroup chat"),
        ChatKind::Group | ChatKind::Private => {
            MethodError::forbidden("bot was kicked from the group chat")
        }
    }
}

pub(super) fn not_member(kind: ChatKind) -> MethodError {
    match kind {
        ChatKind::Channel => MethodError::forbidden("bot is not a member of the channel chat"),
        ChatKind::Supergroup => {
            MethodError::forbidden("bot is not a member of the supergroup chat")
        }
        ChatKind::Group | ChatKind::Private => {
            MethodError::forbidden("bot is not a member of the group chat")
        }
    }
}

/// Resolves `chat_id` for read access: the bot sees private chats of users who
/// talked to it, chats it is in, and public chats.
pub(super) fn visible_chat(st: &State, p: &Params) -> Result<(i64, ChatKind), MethodError> {
    let chat_id = st.resolve(&p.chat_ref("chat_id")?)?;
    let kind = st
        .chat_kind(chat_id)
        .ok_or_else(MethodError::chat_not_found)?;
    if kind == ChatKind::Private {
        let user = st
            .users
            .get(&chat_id)
            .ok_or_else(MethodError::chat_not_found)?;
        if !user.started && !has_recent_request(st, chat_id) {
            return Err(MethodError::chat_not_found());
        }
        return Ok((chat_id, kind));
    }
    let status = st.bot_status(chat_id);
    if matches!(status, super::super::MemberStatus::Kicked { .. }) {
        return Err(kicked(kind));
    }
    let public = st.chats.get(&chat_id).is_some_and(|c| c.username.is_some());
    if !status.is_present() && !public {
        return Err(MethodError::chat_not_found());
    }
    Ok((chat_id, kind))
}

/// Resolves `chat_id` of a group or channel where the bot holds `right`.
pub(super) fn admin_chat(
    st: &State,
    p: &Params,
    right: Right,
) -> Result<(i64, ChatKind), MethodError> {
    let chat_id = st.resolve(&p.chat_ref("chat_id")?)?;
    let kind = st
        .chat_kind(chat_id)
        .ok_or_else(MethodError::chat_not_found)?;
    if kind == ChatKind::Private {
        return Err(MethodError::bad(
            "method is available only for supergroups and channel",
        ));
    }
    let status = st.bot_status(chat_id);
    if matches!(status, super::super::MemberStatus::Kicked { .. }) {
        return Err(kicked(kind));
    }
    let rights = status.rights();
    let allowed = match right {
        Right::Restrict => rights.is_some_and(|r| r.can_restrict_members),
        Right::Invite => rights.is_some_and(|r| r.can_invite_users),
    };
    if allowed {
        return Ok((chat_id, kind));
    }
    Err(match (right, kind) {
        (Right::Restrict, _) => {
            MethodError::bad("not enough rights to restrict/unrestrict chat member")
        }
        (Right::Invite, ChatKind::Channel) => {
            MethodError::bad("need administrator rights in the channel chat")
        }
        (Right::Invite, _) => MethodError::bad("not enough rights to manage chat invite link"),
    })
}

/// A user with a pending join request may be written to for five minutes.
pub(super) fn has_recent_request(st: &State, user_id: i64) -> bool {
    let now = st.now();
    st.join_requests
        .iter()
        .any(|r| r.user_id == user_id && now - r.date <= 300)
}

pub(super) fn user_id(st: &State, p: &Params) -> Result<i64, MethodError> {
    let id = p.i64_req("user_id")?;
    if st.user(id).is_none() {
        return Err(MethodError::user_not_found());
    }
    Ok(id)
}

pub(super) fn message_id(p: &Params) -> Result<Option<i32>, MethodError> {
    match p.i64_opt("message_id")? {
        None => Ok(None),
        Some(id) => i32::try_from(id)
            .map(Some)
            .map_err(|_| MethodError::bad("MESSAGE_ID_INVALID")),
    }
}
