//! Promo codes (issue 15): the code text an owner types and a subscriber enters, the discount
//! it gives, and the discounted price. Pure functions; the store keeps the codes and counts
//! their uses, checkout applies them.

use crate::domain::money::UsdMicros;

/// Shortest and longest code text.
pub const MIN_CODE_LEN: usize = 3;
pub const MAX_CODE_LEN: usize = 32;

/// A promo code as typed: 3–32 characters of `[A-Za-z0-9_-]` (so it fits a deep link). Codes
/// are compared case-insensitively ([`PromoText::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PromoText(String);

impl PromoText {
    pub fn parse(s: &str) -> Option<PromoText> {
        let s = s.trim();
        let ok = (MIN_CODE_LEN..=MAX_CODE_LEN).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        ok.then(|| PromoText(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive key stored as `code_key`.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// What a code takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    /// 1 to 99 percent (a free plan is not a promo code: that is a trial).
    Percent(u8),
    /// A fixed amount off.
    Amount(UsdMicros),
}

impl Discount {
    /// `20%`, `20 %`: a whole percent from 1 to 99; None when it is not a percent at all.
    /// `Some(Err(()))` when it is a percent out of range or not whole.
    pub fn parse_percent(s: &str) -> Option<Result<Discount, ()>> {
        let n = s.trim().strip_suffix('%')?.trim();
        if n.is_empty() || n.len() > 3 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Err(()));
        }
        Some(
            n.parse::<u8>()
                .ok()
                .filter(|p| (1..=99).contains(p))
                .map(Discount::Percent)
                .ok_or(()),
        )
    }

    /// The price after the discount, rounded down to a whole cent (in the subscriber's
    /// favour), never below `floor` (the smallest price NOWPayments is asked for) — unless the
    /// plan itself costs less than that, then the plan's price — and never above the price.
    pub fn apply(self, price: UsdMicros, floor: UsdMicros) -> UsdMicros {
        let p = price.micros();
        let off = match self {
            Discount::Percent(pct) => p.saturating_mul(i64::from(pct)) / 100,
            Discount::Amount(a) => a.micros(),
        };
        let cent = 10_000;
        let discounted = (p.saturating_sub(off).max(0) / cent) * cent;
        let floor = floor.micros().min(p);
        UsdMicros::from_micros(discounted.max(floor).min(p))
    }
}

/// Why a code cannot be used (for this user, plan and moment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoRefusal {
    /// No such code in this channel, or the owner turned it off.
    Unknown,
    Expired,
    /// The code is for another plan.
    WrongTier,
    /// Every use is taken.
    UsedUp,
    /// This user already used it.
    AlreadyUsed,
}

impl PromoRefusal {
    /// The message key telling the subscriber.
    pub fn key(self) -> &'static str {
        match self {
            PromoRefusal::Unknown => "promo-unknown",
            PromoRefusal::Expired => "promo-expired",
            PromoRefusal::WrongTier => "promo-wrong-tier",
            PromoRefusal::UsedUp => "promo-used-up",
            PromoRefusal::AlreadyUsed => "promo-already-used",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(cents: i64) -> UsdMicros {
        UsdMicros::from_cents(cents)
    }

    #[test]
    fn code_text_is_3_to_32_safe_characters() {
        for ok in ["abc", "SPRING-20", "a_b", &"x".repeat(32)] {
            assert!(PromoText::parse(ok).is_some(), "{ok}");
        }
        for bad in ["", "ab", "a b", "café", "x;y", &"x".repeat(33), "20%"] {
            assert!(PromoText::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(PromoText::parse(" Spring ").unwrap().key(), "spring");
    }

    #[test]
    fn percent_is_whole_and_1_to_99() {
        assert_eq!(
            Discount::parse_percent("20%"),
            Some(Ok(Discount::Percent(20)))
        );
        assert_eq!(
            Discount::parse_percent("1 %"),
            Some(Ok(Discount::Percent(1)))
        );
        assert_eq!(
            Discount::parse_percent("99%"),
            Some(Ok(Discount::Percent(99)))
        );
        for bad in ["0%", "100%", "12.5%", "-5%", "%", "abc%", "1000%"] {
            assert_eq!(Discount::parse_percent(bad), Some(Err(())), "{bad}");
        }
        assert_eq!(Discount::parse_percent("$5"), None);
    }

    #[test]
    fn discounted_price_rounds_down_to_cents_and_keeps_the_floor() {
        let floor = usd(100);
        assert_eq!(Discount::Percent(20).apply(usd(500), floor), usd(400));
        assert_eq!(Discount::Percent(15).apply(usd(999), floor), usd(849));
        assert_eq!(Discount::Percent(99).apply(usd(500), floor), floor);
        assert_eq!(Discount::Amount(usd(300)).apply(usd(500), floor), usd(200));
        assert_eq!(Discount::Amount(usd(300)).apply(usd(1250), floor), usd(950));
        assert_eq!(Discount::Amount(usd(5000)).apply(usd(500), floor), floor);
        // A plan already below the floor keeps its price; a discount never raises a price.
        assert_eq!(Discount::Percent(50).apply(usd(50), floor), usd(50));
    }
}
