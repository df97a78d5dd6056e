//! Reading one setting: trimmed, defaulted, parsed, every problem collected.

use super::*;
use std::collections::BTreeSet;
use std::time::Duration;

use rust_decimal::Decimal;
use secrecy::SecretString;
use url::Url;

use crate::domain::money::UsdMicros;

/// Collects problems while reading the raw settings.
#[derive(Default)]
pub(super) struct Reader {
    pub(super) missing: Vec<&'static str>,
    pub(super) invalid: Vec<String>,
}

/// A value is present only when it is non-empty after trimming (lesson 48: stray newlines).
pub(super) fn clean(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Reader {
    pub(super) fn required(&mut self, name: &'static str, v: &Option<String>) -> Option<String> {
        let got = clean(v).map(str::to_owned);
        if got.is_none() {
            self.missing.push(name);
        }
        got
    }

    pub(super) fn secret(&mut self, name: &'static str, v: &Option<String>) -> SecretString {
        SecretString::from(self.required(name, v).unwrap_or_default())
    }

    /// Parses an optional value with `parse`, falling back to `default`.
    pub(super) fn parse<T>(
        &mut self,
        name: &'static str,
        v: &Option<String>,
        default: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = clean(v).unwrap_or(default);
        match parse(raw) {
            Ok(t) => Some(t),
            Err(why) => {
                self.invalid.push(format!("{name}: {why}"));
                None
            }
        }
    }

    pub(super) fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ConfigError> {
        if self.missing.is_empty() && self.invalid.is_empty() {
            // Every field parsed, so `build` has all its parts.
            build().ok_or_else(|| ConfigError {
                missing: vec![],
                invalid: vec!["internal: a setting was lost while building".into()],
            })
        } else {
            Err(ConfigError {
                missing: self.missing,
                invalid: self.invalid,
            })
        }
    }
}

pub(super) fn parse_url(s: &str) -> Result<Url, String> {
    let u = Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
    match u.scheme() {
        "http" | "https" => Ok(u),
        other => Err(format!("scheme {other} is not http or https")),
    }
}

pub(super) fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{s:?} is not a duration ({e})"))?;
    if d.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

pub(super) fn parse_decimal(s: &str) -> Result<Decimal, String> {
    Decimal::from_str_exact(s).map_err(|_| format!("{s:?} is not a decimal number"))
}

pub(super) fn parse_usd(s: &str) -> Result<UsdMicros, String> {
    UsdMicros::parse_setting(s).map_err(|e| format!("{s:?}: {e}"))
}

pub(super) fn parse_count(s: &str, max: u32) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not a whole number from 1 to {max}")),
    }
}

/// `123456:AA…`: digits, a colon, then at least 30 of `[A-Za-z0-9_-]`.
pub fn valid_bot_token(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, secret)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && secret.len() >= 30
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

/// `sqlite://path` or `postgres://…` (also `postgresql://`), checked before any connection.
pub fn validate_database_url(url: &str) -> Result<(), String> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let file = path.split('?').next().unwrap_or_default();
        if file.is_empty() {
            return Err("a sqlite URL needs a file name, e.g. sqlite://telepay.db".into());
        }
        return Ok(());
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let parsed = Url::parse(url).map_err(|e| format!("not a valid PostgreSQL URL ({e})"))?;
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err("a PostgreSQL URL needs a host".into());
        }
        return Ok(());
    }
    Err("must start with sqlite:// or postgres://".into())
}

pub(super) fn parse_admin_ids(s: &str) -> Result<BTreeSet<i64>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| format!("{p:?} is not a Telegram user id"))
        })
        .collect()
}

pub(super) fn parse_webhook_secret(s: &str) -> Result<(), String> {
    let ok = (1..=256).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err("must be 1-256 characters of A-Z, a-z, 0-9, _ and -".into())
    }
}

pub(super) fn parse_private_key(s: &str) -> Result<(), String> {
    let hex_part = s.strip_prefix("0x").unwrap_or(s);
    if hex_part.len() == 64 && hex_part.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err("must be 32 bytes of hex (64 hex digits, optional 0x)".into())
    }
}
