//! Amounts of money people type to the bot (tier prices, the payout threshold, donations):
//! which range applies where, and a refusal in words. The parsing itself is
//! [`TypedUsd::parse`], one pure function for all of them.

use crate::config::RulesConfig;
use crate::domain::lang::Lang;
use crate::domain::money::{TypedUsd, TypedUsdError, UsdMicros, UsdRange};
use crate::i18n::{Arg, t, t_args};

/// What is being typed; each has its own range and its own "please send …" line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountUse {
    /// A tier price: MIN_PRICE_USD to the largest price.
    Price,
    /// A donation: MIN_DONATION_USD to the largest price.
    Donation,
    /// A payout threshold: MIN_THRESHOLD_USD to 1000 × the largest price (a sanity ceiling,
    /// so a typo cannot park money forever).
    Threshold,
    /// A promo code's amount off (issue 15): one cent to the largest price.
    PromoOff,
}

impl AmountUse {
    pub fn range(self, rules: &RulesConfig) -> UsdRange {
        match self {
            AmountUse::Price => UsdRange {
                min: rules.min_price,
                max: rules.max_price,
            },
            AmountUse::Donation => UsdRange {
                min: rules.min_donation,
                max: rules.max_price,
            },
            AmountUse::Threshold => UsdRange {
                min: rules.min_threshold,
                max: UsdMicros::from_micros(rules.max_price.micros().saturating_mul(1000)),
            },
            AmountUse::PromoOff => UsdRange {
                min: UsdMicros::from_cents(1),
                max: rules.max_price,
            },
        }
    }

    /// Parses a typed amount for this use.
    pub fn parse(self, input: &str, rules: &RulesConfig) -> Result<UsdMicros, TypedUsdError> {
        TypedUsd::parse(input, self.range(rules)).map(TypedUsd::amount)
    }

    fn label(self) -> &'static str {
        match self {
            AmountUse::Price => "price",
            AmountUse::Donation => "donation",
            AmountUse::Threshold => "threshold",
            AmountUse::PromoOff => "promo_off",
        }
    }

    fn ask_again_key(self) -> &'static str {
        match self {
            AmountUse::Price => "own-bad-price",
            AmountUse::Donation => "donation-invalid",
            AmountUse::Threshold => "own-bad-threshold",
            AmountUse::PromoOff => "own-promo-bad-amount",
        }
    }
}

/// The message key that says why an amount was refused, and the metric label.
fn reason(e: TypedUsdError) -> (&'static str, &'static str) {
    match e {
        TypedUsdError::NotANumber => ("amount-not-a-number", "not_a_number"),
        TypedUsdError::Ambiguous => ("amount-ambiguous", "ambiguous"),
        TypedUsdError::Negative => ("amount-negative", "negative"),
        TypedUsdError::Zero => ("amount-zero", "zero"),
        TypedUsdError::TooPrecise => ("amount-too-precise", "too_precise"),
        TypedUsdError::BelowMin => ("amount-below-min", "below_min"),
        TypedUsdError::AboveMax => ("amount-above-max", "above_max"),
    }
}

/// The accepted forms, one line.
pub fn forms(lang: Lang) -> String {
    t(lang, "amount-forms")
}

/// The whole refusal: why, the range for this use, and the accepted forms. Counted per use
/// and reason (`typed_amounts_refused_total`), so a confusing prompt shows up in the metrics.
pub fn refusal(lang: Lang, e: TypedUsdError, what: AmountUse, rules: &RulesConfig) -> String {
    let (key, label) = reason(e);
    metrics::counter!(crate::telemetry::names::TYPED_AMOUNTS_REFUSED, "use" => what.label(), "reason" => label)
        .increment(1);
    let range = what.range(rules);
    let ask = t_args(
        lang,
        what.ask_again_key(),
        &[
            ("min", Arg::Html(range.min.localized(lang))),
            ("max", Arg::Html(range.max.localized(lang))),
        ],
    );
    format!("{}\n{ask}\n{}", t(lang, key), forms(lang))
}

/// A whole number an owner typed (days, hours, Stars): ASCII digits only after trimming, no
/// sign, no unit, no more digits than `max` has, within `min..=max`. Anything else is `None`
/// (the caller says what is expected and changes nothing).
pub fn typed_whole(text: &str, min: u64, max: u64) -> Option<u64> {
    let s = text.trim();
    let digits = max.to_string().len();
    if s.is_empty() || s.len() > digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u64>().ok().filter(|n| (min..=max).contains(n))
}
