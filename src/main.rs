//! The `telepay` binary: parse the command line, then run the chosen command.

mod offline;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use telepay::app::Application;
use telepay::cli::{Cli, Command};
use telepay::config::{Config, DatabaseConfig, LogFormat, http_addr_from_raw};
use telepay::store::Db;
use telepay::telemetry;
use tokio_util::sync::CancellationToken;

/// Exit code for a configuration that was refused before any I/O.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    // A missing .env is normal; the environment alone is enough.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> ExitCode {
    match cli.command.clone().unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli).await,
        Command::Demo(args) => offline::demo::run(&cli.settings, &args).await,
        Command::Sandbox(args) => offline::sandbox::run(&cli.settings, &args).await,
        Command::Migrate => migrate(&cli).await,
        Command::Audit => audit(&cli).await,
        Command::CheckConfig => match Config::from_raw(&cli.settings) {
            Ok(c) => {
                println!("{}", c.summary());
                ExitCode::SUCCESS
            }
            Err(e) => config_error(&e),
        },
        Command::Healthcheck => healthcheck(&cli).await,
    }
}

fn config_error(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(EXIT_CONFIG)
}

/// Said when `serve` lacks settings: the product can still be seen without any account.
const OFFLINE_HINT: &str = "To see TelePay without any account: `telepay demo` plays the whole \
                            product against built-in simulators, and `telepay sandbox` lets you \
                            try it yourself in a browser.";

async fn serve(cli: &Cli) -> ExitCode {
    let config = match Config::from_raw(&cli.settings) {
        Ok(c) => c,
        Err(e) => {
            let code = config_error(&e);
            // Someone without provider accounts yet, rather than a mistyped setting.
            let s = &cli.settings;
            if s.telegram_bot_token.is_none() && s.nowpayments_api_key.is_none() {
                eprintln!("{OFFLINE_HINT}");
            }
            return code;
        }
    };
    telemetry::init_logging(config.log_format);
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %e, "start-up failed");
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cancel = CancellationToken::new();
    tokio::spawn(stop_on_signal(cancel.clone()));
    match app.run_until_stopped(cancel).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "stopped on a failure");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// SIGTERM (docker stop) and SIGINT (Ctrl-C) both start a graceful shutdown.
async fn stop_on_signal(cancel: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the process");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("signal received");
    cancel.cancel();
}

async fn migrate(cli: &Cli) -> ExitCode {
    let cfg = match DatabaseConfig::from_raw(&cli.settings) {
        Ok(c) => c,
        Err(e) => return config_error(&e),
    };
    telemetry::init_logging(LogFormat::Pretty);
    match Db::connect_and_migrate(&cfg).await {
        Ok(db) => {
            println!("database is up to date ({})", db.backend().name());
            db.close().await;
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn audit(cli: &Cli) -> ExitCode {
    let cfg = match DatabaseConfig::from_raw(&cli.settings) {
        Ok(c) => c,
        Err(e) => return config_error(&e),
    };
    telemetry::init_logging(LogFormat::Pretty);
    let db = match Db::connect_and_migrate(&cfg).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = telepay::payouts::audit::audit(&db).await;
    db.close().await;
    match result {
        Ok(report) => {
            println!("{report}");
            if report.clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

async fn healthcheck(cli: &Cli) -> ExitCode {
    let addr = match http_addr_from_raw(&cli.settings) {
        Ok(a) => a,
        Err(e) => return config_error(&e),
    };
    // The server listens on a wildcard in containers; ask it on loopback.
    let host = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_owned(),
        std::net::IpAddr::V4(ip) => ip.to_string(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let url = format!("http://{host}:{}/readyz", addr.port());
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("unhealthy: {e}");
            return ExitCode::FAILURE;
        }
    };
    match client.get(&url).send().await {
        Ok(r) if r.status().is_success() => {
            println!("healthy: {url} answered {}", r.status());
            ExitCode::SUCCESS
        }
        Ok(r) => {
            eprintln!("unhealthy: {url} answered {}", r.status());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("unhealthy: {url} did not answer ({e})");
            ExitCode::FAILURE
        }
    }
}
