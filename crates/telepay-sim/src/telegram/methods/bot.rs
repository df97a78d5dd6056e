//! Webhook management and bot commands.

use serde_json::{Value, json};

use super::super::SimConfig;
use super::super::commands::CommandScope;
use super::super::params::{MethodError, MethodResult, Params};
use super::super::state::{State, Webhook};

fn allowed_list(p: &Params) -> Result<Option<Vec<String>>, MethodError> {
    let Some(value) = p.json_opt("allowed_updates")? else {
        return Ok(None);
    };
    let list = value
        .as_array()
        .ok_or_else(|| MethodError::bad("can't parse allowed updates"))?;
    Ok(Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    ))
}

/// Stores `allowed_updates` when sent; "omitted" keeps the previous setting.
pub(crate) fn remember_allowed(st: &mut State, p: &Params) -> Result<(), MethodError> {
    if let Some(list) = allowed_list(p)? {
        st.allowed_updates = Some(list);
    }
    Ok(())
}

pub(super) fn set_webhook(st: &mut State, cfg: &SimConfig, p: &Params) -> MethodResult {
    let url = p.str_opt("url").unwrap_or_default();
    if url.is_empty() {
        return delete_webhook(st, p);
    }
    let parsed = url::Url::parse(&url).map_err(|_| MethodError::bad("can't parse URL"))?;
    if cfg.strict_webhook_url {
        if parsed.scheme() != "https" {
            return Err(MethodError::bad(
                "bad webhook: HTTPS url must be provided for webhook",
            ));
        }
        if !matches!(parsed.port_or_known_default(), Some(80 | 88 | 443 | 8443)) {
            return Err(MethodError::bad(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
            ));
        }
    } else if !matches!(parsed.scheme(), "http" | "https") {
        return Err(MethodError::bad(
            "bad webhook: HTTPS url must be provided for webhook",
        ));
    }
    let secret_token = p.str_opt("secret_token");
    if let Some(secret) = &secret_token {
        let valid = (1..=256).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(MethodError::bad(
                "secret token contains unallowed characters",
            ));
        }
    }
    let max_connections = match p.i64_opt("max_connections")? {
        None => 40,
        Some(n) => u32::try_from(n.clamp(1, 100)).unwrap_or(40),
    };
    remember_allowed(st, p)?;
    if p.flag("drop_pending_updates")? {
        st.updates.clear();
    }
    st.webhook = Some(Webhook {
        url,
        secret_token,
        max_connections,
    });
    st.webhook_last_error = None;
    Ok(true.into())
}

pub(super) fn delete_webhook(st: &mut State, p: &Params) -> MethodResult {
    if p.flag("drop_pending_updates")? {
        st.updates.clear();
    }
    st.webhook = None;
    Ok(true.into())
}

pub(super) fn webhook_info(st: &State) -> Value {
    let mut info = json!({
        "url": st.webhook.as_ref().map_or("", |w| w.url.as_str()),
        "has_custom_certificate": false,
        "pending_update_count": st.updates.len(),
    });
    if let Some(obj) = info.as_object_mut() {
        if let Some(hook) = &st.webhook {
            obj.insert("max_connections".to_owned(), json!(hook.max_connections));
        }
        if let Some(list) = &st.allowed_updates {
            obj.insert("allowed_updates".to_owned(), json!(list));
        }
        if let Some((date, message)) = &st.webhook_last_error {
            obj.insert("last_error_date".to_owned(), json!(date));
            obj.insert("last_error_message".to_owned(), json!(message));
        }
    }
    info
}

pub(super) fn set_my_commands(st: &mut State, p: &Params) -> MethodResult {
    let commands = p
        .json_opt("commands")?
        .ok_or_else(|| MethodError::bad("commands is empty"))?;
    let list = commands
        .as_array()
        .ok_or_else(|| MethodError::bad("can't parse commands JSON object"))?;
    if list.len() > 100 {
        return Err(MethodError::bad("BOT_COMMANDS_TOO_MUCH"));
    }
    for command in list {
        let name = command.get("command").and_then(Value::as_str).unwrap_or("");
        let name_ok = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(MethodError::bad("BOT_COMMAND_INVALID"));
        }
        let description = command
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !(3..=256).contains(&description.chars().count()) {
            return Err(MethodError::bad("BOT_COMMAND_DESCRIPTION_INVALID"));
        }
    }
    let key = CommandScope::from_params(st, p)?;
    // An empty list is taken as deleting the list of this scope and language (as the client
    // libraries document for an empty `setCommands`) [unverified for the Bot API itself].
    if list.is_empty() {
        st.commands.remove(&key);
    } else {
        st.commands.insert(key, commands);
    }
    Ok(true.into())
}

/// The list of exactly this scope and language: no fallback (that is only what users see).
pub(super) fn get_my_commands(st: &mut State, p: &Params) -> MethodResult {
    let key = CommandScope::from_params(st, p)?;
    Ok(st.commands.get(&key).cloned().unwrap_or_else(|| json!([])))
}

/// Removes the list of this scope and language; users then see the next list in the order.
pub(super) fn delete_my_commands(st: &mut State, p: &Params) -> MethodResult {
    let key = CommandScope::from_params(st, p)?;
    st.commands.remove(&key);
    Ok(true.into())
}
