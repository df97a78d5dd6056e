//! Cardano addresses: Shelley `addr1…` (bech32) and Byron base58 with its CBOR envelope and CRC-32.

use bech32::Bech32;

use super::AddressError;
use super::encoding::{bech32_data, has_hrp};

/// CRC-32 (the zlib one), used by Cardano Byron addresses.
pub(super) const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// Shelley `addr1…` (bech32, mainnet payment address) or Byron base58 (`Ae2…`, `DdzFF…`) with
/// its CBOR envelope and CRC-32.
pub(super) fn check(s: &str) -> Result<String, AddressError> {
    let lower = s.to_ascii_lowercase();
    if has_hrp(&lower, "addr") {
        let data = bech32_data::<Bech32>(s, "addr")?;
        let Some(&header) = data.first() else {
            return Err(AddressError::BadFormat);
        };
        let kind = header >> 4;
        let network = header & 0x0f;
        let len_ok = match kind {
            // base addresses: payment + stake credential
            0..=3 => data.len() == 57,
            // pointer addresses: payment credential + three variable-length integers
            4 | 5 => (32..=58).contains(&data.len()),
            // enterprise addresses: payment credential only
            6 | 7 => data.len() == 29,
            _ => false,
        };
        return if network == 1 && len_ok {
            Ok(lower)
        } else {
            Err(AddressError::BadFormat)
        };
    }
    if (s.starts_with("Ae2") || s.starts_with("DdzFF")) && (50..=130).contains(&s.len()) {
        check_byron(s)?;
        return Ok(s.to_owned());
    }
    Err(AddressError::BadFormat)
}

/// Byron: base58 of CBOR `[tag24(bytes payload), crc32(payload)]`, the payload being
/// `[bytes(28) root, {attributes}, type]`. An attribute 2 (network magic) means a testnet address.
fn check_byron(s: &str) -> Result<(), AddressError> {
    let raw = bs58::decode(s)
        .into_vec()
        .map_err(|_| AddressError::BadFormat)?;
    let mut outer = Cbor::new(&raw);
    let (payload, crc) = (|| {
        outer.expect(CBOR_ARRAY, 2)?;
        outer.expect(CBOR_TAG, 24)?;
        let payload = outer.bytes()?;
        let crc = outer.uint()?;
        outer.is_done().then_some((payload, crc))
    })()
    .ok_or(AddressError::BadFormat)?;
    if u64::from(CRC32.checksum(payload)) != crc {
        return Err(AddressError::BadChecksum);
    }
    let mut inner = Cbor::new(payload);
    let mainnet = (|| {
        inner.expect(CBOR_ARRAY, 3)?;
        if inner.bytes()?.len() != 28 {
            return None;
        }
        let attributes = inner.head_of(CBOR_MAP)?;
        for _ in 0..attributes.min(8) {
            let key = inner.uint()?;
            inner.bytes()?;
            if key == 2 {
                return None;
            }
        }
        let kind = inner.uint()?;
        (matches!(kind, 0 | 2) && attributes <= 8 && inner.is_done()).then_some(())
    })();
    mainnet.ok_or(AddressError::BadFormat)
}

const CBOR_UINT: u8 = 0;
const CBOR_BYTES: u8 = 2;
const CBOR_ARRAY: u8 = 4;
const CBOR_MAP: u8 = 5;
const CBOR_TAG: u8 = 6;

/// Just enough of a CBOR reader for a Byron address envelope (definite lengths only).
struct Cbor<'a> {
    rest: &'a [u8],
}

