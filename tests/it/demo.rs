//! `telepay demo` and `telepay sandbox` as a newcomer runs them: the whole story through the
//! real binary on the simulators (SQLite by default, PostgreSQL through DATABASE_URL), the
//! page it writes checked in headless Chromium, and the refusal of real provider settings.

use std::process::Stdio;

use crate::on_both_backends;
use crate::support::chromium::{assert_demo_page, dump_dom, screenshot};
use crate::support::db::{Backend, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_telepay");
const PEOPLE: [&str; 9] = [
    "Olga", "Marco", "Sam", "Ana", "Lee", "Kim", "Raj", "Zoe", "Ada",
];

/// The binary with nothing configured, in an empty folder (no stray .env).
fn offline(dir: &tempfile::TempDir) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    c
}

async fn the_demo_plays_the_whole_story(backend: Backend) {
    // The SQLite run uses no configuration at all: the demo makes its own temporary database.
    let db = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => match TestDb::new(backend).await {
            Some(db) => Some(db),
            None => return,
        },
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("demo.html");
    let mut c = offline(&dir);
    c.arg("demo").arg("--html").arg(&html);
    if let Some(db) = &db {
        c.env("DATABASE_URL", &db.url);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(600), c.output())
        .await
        .expect("the demo finished")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "demo failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    let expected_backend = match backend {
        Backend::Sqlite => "Database: SQLite",
        Backend::Postgres => "Database: PostgreSQL",
    };
    assert!(stdout.contains(expected_backend), "{stdout}");
    for needle in [
        "▶ Scene 1: Two owners register three channels",
        "▶ Scene 7: The books are closed",
        "══ Transcript by person ══",
        "── Olga (owner, Telegram id 1001) ──",
        "pressed «➡️ Done»",
        "is registered and on sale",
        "duplicate IPN ignored",
        "underpaid, topped up",
        "donation (no access)",
        "instant, swapped by ChangeNOW",
        "instant, direct from the host wallet",
        "threshold batch",
        "https://bscscan.com/tx/0x",
        "Lee's week ended: he was told and removed",
        "Raj renewed Beta Long Reads at $30",
        "📊 The last 30 days",
        "══ Balance per owner (USD) ══",
        "invariants hold",
        "Demo finished in",
    ] {
        assert!(
            stdout.contains(needle),
            "{needle:?} missing from:\n{stdout}"
        );
    }
    for name in PEOPLE {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with(name) && l.contains("): ")),
            "no end-of-story line for {name}:\n{stdout}"
        );
    }
    assert!(!stdout.contains("BROKEN"), "{stdout}");

    // The page, in a real browser.
    assert!(html.exists(), "demo.html was not written");
    if let Some(dom) = dump_dom(&html) {
        assert_demo_page(&dom, &PEOPLE);
        let png = dir.path().join("demo.png");
        screenshot(&html, &png);
    }
}

on_both_backends!(the_demo_plays_the_whole_story);

/// Neither offline command starts while a real provider setting is configured, and the
/// refusal names the variable without its value.
#[tokio::test]
async fn demo_and_sandbox_refuse_real_provider_settings() {
    for (command, var, value) in [
        ("demo", "NOWPAYMENTS_API_KEY", "live-np-key-5d1e"),
        ("demo", "HOST_WALLET_PRIVATE_KEY", "0xfeedfacefeedface"),
        ("sandbox", "TELEGRAM_BOT_TOKEN", "123456:live-token-abc"),
        ("sandbox", "EVM_RPC_URL", "https://bsc-rpc.example/key-77"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut c = offline(&dir);
        c.arg(command).env(var, value);
        if command == "sandbox" {
            c.args(["--port", "0"]);
        }
        let out = tokio::time::timeout(std::time::Duration::from_secs(60), c.output())
            .await
            .expect("refused at once")
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(2), "{command} with {var}: {all}");
        assert!(all.contains(var), "{var} not named: {all}");
        assert!(!all.contains(value), "the value leaked: {all}");
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "{command} wrote files before refusing"
        );
    }
}
