//! The sections of the configuration read one by one: rules, jobs, HTTP limits.

use super::*;
use std::time::Duration;

use rust_decimal::Decimal;

use crate::domain::money::UsdMicros;

pub(super) fn read_rules(r: &mut Reader, raw: &RawSettings) -> Option<RulesConfig> {
    let fee = r.parse(
        "PLATFORM_FEE_PERCENT",
        &raw.platform_fee_percent,
        "3",
        |s| {
            parse_decimal(s).and_then(|d| {
                if d >= Decimal::ZERO && d < Decimal::ONE_HUNDRED {
                    Ok(d)
                } else {
                    Err("must be from 0 to below 100".into())
                }
            })
        },
    );
    let tolerance = r.parse("PAYMENT_TOLERANCE", &raw.payment_tolerance, "0.97", |s| {
        parse_decimal(s).and_then(|d| {
            if d > Decimal::ZERO && d <= Decimal::ONE {
                Ok(d)
            } else {
                Err("must be above 0 and at most 1".into())
            }
        })
    });
    let min_price = r.parse("MIN_PRICE_USD", &raw.min_price_usd, "1.00", parse_usd);
    let min_donation = r.parse("MIN_DONATION_USD", &raw.min_donation_usd, "1.00", parse_usd);
    let min_threshold = r.parse("MIN_THRESHOLD_USD", &raw.min_threshold_usd, "20", parse_usd);
    let min_conversion = r.parse(
        "MIN_CONVERSION_USD",
        &raw.min_conversion_usd,
        "20",
        parse_usd,
    );
    let max_tiers = r.parse("MAX_TIERS", &raw.max_tiers, "3", |s| parse_count(s, 10));
    let max_channels = r.parse(
        "MAX_CHANNELS_PER_OWNER",
        &raw.max_channels_per_owner,
        "10",
        |s| parse_count(s, 1000),
    );
    let invite_ttl = r.parse("INVITE_TTL", &raw.invite_ttl, "24h", parse_duration);
    let invoice_ttl = r.parse("INVOICE_TTL", &raw.invoice_ttl, "1h", parse_duration);
    let reminders = r.parse(
        "REMINDER_OFFSETS",
        &raw.reminder_offsets,
        "72h,24h,1h",
        |s| {
            let mut v = s
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(parse_duration)
                .collect::<Result<Vec<_>, _>>()?;
            v.sort_unstable_by(|a, b| b.cmp(a));
            v.dedup();
            Ok(v)
        },
    );
    let stars_usd_rate = read_stars(r, raw);
    let max_price = UsdMicros::from_cents(999_999);
    if let Some(p) = min_price
        && p > max_price
    {
        r.invalid
            .push("MIN_PRICE_USD: must not exceed 9999.99".into());
    }
    Some(RulesConfig {
        platform_fee_percent: fee?,
        payment_tolerance: tolerance?,
        min_price: min_price?,
        max_price,
        min_donation: min_donation?,
        min_threshold: min_threshold?,
        min_conversion: min_conversion?,
        max_tiers: max_tiers?,
        max_channels_per_owner: max_channels?,
        invite_ttl: invite_ttl?,
        invoice_ttl: invoice_ttl?,
        reminder_offsets: reminders?,
        stars_usd_rate: stars_usd_rate?,
    })
}

/// `STARS_ENABLED` (off by default) and `STARS_USD_RATE`, required when it is on: USD per
/// Star, net of Telegram's share, above 0 and at most 1, at most 6 decimals (micro-dollars).
fn read_stars(r: &mut Reader, raw: &RawSettings) -> Option<Option<Decimal>> {
    let enabled = r.parse("STARS_ENABLED", &raw.stars_enabled, "false", |s| {
        match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(format!("{s:?} is not true or false")),
        }
    })?;
    if !enabled {
        return Some(None);
    }
    let Some(rate) = clean(&raw.stars_usd_rate) else {
        r.invalid
            .push("STARS_USD_RATE: required when STARS_ENABLED is true (USD per Star, net of Telegram's share, e.g. 0.013)".into());
        return None;
    };
    let parsed = parse_decimal(rate).and_then(|d| {
        if d > Decimal::ZERO && d <= Decimal::ONE && d.scale() <= 6 {
            Ok(d)
        } else {
            Err(format!(
                "{rate:?} must be above 0 and at most 1 USD per Star, with at most 6 decimals"
            ))
        }
    });
    match parsed {
        Ok(d) => Some(Some(d)),
        Err(why) => {
            r.invalid.push(format!("STARS_USD_RATE: {why}"));
            None
        }
    }
}

