//! Start-up and lifecycle: `Application::build` does every fallible step (listen, database,
//! migrations, Telegram `getMe`, webhook) before anything runs, while a start-up server on the
//! port answers the probes (`/readyz` 503 naming the step); `run_until_stopped` runs the bot,
//! the HTTP server, the job runner and the timers until cancelled, then stops them all.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use secrecy::ExposeSecret;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::{Dispatcher, ShutdownToken};
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Me};
use teloxide::update_listeners::{Polling, webhooks};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::bot;
use crate::config::{Config, TelegramMode};
use crate::domain::time::{SharedClock, SystemClock};
use crate::http::{self, Health, HttpState};
use crate::jobs::{JobRunner, RetryPolicy, Scheduler, housekeeping};
use crate::providers::nowpayments::NowPaymentsClient;
use crate::services::{AppContext, Ctx};
use crate::store::{Db, StoreError};
use crate::telemetry::redact;
use crate::telemetry::telegram::Counted;

/// The update kinds we ask Telegram for, explicitly: `chat_member` is never sent otherwise.
pub const ALLOWED_UPDATES: [AllowedUpdate; 5] = [
    AllowedUpdate::Message,
    AllowedUpdate::CallbackQuery,
    AllowedUpdate::MyChatMember,
    AllowedUpdate::ChatMember,
    AllowedUpdate::ChatJoinRequest,
];

/// How long shutdown may take in all (below Docker's 10 s).
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(8);

#[derive(Debug, Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Database(#[from] StoreError),
    #[error("Telegram did not accept the bot: {0}")]
    Telegram(String),
    #[error("cannot set up {0}")]
    Provider(String),
    /// Every transfer the wallet signs would be refused (or, worse, valid elsewhere).
    #[error(
        "the EVM node at EVM_RPC_URL is on chain {node}, but EVM_CHAIN_ID is chain {configured}: \
         point EVM_RPC_URL at a node of chain {configured} or correct EVM_CHAIN_ID"
    )]
    WrongChain { configured: u64, node: u64 },
}

/// Optional overrides for tests and the demo.
#[derive(Default)]
pub struct BuildOptions {
    pub clock: Option<SharedClock>,
    /// An already-bound listener (so a test knows its port before building).
    pub listener: Option<TcpListener>,
    /// Do not run the timers in the background: the caller ticks them (tests with a manual
    /// clock, where a background tick would race the test's own).
    pub manual_timers: bool,
    /// More routes on the same HTTP server (the sandbox's page; only `telepay sandbox`
    /// passes any, so `serve` never offers them).
    pub extra_routes: Option<axum::Router>,
}

