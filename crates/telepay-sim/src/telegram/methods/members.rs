//! banChatMember, unbanChatMember and join-request approval.

use super::super::MemberStatus;
use super::super::objects::MemberChange;
use super::super::params::{MethodError, MethodResult, Params};
use super::super::state::State;
use super::access::{self, Right};

/// Telegram treats bans shorter than 30 s or longer than 366 days as permanent.
fn ban_until(now: i64, until: Option<i64>) -> i64 {
    match until {
        Some(t) if t - now >= 30 && t - now <= 366 * 86_400 => t,
        _ => 0,
    }
}

/// Refuses to touch the owner or an administrator the bot did not promote.
fn protect_admins(status: &MemberStatus) -> Result<(), MethodError> {
    match status {
        MemberStatus::Creator { .. } => Err(MethodError::bad("can't remove chat owner")),
        MemberStatus::Administrator(rights) if !rights.can_be_edited => {
            Err(MethodError::bad("user is an administrator of the chat"))
        }
        _ => Ok(()),
    }
}

fn change(st: &mut State, chat_id: i64, user_id: i64, old: MemberStatus, new: MemberStatus) {
    st.set_status(chat_id, user_id, new);
    let actor = st.bot.id;
    let change = MemberChange {
        chat_id,
        actor,
        user_id,
        old,
        new,
        link: None,
        via_join_request: false,
    };
    st.emit_chat_member(&change);
}

pub(super) fn ban(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, _) = access::admin_chat(st, p, Right::Restrict)?;
    let user_id = access::user_id(st, p)?;
    if user_id == st.bot.id {
        return Err(MethodError::bad("can't restrict self"));
    }
    let old = st.status(chat_id, user_id);
    protect_admins(&old)?;
    let new = MemberStatus::Kicked {
        until_date: ban_until(st.now(), p.i64_opt("until_date")?),
    };
    st.join_requests
        .retain(|r| !(r.chat_id == chat_id && r.user_id == user_id));
    change(st, chat_id, user_id, old, new);
    Ok(true.into())
}

/// Without `only_if_banned` this also removes a current member: the "kick" idiom.
pub(super) fn unban(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, _) = access::admin_chat(st, p, Right::Restrict)?;
    let user_id = access::user_id(st, p)?;
    let old = st.status(chat_id, user_id);
    let only_if_banned = p.flag("only_if_banned")?;
    match old {
        MemberStatus::Kicked { .. } => change(st, chat_id, user_id, old, MemberStatus::Left),
        _ if only_if_banned => {}
        MemberStatus::Left => {}
        _ => {
            if user_id == st.bot.id {
                return Err(MethodError::bad("can't restrict self"));
            }
            protect_admins(&old)?;
            change(st, chat_id, user_id, old, MemberStatus::Left);
        }
    }
    Ok(true.into())
}

fn take_request(st: &mut State, chat_id: i64, user_id: i64) -> Result<Option<String>, MethodError> {
    let pos = st
        .join_requests
        .iter()
        .position(|r| r.chat_id == chat_id && r.user_id == user_id);
    let pos = pos.ok_or_else(|| MethodError::bad("HIDE_REQUESTER_MISSING"))?;
    Ok(st.join_requests.remove(pos).invite_link)
}

pub(super) fn approve(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, _) = access::admin_chat(st, p, Right::Invite)?;
    let user_id = access::user_id(st, p)?;
    let link = take_request(st, chat_id, user_id)?;
    let old = st.status(chat_id, user_id);
    if old.is_present() {
        return Err(MethodError::bad("USER_ALREADY_PARTICIPANT"));
    }
    let new = MemberStatus::member();
    st.set_status(chat_id, user_id, new);
    if let Some(link) = &link {
        st.joined_via
            .entry(chat_id)
            .or_default()
            .insert(user_id, link.clone());
        if let Some(record) = st.link_mut(link) {
            record.joined.push(user_id);
        }
    }
    // Bot API: `via_join_request` marks approvals of requests made without a link;
    // requests made through a link carry the link instead.
    let record = link.as_deref().and_then(|l| st.link(l)).cloned();
    let actor = st.bot.id;
    let via_join_request = record.is_none();
    let change = MemberChange {
        chat_id,
        actor,
        user_id,
        old,
        new,
        link: record.as_ref(),
        via_join_request,
    };
    st.emit_chat_member(&change);
    Ok(true.into())
}

pub(super) fn decline(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, _) = access::admin_chat(st, p, Right::Invite)?;
    let user_id = access::user_id(st, p)?;
    take_request(st, chat_id, user_id)?;
    Ok(true.into())
}
