//! Payout addresses: one check per `networks.address_format` code (shape, network and checksum),
//! a guard that refuses anything that looks like a private key or a seed phrase, a best guess of
//! which network a string belongs to, and the memo / destination-tag check. Pure functions, no I/O.
//!
//! Every checksum comes from a well-kept crate (`bs58`, `bech32`, `alloy-primitives`,
//! `base58-monero`, `cashaddr`, `crc`, `stellar-strkey`); nothing here re-implements one.
//! Error messages never contain the input, so callers may log them.

use std::fmt;

use alloy_primitives::Address as EvmAddress;
use base64::Engine as _;
use bech32::primitives::decode::{
    CheckedHrpstring, CheckedHrpstringError, ChecksumError, SegwitHrpstringError,
};
use bech32::{Bech32, Bech32m, Checksum, Fe32};
use bip39::Language;

/// Longest input that is looked at at all; anything longer is refused without decoding.
const MAX_INPUT_LEN: usize = 1024;

/// CRC-16/XMODEM, used by TON user-friendly addresses.
const CRC16_XMODEM: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_XMODEM);

/// CRC-32 (the zlib one), used by Cardano Byron addresses.
const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// The `networks.address_format` codes from the product database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressFormat {
    Evm,
    Sol,
    Tron,
    Ton,
    Btc,
    Ltc,
    Bch,
    Doge,
    Zec,
    Xmr,
    Xlm,
    Xrp,
    Ada,
}

impl AddressFormat {
    /// Every format, in declaration order.
    pub const ALL: [AddressFormat; 13] = [
        AddressFormat::Evm,
        AddressFormat::Sol,
        AddressFormat::Tron,
        AddressFormat::Ton,
        AddressFormat::Btc,
        AddressFormat::Ltc,
        AddressFormat::Bch,
        AddressFormat::Doge,
        AddressFormat::Zec,
        AddressFormat::Xmr,
        AddressFormat::Xlm,
        AddressFormat::Xrp,
        AddressFormat::Ada,
    ];

    /// The format for a database code (`"evm"`, `"btc"`, ...); None for an unknown code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The database code.
    pub fn code(self) -> &'static str {
        match self {
            AddressFormat::Evm => "evm",
            AddressFormat::Sol => "sol",
            AddressFormat::Tron => "tron",
            AddressFormat::Ton => "ton",
            AddressFormat::Btc => "btc",
            AddressFormat::Ltc => "ltc",
            AddressFormat::Bch => "bch",
            AddressFormat::Doge => "doge",
            AddressFormat::Zec => "zec",
            AddressFormat::Xmr => "xmr",
            AddressFormat::Xlm => "xlm",
            AddressFormat::Xrp => "xrp",
            AddressFormat::Ada => "ada",
        }
    }

    /// Human name of the address family.
    pub fn label(self) -> &'static str {
        match self {
            AddressFormat::Evm => "EVM",
            AddressFormat::Sol => "Solana",
            AddressFormat::Tron => "TRON",
            AddressFormat::Ton => "TON",
            AddressFormat::Btc => "Bitcoin",
            AddressFormat::Ltc => "Litecoin",
            AddressFormat::Bch => "Bitcoin Cash",
            AddressFormat::Doge => "Dogecoin",
            AddressFormat::Zec => "Zcash",
            AddressFormat::Xmr => "Monero",
            AddressFormat::Xlm => "Stellar",
            AddressFormat::Xrp => "XRP Ledger",
            AddressFormat::Ada => "Cardano",
        }
    }
}

impl fmt::Display for AddressFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why an address was refused. The messages never contain the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("the address is empty")]
    Empty,
    /// Looks like a private key, WIF key, extended private key or seed phrase: never store or log it.
    #[error(
        "this looks like a private key or a recovery phrase, not an address: never share it with anyone"
    )]
    LooksLikeSecret,
    /// Valid-looking address of another network (e.g. a bc1… address for an EVM network).
    #[error("this is a {} address, not one for this network", .detected.label())]
    WrongNetwork { detected: AddressFormat },
    /// Right shape, wrong checksum (EIP-55 mixed case wrong, base58check, bech32, Monero, TON crc, Stellar crc...).
    #[error("the address checksum does not match: check it for a typo")]
    BadChecksum,
    /// Not the shape this network's addresses have.
    #[error("this is not a valid address for this network")]
    BadFormat,
}

/// Why a memo / destination tag was refused. The messages never contain the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraIdError {
    #[error("the memo is empty")]
    Empty,
    /// Looks like a private key or seed phrase: never store or log it.
    #[error(
        "this looks like a private key or a recovery phrase, not a memo: never share it with anyone"
    )]
    LooksLikeSecret,
    /// XRP destination tags are whole numbers from 0 to 4294967295.
    #[error("the destination tag must be a whole number from 0 to 4294967295")]
    BadTag,
    /// Longer than the network allows (bytes for Stellar, characters elsewhere).
    #[error("the memo is too long (at most {max})")]
    TooLong { max: usize },
    /// Contains control characters (line breaks, tabs, ...).
    #[error("the memo contains control characters")]
    BadCharacters,
}

/// Validate `input` (trimmed) as an address of `format`. Returns the normalized address to store:
/// EVM in its EIP-55 checksummed form; bech32 addresses (bc1, ltc1, zs1, u1, addr1) in lower case;
/// cashaddr lower case with the `bitcoincash:` prefix; Stellar upper case; TON raw form with lower
/// case hex; every other form exactly as given (trimmed).
///
/// A string that is refused here but is a valid address of another format gives `WrongNetwork`.
pub fn validate(format: AddressFormat, input: &str) -> Result<String, AddressError> {
    if looks_like_secret(input) {
        return Err(AddressError::LooksLikeSecret);
    }
    let s = input.trim();
    if s.is_empty() {
        return Err(AddressError::Empty);
    }
    if s.len() > MAX_INPUT_LEN {
        return Err(AddressError::BadFormat);
    }
    check(format, s).map_err(|err| match detect_valid(s) {
        Some(detected) if detected != format => AddressError::WrongNetwork { detected },
        _ => err,
    })
}

