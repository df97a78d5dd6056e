//! `spawn_app()`: the real application on its own ports and database, talking to the Telegram
//! simulator over HTTP, with a clock the test controls.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use std::str::FromStr;
use telepay::app::{Application, BuildOptions};
use telepay::config::{Config, RawSettings};
use telepay::domain::time::ManualClock;
use telepay::jobs::{JobRunner, RunReport, Scheduler};
use telepay::services::Ctx;
use telepay_sim::nowpayments::{NowPaymentsSim, NpSimConfig};
use telepay_sim::telegram::{Injected, NewUser, RecordedCall, SimConfig, SimMessage, TelegramSim};

use alloy_primitives::{Address, U256};
use telepay_sim::changenow::{ChangeNowSim, CnSimConfig};
use telepay_sim::evm::{EvmSim, EvmSimConfig};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::db::{Backend, TestDb};
use super::wait::eventually;

/// How long a test waits for the bot before failing.
pub const WAIT: Duration = Duration::from_secs(10);

pub const WEBHOOK_SECRET: &str = "test_webhook_Secret-123";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Polling,
    Webhook,
}

pub struct TestApp {
    pub tg: TelegramSim,
    pub np: NowPaymentsSim,
    pub cn: ChangeNowSim,
    pub evm: EvmSim,
    pub ctx: Ctx,
    pub addr: SocketAddr,
    pub clock: ManualClock,
    pub runner: Arc<JobRunner>,
    pub scheduler: Scheduler,
    pub http: reqwest::Client,
    cancel: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    pub raw: RawSettings,
    _db: TestDb,
}

/// Settings a test environment gives the app: everything valid, providers pointing nowhere
/// they could reach (no test here talks to them).
pub const NP_API_KEY: &str = "np-test-key";
pub const CN_API_KEY: &str = "cn-test-key";
pub const EVM_CHAIN_ID: u64 = 31337;
/// The test host wallet's key (as in `test_settings`).
pub const HOST_KEY: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
/// USDT on BSC as the seeded table has it (18 decimals): the default HOST_ASSET.
pub const HOST_USDT: &str = "0x55d398326f99059fF775485246999027B3197955";

pub fn host_address() -> Address {
    alloy_signer_local::PrivateKeySigner::from_str(HOST_KEY)
        .expect("test key")
        .address()
}

pub fn usdt_contract() -> Address {
    Address::from_str(HOST_USDT).expect("contract")
}

/// ChangeNOW and an EVM chain, wired like the world: a transfer mined to an exchange's payin
/// address is the deposit ChangeNOW sees; ChangeNOW's payouts of USDT/BSC to an EVM address
/// arrive on the chain. The host wallet starts with 1 BNB for gas and 10,000 USDT.
pub async fn start_payout_sims() -> (ChangeNowSim, EvmSim) {
    let cn = ChangeNowSim::start(CnSimConfig {
        api_key: CN_API_KEY.into(),
        auto_finish: false,
        ..CnSimConfig::default()
    })
    .await
    .expect("start the ChangeNOW simulator");
    let evm = EvmSim::start(EvmSimConfig {
        chain_id: EVM_CHAIN_ID,
        ..EvmSimConfig::default()
    })
    .await
    .expect("start the EVM simulator");
    evm.register_token(usdt_contract(), "USDT", 18);
    evm.fund_native(host_address(), U256::from(10u128.pow(18)));
    evm.mint_token(
        usdt_contract(),
        host_address(),
        U256::from(10_000u128) * U256::from(10u128.pow(18)),
    )
    .expect("mint");
    telepay_sim::world::link_exchange_and_chain(
        &cn,
        &evm,
        &telepay_sim::world::ChainToken {
            contract: usdt_contract(),
            symbol: "USDT".into(),
            decimals: 18,
            ticker: "usdt".into(),
            network: "bsc".into(),
        },
    );
    (cn, evm)
}
pub const NP_IPN_SECRET: &str = "np-test-ipn-secret";

