//! The commands users can type (the menus Telegram shows for them are in `menus`).

use teloxide::utils::command::BotCommands;

#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/start` with an optional deep-link payload.
    Start(String),
    Help,
    Language,
    Subscriptions,
    Access,
    Status,
    Cancel,
    /// Register a channel.
    AddChannel,
    /// The owner's channels.
    Channels,
    /// Balance and payouts.
    Balance,
    /// Operators only (only in operators' menus).
    Admin,
    /// Operators only: `/lookup <user id | @username | channel | invoice | payment | tx hash>`.
    Lookup(String),
    /// Operators only: `/assign <payment id> <invoice id>` for an orphan payment.
    Assign(String),
}
