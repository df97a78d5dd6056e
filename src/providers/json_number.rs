//! Exact decimal numbers in provider JSON (reference/apis.md §A.8, §B.7): both NOWPayments
//! and ChangeNOW send amounts as JSON numbers one day and numeric strings the next, and
//! ChangeNOW refuses exponent form. Money here never passes through float arithmetic:
//!
//! - [`numbers_as_strings`] turns every number token of a body into a string holding the
//!   digits as written, so amounts are read from the provider's own text;
//! - where a body was already parsed into a double (a verified IPN), [`decimal_from_f64`]
//!   takes its shortest round-trip text, which is what JavaScript printed;
//! - [`opt_amount`] / [`amount`] read a number, a numeric string, `null`, `""` or `"null"`;
//! - [`to_plain_string`] writes an amount as plain decimal text, never `1e-5`.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};

/// The amount as plain decimal text without trailing zeros (`0.00001`, `600000000000`, `0`),
/// never exponent form. `Decimal`'s `Display` is always positional; the property test in the
/// ChangeNOW client holds it to that for every scale.
pub fn to_plain_string(amount: Decimal) -> String {
    // `normalize` also turns -0 into 0.
    amount.normalize().to_string()
}

/// Parses an amount from decimal text, plain (`0.00001234`) or exponent form (`1e-7`,
/// `1.5E+3`, as a JavaScript server prints small or huge doubles), exactly or not at all.
pub fn parse_amount_text(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    let parsed = if t.contains(['e', 'E']) {
        // rust_decimal's exponent parser wants no `+` signs.
        Decimal::from_scientific(&t.replace('+', ""))
    } else {
        Decimal::from_str_exact(t)
    };
    parsed.map_err(|e| format!("`{}` is not an exact decimal: {e}", short(t, 40)))
}

/// An exact decimal from a JSON double: its shortest round-trip text (what JavaScript printed
/// when the provider produced it), parsed as decimal text. No float arithmetic.
pub fn decimal_from_f64(f: f64) -> Result<Decimal, String> {
    if !f.is_finite() {
        return Err("the amount is not a finite number".to_owned());
    }
    parse_amount_text(ryu_js::Buffer::new().format_finite(f))
}

/// The first `n` characters of `s`.
pub(crate) fn short(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Rewrites every JSON number token of a document into a JSON string holding the token's exact
/// text (`{"a":1e-7,"b":"x1"}` → `{"a":"1e-7","b":"x1"}`), so amounts are parsed from the
/// digits the provider wrote rather than from a double. Strings (escapes included) are copied
/// untouched; the result of an invalid document is still invalid.
pub fn numbers_as_strings(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + 32);
    let mut i = 0;
    let mut in_string = false;
    while let Some(&b) = json.get(i) {
        if in_string {
            out.push(b);
            if b == b'\\' {
                if let Some(&escaped) = json.get(i + 1) {
                    out.push(escaped);
                    i += 1;
                }
            } else if b == b'"' {
                in_string = false;
            }
            i += 1;
        } else if b == b'"' {
            in_string = true;
            out.push(b);
            i += 1;
        } else if b == b'-' || b.is_ascii_digit() {
            let start = i;
            while json.get(i).is_some_and(|c| {
                c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')
            }) {
                i += 1;
            }
            out.push(b'"');
            out.extend_from_slice(json.get(start..i).unwrap_or_default());
            out.push(b'"');
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

/// Amounts: JSON number, numeric string, `null`, `""` or `"null"` (NOWPayments has sent the
/// string "null" for numeric fields).
struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount as a number, a numeric string or null")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }
    /// Only reached for a body parsed without [`numbers_as_strings`] (a verified IPN).
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        decimal_from_f64(v).map(Some).map_err(E::custom)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("null") {
            return Ok(None);
        }
        parse_amount_text(t).map(Some).map_err(E::custom)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An optional amount (`deserialize_with`).
pub fn opt_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    d.deserialize_any(AmountVisitor)
}

/// A required amount (`deserialize_with`).
pub fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    opt_amount(d)?.ok_or_else(|| de::Error::custom("the amount is missing"))
}

/// Ids and other text that may come as a JSON number: an integral number becomes its
/// digits; strings are trimmed; `null`, `""` and `"null"` mean absent.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, an integer or null")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // An id written as `5077125051.0` or `5.077125051e9` is still an integer; one that
        // is not integral, or too large to be exact in a double, is refused.
        let exact = v.is_finite() && v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0;
        let text = ryu_js::Buffer::new().format_finite(v).to_owned();
        if exact && text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            Ok(Some(text))
        } else {
            Err(E::custom(format!("`{text}` is not an integer id")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("null") {
            Ok(None)
        } else {
            Ok(Some(t.to_owned()))
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An id or short text field: a string (trimmed), an integral number (its digits), or absent
/// (`null`, `""`, `"null"`). Shared by the NOWPayments and ChangeNOW wire types.
pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(TextVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn numbers_become_strings_and_strings_stay_untouched() {
        let raw =
            br#"{"a":1e-7,"b":"x 1 \"2\" \\","c":[-0.5,2E+3],"d":null,"e":true,"f":"\u00e9 1"}"#;
        let out = String::from_utf8(numbers_as_strings(raw)).unwrap();
        assert_eq!(
            out,
            r#"{"a":"1e-7","b":"x 1 \"2\" \\","c":["-0.5","2E+3"],"d":null,"e":true,"f":"\u00e9 1"}"#
        );
        let utf8 = "{\"m\":\"Канал 5\",\"n\":5}".as_bytes();
        assert_eq!(
            String::from_utf8(numbers_as_strings(utf8)).unwrap(),
            "{\"m\":\"Канал 5\",\"n\":\"5\"}"
        );
    }

    #[test]
    fn plain_strings_for_edge_values() {
        for (d, text) in [
            (dec!(0.000000000000000001), "0.000000000000000001"),
            (dec!(600000000000), "600000000000"),
            (dec!(6e11), "600000000000"),
            (dec!(1e-18), "0.000000000000000001"),
            (dec!(10.500), "10.5"),
            (dec!(0.00001), "0.00001"),
            (Decimal::ZERO, "0"),
            (-Decimal::ZERO, "0"),
            (Decimal::MAX, "79228162514264337593543950335"),
            (Decimal::new(1, 28), "0.0000000000000000000000000001"),
        ] {
            assert_eq!(to_plain_string(d), text);
        }
    }

    #[test]
    fn amount_text_parses_exactly_or_not_at_all() {
        assert_eq!(parse_amount_text(" 1.5E+3 "), Ok(dec!(1500)));
        assert_eq!(parse_amount_text("1e-7"), Ok(dec!(0.0000001)));
        assert_eq!(parse_amount_text("0.0223925"), Ok(dec!(0.0223925)));
        assert!(parse_amount_text("ten").is_err());
        assert!(decimal_from_f64(f64::NAN).is_err());
        assert_eq!(decimal_from_f64(10.152), Ok(dec!(10.152)));
    }
}