/// The four simulators as every test starts them (Telegram, NOWPayments with the test keys,
/// and ChangeNOW wired to the EVM chain).
pub async fn start_sims() -> (TelegramSim, NowPaymentsSim, ChangeNowSim, EvmSim) {
    let tg = TelegramSim::start(SimConfig::default())
        .await
        .expect("start the Telegram simulator");
    let np = NowPaymentsSim::start(NpSimConfig {
        api_key: NP_API_KEY.into(),
        ipn_secret: NP_IPN_SECRET.into(),
        // A loaded test machine may answer slowly; these tests are about our side.
        ipn_timeout: Duration::from_secs(10),
        ipn_retries: 5,
        ..NpSimConfig::default()
    })
    .await
    .expect("start the NOWPayments simulator");
    let (cn, evm) = start_payout_sims().await;
    (tg, np, cn, evm)
}

pub fn test_settings(tg: &TelegramSim, db: &TestDb, public_base_url: &str) -> RawSettings {
    RawSettings {
        telegram_bot_token: Some(tg.token().to_owned()),
        telegram_api_url: Some(tg.api_url().to_string()),
        database_url: Some(db.url.clone()),
        http_addr: Some("127.0.0.1:0".into()),
        public_base_url: Some(public_base_url.to_owned()),
        admin_ids: Some("900001".into()),
        nowpayments_api_key: Some(NP_API_KEY.into()),
        nowpayments_ipn_secret: Some(NP_IPN_SECRET.into()),
        changenow_api_key: Some("cn-test-key".into()),
        evm_rpc_url: Some("http://127.0.0.1:9/".into()),
        host_wallet_private_key: Some(format!("0x{}", "11".repeat(32))),
        ..RawSettings::default()
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Mode::Polling, |_| {}).await
}

/// None when the backend is PostgreSQL and no server is configured (the test skips).
pub async fn spawn_app_with(
    backend: Backend,
    mode: Mode,
    adjust: impl FnOnce(&mut RawSettings),
) -> Option<TestApp> {
    if std::env::var("TEST_LOG").is_ok() {
        telepay::telemetry::init_logging(telepay::config::LogFormat::Pretty);
    }
    let db = TestDb::new(backend).await?;
    let (tg, np, cn, evm) = start_sims().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a port");
    let addr = listener.local_addr().expect("local addr");
    let mut raw = test_settings(&tg, &db, &format!("http://{addr}"));
    raw.nowpayments_api_url = Some(np.api_url().to_string());
    raw.changenow_api_url = Some(cn.base_url().to_string());
    raw.changenow_api_key = Some(CN_API_KEY.into());
    raw.evm_rpc_url = Some(evm.url().to_string());
    raw.evm_chain_id = Some(EVM_CHAIN_ID.to_string());
    if mode == Mode::Webhook {
        raw.telegram_mode = Some("webhook".into());
        raw.telegram_webhook_secret = Some(WEBHOOK_SECRET.into());
    }
    adjust(&mut raw);
    let clock = ManualClock::starting_now();
    let (app, cancel, task) = launch(&raw, &clock, listener).await;
    Some(TestApp {
        tg,
        np,
        cn,
        evm,
        ctx: app.0,
        addr,
        clock,
        runner: app.1,
        scheduler: app.2,
        http: reqwest::Client::new(),
        cancel,
        task: Some(task),
        raw,
        _db: db,
    })
}

impl TestApp {
    /// A Telegram user who has opened the bot, with a language (or none).
    pub fn user(&self, id: i64, first_name: &str, lang: Option<&str>) -> i64 {
        let mut u = NewUser::new(id, first_name).started();
        if let Some(l) = lang {
            u = u.language(l);
        }
        self.tg.add_user(u)
    }

    pub fn send_text(&self, user: i64, text: &str) -> Injected {
        self.tg
            .send_text(user, text)
            .expect("the simulator accepts the message")
    }

    /// Presses a button that exists on one of the bot's messages.
    pub fn press(&self, user: i64, message_id: i32, data: &str) -> Injected {
        self.tg
            .press_button(user, message_id, data)
            .expect("the button exists")
    }

    /// Waits for a bot message in the user's private chat that satisfies `pred`.
    pub async fn reply(&self, user: i64, pred: impl FnMut(&SimMessage) -> bool) -> SimMessage {
        self.tg
            .wait_for_message(user, WAIT, pred)
            .await
            .expect("the bot answered in time")
    }

