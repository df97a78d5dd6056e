//! What happened: links, requests, messages, recorded calls, deliveries, errors.

use serde_json::Value;

/// An invite link and what happened with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteLink {
    /// Full link, `https://t.me/+…`.
    pub link: String,
    /// Chat it leads to.
    pub chat_id: i64,
    /// User (or the bot) that created it.
    pub creator_id: i64,
    /// Optional name (0–32 chars).
    pub name: Option<String>,
    /// Expiry (unix seconds).
    pub expire_date: Option<i64>,
    /// Maximum number of simultaneous members who joined through it.
    pub member_limit: Option<u32>,
    /// Joining needs approval.
    pub creates_join_request: bool,
    /// The chat's primary link.
    pub is_primary: bool,
    /// Revoked.
    pub is_revoked: bool,
    /// Every user who ever joined through it, in order.
    pub joined: Vec<i64>,
}

/// A pending request to join a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequest {
    /// Chat the user wants to join.
    pub chat_id: i64,
    /// The user.
    pub user_id: i64,
    /// Link that produced the request.
    pub invite_link: Option<String>,
    /// When it was made (unix seconds).
    pub date: i64,
}

/// A document attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimDocument {
    /// Telegram file id the simulator assigned.
    pub file_id: String,
    /// File name from the upload, if any.
    pub file_name: Option<String>,
    /// MIME type from the upload, if any.
    pub mime_type: Option<String>,
    /// Uploaded bytes (empty when sent by file id or URL).
    pub bytes: Vec<u8>,
}

/// A photo attached to a message: the size the bot uploaded (Telegram also derives smaller
/// ones; the simulator reports only this one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimPhoto {
    /// Telegram file id the simulator assigned.
    pub file_id: String,
    /// Pixels, read from the uploaded image.
    pub width: u32,
    pub height: u32,
    /// Uploaded bytes.
    pub bytes: Vec<u8>,
}

/// A message in the simulator's history.
#[derive(Debug, Clone, PartialEq)]
pub struct SimMessage {
    /// Chat the message is in.
    pub chat_id: i64,
    /// Per-chat message id.
    pub message_id: i32,
    /// Sent by the bot.
    pub from_bot: bool,
    /// Sending user, for messages from users.
    pub from_user: Option<i64>,
    /// Plain text as Telegram shows it (markup removed, entities decoded).
    pub text: Option<String>,
    /// Text exactly as the bot sent it (before parsing).
    pub raw_text: Option<String>,
    /// `parse_mode` used for text or caption.
    pub parse_mode: Option<String>,
    /// Entities Telegram would report for the text or caption.
    pub entities: Option<Value>,
    /// Plain caption of a media message.
    pub caption: Option<String>,
    /// `reply_markup` as sent.
    pub reply_markup: Option<Value>,
    /// `link_preview_options` as sent.
    pub link_preview_options: Option<Value>,
    /// Attached document.
    pub document: Option<SimDocument>,
    /// Attached photo (`sendPhoto`).
    pub photo: Option<SimPhoto>,
    /// For forwarded channel posts: `(channel id, post id)`.
    pub forwarded_from: Option<(i64, i32)>,
    /// For a chat picked with a `request_chat` button: `(request id, chat id)`.
    pub chat_shared: Option<(i32, i64)>,
    /// An invoice sent with `sendInvoice` (the Bot API `Invoice` object).
    pub invoice: Option<Value>,
    /// A service message about a payment (the Bot API `SuccessfulPayment` object).
    pub successful_payment: Option<Value>,
    /// Unix seconds.
    pub date: i64,
    /// Last edit (unix seconds).
    pub edit_date: Option<i64>,
    /// Deleted by `deleteMessage`.
    pub deleted: bool,
}

impl SimMessage {
    /// Every inline button as `(text, callback_data, url)`, row by row.
    pub fn buttons(&self) -> Vec<(String, Option<String>, Option<String>)> {
        let rows = self
            .reply_markup
            .as_ref()
            .and_then(|m| m.get("inline_keyboard"))
            .and_then(Value::as_array);
        let mut out = Vec::new();
        for row in rows.into_iter().flatten() {
            for button in row.as_array().into_iter().flatten() {
                let field = |k: &str| button.get(k).and_then(Value::as_str).map(str::to_owned);
                out.push((
                    field("text").unwrap_or_default(),
                    field("callback_data"),
                    field("url"),
                ));
            }
        }
        out
    }

