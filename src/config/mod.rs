//! Typed configuration, read from the environment (and an optional `.env`), validated before any
//! I/O. Every problem is reported at once; secrets are `SecretString` and never printed.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;
use url::Url;

use crate::domain::money::UsdMicros;

mod parse;
mod raw;
mod sections;

use parse::*;
pub use parse::{valid_bot_token, validate_database_url};
pub use raw::RawSettings;
use sections::*;

/// How the bot receives updates.
#[derive(Debug, Clone)]
pub enum TelegramMode {
    Polling,
    /// Telegram POSTs to `PUBLIC_BASE_URL` + `path`, echoing `secret`.
    Webhook {
        secret: SecretString,
        path: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: SecretString,
    pub max_connections: u32,
}

#[derive(Debug, Clone)]
pub struct TelegramConfig {
    pub token: SecretString,
    pub api_url: Url,
    pub mode: TelegramMode,
}

#[derive(Debug, Clone)]
pub struct ProvidersConfig {
    pub nowpayments_api_key: SecretString,
    pub nowpayments_ipn_secret: SecretString,
    pub nowpayments_api_url: Url,
    pub changenow_api_key: SecretString,
    pub changenow_api_url: Url,
    pub evm_rpc_url: SecretString,
    pub evm_chain_id: u64,
    pub host_wallet_private_key: SecretString,
    /// What the host wallet holds and pays with: a (currency, network) pair of the supported
    /// table on the EVM chain, `USDT:BSC` by default.
    pub host_asset: (String, String),
}

/// The business rules an operator can tune (SPEC.md, with its defaults).
#[derive(Debug, Clone)]
pub struct RulesConfig {
    pub platform_fee_percent: Decimal,
    pub payment_tolerance: Decimal,
    pub min_price: UsdMicros,
    pub max_price: UsdMicros,
    pub min_donation: UsdMicros,
    pub min_threshold: UsdMicros,
    pub min_conversion: UsdMicros,
    pub max_tiers: u32,
    pub max_channels_per_owner: u32,
    pub invite_ttl: Duration,
    pub invoice_ttl: Duration,
    pub reminder_offsets: Vec<Duration>,
    /// Telegram Stars (issue 15): `Some(USD per Star, net of Telegram's share)` when the
    /// platform sells tiers for Stars (`STARS_ENABLED`), `None` when it does not.
    pub stars_usd_rate: Option<Decimal>,
}

#[derive(Debug, Clone)]
pub struct JobsConfig {
    pub conversion_interval: Duration,
    pub batch_interval: Duration,
    pub expiry_interval: Duration,
    pub retry_base: Duration,
    pub retry_cap: Duration,
    pub give_up_after: Duration,
    /// How long a claimed job stays leased without a heartbeat before another worker may take
    /// it (`JOB_LEASE`); the runner renews it every third of this while the job runs.
    pub lease: Duration,
    /// How often the runner looks for due jobs when nothing woke it.
    pub poll_interval: Duration,
}

/// What the HTTP server allows one client, so none can hold it open or fill it up.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// From accepting a connection (or finishing the previous request on it) to the end of
    /// the next request's headers; an idle keep-alive connection is closed after it too.
    pub header_timeout: Duration,
    /// From the headers to our answer, reading the body included; then 408.
    pub request_timeout: Duration,
    /// Largest body on any route; a larger `Content-Length` gets 413 before the body is read.
    pub max_body_bytes: usize,
    /// Requests in flight at once; one more is answered 503 instead of waiting in a queue.
    pub max_concurrent_requests: usize,
}

/// Everything `telepay serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub telegram: TelegramConfig,
    pub database: DatabaseConfig,
    pub http_addr: SocketAddr,
    pub public_base_url: Url,
    pub log_format: LogFormat,
    pub admin_ids: BTreeSet<i64>,
    pub providers: ProvidersConfig,
    pub rules: RulesConfig,
    pub jobs: JobsConfig,
    pub http: HttpLimits,
}

/// Why the configuration was refused: every missing and every invalid variable at once.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{}", self.render())]
pub struct ConfigError {
    pub missing: Vec<&'static str>,
    pub invalid: Vec<String>,
}

impl ConfigError {
    fn render(&self) -> String {
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!(
                "missing required environment variables: {}",
                self.missing.join(", ")
            ));
        }
        if !self.invalid.is_empty() {
            parts.push(format!("invalid settings: {}", self.invalid.join("; ")));
        }
        format!("configuration error: {}", parts.join("; "))
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://telepay.db";
pub const DEFAULT_HTTP_ADDR: &str = "0.0.0.0:8080";
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
pub const DEFAULT_WEBHOOK_PATH: &str = "/webhooks/telegram";

