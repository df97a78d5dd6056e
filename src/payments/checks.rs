//! What a verified IPN must agree with before it may move money (SPEC §4, issue 11): the invoice
//! we stored (price, currency, NOWPayments invoice id) and amounts that can be true. A signature
//! proves who sent the body, not that its figures belong to this invoice; anything that does not
//! check out is held for an admin, never granted, topped up or paid out.
//!
//! Pure functions: the intake calls them inside its transaction, the tests call them directly.

use std::fmt;

use rust_decimal::Decimal;

use crate::domain::money::UsdMicros;
use crate::providers::nowpayments::{NpPayment, PaymentStatus};

/// The fiat currency every invoice of ours is priced in.
pub const PRICE_CURRENCY: &str = "usd";

/// No real crypto amount of one payment comes near this (meme coins reach ~1e12 units).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0); // 1e15

/// A buyer paying more than this many times the price is a wrong figure, not a generous buyer.
pub const MAX_PAID_RATIO: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);

/// What our invoice says, to compare an IPN with.
#[derive(Debug, Clone, Copy)]
pub struct InvoiceFacts<'a> {
    pub price: UsdMicros,
    /// `None` when NOWPayments' answer to the invoice creation was never stored.
    pub np_invoice_id: Option<&'a str>,
}

/// Why a payment is held for review. Its text goes to the admins' alert and the payment row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldReason {
    /// An amount field that could not be read as an exact decimal.
    Unreadable {
        field: String,
        detail: String,
    },
    Negative {
        field: &'static str,
        value: Decimal,
    },
    TooLarge {
        field: &'static str,
        value: Decimal,
    },
    PriceMismatch {
        ours: Decimal,
        theirs: Option<Decimal>,
    },
    CurrencyMismatch {
        theirs: Option<String>,
    },
    InvoiceMismatch {
        ours: Option<String>,
        theirs: Option<String>,
    },
    /// More than [`MAX_PAID_RATIO`] times what was asked.
    AbsurdPayment {
        paid: Decimal,
        asked: Decimal,
    },
    /// A granting status whose amounts do not show what was paid.
    PaidUnknown,
    /// `finished`, yet the amounts show less than the price (beyond the tolerance).
    FinishedUnderpaid {
        paid_usd: Decimal,
        price: Decimal,
    },
}

impl fmt::Display for HoldReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable { field, detail } => write!(f, "{field} is unreadable ({detail})"),
            Self::Negative { field, value } => write!(f, "{field} is negative ({value})"),
            Self::TooLarge { field, value } => write!(f, "{field} is impossibly large ({value})"),
            Self::PriceMismatch { ours, theirs } => match theirs {
                Some(t) => write!(f, "price_amount {t} is not the invoice price {ours}"),
                None => write!(f, "price_amount is missing (the invoice price is {ours})"),
            },
            Self::CurrencyMismatch { theirs } => write!(
                f,
                "price_currency {} is not {PRICE_CURRENCY}",
                theirs.as_deref().unwrap_or("(missing)")
            ),
            Self::InvoiceMismatch { ours, theirs } => write!(
                f,
                "invoice_id {} is not our NOWPayments invoice {}",
                theirs.as_deref().unwrap_or("(missing)"),
                ours.as_deref().unwrap_or("(never stored)")
            ),
            Self::AbsurdPayment { paid, asked } => write!(
                f,
                "actually_paid {paid} is over {MAX_PAID_RATIO} times pay_amount {asked}"
            ),
            Self::PaidUnknown => f.write_str("pay_amount/actually_paid do not show what was paid"),
            Self::FinishedUnderpaid { paid_usd, price } => write!(
                f,
                "finished, but the amounts show ${} paid of ${price}",
                paid_usd.round_dp(6).normalize()
            ),
        }
    }
}

