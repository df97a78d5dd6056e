//! The Telegram bot: parses what users send, calls a service, renders the answer.

pub mod admin;
pub mod amount;
pub mod checkout;
pub mod commands;
pub mod dialogue;
pub mod donation;
pub mod flood;
pub mod guard;
pub mod keyboards;
pub mod language;
pub mod members;
pub mod menus;
pub mod owner;
pub mod promo;
pub mod schema;
pub mod stars;
pub mod start;
pub mod subscriber;
pub mod trial;

pub use crate::services::TgBot;

/// What a handler returns; errors are caught and answered by [`guard`].
pub type HandlerResult = anyhow::Result<()>;
