//! Building outgoing messages: who may be written to, text and markup rules.

use serde_json::Value;

use super::super::SimConfig;
use super::super::html::{self, Parsed};
use super::super::markdown;
use super::super::params::{MethodError, utf16_len};
use super::super::state::State;
use super::super::{ChatKind, MemberStatus};
use super::access;

/// Refuses a send the way Telegram does for each kind of chat.
pub(super) fn check_can_send(st: &State, chat_id: i64) -> Result<ChatKind, MethodError> {
    let kind = st
        .chat_kind(chat_id)
        .ok_or_else(MethodError::chat_not_found)?;
    match kind {
        ChatKind::Private => {
            let user = st
                .users
                .get(&chat_id)
                .ok_or_else(MethodError::chat_not_found)?;
            if user.is_bot {
                return Err(MethodError::forbidden("bot can't send messages to bots"));
            }
            if user.blocked {
                return Err(MethodError::forbidden("bot was blocked by the user"));
            }
            if !user.started && !access::has_recent_request(st, chat_id) {
                return Err(MethodError::forbidden(
                    "bot can't initiate conversation with a user",
                ));
            }
        }
        ChatKind::Channel => match st.bot_status(chat_id) {
            MemberStatus::Kicked { .. } => return Err(access::kicked(kind)),
            status if !status.is_present() => return Err(access::not_member(kind)),
            status if !status.rights().is_some_and(|r| r.can_post_messages) => {
                return Err(MethodError::bad(
                    "need administrator rights in the channel chat",
                ));
            }
            _ => {}
        },
        ChatKind::Supergroup | ChatKind::Group => match st.bot_status(chat_id) {
            MemberStatus::Kicked { .. } => return Err(access::kicked(kind)),
            status if !status.is_present() => return Err(access::not_member(kind)),
            MemberStatus::Restricted {
                can_send_messages: false,
                ..
            } => {
                return Err(MethodError::bad(
                    "not enough rights to send text messages to the chat",
                ));
            }
            _ => {}
        },
    }
    Ok(kind)
}

/// Limits for one piece of text.
pub(super) struct TextRules {
    pub(super) max: usize,
    pub(super) allow_empty: bool,
    pub(super) empty: &'static str,
    pub(super) too_long: &'static str,
}

pub(super) const MESSAGE: TextRules = TextRules {
    max: 4096,
    allow_empty: false,
    empty: "message text is empty",
    too_long: "message is too long",
};

/// On edits Telegram reports length with a different (teloxide-known) string.
pub(super) const EDITED_MESSAGE: TextRules = TextRules {
    too_long: "MESSAGE_TOO_LONG",
    ..MESSAGE
};

pub(super) const CAPTION: TextRules = TextRules {
    max: 1024,
    allow_empty: true,
    empty: "",
    too_long: "message caption is too long",
};

/// Parses `raw` per `parse_mode` (or takes explicit `entities`) and applies the
/// length rules to the resulting plain text, as Telegram counts after parsing.
pub(super) fn render(
    cfg: &SimConfig,
    raw: &str,
    parse_mode: Option<&str>,
    explicit: Option<Value>,
    rules: &TextRules,
) -> Result<Parsed, MethodError> {
    let mode = parse_mode
        .map(str::to_ascii_lowercase)
        .filter(|m| !m.is_empty());
    let parsed = match mode.as_deref() {
        None => {
            let entities = match explicit {
                Some(Value::Array(list)) => list,
                _ => Vec::new(),
            };
            Ok(Parsed {
                text: raw.to_owned(),
                entities,
            })
        }
        Some("html") => html::parse(raw, cfg.strict_html_ampersand),
        Some("markdownv2") => markdown::parse(raw),
        // Legacy Markdown is accepted as is; its rules are too loose to be worth modelling.
        Some("markdown") => Ok(Parsed {
            text: raw.to_owned(),
            entities: Vec::new(),
        }),
        Some(_) => return Err(MethodError::bad("unsupported parse_mode")),
    }
    .map_err(|e| MethodError::bad(&format!("can't parse entities: {e}")))?;
    if !rules.allow_empty && parsed.text.trim().is_empty() {
        return Err(MethodError::bad(rules.empty));
    }
    if utf16_len(&parsed.text) > rules.max {
        return Err(MethodError::bad(rules.too_long));
    }
    Ok(parsed)
}

/// Entities as stored: `None` when there are none, so comparisons ignore `[]`.
pub(super) fn entities_value(parsed: &Parsed) -> Option<Value> {
    (!parsed.entities.is_empty()).then(|| Value::Array(parsed.entities.clone()))
}

const ACTIONS: &[&str] = &[
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
];

/// Checks an inline keyboard the way Telegram does; other markups pass through.
pub(super) fn check_markup(markup: Option<&Value>, kind: ChatKind) -> Result<(), MethodError> {
    let Some(markup) = markup else { return Ok(()) };
    let Some(rows) = markup.get("inline_keyboard") else {
        return Ok(());
    };
    let rows = rows
        .as_array()
        .ok_or_else(|| MethodError::bad("field \"inline_keyboard\" must be an Array"))?;
    for row in rows {
        let buttons = row.as_array().ok_or_else(|| {
            MethodError::bad("field \"inline_keyboard\" must be an Array of Arrays")
        })?;
        for button in buttons {
            check_button(button, kind)?;
        }
    }
    Ok(())
}

fn check_button(button: &Value, kind: ChatKind) -> Result<(), MethodError> {
    let text = button.get("text").and_then(Value::as_str).unwrap_or("");
    if text.is_empty() {
        return Err(MethodError::bad(
            "can't parse inline keyboard button: Text must be non-empty",
        ));
    }
    let actions = ACTIONS.iter().filter(|a| button.get(**a).is_some()).count();
    if actions == 0 {
        return Err(MethodError::bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ));
    }
    if let Some(data) = button.get("callback_data") {
        let len = data.as_str().map_or(0, str::len);
        if !(1..=64).contains(&len) {
            return Err(MethodError::bad("BUTTON_DATA_INVALID"));
        }
    }
    if let Some(url) = button.get("url") {
        let ok = url
            .as_str()
            .and_then(|u| url::Url::parse(u).ok())
            .is_some_and(|u| {
                matches!(u.scheme(), "http" | "https" | "tg")
                    && (u.scheme() == "tg" || u.host_str().is_some())
            });
        if !ok {
            return Err(MethodError::bad("BUTTON_URL_INVALID"));
        }
    }
    // Web-app buttons work only in private chats.
    if button.get("web_app").is_some() && kind != ChatKind::Private {
        return Err(MethodError::bad("BUTTON_TYPE_INVALID"));
    }
    Ok(())
}