    /// Waits for a bot message whose text contains `needle`.
    pub async fn reply_containing(&self, user: i64, needle: &str) -> SimMessage {
        self.reply(user, |m| {
            m.from_bot && m.text.as_deref().is_some_and(|t| t.contains(needle))
        })
        .await
    }

    /// How many of the bot's messages to `user` contain `needle` so far.
    pub fn count_containing(&self, user: i64, needle: &str) -> usize {
        self.tg
            .messages_in(user)
            .iter()
            .filter(|m| m.from_bot && m.text.as_deref().is_some_and(|t| t.contains(needle)))
            .count()
    }

    /// Waits for the `n`-th (0-based) bot message to `user` containing `needle`.
    pub async fn nth_reply_containing(&self, user: i64, needle: &str, n: usize) -> SimMessage {
        self.tg
            .wait_until(WAIT, |tg| {
                tg.messages_in(user)
                    .into_iter()
                    .filter(|m| m.from_bot && m.text.as_deref().is_some_and(|t| t.contains(needle)))
                    .nth(n)
            })
            .await
            .unwrap_or_else(|_| {
                let recent: Vec<String> = self
                    .tg
                    .messages_in(user)
                    .into_iter()
                    .rev()
                    .take(6)
                    .map(|m| format!("{}: {:?}", if m.from_bot { "bot" } else { "user" }, m.text))
                    .collect();
                panic!("no reply #{n} containing {needle:?} in time; latest first: {recent:#?}")
            })
    }

    /// An operator presses the `a:?:<op>` button on `message_id`; waits for the confirmation it
    /// brings (a new bot message whose ✅ button carries `a:!:<admin>:<op>`) and returns it,
    /// unpressed.
    pub async fn ask(&self, admin: i64, message_id: i32, op: &str) -> SimMessage {
        let seen = self.last_message_id(admin);
        self.press(admin, message_id, &format!("a:?:{op}"));
        let confirm = format!("a:!:{admin}:{op}");
        self.reply(admin, |m| {
            m.from_bot && m.message_id > seen && m.callback_data().contains(&confirm)
        })
        .await
    }

    /// [`ask`](Self::ask), then ✅ Confirm; returns the bot's answer to the confirmation.
    pub async fn ask_and_confirm(&self, admin: i64, message_id: i32, op: &str) -> SimMessage {
        let asked = self.ask(admin, message_id, op).await;
        self.press(admin, asked.message_id, &format!("a:!:{admin}:{op}"));
        self.reply(admin, |m| m.from_bot && m.message_id > asked.message_id)
            .await
    }

    /// The newest message id in a chat (0 when empty).
    pub fn last_message_id(&self, chat: i64) -> i32 {
        self.tg
            .messages_in(chat)
            .iter()
            .map(|m| m.message_id)
            .max()
            .unwrap_or(0)
    }

    pub fn telegram_calls(&self) -> Vec<RecordedCall> {
        self.tg.calls()
    }

    /// Runs every due timer, then every due job until none is left.
    /// The app's own background runner may hold some of those jobs; wait for it too.
    pub async fn run_jobs_once(&self) -> RunReport {
        self.scheduler.run_due().await.expect("timers run");
        let mut total = RunReport::default();
        // The app's own runner works in the background too and may finish a job that queues
        // the next one just after we looked: quiet means two looks in a row with nothing
        // claimed and nothing running.
        let mut quiet = 0;
        eventually(
            "the job queue quiet (nothing claimed, nothing running)",
            async || {
                let r = self.runner.run_until_idle().await.expect("jobs run");
                total.claimed += r.claimed;
                total.done += r.done;
                total.retried += r.retried;
                total.failed += r.failed;
                let counts = self.ctx.db.job_counts().await.expect("job counts");
                let busy = counts.iter().any(|(state, n)| state == "running" && *n > 0);
                quiet = if busy || r.claimed > 0 { 0 } else { quiet + 1 };
                if quiet >= 2 { Ok(()) } else { Err(counts) }
            },
        )
        .await;
        total
    }

