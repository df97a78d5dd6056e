//! TON addresses: the user-friendly base64 form with its CRC-16, or the raw `<workchain>:<hex>`.

use base64::Engine as _;

use super::AddressError;

/// CRC-16/XMODEM, used by TON user-friendly addresses.
pub(super) const CRC16_XMODEM: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_XMODEM);

/// User-friendly (48 chars of base64 or base64url: flags, workchain, 32-byte hash, CRC-16/XMODEM)
/// or raw `<workchain>:<64 hex>`. Mainnet only; workchain 0 or -1.
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    if let Some((workchain, hash)) = s.split_once(':') {
        if !matches!(workchain, "0" | "-1")
            || hash.len() != 64
            || !hash.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(AddressError::BadFormat);
        }
        return Ok(format!("{workchain}:{}", hash.to_ascii_lowercase()));
    }
    if s.len() != 48 {
        return Err(AddressError::BadFormat);
    }
    let engine = if s.contains(['+', '/']) {
        &base64::engine::general_purpose::STANDARD_NO_PAD
    } else {
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
    };
    let bytes = engine.decode(s).map_err(|_| AddressError::BadFormat)?;
    let Some((body, crc)) = bytes.split_at_checked(34) else {
        return Err(AddressError::BadFormat);
    };
    if crc.len() != 2 {
        return Err(AddressError::BadFormat);
    }
    // 0x11 bounceable ("EQ…"), 0x51 non-bounceable ("UQ…"); +0x80 is the testnet flag.
    let flags_ok = matches!(body.first(), Some(0x11 | 0x51));
    let workchain_ok = matches!(body.get(1), Some(0x00 | 0xff));
    if !flags_ok || !workchain_ok {
        return Err(AddressError::BadFormat);
    }
    if CRC16_XMODEM.checksum(body).to_be_bytes() != crc {
        return Err(AddressError::BadChecksum);
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::super::AddressError;
    use super::super::AddressFormat::*;
    use super::super::testkit::*;

    #[test]
    fn ton_valid_forms() {
        let bounceable = ton(0x11, 0x00, 1);
        let non_bounceable = ton(0x51, 0x00, 2);
        let masterchain = ton(0x11, 0xff, 3);
        assert!(bounceable.starts_with("EQ") && bounceable.len() == 48);
        assert!(non_bounceable.starts_with("UQ"));
        for a in [bounceable, non_bounceable, masterchain] {
            assert_eq!(ok(Ton, &a), a);
        }
        let standard =
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(ton_bytes(0x11, 0x00, 4));
        assert_eq!(ok(Ton, &standard), standard);
        let hash = "83DFD552E63729B472FCBCC8C45EBCC6691702558B68EC7527E1BA403A0F31A8";
        assert_eq!(
            ok(Ton, &format!("0:{hash}")),
            format!("0:{}", hash.to_ascii_lowercase())
        );
        assert_eq!(
            ok(Ton, &format!("-1:{hash}")),
            format!("-1:{}", hash.to_ascii_lowercase())
        );
        let real = "EQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqB2N";
        assert_eq!(ok(Ton, real), real);
    }

    #[test]
    fn ton_bad_checksum_and_format() {
        let a = ton(0x11, 0x00, 5);
        assert_eq!(
            err(Ton, &typo(&a, 20, BASE64URL)),
            AddressError::BadChecksum
        );
        assert_eq!(err(Ton, &ton(0x91, 0x00, 5)), AddressError::BadFormat);
        assert_eq!(err(Ton, &ton(0xd1, 0x00, 5)), AddressError::BadFormat);
        assert_eq!(err(Ton, &ton(0x11, 0x01, 5)), AddressError::BadFormat);
        assert_eq!(err(Ton, &a[..47]), AddressError::BadFormat);
        let hash = "83dfd552e63729b472fcbcc8c45ebcc6691702558b68ec7527e1ba403a0f31a8";
        assert_eq!(err(Ton, &format!("1:{hash}")), AddressError::BadFormat);
        assert_eq!(
            err(Ton, &format!("0:{}", &hash[1..])),
            AddressError::BadFormat
        );
        assert_eq!(
            err(Ton, &btc_p2wpkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
    }
}
