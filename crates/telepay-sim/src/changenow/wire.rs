//! ChangeNOW's JSON as its Node servers write it: keys in the documented order, numbers in
//! ECMAScript form (`0.00001234`, `1e-7`, `15`: exactly the decimal's digits, never via a
//! double), errors as `{"error":"<code>","message":"<text>"}` (§B.5), dates as
//! `2024-05-01T12:00:00.000Z`.

use std::time::{SystemTime, UNIX_EPOCH};

use rust_decimal::Decimal;

use crate::js;

/// A JSON value whose object keys keep the order they were written in.
pub(crate) enum Js {
    Null,
    Bool(bool),
    Str(String),
    Num(Decimal),
    Obj(Vec<(&'static str, Js)>),
}

impl Js {
    /// The wire text.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Str(s) => out.push_str(&quote(s)),
            Self::Num(d) => out.push_str(&js::decimal_number(*d)),
            Self::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn quote(s: &str) -> String {
    // Serializing a `str` cannot fail.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

pub(crate) fn s(text: impl Into<String>) -> Js {
    Js::Str(text.into())
}

pub(crate) fn opt_s(text: Option<&str>) -> Js {
    text.map_or(Js::Null, s)
}

pub(crate) fn opt_num(d: Option<Decimal>) -> Js {
    d.map_or(Js::Null, Js::Num)
}

/// The standard error body (§B.5).
pub(crate) fn error(code: &str, message: &str) -> Js {
    Js::Obj(vec![("error", s(code)), ("message", s(message))])
}

/// `2024-05-01T12:00:00.000Z`.
pub(crate) fn iso(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(0);
    let millis = since.subsec_millis();
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn objects_keep_their_key_order_and_escape_strings() {
        let js = Js::Obj(vec![
            ("z", Js::Num(dec!(1.5))),
            ("a", s("q\"\\ Канал")),
            ("m", Js::Null),
            ("b", Js::Bool(true)),
        ]);
        assert_eq!(
            js.text(),
            r#"{"z":1.5,"a":"q\"\\ Канал","m":null,"b":true}"#
        );
    }

    #[test]
    fn dates_are_iso_utc_with_millis() {
        assert_eq!(iso(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_709_251_199_123);
        assert_eq!(iso(t), "2024-02-29T23:59:59.123Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(iso(t), "2000-02-29T00:00:00.000Z");
    }
}
