//! Money: USD/USDT as integer micro-units, crypto amounts as exact decimals.
//! The only place where `Decimal` and micro-units are converted, always with checked arithmetic.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use thiserror::Error;

use super::lang::Lang;

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
    #[error("the amount has a thousands separator or more than one separator")]
    Ambiguous,
}

/// An amount of US dollars (or USDT) in whole micro-units. Never a float.
/// Serialized as the bare integer of micros (job payloads).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
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

    /// A USD amount an operator wrote in the configuration (`MIN_PRICE_USD=1.00`): the same
    /// grammar as [`TypedUsd::parse`], so `1,000` is refused there too; zero is allowed.
    pub fn parse_setting(input: &str) -> Result<Self, MoneyError> {
        let cents = signed_cents(input).map_err(|e| match e {
            TypedUsdError::Negative => MoneyError::Negative,
            TypedUsdError::Ambiguous => MoneyError::Ambiguous,
            TypedUsdError::TooPrecise => MoneyError::TooPrecise(2),
            TypedUsdError::AboveMax => MoneyError::Overflow,
            TypedUsdError::NotANumber | TypedUsdError::Zero | TypedUsdError::BelowMin => {
                MoneyError::NotANumber
            }
        })?;
        cents
            .checked_mul(MICROS_PER_UNIT / 100)
            .map(Self)
            .ok_or(MoneyError::Overflow)
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
    /// `$12.34`: two decimals, rounded half-up only for display. For logs, alerts and the
    /// operator; messages to users use [`UsdMicros::localized`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self
            .to_decimal()
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        write!(f, "${d:.2}")
    }
}

impl UsdMicros {
    /// The amount as the user's language writes money, rounded to cents like `Display`:
    /// en `$1,000.50`; ru `1 000,50 $`; es `1000,50 US$`, `10.000,50 US$` (CLDR patterns;
    /// Spanish groups only from five digits). The spaces are no-break spaces, so an amount is
    /// never split over two lines. Only for people to read: what they type back is parsed by
    /// [`TypedUsd::parse`], which refuses grouped forms.
    pub fn localized(self, lang: Lang) -> String {
        let cents = self
            .to_decimal()
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|d| i128::try_from(d).ok())
            .unwrap_or_default();
        let sign = if cents < 0 { "-" } else { "" };
        let cents = cents.unsigned_abs();
        let whole = (cents / 100).to_string();
        let frac = cents % 100;
        const NBSP: &str = "\u{a0}";
        match lang {
            Lang::En => format!("{sign}${}.{frac:02}", group(&whole, ",", 4)),
            Lang::Ru => format!("{sign}{},{frac:02}{NBSP}$", group(&whole, NBSP, 4)),
            Lang::Es => format!("{sign}{},{frac:02}{NBSP}US$", group(&whole, ".", 5)),
        }
    }
}

/// `digits` with `sep` between groups of three, when it has at least `min_digits` digits.
fn group(digits: &str, sep: &str, min_digits: usize) -> String {
    if digits.len() < min_digits {
        return digits.to_owned();
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * sep.len());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// The inclusive bounds a typed amount must lie in (a tier price, a donation, a threshold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsdRange {
    pub min: UsdMicros,
    pub max: UsdMicros,
}

/// Why a typed amount was refused. The bot answers each in the user's language, followed by
/// the accepted forms; nothing is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TypedUsdError {
    #[error("not an amount")]
    NotANumber,
    /// `1,000`, `1.000`, `1 000,5`, `1,000.50`: a thousands separator, a grouping space or
    /// more than one separator. `1,000` is a thousand in English and one in Russian; rather
    /// than guess, we ask.
    #[error("ambiguous: a thousands separator, a grouping space or more than one separator")]
    Ambiguous,
    #[error("the amount is negative")]
    Negative,
    #[error("the amount is zero")]
    Zero,
    #[error("more than two decimals")]
    TooPrecise,
    #[error("below the minimum")]
    BelowMin,
    #[error("above the maximum")]
    AboveMax,
}

/// A USD amount a person typed, understood in exactly one way: digits with at most one
/// decimal separator (a point, or the decimal comma of ru/es) and at most two decimals,
/// optionally marked as dollars (`$5`, `5$`, `5 usd`, `USD 5`, any case); positive and within
/// the caller's [`UsdRange`]. Every place in the bot where a person types an amount of money
/// goes through [`TypedUsd::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypedUsd(UsdMicros);

