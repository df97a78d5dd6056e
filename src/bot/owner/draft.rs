//! The owner's registration and payout-settings conversation: its state (stored in the
//! `dialogues` table, so it survives a restart) and the pure checks of each answer.

use serde::{Deserialize, Serialize};

use crate::bot::amount::AmountUse;
use crate::config::RulesConfig;
use crate::domain::address::{self, AddressError, AddressFormat};
use crate::domain::money::{TypedUsdError, UsdMicros};
use crate::store::channels::{NewTier, PayoutSettings, PayoutStrategy};

/// What the conversation will change when the owner confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A channel not registered yet (chosen, verified, not written).
    NewChannel { chat_id: i64, title: String },
    /// New payout settings of a registered channel.
    Payout { channel_id: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Price,
    Days,
    MoreTiers,
    Currency,
    Address,
    ExtraId,
    Strategy,
    Threshold,
    Confirm,
}

/// Everything typed so far. Nothing of it is in the channel tables before the owner confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub target: Target,
    pub step: Step,
    /// Finished tiers: (price in micro-USD, days).
    pub tiers: Vec<(i64, u32)>,
    /// The price of the tier being entered, before its days.
    pub price: Option<i64>,
    pub currency: Option<String>,
    pub network: Option<String>,
    pub address: Option<String>,
    pub extra_id: Option<String>,
    pub strategy: Option<DraftStrategy>,
}

/// The strategy as answered (an explicit enum: `Option<Option<_>>` would not survive JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStrategy {
    Instant,
    Threshold { usd_micros: i64 },
}

impl Draft {
    pub fn new_channel(chat_id: i64, title: String) -> Self {
        Self::blank(Target::NewChannel { chat_id, title }, Step::Price)
    }

    pub fn payout(channel_id: i64) -> Self {
        Self::blank(Target::Payout { channel_id }, Step::Currency)
    }

    fn blank(target: Target, step: Step) -> Self {
        Draft {
            target,
            step,
            tiers: Vec::new(),
            price: None,
            currency: None,
            network: None,
            address: None,
            extra_id: None,
            strategy: None,
        }
    }

    pub fn new_tiers(&self) -> Vec<NewTier> {
        self.tiers
            .iter()
            .map(|(p, d)| NewTier {
                price: UsdMicros::from_micros(*p),
                days: *d,
            })
            .collect()
    }

    /// The payout settings, once every answer is in.
    pub fn payout_settings(&self) -> Option<PayoutSettings> {
        let strategy = match self.strategy? {
            DraftStrategy::Instant => PayoutStrategy::Instant,
            DraftStrategy::Threshold { usd_micros } => {
                PayoutStrategy::Threshold(UsdMicros::from_micros(usd_micros))
            }
        };
        Some(PayoutSettings {
            currency: self.currency.clone()?,
            network: self.network.clone()?,
            address: self.address.clone()?,
            extra_id: self.extra_id.clone(),
            strategy,
        })
    }
}

/// Why an answer was refused; each maps to a message that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    Days,
    Address(AddressError),
    ExtraId,
}

/// A tier price: a positive USD amount with at most 2 decimals within the configured bounds,
/// in one of the forms [`crate::domain::money::TypedUsd`] accepts.
pub fn parse_price(input: &str, rules: &RulesConfig) -> Result<UsdMicros, TypedUsdError> {
    AmountUse::Price.parse(input, rules)
}

/// Days of a tier: a whole number from 1 to 3650.
pub fn parse_days(input: &str) -> Result<u32, Invalid> {
    let s = input.trim();
    let d: u32 = s.parse().map_err(|_| Invalid::Days)?;
    if d.to_string() != s || !(1..=3650).contains(&d) {
        return Err(Invalid::Days);
    }
    Ok(d)
}

/// A threshold: at least MIN_THRESHOLD_USD, 2 decimals, at most the largest tier price bound ×
/// 1000 (a sanity ceiling, so a typo cannot park money forever).
pub fn parse_threshold(input: &str, rules: &RulesConfig) -> Result<UsdMicros, TypedUsdError> {
    AmountUse::Threshold.parse(input, rules)
}

