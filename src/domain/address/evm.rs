//! EVM addresses: `0x` + 40 hex with the EIP-55 mixed-case checksum (alloy-primitives).

use alloy_primitives::Address as EvmAddress;

use super::AddressError;

/// `0x` + 40 hex. All-lowercase / all-uppercase carries no checksum; mixed case must be EIP-55.
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    let hex = s.strip_prefix("0x").ok_or(AddressError::BadFormat)?;
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AddressError::BadFormat);
    }
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    let address = if has_lower && has_upper {
        EvmAddress::parse_checksummed(s, None).map_err(|_| AddressError::BadChecksum)?
    } else {
        hex.parse::<EvmAddress>()
            .map_err(|_| AddressError::BadFormat)?
    };
    if address.is_zero() {
        return Err(AddressError::BadFormat);
    }
    Ok(address.to_checksum(None))
}

#[cfg(test)]
mod tests {
    use super::super::AddressError;
    use super::super::AddressFormat::*;
    use super::super::testkit::*;

    #[test]
    fn evm_valid_forms() {
        let a = evm(1);
        assert!(
            a.bytes().any(|b| b.is_ascii_lowercase()) && a.bytes().any(|b| b.is_ascii_uppercase())
        );
        assert_eq!(ok(Evm, &a), a);
        let lower = a.to_ascii_lowercase();
        assert_eq!(ok(Evm, &lower), a);
        let upper = format!("0x{}", a[2..].to_ascii_uppercase());
        assert_eq!(ok(Evm, &upper), a);
        for real in [
            "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0x6B175474E89094C44Da98b954EedeAC495271d0F",
        ] {
            assert_eq!(ok(Evm, real), real);
        }
    }

    #[test]
    fn evm_bad_checksum_and_format() {
        let a = "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045";
        // flip the case of one letter
        let flipped = a.replacen("dA6", "da6", 1);
        assert_eq!(err(Evm, &flipped), AddressError::BadChecksum);
        // change one hex digit of a checksummed address
        let changed = a.replacen("26964", "26965", 1);
        assert_eq!(err(Evm, &changed), AddressError::BadChecksum);
        assert_eq!(
            err(Evm, "0x0000000000000000000000000000000000000000"),
            AddressError::BadFormat
        );
        assert_eq!(err(Evm, &a[2..]), AddressError::BadFormat);
        assert_eq!(err(Evm, &a[..41]), AddressError::BadFormat);
        assert_eq!(err(Evm, &format!("{a}0")), AddressError::BadFormat);
        assert_eq!(err(Evm, &a.replacen('d', "g", 1)), AddressError::BadFormat);
        assert_eq!(
            err(Evm, &a.replacen("0x", "0X", 1)),
            AddressError::BadFormat
        );
    }

    #[test]
    fn evm_wrong_network() {
        assert_eq!(
            err(Evm, &btc_p2wpkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
        assert_eq!(
            err(Evm, &tron(1)),
            AddressError::WrongNetwork { detected: Tron }
        );
        assert_eq!(
            err(Evm, &sol(1)),
            AddressError::WrongNetwork { detected: Sol }
        );
    }
}
