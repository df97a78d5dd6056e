//! Typed configuration, read from the environment (and an optional `.env`), validated before any
//! I/O. Every problem is reported at once; secrets are `SecretString` and never printed.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;
use url::Url;

use crate::domain::money::UsdMicros;

/// The raw settings exactly as the environment (or flags) gave them. Every field is optional
/// here so that validation can name every missing variable in one message.
#[derive(Debug, Clone, Default, Args)]
pub struct RawSettings {
    /// Bot token from @BotFather (required for serve).
    #[arg(long, env = "TELEGRAM_BOT_TOKEN", hide_env_values = true)]
    pub telegram_bot_token: Option<String>,
    /// Base URL of the Bot API.
    #[arg(long, env = "TELEGRAM_API_URL")]
    pub telegram_api_url: Option<String>,
    /// How updates arrive: polling (default) or webhook.
    #[arg(long, env = "TELEGRAM_MODE")]
    pub telegram_mode: Option<String>,
    /// Secret echoed by Telegram on webhook calls (required in webhook mode).
    #[arg(long, env = "TELEGRAM_WEBHOOK_SECRET", hide_env_values = true)]
    pub telegram_webhook_secret: Option<String>,
    /// Path of the Telegram webhook on our server.
    #[arg(long, env = "TELEGRAM_WEBHOOK_PATH")]
    pub telegram_webhook_path: Option<String>,
    /// sqlite://telepay.db (default) or postgres://user@host/db.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Maximum database connections.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS")]
    pub database_max_connections: Option<String>,
    /// Address the HTTP server listens on.
    #[arg(long, env = "HTTP_ADDR")]
    pub http_addr: Option<String>,
    /// Public https base URL of this server (IPN callbacks, payment pages, webhook).
    #[arg(long, env = "PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
    /// Log format: pretty or json.
    #[arg(long, env = "LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Comma-separated Telegram user ids of the operators.
    #[arg(long, env = "ADMIN_IDS")]
    pub admin_ids: Option<String>,
    /// NOWPayments API key (required for serve).
    #[arg(long, env = "NOWPAYMENTS_API_KEY", hide_env_values = true)]
    pub nowpayments_api_key: Option<String>,
    /// NOWPayments IPN secret (required for serve).
    #[arg(long, env = "NOWPAYMENTS_IPN_SECRET", hide_env_values = true)]
    pub nowpayments_ipn_secret: Option<String>,
    /// NOWPayments API base URL.
    #[arg(long, env = "NOWPAYMENTS_API_URL")]
    pub nowpayments_api_url: Option<String>,
    /// ChangeNOW API key (required for serve).
    #[arg(long, env = "CHANGENOW_API_KEY", hide_env_values = true)]
    pub changenow_api_key: Option<String>,
    /// ChangeNOW API base URL.
    #[arg(long, env = "CHANGENOW_API_URL")]
    pub changenow_api_url: Option<String>,
    /// EVM JSON-RPC URL of the host wallet's chain (required for serve).
    #[arg(long, env = "EVM_RPC_URL", hide_env_values = true)]
    pub evm_rpc_url: Option<String>,
    /// EVM chain id of the host wallet.
    #[arg(long, env = "EVM_CHAIN_ID")]
    pub evm_chain_id: Option<String>,
    /// What the host wallet holds and pays with, as CURRENCY:NETWORK from the supported
    /// currencies on the EVM chain (default USDT:BSC).
    #[arg(long, env = "HOST_ASSET")]
    pub host_asset: Option<String>,
    /// Hex private key of the platform's host wallet (required for serve).
    #[arg(long, env = "HOST_WALLET_PRIVATE_KEY", hide_env_values = true)]
    pub host_wallet_private_key: Option<String>,
    /// Platform fee in percent of each payment's USD value.
    #[arg(long, env = "PLATFORM_FEE_PERCENT")]
    pub platform_fee_percent: Option<String>,
    /// Share of the price that counts as paid in full (0.97 = 3% under).
    #[arg(long, env = "PAYMENT_TOLERANCE")]
    pub payment_tolerance: Option<String>,
    /// Lowest tier price in USD.
    #[arg(long, env = "MIN_PRICE_USD")]
    pub min_price_usd: Option<String>,
    /// Lowest donation in USD.
    #[arg(long, env = "MIN_DONATION_USD")]
    pub min_donation_usd: Option<String>,
    /// Lowest payout threshold in USD.
    #[arg(long, env = "MIN_THRESHOLD_USD")]
    pub min_threshold_usd: Option<String>,
    /// Pending volatile value that triggers a USDT conversion.
    #[arg(long, env = "MIN_CONVERSION_USD")]
    pub min_conversion_usd: Option<String>,
    /// Tiers per channel.
    #[arg(long, env = "MAX_TIERS")]
    pub max_tiers: Option<String>,
    /// Channels per owner.
    #[arg(long, env = "MAX_CHANNELS_PER_OWNER")]
    pub max_channels_per_owner: Option<String>,
    /// Lifetime of a one-time invite link, e.g. 24h.
    #[arg(long, env = "INVITE_TTL")]
    pub invite_ttl: Option<String>,
    /// Lifetime of an invoice before a new one is made, e.g. 1h.
    #[arg(long, env = "INVOICE_TTL")]
    pub invoice_ttl: Option<String>,
    /// Reminders before expiry, e.g. 72h,24h,1h.
    #[arg(long, env = "REMINDER_OFFSETS")]
    pub reminder_offsets: Option<String>,
    /// How often pending volatile funds are converted to USDT.
    #[arg(long, env = "CONVERSION_INTERVAL")]
    pub conversion_interval: Option<String>,
    /// How often threshold batch payouts run.
    #[arg(long, env = "BATCH_INTERVAL")]
    pub batch_interval: Option<String>,
    /// How often expired subscriptions are swept.
    #[arg(long, env = "EXPIRY_INTERVAL")]
    pub expiry_interval: Option<String>,
    /// First retry delay of a failed job.
    #[arg(long, env = "JOB_RETRY_BASE")]
    pub job_retry_base: Option<String>,
    /// Longest retry delay of a failed job.
    #[arg(long, env = "JOB_RETRY_CAP")]
    pub job_retry_cap: Option<String>,
    /// A job that keeps failing is given up after this long.
    #[arg(long, env = "JOB_GIVE_UP_AFTER")]
    pub job_give_up_after: Option<String>,
    /// How long a running job stays claimed without a heartbeat (renewed every third of it);
    /// a crashed worker's jobs are taken over this long after its last heartbeat.
    #[arg(long, env = "JOB_LEASE")]
    pub job_lease: Option<String>,
    /// A client must send a request's headers within this long, e.g. 10s.
    #[arg(long, env = "HTTP_HEADER_TIMEOUT")]
    pub http_header_timeout: Option<String>,
    /// A request (headers, body and our answer) must be done within this long, e.g. 30s.
    #[arg(long, env = "HTTP_REQUEST_TIMEOUT")]
    pub http_request_timeout: Option<String>,
    /// Largest request body in bytes on any route.
    #[arg(long, env = "HTTP_MAX_BODY_BYTES")]
    pub http_max_body_bytes: Option<String>,
    /// Requests handled at once; more are answered 503 at once.
    #[arg(long, env = "HTTP_MAX_CONCURRENT_REQUESTS")]
    pub http_max_concurrent_requests: Option<String>,
}

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

