//! Fixtures for the address tests: valid addresses of every family built with the crates'
//! encoders, secrets in every shape, and `ok` / `err` shorthands.

use alloy_primitives::Address as EvmAddress;
use base64::Engine as _;
use bech32::{Bech32, Bech32m, Hrp};
use bip39::Language;

use super::AddressFormat::{self, *};
use super::cardano::CRC32;
use super::ton::CRC16_XMODEM;
use super::{AddressError, validate};

pub(super) const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
pub(super) const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
pub(super) const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub(super) const BASE64URL: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Fixture builders (the crates' encoders).

pub(super) fn bytes(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            let i = u8::try_from(i % 256).unwrap();
            i.wrapping_mul(31).wrapping_add(seed).wrapping_mul(7) ^ 0x5a
        })
        .collect()
}

pub(super) fn with_version(version: &[u8], body: &[u8]) -> Vec<u8> {
    [version, body].concat()
}

pub(super) fn b58check(version: &[u8], body: &[u8]) -> String {
    bs58::encode(with_version(version, body))
        .with_check()
        .into_string()
}

pub(super) fn ripple_check(version: &[u8], body: &[u8]) -> String {
    bs58::encode(with_version(version, body))
        .with_alphabet(bs58::Alphabet::RIPPLE)
        .with_check()
        .into_string()
}

pub(super) fn hrp(s: &str) -> Hrp {
    Hrp::parse(s).unwrap()
}

pub(super) fn evm(seed: u8) -> String {
    let raw: [u8; 20] = bytes(seed, 20).try_into().unwrap();
    EvmAddress::from(raw).to_checksum(None)
}

pub(super) fn btc_p2pkh(seed: u8) -> String {
    b58check(&[0x00], &bytes(seed, 20))
}

pub(super) fn btc_p2sh(seed: u8) -> String {
    b58check(&[0x05], &bytes(seed, 20))
}

pub(super) fn btc_p2wpkh(seed: u8) -> String {
    bech32::segwit::encode_v0(bech32::hrp::BC, &bytes(seed, 20)).unwrap()
}

pub(super) fn btc_p2wsh(seed: u8) -> String {
    bech32::segwit::encode_v0(bech32::hrp::BC, &bytes(seed, 32)).unwrap()
}

pub(super) fn btc_p2tr(seed: u8) -> String {
    bech32::segwit::encode_v1(bech32::hrp::BC, &bytes(seed, 32)).unwrap()
}

pub(super) fn ltc_segwit(seed: u8) -> String {
    bech32::segwit::encode_v0(hrp("ltc"), &bytes(seed, 20)).unwrap()
}

pub(super) fn cashaddr_p2pkh(seed: u8) -> String {
    use cashaddr::CashEnc;
    bytes(seed, 20).encode_p2pkh("bitcoincash").unwrap()
}

pub(super) fn cashaddr_p2sh32(seed: u8) -> String {
    use cashaddr::CashEnc;
    bytes(seed, 32).encode_p2sh("bitcoincash").unwrap()
}

pub(super) fn zec_t1(seed: u8) -> String {
    b58check(&[0x1c, 0xb8], &bytes(seed, 20))
}

pub(super) fn zec_t3(seed: u8) -> String {
    b58check(&[0x1c, 0xbd], &bytes(seed, 20))
}

pub(super) fn zec_sapling(seed: u8) -> String {
    bech32::encode::<Bech32>(hrp("zs"), &bytes(seed, 43)).unwrap()
}

pub(super) fn zec_unified(seed: u8) -> String {
    bech32::encode::<Bech32m>(hrp("u"), &bytes(seed, 106)).unwrap()
}

pub(super) fn zec_tex(seed: u8) -> String {
    bech32::encode::<Bech32m>(hrp("tex"), &bytes(seed, 20)).unwrap()
}

pub(super) fn xmr(tag: u8, seed: u8, extra: usize) -> String {
    base58_monero::encode_check(&with_version(&[tag], &bytes(seed, 64 + extra))).unwrap()
}

pub(super) fn tron(seed: u8) -> String {
    b58check(&[0x41], &bytes(seed, 20))
}

pub(super) fn sol(seed: u8) -> String {
    bs58::encode(bytes(seed, 32)).into_string()
}

pub(super) fn ton_bytes(flags: u8, workchain: u8, seed: u8) -> Vec<u8> {
    let mut body = with_version(&[flags, workchain], &bytes(seed, 32));
    let crc = CRC16_XMODEM.checksum(&body);
    body.extend_from_slice(&crc.to_be_bytes());
    body
}

pub(super) fn ton(flags: u8, workchain: u8, seed: u8) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ton_bytes(flags, workchain, seed))
}

pub(super) fn xrp(seed: u8) -> String {
    ripple_check(&[0x00], &bytes(seed, 20))
}

pub(super) fn xlm(seed: u8) -> String {
    let key: [u8; 32] = bytes(seed, 32).try_into().unwrap();
    stellar_strkey::ed25519::PublicKey(key)
        .to_string()
        .as_str()
        .to_owned()
}

pub(super) fn ada_base(seed: u8) -> String {
    bech32::encode::<Bech32>(hrp("addr"), &with_version(&[0x01], &bytes(seed, 56))).unwrap()
}

pub(super) fn ada_enterprise(seed: u8) -> String {
    bech32::encode::<Bech32>(hrp("addr"), &with_version(&[0x61], &bytes(seed, 28))).unwrap()
}

/// CBOR Byron envelope around `payload`, base58 encoded.
pub(super) fn byron_envelope(payload: &[u8], crc: u32) -> String {
    let len = u8::try_from(payload.len()).unwrap();
    let mut raw = vec![0x82, 0xd8, 0x18, 0x58, len];
    raw.extend_from_slice(payload);
    raw.push(0x1a);
    raw.extend_from_slice(&crc.to_be_bytes());
    bs58::encode(raw).into_string()
}

/// Byron payload `[bytes(28), {attributes}, 0]`.
pub(super) fn byron_payload(seed: u8, attributes: &[(u8, Vec<u8>)]) -> Vec<u8> {
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

pub(super) fn byron(seed: u8, attributes: &[(u8, Vec<u8>)]) -> String {
    let payload = byron_payload(seed, attributes);
    byron_envelope(&payload, CRC32.checksum(&payload))
}

/// Changes the character at `idx` to its neighbour in `alphabet`.
pub(super) fn typo(s: &str, idx: usize, alphabet: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let alpha: Vec<char> = alphabet.chars().collect();
    let pos = alpha.iter().position(|c| *c == chars[idx]).unwrap();
    chars[idx] = if pos == 0 { alpha[1] } else { alpha[pos - 1] };
    chars.into_iter().collect()
}

pub(super) fn ok(format: AddressFormat, s: &str) -> String {
    match validate(format, s) {
        Ok(v) => v,
        Err(e) => panic!("{format:?} refused {s}: {e:?}"),
    }
}

pub(super) fn err(format: AddressFormat, s: &str) -> AddressError {
    match validate(format, s) {
        Ok(v) => panic!("{format:?} accepted {s} as {v}"),
        Err(e) => e,
    }
}

/// One valid address of every format (with the format it must be detected as).
pub(super) fn valid_samples() -> Vec<(AddressFormat, String)> {
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

pub(super) fn secret_samples() -> Vec<(&'static str, String)> {
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