/// Characters people put between groups of digits: spaces of every kind (incl. the no-break
/// and thin spaces of ru/fr), the Swiss apostrophe and the programmer's underscore.
fn is_grouping(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\'' | '\u{2019}' | '_')
}

fn strip_minus(s: &str) -> Option<&str> {
    s.strip_prefix('-')
        .or_else(|| s.strip_prefix('\u{2212}'))
        .map(str::trim_start)
}

/// `s` without one dollar marker at its start or end (`$`, `usd`, `us$`, any case).
fn strip_marker(s: &str) -> &str {
    const MARKERS: [&str; 3] = ["us$", "usd", "$"];
    for m in MARKERS {
        if let Some(head) = s.get(..m.len())
            && head.eq_ignore_ascii_case(m)
        {
            return s[m.len()..].trim_start();
        }
        if let Some(cut) = s.len().checked_sub(m.len())
            && let Some(tail) = s.get(cut..)
            && tail.eq_ignore_ascii_case(m)
        {
            return s[..cut].trim_end();
        }
    }
    s
}

impl TypedUsd {
    /// Parses what a person typed. Never guesses: a form that could mean two amounts is
    /// [`TypedUsdError::Ambiguous`]; checked arithmetic throughout, so no input panics.
    pub fn parse(input: &str, range: UsdRange) -> Result<Self, TypedUsdError> {
        let cents = signed_cents(input)?;
        if cents == 0 {
            return Err(TypedUsdError::Zero);
        }
        let micros = cents
            .checked_mul(MICROS_PER_UNIT / 100)
            .ok_or(TypedUsdError::AboveMax)?;
        let amount = UsdMicros::from_micros(micros);
        if amount < range.min {
            return Err(TypedUsdError::BelowMin);
        }
        if amount > range.max {
            return Err(TypedUsdError::AboveMax);
        }
        Ok(Self(amount))
    }

    pub fn amount(self) -> UsdMicros {
        self.0
    }
}

/// Whole cents of what was typed, with an optional dollar marker; a minus sign (ASCII or
/// U+2212) before or after the marker is [`TypedUsdError::Negative`] once the number itself
/// reads well.
fn signed_cents(input: &str) -> Result<i64, TypedUsdError> {
    let mut s = input.trim();
    let mut negative = false;
    if let Some(rest) = strip_minus(s) {
        negative = true;
        s = rest;
    }
    s = strip_marker(s);
    if !negative && let Some(rest) = strip_minus(s) {
        negative = true;
        s = rest;
    }
    let cents = parse_cents(s)?;
    if negative {
        return Err(TypedUsdError::Negative);
    }
    Ok(cents)
}

