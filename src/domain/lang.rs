//! The languages the bot speaks, and how one is chosen for a user.

use std::fmt;

/// A supported interface language. English is the fallback.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ru,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ru, Lang::Es];

    /// The code stored in the database and used as the locale folder name.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Es => "es",
        }
    }

    /// The language's own name, for the language picker.
    pub const fn native_name(self) -> &'static str {
        match self {
            Lang::En => "🇬🇧 English",
            Lang::Ru => "🇷🇺 Русский",
            Lang::Es => "🇪🇸 Español",
        }
    }

    /// Matches an IETF tag such as `ru`, `es-AR` or `pt-br` on its primary subtag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The stored choice wins, then Telegram's `language_code`, then English.
    pub fn negotiate(stored: Option<&str>, telegram: Option<&str>) -> Lang {
        stored
            .and_then(Lang::from_tag)
            .or_else(|| telegram.and_then(Lang::from_tag))
            .unwrap_or_default()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_stored_then_telegram_then_english() {
        assert_eq!(Lang::negotiate(Some("es"), Some("ru")), Lang::Es);
        assert_eq!(Lang::negotiate(None, Some("ru-RU")), Lang::Ru);
        assert_eq!(Lang::negotiate(None, Some("es_AR")), Lang::Es);
        assert_eq!(Lang::negotiate(None, Some("pt-br")), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), None), Lang::En);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }
}
