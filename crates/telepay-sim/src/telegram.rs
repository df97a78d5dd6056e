//! A stateful, in-process simulator of the Telegram Bot API.
//!
//! It serves `/bot{token}/{method}` over real HTTP on `127.0.0.1:<random>`, so the
//! production `teloxide::Bot` can be pointed at it with
//! `Bot::new(sim.token()).set_api_url(sim.api_url())`. It keeps users, chats,
//! members, invite links, join requests and messages, validates requests with the
//! exact error strings teloxide matches, enforces flood limits, queues updates for
//! `getUpdates` or POSTs them to a webhook, and records every call for assertions.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use telepay_sim::telegram::{NewUser, SimConfig, TelegramSim};
//! let sim = TelegramSim::start(SimConfig::default()).await?;
//! let alice = sim.add_user(NewUser::new(1001, "Alice"));
//! sim.send_text(alice, "/start")?;
//! # Ok(()) }
//! ```

mod commands;
mod delivery;
mod html;
mod inject;
mod inspect;
mod limits;
mod markdown;
mod methods;
mod model;
mod multipart;
mod objects;
mod params;
mod payments;
mod records;
mod server;
mod state;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::Notify;

pub use commands::CommandScope;
pub use limits::RateLimits;
pub use model::{AdminRights, ChatKind, MemberStatus, NewChat, NewUser, SimChat, SimUser};
pub use payments::{PayOutcome, StarCharge};
pub use records::{
    DeliveryRecord, Injected, InviteLink, JoinOutcome, JoinRequest, RecordedCall, SimDocument,
    SimError, SimMessage, SimPhoto, UploadedFile,
};

use crate::harness::{self, Hub, Stop, StopOnDrop};
use state::State;

/// Settings of one simulator instance. `Default` gives a ready-to-use bot.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Address to listen on; the default `127.0.0.1:0` picks a free port, a fixed
    /// one suits the offline demo.
    pub bind: SocketAddr,
    /// Full bot token, `<bot id>:<secret>`; the numeric prefix becomes the bot's user id.
    pub token: String,
    /// The bot's username, without `@` (teloxide's command parser needs one).
    pub bot_username: String,
    /// The bot's display name.
    pub bot_first_name: String,
    /// Flood limits applied to `send*` methods.
    pub limits: RateLimits,
    /// How many times one update is POSTed to the webhook before it is dropped.
    pub webhook_tries: u32,
    /// Pause between two webhook attempts for the same update.
    pub webhook_retry_interval: Duration,
    /// Upper bound for a `getUpdates` long poll, whatever `timeout` the client asks
    /// for; teloxide's HTTP client gives up after 17 s, so stay well below that.
    pub long_poll_cap: Duration,
    /// A callback query must be answered within this time, as on Telegram.
    pub callback_answer_timeout: Duration,
    /// A `pre_checkout_query` must be answered within this time (10 s on Telegram),
    /// or the payment fails and a late answer is refused.
    pub pre_checkout_timeout: Duration,
    /// Require `https` and ports 80/88/443/8443 in `setWebhook`, as Telegram does.
    /// Off by default so tests can use a plain-HTTP receiver on a random port.
    pub strict_webhook_url: bool,
    /// Refuse a bare `&` that does not start an entity in HTML text. Real Telegram
    /// keeps such an `&` literally; refusing it catches missing escaping early.
    pub strict_html_ampersand: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            token: "7000000001:AAF-sim-secret-token-0123456789abcdef".to_owned(),
            bot_username: "telepay_sim_bot".to_owned(),
            bot_first_name: "TelePay".to_owned(),
            limits: RateLimits::default(),
            webhook_tries: 3,
            webhook_retry_interval: Duration::from_millis(200),
            long_poll_cap: Duration::from_secs(10),
            callback_answer_timeout: Duration::from_secs(15),
            pre_checkout_timeout: Duration::from_secs(10),
            strict_webhook_url: false,
            strict_html_ampersand: true,
        }
    }
}

/// What every task of one simulator shares.
pub(crate) struct Shared {
    pub(crate) config: SimConfig,
    pub(crate) bot_id: i64,
    /// The state, woken on every recorded call or state change; `wait_until` sleeps on it.
    pub(crate) hub: Hub<State>,
    /// Woken when the update queue, the poller generation or the webhook changes.
    pub(crate) updates: Notify,
    pub(crate) http: reqwest::Client,
}

impl Shared {
    /// Locks the state; a panic in another holder must not cascade into every test.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.hub.state()
    }

    /// Wakes every waiter after a mutation.
    pub(crate) fn touch(&self) {
        self.hub.touch();
        self.updates.notify_waiters();
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.hub.is_stopping()
    }
}

impl Stop for Shared {
    /// Pending long polls and the webhook worker see the stop at once.
    fn stop(&self) {
        self.hub.stop();
        self.updates.notify_waiters();
    }
}

/// Handle to a running simulator. Cheap to clone; the server stops when the last
/// clone is dropped or on [`TelegramSim::shutdown`].
#[derive(Clone)]
pub struct TelegramSim {
    pub(crate) shared: Arc<Shared>,
    _stop: Arc<StopOnDrop>,
    addr: SocketAddr,
    api_url: url::Url,
}

impl std::fmt::Debug for TelegramSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramSim")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl TelegramSim {
    /// Binds `config.bind` (a random local port by default), spawns the HTTP server and the webhook worker, and
    /// returns the handle. Must be called inside a tokio runtime.
    pub async fn start(config: SimConfig) -> anyhow::Result<Self> {
        let bot_id = parse_bot_id(&config.token)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .context("building the webhook HTTP client")?;
        let state = State::new(&config, bot_id);
        let bind = config.bind;
        let shared = Arc::new(Shared {
            config,
            bot_id,
            hub: Hub::new(state),
            updates: Notify::new(),
            http,
        });
        let addr = harness::serve(
            "Telegram",
            bind,
            server::router(shared.clone()),
            shared.hub.stopped(),
        )
        .await?;
        let api_url = url::Url::parse(&format!("http://{addr}/"))?;
        tokio::spawn(delivery::webhook_worker(shared.clone()));
        Ok(Self {
            _stop: StopOnDrop::new(shared.clone()),
            shared,
            addr,
            api_url,
        })
    }

    /// Base URL to give teloxide (`Bot::set_api_url`); ends in `/`.
    pub fn api_url(&self) -> url::Url {
        self.api_url.clone()
    }

    /// The socket address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bot token requests must carry.
    pub fn token(&self) -> &str {
        &self.shared.config.token
    }

    /// The bot's user id (the numeric prefix of the token).
    pub fn bot_id(&self) -> i64 {
        self.shared.bot_id
    }

    /// The bot's username, without `@`.
    pub fn bot_username(&self) -> &str {
        &self.shared.config.bot_username
    }

    /// Stops the HTTP server and the webhook worker; pending long polls return at once.
    pub fn shutdown(&self) {
        self.shared.stop();
    }
}

fn parse_bot_id(token: &str) -> anyhow::Result<i64> {
    let (id, secret) = token
        .split_once(':')
        .context("bot token must look like `<id>:<secret>`")?;
    anyhow::ensure!(!secret.is_empty(), "bot token secret is empty");
    let id: i64 = id
        .parse()
        .context("bot token must start with the numeric bot id")?;
    anyhow::ensure!(id > 0, "bot id must be positive");
    Ok(id)
}
