//! Zcash addresses: transparent t1 / t3, Sapling `zs1`, unified `u1` and TEX `tex1`.

use bech32::{Bech32, Bech32m};

use super::AddressError;
use super::encoding::{base58check_versioned, bech32_data, has_hrp};

/// Transparent t1 / t3 (base58check, two version bytes + 20), Sapling `zs1` (bech32, 43 bytes),
/// unified `u1` (bech32m) and TEX `tex1` (bech32m, 20 bytes). For `u1` only the checksum and a
/// sensible length are checked, not the receivers inside.
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    let lower = s.to_ascii_lowercase();
    if has_hrp(&lower, "zs") {
        let data = bech32_data::<Bech32>(s, "zs")?;
        return if data.len() == 43 {
            Ok(lower)
        } else {
            Err(AddressError::BadFormat)
        };
    }
    if has_hrp(&lower, "u") {
        // ZIP 316: the jumbled encoding is at least 48 bytes.
        let data = bech32_data::<Bech32m>(s, "u")?;
        return if data.len() >= 48 {
            Ok(lower)
        } else {
            Err(AddressError::BadFormat)
        };
    }
    if has_hrp(&lower, "tex") {
        let data = bech32_data::<Bech32m>(s, "tex")?;
        return if data.len() == 20 {
            Ok(lower)
        } else {
            Err(AddressError::BadFormat)
        };
    }
    if s.len() != 35 || !s.starts_with("t") {
        return Err(AddressError::BadFormat);
    }
    base58check_versioned(
        s,
        bs58::Alphabet::BITCOIN,
        22,
        &[&[0x1c, 0xb8], &[0x1c, 0xbd]],
    )?;
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use bech32::{Bech32, Bech32m};

    use super::super::AddressError;
    use super::super::AddressFormat::*;
    use super::super::testkit::*;

    #[test]
    fn zec_valid_forms() {
        let t1 = zec_t1(1);
        let t3 = zec_t3(2);
        assert!(t1.starts_with("t1") && t3.starts_with("t3"));
        for a in [t1, t3, zec_sapling(3), zec_unified(4), zec_tex(5)] {
            assert_eq!(ok(Zec, &a), a);
        }
        assert!(zec_sapling(3).starts_with("zs1"));
        assert!(zec_unified(4).starts_with("u1"));
        assert_eq!(
            ok(Zec, &zec_sapling(6).to_ascii_uppercase()),
            zec_sapling(6)
        );
    }

    #[test]
    fn zec_bad_checksum_and_format() {
        let t1 = zec_t1(1);
        assert_eq!(
            err(Zec, &typo(&t1, t1.len() - 6, BASE58)),
            AddressError::BadChecksum
        );
        for a in [zec_sapling(2), zec_unified(3), zec_tex(4)] {
            assert_eq!(
                err(Zec, &typo(&a, a.len() - 10, BECH32)),
                AddressError::BadChecksum
            );
        }
        // Sapling with the bech32m checksum, unified with the bech32 one
        let sapling_m = bech32::encode::<Bech32m>(hrp("zs"), &bytes(5, 43)).unwrap();
        assert_eq!(err(Zec, &sapling_m), AddressError::BadChecksum);
        let unified_b = bech32::encode::<Bech32>(hrp("u"), &bytes(5, 106)).unwrap();
        assert_eq!(err(Zec, &unified_b), AddressError::BadChecksum);
        // testnet forms
        let tm = b58check(&[0x1d, 0x25], &bytes(6, 20));
        assert_eq!(err(Zec, &tm), AddressError::BadFormat);
        let ztestsapling = bech32::encode::<Bech32>(hrp("ztestsapling"), &bytes(6, 43)).unwrap();
        assert_eq!(err(Zec, &ztestsapling), AddressError::BadFormat);
        let short_sapling = bech32::encode::<Bech32>(hrp("zs"), &bytes(6, 32)).unwrap();
        assert_eq!(err(Zec, &short_sapling), AddressError::BadFormat);
        assert_eq!(
            err(Zec, &btc_p2pkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
    }
}