/// True when the text looks like a secret: 64 hex chars with or without 0x (an EVM/raw private key — note a 40-hex address is NOT a secret),
/// WIF (base58check, 51/52 chars, version 0x80 or 0xef), xprv/yprv/zprv/tprv extended keys,
/// a Solana 64-byte secret key in base58 (87-88 chars) or a JSON byte array of 64 numbers,
/// a BIP39 mnemonic (12/15/18/21/24 words, all or nearly all (>= 11 of 12, etc.) in the English list).
///
/// Also caught: 128 hex chars (an ed25519 key pair), a WIF of another coin (base58check of a
/// 32-byte key), any BIP32 extended private key (Ltpv, dgpv, ...), a JSON array of 32 bytes, a
/// 16-word polyseed, a 25-word Monero seed, Stellar `S…` seeds, XRP `s…` seeds and bech32 secret
/// keys (Cardano `*_sk1…` / `*_xsk1…`, Zcash `secret-…`). The Bitcoin WIF and extended-key
/// prefixes are matched on shape alone, so a secret with a typo is still caught.
pub fn looks_like_secret(input: &str) -> bool {
    let s = input.trim();
    if s.is_empty() || s.len() > MAX_INPUT_LEN {
        return false;
    }
    is_hex_secret(s)
        || is_wif(s)
        || is_extended_private_key(s)
        || is_solana_secret(s)
        || is_byte_array_secret(s)
        || is_mnemonic(s)
        || is_stellar_seed(s)
        || is_ripple_seed(s)
        || is_bech32_secret(s)
}

/// Best guess of which format a string is (used to say "this looks like a Bitcoin address").
/// Only a string that fully validates (checksum included) is recognised. Where one string is
/// valid for several formats the most common owner wins: a legacy `1…`/`3…` address is Bitcoin
/// (though Bitcoin Cash accepts it too, and Litecoin accepts `3…`).
pub fn detect(input: &str) -> Option<AddressFormat> {
    let s = input.trim();
    if s.is_empty() || s.len() > MAX_INPUT_LEN || looks_like_secret(s) {
        return None;
    }
    detect_valid(s)
}

