//! TRON addresses: `T…`, base58check of 0x41 + a 20-byte account hash.

use super::AddressError;
use super::encoding::base58check_versioned;

/// `T…`, 34 chars, base58check of 0x41 + 20 bytes.
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    if s.len() != 34 || !s.starts_with('T') {
        return Err(AddressError::BadFormat);
    }
    base58check_versioned(s, bs58::Alphabet::BITCOIN, 21, &[&[0x41]])?;
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::AddressError;
    use super::super::AddressFormat::*;
    use super::super::testkit::*;

    #[test]
    fn tron_valid_forms() {
        let a = tron(1);
        assert!(a.starts_with('T') && a.len() == 34);
        assert_eq!(ok(Tron, &a), a);
        let usdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
        assert_eq!(ok(Tron, usdt), usdt);
    }

    #[test]
    fn tron_bad_checksum_and_wrong_network() {
        let a = tron(2);
        assert_eq!(
            err(Tron, &typo(&a, a.len() - 6, BASE58)),
            AddressError::BadChecksum
        );
        assert_eq!(
            err(Tron, &evm(1)),
            AddressError::WrongNetwork { detected: Evm }
        );
        assert_eq!(
            err(Tron, &evm(1).to_ascii_lowercase()),
            AddressError::WrongNetwork { detected: Evm }
        );
        // the hex form of a TRON address (41 + 20 bytes) is not what users should paste
        assert_eq!(
            err(Tron, "41a614f803b6fd780986a42c78ec9c7f77e6ded13c"),
            AddressError::BadFormat
        );
    }
}
