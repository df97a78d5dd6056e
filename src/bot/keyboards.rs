//! Inline keyboards.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::domain::callbacks::{CallbackData, MenuItem, OwnerAction};
use crate::domain::lang::Lang;
use crate::i18n::t;

fn button(text: String, data: CallbackData) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(text, data.encode())
}

/// The main menu under /start.
pub fn main_menu(lang: Lang) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![
        vec![button(
            t(lang, "menu-add-channel"),
            CallbackData::Owner(OwnerAction::Add),
        )],
        vec![
            button(
                t(lang, "menu-my-channels"),
                CallbackData::Owner(OwnerAction::List),
            ),
            button(
                t(lang, "menu-balance"),
                CallbackData::Owner(OwnerAction::Balance(None)),
            ),
        ],
        vec![
            button(
                t(lang, "menu-language"),
                CallbackData::Menu(MenuItem::Language),
            ),
            button(t(lang, "menu-help"), CallbackData::Menu(MenuItem::Help)),
        ],
    ])
}

/// One button per supported language, each in its own name.
pub fn languages() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(
        Lang::ALL
            .into_iter()
            .map(|l| vec![button(l.native_name().to_owned(), CallbackData::SetLang(l))]),
    )
}
