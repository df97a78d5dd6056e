//! sendMessage, sendDocument, sendPhoto, edits, deleteMessage and answerCallbackQuery.

use serde_json::Value;
use tokio::time::Instant;

use super::super::SimConfig;
use super::super::objects;
use super::super::params::{MethodError, MethodResult, Params};
use super::super::state::State;
use super::super::{ChatKind, SimDocument, SimMessage, SimPhoto};
use super::access;
use super::compose::{self, CAPTION, EDITED_MESSAGE, MESSAGE};

pub(super) fn send_message(st: &mut State, cfg: &SimConfig, p: &Params) -> MethodResult {
    let chat_id = st.resolve(&p.chat_ref("chat_id")?)?;
    let kind = compose::check_can_send(st, chat_id)?;
    let raw = p.str_opt("text").unwrap_or_default();
    let parse_mode = p.str_opt("parse_mode");
    let parsed = compose::render(
        cfg,
        &raw,
        parse_mode.as_deref(),
        p.json_opt("entities")?,
        &MESSAGE,
    )?;
    let markup = p.json_opt("reply_markup")?;
    compose::check_markup(markup.as_ref(), kind)?;
    check_reply(st, chat_id, p)?;
    let mut message = st.blank_message(chat_id);
    message.from_bot = true;
    message.entities = compose::entities_value(&parsed);
    message.text = Some(parsed.text);
    message.raw_text = Some(raw);
    message.parse_mode = parse_mode;
    message.reply_markup = markup;
    message.link_preview_options = p.json_opt("link_preview_options")?;
    Ok(store(st, message))
}

pub(super) fn send_document(st: &mut State, cfg: &SimConfig, p: &Params) -> MethodResult {
    let chat_id = st.resolve(&p.chat_ref("chat_id")?)?;
    let kind = compose::check_can_send(st, chat_id)?;
    let document = document(st, p)?;
    let raw_caption = p.str_opt("caption");
    let parse_mode = p.str_opt("parse_mode");
    let caption = match &raw_caption {
        Some(raw) => Some(compose::render(
            cfg,
            raw,
            parse_mode.as_deref(),
            p.json_opt("caption_entities")?,
            &CAPTION,
        )?),
        None => None,
    };
    let markup = p.json_opt("reply_markup")?;
    compose::check_markup(markup.as_ref(), kind)?;
    check_reply(st, chat_id, p)?;
    let mut message = st.blank_message(chat_id);
    message.from_bot = true;
    message.document = Some(document);
    message.entities = caption.as_ref().and_then(compose::entities_value);
    message.caption = caption.map(|c| c.text).filter(|c| !c.is_empty());
    message.raw_text = raw_caption;
    message.parse_mode = parse_mode;
    message.reply_markup = markup;
    Ok(store(st, message))
}

pub(super) fn send_photo(st: &mut State, cfg: &SimConfig, p: &Params) -> MethodResult {
    let chat_id = st.resolve(&p.chat_ref("chat_id")?)?;
    let kind = compose::check_can_send(st, chat_id)?;
    let photo = photo(st, p)?;
    let raw_caption = p.str_opt("caption");
    let parse_mode = p.str_opt("parse_mode");
    let caption = match &raw_caption {
        Some(raw) => Some(compose::render(
            cfg,
            raw,
            parse_mode.as_deref(),
            p.json_opt("caption_entities")?,
            &CAPTION,
        )?),
        None => None,
    };
    let markup = p.json_opt("reply_markup")?;
    compose::check_markup(markup.as_ref(), kind)?;
    check_reply(st, chat_id, p)?;
    let mut message = st.blank_message(chat_id);
    message.from_bot = true;
    message.photo = Some(photo);
    message.entities = caption.as_ref().and_then(compose::entities_value);
    message.caption = caption.map(|c| c.text).filter(|c| !c.is_empty());
    message.raw_text = raw_caption;
    message.parse_mode = parse_mode;
    message.reply_markup = markup;
    Ok(store(st, message))
}

/// Telegram's limits on an uploaded photo (Bot API, `sendPhoto`).
const PHOTO_MAX_BYTES: usize = 10 * 1024 * 1024;
const PHOTO_MAX_SIDES: u32 = 10_000;
const PHOTO_MAX_RATIO: u32 = 20;

