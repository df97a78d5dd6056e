//! Bitcoin Cash addresses: cashaddr (`bitcoincash:` prefix optional) or legacy base58check.

use super::AddressError;
use super::bitcoin::check_legacy;

/// Cashaddr (`bitcoincash:` prefix optional) or legacy base58check 0x00 / 0x05.
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    if s.len() <= 35 {
        check_legacy(s, &[0x00, 0x05])
    } else {
        check_cashaddr(s)
    }
}

/// Cashaddr with the `bitcoincash` prefix: P2PKH / P2SH of 20 bytes, P2SH of 32 bytes, and their
/// token-aware forms. Returned in lower case with the prefix.
fn check_cashaddr(s: &str) -> Result<String, AddressError> {
    let has_lower = s.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = s.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper {
        return Err(AddressError::BadFormat);
    }
    let lower = s.to_ascii_lowercase();
    let body = lower.strip_prefix("bitcoincash:").unwrap_or(&lower);
    // 42 chars: version + 20-byte hash; 61 chars: version + 32-byte hash (8 of them checksum).
    // Checking length and alphabet first also keeps the decoder on inputs it handles.
    if !matches!(body.len(), 42 | 61) || !body.bytes().all(|b| cashaddr::CHARSET.contains(&b)) {
        return Err(AddressError::BadFormat);
    }
    let full = format!("bitcoincash:{body}");
    let payload: cashaddr::Payload = full.parse().map_err(|e| match e {
        cashaddr::DecodeError::ChecksumFailed(_) => AddressError::BadChecksum,
        _ => AddressError::BadFormat,
    })?;
    let kind_ok = match payload.hash_type().numeric_value() {
        // P2PKH, token-aware P2PKH
        0 | 2 => payload.len() == 20,
        // P2SH, token-aware P2SH (20-byte or P2SH32)
        1 | 3 => matches!(payload.len(), 20 | 32),
        _ => false,
    };
    if !kind_ok {
        return Err(AddressError::BadFormat);
    }
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::super::AddressError;
    use super::super::AddressFormat::*;
    use super::super::testkit::*;

    #[test]
    fn bch_valid_forms() {
        let a = cashaddr_p2pkh(1);
        assert!(a.starts_with("bitcoincash:q"));
        assert_eq!(ok(Bch, &a), a);
        let body = a.trim_start_matches("bitcoincash:");
        assert_eq!(ok(Bch, body), a);
        assert_eq!(ok(Bch, &a.to_ascii_uppercase()), a);
        let p2sh32 = cashaddr_p2sh32(2);
        assert_eq!(ok(Bch, &p2sh32), p2sh32);
        // legacy base58check is still accepted for Bitcoin Cash
        let legacy = btc_p2pkh(3);
        assert_eq!(ok(Bch, &legacy), legacy);
        assert_eq!(ok(Bch, &btc_p2sh(4)), btc_p2sh(4));
        // cashaddr spec test vectors
        for (real, expected) in [
            (
                "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
                "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
            ),
            (
                "ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq",
                "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq",
            ),
            (
                "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu",
                "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu",
            ),
        ] {
            assert_eq!(ok(Bch, real), expected);
        }
    }

    #[test]
    fn bch_bad_checksum_and_format() {
        let a = cashaddr_p2pkh(5);
        assert_eq!(
            err(Bch, &typo(&a, a.len() - 10, BECH32)),
            AddressError::BadChecksum
        );
        let mixed = a.replacen("bitcoincash:q", "bitcoincash:Q", 1);
        assert_eq!(err(Bch, &mixed), AddressError::BadFormat);
        let testnet = {
            use cashaddr::CashEnc;
            bytes(5, 20).encode_p2pkh("bchtest").unwrap()
        };
        assert_eq!(err(Bch, &testnet), AddressError::BadFormat);
        let legacy = btc_p2pkh(6);
        assert_eq!(
            err(Bch, &typo(&legacy, legacy.len() - 6, BASE58)),
            AddressError::BadChecksum
        );
        // 24-byte hash: a valid cashaddr, but no standard BCH address has it
        let odd = {
            use cashaddr::CashEnc;
            bytes(7, 24).encode_p2pkh("bitcoincash").unwrap()
        };
        assert_eq!(err(Bch, &odd), AddressError::BadFormat);
    }

    #[test]
    fn bch_wrong_network() {
        assert_eq!(
            err(Bch, &btc_p2wpkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
        assert_eq!(
            err(Bch, &b58check(&[0x30], &bytes(1, 20))),
            AddressError::WrongNetwork { detected: Ltc }
        );
    }
}