impl DatabaseConfig {
    pub fn from_raw(raw: &RawSettings) -> Result<Self, ConfigError> {
        let mut r = Reader::default();
        let db = read_database(&mut r, raw);
        r.finish(|| db)
    }
}

fn read_database(r: &mut Reader, raw: &RawSettings) -> Option<DatabaseConfig> {
    let url = r.parse(
        "DATABASE_URL",
        &raw.database_url,
        DEFAULT_DATABASE_URL,
        |s| validate_database_url(s).map(|()| s.to_owned()),
    );
    let max = r.parse(
        "DATABASE_MAX_CONNECTIONS",
        &raw.database_max_connections,
        "10",
        |s| parse_count(s, 1000),
    );
    Some(DatabaseConfig {
        url: SecretString::from(url?),
        max_connections: max?,
    })
}

/// Only the listen address: all `telepay healthcheck` needs.
pub fn http_addr_from_raw(raw: &RawSettings) -> Result<SocketAddr, ConfigError> {
    let mut r = Reader::default();
    let addr = r.parse("HTTP_ADDR", &raw.http_addr, DEFAULT_HTTP_ADDR, |s| {
        SocketAddr::from_str(s).map_err(|_| format!("{s:?} is not host:port, e.g. 0.0.0.0:8080"))
    });
    r.finish(|| addr)
}