/// One tier per line as `price days` (for editing tiers in one message). The days are the
/// last word of a line and the price everything before it, so `5 usd 30` is a $5 tier and
/// `1 000 30` is refused as an ambiguous price rather than read as a line of three words.
pub fn parse_tier_lines(input: &str, rules: &RulesConfig) -> Result<Vec<NewTier>, TierLinesError> {
    let lines: Vec<&str> = input
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Err(TierLinesError::Empty);
    }
    let max = usize::try_from(rules.max_tiers).unwrap_or(usize::MAX);
    if lines.len() > max {
        return Err(TierLinesError::TooMany);
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let Some((p, d)) = line.rsplit_once(char::is_whitespace) else {
                return Err(TierLinesError::Line(i + 1));
            };
            let days = parse_days(d).map_err(|_| TierLinesError::Line(i + 1))?;
            let price =
                parse_price(p, rules).map_err(|why| TierLinesError::Price { line: i + 1, why })?;
            Ok(NewTier { price, days })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierLinesError {
    Empty,
    TooMany,
    /// The 1-based line that is not `price days` with days within the bounds.
    Line(usize),
    /// The 1-based line whose price is refused, and why.
    Price {
        line: usize,
        why: TypedUsdError,
    },
}

/// The wallet address for a network's address format. A secret is refused before anything
/// else looks at it.
pub fn check_address(format_code: &str, input: &str) -> Result<String, Invalid> {
    let format =
        AddressFormat::from_code(format_code).ok_or(Invalid::Address(AddressError::BadFormat))?;
    address::validate(format, input).map_err(Invalid::Address)
}

pub fn check_extra_id(format_code: &str, input: &str) -> Result<String, Invalid> {
    let format = AddressFormat::from_code(format_code).ok_or(Invalid::ExtraId)?;
    address::validate_extra_id(format, input).map_err(|_| Invalid::ExtraId)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RulesConfig {
        crate::config::tests_support::rules()
    }

    #[test]
    fn a_draft_survives_json() {
        let mut d = Draft::new_channel(-100, "T".into());
        d.strategy = Some(DraftStrategy::Instant);
        let back: Draft = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
        d.strategy = Some(DraftStrategy::Threshold { usd_micros: 1 });
        let back: Draft = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn prices() {
        let r = rules();
        assert_eq!(parse_price("9.99", &r), Ok(UsdMicros::from_cents(999)));
        assert_eq!(parse_price(" $5 ", &r), Ok(UsdMicros::from_cents(500)));
        assert_eq!(parse_price("9,99", &r), Ok(UsdMicros::from_cents(999)));
        assert_eq!(parse_price("5 usd", &r), Ok(UsdMicros::from_cents(500)));
        for bad in [
            "", "0", "0.99", "9.999", "-5", "abc", "1e3", "10000", "NaN", "1,000",
        ] {
            assert!(parse_price(bad, &r).is_err(), "{bad}");
        }
        assert_eq!(parse_price("1,000", &r), Err(TypedUsdError::Ambiguous));
        assert_eq!(
            parse_price("9999.99", &r),
            Ok(UsdMicros::from_cents(999_999))
        );
    }

    #[test]
    fn days() {
        assert_eq!(parse_days("30"), Ok(30));
        assert_eq!(parse_days("3650"), Ok(3650));
        for bad in ["0", "3651", "-1", "1.5", "030", "", "x"] {
            assert_eq!(parse_days(bad), Err(Invalid::Days), "{bad}");
        }
    }

    #[test]
    fn thresholds() {
        let r = rules();
        assert!(parse_threshold("20", &r).is_ok());
        assert_eq!(parse_threshold("19.99", &r), Err(TypedUsdError::BelowMin));
        assert_eq!(parse_threshold("1e9", &r), Err(TypedUsdError::NotANumber));
        assert_eq!(parse_threshold("1,000", &r), Err(TypedUsdError::Ambiguous));
        assert_eq!(
            parse_threshold("1000,5", &r),
            Ok(UsdMicros::from_cents(100_050))
        );
    }

    #[test]
    fn tier_lines() {
        let r = rules();
        assert_eq!(
            parse_tier_lines("9.99 30\n\n 24.99  90 ", &r).map(|v| v.len()),
            Ok(2)
        );
        assert_eq!(
            parse_tier_lines("1 1\n2 2\n3 3\n4 4", &r),
            Err(TierLinesError::TooMany)
        );
        assert_eq!(
            parse_tier_lines("9.99 30\n5 0", &r),
            Err(TierLinesError::Line(2))
        );
        assert_eq!(
            parse_tier_lines("9.99 30 extra", &r),
            Err(TierLinesError::Line(1))
        );
        assert_eq!(
            parse_tier_lines("9.99 30\n1 000 30", &r),
            Err(TierLinesError::Price {
                line: 2,
                why: TypedUsdError::Ambiguous
            })
        );
        assert_eq!(
            parse_tier_lines("5 usd 30\n$7,50 60", &r),
            Ok(vec![
                NewTier {
                    price: UsdMicros::from_cents(500),
                    days: 30
                },
                NewTier {
                    price: UsdMicros::from_cents(750),
                    days: 60
                },
            ])
        );
        assert_eq!(parse_tier_lines("  ", &r), Err(TierLinesError::Empty));
    }
}
