//! NOWPayments IPN signatures (reference/apis.md §A.5): HMAC-SHA512 over the body re-serialized
//! the way NOWPayments' JavaScript signer does it — keys sorted recursively, numbers in
//! ECMAScript form, non-ASCII and `/` unescaped. Because the signer's treatment of arrays is
//! unknown, both forms are accepted: arrays kept, or turned into objects with index keys.

use std::fmt::Write as _;

use hmac::{KeyInit, Mac};
use serde_json::{Map, Number, Value};
use sha2::Sha512;

type HmacSha512 = hmac::Hmac<Sha512>;

/// Why an IPN was not accepted as coming from NOWPayments.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IpnAuthError {
    #[error("the x-nowpayments-sig header is missing")]
    MissingSignature,
    #[error("the signature is not 128 hex characters")]
    MalformedSignature,
    #[error("the body is not a JSON object")]
    MalformedBody,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// How arrays are written in the canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayForm {
    /// As arrays (PHP and Python samples).
    Kept,
    /// As objects keyed "0", "1", … (the official Node `sortObject`).
    AsObjects,
}

/// The canonical text NOWPayments signs.
pub fn canonical(v: &Value, arrays: ArrayForm) -> String {
    let mut out = String::new();
    write_value(&mut out, v, arrays);
    out
}

fn write_value(out: &mut String, v: &Value, arrays: ArrayForm) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => match arrays {
            ArrayForm::Kept => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_value(out, item, arrays);
                }
                out.push(']');
            }
            ArrayForm::AsObjects => {
                // Index keys are integer-like, so JavaScript keeps them in numeric order.
                out.push('{');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "\"{i}\":");
                    write_value(out, item, arrays);
                }
                out.push('}');
            }
        },
        Value::Object(map) => write_object(out, map, arrays),
    }
}

/// JavaScript orders an object's integer-like keys (array indices) numerically before all
/// other keys, which keep their (sorted) insertion order.
fn write_object(out: &mut String, map: &Map<String, Value>, arrays: ArrayForm) {
    let mut index_keys: Vec<(u32, &String, &Value)> = Vec::new();
    let mut other_keys: Vec<(&String, &Value)> = Vec::new();
    for (k, v) in map {
        match array_index(k) {
            Some(i) => index_keys.push((i, k, v)),
            None => other_keys.push((k, v)),
        }
    }
    index_keys.sort_by_key(|(i, _, _)| *i);
    // serde_json's map is a BTreeMap: byte order, which equals JS's UTF-16 order for the
    // keys NOWPayments sends (ASCII); sort by UTF-16 anyway to be exact.
    other_keys.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    out.push('{');
    let all = index_keys
        .into_iter()
        .map(|(_, k, v)| (k, v))
        .chain(other_keys);
    for (n, (k, v)) in all.enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_string(out, k);
        out.push(':');
        write_value(out, v, arrays);
    }
    out.push('}');
}

/// A canonical array index as JavaScript defines it: "0" or no leading zero, below 2^32 − 1.
fn array_index(k: &str) -> Option<u32> {
    if k.is_empty() || (k.len() > 1 && k.starts_with('0')) || !k.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    k.parse::<u32>().ok().filter(|i| *i < u32::MAX)
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        // Integers within JavaScript's safe range print as themselves; larger ones are
        // doubles in JavaScript and print as such.
        if i.unsigned_abs() <= (1u64 << 53) {
            let _ = write!(out, "{i}");
            return;
        }
    } else if let Some(u) = n.as_u64()
        && u <= (1u64 << 53)
    {
        let _ = write!(out, "{u}");
        return;
    }
    match n.as_f64() {
        Some(f) if f.is_finite() => out.push_str(ryu_js::Buffer::new().format_finite(f)),
        _ => out.push_str("null"),
    }
}

/// JSON.stringify's string form: escapes `"`, `\` and control characters only.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The lowercase hex HMAC-SHA512 of `message` under `secret` (trimmed, as NOWPayments' own
/// samples do).
pub fn sign(secret: &str, message: &str) -> String {
    match mac(secret, message) {
        Some(m) => hex::encode(m.finalize().into_bytes()),
        // Unreachable: HMAC takes keys of any length. An empty string never verifies.
        None => String::new(),
    }
}

/// None only if the MAC refused the key, which HMAC never does; callers then refuse.
fn mac(secret: &str, message: &str) -> Option<HmacSha512> {
    let mut m = <HmacSha512 as KeyInit>::new_from_slice(secret.trim().as_bytes()).ok()?;
    m.update(message.as_bytes());
    Some(m)
}

/// Signs `body` as NOWPayments would (arrays kept): what the simulator sends.
pub fn sign_body(secret: &str, body: &Value) -> String {
    sign(secret, &canonical(body, ArrayForm::Kept))
}

