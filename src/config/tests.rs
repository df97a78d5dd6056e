use super::*;

pub(crate) fn complete() -> RawSettings {
    RawSettings {
        telegram_bot_token: Some("123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef_-".into()),
        public_base_url: Some("https://pay.example.com".into()),
        nowpayments_api_key: Some("np-key".into()),
        nowpayments_ipn_secret: Some("np-secret".into()),
        changenow_api_key: Some("cn-key".into()),
        evm_rpc_url: Some("https://rpc.example.com".into()),
        host_wallet_private_key: Some(format!("0x{}", "ab".repeat(32))),
        ..RawSettings::default()
    }
}

#[test]
fn defaults_fill_everything_but_the_secrets() {
    let c = Config::from_raw(&complete()).unwrap();
    assert_eq!(c.database.url.expose_secret(), DEFAULT_DATABASE_URL);
    assert_eq!(c.http_addr.to_string(), DEFAULT_HTTP_ADDR);
    assert!(matches!(c.telegram.mode, TelegramMode::Polling));
    assert_eq!(c.rules.platform_fee_percent, Decimal::from(3));
    assert_eq!(c.rules.payment_tolerance.to_string(), "0.97");
    assert_eq!(c.rules.max_tiers, 3);
    assert_eq!(c.rules.max_channels_per_owner, 10);
    assert_eq!(c.rules.min_threshold, UsdMicros::from_cents(2000));
    assert_eq!(c.rules.min_price, UsdMicros::from_cents(100));
    assert_eq!(c.rules.invite_ttl, Duration::from_secs(86_400));
    assert_eq!(
        c.rules.reminder_offsets,
        vec![
            Duration::from_secs(72 * 3600),
            Duration::from_secs(24 * 3600),
            Duration::from_secs(3600)
        ]
    );
    assert_eq!(c.jobs.conversion_interval, Duration::from_secs(900));
    assert_eq!(c.jobs.batch_interval, Duration::from_secs(300));
    assert_eq!(c.http.header_timeout, Duration::from_secs(10));
    assert_eq!(c.http.request_timeout, Duration::from_secs(30));
    assert_eq!(c.http.max_body_bytes, 1024 * 1024);
    assert_eq!(c.http.max_concurrent_requests, 256);
}

#[test]
fn every_missing_variable_is_named_in_one_message() {
    let err = Config::from_raw(&RawSettings::default()).unwrap_err();
    for name in [
        "TELEGRAM_BOT_TOKEN",
        "PUBLIC_BASE_URL",
        "NOWPAYMENTS_API_KEY",
        "NOWPAYMENTS_IPN_SECRET",
        "CHANGENOW_API_KEY",
        "EVM_RPC_URL",
        "HOST_WALLET_PRIVATE_KEY",
    ] {
        assert!(err.missing.contains(&name), "{name} not reported");
    }
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "one line: {msg}");
    assert!(msg.contains("TELEGRAM_BOT_TOKEN, "));
}

/// Lesson 9: an IPN secret that is missing (or misnamed, so unset) stops start-up instead of
/// silently rejecting every payment.
#[test]
fn lesson_9_a_missing_ipn_secret_stops_startup() {
    let mut raw = complete();
    raw.nowpayments_ipn_secret = None;
    let err = Config::from_raw(&raw).unwrap_err();
    assert_eq!(err.missing, vec!["NOWPAYMENTS_IPN_SECRET"]);
}

/// Lesson 48: stray whitespace and newlines in values are trimmed.
#[test]
fn values_are_trimmed_and_blank_counts_as_missing() {
    let mut raw = complete();
    raw.public_base_url = Some("  https://pay.example.com\n".into());
    raw.nowpayments_ipn_secret = Some(" \n".into());
    let err = Config::from_raw(&raw).unwrap_err();
    assert_eq!(err.missing, vec!["NOWPAYMENTS_IPN_SECRET"]);
    raw.nowpayments_ipn_secret = Some("s3cret\n".into());
    let c = Config::from_raw(&raw).unwrap();
    assert_eq!(c.public_base_url.as_str(), "https://pay.example.com/");
    assert_eq!(c.providers.nowpayments_ipn_secret.expose_secret(), "s3cret");
}

