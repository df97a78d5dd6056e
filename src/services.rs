//! The shared context: what every rule, job, handler and route is given (database, clock,
//! configuration, the clients of the outside world). It sits low in the module tree, below the
//! rules and the front doors that use it, so they never import the composition root
//! (`app`), which builds it.

use std::sync::Arc;

use secrecy::ExposeSecret;
use teloxide::Bot;
use teloxide::adaptors::Throttle;
use tokio::sync::Notify;

use crate::config::Config;
use crate::domain::time::SharedClock;
use crate::payouts::wallet::HostWallet;
use crate::providers::changenow::ChangeNowClient;
use crate::providers::nowpayments::NowPaymentsClient;
use crate::store::Db;
use crate::telemetry::redact;
use crate::telemetry::telegram::Counted;

/// The bot every part of the process sends with: one shared `Throttle`, so all outgoing
/// messages share one rate budget (1/s per chat, 30/s overall), over a `Counted` bot, so every
/// HTTP attempt (429s and the throttle's retries included) is counted in
/// `telepay_telegram_requests_total`.
pub type TgBot = Throttle<Counted<Bot>>;

/// Everything handlers, routes and jobs share.
pub struct AppContext {
    pub db: Db,
    pub clock: SharedClock,
    pub config: Arc<Config>,
    pub bot: TgBot,
    /// Poked after enqueuing a job so the runner picks it up at once.
    pub jobs_wake: Arc<Notify>,
    pub nowpayments: NowPaymentsClient,
    pub changenow: ChangeNowClient,
    /// The platform's EVM wallet that pays exchanges and owners.
    pub wallet: Arc<HostWallet>,
    /// The bot's @username, for links back to it.
    pub bot_username: String,
    /// The bot's own user id, to check its rights in channels.
    pub bot_id: teloxide::types::UserId,
}

pub type Ctx = Arc<AppContext>;

impl AppContext {
    /// `text` with the bot token and other secrets removed, for logs and error messages.
    pub fn redact(&self, text: &str) -> String {
        let p = &self.config.providers;
        redact(
            text,
            &[
                self.config.telegram.token.expose_secret(),
                p.nowpayments_api_key.expose_secret(),
                p.nowpayments_ipn_secret.expose_secret(),
                p.changenow_api_key.expose_secret(),
                p.host_wallet_private_key.expose_secret(),
            ],
        )
    }
}