/// The `photo` field: an uploaded PNG or a known photo's file id. Other uploads fail the way
/// Telegram fails an image it cannot process.
fn photo(st: &mut State, p: &Params) -> Result<SimPhoto, MethodError> {
    if let Some(file) = p.file_for("photo") {
        if file.bytes.len() > PHOTO_MAX_BYTES {
            return Err(MethodError::bad("PHOTO_INVALID_DIMENSIONS"));
        }
        let (width, height) =
            png_size(&file.bytes).ok_or_else(|| MethodError::bad("IMAGE_PROCESS_FAILED"))?;
        let (long, short) = (width.max(height), width.min(height));
        if width.saturating_add(height) > PHOTO_MAX_SIDES
            || short == 0
            || long / short > PHOTO_MAX_RATIO
        {
            return Err(MethodError::bad("PHOTO_INVALID_DIMENSIONS"));
        }
        return Ok(SimPhoto {
            file_id: format!("AgACAgIAAxkBAAIC{:06}", st.next_counter()),
            width,
            height,
            bytes: file.bytes.clone(),
        });
    }
    let reference = p
        .str_opt("photo")
        .ok_or_else(|| MethodError::bad("there is no photo in the request"))?;
    st.logs
        .values()
        .flat_map(|log| log.messages.values())
        .filter_map(|m| m.photo.as_ref())
        .find(|ph| ph.file_id == reference)
        .cloned()
        .ok_or_else(|| MethodError::bad("wrong file identifier/HTTP URL specified"))
}

/// Width and height from a PNG's signature and IHDR chunk.
pub(crate) fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.get(..8)? != SIGNATURE || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    Some((be(16)?, be(20)?))
}

/// The `document` field: an uploaded part, a known file id, or an HTTP URL.
fn document(st: &mut State, p: &Params) -> Result<SimDocument, MethodError> {
    let file_id = format!("BQACAgIAAxkBAAIB{:06}", st.next_counter());
    if let Some(file) = p.file_for("document") {
        return Ok(SimDocument {
            file_id,
            file_name: file.file_name.clone(),
            mime_type: file.content_type.clone(),
            bytes: file.bytes.clone(),
        });
    }
    let Some(reference) = p.str_opt("document") else {
        return Err(MethodError::bad("there is no document in the request"));
    };
    if reference.starts_with("http://") || reference.starts_with("https://") {
        let name = reference
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        return Ok(SimDocument {
            file_id,
            file_name: name,
            mime_type: None,
            bytes: Vec::new(),
        });
    }
    let known = st
        .logs
        .values()
        .flat_map(|log| log.messages.values())
        .filter_map(|m| m.document.as_ref())
        .find(|d| d.file_id == reference)
        .cloned();
    known.ok_or_else(|| MethodError::bad("wrong file identifier/HTTP URL specified"))
}

fn check_reply(st: &State, chat_id: i64, p: &Params) -> Result<(), MethodError> {
    let Some(reply) = p.json_opt("reply_parameters")? else {
        return Ok(());
    };
    let target = reply
        .get("message_id")
        .and_then(Value::as_i64)
        .and_then(|id| i32::try_from(id).ok());
    let allow_missing = reply
        .get("allow_sending_without_reply")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let exists = target
        .and_then(|id| st.message(chat_id, id))
        .is_some_and(|m| !m.deleted);
    if exists || allow_missing {
        Ok(())
    } else {
        Err(MethodError::bad("message to be replied not found"))
    }
}

pub(super) fn store_message(st: &mut State, message: SimMessage) -> Value {
    store(st, message)
}

fn store(st: &mut State, message: SimMessage) -> Value {
    let chat_id = message.chat_id;
    let id = st.add_message(message);
    st.message(chat_id, id)
        .map_or(Value::Null, |m| objects::message(st, m))
}

pub(super) fn send_chat_action(st: &mut State, p: &Params) -> MethodResult {
    let chat_id = st.resolve(&p.chat_ref("chat_id")?)?;
    compose::check_can_send(st, chat_id)?;
    Ok(true.into())
}

/// The bot's own, undeleted message named by `chat_id` + `message_id`.
fn editable(st: &State, p: &Params) -> Result<(i64, i32, ChatKind), MethodError> {
    if p.str_opt("inline_message_id").is_some() {
        return Err(MethodError::bad("MESSAGE_ID_INVALID"));
    }
    let chat_id = st.resolve(&p.chat_ref("chat_id")?)?;
    let kind = st
        .chat_kind(chat_id)
        .ok_or_else(MethodError::chat_not_found)?;
    let id = access::message_id(p)?
        .ok_or_else(|| MethodError::bad("message identifier is not specified"))?;
    let message = st.message(chat_id, id).filter(|m| !m.deleted);
    let message = message.ok_or_else(|| MethodError::bad("message to edit not found"))?;
    if !message.from_bot {
        return Err(MethodError::bad("message can't be edited"));
    }
    Ok((chat_id, id, kind))
}

fn not_modified() -> MethodError {
    MethodError::bad(
        "message is not modified: specified new message content and reply markup are exactly the same as a \
         current content and reply markup of the message",
    )
}