/// A lease shorter than this would be renewed more often than a database round trip under load
/// can promise; one longer than this makes a crashed worker's jobs wait too long.
pub(super) const MIN_JOB_LEASE: Duration = Duration::from_secs(5);
pub(super) const MAX_JOB_LEASE: Duration = Duration::from_secs(3600);

pub(super) fn read_jobs(r: &mut Reader, raw: &RawSettings) -> Option<JobsConfig> {
    let conversion = r.parse(
        "CONVERSION_INTERVAL",
        &raw.conversion_interval,
        "15m",
        parse_duration,
    );
    let batch = r.parse("BATCH_INTERVAL", &raw.batch_interval, "5m", parse_duration);
    let expiry = r.parse(
        "EXPIRY_INTERVAL",
        &raw.expiry_interval,
        "1m",
        parse_duration,
    );
    let base = r.parse("JOB_RETRY_BASE", &raw.job_retry_base, "60s", parse_duration);
    let cap = r.parse("JOB_RETRY_CAP", &raw.job_retry_cap, "1h", parse_duration);
    let give_up = r.parse(
        "JOB_GIVE_UP_AFTER",
        &raw.job_give_up_after,
        "24h",
        parse_duration,
    );
    let lease = r.parse("JOB_LEASE", &raw.job_lease, "30s", |s| {
        parse_duration(s).and_then(|d| {
            if (MIN_JOB_LEASE..=MAX_JOB_LEASE).contains(&d) {
                Ok(d)
            } else {
                Err("must be from 5s to 1h".into())
            }
        })
    });
    if let (Some(b), Some(c)) = (base, cap)
        && b > c
    {
        r.invalid
            .push("JOB_RETRY_BASE: must not exceed JOB_RETRY_CAP".into());
    }
    Some(JobsConfig {
        conversion_interval: conversion?,
        batch_interval: batch?,
        expiry_interval: expiry?,
        retry_base: base?,
        retry_cap: cap?,
        give_up_after: give_up?,
        lease: lease?,
        poll_interval: Duration::from_secs(1),
    })
}

pub(super) fn read_http_limits(r: &mut Reader, raw: &RawSettings) -> Option<HttpLimits> {
    let header = r.parse(
        "HTTP_HEADER_TIMEOUT",
        &raw.http_header_timeout,
        "10s",
        parse_duration,
    );
    let request = r.parse(
        "HTTP_REQUEST_TIMEOUT",
        &raw.http_request_timeout,
        "30s",
        parse_duration,
    );
    // 1 MiB: room for any Telegram update; the IPN route keeps its own smaller limit.
    let body = r.parse(
        "HTTP_MAX_BODY_BYTES",
        &raw.http_max_body_bytes,
        "1048576",
        |s| match s.parse::<usize>() {
            Ok(n) if (1024..=64 * 1024 * 1024).contains(&n) => Ok(n),
            _ => Err(format!("{s:?} is not a byte count from 1024 to 67108864")),
        },
    );
    let concurrent = r.parse(
        "HTTP_MAX_CONCURRENT_REQUESTS",
        &raw.http_max_concurrent_requests,
        "256",
        |s| parse_count(s, 100_000),
    );
    Some(HttpLimits {
        header_timeout: header?,
        request_timeout: request?,
        max_body_bytes: body?,
        max_concurrent_requests: usize::try_from(concurrent?).ok()?,
    })
}
