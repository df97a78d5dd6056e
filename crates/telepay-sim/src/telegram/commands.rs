//! Bot command lists as the Bot API keeps them: one list per (scope, language), and the
//! order in which a client picks the list it shows (Bot API, "Determining list of commands").
//!
//! `setMyCommands`, `getMyCommands` and `deleteMyCommands` work on exactly one
//! (scope, language_code) pair; only what a user *sees* falls back from the most specific
//! list to the least specific one.

use serde_json::Value;

use super::ChatKind;
use super::params::{ChatRef, MethodError, Params};
use super::state::State;

/// `BotCommandScope`: to whom and where a list of commands applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CommandScope {
    /// `default`: every chat and user without a more specific list.
    Default,
    /// `all_private_chats`.
    AllPrivateChats,
    /// `all_group_chats`: every group and supergroup.
    AllGroupChats,
    /// `all_chat_administrators`: administrators of every group and supergroup.
    AllChatAdministrators,
    /// `chat`: one chat (a private chat's id is the user's id).
    Chat { chat_id: i64 },
    /// `chat_administrators`: the administrators of one group or supergroup.
    ChatAdministrators { chat_id: i64 },
    /// `chat_member`: one member of one group or supergroup.
    ChatMember { chat_id: i64, user_id: i64 },
}

/// A two-letter ISO 639-1 code, or `""` for "every language without its own list".
pub(crate) type LanguageCode = String;

impl CommandScope {
    /// The `scope` and `language_code` parameters of a command method. An omitted scope is
    /// `default`; scopes naming a chat need a chat the bot knows.
    pub(crate) fn from_params(
        st: &State,
        p: &Params,
    ) -> Result<(CommandScope, LanguageCode), MethodError> {
        let scope = match p.json_opt("scope")? {
            None => CommandScope::Default,
            Some(value) => Self::parse(st, &value)?,
        };
        let language = p.str_opt("language_code").unwrap_or_default();
        let two_letters = language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase());
        if !language.is_empty() && !two_letters {
            return Err(MethodError::bad("LANG_CODE_INVALID"));
        }
        Ok((scope, language))
    }

    fn parse(st: &State, value: &Value) -> Result<CommandScope, MethodError> {
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| MethodError::bad("can't parse BotCommandScope JSON object"))?;
        let chat = || -> Result<i64, MethodError> {
            let chat_ref = match value.get("chat_id") {
                Some(Value::Number(n)) => {
                    ChatRef::Id(n.as_i64().ok_or_else(MethodError::chat_not_found)?)
                }
                Some(Value::String(s)) => match s.parse::<i64>() {
                    Ok(id) => ChatRef::Id(id),
                    Err(_) => ChatRef::Username(s.trim_start_matches('@').to_owned()),
                },
                _ => return Err(MethodError::bad("chat_id is empty")),
            };
            st.resolve(&chat_ref)
        };
        Ok(match kind {
            "default" => CommandScope::Default,
            "all_private_chats" => CommandScope::AllPrivateChats,
            "all_group_chats" => CommandScope::AllGroupChats,
            "all_chat_administrators" => CommandScope::AllChatAdministrators,
            "chat" => CommandScope::Chat { chat_id: chat()? },
            "chat_administrators" => CommandScope::ChatAdministrators { chat_id: chat()? },
            "chat_member" => {
                let chat_id = chat()?;
                let user_id = value
                    .get("user_id")
                    .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
                    .ok_or_else(|| MethodError::bad("user_id is empty"))?;
                if !st.users.contains_key(&user_id) {
                    return Err(MethodError::user_not_found());
                }
                CommandScope::ChatMember { chat_id, user_id }
            }
            _ => return Err(MethodError::bad("unsupported scope type")),
        })
    }
}

/// The language a client asks commands in: the primary subtag of the user's IETF tag
/// (`es-AR` → `es`), if any.
fn client_language(st: &State, user_id: i64) -> Option<String> {
    let tag = st.users.get(&user_id)?.language_code.as_deref()?;
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    (!primary.is_empty()).then_some(primary)
}

/// The first list that is set among `scopes`, each tried with the user's language first and
/// then without one.
fn first_set<'a>(
    st: &'a State,
    scopes: &[CommandScope],
    language: Option<&str>,
) -> Option<&'a Value> {
    scopes.iter().find_map(|scope| {
        language
            .and_then(|l| st.commands.get(&(*scope, l.to_owned())))
            .or_else(|| st.commands.get(&(*scope, String::new())))
    })
}

/// What `user_id` sees in the bot's menu in their private chat with the bot:
/// chat, then all_private_chats, then default; each with the user's language, then without.
pub(crate) fn seen_in_private_chat(st: &State, user_id: i64) -> Option<&Value> {
    let language = client_language(st, user_id);
    first_set(
        st,
        &[
            CommandScope::Chat { chat_id: user_id },
            CommandScope::AllPrivateChats,
            CommandScope::Default,
        ],
        language.as_deref(),
    )
}

/// What `user_id` sees in the group or supergroup `chat_id`: chat_member,
/// chat_administrators (administrators only), chat, all_chat_administrators (administrators
/// only), all_group_chats, default; each with the user's language, then without.
pub(crate) fn seen_in_group(st: &State, chat_id: i64, user_id: i64) -> Option<&Value> {
    if !matches!(
        st.chat_kind(chat_id),
        Some(ChatKind::Group | ChatKind::Supergroup)
    ) {
        return None;
    }
    let language = client_language(st, user_id);
    let admin = st.status(chat_id, user_id).is_admin();
    let mut scopes = vec![CommandScope::ChatMember { chat_id, user_id }];
    if admin {
        scopes.push(CommandScope::ChatAdministrators { chat_id });
    }
    scopes.push(CommandScope::Chat { chat_id });
    if admin {
        scopes.push(CommandScope::AllChatAdministrators);
    }
    scopes.push(CommandScope::AllGroupChats);
    scopes.push(CommandScope::Default);
    first_set(st, &scopes, language.as_deref())
}
