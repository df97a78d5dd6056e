//! The simulated world `demo` and `sandbox` run in: the four simulators on loopback ports,
//! wired like the real systems, and the real application (the same bot, HTTP server and jobs
//! as `serve`) configured to talk to them, on a temporary SQLite file or a given database,
//! with a clock that moves only when told to.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::{Address, U256};
use anyhow::{Context as _, bail};
use telepay::app::{Application, BuildOptions};
use telepay::config::{Config, RawSettings};
use telepay::domain::time::{Clock as _, ManualClock, UnixMillis};
use telepay::jobs::{JobRunner, Scheduler};
use telepay::services::Ctx;
use telepay_sim::changenow::{ChangeNowSim, CnSimConfig};
use telepay_sim::evm::{EvmSim, EvmSimConfig};
use telepay_sim::nowpayments::{NowPaymentsSim, NpSimConfig};
use telepay_sim::telegram::{SimConfig, TelegramSim};
use telepay_sim::world::{ChainToken, link_exchange_and_chain};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Keys that exist only inside the simulators.
const NP_API_KEY: &str = "offline-nowpayments-key";
const NP_IPN_SECRET: &str = "offline-nowpayments-ipn-secret";
const CN_API_KEY: &str = "offline-changenow-key";
/// The simulated chain's id (a local development chain's, never a real network's).
pub const CHAIN_ID: u64 = 31337;
/// The host wallet's key on the simulated chain only; it holds nothing anywhere else.
const HOST_KEY: &str = "0x4646464646464646464646464646464646464646464646464646464646464646";
/// USDT on BSC as the product's seeded currency table has it (18 decimals): the host asset.
const HOST_USDT: &str = "0x55d398326f99059fF775485246999027B3197955";
/// The host wallet starts with this much USDT, and 1 BNB for gas.
const HOST_USDT_START: u128 = 10_000;

/// What the world is started with.
#[derive(Debug, Clone)]
pub struct WorldOptions {
    /// `None`: a temporary SQLite file, deleted at the end.
    pub database_url: Option<String>,
    /// The application's HTTP address (loopback only).
    pub http_addr: SocketAddr,
    /// Telegram user ids that are admins.
    pub admin_ids: Vec<i64>,
    /// `Some(USD per Star)`: Telegram Stars on (`STARS_ENABLED`, `STARS_USD_RATE`).
    pub stars_usd_rate: Option<String>,
}

impl Default for WorldOptions {
    fn default() -> Self {
        Self {
            database_url: None,
            http_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            admin_ids: Vec::new(),
            stars_usd_rate: None,
        }
    }
}

pub struct World {
    pub tg: TelegramSim,
    pub np: NowPaymentsSim,
    pub cn: ChangeNowSim,
    pub evm: EvmSim,
    pub clock: ManualClock,
    pub ctx: Ctx,
    pub runner: Arc<JobRunner>,
    pub scheduler: Scheduler,
    /// Where the application's HTTP server listens.
    pub addr: SocketAddr,
    pub host_wallet: Address,
    pub usdt: Address,
    /// The database the application runs on (the temporary SQLite file or the given one).
    pub database_url: String,
    cancel: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    _tmp: Option<tempfile::TempDir>,
}