pub(super) fn edit_text(st: &mut State, cfg: &SimConfig, p: &Params) -> MethodResult {
    let (chat_id, id, kind) = editable(st, p)?;
    let raw = p.str_opt("text").unwrap_or_default();
    let parse_mode = p.str_opt("parse_mode");
    let parsed = compose::render(
        cfg,
        &raw,
        parse_mode.as_deref(),
        p.json_opt("entities")?,
        &EDITED_MESSAGE,
    )?;
    let markup = p.json_opt("reply_markup")?;
    compose::check_markup(markup.as_ref(), kind)?;
    let now = st.now();
    let entities = compose::entities_value(&parsed);
    let message = st
        .message_mut(chat_id, id)
        .ok_or_else(|| MethodError::bad("message to edit not found"))?;
    if message.text.is_none() {
        return Err(MethodError::bad("there is no text in the message to edit"));
    }
    if message.text.as_deref() == Some(parsed.text.as_str())
        && message.entities == entities
        && message.reply_markup == markup
    {
        return Err(not_modified());
    }
    message.text = Some(parsed.text);
    message.entities = entities;
    message.raw_text = Some(raw);
    message.parse_mode = parse_mode;
    // Like Telegram: an edit without reply_markup removes the inline keyboard.
    message.reply_markup = markup;
    message.edit_date = Some(now);
    Ok(current(st, chat_id, id))
}

pub(super) fn edit_caption(st: &mut State, cfg: &SimConfig, p: &Params) -> MethodResult {
    let (chat_id, id, kind) = editable(st, p)?;
    let raw = p.str_opt("caption").unwrap_or_default();
    let parse_mode = p.str_opt("parse_mode");
    let parsed = compose::render(
        cfg,
        &raw,
        parse_mode.as_deref(),
        p.json_opt("caption_entities")?,
        &CAPTION,
    )?;
    let markup = p.json_opt("reply_markup")?;
    compose::check_markup(markup.as_ref(), kind)?;
    let now = st.now();
    let entities = compose::entities_value(&parsed);
    let caption = Some(parsed.text).filter(|c| !c.is_empty());
    let message = st
        .message_mut(chat_id, id)
        .ok_or_else(|| MethodError::bad("message to edit not found"))?;
    if message.document.is_none() && message.photo.is_none() {
        return Err(MethodError::bad(
            "there is no caption in the message to edit",
        ));
    }
    if message.caption == caption && message.entities == entities && message.reply_markup == markup
    {
        return Err(not_modified());
    }
    message.caption = caption;
    message.entities = entities;
    message.raw_text = Some(raw);
    message.parse_mode = parse_mode;
    message.reply_markup = markup;
    message.edit_date = Some(now);
    Ok(current(st, chat_id, id))
}

pub(super) fn edit_reply_markup(st: &mut State, p: &Params) -> MethodResult {
    let (chat_id, id, kind) = editable(st, p)?;
    let markup = p.json_opt("reply_markup")?;
    compose::check_markup(markup.as_ref(), kind)?;
    let now = st.now();
    let message = st
        .message_mut(chat_id, id)
        .ok_or_else(|| MethodError::bad("message to edit not found"))?;
    if message.reply_markup == markup {
        return Err(not_modified());
    }
    message.reply_markup = markup;
    message.edit_date = Some(now);
    Ok(current(st, chat_id, id))
}

fn current(st: &State, chat_id: i64, id: i32) -> Value {
    st.message(chat_id, id)
        .map_or(Value::Null, |m| objects::message(st, m))
}

pub(super) fn delete_message(st: &mut State, p: &Params) -> MethodResult {
    let chat_id = st.resolve(&p.chat_ref("chat_id")?)?;
    let kind = st
        .chat_kind(chat_id)
        .ok_or_else(MethodError::chat_not_found)?;
    let id = access::message_id(p)?
        .ok_or_else(|| MethodError::bad("message identifier is not specified"))?;
    let message = st.message(chat_id, id).filter(|m| !m.deleted);
    let message = message.ok_or_else(|| MethodError::bad("message to delete not found"))?;
    let may_delete = message.from_bot
        || kind == ChatKind::Private
        || st
            .bot_status(chat_id)
            .rights()
            .is_some_and(|r| r.can_delete_messages);
    if !may_delete {
        return Err(MethodError::bad("message can't be deleted"));
    }
    if let Some(message) = st.message_mut(chat_id, id) {
        message.deleted = true;
    }
    Ok(true.into())
}

pub(super) fn answer_callback_query(st: &mut State, cfg: &SimConfig, p: &Params) -> MethodResult {
    let stale =
        || MethodError::bad("query is too old and response timeout expired or query id is invalid");
    let id = p
        .str_opt("callback_query_id")
        .ok_or_else(|| MethodError::bad("callback_query_id is empty"))?;
    if p.str_opt("text").is_some_and(|t| t.chars().count() > 200) {
        return Err(MethodError::bad("MESSAGE_TOO_LONG"));
    }
    let pending = st.callbacks.remove(&id).ok_or_else(stale)?;
    if Instant::now().saturating_duration_since(pending.created) > cfg.callback_answer_timeout {
        return Err(stale());
    }
    Ok(true.into())
}