impl<'a> Cbor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cbor { rest: bytes }
    }

    /// The next item head: (major type, argument).
    fn head(&mut self) -> Option<(u8, u64)> {
        let (&first, rest) = self.rest.split_first()?;
        let major = first >> 5;
        let info = first & 0x1f;
        let (arg, rest) = match info {
            0..=23 => (u64::from(info), rest),
            24 => {
                let (b, rest) = rest.split_first_chunk::<1>()?;
                (u64::from(b[0]), rest)
            }
            25 => {
                let (b, rest) = rest.split_first_chunk::<2>()?;
                (u64::from(u16::from_be_bytes(*b)), rest)
            }
            26 => {
                let (b, rest) = rest.split_first_chunk::<4>()?;
                (u64::from(u32::from_be_bytes(*b)), rest)
            }
            27 => {
                let (b, rest) = rest.split_first_chunk::<8>()?;
                (u64::from_be_bytes(*b), rest)
            }
            _ => return None,
        };
        self.rest = rest;
        Some((major, arg))
    }

    fn head_of(&mut self, major: u8) -> Option<u64> {
        let (m, arg) = self.head()?;
        (m == major).then_some(arg)
    }

    fn expect(&mut self, major: u8, arg: u64) -> Option<()> {
        (self.head_of(major)? == arg).then_some(())
    }

    fn uint(&mut self) -> Option<u64> {
        self.head_of(CBOR_UINT)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.head_of(CBOR_BYTES)?).ok()?;
        let (bytes, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        Some(bytes)
    }

    fn is_done(&self) -> bool {
        self.rest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use bech32::{Bech32, Bech32m};

    use super::super::AddressFormat::*;
    use super::super::testkit::*;
    use super::super::{AddressError, validate};
    use super::CRC32;

    #[test]
    fn ada_valid_forms() {
        for a in [ada_base(1), ada_enterprise(2)] {
            assert!(a.starts_with("addr1"));
            assert_eq!(ok(Ada, &a), a);
        }
        let cip19 = "addr1qx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgse35a3x";
        assert_eq!(ok(Ada, cip19), cip19);
        let icarus = byron(3, &[]);
        assert!(icarus.starts_with("Ae2"), "{icarus}");
        assert_eq!(ok(Ada, &icarus), icarus);
        let daedalus = byron(4, &[(1, bytes(5, 30))]);
        assert!(daedalus.starts_with("DdzFF"), "{daedalus}");
        assert_eq!(ok(Ada, &daedalus), daedalus);
        let real_icarus = "Ae2tdPwUPEZFRbyhz3cpfC2CumGzNkFBN2L42rcUc2yjQpEkxDbkPodpMAi";
        assert_eq!(ok(Ada, real_icarus), real_icarus);
    }

    #[test]
    fn ada_bad_checksum_and_format() {
        let a = ada_base(6);
        assert_eq!(err(Ada, &typo(&a, 40, BECH32)), AddressError::BadChecksum);
        let testnet =
            bech32::encode::<Bech32>(hrp("addr_test"), &with_version(&[0x00], &bytes(7, 56)))
                .unwrap();
        assert_eq!(err(Ada, &testnet), AddressError::BadFormat);
        let network_zero =
            bech32::encode::<Bech32>(hrp("addr"), &with_version(&[0x00], &bytes(7, 56))).unwrap();
        assert_eq!(err(Ada, &network_zero), AddressError::BadFormat);
        let stake =
            bech32::encode::<Bech32>(hrp("stake"), &with_version(&[0xe1], &bytes(7, 28))).unwrap();
        assert_eq!(err(Ada, &stake), AddressError::BadFormat);
        let bech32m =
            bech32::encode::<Bech32m>(hrp("addr"), &with_version(&[0x01], &bytes(7, 56))).unwrap();
        assert_eq!(err(Ada, &bech32m), AddressError::BadChecksum);
        // Byron: wrong CRC, testnet attribute
        let payload = byron_payload(8, &[]);
        let bad_crc = byron_envelope(&payload, CRC32.checksum(&payload) ^ 1);
        assert_eq!(err(Ada, &bad_crc), AddressError::BadChecksum);
        let byron_testnet = byron(9, &[(2, vec![0x1a, 0x2d, 0x96, 0x4a, 0x09])]);
        assert!(validate(Ada, &byron_testnet).is_err());
        assert_eq!(
            err(Ada, &btc_p2wpkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
    }
}