/// Checks an IPN: the raw body must be a JSON object whose canonical form (either array form)
/// carries `signature`. Returns the parsed body. The comparison is constant-time.
pub fn verify(
    secret: &str,
    raw_body: &[u8],
    signature: Option<&str>,
) -> Result<Value, IpnAuthError> {
    let sig = signature.ok_or(IpnAuthError::MissingSignature)?.trim();
    let sig = hex::decode(sig)
        .ok()
        .filter(|b| b.len() == 64)
        .ok_or(IpnAuthError::MalformedSignature)?;
    let body: Value = serde_json::from_slice(raw_body).map_err(|_| IpnAuthError::MalformedBody)?;
    if !body.is_object() {
        return Err(IpnAuthError::MalformedBody);
    }
    for form in [ArrayForm::Kept, ArrayForm::AsObjects] {
        let ok = mac(secret, &canonical(&body, form)).is_some_and(|m| m.verify_slice(&sig).is_ok());
        if ok {
            return Ok(body);
        }
    }
    Err(IpnAuthError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VECTOR_BODY: &str = r#"{"payment_id":5077125051,"parent_payment_id":null,"invoice_id":4522625843,"payment_status":"finished","pay_address":"TNDFkiSmBQorNFacb3735q8MnT29sn8BLn","payin_extra_id":null,"price_amount":10,"price_currency":"usd","pay_amount":10.152,"actually_paid":10.152,"actually_paid_at_fiat":0,"pay_currency":"usdttrc20","order_id":"sub_42_7","order_description":"Channel X, 30 days","purchase_id":"6084744717","outcome_amount":9.8505,"outcome_currency":"usdttrc20","payment_extra_ids":null,"created_at":"2021-04-12T14:22:54.942Z","updated_at":"2021-04-12T14:23:06.244Z","fee":{"currency":"usdttrc20","depositFee":0.05,"withdrawalFee":0,"serviceFee":0.0507}}"#;
    const VECTOR_CANONICAL: &str = r#"{"actually_paid":10.152,"actually_paid_at_fiat":0,"created_at":"2021-04-12T14:22:54.942Z","fee":{"currency":"usdttrc20","depositFee":0.05,"serviceFee":0.0507,"withdrawalFee":0},"invoice_id":4522625843,"order_description":"Channel X, 30 days","order_id":"sub_42_7","outcome_amount":9.8505,"outcome_currency":"usdttrc20","parent_payment_id":null,"pay_address":"TNDFkiSmBQorNFacb3735q8MnT29sn8BLn","pay_amount":10.152,"pay_currency":"usdttrc20","payin_extra_id":null,"payment_extra_ids":null,"payment_id":5077125051,"payment_status":"finished","price_amount":10,"price_currency":"usd","purchase_id":"6084744717","updated_at":"2021-04-12T14:23:06.244Z"}"#;
    const VECTOR_SIG: &str = "278580f75b688d8b5c6d3b57dff054d0eeff1f777842cb68bdcdd9614dc1570753bfe30ddd4e76e2dd461f34bb8c6b84e2e1dea9105a2ff623c0aef7f05196ba";
    const EDGE_SIG: &str = "934bbdbebb16add8588e75e913eb0a5fe4e7fa99b252f921cc409d34d829ae99aa1a5106085091b9689dfccff036b0bfc23cdc0a209fd45d5fcff6413279fac8";

    /// Lesson 56: signing and verifying share one header and one scheme — what `sign_body`
    /// produces (as the NOWPayments simulator sends it) is exactly what `verify` accepts.
    #[test]
    fn lesson_56_sign_and_verify_share_one_scheme() {
        let body: Value = serde_json::from_str(VECTOR_BODY).unwrap();
        let sig = sign_body("k", &body);
        assert_eq!(sig, sign("k", VECTOR_CANONICAL));
        assert!(verify("k", VECTOR_BODY.as_bytes(), Some(&sig)).is_ok());
        assert!(verify("other", VECTOR_BODY.as_bytes(), Some(&sig)).is_err());
    }

    #[test]
    fn the_reference_vector_verifies() {
        let v: Value = serde_json::from_str(VECTOR_BODY).unwrap();
        assert_eq!(canonical(&v, ArrayForm::Kept), VECTOR_CANONICAL);
        assert_eq!(sign("test_ipn_secret", VECTOR_CANONICAL), VECTOR_SIG);
        assert!(verify("test_ipn_secret", VECTOR_BODY.as_bytes(), Some(VECTOR_SIG)).is_ok());
        // The secret is trimmed, as the official samples do (lesson 48).
        assert!(
            verify(
                "test_ipn_secret\n",
                VECTOR_BODY.as_bytes(),
                Some(VECTOR_SIG)
            )
            .is_ok()
        );
    }

    #[test]
    fn the_edge_vector_uses_javascript_numbers_and_raw_unicode() {
        let body = r#"{"b":0.00001234,"a":15.0,"c":"é"}"#;
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            canonical(&v, ArrayForm::Kept),
            r#"{"a":15,"b":0.00001234,"c":"é"}"#
        );
        assert_eq!(
            verify("test_ipn_secret", body.as_bytes(), Some(EDGE_SIG)),
            Ok(v)
        );
    }

    #[test]
    fn refusals_name_their_reason() {
        let b = VECTOR_BODY.as_bytes();
        assert_eq!(verify("s", b, None), Err(IpnAuthError::MissingSignature));
        assert_eq!(
            verify("s", b, Some("zz")),
            Err(IpnAuthError::MalformedSignature)
        );
        assert_eq!(
            verify("s", b, Some(&"ab".repeat(32))),
            Err(IpnAuthError::MalformedSignature)
        );
        assert_eq!(
            verify("wrong", b, Some(VECTOR_SIG)),
            Err(IpnAuthError::Mismatch)
        );
        assert_eq!(
            verify("s", b"[1]", Some(VECTOR_SIG)),
            Err(IpnAuthError::MalformedBody)
        );
        assert_eq!(
            verify("s", b"{", Some(VECTOR_SIG)),
            Err(IpnAuthError::MalformedBody)
        );
        let upper = VECTOR_SIG.to_uppercase();
        assert!(
            verify("test_ipn_secret", b, Some(&upper)).is_ok(),
            "hex case is not content"
        );
    }

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        let cases = [
            ("1e-7", "1e-7"),
            ("0.000001", "0.000001"),
            ("1e21", "1e+21"),
            ("123456789012345680000", "123456789012345680000"),
            ("0.09853637216235617", "0.09853637216235617"),
            ("-0.5", "-0.5"),
            ("9007199254740993", "9007199254740992"),
            ("2.50", "2.5"),
        ];
        for (src, js) in cases {
            let v: Value = serde_json::from_str(src).unwrap();
            assert_eq!(canonical(&v, ArrayForm::Kept), js, "{src}");
        }
    }

    #[test]
    fn arrays_are_accepted_in_both_signer_forms() {
        let body = r#"{"ids":[{"b":1,"a":2},5,6,7,8,9,10,11,12,13,14],"x":"/é\u0001"}"#;
        let v: Value = serde_json::from_str(body).unwrap();
        let as_objects = canonical(&v, ArrayForm::AsObjects);
        assert!(as_objects.starts_with(r#"{"ids":{"0":{"a":2,"b":1},"1":5,"#));
        assert!(as_objects.contains(r#""9":13,"10":14}"#), "{as_objects}");
        assert!(as_objects.ends_with(r#""x":"/é\u0001"}"#));
        for form in [ArrayForm::Kept, ArrayForm::AsObjects] {
            let sig = sign("k", &canonical(&v, form));
            assert!(verify("k", body.as_bytes(), Some(&sig)).is_ok(), "{form:?}");
        }
    }

    #[test]
    fn integer_like_keys_come_first_in_numeric_order() {
        let v: Value = serde_json::from_str(r#"{"b":1,"10":2,"2":3,"01":4,"a":5}"#).unwrap();
        assert_eq!(
            canonical(&v, ArrayForm::Kept),
            r#"{"2":3,"10":2,"01":4,"a":5,"b":1}"#
        );
    }

    /// JSON values as NOWPayments' JavaScript would produce them: finite doubles, strings with
    /// any characters, nested objects and arrays.
    fn js_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(|i| Value::from(i64::from(i))),
            (-1e12f64..1e12).prop_map(Value::from),
            (1e-12f64..1e-3).prop_map(Value::from),
            "[a-zA-Z0-9 /é\"\\\\\n\u{1}-\u{7f}]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn js_body() -> impl Strategy<Value = (Value, String)> {
        prop::collection::btree_map("[a-z_]{1,8}", js_value(), 1..6).prop_map(|m| {
            let v = Value::Object(m.into_iter().collect());
            // What the sender puts on the wire: JS text, with keys in any order.
            let body = canonical(&v, ArrayForm::Kept);
            (v, body)
        })
    }

    proptest! {
        #[test]
        fn javascript_produced_bodies_verify((_v, body) in js_body()) {
            let sig = sign("secret", &body);
            prop_assert!(verify("secret", body.as_bytes(), Some(&sig)).is_ok());
        }

        #[test]
        fn any_changed_byte_fails((_v, body) in js_body(), pos in any::<prop::sample::Index>(), delta in 1u8..=255) {
            let sig = sign("secret", &body);
            let mut bytes = body.into_bytes();
            let i = pos.index(bytes.len());
            bytes[i] = bytes[i].wrapping_add(delta);
            prop_assert!(verify("secret", &bytes, Some(&sig)).is_err());
        }
    }
}
