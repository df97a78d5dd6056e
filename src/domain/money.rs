//! Money: USD/USDT as integer micro-units, crypto amounts as exact decimals.
//! The only place where `Decimal` and micro-units are converted, always with checked arithmetic.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use thiserror::Error;

/// Micro-units per whole USD (and per USDT).
pub const MICROS_PER_UNIT: i64 = 1_000_000;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("the amount is not a number")]
    NotANumber,
    #[error("the amount must not be negative")]
    Negative,
    #[error("the amount has more than {0} decimal places")]
    TooPrecise(u32),
    #[error("the amount is too large")]
    Overflow,
}

/// An amount of US dollars (or USDT) in whole micro-units. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UsdMicros(i64);

impl UsdMicros {
    pub const ZERO: UsdMicros = UsdMicros(0);

    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    pub const fn micros(self) -> i64 {
        self.0
    }

    /// Whole cents, as a convenience for constants and tests.
    pub const fn from_cents(cents: i64) -> Self {
        Self(cents * 10_000)
    }

    /// Exactly `d`, which must have at most 6 decimal places.
    pub fn from_decimal_exact(d: Decimal) -> Result<Self, MoneyError> {
        if d.normalize().scale() > 6 {
            return Err(MoneyError::TooPrecise(6));
        }
        Self::from_decimal_rounded(d, RoundingStrategy::ToZero)
    }

    /// `d` rounded to the micro-unit with `strategy`.
    pub fn from_decimal_rounded(
        d: Decimal,
        strategy: RoundingStrategy,
    ) -> Result<Self, MoneyError> {
        let scaled = d
            .checked_mul(Decimal::from(MICROS_PER_UNIT))
            .ok_or(MoneyError::Overflow)?
            .round_dp_with_strategy(0, strategy);
        i64::try_from(scaled)
            .map(Self)
            .map_err(|_| MoneyError::Overflow)
    }

    /// Parses what a person types: "12", "12.5", "12.50", "$12.50"; at most `max_dp` decimals.
    pub fn parse_user_input(input: &str, max_dp: u32) -> Result<Self, MoneyError> {
        let trimmed = input
            .trim()
            .trim_start_matches('$')
            .trim()
            .replace(',', ".");
        // Plain digits only: no exponent form, no signs other than a leading minus.
        let plain = trimmed
            .strip_prefix('-')
            .unwrap_or(&trimmed)
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.');
        if !plain || trimmed.is_empty() {
            return Err(MoneyError::NotANumber);
        }
        let d = Decimal::from_str(&trimmed).map_err(|_| MoneyError::NotANumber)?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(MoneyError::Negative);
        }
        if d.normalize().scale() > max_dp {
            return Err(MoneyError::TooPrecise(max_dp));
        }
        Self::from_decimal_exact(d)
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 6)
    }

    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }
}

impl fmt::Display for UsdMicros {
    /// `$12.34`: two decimals, rounded half-up only for display.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self
            .to_decimal()
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        write!(f, "${d:.2}")
    }
}

/// A crypto amount with its full precision, stored as exact decimal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CryptoAmount(Decimal);

impl CryptoAmount {
    pub fn new(d: Decimal) -> Result<Self, MoneyError> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(MoneyError::Negative);
        }
        Ok(Self(d.normalize()))
    }

    pub fn value(self) -> Decimal {
        self.0
    }

    /// The text stored in the database: plain digits, never exponent form.
    pub fn to_db(self) -> String {
        self.0.normalize().to_string()
    }

    pub fn from_db(s: &str) -> Result<Self, MoneyError> {
        Decimal::from_str_exact(s.trim())
            .map_err(|_| MoneyError::NotANumber)
            .and_then(Self::new)
    }
}

impl fmt::Display for CryptoAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parses_typed_prices() {
        assert_eq!(
            UsdMicros::parse_user_input("12", 2),
            Ok(UsdMicros::from_cents(1200))
        );
        assert_eq!(
            UsdMicros::parse_user_input(" $4.99 ", 2),
            Ok(UsdMicros::from_cents(499))
        );
        assert_eq!(
            UsdMicros::parse_user_input("4,5", 2),
            Ok(UsdMicros::from_cents(450))
        );
        assert_eq!(
            UsdMicros::parse_user_input("4.999", 2),
            Err(MoneyError::TooPrecise(2))
        );
        assert_eq!(
            UsdMicros::parse_user_input("-1", 2),
            Err(MoneyError::Negative)
        );
        assert_eq!(
            UsdMicros::parse_user_input("abc", 2),
            Err(MoneyError::NotANumber)
        );
        assert_eq!(
            UsdMicros::parse_user_input("1e3", 2),
            Err(MoneyError::NotANumber)
        );
        assert_eq!(
            UsdMicros::parse_user_input("99999999999999999999", 2),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn displays_two_decimals() {
        assert_eq!(UsdMicros::from_micros(12_345_678).to_string(), "$12.35");
        assert_eq!(UsdMicros::ZERO.to_string(), "$0.00");
        assert_eq!(UsdMicros::from_cents(500).to_string(), "$5.00");
    }

    #[test]
    fn crypto_amounts_keep_meme_coin_magnitudes_and_18_decimals() {
        for s in ["600000000000.5", "0.000000000000000001", "596726.7"] {
            let a = CryptoAmount::from_db(s).unwrap();
            assert_eq!(a.to_db(), s);
        }
        assert!(CryptoAmount::from_db("-1").is_err());
        assert!(CryptoAmount::from_db("1e5").is_err());
    }

    #[test]
    fn exact_conversion_refuses_sub_micro_amounts() {
        assert_eq!(
            UsdMicros::from_decimal_exact(dec!(1.0000001)),
            Err(MoneyError::TooPrecise(6))
        );
        assert_eq!(
            UsdMicros::from_decimal_exact(dec!(1.000001)),
            Ok(UsdMicros::from_micros(1_000_001))
        );
    }

    proptest! {
        #[test]
        fn micros_round_trip_through_decimal(m in 0i64..i64::MAX / 2) {
            let u = UsdMicros::from_micros(m);
            prop_assert_eq!(UsdMicros::from_decimal_exact(u.to_decimal()), Ok(u));
        }
    }
}
