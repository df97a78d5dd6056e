//! Payout addresses: one check per `networks.address_format` code (shape, network and checksum),
//! a guard that refuses anything that looks like a private key or a seed phrase, a best guess of
//! which network a string belongs to, and the memo / destination-tag check. Pure functions, no I/O.
//!
//! Every checksum comes from a well-kept crate (`bs58`, `bech32`, `alloy-primitives`,
//! `base58-monero`, `cashaddr`, `crc`, `stellar-strkey`); nothing here re-implements one.
//! Error messages never contain the input, so callers may log them.
//!
//! One file per address family (`evm`, `bitcoin` for Bitcoin / Litecoin / Dogecoin,
//! `bitcoin_cash`, `zcash`, `monero`, `tron`, `ton`, `solana`, `stellar`, `xrp`, `cardano`),
//! the codec helpers they share in `encoding`, the secret guard in `secret` and the memo check
//! in `extra_id`; this file holds the formats, the errors and the entry points.

mod bitcoin;
mod bitcoin_cash;
mod cardano;
mod encoding;
mod evm;
mod extra_id;
mod monero;
mod secret;
mod solana;
mod stellar;
#[cfg(test)]
mod testkit;
mod ton;
mod tron;
mod xrp;
mod zcash;

use std::fmt;

pub use extra_id::{ExtraIdError, validate_extra_id};
pub use secret::looks_like_secret;

/// Longest input that is looked at at all; anything longer is refused without decoding.
const MAX_INPUT_LEN: usize = 1024;

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
        AddressFormat::Evm => evm::check(s),
        AddressFormat::Sol => solana::check(s),
        AddressFormat::Tron => tron::check(s),
        AddressFormat::Ton => ton::check(s),
        AddressFormat::Btc => bitcoin::check(s, &[0x00, 0x05], "bc"),
        AddressFormat::Ltc => bitcoin::check(s, &[0x30, 0x32, 0x05], "ltc"),
        AddressFormat::Bch => bitcoin_cash::check(s),
        AddressFormat::Doge => bitcoin::check_legacy(s, &[0x1e, 0x16]),
        AddressFormat::Zec => zcash::check(s),
        AddressFormat::Xmr => monero::check(s),
        AddressFormat::Xlm => stellar::check(s),
        AddressFormat::Xrp => xrp::check(s),
        AddressFormat::Ada => cardano::check(s),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::testkit::*;
    use super::*;

    use AddressFormat::*;

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
