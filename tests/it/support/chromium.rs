//! A real browser for the pages the binary writes (demo.html): headless Chromium from Debian's
//! `chromium` package loads a file from disk and dumps the DOM it built, or takes a screenshot.
//!
//! Without the browser a test is skipped with a message saying so, unless REQUIRE_BROWSER=1,
//! where its absence is a failure. A browser that is there but fails or hangs is a failure.
//!
//! The binary's own unit tests include this file too (src/offline/demo/html.rs), so the page
//! check below is proven against the real renderer; the demo's integration test calls it on the
//! demo.html the binary wrote.
// Until the demo's integration test calls them, nothing in the `it` binary does.
#![allow(dead_code)]

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scraper::{ElementRef, Html, Selector};

/// Where Debian's `chromium` package puts the browser.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// A cold start on a busy two-core machine takes seconds; a hang takes forever.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

/// How long to rest between two looks at whether the browser is done.
const POLL: Duration = Duration::from_millis(50);

/// The DOM as the browser holds it after loading `path` (scripts run), serialized by the
/// browser itself. `None` (with a message) when Chromium is not installed and
/// REQUIRE_BROWSER is not `1`.
pub fn dump_dom(path: &Path) -> Option<String> {
    let work = browser_or_skip()?;
    let out = work.path().join("dom.html");
    run_browser(
        work.path(),
        &["--dump-dom".into(), file_url(path)],
        Some(&out),
    );
    let dom = std::fs::read_to_string(&out).expect("read the dumped DOM");
    assert!(
        dom.contains("<html"),
        "Chromium dumped no document for {}: {:?}",
        path.display(),
        dom.chars().take(300).collect::<String>()
    );
    Some(dom)
}

/// A PNG of `path` as a 1400×1800 window shows it, written to `png`. `None` (with a message)
/// when Chromium is not installed and REQUIRE_BROWSER is not `1`.
pub fn screenshot(path: &Path, png: &Path) -> Option<()> {
    let work = browser_or_skip()?;
    let png = absolute(png);
    run_browser(
        work.path(),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1400,1800".into(),
            "--hide-scrollbars".into(),
            file_url(path),
        ],
        None,
    );
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 0,
        "Chromium wrote no screenshot to {}",
        png.display()
    );
    Some(())
}

/// Asserts that `dom` is a demo page: a chat per named person holding at least one bubble from
/// the bot and one from the person, the invoices, payouts, balances and timeline sections, and
/// at least one payout linked to a block explorer.
pub fn assert_demo_page(dom: &str, people: &[&str]) {
    let doc = Html::parse_document(dom);
    let chats: Vec<ElementRef<'_>> = doc.select(&selector(".chat[data-person]")).collect();
    let present: Vec<&str> = chats.iter().filter_map(|c| c.attr("data-person")).collect();
    for name in people {
        let chat = chats
            .iter()
            .find(|c| c.attr("data-person") == Some(name))
            .unwrap_or_else(|| panic!("no chat for {name:?} on the page; chats: {present:?}"));
        for side in ["bot", "person"] {
            let bubbles = chat
                .select(&selector(&format!(".bubble[data-side=\"{side}\"]")))
                .count();
            assert!(
                bubbles > 0,
                "{name:?}'s chat has no {side} bubble; it reads: {:?}",
                chat.text()
                    .collect::<String>()
                    .chars()
                    .take(500)
                    .collect::<String>()
            );
        }
    }
    for id in ["invoices", "payouts", "balances", "timeline"] {
        assert!(
            doc.select(&selector(&format!("#{id}"))).next().is_some(),
            "the page has no #{id} section"
        );
    }
    let explorer_links = doc
        .select(&selector("#payouts a.explorer[href]"))
        .filter(|a| {
            a.attr("href")
                .is_some_and(|h| h.starts_with("https://") || h.starts_with("http://"))
        })
        .count();
    assert!(explorer_links > 0, "no payout links to an explorer");
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e:?}"))
}

/// A scratch directory (the browser's profile and output) when the browser is there; `None`
/// after saying why the test is skipped; a panic when REQUIRE_BROWSER=1.
fn browser_or_skip() -> Option<tempfile::TempDir> {
    if !Path::new(CHROMIUM).exists() {
        let required = std::env::var("REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "REQUIRE_BROWSER=1 but Chromium is not at {CHROMIUM} (apt-get install chromium)"
        );
        eprintln!("skipping: Chromium not found (apt-get install chromium)");
        return None;
    }
    Some(tempfile::tempdir().expect("a scratch directory for Chromium"))
}

/// Runs the browser headless with its own profile in `work`, its standard output into `stdout`
/// (a file, so a large DOM never blocks on a full pipe), and waits for it with a deadline.
fn run_browser(work: &Path, args: &[String], stdout: Option<&Path>) {
    let stderr_path = work.join("stderr.txt");
    let stderr = File::create(&stderr_path).expect("create the browser's stderr file");
    let stdout = match stdout {
        Some(p) => Stdio::from(File::create(p).expect("create the browser's output file")),
        None => Stdio::null(),
    };
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-dev-shm-usage",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        // Its own process group, so a hung browser is ended with all its helper processes.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("start {CHROMIUM}: {e}"));
    let deadline = Instant::now() + BROWSER_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for Chromium") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Chromium did not finish within {BROWSER_TIMEOUT:?} ({args:?}); stderr ends:\n{}",
                tail(&stderr_path)
            );
        }
        std::thread::sleep(POLL);
    };
    assert!(
        status.success(),
        "Chromium failed ({status}) on {args:?}; stderr ends:\n{}",
        tail(&stderr_path)
    );
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|e| panic!("absolute {}: {e}", path.display()))
}

/// `file://` URL of a local file, with the characters a URL cannot carry raw percent-encoded.
fn file_url(path: &Path) -> String {
    let path = absolute(path);
    url::Url::from_file_path(&path)
        .unwrap_or_else(|()| panic!("no file URL for {}", path.display()))
        .to_string()
}
