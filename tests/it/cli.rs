//! The `telepay` binary as an operator runs it: exit codes, messages, signals.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use telepay_sim::evm::{EvmSim, EvmSimConfig};
use telepay_sim::telegram::{SimConfig, TelegramSim};

use crate::support::wait::eventually_within;

const BIN: &str = env!("CARGO_BIN_EXE_telepay");

/// The binary with a clean environment, run in its own empty folder (no stray .env).
fn telepay(dir: &tempfile::TempDir) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear().current_dir(dir.path()).stdin(Stdio::null());
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn complete_env(c: &mut Command, tg_url: &str, token: &str, http_addr: &str) {
    c.env("TELEGRAM_BOT_TOKEN", token)
        .env("TELEGRAM_API_URL", tg_url)
        .env("HTTP_ADDR", http_addr)
        .env("PUBLIC_BASE_URL", "https://pay.example.com")
        .env("NOWPAYMENTS_API_KEY", "np-cli-key")
        .env("NOWPAYMENTS_IPN_SECRET", "np-cli-ipn-secret")
        .env("CHANGENOW_API_KEY", "cn-cli-key")
        .env("EVM_RPC_URL", "http://127.0.0.1:9/")
        .env("HOST_WALLET_PRIVATE_KEY", format!("0x{}", "22".repeat(32)));
}

#[test]
fn without_configuration_it_names_every_missing_variable_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = telepay(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let msg = text(&out);
    let lines: Vec<&str> = msg.trim().lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "what is missing, then where to look without an account: {msg}"
    );
    assert!(
        lines[1].contains("telepay demo") && lines[1].contains("telepay sandbox"),
        "{msg}"
    );
    for v in [
        "TELEGRAM_BOT_TOKEN",
        "PUBLIC_BASE_URL",
        "NOWPAYMENTS_API_KEY",
        "NOWPAYMENTS_IPN_SECRET",
        "CHANGENOW_API_KEY",
        "EVM_RPC_URL",
        "HOST_WALLET_PRIVATE_KEY",
    ] {
        assert!(msg.contains(v), "{v} not named: {msg}");
    }
    assert!(
        !dir.path().join("telepay.db").exists(),
        "no I/O before validation"
    );
}

#[test]
fn bad_values_exit_2_with_one_line_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = telepay(&dir);
    complete_env(
        &mut c,
        "https://api.telegram.org",
        "oops-this-is-not-a-token",
        "0.0.0.0:8080",
    );
    c.env("DATABASE_URL", "mysql://root@localhost/x");
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let msg = text(&out);
    assert!(
        msg.contains("TELEGRAM_BOT_TOKEN") && msg.contains("DATABASE_URL"),
        "{msg}"
    );
    assert!(!msg.contains("oops-this-is-not-a-token"));
    assert_eq!(msg.trim().lines().count(), 1, "{msg}");
}

#[test]
fn check_config_prints_a_summary_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = telepay(&dir);
    let token = "123456:AAsecretpartofthetoken0123456789abcd";
    complete_env(&mut c, "https://api.telegram.org", token, "0.0.0.0:8080");
    let out = c.arg("check-config").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let msg = text(&out);
    assert!(msg.contains("configuration OK"));
    for secret in [
        "secretpartofthetoken",
        "np-cli-key",
        "np-cli-ipn-secret",
        "cn-cli-key",
        "2222",
    ] {
        assert!(!msg.contains(secret), "{secret} leaked: {msg}");
    }
}

#[test]
fn help_never_shows_secret_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = telepay(&dir);
    complete_env(
        &mut c,
        "https://api.telegram.org",
        "123456:AAsecretpartofthetoken0123456789abcd",
        "0.0.0.0:8080",
    );
    let out = c.arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let msg = text(&out);
    assert!(msg.contains("TELEGRAM_BOT_TOKEN"));
    assert!(
        !msg.contains("secretpartofthetoken") && !msg.contains("np-cli-ipn-secret"),
        "{msg}"
    );
}

