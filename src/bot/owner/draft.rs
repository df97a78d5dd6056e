//! The owner's registration and payout-settings conversation: its state (stored in the
//! `dialogues` table, so it survives a restart) and the pure checks of each answer.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::config::RulesConfig;
use crate::domain::address::{self, AddressError, AddressFormat};
use crate::domain::money::UsdMicros;
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
    Price,
    Days,
    Threshold,
    Address(AddressError),
    ExtraId,
}

/// A tier price: a positive USD amount with at most 2 decimals within the configured bounds.
pub fn parse_price(input: &str, rules: &RulesConfig) -> Result<UsdMicros, Invalid> {
    let p = UsdMicros::parse_user_input(input.trim().trim_start_matches('$'), 2)
        .map_err(|_| Invalid::Price)?;
    if p < rules.min_price || p > rules.max_price {
        return Err(Invalid::Price);
    }
    Ok(p)
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
pub fn parse_threshold(input: &str, rules: &RulesConfig) -> Result<UsdMicros, Invalid> {
    let t = UsdMicros::parse_user_input(input.trim().trim_start_matches('$'), 2)
        .map_err(|_| Invalid::Threshold)?;
    let ceiling = rules
        .max_price
        .to_decimal()
        .checked_mul(Decimal::from(1000))
        .ok_or(Invalid::Threshold)?;
    if t < rules.min_threshold || t.to_decimal() > ceiling {
        return Err(Invalid::Threshold);
    }
    Ok(t)
}

/// One tier per line as `price days` (for editing tiers in one message).
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
            let mut parts = line.split_whitespace();
            let (Some(p), Some(d), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(TierLinesError::Line(i + 1));
            };
            let price = parse_price(p, rules).map_err(|_| TierLinesError::Line(i + 1))?;
            let days = parse_days(d).map_err(|_| TierLinesError::Line(i + 1))?;
            Ok(NewTier { price, days })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierLinesError {
    Empty,
    TooMany,
    /// The 1-based line that is not `price days` within the bounds.
    Line(usize),
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
        for bad in ["", "0", "0.99", "9.999", "-5", "abc", "1e3", "10000", "NaN"] {
            assert_eq!(parse_price(bad, &r), Err(Invalid::Price), "{bad}");
        }
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
        assert_eq!(parse_threshold("19.99", &r), Err(Invalid::Threshold));
        assert_eq!(parse_threshold("1e9", &r), Err(Invalid::Threshold));
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
        assert_eq!(parse_tier_lines("  ", &r), Err(TierLinesError::Empty));
    }
}
