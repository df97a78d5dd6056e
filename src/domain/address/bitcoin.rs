//! Bitcoin-like addresses (Bitcoin, Litecoin, Dogecoin): legacy base58check P2PKH / P2SH and
//! segwit bech32 / bech32m. Bitcoin Cash reuses the legacy check.

use super::AddressError;
use super::encoding::{base58check_versioned, has_hrp, segwit_error};

/// Legacy base58check with one of `versions`, or a segwit address with `hrp`.
pub(super) fn check(s: &str, versions: &[u8], hrp: &str) -> Result<String, AddressError> {
    if has_hrp(&s.to_ascii_lowercase(), hrp) {
        check_segwit(s, hrp)
    } else {
        check_legacy(s, versions)
    }
}

/// Base58check of a one-byte version + 20-byte hash (P2PKH / P2SH style).
pub(super) fn check_legacy(s: &str, versions: &[u8]) -> Result<String, AddressError> {
    if !(26..=35).contains(&s.len()) {
        return Err(AddressError::BadFormat);
    }
    let prefixes: Vec<&[u8]> = versions.iter().map(std::slice::from_ref).collect();
    base58check_versioned(s, bs58::Alphabet::BITCOIN, 21, &prefixes)?;
    Ok(s.to_owned())
}

/// Segwit v0 (bech32, 20- or 32-byte program) or v1 taproot (bech32m, 32 bytes). Later witness
/// versions are refused: nothing can spend from them yet, so a payout there would be lost.
fn check_segwit(s: &str, hrp: &str) -> Result<String, AddressError> {
    let (decoded_hrp, version, program) =
        bech32::segwit::decode(s).map_err(|e| segwit_error(&e.0))?;
    if decoded_hrp.to_lowercase() != hrp {
        return Err(AddressError::BadFormat);
    }
    let program_ok = match version.to_u8() {
        0 => matches!(program.len(), 20 | 32),
        1 => program.len() == 32,
        _ => false,
    };
    if !program_ok {
        return Err(AddressError::BadFormat);
    }
    Ok(s.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use bech32::{Bech32, Bech32m, Checksum, Fe32};

    use super::super::AddressError;
    use super::super::AddressFormat::*;
    use super::super::testkit::*;

    /// A `bc` segwit address with an explicit checksum choice (to build invalid combinations).
    fn segwit_with<Ck: Checksum>(version: u8, program: &[u8]) -> String {
        use bech32::{ByteIterExt, Fe32IterExt};
        program
            .iter()
            .copied()
            .bytes_to_fes()
            .with_checksum::<Ck>(&bech32::hrp::BC)
            .with_witness_version(Fe32::try_from(version).unwrap())
            .chars()
            .collect()
    }

    #[test]
    fn btc_valid_forms() {
        for a in [
            btc_p2pkh(1),
            btc_p2sh(2),
            btc_p2wpkh(3),
            btc_p2wsh(4),
            btc_p2tr(5),
        ] {
            assert_eq!(ok(Btc, &a), a);
        }
        assert!(btc_p2pkh(1).starts_with('1'));
        assert!(btc_p2sh(1).starts_with('3'));
        let upper = btc_p2wpkh(6).to_ascii_uppercase();
        assert_eq!(ok(Btc, &upper), btc_p2wpkh(6));
        for real in [
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        ] {
            assert_eq!(ok(Btc, real), real);
        }
    }

    #[test]
    fn btc_bad_checksum() {
        let legacy = btc_p2pkh(7);
        assert_eq!(
            err(Btc, &typo(&legacy, legacy.len() - 6, BASE58)),
            AddressError::BadChecksum
        );
        assert_eq!(
            err(Btc, &typo("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 20, BASE58)),
            AddressError::BadChecksum
        );
        for a in [btc_p2wpkh(8), btc_p2tr(9)] {
            assert_eq!(
                err(Btc, &typo(&a, a.len() - 10, BECH32)),
                AddressError::BadChecksum
            );
        }
    }

    #[test]
    fn btc_refuses_testnet_and_odd_programs() {
        let testnet_legacy = b58check(&[0x6f], &bytes(1, 20));
        assert_eq!(err(Btc, &testnet_legacy), AddressError::BadFormat);
        let testnet_segwit = bech32::segwit::encode_v0(bech32::hrp::TB, &bytes(1, 20)).unwrap();
        assert_eq!(err(Btc, &testnet_segwit), AddressError::BadFormat);
        let regtest = bech32::segwit::encode_v0(bech32::hrp::BCRT, &bytes(1, 20)).unwrap();
        assert_eq!(err(Btc, &regtest), AddressError::BadFormat);
        // witness v2 and a short v1 program: valid encodings, but nothing to pay out to
        let v2 =
            bech32::segwit::encode(bech32::hrp::BC, Fe32::try_from(2u8).unwrap(), &bytes(1, 32))
                .unwrap();
        assert_eq!(err(Btc, &v2), AddressError::BadFormat);
        let v1_short = bech32::segwit::encode_v1(bech32::hrp::BC, &bytes(1, 20)).unwrap();
        assert_eq!(err(Btc, &v1_short), AddressError::BadFormat);
        // mixed case bech32
        let a = btc_p2wpkh(2);
        let mixed = format!("{}{}", &a[..10], a[10..].to_ascii_uppercase());
        assert_eq!(err(Btc, &mixed), AddressError::BadFormat);
        // BIP-350: v1+ must use bech32m, v0 must use bech32
        assert_eq!(
            err(Btc, &segwit_with::<Bech32>(1, &bytes(3, 32))),
            AddressError::BadChecksum
        );
        assert_eq!(
            err(Btc, &segwit_with::<Bech32m>(0, &bytes(3, 20))),
            AddressError::BadChecksum
        );
        assert_eq!(
            segwit_with::<Bech32m>(1, &bytes(3, 32)),
            btc_p2tr(3),
            "the helper encodes like the crate"
        );
    }

    #[test]
    fn btc_wrong_network() {
        assert_eq!(
            err(Btc, &evm(1)),
            AddressError::WrongNetwork { detected: Evm }
        );
        assert_eq!(
            err(Btc, &ltc_segwit(1)),
            AddressError::WrongNetwork { detected: Ltc }
        );
        assert_eq!(
            err(Btc, &cashaddr_p2pkh(1)),
            AddressError::WrongNetwork { detected: Bch }
        );
        assert_eq!(
            err(Btc, &b58check(&[0x1e], &bytes(1, 20))),
            AddressError::WrongNetwork { detected: Doge }
        );
    }

    // ---- Litecoin ----

    #[test]
    fn ltc_valid_forms() {
        let l = b58check(&[0x30], &bytes(1, 20));
        let m = b58check(&[0x32], &bytes(2, 20));
        assert!(l.starts_with('L') && m.starts_with('M'));
        for a in [l, m, btc_p2sh(3), ltc_segwit(4)] {
            assert_eq!(ok(Ltc, &a), a);
        }
        let taproot = bech32::segwit::encode_v1(hrp("ltc"), &bytes(5, 32)).unwrap();
        assert_eq!(ok(Ltc, &taproot), taproot);
    }

    #[test]
    fn ltc_bad_checksum_and_wrong_network() {
        let l = b58check(&[0x30], &bytes(1, 20));
        assert_eq!(
            err(Ltc, &typo(&l, l.len() - 6, BASE58)),
            AddressError::BadChecksum
        );
        let seg = ltc_segwit(2);
        assert_eq!(err(Ltc, &typo(&seg, 12, BECH32)), AddressError::BadChecksum);
        assert_eq!(
            err(Ltc, &btc_p2pkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
        assert_eq!(
            err(Ltc, &btc_p2wpkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
        let testnet = bech32::segwit::encode_v0(hrp("tltc"), &bytes(1, 20)).unwrap();
        assert_eq!(err(Ltc, &testnet), AddressError::BadFormat);
    }

    // ---- Dogecoin ----

    #[test]
    fn doge_valid_forms() {
        let d = b58check(&[0x1e], &bytes(1, 20));
        let nine_or_a = b58check(&[0x16], &bytes(2, 20));
        assert!(d.starts_with('D'));
        assert!(nine_or_a.starts_with('9') || nine_or_a.starts_with('A'));
        for a in [d, nine_or_a] {
            assert_eq!(ok(Doge, &a), a);
        }
    }

    #[test]
    fn doge_bad_checksum_and_wrong_network() {
        let d = b58check(&[0x1e], &bytes(3, 20));
        assert_eq!(
            err(Doge, &typo(&d, d.len() - 6, BASE58)),
            AddressError::BadChecksum
        );
        assert_eq!(
            err(Doge, &btc_p2pkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
        let testnet = b58check(&[0x71], &bytes(1, 20));
        assert_eq!(err(Doge, &testnet), AddressError::BadFormat);
    }
}