pub struct Application {
    ctx: Ctx,
    listener: TcpListener,
    local_addr: SocketAddr,
    me: Me,
    runner: Arc<JobRunner>,
    scheduler: Scheduler,
    health: Arc<Health>,
    manual_timers: bool,
    extra_routes: Option<axum::Router>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        Self::build_with(config, BuildOptions::default()).await
    }

    pub async fn build_with(
        config: Config,
        opts: BuildOptions,
    ) -> Result<Application, StartupError> {
        let listener = match opts.listener {
            Some(l) => l,
            None => TcpListener::bind(config.http_addr)
                .await
                .map_err(|source| StartupError::Listen {
                    addr: config.http_addr,
                    source,
                })?,
        };
        let local_addr = listener
            .local_addr()
            .map_err(|source| StartupError::Listen {
                addr: config.http_addr,
                source,
            })?;

        // Install the metrics recorder before anything counts.
        crate::telemetry::metrics_handle();
        // Probes get an answer from here on: alive, not ready until start-up is over.
        let health = Arc::new(Health::default());
        health.set_starting(Some("connecting to the database"));
        let startup =
            http::startup::StartupServer::spawn(listener, config.http.clone(), health.clone());

        let db = Db::connect(&config.database).await?;
        health.set_starting(Some("migrating the database"));
        db.migrate().await?;
        health.set_starting(Some("connecting to Telegram"));
        let clock = opts.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let token = config.telegram.token.expose_secret().to_owned();
        let raw_bot =
            Counted::new(Bot::new(token.clone()).set_api_url(config.telegram.api_url.clone()));
        let tg_error =
            |e: teloxide::RequestError| StartupError::Telegram(redact(&e.to_string(), &[&token]));
        let me = tokio::time::timeout(Duration::from_secs(30), raw_bot.get_me())
            .await
            .map_err(|_| StartupError::Telegram("getMe timed out".into()))?
            .map_err(tg_error)?;
        // teloxide's default allows 20 messages per minute to ANY chat; Telegram's 20/min is for
        // groups. A private chat gets 1/s, so an owner walking through a conversation is not
        // stalled for up to a minute after the 20th answer.
        let bot = raw_bot.throttle(Limits {
            messages_per_sec_chat: 1,
            messages_per_min_chat: 60,
            messages_per_min_channel_or_supergroup: 20,
            messages_per_sec_overall: 30,
        });

        if let TelegramMode::Webhook { secret, path } = &config.telegram.mode {
            let url = config
                .public_base_url
                .join(path.trim_start_matches('/'))
                .map_err(|e| StartupError::Telegram(format!("bad webhook URL: {e}")))?;
            bot.set_webhook(url)
                .secret_token(secret.expose_secret().to_owned())
                .allowed_updates(ALLOWED_UPDATES.to_vec())
                .await
                .map_err(tg_error)?;
        }

        health.set_starting(Some("starting"));
        let config = Arc::new(config);
        let jobs_wake = Arc::new(Notify::new());
        let nowpayments = NowPaymentsClient::new(
            config.providers.nowpayments_api_url.clone(),
            config.providers.nowpayments_api_key.clone(),
        )
        .map_err(|e| StartupError::Provider(format!("the NOWPayments client: {e}")))?;
        let changenow = crate::providers::changenow::ChangeNowClient::new(
            config.providers.changenow_api_url.clone(),
            config.providers.changenow_api_key.clone(),
            std::time::Duration::from_secs(20),
        )
        .map_err(|e| StartupError::Provider(format!("the ChangeNOW client: {e}")))?;
        let rpc = crate::payouts::wallet::EvmRpc::new(
            &config.providers.evm_rpc_url,
            std::time::Duration::from_secs(20),
        )
        .map_err(|e| StartupError::Provider(format!("the EVM RPC client: {e}")))?;
        let wallet = crate::payouts::wallet::HostWallet::new(
            rpc,
            &config.providers.host_wallet_private_key,
            config.providers.evm_chain_id,
        )
        .map_err(|e| StartupError::Provider(format!("the host wallet: {e}")))?;
        // A node on another chain stops start-up; one that does not answer yet leaves
        // /readyz failing until the background re-check reaches it.
        match http::health::check_chain(&wallet).await {
            http::health::ChainCheck::Ok => {}
            http::health::ChainCheck::WrongChain { configured, node } => {
                return Err(StartupError::WrongChain { configured, node });
            }
            http::health::ChainCheck::NoAnswer(why) => {
                tracing::warn!(reason = %why, "the EVM node does not answer yet; not ready until it does");
                health.set_evm_problem(Some(why));
            }
        }
        let ctx = Arc::new(AppContext {
            db: db.clone(),
            clock: clock.clone(),
            config: config.clone(),
            bot,
            jobs_wake: jobs_wake.clone(),
            nowpayments,
            changenow,
            wallet: Arc::new(wallet),
            bot_username: me.username().to_owned(),
            bot_id: me.id,
        });
        let mut runner = JobRunner::new(
            db.clone(),
            clock.clone(),
            RetryPolicy::from_config(&config.jobs),
            config.jobs.lease,
            jobs_wake,
        );
        // On SQLite this is the only process: jobs still `running` belong to one that died.
        runner.release_abandoned().await?;
        crate::access::grant::register(&mut runner, &ctx);
        crate::access::expiry::register(&mut runner, &ctx);
        crate::access::broadcast::register(&mut runner, &ctx);
        crate::payments::followups::register(&mut runner, &ctx);
        crate::payments::reconcile::register(&mut runner, &ctx);
        crate::payouts::valuation::register(&mut runner, &ctx);
        crate::payouts::convert::register(&mut runner, &ctx);
        bot::menus::register(&mut runner, &ctx);
        runner.register(
            crate::domain::job_kinds::PAYMENT_PROGRESS,
            Arc::new(crate::payments::progress::PaymentProgress(ctx.clone())),
        );
        let mut scheduler = Scheduler::new(db, clock.clone());
        scheduler.add(housekeeping::timer(ctx.db.clone(), clock));
        scheduler.add(crate::access::expiry::timer(ctx.clone()));
        scheduler.add(crate::payments::reconcile::timer(ctx.clone()));
        scheduler.add(crate::payouts::convert::timer(ctx.clone()));
        scheduler.add(crate::payouts::batch::timer(ctx.clone()));

        let listener = startup
            .finish()
            .await
            .map_err(|source| StartupError::Listen {
                addr: local_addr,
                source,
            })?;
        health.set_starting(None);
        tracing::info!(
            bot = me.username(),
            http = %local_addr,
            database = ctx.db.backend().name(),
            "TelePay is ready"
        );
        Ok(Application {
            ctx,
            listener,
            local_addr,
            me,
            runner: Arc::new(runner),
            scheduler,
            health,
            manual_timers: opts.manual_timers,
            extra_routes: opts.extra_routes,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    pub fn context(&self) -> Ctx {
        self.ctx.clone()
    }

    pub fn bot_username(&self) -> &str {
        self.me.username()
    }

    pub fn runner(&self) -> Arc<JobRunner> {
        self.runner.clone()
    }

    pub fn scheduler(&self) -> Scheduler {
        self.scheduler.clone()
    }

    pub fn health(&self) -> Arc<Health> {
        self.health.clone()
    }

    /// Runs until `cancel` fires (then stops everything and returns Ok) or until a part dies
    /// that must not (then stops the rest and returns the error, so the process exits non-zero
    /// and its supervisor restarts it).
    pub async fn run_until_stopped(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let Application {
            ctx,
            listener,
            runner,
            scheduler,
            health,
            manual_timers,
            extra_routes,
            ..
        } = self;
        let tracker = TaskTracker::new();
        let stop = cancel.child_token();

        // Updates over a user's budget are dropped before the dispatcher's per-chat queues,
        // which would otherwise fill and stall every chat (see bot::flood).
        let flood = bot::flood::FloodGuard::new(ctx.clone());
        let mut dispatcher =
            Dispatcher::builder(ctx.bot.clone(), flood.track(bot::schema::schema()))
                .dependencies(dptree::deps![ctx.clone()])
                .default_handler(|_| async {})
                .error_handler(Arc::new(RedactedErrors(ctx.clone())))
                .distribution_function(bot::flood::worker_key)
                .build();
        let dispatcher_stop = dispatcher.shutdown_token();
        let listener_errors = Arc::new(RedactedErrors(ctx.clone()));

        let mut app_router = http::router(HttpState {
            ctx: ctx.clone(),
            health: health.clone(),
        });
        if let Some(extra) = extra_routes {
            app_router = app_router.merge(extra);
        }
        let dispatch: BoxFuture<'static, ()> = match &ctx.config.telegram.mode {
            TelegramMode::Webhook { secret, path } => {
                let url = ctx
                    .config
                    .public_base_url
                    .join(path.trim_start_matches('/'))?;
                let opts = webhooks::Options::new(listener.local_addr()?, url)
                    .path(path.clone())
                    .secret_token(secret.expose_secret().to_owned());
                let (update_listener, _stopped, tg_router) = webhooks::axum_no_setup(opts);
                app_router =
                    app_router.merge(http::guard_telegram_webhook(tg_router, secret.clone()));
                async move {
                    dispatcher
                        .dispatch_with_listener(flood.listener(update_listener), listener_errors)
                        .await;
                }
                .boxed()
            }
            TelegramMode::Polling => {
                let polling = Polling::builder(ctx.bot.clone())
                    .timeout(Duration::from_secs(10))
                    .allowed_updates(ALLOWED_UPDATES.to_vec())
                    .delete_webhook()
                    .await
                    .build();
                async move {
                    dispatcher
                        .dispatch_with_listener(flood.listener(polling), listener_errors)
                        .await;
                }
                .boxed()
            }
        };

        let server_stop = stop.clone();
        let mut server = tokio::spawn(http::serve(
            listener,
            app_router,
            ctx.config.http.clone(),
            server_stop,
        ));
        health.dispatcher_started();
        // Command menus after the server listens, in the background: many owners must not
        // slow start-up.
        tracker.spawn(bot::menus::at_startup(ctx.clone(), stop.clone()));
        let mut dispatcher_task = tokio::spawn(dispatch);
        tracker.spawn(
            runner
                .clone()
                .run(ctx.config.jobs.poll_interval, stop.clone()),
        );
        if !manual_timers {
            scheduler.spawn(&tracker, stop.clone());
        }
        tracker.spawn(metrics_upkeep(stop.clone()));
        if !manual_timers {
            // Periodic I/O like a timer: with manual timers (tests, demo) the caller samples.
            tracker.spawn(crate::payouts::balance_gauges::run(
                ctx.clone(),
                stop.clone(),
            ));
        }
        if health.evm_problem().is_some() {
            tracker.spawn(http::health::recheck_chain(
                ctx.wallet.clone(),
                health.clone(),
                stop.clone(),
            ));
        }
        tracker.close();

        let mut dispatcher_done = false;
        let mut server_done = false;
        let failure = tokio::select! {
            biased;
            () = cancel.cancelled() => None,
            res = &mut dispatcher_task => {
                dispatcher_done = true;
                health.dispatcher_stopped();
                Some(match res {
                    Ok(()) => anyhow::anyhow!("the Telegram dispatcher stopped unexpectedly"),
                    Err(e) => anyhow::anyhow!("the Telegram dispatcher crashed: {e}"),
                })
            }
            res = &mut server => {
                server_done = true;
                Some(match res {
                    Ok(Ok(())) => anyhow::anyhow!("the HTTP server stopped unexpectedly"),
                    Ok(Err(e)) => anyhow::anyhow!("the HTTP server failed: {e}"),
                    Err(e) => anyhow::anyhow!("the HTTP server crashed: {e}"),
                })
            }
        };
        tracing::info!("shutting down");
        stop.cancel();
        let deadline = tokio::time::Instant::now() + SHUTDOWN_DEADLINE;
        stop_dispatcher(&dispatcher_stop, deadline).await;
        if !dispatcher_done {
            let _ = tokio::time::timeout_at(deadline, &mut dispatcher_task).await;
        }
        if !server_done {
            let _ = tokio::time::timeout_at(deadline, &mut server).await;
        }
        if tokio::time::timeout_at(deadline, tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                "background work did not stop in time; leases will expire and be retried"
            );
        }
        ctx.db.close().await;
        tracing::info!("stopped");
        match failure {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

/// Folds recorded durations into their histograms now and then, so they do not pile up in
/// memory between scrapes (a scrape does the same).
async fn metrics_upkeep(stop: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = tick.tick() => crate::telemetry::metrics_handle().run_upkeep(),
            () = stop.cancelled() => return,
        }
    }
}

/// Asks the dispatcher to stop taking updates and finish the ones in flight. It refuses while
/// it is still starting, so ask again until the deadline.
async fn stop_dispatcher(token: &ShutdownToken, deadline: tokio::time::Instant) {
    loop {
        match token.shutdown() {
            Ok(fut) => {
                let _ = tokio::time::timeout_at(deadline, fut).await;
                return;
            }
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(_) => return,
        }
    }
}

/// Logs listener and handler errors with secrets removed.
struct RedactedErrors(Ctx);

impl<E: std::fmt::Display + Send + 'static> ErrorHandler<E> for RedactedErrors {
    fn handle_error(self: Arc<Self>, error: E) -> BoxFuture<'static, ()> {
        let text = self.0.redact(&error.to_string());
        async move {
            metrics::counter!(crate::telemetry::names::TELEGRAM_UPDATE_ERRORS).increment(1);
            tracing::error!(error = %text, "Telegram update error");
        }
        .boxed()
    }
}