/// Whole cents of a bare number: digits, at most one `.` or `,`, at most two decimals.
fn parse_cents(s: &str) -> Result<i64, TypedUsdError> {
    if s.is_empty() {
        return Err(TypedUsdError::NotANumber);
    }
    if s.chars()
        .any(|c| !(c.is_ascii_digit() || c == '.' || c == ',' || is_grouping(c)))
    {
        return Err(TypedUsdError::NotANumber);
    }
    if s.chars().any(is_grouping) {
        return Err(TypedUsdError::Ambiguous);
    }
    let mut parts = s.split(['.', ',']);
    let (whole, frac) = match (parts.next(), parts.next(), parts.next()) {
        (Some(w), None, _) => (w, ""),
        (Some(w), Some(f), None) => {
            if w.is_empty() || f.is_empty() {
                return Err(TypedUsdError::NotANumber);
            }
            (w, f)
        }
        _ => return Err(TypedUsdError::Ambiguous),
    };
    // `1,000` / `12.500`: three digits after one separator after at most three digits is
    // how thousands are grouped; a price has no mils, so this is never read as decimals.
    if frac.len() == 3 && (1..=3).contains(&whole.len()) && !whole.starts_with('0') {
        return Err(TypedUsdError::Ambiguous);
    }
    if frac.len() > 2 {
        return Err(TypedUsdError::TooPrecise);
    }
    let digits = |d: &str| -> Result<i64, TypedUsdError> {
        d.bytes().try_fold(0i64, |acc, b| {
            acc.checked_mul(10)
                .and_then(|a| a.checked_add(i64::from(b - b'0')))
                .ok_or(TypedUsdError::AboveMax)
        })
    };
    let mut cents_frac = digits(frac)?;
    if frac.len() == 1 {
        cents_frac *= 10;
    }
    digits(whole)?
        .checked_mul(100)
        .and_then(|c| c.checked_add(cents_frac))
        .ok_or(TypedUsdError::AboveMax)
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

    const RANGE: UsdRange = UsdRange {
        min: UsdMicros::from_cents(100),
        max: UsdMicros::from_cents(999_999),
    };

    fn typed(s: &str) -> Result<UsdMicros, TypedUsdError> {
        TypedUsd::parse(s, RANGE).map(TypedUsd::amount)
    }

    #[test]
    fn typed_amounts_in_every_accepted_form() {
        for (input, cents) in [
            ("1000", 100_000),
            ("1000.50", 100_050),
            ("1000,50", 100_050),
            ("1000.5", 100_050),
            ("1000,5", 100_050),
            ("$5", 500),
            ("$ 5", 500),
            ("5$", 500),
            ("5 usd", 500),
            ("5 USD", 500),
            ("5usd", 500),
            ("USD 5", 500),
            ("usd 12,50", 1250),
            ("US$ 7.25", 725),
            ("  9.99  ", 999),
            ("007", 700),
        ] {
            assert_eq!(typed(input), Ok(UsdMicros::from_cents(cents)), "{input}");
        }
    }

    #[test]
    fn typed_amounts_refused_with_their_reason() {
        use TypedUsdError as E;
        for (input, why) in [
            ("1,000", E::Ambiguous),
            ("1.000", E::Ambiguous),
            ("12,500", E::Ambiguous),
            ("1 000,5", E::Ambiguous),
            ("1 000", E::Ambiguous),
            ("1\u{a0}000", E::Ambiguous),
            ("1\u{202f}000,50", E::Ambiguous),
            ("1'000", E::Ambiguous),
            ("1_000", E::Ambiguous),
            ("1,000.50", E::Ambiguous),
            ("1.000,50", E::Ambiguous),
            ("1.2.3", E::Ambiguous),
            ("$1,000", E::Ambiguous),
            ("-5", E::Negative),
            ("-$5", E::Negative),
            ("$-5", E::Negative),
            ("\u{2212}5 usd", E::Negative),
            ("0", E::Zero),
            ("0.00", E::Zero),
            ("$0", E::Zero),
            ("9.999", E::Ambiguous),
            ("9.9999", E::TooPrecise),
            ("0.125", E::TooPrecise),
            ("1000.125", E::TooPrecise),
            ("0.99", E::BelowMin),
            ("10000", E::AboveMax),
            ("99999999999999999999", E::AboveMax),
            ("92233720368547758.07", E::AboveMax),
            ("", E::NotANumber),
            ("$", E::NotANumber),
            ("usd", E::NotANumber),
            ("abc", E::NotANumber),
            ("1e3", E::NotANumber),
            ("NaN", E::NotANumber),
            ("+5", E::NotANumber),
            ("5.", E::NotANumber),
            (".5", E::NotANumber),
            ("$$5", E::NotANumber),
            ("5 eur", E::NotANumber),
            ("\u{ff15}", E::NotANumber),
            ("5 usd 30", E::NotANumber),
        ] {
            assert_eq!(typed(input), Err(why), "{input:?}");
        }
    }

    #[test]
    fn settings_use_the_same_grammar() {
        assert_eq!(
            UsdMicros::parse_setting("20"),
            Ok(UsdMicros::from_cents(2000))
        );
        assert_eq!(UsdMicros::parse_setting("0"), Ok(UsdMicros::ZERO));
        assert_eq!(
            UsdMicros::parse_setting("1.00"),
            Ok(UsdMicros::from_cents(100))
        );
        assert_eq!(
            UsdMicros::parse_setting("1,000"),
            Err(MoneyError::Ambiguous)
        );
        assert_eq!(UsdMicros::parse_setting("-1"), Err(MoneyError::Negative));
        assert_eq!(
            UsdMicros::parse_setting("1.001"),
            Err(MoneyError::Ambiguous)
        );
        assert_eq!(
            UsdMicros::parse_setting("0.001"),
            Err(MoneyError::TooPrecise(2))
        );
        assert_eq!(UsdMicros::parse_setting("x"), Err(MoneyError::NotANumber));
    }

    #[test]
    fn localized_amounts_follow_each_language() {
        let a = UsdMicros::from_cents(100_050);
        assert_eq!(a.localized(Lang::En), "$1,000.50");
        assert_eq!(a.localized(Lang::Ru), "1\u{a0}000,50\u{a0}$");
        assert_eq!(a.localized(Lang::Es), "1000,50\u{a0}US$");
        let big = UsdMicros::from_cents(123_456_789);
        assert_eq!(big.localized(Lang::En), "$1,234,567.89");
        assert_eq!(big.localized(Lang::Ru), "1\u{a0}234\u{a0}567,89\u{a0}$");
        assert_eq!(big.localized(Lang::Es), "1.234.567,89\u{a0}US$");
        let small = UsdMicros::from_micros(12_345_678);
        assert_eq!(small.localized(Lang::En), "$12.35");
        assert_eq!(small.localized(Lang::Ru), "12,35\u{a0}$");
        assert_eq!(UsdMicros::ZERO.localized(Lang::En), "$0.00");
        assert_eq!(UsdMicros::from_cents(-150).localized(Lang::En), "-$1.50");
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

    /// Every accepted way of writing `cents`.
    fn forms(cents: i64) -> Vec<String> {
        let (whole, frac) = (cents / 100, cents % 100);
        let point = format!("{whole}.{frac:02}");
        let comma = format!("{whole},{frac:02}");
        let mut v = vec![
            point.clone(),
            comma.clone(),
            format!("${point}"),
            format!("$ {comma}"),
            format!("{point}$"),
            format!("{comma} usd"),
            format!("USD {point}"),
            format!("{point} Usd"),
        ];
        if frac == 0 {
            v.push(whole.to_string());
            v.push(format!("{whole} usd"));
        }
        if frac % 10 == 0 {
            v.push(format!("{whole}.{}", frac / 10));
            v.push(format!("{whole},{}", frac / 10));
        }
        v
    }

    proptest! {
        #[test]
        fn every_accepted_form_round_trips(cents in 100i64..=999_999) {
            for form in forms(cents) {
                prop_assert_eq!(typed(&form), Ok(UsdMicros::from_cents(cents)), "{}", form);
            }
        }

        /// The amount shown back to the user is the amount understood (en, ru, es).
        #[test]
        fn shown_amount_is_the_understood_one(cents in 1i64..=999_999_999) {
            let a = UsdMicros::from_cents(cents);
            for lang in Lang::ALL {
                let shown = a.localized(lang);
                let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
                prop_assert_eq!(digits.parse::<i64>().ok(), Some(cents), "{}", shown);
            }
        }

        /// A thousands separator or a grouping space is never taken, whatever the amount.
        #[test]
        fn grouped_amounts_are_never_accepted(
            cents in 100_000i64..=999_999_999,
            sep in prop::sample::select(vec![",", ".", " ", "\u{a0}", "\u{202f}", "'", "_"]),
            dec in prop::sample::select(vec!["", ".", ","]),
            marker in prop::sample::select(vec!["", "$", " usd"]),
        ) {
            let whole = (cents / 100).to_string();
            let grouped = group(&whole, sep, 4);
            let frac = if dec.is_empty() { String::new() } else { format!("{dec}{:02}", cents % 100) };
            let input = format!("{grouped}{frac}{marker}");
            let wide = UsdRange { min: UsdMicros::from_cents(1), max: UsdMicros::from_micros(i64::MAX) };
            prop_assert!(TypedUsd::parse(&input, wide).is_err(), "{}", input);
        }

        #[test]
        fn never_panics_on_any_text(s in "\\PC*") {
            let _ = TypedUsd::parse(&s, RANGE);
        }

        #[test]
        fn never_panics_on_number_like_text(s in "[-−$ usdUSD0-9.,'_\u{a0}]{0,30}") {
            if let Ok(t) = TypedUsd::parse(&s, RANGE) {
                prop_assert!(t.amount() >= RANGE.min && t.amount() <= RANGE.max);
                let seps = s.chars().filter(|c| matches!(c, '.' | ',')).count();
                prop_assert!(seps <= 1, "{}", s);
                // No grouping character between two digits.
                let kinds: Vec<char> = s
                    .chars()
                    .filter(|c| c.is_ascii_digit() || is_grouping(*c))
                    .map(|c| if c.is_ascii_digit() { 'd' } else { 'g' })
                    .collect();
                let kinds: String = kinds.into_iter().collect();
                prop_assert!(!kinds.trim_matches('g').contains('g'), "{}", s);
            }
        }

        #[test]
        fn micros_round_trip_through_decimal(m in 0i64..i64::MAX / 2) {
            let u = UsdMicros::from_micros(m);
            prop_assert_eq!(UsdMicros::from_decimal_exact(u.to_decimal()), Ok(u));
        }
    }
}