impl World {
    /// Starts the simulators, then the application on them. `extra_routes` are served by the
    /// application's own HTTP server (the sandbox page).
    pub async fn start(
        opts: WorldOptions,
        extra_routes: Option<axum::Router>,
    ) -> anyhow::Result<World> {
        if !opts.http_addr.ip().is_loopback() {
            bail!(
                "the offline commands listen on loopback only, not {}",
                opts.http_addr
            );
        }
        let (database_url, tmp) = match opts.database_url {
            Some(url) => (url, None),
            None => {
                let dir = tempfile::tempdir().context("creating a temporary directory")?;
                let url = format!(
                    "sqlite://{}",
                    dir.path().join("telepay-offline.db").display()
                );
                (url, Some(dir))
            }
        };
        let tg = TelegramSim::start(SimConfig::default())
            .await
            .context("starting the Telegram simulator")?;
        let np = NowPaymentsSim::start(NpSimConfig {
            api_key: NP_API_KEY.into(),
            ipn_secret: NP_IPN_SECRET.into(),
            ipn_timeout: Duration::from_secs(10),
            ipn_retries: 5,
            invoice_url_base: "https://nowpayments.sim".into(),
            ..NpSimConfig::default()
        })
        .await
        .context("starting the NOWPayments simulator")?;
        let cn = ChangeNowSim::start(CnSimConfig {
            api_key: CN_API_KEY.into(),
            auto_finish: false,
            ..CnSimConfig::default()
        })
        .await
        .context("starting the ChangeNOW simulator")?;
        let evm = EvmSim::start(EvmSimConfig {
            chain_id: CHAIN_ID,
            ..EvmSimConfig::default()
        })
        .await
        .context("starting the EVM simulator")?;
        let host_wallet = alloy_signer_local::PrivateKeySigner::from_str(HOST_KEY)
            .context("the offline host key")?
            .address();
        let usdt = Address::from_str(HOST_USDT).context("the USDT contract")?;
        evm.register_token(usdt, "USDT", 18);
        evm.fund_native(host_wallet, U256::from(10u128.pow(18)));
        evm.mint_token(
            usdt,
            host_wallet,
            U256::from(HOST_USDT_START) * U256::from(10u128.pow(18)),
        )
        .map_err(|e| anyhow::anyhow!("funding the host wallet: {e}"))?;
        link_exchange_and_chain(
            &cn,
            &evm,
            &ChainToken {
                contract: usdt,
                symbol: "USDT".into(),
                decimals: 18,
                ticker: "usdt".into(),
                network: "bsc".into(),
            },
        );

        let listener = TcpListener::bind(opts.http_addr)
            .await
            .with_context(|| format!("binding {}", opts.http_addr))?;
        let addr = listener.local_addr()?;
        let admin_ids = opts
            .admin_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let raw = RawSettings {
            telegram_bot_token: Some(tg.token().to_owned()),
            telegram_api_url: Some(tg.api_url().to_string()),
            database_url: Some(database_url.clone()),
            http_addr: Some(addr.to_string()),
            public_base_url: Some(format!("http://{addr}")),
            admin_ids: Some(admin_ids),
            nowpayments_api_key: Some(NP_API_KEY.into()),
            nowpayments_ipn_secret: Some(NP_IPN_SECRET.into()),
            nowpayments_api_url: Some(np.api_url().to_string()),
            changenow_api_key: Some(CN_API_KEY.into()),
            changenow_api_url: Some(cn.base_url().to_string()),
            evm_rpc_url: Some(evm.url().to_string()),
            evm_chain_id: Some(CHAIN_ID.to_string()),
            host_wallet_private_key: Some(HOST_KEY.into()),
            stars_enabled: Some(opts.stars_usd_rate.is_some().to_string()),
            stars_usd_rate: opts.stars_usd_rate.clone(),
            ..RawSettings::default()
        };
        let config = Config::from_raw(&raw).context("the offline configuration")?;
        let clock = ManualClock::starting_now();
        let app = Application::build_with(
            config,
            BuildOptions {
                clock: Some(Arc::new(clock.clone())),
                listener: Some(listener),
                manual_timers: true,
                extra_routes,
            },
        )
        .await
        .context("starting TelePay on the simulators")?;
        let (ctx, runner, scheduler) = (app.context(), app.runner(), app.scheduler());
        let cancel = CancellationToken::new();
        let task = tokio::spawn(app.run_until_stopped(cancel.clone()));
        Ok(World {
            tg,
            np,
            cn,
            evm,
            clock,
            ctx,
            runner,
            scheduler,
            addr,
            host_wallet,
            usdt,
            database_url,
            cancel,
            task: Some(task),
            _tmp: tmp,
        })
    }

    pub fn now(&self) -> UnixMillis {
        self.clock.now()
    }

    /// Runs every due timer, then every job until the queue is quiet (nothing claimed and
    /// nothing running twice in a row: the application's own runner works beside us).
    pub async fn settle(&self) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        self.np
            .wait_idle(Duration::from_secs(30))
            .await
            .map_err(|e| anyhow::anyhow!("NOWPayments' IPNs did not arrive: {e}"))?;
        self.scheduler
            .run_due()
            .await
            .context("running the timers")?;
        let mut quiet = 0;
        while quiet < 2 {
            if tokio::time::Instant::now() > deadline {
                bail!("the job queue did not become quiet within 60 s");
            }
            let r = self.runner.run_until_idle().await.context("running jobs")?;
            let counts = self.ctx.db.job_counts().await.context("counting jobs")?;
            let busy = counts.iter().any(|(state, n)| state == "running" && *n > 0);
            if busy || r.claimed > 0 {
                quiet = 0;
                tokio::time::sleep(Duration::from_millis(20)).await;
            } else {
                quiet += 1;
            }
        }
        Ok(())
    }

    /// Moves the clock (of the application and of the Telegram simulator) and settles.
    pub async fn advance(&self, by: Duration) -> anyhow::Result<()> {
        self.clock.advance(by);
        self.tg.advance_clock(by);
        self.settle().await
    }

    /// Stops the application and the simulators.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.cancel.cancel();
        let result = match self.task.take() {
            Some(task) => match tokio::time::timeout(Duration::from_secs(15), task).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => Err(anyhow::anyhow!("the application crashed: {e}")),
                Err(_) => Err(anyhow::anyhow!("the application did not stop within 15 s")),
            },
            None => Ok(()),
        };
        self.tg.shutdown();
        self.np.shutdown();
        self.cn.shutdown();
        self.evm.shutdown();
        result
    }
}
