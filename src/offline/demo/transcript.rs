//! What the demo saw, kept as data: every person's chat (what they typed and pressed, what the
//! bot answered and the buttons it showed), the invoices, the payouts and a timeline of scenes.
//! The terminal transcript and demo.html are both drawn from this.

use serde::Serialize;

/// Who a person is in the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Subscriber,
    Admin,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Subscriber => "subscriber",
            Role::Admin => "admin",
        }
    }
}

/// Who wrote a chat entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The person typed it, pressed a button, shared a chat or joined a channel.
    Person,
    Bot,
}

/// One inline button the bot showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Button {
    pub text: String,
    /// A URL button's target (deep links, invoices, invite links).
    pub url: Option<String>,
}

/// One bubble in a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatEntry {
    /// Simulated time, unix milliseconds.
    pub at_ms: i64,
    pub side: Side,
    pub text: String,
    /// Rows of inline buttons under a bot message.
    pub buttons: Vec<Vec<Button>>,
    /// The bot edited an earlier message into this (Telegram shows it in place).
    pub edited: bool,
    /// A person's action that is not typed text ("pressed …", "shared …", "joined …").
    pub action: bool,
}

/// A person and their private chat with the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub telegram_id: i64,
    pub name: String,
    pub role: Role,
    pub chat: Vec<ChatEntry>,
    /// One line on how it went for them, printed at the end.
    pub summary: String,
}

/// An invoice the demo paid (or left unpaid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    pub subscriber: String,
    pub channel: String,
    /// "$9.99".
    pub price: String,
    /// What the subscriber paid with ("0.00025 BTC").
    pub paid_with: String,
    /// What happened ("paid", "underpaid, topped up", "duplicate IPN ignored", "donation").
    pub outcome: String,
}

/// A payout the demo made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayoutLine {
    pub owner: String,
    pub channel: String,
    /// "instant via exchange", "instant direct", "threshold batch".
    pub kind: String,
    /// "12.34 USDT (BSC)".
    pub amount: String,
    pub state: String,
    pub tx_hash: Option<String>,
    /// Where a person would look the transaction up.
    pub explorer_url: Option<String>,
}

/// One moment of the story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub at_ms: i64,
    pub scene: String,
    pub text: String,
}

/// One owner's money at the end, in USD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceRow {
    pub owner: String,
    pub owed: String,
    pub paid: String,
    pub pending: String,
    pub fees: String,
}

/// The whole story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transcript {
    pub title: String,
    pub bot_username: String,
    pub people: Vec<Person>,
    pub invoices: Vec<InvoiceLine>,
    pub payouts: Vec<PayoutLine>,
    pub timeline: Vec<TimelineEntry>,
    pub balances: Vec<BalanceRow>,
    /// The audit's verdict at the end ("clean: …").
    pub audit: String,
}