/// Collects problems while reading the raw settings.
#[derive(Default)]
struct Reader {
    missing: Vec<&'static str>,
    invalid: Vec<String>,
}

/// A value is present only when it is non-empty after trimming (lesson 48: stray newlines).
fn clean(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Reader {
    fn required(&mut self, name: &'static str, v: &Option<String>) -> Option<String> {
        let got = clean(v).map(str::to_owned);
        if got.is_none() {
            self.missing.push(name);
        }
        got
    }

    fn secret(&mut self, name: &'static str, v: &Option<String>) -> SecretString {
        SecretString::from(self.required(name, v).unwrap_or_default())
    }

    /// Parses an optional value with `parse`, falling back to `default`.
    fn parse<T>(
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

    fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ConfigError> {
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

fn parse_url(s: &str) -> Result<Url, String> {
    let u = Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
    match u.scheme() {
        "http" | "https" => Ok(u),
        other => Err(format!("scheme {other} is not http or https")),
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{s:?} is not a duration ({e})"))?;
    if d.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

fn parse_decimal(s: &str) -> Result<Decimal, String> {
    Decimal::from_str_exact(s).map_err(|_| format!("{s:?} is not a decimal number"))
}

fn parse_usd(s: &str) -> Result<UsdMicros, String> {
    UsdMicros::parse_setting(s).map_err(|e| format!("{s:?}: {e}"))
}

fn parse_count(s: &str, max: u32) -> Result<u32, String> {
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

fn parse_admin_ids(s: &str) -> Result<BTreeSet<i64>, String> {
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

fn parse_webhook_secret(s: &str) -> Result<(), String> {
    let ok = (1..=256).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err("must be 1-256 characters of A-Z, a-z, 0-9, _ and -".into())
    }
}

fn parse_private_key(s: &str) -> Result<(), String> {
    let hex_part = s.strip_prefix("0x").unwrap_or(s);
    if hex_part.len() == 64 && hex_part.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err("must be 32 bytes of hex (64 hex digits, optional 0x)".into())
    }
}

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

fn read_rules(r: &mut Reader, raw: &RawSettings) -> Option<RulesConfig> {
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
    })
}

/// A lease shorter than this would be renewed more often than a database round trip under load
/// can promise; one longer than this makes a crashed worker's jobs wait too long.
const MIN_JOB_LEASE: Duration = Duration::from_secs(5);
const MAX_JOB_LEASE: Duration = Duration::from_secs(3600);

fn read_jobs(r: &mut Reader, raw: &RawSettings) -> Option<JobsConfig> {
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

fn read_http_limits(r: &mut Reader, raw: &RawSettings) -> Option<HttpLimits> {
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
mod tests {
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
}
