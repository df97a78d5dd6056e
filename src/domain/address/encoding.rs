//! Decoding helpers shared by the families: base58check with a version, bech32 data, and the
//! mapping of the codecs' errors to [`AddressError`].

use bech32::Checksum;
use bech32::primitives::decode::{
    CheckedHrpstring, CheckedHrpstringError, ChecksumError, SegwitHrpstringError,
};

use super::AddressError;

/// `lower` starts with `hrp` followed by the bech32 separator.
pub(super) fn has_hrp(lower: &str, hrp: &str) -> bool {
    lower
        .strip_prefix(hrp)
        .is_some_and(|rest| rest.starts_with('1'))
}

/// Decodes base58check (with `alphabet`) whose payload (version bytes included, checksum
/// excluded) is `payload_len` bytes and starts with one of `versions`. The version is checked
/// before the checksum, so an address of another coin is a format error, not a checksum one.
pub(super) fn base58check_versioned(
    s: &str,
    alphabet: &'static bs58::Alphabet,
    payload_len: usize,
    versions: &[&[u8]],
) -> Result<Vec<u8>, AddressError> {
    let mut raw = bs58::decode(s)
        .with_alphabet(alphabet)
        .into_vec()
        .map_err(|_| AddressError::BadFormat)?;
    if raw.len() != payload_len + 4 {
        return Err(AddressError::BadFormat);
    }
    raw.truncate(payload_len);
    if !versions.iter().any(|v| raw.starts_with(v)) {
        return Err(AddressError::BadFormat);
    }
    bs58::decode(s)
        .with_alphabet(alphabet)
        .with_check(None)
        .into_vec()
        .map_err(|e| match e {
            bs58::decode::Error::InvalidChecksum { .. } => AddressError::BadChecksum,
            _ => AddressError::BadFormat,
        })
}

/// Bech32 data (checksum `Ck`, human-readable part `hrp`) as bytes, with zero padding checked.
pub(super) fn bech32_data<Ck: Checksum>(s: &str, hrp: &str) -> Result<Vec<u8>, AddressError> {
    let checked = CheckedHrpstring::new::<Ck>(s).map_err(|e| checked_error(&e))?;
    if checked.hrp().to_lowercase() != hrp {
        return Err(AddressError::BadFormat);
    }
    checked
        .validate_segwit_padding()
        .map_err(|_| AddressError::BadFormat)?;
    Ok(checked.byte_iter().collect())
}

fn checked_error(e: &CheckedHrpstringError) -> AddressError {
    match e {
        CheckedHrpstringError::Checksum(ChecksumError::InvalidResidue) => AddressError::BadChecksum,
        _ => AddressError::BadFormat,
    }
}

pub(super) fn segwit_error(e: &SegwitHrpstringError) -> AddressError {
    match e {
        SegwitHrpstringError::Checksum(ChecksumError::InvalidResidue) => AddressError::BadChecksum,
        _ => AddressError::BadFormat,
    }
}
