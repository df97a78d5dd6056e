//! JSON as a JavaScript server writes it, for the simulators of NOWPayments and ChangeNOW
//! (Node services). Written from the providers' documents and ECMA-262, not from the
//! product's verifier, so the two readings check each other.
//!
//! `JSON.stringify` prints strings escaping only `"`, `\` and control characters, and numbers
//! as ECMAScript's Number::toString (shortest round trip; `15.0` → `15`, `0.00001234` stays,
//! `1e-7`). RFC 8785 (JCS) prescribes exactly that serialisation, so the
//! [`serde_json_canonicalizer`] crate does the writing here; [`decimal_number`] prints an exact
//! decimal the same way without going through a double.
//!
//! JCS also sorts object keys by UTF-16 code units. That is what JavaScript's
//! `Object.keys(o).sort()` (no comparator) does too, so for sorting alone JCS and
//! NOWPayments' `sortObject` agree, non-ASCII keys included (a byte-wise sort, such as a Rust
//! `BTreeMap<String, _>`, would not: it puts U+FF61 before U+1F600, UTF-16 the other way round).
//! Where they part is what `JSON.stringify` does with the sorted object afterwards: JavaScript
//! lists integer-like keys ("0", "7", "10") first and in numeric order, whatever order they
//! were inserted in, while JCS keeps them in the UTF-16 order ("10" before "7"). The simulators
//! never write such keys; [`sorted_stringify`] refuses a document that has one rather than
//! sign something NOWPayments would sign differently.

use rust_decimal::Decimal;
use serde_json::Value;

/// Why a document cannot be written as NOWPayments' signer would write it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsError {
    #[error("the object key `{0}` is integer-like; JavaScript would order it first")]
    IntegerLikeKey(String),
    #[error("the value cannot be written as JSON: {0}")]
    Unwritable(String),
}

/// `JSON.stringify(value)` for a value whose own key order does not matter: a scalar or an
/// array of scalars (objects inside come out sorted).
pub fn stringify(value: &Value) -> String {
    // A `Value` of finite numbers always serialises; `null` is JavaScript's answer for the
    // rest (NaN, infinities), which `serde_json::Value` cannot hold anyway.
    serde_json_canonicalizer::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// `JSON.stringify(sortObject(value))` with arrays kept as arrays: the text NOWPayments signs
/// (reference/apis.md §A.5). The official Node `sortObject` would turn a non-null array into
/// an object with index keys; the PHP and Python samples keep arrays, and which of the two
/// NOWPayments' own signer does is unknown. The simulator sends no arrays in IPNs
/// (`payment_extra_ids` is `null` there), so both readings give the same text for what it
/// signs.
pub fn sorted_stringify(value: &Value) -> Result<String, JsError> {
    if let Some(key) = integer_like_key(value) {
        return Err(JsError::IntegerLikeKey(key.to_owned()));
    }
    serde_json_canonicalizer::to_string(value).map_err(|e| JsError::Unwritable(e.to_string()))
}

/// How JavaScript's `Number.prototype.toString` prints this value, computed from the decimal
/// digits (ECMA-262 Number::toString): positional from 1e-6 up to (not including) 1e21,
/// exponent form (`1e-7`, `1.5e+21`) outside. The simulator keeps amounts to at most 15
/// significant digits, so the text is also what a double-based server would print
/// (ChangeNOW's amounts).
pub fn decimal_number(d: Decimal) -> String {
    let d = d.normalize();
    if d.is_zero() {
        return "0".to_owned();
    }
    let sign = if d.is_sign_negative() { "-" } else { "" };
    let mut digits = d.mantissa().unsigned_abs().to_string();
    // value = digits × 10^exp10
    let mut exp10 = -i64::from(d.scale());
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
        exp10 += 1;
    }
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    // value = 0.digits × 10^n
    let n = k + exp10;
    let zeros = |count: i64| "0".repeat(usize::try_from(count).unwrap_or(0));
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", zeros(n - k))
    } else if 0 < n && n <= 21 {
        let at = usize::try_from(n).unwrap_or(0);
        let (int, frac) = digits.split_at(at.min(digits.len()));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", zeros(-n))
    } else {
        let e = n - 1;
        let e_sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{e_sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{e_sign}{}", e.abs())
        }
    };
    format!("{sign}{body}")
}