/// Extra id (memo / destination tag) check: XRP destination tag = decimal u32; XLM memo = text up to 28 bytes
/// or a u64 id; TON comment up to 120 chars; others: up to 64 printable chars. Returns the trimmed value
/// (for XRP, the tag in canonical decimal: `007` becomes `7`).
pub fn validate_extra_id(format: AddressFormat, input: &str) -> Result<String, ExtraIdError> {
    if looks_like_secret(input) {
        return Err(ExtraIdError::LooksLikeSecret);
    }
    let s = input.trim();
    if s.is_empty() {
        return Err(ExtraIdError::Empty);
    }
    if s.chars().any(char::is_control) {
        return Err(ExtraIdError::BadCharacters);
    }
    let max_chars = match format {
        AddressFormat::Xrp => {
            if s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ExtraIdError::BadTag);
            }
            let tag: u32 = s.parse().map_err(|_| ExtraIdError::BadTag)?;
            return Ok(tag.to_string());
        }
        AddressFormat::Xlm => {
            // MEMO_TEXT is at most 28 bytes; a MEMO_ID (u64, at most 20 digits) always fits.
            if s.len() > 28 {
                return Err(ExtraIdError::TooLong { max: 28 });
            }
            return Ok(s.to_owned());
        }
        AddressFormat::Ton => 120,
        _ => 64,
    };
    if s.chars().count() > max_chars {
        return Err(ExtraIdError::TooLong { max: max_chars });
    }
    Ok(s.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Per-format checks. `s` is trimmed, non-empty and at most MAX_INPUT_LEN bytes.

/// The order `detect` tries formats in: the strictest shapes first, Solana (any base58 string of
/// 32 bytes, no checksum) last.
const DETECT_ORDER: [AddressFormat; 13] = [
    AddressFormat::Evm,
    AddressFormat::Tron,
    AddressFormat::Btc,
    AddressFormat::Bch,
    AddressFormat::Ltc,
    AddressFormat::Doge,
    AddressFormat::Zec,
    AddressFormat::Xrp,
    AddressFormat::Xmr,
    AddressFormat::Xlm,
    AddressFormat::Ton,
    AddressFormat::Ada,
    AddressFormat::Sol,
];

fn detect_valid(s: &str) -> Option<AddressFormat> {
    DETECT_ORDER.into_iter().find(|f| check(*f, s).is_ok())
}

fn check(format: AddressFormat, s: &str) -> Result<String, AddressError> {
    match format {
        AddressFormat::Evm => check_evm(s),
        AddressFormat::Sol => check_sol(s),
        AddressFormat::Tron => check_tron(s),
        AddressFormat::Ton => check_ton(s),
        AddressFormat::Btc => check_bitcoin_like(s, &[0x00, 0x05], "bc"),
        AddressFormat::Ltc => check_bitcoin_like(s, &[0x30, 0x32, 0x05], "ltc"),
        AddressFormat::Bch => check_bch(s),
        AddressFormat::Doge => check_legacy(s, &[0x1e, 0x16]),
        AddressFormat::Zec => check_zec(s),
        AddressFormat::Xmr => check_xmr(s),
        AddressFormat::Xlm => check_xlm(s),
        AddressFormat::Xrp => check_xrp(s),
        AddressFormat::Ada => check_ada(s),
    }
}

/// `0x` + 40 hex. All-lowercase / all-uppercase carries no checksum; mixed case must be EIP-55.
fn check_evm(s: &str) -> Result<String, AddressError> {
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

/// Base58 (Bitcoin alphabet) of exactly 32 bytes. There is no checksum, so a typo that stays
/// inside the alphabet cannot be detected. The all-zero key (System Program) is refused.
fn check_sol(s: &str) -> Result<String, AddressError> {
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

/// `T…`, 34 chars, base58check of 0x41 + 20 bytes.
fn check_tron(s: &str) -> Result<String, AddressError> {
    if s.len() != 34 || !s.starts_with('T') {
        return Err(AddressError::BadFormat);
    }
    base58check_versioned(s, bs58::Alphabet::BITCOIN, 21, &[&[0x41]])?;
    Ok(s.to_owned())
}

/// User-friendly (48 chars of base64 or base64url: flags, workchain, 32-byte hash, CRC-16/XMODEM)
/// or raw `<workchain>:<64 hex>`. Mainnet only; workchain 0 or -1.
fn check_ton(s: &str) -> Result<String, AddressError> {
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

/// Legacy base58check with one of `versions`, or a segwit address with `hrp`.
fn check_bitcoin_like(s: &str, versions: &[u8], hrp: &str) -> Result<String, AddressError> {
    if has_hrp(&s.to_ascii_lowercase(), hrp) {
        check_segwit(s, hrp)
    } else {
        check_legacy(s, versions)
    }
}

/// Base58check of a one-byte version + 20-byte hash (P2PKH / P2SH style).
fn check_legacy(s: &str, versions: &[u8]) -> Result<String, AddressError> {
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

/// Cashaddr (`bitcoincash:` prefix optional) or legacy base58check 0x00 / 0x05.
fn check_bch(s: &str) -> Result<String, AddressError> {
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

/// Transparent t1 / t3 (base58check, two version bytes + 20), Sapling `zs1` (bech32, 43 bytes),
/// unified `u1` (bech32m) and TEX `tex1` (bech32m, 20 bytes). For `u1` only the checksum and a
/// sensible length are checked, not the receivers inside.
fn check_zec(s: &str) -> Result<String, AddressError> {
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

/// Monero base58 (blocks of 8 bytes) with its Keccak-256 checksum: standard (network byte 18,
/// 95 chars), subaddress (42, 95 chars), integrated (19, 106 chars, 8-byte payment id).
fn check_xmr(s: &str) -> Result<String, AddressError> {
    let (tag, payload_len) = match s.len() {
        95 if s.starts_with('4') => (18, 65),
        95 if s.starts_with('8') => (42, 65),
        106 if s.starts_with('4') => (19, 73),
        _ => return Err(AddressError::BadFormat),
    };
    let raw = base58_monero::decode(s).map_err(|_| AddressError::BadFormat)?;
    if raw.len() != payload_len + 4 || raw.first() != Some(&tag) {
        return Err(AddressError::BadFormat);
    }
    // The length is checked above, so the decoder cannot run short of checksum bytes.
    base58_monero::decode_check(s).map_err(|e| match e {
        base58_monero::Error::InvalidChecksum => AddressError::BadChecksum,
        _ => AddressError::BadFormat,
    })?;
    Ok(s.to_owned())
}

/// Stellar account strkey `G…` (56 chars, ed25519 public key, CRC-16/XMODEM). Muxed `M…`
/// accounts are refused. Returned in upper case.
fn check_xlm(s: &str) -> Result<String, AddressError> {
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

/// Classic `r…` address: Ripple-alphabet base58check of 0x00 + 20-byte account id. The black-hole
/// accounts ACCOUNT_ZERO and ACCOUNT_ONE are refused; X-addresses are not accepted.
fn check_xrp(s: &str) -> Result<String, AddressError> {
    if !(25..=35).contains(&s.len()) || !s.starts_with('r') {
        return Err(AddressError::BadFormat);
    }
    let payload = base58check_versioned(s, bs58::Alphabet::RIPPLE, 21, &[&[0x00]])?;
    let account = payload.get(1..).unwrap_or_default();
    let black_hole = account
        .split_last()
        .is_some_and(|(last, rest)| *last <= 1 && rest.iter().all(|b| *b == 0));
    if black_hole {
        return Err(AddressError::BadFormat);
    }
    Ok(s.to_owned())
}

/// Shelley `addr1…` (bech32, mainnet payment address) or Byron base58 (`Ae2…`, `DdzFF…`) with
/// its CBOR envelope and CRC-32.
fn check_ada(s: &str) -> Result<String, AddressError> {
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

// ---------------------------------------------------------------------------------------------
// Decoding helpers.

/// `lower` starts with `hrp` followed by the bech32 separator.
fn has_hrp(lower: &str, hrp: &str) -> bool {
    lower
        .strip_prefix(hrp)
        .is_some_and(|rest| rest.starts_with('1'))
}

/// Decodes base58check (with `alphabet`) whose payload (version bytes included, checksum
/// excluded) is `payload_len` bytes and starts with one of `versions`. The version is checked
/// before the checksum, so an address of another coin is a format error, not a checksum one.
fn base58check_versioned(
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
fn bech32_data<Ck: Checksum>(s: &str, hrp: &str) -> Result<Vec<u8>, AddressError> {
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

fn segwit_error(e: &SegwitHrpstringError) -> AddressError {
    match e {
        SegwitHrpstringError::Checksum(ChecksumError::InvalidResidue) => AddressError::BadChecksum,
        _ => AddressError::BadFormat,
    }
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

// ---------------------------------------------------------------------------------------------
// Secret detection.

/// Extended private key version prefixes, matched on shape (111 base58 chars).
const EXTENDED_PRIVATE_PREFIXES: [&str; 12] = [
    "xprv", "yprv", "zprv", "Yprv", "Zprv", "tprv", "uprv", "vprv", "Uprv", "Vprv", "Ltpv", "dgpv",
];

fn is_base58(s: &str) -> bool {
    bs58::decode(s).into_vec().is_ok()
}

/// 64 hex (a raw secp256k1 / ed25519 private key) or 128 hex (an ed25519 key pair), with or
/// without 0x.
fn is_hex_secret(s: &str) -> bool {
    let hex = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    matches!(hex.len(), 64 | 128) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Wallet Import Format: Bitcoin's `5…`/`9…` (51 chars) and `K…`/`L…`/`c…` (52 chars) on shape
/// alone, and any coin's WIF (base58check of version + 32-byte key [+ 0x01]) by decoding.
fn is_wif(s: &str) -> bool {
    let len = s.len();
    if !matches!(len, 51 | 52) || !is_base58(s) {
        return false;
    }
    let bitcoin_shape = match len {
        51 => s.starts_with(['5', '9']),
        _ => s.starts_with(['K', 'L', 'c']),
    };
    bitcoin_shape
        || bs58::decode(s)
            .with_check(None)
            .into_vec()
            .is_ok_and(|p| p.len() == 33 || (p.len() == 34 && p.last() == Some(&0x01)))
}

/// BIP32 extended private key: a known prefix of 111 base58 chars, or any base58check of 78
/// bytes whose key data starts with 0x00 (private) rather than 0x02/0x03 (public).
fn is_extended_private_key(s: &str) -> bool {
    if !(100..=115).contains(&s.len()) || !is_base58(s) {
        return false;
    }
    if s.len() == 111 && EXTENDED_PRIVATE_PREFIXES.iter().any(|p| s.starts_with(p)) {
        return true;
    }
    bs58::decode(s)
        .with_check(None)
        .into_vec()
        .is_ok_and(|p| p.len() == 78 && p.get(45) == Some(&0x00))
}

/// A Solana key pair (64 bytes) in base58.
fn is_solana_secret(s: &str) -> bool {
    (80..=88).contains(&s.len()) && bs58::decode(s).into_vec().is_ok_and(|b| b.len() == 64)
}

/// A JSON array of 32 or 64 byte values, like a Solana `id.json` key file.
fn is_byte_array_secret(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
        return false;
    };
    let mut count = 0usize;
    for item in inner.split(',') {
        if item.trim().parse::<u8>().is_err() {
            return false;
        }
        count += 1;
    }
    matches!(count, 32 | 64)
}

/// A list number such as `1`, `1.` or `12)` in a numbered seed phrase.
fn is_list_number(token: &str) -> bool {
    let digits = token.trim_end_matches(['.', ')', ':']);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A BIP39 phrase (12/15/16/18/21/24 words, at most one not in the English list; 16 is
/// Monero's polyseed) or a legacy Monero seed (25 plain words from its own list).
fn is_mnemonic(s: &str) -> bool {
    let words: Vec<String> = s
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';'))
        .filter(|w| !w.is_empty() && !is_list_number(w))
        .map(str::to_lowercase)
        .collect();
    let n = words.len();
    if matches!(n, 12 | 15 | 16 | 18 | 21 | 24) {
        let known = words
            .iter()
            .filter(|w| Language::English.find_word(w).is_some())
            .count();
        if known + 1 >= n {
            return true;
        }
    }
    n == 25
        && words
            .iter()
            .all(|w| (3..=12).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Stellar secret seed strkey `S…` (56 base32 chars), on shape alone.
fn is_stellar_seed(s: &str) -> bool {
    let upper = s.to_ascii_uppercase();
    upper.len() == 56
        && upper.starts_with('S')
        && upper
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// XRP Ledger seeds: `s…` (29 chars, secp256k1) and `sEd…` (31 chars, ed25519) in the Ripple
/// alphabet, on shape alone.
fn is_ripple_seed(s: &str) -> bool {
    let shape = (s.len() == 29 && s.starts_with('s')) || (s.len() == 31 && s.starts_with("sEd"));
    shape
        && bs58::decode(s)
            .with_alphabet(bs58::Alphabet::RIPPLE)
            .into_vec()
            .is_ok()
}

/// Bech32-encoded secret keys: Cardano `ed25519_sk1…`, `root_xsk1…`, `addr_xsk1…`, `xprv1…`,
/// Zcash `secret-extended-key-main1…`, Nostr `nsec1…`.
fn is_bech32_secret(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let Some((hrp, data)) = lower.rsplit_once('1') else {
        return false;
    };
    let secret_hrp = hrp.ends_with("_sk")
        || hrp.ends_with("_xsk")
        || hrp.starts_with("secret-")
        || matches!(hrp, "xprv" | "nsec");
    secret_hrp && data.len() >= 50 && data.chars().all(|c| Fe32::from_char(c).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bech32::Hrp;
    use proptest::prelude::*;

    use AddressFormat::*;

    const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // ---- fixture builders (crates' encoders) ----

    fn bytes(seed: u8, len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| {
                let i = u8::try_from(i % 256).unwrap();
                i.wrapping_mul(31).wrapping_add(seed).wrapping_mul(7) ^ 0x5a
            })
            .collect()
    }

    fn with_version(version: &[u8], body: &[u8]) -> Vec<u8> {
        [version, body].concat()
    }

    fn b58check(version: &[u8], body: &[u8]) -> String {
        bs58::encode(with_version(version, body))
            .with_check()
            .into_string()
    }

    fn ripple_check(version: &[u8], body: &[u8]) -> String {
        bs58::encode(with_version(version, body))
            .with_alphabet(bs58::Alphabet::RIPPLE)
            .with_check()
            .into_string()
    }

    fn hrp(s: &str) -> Hrp {
        Hrp::parse(s).unwrap()
    }

    fn evm(seed: u8) -> String {
        let raw: [u8; 20] = bytes(seed, 20).try_into().unwrap();
        EvmAddress::from(raw).to_checksum(None)
    }

    fn btc_p2pkh(seed: u8) -> String {
        b58check(&[0x00], &bytes(seed, 20))
    }

    fn btc_p2sh(seed: u8) -> String {
        b58check(&[0x05], &bytes(seed, 20))
    }

    fn btc_p2wpkh(seed: u8) -> String {
        bech32::segwit::encode_v0(bech32::hrp::BC, &bytes(seed, 20)).unwrap()
    }

    fn btc_p2wsh(seed: u8) -> String {
        bech32::segwit::encode_v0(bech32::hrp::BC, &bytes(seed, 32)).unwrap()
    }

    fn btc_p2tr(seed: u8) -> String {
        bech32::segwit::encode_v1(bech32::hrp::BC, &bytes(seed, 32)).unwrap()
    }

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

    fn ltc_segwit(seed: u8) -> String {
        bech32::segwit::encode_v0(hrp("ltc"), &bytes(seed, 20)).unwrap()
    }

    fn cashaddr_p2pkh(seed: u8) -> String {
        use cashaddr::CashEnc;
        bytes(seed, 20).encode_p2pkh("bitcoincash").unwrap()
    }

    fn cashaddr_p2sh32(seed: u8) -> String {
        use cashaddr::CashEnc;
        bytes(seed, 32).encode_p2sh("bitcoincash").unwrap()
    }

    fn zec_t1(seed: u8) -> String {
        b58check(&[0x1c, 0xb8], &bytes(seed, 20))
    }

    fn zec_t3(seed: u8) -> String {
        b58check(&[0x1c, 0xbd], &bytes(seed, 20))
    }

    fn zec_sapling(seed: u8) -> String {
        bech32::encode::<Bech32>(hrp("zs"), &bytes(seed, 43)).unwrap()
    }

    fn zec_unified(seed: u8) -> String {
        bech32::encode::<Bech32m>(hrp("u"), &bytes(seed, 106)).unwrap()
    }

    fn zec_tex(seed: u8) -> String {
        bech32::encode::<Bech32m>(hrp("tex"), &bytes(seed, 20)).unwrap()
    }

    fn xmr(tag: u8, seed: u8, extra: usize) -> String {
        base58_monero::encode_check(&with_version(&[tag], &bytes(seed, 64 + extra))).unwrap()
    }

    fn tron(seed: u8) -> String {
        b58check(&[0x41], &bytes(seed, 20))
    }

    fn sol(seed: u8) -> String {
        bs58::encode(bytes(seed, 32)).into_string()
    }

    fn ton_bytes(flags: u8, workchain: u8, seed: u8) -> Vec<u8> {
        let mut body = with_version(&[flags, workchain], &bytes(seed, 32));
        let crc = CRC16_XMODEM.checksum(&body);
        body.extend_from_slice(&crc.to_be_bytes());
        body
    }

    fn ton(flags: u8, workchain: u8, seed: u8) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ton_bytes(flags, workchain, seed))
    }

    fn xrp(seed: u8) -> String {
        ripple_check(&[0x00], &bytes(seed, 20))
    }

    fn xlm(seed: u8) -> String {
        let key: [u8; 32] = bytes(seed, 32).try_into().unwrap();
        stellar_strkey::ed25519::PublicKey(key)
            .to_string()
            .as_str()
            .to_owned()
    }

    fn ada_base(seed: u8) -> String {
        bech32::encode::<Bech32>(hrp("addr"), &with_version(&[0x01], &bytes(seed, 56))).unwrap()
    }

    fn ada_enterprise(seed: u8) -> String {
        bech32::encode::<Bech32>(hrp("addr"), &with_version(&[0x61], &bytes(seed, 28))).unwrap()
    }

    /// CBOR Byron envelope around `payload`, base58 encoded.
    fn byron_envelope(payload: &[u8], crc: u32) -> String {
        let len = u8::try_from(payload.len()).unwrap();
        let mut raw = vec![0x82, 0xd8, 0x18, 0x58, len];
        raw.extend_from_slice(payload);
        raw.push(0x1a);
        raw.extend_from_slice(&crc.to_be_bytes());
        bs58::encode(raw).into_string()
    }

    /// Byron payload `[bytes(28), {attributes}, 0]`.
    fn byron_payload(seed: u8, attributes: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut p = vec![0x83, 0x58, 0x1c];
        p.extend_from_slice(&bytes(seed, 28));
        p.push(0xa0 | u8::try_from(attributes.len()).unwrap());
        for (key, value) in attributes {
            p.push(*key);
            p.push(0x58);
            p.push(u8::try_from(value.len()).unwrap());
            p.extend_from_slice(value);
        }
        p.push(0x00);
        p
    }

    fn byron(seed: u8, attributes: &[(u8, Vec<u8>)]) -> String {
        let payload = byron_payload(seed, attributes);
        byron_envelope(&payload, CRC32.checksum(&payload))
    }

    /// Changes the character at `idx` to its neighbour in `alphabet`.
    fn typo(s: &str, idx: usize, alphabet: &str) -> String {
        let mut chars: Vec<char> = s.chars().collect();
        let alpha: Vec<char> = alphabet.chars().collect();
        let pos = alpha.iter().position(|c| *c == chars[idx]).unwrap();
        chars[idx] = if pos == 0 { alpha[1] } else { alpha[pos - 1] };
        chars.into_iter().collect()
    }

    fn ok(format: AddressFormat, s: &str) -> String {
        match validate(format, s) {
            Ok(v) => v,
            Err(e) => panic!("{format:?} refused {s}: {e:?}"),
        }
    }

    fn err(format: AddressFormat, s: &str) -> AddressError {
        match validate(format, s) {
            Ok(v) => panic!("{format:?} accepted {s} as {v}"),
            Err(e) => e,
        }
    }

    /// One valid address of every format (with the format it must be detected as).
    fn valid_samples() -> Vec<(AddressFormat, String)> {
        vec![
            (Evm, evm(1)),
            (Sol, sol(2)),
            (Tron, tron(3)),
            (Ton, ton(0x11, 0x00, 4)),
            (Btc, btc_p2wpkh(5)),
            (Ltc, b58check(&[0x30], &bytes(6, 20))),
            (Bch, cashaddr_p2pkh(7)),
            (Doge, b58check(&[0x1e], &bytes(8, 20))),
            (Zec, zec_t1(9)),
            (Xmr, xmr(18, 10, 0)),
            (Xlm, xlm(11)),
            (Xrp, xrp(12)),
            (Ada, ada_base(13)),
        ]
    }

    fn secret_samples() -> Vec<(&'static str, String)> {
        let hex64 = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
        let words = Language::English.word_list();
        let phrase = |n: usize| -> String {
            (0..n)
                .map(|i| words[(i * 97 + 13) % 2048])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut xprv = vec![0x04, 0x88, 0xad, 0xe4, 0x00];
        xprv.extend_from_slice(&[0; 8]);
        xprv.extend_from_slice(&bytes(40, 32));
        xprv.push(0x00);
        xprv.extend_from_slice(&bytes(41, 32));
        let mut tprv = xprv.clone();
        tprv[..4].copy_from_slice(&[0x04, 0x35, 0x83, 0x94]);
        let seed: [u8; 32] = bytes(42, 32).try_into().unwrap();
        let byte_array = format!(
            "[{}]",
            bytes(43, 64)
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        vec![
            ("hex key", hex64.to_owned()),
            ("0x hex key", format!("0x{hex64}")),
            ("upper hex key", hex64.to_ascii_uppercase()),
            ("ed25519 key pair hex", format!("{hex64}{hex64}")),
            ("WIF uncompressed", b58check(&[0x80], &bytes(44, 32))),
            (
                "WIF compressed",
                b58check(&[0x80], &with_version(&bytes(45, 32), &[0x01])),
            ),
            (
                "WIF testnet",
                b58check(&[0xef], &with_version(&bytes(46, 32), &[0x01])),
            ),
            (
                "WIF Litecoin",
                b58check(&[0xb0], &with_version(&bytes(47, 32), &[0x01])),
            ),
            (
                "WIF bitcoin wiki",
                "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ".to_owned(),
            ),
            ("xprv", bs58::encode(&xprv).with_check().into_string()),
            ("tprv", bs58::encode(&tprv).with_check().into_string()),
            ("12 words", phrase(12)),
            ("24 words", phrase(24)),
            ("15 words upper case", phrase(15).to_uppercase()),
            ("12 words with one typo", format!("{} abandonx", phrase(11))),
            (
                "numbered 12 words",
                phrase(12)
                    .split(' ')
                    .enumerate()
                    .map(|(i, w)| format!("{}. {w}", i + 1))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            (
                "Solana 64-byte secret",
                bs58::encode(bytes(48, 64)).into_string(),
            ),
            ("Solana id.json", byte_array),
            (
                "Stellar seed",
                stellar_strkey::ed25519::PrivateKey::from_payload(&seed)
                    .unwrap()
                    .as_unredacted()
                    .to_string()
                    .as_str()
                    .to_owned(),
            ),
            ("XRP seed", ripple_check(&[0x21], &bytes(49, 16))),
            (
                "Cardano ed25519_sk",
                bech32::encode::<Bech32>(hrp("ed25519_sk"), &bytes(50, 32)).unwrap(),
            ),
            (
                "Monero 25 words",
                [
                    "sequence",
                    "atlas",
                    "unveil",
                    "summon",
                    "pebbles",
                    "tuesday",
                    "beer",
                    "rudely",
                    "snake",
                    "rockets",
                    "different",
                    "fuselage",
                    "woven",
                    "tagged",
                    "bested",
                    "dented",
                    "vegan",
                    "hover",
                    "rapid",
                    "fawns",
                    "obvious",
                    "muppet",
                    "randomly",
                    "seasons",
                    "randomly",
                ]
                .join(" "),
            ),
        ]
    }

    // ---- formats ----

    #[test]
    fn codes_labels_roundtrip() {
        for f in AddressFormat::ALL {
            assert_eq!(AddressFormat::from_code(f.code()), Some(f));
            assert!(!f.label().is_empty());
            assert_eq!(f.to_string(), f.label());
        }
        assert_eq!(AddressFormat::from_code("EVM"), None);
        assert_eq!(AddressFormat::from_code("eth"), None);
        assert_eq!(AddressFormat::from_code(""), None);
        assert_eq!(AddressFormat::Sol.label(), "Solana");
        assert_eq!(AddressFormat::Btc.label(), "Bitcoin");
    }

    // ---- EVM ----

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

    // ---- Bitcoin ----

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

    // ---- Bitcoin Cash ----

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

    // ---- Zcash ----

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

    // ---- Monero ----

    #[test]
    fn xmr_valid_forms() {
        let standard = xmr(18, 1, 0);
        let sub = xmr(42, 2, 0);
        let integrated = xmr(19, 3, 8);
        assert!(standard.starts_with('4') && standard.len() == 95);
        assert!(sub.starts_with('8') && sub.len() == 95);
        assert!(integrated.starts_with('4') && integrated.len() == 106);
        for a in [standard, sub, integrated] {
            assert_eq!(ok(Xmr, &a), a);
        }
        let fund = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
        assert_eq!(ok(Xmr, fund), fund);
    }

    #[test]
    fn xmr_bad_checksum_and_format() {
        for a in [xmr(18, 4, 0), xmr(42, 5, 0), xmr(19, 6, 8)] {
            assert_eq!(err(Xmr, &typo(&a, 50, BASE58)), AddressError::BadChecksum);
        }
        let testnet = xmr(53, 7, 0);
        assert_eq!(err(Xmr, &testnet), AddressError::BadFormat);
        let stagenet = xmr(24, 7, 0);
        assert_eq!(err(Xmr, &stagenet), AddressError::BadFormat);
        let standard = xmr(18, 8, 0);
        assert_eq!(err(Xmr, &standard[..94]), AddressError::BadFormat);
        assert_eq!(
            err(Xmr, &btc_p2pkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
    }

    // ---- TRON ----

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

    // ---- Solana ----

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

    // ---- TON ----

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

    // ---- XRP ----

    #[test]
    fn xrp_valid_forms() {
        let a = xrp(1);
        assert!(a.starts_with('r'));
        assert_eq!(ok(Xrp, &a), a);
        let genesis = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
        assert_eq!(ok(Xrp, genesis), genesis);
    }

    #[test]
    fn xrp_bad_checksum_and_format() {
        let a = xrp(2);
        let ripple_alphabet = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";
        assert_eq!(
            err(Xrp, &typo(&a, a.len() - 6, ripple_alphabet)),
            AddressError::BadChecksum
        );
        // ACCOUNT_ZERO and ACCOUNT_ONE: black holes
        assert_eq!(
            err(Xrp, &ripple_check(&[0x00], &[0; 20])),
            AddressError::BadFormat
        );
        let mut one = [0u8; 20];
        one[19] = 1;
        assert_eq!(
            err(Xrp, &ripple_check(&[0x00], &one)),
            AddressError::BadFormat
        );
        assert_eq!(
            err(Xrp, "rrrrrrrrrrrrrrrrrrrrrhoLvTp"),
            AddressError::BadFormat
        );
        // a Bitcoin address is not an XRP one (different alphabet)
        assert_eq!(
            err(Xrp, &btc_p2pkh(1)),
            AddressError::WrongNetwork { detected: Btc }
        );
        // X-address
        assert_eq!(
            err(Xrp, "X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ"),
            AddressError::BadFormat
        );
    }

    // ---- Stellar ----

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

    // ---- Cardano ----

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

    // ---- cross-format ----

    #[test]
    fn every_sample_valid_for_its_format_and_detected() {
        for (format, a) in valid_samples() {
            ok(format, &a);
            assert_eq!(detect(&a), Some(format), "{a}");
            assert!(!looks_like_secret(&a), "{a}");
        }
    }

    #[test]
    fn every_sample_is_wrong_network_elsewhere() {
        for (format, a) in valid_samples() {
            for other in AddressFormat::ALL {
                if other == format {
                    continue;
                }
                assert_eq!(
                    validate(other, &a),
                    Err(AddressError::WrongNetwork { detected: format }),
                    "{a} given to {other:?}"
                );
            }
        }
    }

    #[test]
    fn detect_order_and_unknowns() {
        assert_eq!(detect(&btc_p2pkh(1)), Some(Btc));
        assert_eq!(detect(&btc_p2sh(1)), Some(Btc));
        assert_eq!(detect(&cashaddr_p2pkh(1)), Some(Bch));
        assert_eq!(detect(&zec_unified(1)), Some(Zec));
        assert_eq!(detect(&xmr(42, 1, 0)), Some(Xmr));
        assert_eq!(detect(&byron(1, &[])), Some(Ada));
        assert_eq!(detect("  "), None);
        assert_eq!(detect("hello world"), None);
        assert_eq!(detect(&typo(&btc_p2pkh(1), 28, BASE58)), None);
        for (_, secret) in secret_samples() {
            assert_eq!(detect(&secret), None);
        }
    }

    #[test]
    fn whitespace_is_trimmed() {
        for (format, a) in valid_samples() {
            let padded = format!(" \t{a}\n ");
            assert_eq!(validate(format, &padded), validate(format, &a));
            assert!(validate(format, &padded).is_ok());
            assert_eq!(detect(&padded), Some(format));
        }
    }

    #[test]
    fn empty_input() {
        for f in AddressFormat::ALL {
            assert_eq!(validate(f, ""), Err(AddressError::Empty));
            assert_eq!(validate(f, " \n\t "), Err(AddressError::Empty));
        }
    }

    #[test]
    fn overlong_input_is_bad_format() {
        let long = "1".repeat(MAX_INPUT_LEN + 1);
        for f in AddressFormat::ALL {
            assert_eq!(validate(f, &long), Err(AddressError::BadFormat));
        }
    }

    // ---- secrets ----

    #[test]
    fn secrets_are_refused_for_every_format() {
        for (what, secret) in secret_samples() {
            assert!(looks_like_secret(&secret), "{what}: {secret}");
            for f in AddressFormat::ALL {
                assert_eq!(
                    validate(f, &secret),
                    Err(AddressError::LooksLikeSecret),
                    "{what} for {f:?}"
                );
                assert_eq!(
                    validate(f, &format!("  {secret}\n")),
                    Err(AddressError::LooksLikeSecret),
                    "{what} for {f:?}"
                );
                assert_eq!(
                    validate_extra_id(f, &secret),
                    Err(ExtraIdError::LooksLikeSecret),
                    "{what} for {f:?}"
                );
            }
        }
    }

    #[test]
    fn secret_shapes() {
        let wif = b58check(&[0x80], &with_version(&bytes(1, 32), &[0x01]));
        assert_eq!(wif.len(), 52);
        assert!(wif.starts_with('K') || wif.starts_with('L'));
        // a typo in a WIF or an xprv is still a secret
        assert!(looks_like_secret(&typo(&wif, 30, BASE58)));
        let wif_u = b58check(&[0x80], &bytes(2, 32));
        assert_eq!(wif_u.len(), 51);
        assert!(wif_u.starts_with('5'));
        let xprv = secret_samples()
            .into_iter()
            .find(|(w, _)| *w == "xprv")
            .unwrap()
            .1;
        assert!(xprv.starts_with("xprv") && xprv.len() == 111);
        assert!(looks_like_secret(&typo(&xprv, 60, BASE58)));
        let sol_secret = bs58::encode(bytes(3, 64)).into_string();
        assert!((87..=88).contains(&sol_secret.len()));
    }

    #[test]
    fn not_secrets() {
        let mut xpub = vec![0x04, 0x88, 0xb2, 0x1e, 0x00];
        xpub.extend_from_slice(&[0; 8]);
        xpub.extend_from_slice(&bytes(1, 32));
        xpub.push(0x02);
        xpub.extend_from_slice(&bytes(2, 32));
        let xpub = bs58::encode(xpub).with_check().into_string();
        assert!(xpub.starts_with("xpub"));
        let words = Language::English.word_list();
        let ten_of_twelve = format!(
            "{} zzzz qqqq",
            (0..10).map(|i| words[i * 7]).collect::<Vec<_>>().join(" ")
        );
        for s in [
            "",
            "   ",
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "52908400098527886e0f7030069857d2e4169ee7",
            "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f3623",
            "hello",
            "12345",
            "please send it to my usual account thanks",
            "[1, 2, 3]",
            "[256, 0]",
            xpub.as_str(),
            ten_of_twelve.as_str(),
        ] {
            assert!(!looks_like_secret(s), "{s}");
        }
        // addresses in their forms that look closest to secrets
        for a in [
            ton(0x11, 0x00, 1),
            format!("0:{}", "ab".repeat(32)),
            xlm(5),
            xmr(19, 1, 8),
            byron(2, &[(1, bytes(3, 30))]),
            zec_unified(2),
            ada_base(3),
        ] {
            assert!(!looks_like_secret(&a), "{a}");
        }
    }

    // ---- error messages ----

    #[test]
    fn error_messages_never_contain_the_input() {
        let inputs = [
            btc_p2wpkh(1),
            typo(&btc_p2pkh(2), 28, BASE58),
            "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318".to_owned(),
            "notanaddress".to_owned(),
        ];
        for input in inputs {
            for f in AddressFormat::ALL {
                if let Err(e) = validate(f, &input) {
                    let msg = e.to_string();
                    assert!(!msg.contains(&input), "{msg}");
                    assert!(!msg.is_empty());
                }
                if let Err(e) = validate_extra_id(f, &input) {
                    assert!(!e.to_string().contains(&input));
                }
            }
        }
        assert_eq!(
            AddressError::WrongNetwork { detected: Btc }.to_string(),
            "this is a Bitcoin address, not one for this network"
        );
    }

    // ---- extra ids ----

    #[test]
    fn extra_id_xrp_tag() {
        assert_eq!(validate_extra_id(Xrp, " 123456 "), Ok("123456".to_owned()));
        assert_eq!(validate_extra_id(Xrp, "0"), Ok("0".to_owned()));
        assert_eq!(validate_extra_id(Xrp, "007"), Ok("7".to_owned()));
        assert_eq!(
            validate_extra_id(Xrp, "4294967295"),
            Ok("4294967295".to_owned())
        );
        for bad in ["4294967296", "-1", "+5", "12a", "1.5", "99999999999", "1 2"] {
            assert_eq!(
                validate_extra_id(Xrp, bad),
                Err(ExtraIdError::BadTag),
                "{bad}"
            );
        }
        assert_eq!(validate_extra_id(Xrp, "  "), Err(ExtraIdError::Empty));
    }

    #[test]
    fn extra_id_xlm_memo() {
        assert_eq!(
            validate_extra_id(Xlm, "18446744073709551615"),
            Ok("18446744073709551615".to_owned())
        );
        assert_eq!(
            validate_extra_id(Xlm, "invoice 42"),
            Ok("invoice 42".to_owned())
        );
        let max = "a".repeat(28);
        assert_eq!(validate_extra_id(Xlm, &max), Ok(max.clone()));
        assert_eq!(
            validate_extra_id(Xlm, &format!("{max}b")),
            Err(ExtraIdError::TooLong { max: 28 })
        );
        // 28 bytes, not 28 characters
        assert_eq!(
            validate_extra_id(Xlm, &"é".repeat(15)),
            Err(ExtraIdError::TooLong { max: 28 })
        );
    }

    #[test]
    fn extra_id_ton_and_others() {
        let comment = "x".repeat(120);
        assert_eq!(validate_extra_id(Ton, &comment), Ok(comment.clone()));
        assert_eq!(
            validate_extra_id(Ton, &format!("{comment}x")),
            Err(ExtraIdError::TooLong { max: 120 })
        );
        assert_eq!(
            validate_extra_id(Ton, &"ж".repeat(120)),
            Ok("ж".repeat(120))
        );
        let other = "y".repeat(64);
        assert_eq!(validate_extra_id(Evm, &other), Ok(other.clone()));
        assert_eq!(
            validate_extra_id(Btc, &format!("{other}y")),
            Err(ExtraIdError::TooLong { max: 64 })
        );
        assert_eq!(
            validate_extra_id(Ton, "line\nbreak"),
            Err(ExtraIdError::BadCharacters)
        );
        assert_eq!(validate_extra_id(Sol, ""), Err(ExtraIdError::Empty));
        assert_eq!(validate_extra_id(Ton, "  hi  "), Ok("hi".to_owned()));
    }

    // ---- never panics ----

    fn all_entry_points(s: &str) {
        for f in AddressFormat::ALL {
            let _ = validate(f, s);
            let _ = validate_extra_id(f, s);
        }
        let _ = detect(s);
        let _ = looks_like_secret(s);
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(s in "\\PC*") {
            all_entry_points(&s);
        }

        #[test]
        fn never_panics_on_any_chars(s in ".{0,200}") {
            all_entry_points(&s);
        }

        #[test]
        fn never_panics_on_base58_strings(s in "[1-9A-HJ-NP-Za-km-z]{0,120}") {
            all_entry_points(&s);
        }

        #[test]
        fn never_panics_on_bech32_like(
            prefix in "(bc|ltc|zs|u|tex|addr|bitcoincash:|)",
            sep in "(1|)",
            body in "[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{0,120}",
        ) {
            all_entry_points(&format!("{prefix}{sep}{body}"));
        }

        #[test]
        fn never_panics_on_near_valid(idx in 0usize..200, c in any::<char>(), which in 0usize..13) {
            let (_, a) = &valid_samples()[which];
            let mut chars: Vec<char> = a.chars().collect();
            let i = idx % chars.len();
            chars[i] = c;
            let s: String = chars.into_iter().collect();
            all_entry_points(&s);
            let half: String = s.chars().take(s.chars().count() / 2).collect();
            all_entry_points(&half);
        }

        #[test]
        fn valid_samples_with_one_substitution_never_pass_as_another_checked_format(
            idx in 0usize..200, which in 0usize..13,
        ) {
            // A one-character change never turns a checksummed address into a *different* valid one.
            let (format, a) = &valid_samples()[which];
            if *format != Sol {
                let alphabet = match format {
                    Btc | Ada => BECH32,
                    Ton => BASE64URL,
                    Xlm => BASE32,
                    Xrp => "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz",
                    Evm => "0123456789abcdefABCDEF",
                    Bch => BECH32,
                    _ => BASE58,
                };
                let chars: Vec<char> = a.chars().collect();
                let i = idx % chars.len();
                if alphabet.contains(chars[i]) && !(*format == Bch && i < 12) && !(*format == Evm && i < 2) {
                    let changed = typo(a, i, alphabet);
                    if !changed.eq_ignore_ascii_case(a) {
                        prop_assert!(validate(*format, &changed).is_err(), "{changed}");
                    }
                }
            }
        }
    }
}
