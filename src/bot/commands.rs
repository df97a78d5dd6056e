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
    /// Operators only (not in the public menu).
    Admin,
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

/// The menu of an operator: everyone's plus /admin.
pub fn admin_menu(lang: Lang) -> Vec<BotCommand> {
    let mut m = menu(lang);
    m.push(BotCommand::new("admin", t(lang, "cmd-admin")));
    m
}

/// Registers the command menus: English as the default and one per supported language; for
/// each operator, a chat-scoped menu that adds /admin (nobody else sees it).
pub async fn register(bot: &TgBot, admins: &std::collections::BTreeSet<i64>) -> anyhow::Result<()> {
    bot.set_my_commands(menu(Lang::En)).await?;
    for lang in Lang::ALL {
        bot.set_my_commands(menu(lang))
            .language_code(lang.code())
            .await?;
    }
    for admin in admins {
        let scope = teloxide::types::BotCommandScope::Chat {
            chat_id: teloxide::types::Recipient::Id(ChatId(*admin)),
        };
        // An operator who never opened the bot has no chat yet: the others still get theirs.
        // The error text may carry the request URL (with the token): it is not logged.
        if bot
            .set_my_commands(admin_menu(Lang::En))
            .scope(scope)
            .await
            .is_err()
        {
            tracing::info!(
                admin,
                "operator command menu not set (has this operator opened the bot?)"
            );
        }
    }
    Ok(())
}
