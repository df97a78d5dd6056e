//! Callback data: short verbs and ids only (never a price or a wallet), at most 64 bytes.

use crate::domain::lang::Lang;

/// Telegram's limit on callback data, in bytes.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// Every button press the bot understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackData {
    /// Open a main-menu section.
    Menu(MenuItem),
    /// Switch the interface language.
    SetLang(Lang),
    /// Buy (or renew) the tier with this id. Only the id: the price is read from the database.
    Buy(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    Language,
    Help,
}

impl CallbackData {
    pub fn encode(self) -> String {
        match self {
            CallbackData::Menu(MenuItem::Language) => "m:lang".into(),
            CallbackData::Menu(MenuItem::Help) => "m:help".into(),
            CallbackData::SetLang(l) => format!("lang:{}", l.code()),
            CallbackData::Buy(id) => format!("buy:{id}"),
        }
    }

    /// Parses data from a button; anything we did not produce is refused.
    pub fn parse(data: &str) -> Option<CallbackData> {
        if data.len() > MAX_CALLBACK_BYTES {
            return None;
        }
        match data.split_once(':')? {
            ("m", "lang") => Some(CallbackData::Menu(MenuItem::Language)),
            ("m", "help") => Some(CallbackData::Menu(MenuItem::Help)),
            ("buy", id) => id
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0 && id.to_string() == id_text(data))
                .map(CallbackData::Buy),
            ("lang", code) => Lang::ALL
                .into_iter()
                .find(|l| l.code() == code)
                .map(CallbackData::SetLang),
            _ => None,
        }
    }
}

/// The text after the first colon.
fn id_text(data: &str) -> &str {
    data.split_once(':').map(|(_, r)| r).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_fits_in_64_bytes() {
        let all = [
            CallbackData::Menu(MenuItem::Language),
            CallbackData::Menu(MenuItem::Help),
            CallbackData::SetLang(Lang::En),
            CallbackData::SetLang(Lang::Ru),
            CallbackData::SetLang(Lang::Es),
            CallbackData::Buy(i64::MAX),
            CallbackData::Buy(1),
        ];
        for c in all {
            let s = c.encode();
            assert!(s.len() <= MAX_CALLBACK_BYTES);
            assert_eq!(CallbackData::parse(&s), Some(c));
        }
    }

    #[test]
    fn refuses_tampered_data() {
        for bad in [
            "",
            "lang:xx",
            "lang",
            "m:admin",
            "x:y",
            &"a".repeat(65),
            "buy:0",
            "buy:-5",
            "buy:007",
            "buy:+7",
            "buy:7:price=1",
            "buy:99999999999999999999",
        ] {
            assert_eq!(CallbackData::parse(bad), None, "{bad}");
        }
    }
}
