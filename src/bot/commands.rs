//! The commands users can type, and the command menus registered with Telegram per language.

use teloxide::prelude::*;
use teloxide::types::BotCommand;
use teloxide::utils::command::BotCommands;

use super::TgBot;
use crate::domain::lang::Lang;
use crate::i18n::t;

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
}

/// The menu shown in the client for `lang`.
pub fn menu(lang: Lang) -> Vec<BotCommand> {
    vec![
        BotCommand::new("start", t(lang, "cmd-start")),
        BotCommand::new("language", t(lang, "cmd-language")),
        BotCommand::new("subscriptions", t(lang, "cmd-subscriptions")),
        BotCommand::new("access", t(lang, "cmd-access")),
        BotCommand::new("status", t(lang, "cmd-status")),
        BotCommand::new("addchannel", t(lang, "cmd-addchannel")),
        BotCommand::new("channels", t(lang, "cmd-channels")),
        BotCommand::new("balance", t(lang, "cmd-balance")),
        BotCommand::new("help", t(lang, "cmd-help")),
    ]
}

/// Registers the command menu: English as the default, and one per supported language.
pub async fn register(bot: &TgBot) -> anyhow::Result<()> {
    bot.set_my_commands(menu(Lang::En)).await?;
    for lang in Lang::ALL {
        bot.set_my_commands(menu(lang))
            .language_code(lang.code())
            .await?;
    }
    Ok(())
}
