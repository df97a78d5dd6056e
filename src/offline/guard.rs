//! `demo` and `sandbox` must never move real money: they refuse to start when any real
//! provider URL or key is configured, naming the variables (never their values).

use telepay::config::RawSettings;

/// The settings that would point the product at a real provider or a real wallet.
fn real_settings(raw: &RawSettings) -> Vec<&'static str> {
    let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    [
        ("TELEGRAM_BOT_TOKEN", &raw.telegram_bot_token),
        ("TELEGRAM_API_URL", &raw.telegram_api_url),
        ("NOWPAYMENTS_API_KEY", &raw.nowpayments_api_key),
        ("NOWPAYMENTS_IPN_SECRET", &raw.nowpayments_ipn_secret),
        ("NOWPAYMENTS_API_URL", &raw.nowpayments_api_url),
        ("CHANGENOW_API_KEY", &raw.changenow_api_key),
        ("CHANGENOW_API_URL", &raw.changenow_api_url),
        ("EVM_RPC_URL", &raw.evm_rpc_url),
        ("HOST_WALLET_PRIVATE_KEY", &raw.host_wallet_private_key),
    ]
    .into_iter()
    .filter(|(_, v)| given(v))
    .map(|(name, _)| name)
    .collect()
}

/// Why an offline command will not start.
#[derive(Debug, thiserror::Error)]
#[error(
    "`telepay {command}` runs against built-in simulators and refuses to start while real \
     provider settings are configured ({names}); unset them (and check .env) to run it"
)]
pub struct RealSettings {
    command: &'static str,
    names: String,
}

/// Ok when nothing real is configured (DATABASE_URL and the tuning settings are fine).
pub fn refuse_real_settings(command: &'static str, raw: &RawSettings) -> Result<(), RealSettings> {
    let names = real_settings(raw);
    if names.is_empty() {
        Ok(())
    } else {
        Err(RealSettings {
            command,
            names: names.join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_real_is_fine_and_a_database_is_allowed() {
        let raw = RawSettings {
            database_url: Some("postgres://x/y".into()),
            telegram_bot_token: Some("  ".into()),
            ..RawSettings::default()
        };
        assert!(refuse_real_settings("demo", &raw).is_ok());
    }

    #[test]
    fn a_real_key_is_named_and_its_value_never_shown() {
        let raw = RawSettings {
            nowpayments_api_key: Some("SECRET-VALUE-123".into()),
            host_wallet_private_key: Some("0xabc".into()),
            ..RawSettings::default()
        };
        let err = refuse_real_settings("sandbox", &raw)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("NOWPAYMENTS_API_KEY"), "{err}");
        assert!(err.contains("HOST_WALLET_PRIVATE_KEY"), "{err}");
        assert!(err.contains("telepay sandbox"), "{err}");
        assert!(!err.contains("SECRET-VALUE-123"), "{err}");
        assert!(!err.contains("0xabc"), "{err}");
    }
}
