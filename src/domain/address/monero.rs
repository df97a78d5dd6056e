//! Monero addresses: Monero base58 with a Keccak-256 checksum (standard, subaddress, integrated).

use super::AddressError;

/// Monero base58 (blocks of 8 bytes) with its Keccak-256 checksum: standard (network byte 18,
/// 95 chars), subaddress (42, 95 chars), integrated (19, 106 chars, 8-byte payment id).
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    let (tag, payload_len) = match s.len() {
        95 if s.starts_with('4') => (18, 65),
        95 if s.starts_with('8') => (42, 65),
        106 if s.starts_with('4') => (19, 73),
        _ => return Err(AddressError::BadFormat),
    };
    let raw = base58_monero::decode(s).map_err(|_| AddressError::BadFormat)?;
    if raw.len() != payload_len + 4 || raw.first() != Some(&tag) {
        return Err(AddressError::BadFormat);
    }
    // The length is checked above, so the decoder cannot run short of checksum bytes.
    base58_monero::decode_check(s).map_err(|e| match e {
        base58_monero::Error::InvalidChecksum => AddressError::BadChecksum,
        _ => AddressError::BadFormat,
    })?;
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::AddressError;
    use super::super::AddressFormat::*;
    use super::super::testkit::*;

    #[test]
    fn xmr_valid_forms() {
        let standard = xmr(18, 1, 0);
        let sub = xmr(42, 2, 0);
        let integrated = xmr(19, 3, 8);
        assert!(standard.starts_with('4') && standard.len() == 95);
        assert!(sub.starts_with('8') && sub.len() == 95);
        assert!(integrated.starts_with('4') && integrated.len() == 106);
        for a in [standard, sub, integrated] {
            assert_eq!(ok(Xmr, &a), a);
        }
        let fund = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
        assert_eq!(ok(Xmr, fund), fund);
    }

    #[test]
    fn xmr_bad_checksum_and_format() {
        for a in [xmr(18, 4, 0), xmr(42, 5, 0), xmr(19, 6, 8)] {
            assert_eq!(err(Xmr, &typo(&a, 50, BASE58)), AddressError::BadChecksum);
        }
        let testnet = xmr(53, 7, 0);
        assert_eq!(err(Xmr, &testnet), AddressError::BadFormat);
        let stagenet = xmr(24, 7, 0);
        assert_eq!(err(Xmr, &stagenet), AddressError::BadFormat);
        let standard = xmr(18, 8, 0);
        assert_eq!(err(Xmr, &standard[..94]), AddressError::BadFormat);
        assert_eq!(
            err(Xmr, &btc_p2pkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
    }
}