/// The first object key, at any depth, that JavaScript treats as an array index: "0" or digits
/// without a leading zero, below 2^32 − 1 (ECMA-262 §6.1.7).
fn integer_like_key(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let index = (k == "0" || (!k.starts_with('0') && !k.is_empty()))
                && k.bytes().all(|b| b.is_ascii_digit())
                && k.parse::<u64>().is_ok_and(|n| n < u64::from(u32::MAX));
            if index {
                Some(k.as_str())
            } else {
                integer_like_key(v)
            }
        }),
        Value::Array(items) => items.iter().find_map(integer_like_key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    #[test]
    fn decimals_print_like_javascript_numbers() {
        for (d, text) in [
            (dec!(0), "0"),
            (dec!(15), "15"),
            (dec!(1000), "1000"),
            (dec!(10.500), "10.5"),
            (dec!(0.00001234), "0.00001234"),
            (dec!(0.000001), "0.000001"),
            (dec!(0.0000001), "1e-7"),
            (dec!(0.00000015), "1.5e-7"),
            (dec!(596726.7), "596726.7"),
            (dec!(-3.25), "-3.25"),
            (dec!(100000000000000000000), "100000000000000000000"),
            (dec!(1000000000000000000000), "1e+21"),
            (dec!(1500000000000000000000), "1.5e+21"),
        ] {
            assert_eq!(decimal_number(d), text, "{d}");
            // The same text as the double nearest to it, as a Node server holds it.
            let double: f64 = d.to_string().parse().unwrap();
            assert_eq!(stringify(&json!(double)), text, "{d} as a double");
        }
    }

    #[test]
    fn numbers_print_as_ecmascript_does() {
        let cases = [
            (json!(15.0), "15"),
            (json!(0.00001234), "0.00001234"),
            (json!(1e-7), "1e-7"),
            (json!(0.000001), "0.000001"),
            (json!(1e21), "1e+21"),
            (json!(123456789012345680000.0), "123456789012345680000"),
            (json!(0.1), "0.1"),
            (json!(-0.5), "-0.5"),
            (json!(5077125051u64), "5077125051"),
            // Beyond 2^53 JavaScript has only the double.
            (json!(9007199254740993u64), "9007199254740992"),
        ];
        for (value, text) in cases {
            assert_eq!(stringify(&value), text, "{value}");
        }
    }

    #[test]
    fn strings_escape_only_quotes_backslashes_and_controls() {
        assert_eq!(
            stringify(&json!("a/b \"é\" \\ \n\u{1}")),
            r#""a/b \"é\" \\ \n\u0001""#
        );
    }

    #[test]
    fn keys_sort_by_utf16_code_units_like_javascript() {
        // JavaScript: ["\u{ff61}", "\u{1f600}"].sort() puts the emoji (0xD83D…) first.
        let v = json!({"\u{ff61}": 1, "\u{1f600}": 2, "b": {"z": 0, "a": [3, {"y": 1, "x": 2}]}});
        assert_eq!(
            sorted_stringify(&v).unwrap(),
            "{\"b\":{\"a\":[3,{\"x\":2,\"y\":1}],\"z\":0},\"\u{1f600}\":2,\"\u{ff61}\":1}"
        );
    }

    #[test]
    fn integer_like_keys_are_refused_not_misordered() {
        assert_eq!(
            sorted_stringify(&json!({"a": {"10": 1, "7": 2}})),
            Err(JsError::IntegerLikeKey("10".to_owned()))
        );
        // Not indices in JavaScript: a leading zero, a sign, or 2^32 − 1 itself.
        assert!(sorted_stringify(&json!({"07": 1, "-1": 2, "4294967295": 3})).is_ok());
    }
}