    /// Posts `body` to our IPN endpoint signed with the real secret, as NOWPayments would;
    /// returns the HTTP status.
    pub async fn post_ipn(&self, body: &serde_json::Value) -> u16 {
        let sig = telepay::providers::nowpayments::ipn::sign_body(NP_IPN_SECRET, body);
        self.http
            .post(format!("http://{}/webhooks/nowpayments", self.addr))
            .header("x-nowpayments-sig", sig)
            .body(body.to_string())
            .send()
            .await
            .expect("the IPN endpoint answers")
            .status()
            .as_u16()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .expect("the HTTP server answers")
    }

    /// Stops the app as SIGTERM would and returns how long it took and how it ended.
    pub async fn stop(mut self) -> (Duration, anyhow::Result<()>) {
        let started = std::time::Instant::now();
        self.cancel.cancel();
        let task = self.task.take().expect("running");
        let res = tokio::time::timeout(Duration::from_secs(15), task)
            .await
            .expect("stopped within 15 s")
            .expect("the app task did not panic");
        (started.elapsed(), res)
    }
}

pub type Launched = (
    (Ctx, Arc<JobRunner>, Scheduler),
    CancellationToken,
    JoinHandle<anyhow::Result<()>>,
);

/// Builds the application on `raw` with the test's clock and listener (timers ticked by the
/// caller) and runs it in the background.
pub async fn launch(raw: &RawSettings, clock: &ManualClock, listener: TcpListener) -> Launched {
    let config = Config::from_raw(raw).expect("test configuration is valid");
    let app = Application::build_with(
        config,
        BuildOptions {
            clock: Some(Arc::new(clock.clone())),
            listener: Some(listener),
            manual_timers: true,
            ..BuildOptions::default()
        },
    )
    .await
    .expect("the application starts");
    let parts = (app.context(), app.runner(), app.scheduler());
    let cancel = CancellationToken::new();
    let task = tokio::spawn(app.run_until_stopped(cancel.clone()));
    (parts, cancel, task)
}

impl TestApp {
    /// Stops the process and starts a new one on the same database, simulators and clock, as
    /// a deploy or a crash-and-restart would.
    pub async fn restart(&mut self) {
        self.stop_process().await;
        self.start_process().await;
    }

    /// The first half of [`TestApp::restart`]: the process is gone until
    /// [`TestApp::start_process`]. In between a test may leave the database as a process that
    /// died there would have (connect with [`TestApp::database`]).
    pub async fn stop_process(&mut self) {
        self.cancel.cancel();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(15), task).await;
        }
    }

    /// The database the app runs on, for a test acting as another process.
    pub fn database(&self) -> telepay::config::DatabaseConfig {
        self._db.config()
    }

    /// Starts a new process on the same database, simulators and clock.
    pub async fn start_process(&mut self) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a port");
        self.addr = listener.local_addr().expect("local addr");
        let (parts, cancel, task) = launch(&self.raw, &self.clock, listener).await;
        (self.ctx, self.runner, self.scheduler) = parts;
        self.cancel = cancel;
        self.task = Some(task);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.cancel.cancel();
        self.tg.shutdown();
        self.np.shutdown();
        self.cn.shutdown();
    }
}

// Test steps as a person takes them: do one thing, wait for the answer that follows it.

/// `user` presses `data` on `msg`; the next bot message containing `expect`.
pub async fn press_expect(
    app: &TestApp,
    user: i64,
    msg: &SimMessage,
    data: &str,
    expect: &str,
) -> SimMessage {
    let n = app.count_containing(user, expect);
    app.press(user, msg.message_id, data);
    app.nth_reply_containing(user, expect, n).await
}

/// `user` types `text`; the next bot message containing `expect`.
pub async fn type_expect(app: &TestApp, user: i64, text: &str, expect: &str) -> SimMessage {
    let n = app.count_containing(user, expect);
    app.send_text(user, text);
    app.nth_reply_containing(user, expect, n).await
}

/// A raw button press (a replayed or forged one) and the answer containing `expect`.
pub async fn inject_expect(
    app: &TestApp,
    user: i64,
    msg_id: i32,
    data: &str,
    expect: &str,
) -> SimMessage {
    let n = app.count_containing(user, expect);
    app.tg.inject_callback_raw(user, msg_id, data).unwrap();
    app.nth_reply_containing(user, expect, n).await
}
