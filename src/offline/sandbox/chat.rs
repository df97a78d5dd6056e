//! A Telegram chat as the page shows it: messages with their inline buttons, and the reply
//! keyboard on screen.

use serde::Serialize;
use serde_json::Value;
use telepay_sim::telegram::{SimMessage, TelegramSim};

#[derive(Debug, Clone, Serialize)]
pub struct Button {
    pub text: String,
    pub data: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChatRequest {
    pub request_id: i32,
    /// The button asks for the bot to be made an administrator.
    pub bot_admin: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyButton {
    pub text: String,
    pub request_chat: Option<ChatRequest>,
}

/// A Telegram Stars invoice (`sendInvoice`): Telegram draws it as a card with a Pay button.
#[derive(Debug, Clone, Serialize)]
pub struct Invoice {
    pub title: String,
    pub description: String,
    /// The price in whole Stars.
    pub stars: i64,
}

/// A photo the bot sent (`sendPhoto`); the page loads its bytes from [`photo_url`].
#[derive(Debug, Clone, Serialize)]
pub struct Photo {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// Where the page reads the bytes of the photo of a message.
pub fn photo_url(chat_id: i64, message_id: i32) -> String {
    format!("/sandbox/api/photo/{chat_id}/{message_id}")
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: i32,
    pub from_bot: bool,
    pub text: String,
    pub date: i64,
    pub edited: bool,
    pub deleted: bool,
    pub buttons: Vec<Vec<Button>>,
    pub invoice: Option<Invoice>,
    pub photo: Option<Photo>,
}

/// Every message of a chat, deleted ones included (flagged): ids run from 1 without gaps.
pub fn history(tg: &TelegramSim, chat_id: i64) -> Vec<Message> {
    (1..)
        .map_while(|id| tg.message(chat_id, id))
        .map(|m| message(&m))
        .collect()
}

fn message(m: &SimMessage) -> Message {
    let text = m
        .text
        .clone()
        .or_else(|| m.caption.clone())
        .or_else(|| {
            m.chat_shared
                .map(|(_, chat)| format!("(shared the chat {chat})"))
        })
        .or_else(|| {
            let paid = m.successful_payment.as_ref()?;
            let stars = paid.get("total_amount").and_then(Value::as_i64)?;
            Some(format!("(paid ⭐ {stars})"))
        })
        .or_else(|| {
            m.document
                .as_ref()
                .map(|d| format!("(a file: {})", d.file_name.clone().unwrap_or_default()))
        })
        .unwrap_or_default();
    let rows = m
        .reply_markup
        .as_ref()
        .and_then(|k| k.get("inline_keyboard"))
        .and_then(Value::as_array);
    let buttons = rows
        .into_iter()
        .flatten()
        .map(|row| {
            row.as_array()
                .into_iter()
                .flatten()
                .map(|b| {
                    let field = |k: &str| b.get(k).and_then(Value::as_str).map(str::to_owned);
                    Button {
                        text: field("text").unwrap_or_default(),
                        data: field("callback_data"),
                        url: field("url"),
                    }
                })
                .collect()
        })
        .collect();
    let invoice = m.invoice.as_ref().map(|i| {
        let field = |k: &str| {
            i.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Invoice {
            title: field("title"),
            description: field("description"),
            stars: i
                .get("total_amount")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
        }
    });
    let photo = m.photo.as_ref().map(|p| Photo {
        url: photo_url(m.chat_id, m.message_id),
        width: p.width,
        height: p.height,
    });
    Message {
        id: m.message_id,
        from_bot: m.from_bot,
        text,
        date: m.date,
        edited: m.edit_date.is_some(),
        deleted: m.deleted,
        buttons,
        invoice,
        photo,
    }
}

/// The reply keyboard the latest bot message that set or removed one left on screen.
pub fn current_keyboard(messages: &[SimMessage]) -> Option<Vec<Vec<KeyButton>>> {
    let markup = messages
        .iter()
        .rev()
        .filter(|m| m.from_bot)
        .filter_map(|m| m.reply_markup.as_ref())
        .find(|k| k.get("keyboard").is_some() || k.get("remove_keyboard").is_some())?;
    let rows = markup.get("keyboard")?.as_array()?;
    Some(
        rows.iter()
            .map(|row| {
                row.as_array()
                    .into_iter()
                    .flatten()
                    .map(|b| KeyButton {
                        text: b
                            .get("text")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        request_chat: b.get("request_chat").and_then(|r| {
                            Some(ChatRequest {
                                request_id: i32::try_from(r.get("request_id")?.as_i64()?).ok()?,
                                bot_admin: r.get("bot_administrator_rights").is_some(),
                            })
                        }),
                    })
                    .collect()
            })
            .collect(),
    )
}
