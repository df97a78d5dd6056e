//! Stellar addresses: the account strkey `G…` (stellar-strkey).

use super::AddressError;

/// Stellar account strkey `G…` (56 chars, ed25519 public key, CRC-16/XMODEM). Muxed `M…`
/// accounts are refused. Returned in upper case.
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    let upper = s.to_ascii_uppercase();
    if upper.len() != 56 || !upper.starts_with('G') {
        return Err(AddressError::BadFormat);
    }
    stellar_strkey::ed25519::PublicKey::from_string(&upper).map_err(|e| match e {
        stellar_strkey::DecodeError::ChecksumMismatch => AddressError::BadChecksum,
        _ => AddressError::BadFormat,
    })?;
    Ok(upper)
}

#[cfg(test)]
mod tests {
    use super::super::AddressError;
    use super::super::AddressFormat::*;
    use super::super::testkit::*;

    #[test]
    fn xlm_valid_forms() {
        let a = xlm(1);
        assert!(a.starts_with('G') && a.len() == 56);
        assert_eq!(ok(Xlm, &a), a);
        assert_eq!(ok(Xlm, &a.to_ascii_lowercase()), a);
        let real = "GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7";
        assert_eq!(ok(Xlm, real), real);
    }

    #[test]
    fn xlm_bad_checksum_and_format() {
        let a = xlm(2);
        assert_eq!(err(Xlm, &typo(&a, 30, BASE32)), AddressError::BadChecksum);
        let muxed = stellar_strkey::ed25519::MuxedAccount {
            ed25519: bytes(3, 32).try_into().unwrap(),
            id: 7,
        }
        .to_string()
        .as_str()
        .to_owned();
        assert!(muxed.starts_with('M'));
        assert_eq!(err(Xlm, &muxed), AddressError::BadFormat);
        let contract = stellar_strkey::Contract(bytes(4, 32).try_into().unwrap())
            .to_string()
            .as_str()
            .to_owned();
        assert_eq!(err(Xlm, &contract), AddressError::BadFormat);
        assert_eq!(
            err(Xlm, &evm(1)),
            AddressError::WrongNetwork { detected: Evm }
        );
    }
}