impl Config {
    /// Validates everything `serve` needs; reports every missing and invalid variable at once.
    pub fn from_raw(raw: &RawSettings) -> Result<Self, ConfigError> {
        let mut r = Reader::default();

        let token = r.required("TELEGRAM_BOT_TOKEN", &raw.telegram_bot_token);
        if let Some(t) = &token
            && !valid_bot_token(t)
        {
            r.invalid.push(
                "TELEGRAM_BOT_TOKEN: does not look like a bot token (digits:secret from @BotFather)"
                    .into(),
            );
        }
        let api_url = r.parse(
            "TELEGRAM_API_URL",
            &raw.telegram_api_url,
            DEFAULT_TELEGRAM_API_URL,
            parse_url,
        );
        let mode_name = r.parse("TELEGRAM_MODE", &raw.telegram_mode, "polling", |s| match s
            .to_ascii_lowercase()
            .as_str()
        {
            m @ ("polling" | "webhook") => Ok(m.to_owned()),
            _ => Err(format!("{s:?} is not polling or webhook")),
        });
        let webhook_path = r.parse(
            "TELEGRAM_WEBHOOK_PATH",
            &raw.telegram_webhook_path,
            DEFAULT_WEBHOOK_PATH,
            |s| {
                if s.starts_with('/') && !s.contains(char::is_whitespace) {
                    Ok(s.to_owned())
                } else {
                    Err("must be a path starting with /".into())
                }
            },
        );
        let mode = match mode_name.as_deref() {
            Some("webhook") => {
                let secret = r.required("TELEGRAM_WEBHOOK_SECRET", &raw.telegram_webhook_secret);
                if let Some(s) = &secret
                    && let Err(why) = parse_webhook_secret(s)
                {
                    r.invalid.push(format!("TELEGRAM_WEBHOOK_SECRET: {why}"));
                }
                secret
                    .zip(webhook_path)
                    .map(|(s, path)| TelegramMode::Webhook {
                        secret: SecretString::from(s),
                        path,
                    })
            }
            Some(_) => Some(TelegramMode::Polling),
            None => None,
        };

        let database = read_database(&mut r, raw);
        let http_addr = r.parse("HTTP_ADDR", &raw.http_addr, DEFAULT_HTTP_ADDR, |s| {
            SocketAddr::from_str(s)
                .map_err(|_| format!("{s:?} is not host:port, e.g. 0.0.0.0:8080"))
        });
        let public_base_url = r
            .required("PUBLIC_BASE_URL", &raw.public_base_url)
            .and_then(|s| match parse_url(&s) {
                Ok(u) => Some(u),
                Err(why) => {
                    r.invalid.push(format!("PUBLIC_BASE_URL: {why}"));
                    None
                }
            });
        let log_format = r.parse("LOG_FORMAT", &raw.log_format, "pretty", |s| {
            match s.to_ascii_lowercase().as_str() {
                "pretty" => Ok(LogFormat::Pretty),
                "json" => Ok(LogFormat::Json),
                _ => Err(format!("{s:?} is not pretty or json")),
            }
        });
        let admin_ids = r.parse("ADMIN_IDS", &raw.admin_ids, "", parse_admin_ids);

        let nowpayments_api_key = r.secret("NOWPAYMENTS_API_KEY", &raw.nowpayments_api_key);
        let nowpayments_ipn_secret =
            r.secret("NOWPAYMENTS_IPN_SECRET", &raw.nowpayments_ipn_secret);
        let nowpayments_api_url = r.parse(
            "NOWPAYMENTS_API_URL",
            &raw.nowpayments_api_url,
            "https://api.nowpayments.io/v1",
            parse_url,
        );
        let changenow_api_key = r.secret("CHANGENOW_API_KEY", &raw.changenow_api_key);
        let changenow_api_url = r.parse(
            "CHANGENOW_API_URL",
            &raw.changenow_api_url,
            "https://api.changenow.io/v2",
            parse_url,
        );
        let evm_rpc_url = r.required("EVM_RPC_URL", &raw.evm_rpc_url);
        if let Some(u) = &evm_rpc_url
            && let Err(why) = parse_url(u)
        {
            r.invalid.push(format!("EVM_RPC_URL: {why}"));
        }
        let evm_chain_id = r.parse("EVM_CHAIN_ID", &raw.evm_chain_id, "1", |s| {
            s.parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{s:?} is not a chain id"))
        });
        let host_asset = r.parse("HOST_ASSET", &raw.host_asset, "USDT:BSC", |s| {
            s.split_once(':')
                .map(|(c, n)| (c.trim().to_uppercase(), n.trim().to_uppercase()))
                .filter(|(c, n)| !c.is_empty() && !n.is_empty())
                .ok_or_else(|| format!("{s:?} is not CURRENCY:NETWORK"))
        });
        let host_wallet_private_key =
            r.required("HOST_WALLET_PRIVATE_KEY", &raw.host_wallet_private_key);
        if let Some(k) = &host_wallet_private_key
            && let Err(why) = parse_private_key(k)
        {
            r.invalid.push(format!("HOST_WALLET_PRIVATE_KEY: {why}"));
        }

        let rules = read_rules(&mut r, raw);
        let jobs = read_jobs(&mut r, raw);
        let http = read_http_limits(&mut r, raw);

        r.finish(|| {
            Some(Config {
                telegram: TelegramConfig {
                    token: SecretString::from(token?),
                    api_url: api_url?,
                    mode: mode?,
                },
                database: database?,
                http_addr: http_addr?,
                public_base_url: public_base_url?,
                log_format: log_format?,
                admin_ids: admin_ids?,
                providers: ProvidersConfig {
                    nowpayments_api_key,
                    nowpayments_ipn_secret,
                    nowpayments_api_url: nowpayments_api_url?,
                    changenow_api_key,
                    changenow_api_url: changenow_api_url?,
                    evm_rpc_url: SecretString::from(evm_rpc_url?),
                    evm_chain_id: evm_chain_id?,
                    host_wallet_private_key: SecretString::from(host_wallet_private_key?),
                    host_asset: host_asset?,
                },
                rules: rules?,
                jobs: jobs?,
                http: http?,
            })
        })
    }

    /// A one-screen summary for `check-config`, with every secret left out.
    pub fn summary(&self) -> String {
        let mode = match &self.telegram.mode {
            TelegramMode::Polling => "polling".to_owned(),
            TelegramMode::Webhook { path, .. } => format!("webhook at {path}"),
        };
        let db = self.database.url.expose_secret();
        let backend = if db.starts_with("sqlite") {
            "SQLite"
        } else {
            "PostgreSQL"
        };
        format!(
            "configuration OK\n  telegram: {mode} via {}\n  database: {backend}\n  http: {}\n  public url: {}\n  admins: {}\n  platform fee: {}%  tolerance: {}\n  tiers: up to {}  channels per owner: {}",
            self.telegram.api_url,
            self.http_addr,
            self.public_base_url,
            self.admin_ids.len(),
            self.rules.platform_fee_percent,
            self.rules.payment_tolerance,
            self.rules.max_tiers,
            self.rules.max_channels_per_owner,
        )
    }
}

/// A complete configuration with the default rules, for unit tests elsewhere in the crate.
#[cfg(test)]
pub(crate) mod tests_support {
    pub(crate) fn rules() -> super::RulesConfig {
        super::Config::from_raw(&super::tests::complete())
            .map(|c| c.rules)
            .unwrap_or_else(|e| panic!("test config: {e:?}"))
    }
}

#[cfg(test)]
mod tests;