#[test]
fn bad_values_are_reported_without_echoing_secrets() {
    let mut raw = complete();
    raw.telegram_bot_token = Some("not-a-token-but-secret-looking".into());
    raw.database_url = Some("mysql://x".into());
    raw.http_addr = Some("localhost".into());
    raw.platform_fee_percent = Some("abc".into());
    raw.reminder_offsets = Some("72h,soon".into());
    let err = Config::from_raw(&raw).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("TELEGRAM_BOT_TOKEN"));
    assert!(msg.contains("DATABASE_URL"));
    assert!(msg.contains("HTTP_ADDR"));
    assert!(msg.contains("PLATFORM_FEE_PERCENT"));
    assert!(msg.contains("REMINDER_OFFSETS"));
    assert!(!msg.contains("not-a-token-but-secret-looking"));
}

#[test]
fn webhook_mode_needs_a_valid_secret() {
    let mut raw = complete();
    raw.telegram_mode = Some("webhook".into());
    let err = Config::from_raw(&raw).unwrap_err();
    assert_eq!(err.missing, vec!["TELEGRAM_WEBHOOK_SECRET"]);
    raw.telegram_webhook_secret = Some("has spaces".into());
    assert!(Config::from_raw(&raw).is_err());
    raw.telegram_webhook_secret = Some("ok_Secret-123".into());
    let c = Config::from_raw(&raw).unwrap();
    assert!(
        matches!(c.telegram.mode, TelegramMode::Webhook { ref path, .. } if path == DEFAULT_WEBHOOK_PATH)
    );
}

#[test]
fn secrets_do_not_show_in_debug() {
    let c = Config::from_raw(&complete()).unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("ABCDEFGHIJKLMNOP"));
    assert!(!dbg.contains("np-secret"));
    assert!(!c.summary().contains("np-key"));
}

#[test]
fn database_urls_are_checked_before_connecting() {
    assert!(validate_database_url("sqlite://telepay.db").is_ok());
    assert!(validate_database_url("sqlite::memory:").is_ok());
    assert!(validate_database_url("postgres://postgres@127.0.0.1:5432/test").is_ok());
    assert!(validate_database_url("sqlite://").is_err());
    assert!(validate_database_url("postgres://").is_err());
    assert!(validate_database_url("telepay.db").is_err());
}

#[test]
fn admin_ids_parse_and_reject_garbage() {
    let mut raw = complete();
    raw.admin_ids = Some(" 1, 22 ,333".into());
    let c = Config::from_raw(&raw).unwrap();
    assert_eq!(
        c.admin_ids.into_iter().collect::<Vec<_>>(),
        vec![1, 22, 333]
    );
    raw.admin_ids = Some("1,abc".into());
    assert!(Config::from_raw(&raw).is_err());
}

/// A crashed worker's jobs are taken over one lease after its last heartbeat: the lease is
/// short by default, settable, and bounded.
#[test]
fn the_job_lease_is_short_settable_and_bounded() {
    let mut raw = complete();
    assert_eq!(
        Config::from_raw(&raw).unwrap().jobs.lease,
        Duration::from_secs(30)
    );
    raw.job_lease = Some("2m".into());
    assert_eq!(
        Config::from_raw(&raw).unwrap().jobs.lease,
        Duration::from_secs(120)
    );
    for bad in ["1s", "2h", "soon", "0s"] {
        raw.job_lease = Some(bad.into());
        let err = Config::from_raw(&raw).unwrap_err();
        assert!(
            err.invalid.iter().any(|m| m.starts_with("JOB_LEASE: ")),
            "{bad}: {err}"
        );
    }
}

#[test]
fn stars_are_off_by_default_and_need_a_rate_when_on() {
    let c = Config::from_raw(&complete()).unwrap();
    assert_eq!(c.rules.stars_usd_rate, None);
    let with = |enabled: &str, rate: Option<&str>| {
        let mut raw = complete();
        raw.stars_enabled = Some(enabled.into());
        raw.stars_usd_rate = rate.map(str::to_owned);
        Config::from_raw(&raw)
    };
    assert_eq!(
        with("true", Some("0.013")).unwrap().rules.stars_usd_rate,
        Some(Decimal::new(13, 3))
    );
    assert_eq!(
        with("false", Some("junk")).unwrap().rules.stars_usd_rate,
        None
    );
    let missing = with("true", None).unwrap_err();
    assert!(
        missing
            .invalid
            .iter()
            .any(|m| m.starts_with("STARS_USD_RATE: required")),
        "{missing:?}"
    );
    for bad in ["0", "-0.01", "2", "0.0000001", "abc"] {
        let err = with("true", Some(bad)).unwrap_err();
        assert!(
            err.invalid.iter().any(|m| m.starts_with("STARS_USD_RATE:")),
            "{bad}: {err:?}"
        );
    }
    let err = with("maybe", Some("0.013")).unwrap_err();
    assert!(err.invalid.iter().any(|m| m.starts_with("STARS_ENABLED:")));
}