/// The amounts of an IPN, each present or not. Negative and oversized figures are refused here
/// so that nothing downstream ever sees them.
fn check_amounts(p: &NpPayment) -> Result<(), HoldReason> {
    let fields = [
        ("price_amount", p.price_amount),
        ("pay_amount", p.pay_amount),
        ("actually_paid", p.actually_paid),
        ("outcome_amount", p.outcome_amount),
    ];
    for (field, value) in fields {
        let Some(value) = value else { continue };
        if value.is_sign_negative() && !value.is_zero() {
            return Err(HoldReason::Negative { field, value });
        }
        if value > MAX_AMOUNT {
            return Err(HoldReason::TooLarge { field, value });
        }
    }
    if let (Some(asked), Some(paid)) = (p.pay_amount, p.actually_paid)
        && paid > Decimal::ZERO
        && (asked.is_zero()
            || asked
                .checked_mul(MAX_PAID_RATIO)
                .is_none_or(|cap| paid > cap))
    {
        return Err(HoldReason::AbsurdPayment { paid, asked });
    }
    Ok(())
}

/// Does the IPN describe this invoice? Price and currency exactly as we asked, and the
/// NOWPayments invoice id we were given for it.
fn check_invoice(p: &NpPayment, inv: &InvoiceFacts<'_>) -> Result<(), HoldReason> {
    let ours = inv.price.to_decimal();
    if p.price_amount != Some(ours) {
        return Err(HoldReason::PriceMismatch {
            ours: ours.normalize(),
            theirs: p.price_amount.map(|d| d.normalize()),
        });
    }
    if p.price_currency.as_deref() != Some(PRICE_CURRENCY) {
        return Err(HoldReason::CurrencyMismatch {
            theirs: p.price_currency.clone(),
        });
    }
    let theirs = p.invoice_id.as_deref().map(str::trim);
    if inv.np_invoice_id.is_none() || theirs != inv.np_invoice_id.map(str::trim) {
        return Err(HoldReason::InvoiceMismatch {
            ours: inv.np_invoice_id.map(str::to_owned),
            theirs: theirs.map(str::to_owned),
        });
    }
    Ok(())
}

/// Everything an IPN for one of our invoices must pass before it may move anything.
/// `unreadable` lists the amount fields that could not be read at all.
pub fn check_ipn(
    p: &NpPayment,
    unreadable: &[(String, String)],
    inv: &InvoiceFacts<'_>,
) -> Result<(), HoldReason> {
    check_figures(p, unreadable)?;
    check_invoice(p, inv)
}

/// The part of [`check_ipn`] that does not compare with an invoice: every amount readable and
/// sane. A payment an operator assigned or released (SPEC §4, issue 14) skips the comparison
/// with the invoice (that is what the operator decided) but never this.
pub fn check_figures(p: &NpPayment, unreadable: &[(String, String)]) -> Result<(), HoldReason> {
    if let Some((field, detail)) = unreadable.first() {
        return Err(HoldReason::Unreadable {
            field: field.clone(),
            detail: detail.clone(),
        });
    }
    check_amounts(p)
}

/// USD actually paid, from the ratio of crypto received to crypto asked (exact, no price feed):
/// price × actually_paid / pay_amount.
pub fn paid_usd(p: &NpPayment) -> Option<Decimal> {
    let price = p.price_amount?;
    let asked = p.pay_amount.filter(|a| !a.is_zero())?;
    let paid = p.actually_paid?;
    price.checked_mul(paid)?.checked_div(asked)
}

/// What a checked IPN asks of the money: grant, offer a top-up, hold, or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Paid in full (within the tolerance).
    Grant,
    /// Paid less than the tolerance: offer a top-up of exactly this much (never more than the
    /// price, never less than a cent).
    TopUp(UsdMicros),
    /// The status and the amounts disagree.
    Hold(HoldReason),
    /// A status that moves no money.
    Nothing,
}

/// Decides what a checked IPN does with the money. `price` is the invoice's, `tolerance` the
/// share of it that counts as paid in full.
pub fn settle(p: &NpPayment, invoice_price: UsdMicros, tolerance: Decimal) -> Settlement {
    let price = invoice_price.to_decimal();
    let needed = price * tolerance;
    match p.payment_status {
        PaymentStatus::Finished => match paid_usd(p) {
            None => Settlement::Hold(HoldReason::PaidUnknown),
            Some(paid) if paid >= needed => Settlement::Grant,
            Some(paid_usd) => Settlement::Hold(HoldReason::FinishedUnderpaid { paid_usd, price }),
        },
        PaymentStatus::PartiallyPaid => match paid_usd(p) {
            None => Settlement::Hold(HoldReason::PaidUnknown),
            Some(paid) if paid >= needed => Settlement::Grant,
            Some(paid) => Settlement::TopUp(top_up(invoice_price, paid)),
        },
        _ => Settlement::Nothing,
    }
}

