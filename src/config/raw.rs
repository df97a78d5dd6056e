//! The settings exactly as the environment (or flags) gave them, before any validation.

use clap::Args;

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
    /// Sell tiers for Telegram Stars too (true/false, default false).
    #[arg(long, env = "STARS_ENABLED")]
    pub stars_enabled: Option<String>,
    /// USD per Star the owner's share is valued at, net of Telegram's share (e.g. 0.013);
    /// required when STARS_ENABLED is true.
    #[arg(long, env = "STARS_USD_RATE")]
    pub stars_usd_rate: Option<String>,
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
