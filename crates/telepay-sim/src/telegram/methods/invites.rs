//! createChatInviteLink, editChatInviteLink, revokeChatInviteLink, exportChatInviteLink.

use rand::Rng as _;
use rand::distr::Alphanumeric;

use super::super::InviteLink;
use super::super::objects;
use super::super::params::{MethodError, MethodResult, Params};
use super::super::state::State;
use super::access::{self, Right};

fn random_link() -> String {
    let tail: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(16)
        .map(char::from)
        .collect();
    format!("https://t.me/+{tail}")
}

/// Name, expiry, limit and approval flag, validated together as Telegram does.
struct Options {
    name: Option<String>,
    expire_date: Option<i64>,
    member_limit: Option<u32>,
    creates_join_request: bool,
}

fn options(st: &State, p: &Params) -> Result<Options, MethodError> {
    let name = p.str_opt("name");
    if name.as_ref().is_some_and(|n| n.chars().count() > 32) {
        return Err(MethodError::bad("invite link name is too long"));
    }
    let expire_date = p.i64_opt("expire_date")?.filter(|d| *d != 0);
    if expire_date.is_some_and(|d| d <= st.now()) {
        return Err(MethodError::bad("EXPIRE_DATE_INVALID"));
    }
    let member_limit = match p.i64_opt("member_limit")? {
        None | Some(0) => None,
        Some(n) if (1..=99_999).contains(&n) => u32::try_from(n).ok(),
        Some(_) => return Err(MethodError::bad("USAGE_LIMIT_INVALID")),
    };
    let creates_join_request = p.flag("creates_join_request")?;
    if creates_join_request && member_limit.is_some() {
        return Err(MethodError::bad(
            "member limit can't be specified for links requiring administrator approval",
        ));
    }
    Ok(Options {
        name,
        expire_date,
        member_limit,
        creates_join_request,
    })
}

fn new_link(st: &mut State, chat_id: i64, opts: Options, is_primary: bool) -> InviteLink {
    let link = InviteLink {
        link: random_link(),
        chat_id,
        creator_id: st.bot.id,
        name: opts.name,
        expire_date: opts.expire_date,
        member_limit: opts.member_limit,
        creates_join_request: opts.creates_join_request,
        is_primary,
        is_revoked: false,
        joined: Vec::new(),
    };
    st.links.push(link.clone());
    link
}

pub(super) fn create(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, _) = access::admin_chat(st, p, Right::Invite)?;
    let opts = options(st, p)?;
    let link = new_link(st, chat_id, opts, false);
    Ok(objects::invite_link(st, &link))
}

/// The link named by `invite_link` in this chat.
fn existing(st: &State, chat_id: i64, p: &Params) -> Result<String, MethodError> {
    let text = p
        .str_opt("invite_link")
        .ok_or_else(|| MethodError::bad("invite_link is empty"))?;
    let found = st.link(&text).filter(|l| l.chat_id == chat_id);
    found
        .map(|l| l.link.clone())
        .ok_or_else(|| MethodError::bad("INVITE_HASH_EXPIRED"))
}

pub(super) fn edit(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, _) = access::admin_chat(st, p, Right::Invite)?;
    let text = existing(st, chat_id, p)?;
    let opts = options(st, p)?;
    let record = st
        .link_mut(&text)
        .ok_or_else(|| MethodError::bad("INVITE_HASH_EXPIRED"))?;
    if record.is_revoked {
        return Err(MethodError::bad("INVITE_HASH_EXPIRED"));
    }
    record.name = opts.name;
    record.expire_date = opts.expire_date;
    record.member_limit = opts.member_limit;
    record.creates_join_request = opts.creates_join_request;
    let snapshot = record.clone();
    Ok(objects::invite_link(st, &snapshot))
}

pub(super) fn revoke(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, _) = access::admin_chat(st, p, Right::Invite)?;
    let text = existing(st, chat_id, p)?;
    let record = st
        .link_mut(&text)
        .ok_or_else(|| MethodError::bad("INVITE_HASH_EXPIRED"))?;
    let was_primary = record.is_primary && !record.is_revoked;
    record.is_revoked = true;
    let snapshot = record.clone();
    // Revoking the primary link makes Telegram generate a new one.
    if was_primary {
        let none = Options {
            name: None,
            expire_date: None,
            member_limit: None,
            creates_join_request: false,
        };
        new_link(st, chat_id, none, true);
    }
    Ok(objects::invite_link(st, &snapshot))
}

pub(super) fn export(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, _) = access::admin_chat(st, p, Right::Invite)?;
    for link in st
        .links
        .iter_mut()
        .filter(|l| l.chat_id == chat_id && l.is_primary)
    {
        link.is_revoked = true;
    }
    let none = Options {
        name: None,
        expire_date: None,
        member_limit: None,
        creates_join_request: false,
    };
    let link = new_link(st, chat_id, none, true);
    Ok(link.link.into())
}
