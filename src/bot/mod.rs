//! The Telegram bot: parses what users send, calls a service, renders the answer.

pub mod admin;
pub mod amount;
pub mod callbacks;
pub mod checkout;
pub mod commands;
pub mod dialogue;
pub mod donation;
pub mod flood;
pub mod guard;
pub mod keyboards;
pub mod language;
pub mod members;
pub mod owner;
pub mod schema;
pub mod start;
pub mod subscriber;

use teloxide::Bot;
use teloxide::adaptors::Throttle;

/// The bot every part of the process sends with: one shared `Throttle`, so all outgoing
/// messages share one rate budget (1/s per chat, 30/s overall).
pub type TgBot = Throttle<Bot>;

/// What a handler returns; errors are caught and answered by [`guard`].
pub type HandlerResult = anyhow::Result<()>;