    /// Every `callback_data` of the inline keyboard.
    pub fn callback_data(&self) -> Vec<String> {
        self.buttons()
            .into_iter()
            .filter_map(|(_, data, _)| data)
            .collect()
    }
}

/// A file part of a multipart request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    /// Form field name (teloxide uses a random attach id).
    pub field: String,
    /// `filename` from `Content-Disposition`.
    pub file_name: Option<String>,
    /// `Content-Type` of the part.
    pub content_type: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// One request the bot made, in arrival order of completion.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    /// Sequence number, starting at 1.
    pub seq: u64,
    /// Method name normalised to lowerCamel (`sendMessage`).
    pub method: String,
    /// Parameters as a JSON object (form and multipart values as strings).
    pub params: Value,
    /// Files of a multipart request.
    pub files: Vec<UploadedFile>,
    /// `Some(error_code)` when the simulator answered with an error.
    pub refused: Option<u16>,
    /// The error description, when refused.
    pub description: Option<String>,
}

impl RecordedCall {
    /// A parameter as a string (JSON strings unquoted, other values rendered).
    pub fn param_str(&self, key: &str) -> Option<String> {
        match self.params.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
}

/// One webhook delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The update.
    pub update_id: i64,
    /// Attempt number, starting at 1.
    pub attempt: u32,
    /// URL it was POSTed to.
    pub url: String,
    /// HTTP status, when a response came back.
    pub status: Option<u16>,
    /// Transport error, when none did.
    pub error: Option<String>,
    /// The receiver answered 2xx.
    pub delivered: bool,
}

/// What an injection produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected {
    /// Id of the queued update.
    pub update_id: i64,
    /// Message id, when the update carries a new message.
    pub message_id: Option<i32>,
    /// Callback query id, for button presses.
    pub callback_query_id: Option<String>,
}

/// Result of [`crate::telegram::TelegramSim::user_opens_invite_link`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinOutcome {
    /// The user is now a member; `update_id` of the `chat_member` update, which is
    /// only produced when the bot is an administrator of the chat.
    Joined {
        /// The `chat_member` update, if any.
        update_id: Option<i64>,
    },
    /// A join request is pending; `update_id` of the `chat_join_request` update,
    /// produced only when the bot may approve it (admin with `can_invite_users`).
    Requested {
        /// The `chat_join_request` update, if any.
        update_id: Option<i64>,
    },
}

/// Why a test-side action was refused (the user-facing Telegram error, in effect).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// No user with this id was added.
    #[error("unknown user {0}")]
    UnknownUser(i64),
    /// No chat with this id was added.
    #[error("unknown chat {0}")]
    UnknownChat(i64),
    /// The message does not exist or was deleted.
    #[error("message {message_id} not found in chat {chat_id}")]
    UnknownMessage { chat_id: i64, message_id: i32 },
    /// The message has no inline button with this callback data.
    #[error("message {message_id} has no button with callback data {data:?}")]
    NoSuchButton { message_id: i32, data: String },
    /// The user blocked the bot and must `/start` it again first.
    #[error("user {0} has blocked the bot")]
    BlockedBot(i64),
    /// No such invite link.
    #[error("invite link not found: {0}")]
    LinkNotFound(String),
    /// The link was revoked.
    #[error("invite link revoked")]
    LinkRevoked,
    /// The link's `expire_date` has passed.
    #[error("invite link expired")]
    LinkExpired,
    /// The link's `member_limit` is used up.
    #[error("invite link member limit reached")]
    LinkLimitReached,
    /// The user is banned from the chat.
    #[error("user is banned in this chat")]
    Banned,
    /// The user is already in the chat.
    #[error("user is already a member")]
    AlreadyMember,
    /// The user already has a pending join request.
    #[error("a join request is already pending")]
    RequestPending,
    /// `inject_raw` got something that is not an update.
    #[error("invalid update: {0}")]
    InvalidUpdate(String),
    /// The bytes given as a photo are not a PNG the simulator can read.
    #[error("not a readable PNG")]
    NotAnImage,
    /// The message carries no invoice.
    #[error("message {message_id} in chat {chat_id} is not an invoice")]
    NotAnInvoice { chat_id: i64, message_id: i32 },
    /// A `wait_*` helper gave up.
    #[error("timed out after {0:?} waiting for a condition")]
    Timeout(std::time::Duration),
}
