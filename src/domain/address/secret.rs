//! The guard that refuses anything that looks like a private key or a seed phrase, in any of
//! the shapes wallets export them.

use bech32::Fe32;
use bip39::Language;

use super::MAX_INPUT_LEN;

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
    use super::super::testkit::*;
    use super::super::{AddressError, AddressFormat, ExtraIdError, validate, validate_extra_id};
    use super::*;

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
}
