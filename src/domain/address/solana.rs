//! Solana addresses: base58 of a 32-byte ed25519 public key, without a checksum.

use super::AddressError;

/// Base58 (Bitcoin alphabet) of exactly 32 bytes. There is no checksum, so a typo that stays
/// inside the alphabet cannot be detected. The all-zero key (System Program) is refused.
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    if !(32..=44).contains(&s.len()) {
        return Err(AddressError::BadFormat);
    }
    let bytes = bs58::decode(s)
        .into_vec()
        .map_err(|_| AddressError::BadFormat)?;
    if bytes.len() != 32 || bytes.iter().all(|b| *b == 0) {
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
    fn sol_valid_forms() {
        let a = sol(1);
        assert_eq!(ok(Sol, &a), a);
        for real in [
            "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
            "DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263",
            "JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN",
        ] {
            assert_eq!(ok(Sol, real), real);
        }
    }

    #[test]
    fn sol_bad_format() {
        let a = sol(2);
        // no checksum: only characters outside the alphabet or a wrong length are caught
        assert_eq!(
            err(Sol, &a.replacen(&a[5..6], "0", 1)),
            AddressError::BadFormat
        );
        assert_eq!(
            err(Sol, &a.replacen(&a[5..6], "l", 1)),
            AddressError::BadFormat
        );
        assert_eq!(
            err(Sol, &bs58::encode(bytes(3, 31)).into_string()),
            AddressError::BadFormat
        );
        assert_eq!(
            err(Sol, "11111111111111111111111111111111"),
            AddressError::BadFormat
        );
        assert_eq!(
            err(Sol, &tron(1)),
            AddressError::WrongNetwork { detected: Tron }
        );
        assert_eq!(
            err(Sol, &btc_p2pkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
        assert_eq!(
            err(Sol, &evm(1)),
            AddressError::WrongNetwork { detected: Evm }
        );
    }
}