#[tokio::test]
async fn audit_exits_0_when_clean_and_1_with_a_report_when_broken() {
    let dir = tempfile::tempdir().unwrap();
    let out = telepay(&dir).arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("invariants hold"), "{}", text(&out));
    // Break one: a payout marked sent without a transaction hash.
    let url = format!("sqlite://{}", dir.path().join("telepay.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    for sql in [
        "INSERT INTO users (id, first_name, unreachable, created_at, updated_at) VALUES (1, 'O', 0, 0, 0)",
        "INSERT INTO channels (id, code, owner_id, chat_id, title, payout_currency, payout_network, payout_address, \
           payout_strategy, created_at, updated_at) VALUES (1, 'abcdefgh', 1, -1001, 'T', 'USDT', 'BSC', '0x1', 'instant', 0, 0)",
        "INSERT INTO payouts (id, kind, channel_id, state, usd_micros, source_currency, dest_currency, dest_network, \
           dest_address, created_at, updated_at) VALUES (7, 'batch', 1, 'sent', 5, 'USDT', 'USDT', 'BSC', '0x1', 0, 0)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let out = telepay(&dir).arg("audit").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = text(&out);
    assert!(
        report.contains("BROKEN each sent payout has a transaction hash"),
        "{report}"
    );
    assert!(report.contains("payout 7"), "{report}");
}

#[test]
fn migrate_creates_the_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = telepay(&dir).arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        dir.path().join("telepay.db").exists(),
        "default sqlite://telepay.db created"
    );
    // Idempotent.
    let out = telepay(&dir).arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn healthcheck_fails_when_nothing_listens() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = telepay(&dir)
        .arg("healthcheck")
        .env("HTTP_ADDR", format!("0.0.0.0:{port}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

/// `telepay` (serve) starts against the Telegram simulator, answers its health check, and on
/// `signal` stops within 10 seconds with exit code 0.
async fn serve_then_signal(signal: &str) {
    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    // Ready means the EVM node answered on EVM_CHAIN_ID (1 when unset).
    let evm = EvmSim::start(EvmSimConfig {
        chain_id: 1,
        ..EvmSimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut c = telepay(&dir);
    complete_env(&mut c, tg.api_url().as_str(), tg.token(), &addr);
    c.env("EVM_RPC_URL", evm.url().as_str());
    let mut child = c
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    eventually_within(
        Duration::from_secs(20),
        "serve ready (healthcheck passes)",
        async || {
            let out = telepay(&dir)
                .arg("healthcheck")
                .env("HTTP_ADDR", &addr)
                .output()
                .unwrap();
            if out.status.success() {
                Ok(())
            } else {
                Err(out.status)
            }
        },
    )
    .await;

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = eventually_within(
        Duration::from_secs(10),
        "serve to stop after the signal",
        async || child.try_wait().unwrap(),
    )
    .await;
    assert_eq!(status.code(), Some(0));
    let mut log = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut log).unwrap();
    assert!(!log.contains(tg.token()), "the bot token reached the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_healthcheck_and_exits_0_on_sigterm() {
    serve_then_signal("-TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_exits_0_on_sigint() {
    serve_then_signal("-INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_on_a_busy_address_exits_non_zero_with_one_line() {
    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut c = telepay(&dir);
    complete_env(
        &mut c,
        tg.api_url().as_str(),
        tg.token(),
        &busy.local_addr().unwrap().to_string(),
    );
    c.env("LOG_FORMAT", "json").env("RUST_LOG", "off");
    let out = tokio::task::spawn_blocking(move || c.output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let msg = text(&out);
    assert_eq!(msg.trim().lines().count(), 1, "{msg}");
    assert!(msg.contains("cannot listen on"), "{msg}");
    assert!(
        !dir.path().join("telepay.db").exists(),
        "nothing half-created"
    );
}

/// The help text of each setting, as `--help` shows it: the lines from its flag to the next.
fn help_section(help: &str, flag: &str) -> String {
    let mut lines = help
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(&format!("{flag} ")));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("{flag} not in help:\n{help}"));
    let rest: Vec<&str> = lines
        .take_while(|l| !l.trim_start().starts_with("--") && !l.trim_start().starts_with("-h,"))
        .collect();
    format!("{first}\n{}", rest.join("\n"))
}

#[test]
fn help_puts_each_text_under_its_own_setting() {
    let dir = tempfile::tempdir().unwrap();
    let out = telepay(&dir).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out);
    let key = help_section(&help, "--host-wallet-private-key");
    assert!(key.contains("private key"), "{key}");
    assert!(key.contains("HOST_WALLET_PRIVATE_KEY"), "{key}");
    let asset = help_section(&help, "--host-asset");
    assert!(asset.contains("CURRENCY:NETWORK"), "{asset}");
    assert!(!asset.contains("private key"), "{asset}");
    // Every setting says what it is.
    for flag in help
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("--"))
    {
        let name = flag.split_whitespace().next().unwrap();
        if name == "--help" || name == "--version" {
            continue;
        }
        let section = help_section(&help, name);
        let described = section
            .lines()
            .skip(1)
            .any(|l| !l.trim().is_empty() && !l.trim().starts_with("[env:"));
        assert!(described, "{name} has no help text:\n{section}");
    }
}

/// Runs `c` to its end, failing the test (and killing the process) if it is still running
/// after `bound` (a generous upper bound on "promptly", not a performance target).
fn output_within(mut c: Command, bound: Duration) -> Output {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > bound {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after {bound:?}: {}", text(&out));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// `serve`, `migrate` and `audit` against `database_url`: each exits non-zero, promptly, with
/// `cause` in its one error line, and nothing of `secret`.
fn every_command_says_why(database_url: &str, cause: &[&str], secret: Option<&str>) {
    for command in ["serve", "migrate", "audit"] {
        let dir = tempfile::tempdir().unwrap();
        let mut c = telepay(&dir);
        complete_env(
            &mut c,
            "http://127.0.0.1:9/",
            "123456:AAsecretpartofthetoken0123456789abcd",
            "127.0.0.1:0",
        );
        c.env("DATABASE_URL", database_url)
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "off")
            .arg(command);
        let out = output_within(c, Duration::from_secs(30));
        let msg = text(&out);
        assert!(!out.status.success(), "{command}: {msg}");
        for words in cause {
            assert!(msg.contains(words), "{command}: {words:?} not in: {msg}");
        }
        assert!(!msg.contains("pool timed out"), "{command}: {msg}");
        if let Some(secret) = secret {
            assert!(
                !msg.contains(secret),
                "{command} printed the password: {msg}"
            );
        }
    }
}

#[test]
fn a_closed_database_port_is_named_as_refused_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    every_command_says_why(
        &format!("postgres://telepay:Hunter2-db-pass@127.0.0.1:{port}/telepay"),
        &["connection refused", &format!("127.0.0.1:{port}")],
        Some("Hunter2-db-pass"),
    );
}

#[test]
fn an_unknown_database_host_is_named() {
    every_command_says_why(
        "postgres://telepay:Hunter2-db-pass@telepay-db.invalid:5432/telepay",
        &["unknown host", "telepay-db.invalid"],
        Some("Hunter2-db-pass"),
    );
}

#[test]
fn a_file_that_is_not_a_database_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.db");
    std::fs::write(&file, "these are my notes, not a database\n".repeat(200)).unwrap();
    every_command_says_why(
        &format!("sqlite://{}", file.display()),
        &["file is not a database", "notes.db"],
        None,
    );
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        after.starts_with("these are my notes"),
        "the file was changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_against_a_node_on_another_chain_exits_non_zero_naming_both() {
    let tg = TelegramSim::start(SimConfig::default()).await.unwrap();
    let evm = EvmSim::start(EvmSimConfig {
        chain_id: 56,
        ..EvmSimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = telepay(&dir);
    complete_env(&mut c, tg.api_url().as_str(), tg.token(), "127.0.0.1:0");
    c.env("EVM_RPC_URL", evm.url().as_str())
        .env("EVM_CHAIN_ID", "1")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "off");
    let out = tokio::task::spawn_blocking(move || output_within(c, Duration::from_secs(30)))
        .await
        .unwrap();
    let msg = text(&out);
    assert_eq!(out.status.code(), Some(1), "{msg}");
    assert!(
        msg.contains("chain 56") && msg.contains("chain 1"),
        "both chains named: {msg}"
    );
    assert!(!msg.contains(evm.url().as_str()), "{msg}");
}
