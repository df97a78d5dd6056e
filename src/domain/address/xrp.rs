//! XRP Ledger addresses: classic `r…` accounts in the Ripple base58 alphabet.

use super::AddressError;
use super::encoding::base58check_versioned;

/// Classic `r…` address: Ripple-alphabet base58check of 0x00 + 20-byte account id. The black-hole
/// accounts ACCOUNT_ZERO and ACCOUNT_ONE are refused; X-addresses are not accepted.
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    if !(25..=35).contains(&s.len()) || !s.starts_with('r') {
        return Err(AddressError::BadFormat);
    }
    let payload = base58check_versioned(s, bs58::Alphabet::RIPPLE, 21, &[&[0x00]])?;
    let account = payload.get(1..).unwrap_or_default();
    let black_hole = account
        .split_last()
        .is_some_and(|(last, rest)| *last <= 1 && rest.iter().all(|b| *b == 0));
    if black_hole {
        return Err(AddressError::BadFormat);
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::AddressError;
    use super::super::AddressFormat::*;
    use super::super::testkit::*;

    #[test]
    fn xrp_valid_forms() {
        let a = xrp(1);
        assert!(a.starts_with('r'));
        assert_eq!(ok(Xrp, &a), a);
        let genesis = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
        assert_eq!(ok(Xrp, genesis), genesis);
    }

    #[test]
    fn xrp_bad_checksum_and_format() {
        let a = xrp(2);
        let ripple_alphabet = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";
        assert_eq!(
            err(Xrp, &typo(&a, a.len() - 6, ripple_alphabet)),
            AddressError::BadChecksum
        );
        // ACCOUNT_ZERO and ACCOUNT_ONE: black holes
        assert_eq!(
            err(Xrp, &ripple_check(&[0x00], &[0; 20])),
            AddressError::BadFormat
        );
        let mut one = [0u8; 20];
        one[19] = 1;
        assert_eq!(
            err(Xrp, &ripple_check(&[0x00], &one)),
            AddressError::BadFormat
        );
        assert_eq!(
            err(Xrp, "rrrrrrrrrrrrrrrrrrrrrhoLvTp"),
            AddressError::BadFormat
        );
        // a Bitcoin address is not an XRP one (different alphabet)
        assert_eq!(
            err(Xrp, &btc_p2pkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
        // X-address
        assert_eq!(
            err(Xrp, "X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ"),
            AddressError::BadFormat
        );
    }
}