/// [`settle`] for a payment an operator reviewed (assigned to an invoice, or released): the
/// same rules and the same tolerance, except that `finished` with too little paid offers a
/// top-up of what is missing (the operator has vouched for the payment, not for its amount).
/// A status whose amounts do not show what was paid is still a [`Settlement::Hold`].
pub fn settle_after_review(
    p: &NpPayment,
    invoice_price: UsdMicros,
    tolerance: Decimal,
) -> Settlement {
    match settle(p, invoice_price, tolerance) {
        Settlement::Hold(HoldReason::FinishedUnderpaid { paid_usd, .. }) => {
            Settlement::TopUp(top_up(invoice_price, paid_usd))
        }
        s => s,
    }
}

/// The part of `price` still missing after `paid`: rounded up to the micro-unit, at least one
/// cent (NOWPayments' smallest invoice) and at most the price itself.
fn top_up(price: UsdMicros, paid: Decimal) -> UsdMicros {
    let whole = price.to_decimal();
    let cent = Decimal::new(1, 2);
    let missing = whole
        .checked_sub(paid.max(Decimal::ZERO))
        .unwrap_or(whole)
        .clamp(cent.min(whole), whole);
    UsdMicros::from_decimal_rounded(missing, rust_decimal::RoundingStrategy::AwayFromZero)
        .map_or(price, |m| m.min(price))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    fn honest() -> NpPayment {
        NpPayment::from_value(&json!({
            "payment_id": 1, "invoice_id": 42, "payment_status": "finished",
            "price_amount": 5, "price_currency": "usd", "pay_amount": 5.1,
            "actually_paid": 5.1, "pay_currency": "usdttrc20", "order_id": "9",
            "outcome_amount": 5.0, "outcome_currency": "usdttrc20"
        }))
        .unwrap()
    }

    fn facts() -> InvoiceFacts<'static> {
        InvoiceFacts {
            price: UsdMicros::from_cents(500),
            np_invoice_id: Some("42"),
        }
    }

    #[test]
    fn an_honest_ipn_passes_and_grants() {
        assert_eq!(check_ipn(&honest(), &[], &facts()), Ok(()));
        assert_eq!(
            settle(&honest(), UsdMicros::from_cents(500), dec!(0.97)),
            Settlement::Grant
        );
    }

    #[test]
    fn the_reported_forgery_is_held() {
        let mut p = honest();
        p.price_amount = Some(dec!(0.01));
        p.price_currency = Some("eur".into());
        p.invoice_id = Some("777".into());
        assert!(matches!(
            check_ipn(&p, &[], &facts()),
            Err(HoldReason::PriceMismatch { .. })
        ));
        let mut p = honest();
        p.price_currency = Some("eur".into());
        assert!(matches!(
            check_ipn(&p, &[], &facts()),
            Err(HoldReason::CurrencyMismatch { .. })
        ));
        let mut p = honest();
        p.invoice_id = None;
        assert!(matches!(
            check_ipn(&p, &[], &facts()),
            Err(HoldReason::InvoiceMismatch { .. })
        ));
        let no_np_id = InvoiceFacts {
            np_invoice_id: None,
            ..facts()
        };
        assert!(check_ipn(&honest(), &[], &no_np_id).is_err());
    }

    #[test]
    fn insane_amounts_are_held() {
        let mut p = honest();
        p.actually_paid = Some(dec!(-9.99));
        assert!(matches!(
            check_ipn(&p, &[], &facts()),
            Err(HoldReason::Negative { .. })
        ));
        let mut p = honest();
        p.outcome_amount = Some(dec!(100000000000000000000));
        assert!(matches!(
            check_ipn(&p, &[], &facts()),
            Err(HoldReason::TooLarge { .. })
        ));
        let mut p = honest();
        p.actually_paid = Some(dec!(5101));
        assert!(matches!(
            check_ipn(&p, &[], &facts()),
            Err(HoldReason::AbsurdPayment { .. })
        ));
        let unreadable = [("actually_paid".to_owned(), "Infinity".to_owned())];
        assert!(matches!(
            check_ipn(&honest(), &unreadable, &facts()),
            Err(HoldReason::Unreadable { .. })
        ));
        assert_eq!(MAX_AMOUNT, dec!(1_000_000_000_000_000));
    }

    #[test]
    fn finished_must_show_the_price_paid() {
        let mut p = honest();
        p.actually_paid = Some(dec!(1));
        assert!(matches!(
            settle(&p, UsdMicros::from_cents(500), dec!(0.97)),
            Settlement::Hold(HoldReason::FinishedUnderpaid { .. })
        ));
        p.actually_paid = None;
        assert_eq!(
            settle(&p, UsdMicros::from_cents(500), dec!(0.97)),
            Settlement::Hold(HoldReason::PaidUnknown)
        );
    }

    #[test]
    fn a_reviewed_finished_underpayment_offers_a_top_up() {
        let mut p = honest();
        p.actually_paid = Some(dec!(2.55));
        assert_eq!(
            settle_after_review(&p, UsdMicros::from_cents(500), dec!(0.97)),
            Settlement::TopUp(UsdMicros::from_cents(250))
        );
        assert_eq!(
            settle_after_review(&honest(), UsdMicros::from_cents(500), dec!(0.97)),
            Settlement::Grant
        );
        p.actually_paid = None;
        assert_eq!(
            settle_after_review(&p, UsdMicros::from_cents(500), dec!(0.97)),
            Settlement::Hold(HoldReason::PaidUnknown)
        );
        assert_eq!(check_figures(&honest(), &[]), Ok(()));
    }

    #[test]
    fn top_ups_cover_exactly_what_is_missing() {
        let five = UsdMicros::from_cents(500);
        assert_eq!(top_up(five, dec!(4)), UsdMicros::from_cents(100));
        assert_eq!(top_up(five, dec!(0)), five);
        assert_eq!(top_up(five, dec!(-5)), five);
        assert_eq!(top_up(five, dec!(4.999)), UsdMicros::from_cents(1));
        assert_eq!(
            top_up(five, dec!(70000000000000000000000000000)),
            UsdMicros::from_cents(1)
        );
        assert_eq!(
            top_up(five, dec!(4.1234567)),
            UsdMicros::from_micros(876_544)
        );
    }

    fn amount() -> impl Strategy<Value = Option<Decimal>> {
        prop_oneof![
            Just(None),
            (any::<i64>(), 0u32..=18).prop_map(|(m, s)| Some(Decimal::new(m, s))),
            (0i64..10_000, 0u32..=4).prop_map(|(m, s)| Some(Decimal::new(m, s))),
        ]
    }

    fn status() -> impl Strategy<Value = PaymentStatus> {
        prop::sample::select(PaymentStatus::KNOWN.to_vec())
    }

    proptest! {
        /// Whatever the figures: a payment that passes the checks and is granted paid at least
        /// the tolerated share of the invoice price; a top-up is between a cent and the price.
        #[test]
        fn no_grant_without_the_price_and_no_top_up_above_it(
            price_cents in 1i64..=1_000_000,
            pay in amount(), paid in amount(), outcome in amount(),
            status in status(),
            tolerance in (50u32..=100).prop_map(|t| Decimal::new(i64::from(t), 2)),
        ) {
            let price = UsdMicros::from_cents(price_cents);
            let mut p = honest();
            p.price_amount = Some(price.to_decimal());
            p.pay_amount = pay;
            p.actually_paid = paid;
            p.outcome_amount = outcome;
            p.payment_status = status;
            let facts = InvoiceFacts { price, np_invoice_id: Some("42") };
            if check_ipn(&p, &[], &facts).is_err() {
                return Ok(());
            }
            match settle(&p, price, tolerance) {
                Settlement::Grant => {
                    let paid = paid_usd(&p).unwrap();
                    prop_assert!(paid >= price.to_decimal() * tolerance);
                    prop_assert!(paid >= Decimal::ZERO);
                }
                Settlement::TopUp(m) => {
                    prop_assert!(m.to_decimal() <= price.to_decimal());
                    prop_assert!(m.micros() > 0);
                }
                Settlement::Hold(_) | Settlement::Nothing => {}
            }
        }
    }
}
