//! The platform fee (SPEC §5): taken once per payment, on its USD value and in the same
//! proportion of the crypto outcome. The owner's part is rounded DOWN (to the micro-dollar, and
//! to the outcome's precision for crypto); the platform takes the remainder, so the parts always
//! add up to the whole exactly.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::domain::money::UsdMicros;

/// A payment's value split between the platform and the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub value: UsdMicros,
    pub fee: UsdMicros,
    pub owner: UsdMicros,
    pub crypto: Decimal,
    pub fee_crypto: Decimal,
    pub owner_crypto: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("fee percent {0} is outside 0..100")]
    Percent(Decimal),
    #[error("amount out of range")]
    Range,
}

/// Splits `value` (USD) and `crypto` (the outcome) with `percent` for the platform.
pub fn split(value: UsdMicros, crypto: Decimal, percent: Decimal) -> Result<Split, FeeError> {
    if percent < Decimal::ZERO || percent >= Decimal::ONE_HUNDRED {
        return Err(FeeError::Percent(percent));
    }
    if value.micros() < 0 || crypto.is_sign_negative() {
        return Err(FeeError::Range);
    }
    let keep = (Decimal::ONE_HUNDRED - percent) / Decimal::ONE_HUNDRED;
    // Integer micro-dollars: floor(value × keep).
    let owner_micros = (Decimal::from(value.micros()) * keep)
        .round_dp_with_strategy(0, RoundingStrategy::ToZero)
        .mantissa();
    let owner_micros = i64::try_from(owner_micros).map_err(|_| FeeError::Range)?;
    let owner = UsdMicros::from_micros(owner_micros);
    let fee = value.checked_sub(owner).ok_or(FeeError::Range)?;
    let scale = crypto.scale().clamp(8, 18);
    let owner_crypto = crypto
        .checked_mul(keep)
        .ok_or(FeeError::Range)?
        .round_dp_with_strategy(scale, RoundingStrategy::ToZero)
        .normalize();
    let fee_crypto = (crypto - owner_crypto).normalize();
    Ok(Split {
        value,
        fee,
        owner,
        crypto,
        fee_crypto,
        owner_crypto,
    })
}

/// Distributes `total` micro-USDT over `weights` in proportion, each rounded down, the last
/// one taking the remainder: the parts add up to `total` exactly (SPEC §6 conversion).
pub fn distribute(total: i64, weights: &[i64]) -> Option<Vec<i64>> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if weights.is_empty() || sum <= 0 || total < 0 || weights.iter().any(|w| *w < 0) {
        return None;
    }
    let mut out = Vec::with_capacity(weights.len());
    let mut given: i64 = 0;
    for (i, w) in weights.iter().enumerate() {
        let part = if i + 1 == weights.len() {
            total.checked_sub(given)?
        } else {
            i64::try_from(i128::from(total) * i128::from(*w) / sum).ok()?
        };
        given = given.checked_add(part)?;
        out.push(part);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn three_percent_of_ten_dollars() {
        let s = split(UsdMicros::from_cents(1000), dec!(9.8505), dec!(3)).unwrap();
        assert_eq!(s.owner, UsdMicros::from_cents(970));
        assert_eq!(s.fee, UsdMicros::from_cents(30));
        assert_eq!(s.owner_crypto, dec!(9.554985));
        assert_eq!(s.fee_crypto + s.owner_crypto, dec!(9.8505));
    }

    #[test]
    fn rounding_favours_nobody_but_adds_up() {
        // 1 micro-dollar: the owner's 0.97 micro rounds down to 0, the platform takes 1.
        let s = split(
            UsdMicros::from_micros(1),
            dec!(0.000000000000000001),
            dec!(3),
        )
        .unwrap();
        assert_eq!(s.owner.micros() + s.fee.micros(), 1);
        assert_eq!(s.owner_crypto + s.fee_crypto, dec!(0.000000000000000001));
    }

    #[test]
    fn lesson_18_meme_coin_magnitudes() {
        let s = split(UsdMicros::from_cents(548), dec!(596726.7), dec!(3)).unwrap();
        assert_eq!(s.owner_crypto + s.fee_crypto, dec!(596726.7));
        let s = split(UsdMicros::from_cents(999_999), dec!(600000000000), dec!(3)).unwrap();
        assert_eq!(s.owner_crypto, dec!(582000000000));
    }

    #[test]
    fn refuses_bad_percent() {
        assert!(split(UsdMicros::from_cents(1), dec!(1), dec!(100)).is_err());
        assert!(split(UsdMicros::from_cents(1), dec!(1), dec!(-1)).is_err());
    }

    #[test]
    fn distribution_is_exact() {
        assert_eq!(distribute(100, &[1, 1, 1]), Some(vec![33, 33, 34]));
        assert_eq!(distribute(0, &[5, 5]), Some(vec![0, 0]));
        assert_eq!(distribute(10, &[]), None);
        assert_eq!(distribute(10, &[0, 0]), None);
    }

    proptest! {
        #[test]
        fn parts_always_add_up(
            micros in 0i64..10_000_000_000_000,
            mantissa in 0i64..i64::MAX,
            scale in 0u32..=18,
            pct in 0u32..=9999,
        ) {
            let crypto = Decimal::new(mantissa, scale);
            let percent = Decimal::new(i64::from(pct), 2);
            let s = split(UsdMicros::from_micros(micros), crypto, percent).unwrap();
            prop_assert_eq!(s.owner.micros() + s.fee.micros(), micros);
            prop_assert!(s.fee.micros() >= 0 && s.owner.micros() >= 0);
            prop_assert_eq!(s.owner_crypto + s.fee_crypto, crypto);
            prop_assert!(s.owner_crypto <= crypto && !s.fee_crypto.is_sign_negative());
        }

        #[test]
        fn distribution_adds_up(total in 0i64..1_000_000_000_000, weights in proptest::collection::vec(1i64..1_000_000_000, 1..20)) {
            let parts = distribute(total, &weights).unwrap();
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            prop_assert!(parts.iter().all(|p| *p >= 0));
        }
    }
}
