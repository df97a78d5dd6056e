//! Driving headless Chromium through chromedriver (WebDriver, with `fantoccini`), and child
//! processes that are ended when the test ends, however it ends.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use super::wait::eventually_within;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long one step in the page may take (a generous bound on a loaded machine).
pub const STEP: Duration = Duration::from_secs(45);

/// `true` when the browser test can run. Without Chromium or chromedriver it says why and
/// skips, unless `REQUIRE_BROWSER=1`, where it fails.
pub fn browser_available(test: &str) -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "{test}: {} not installed (Debian: apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    if std::env::var("REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("{msg}; REQUIRE_BROWSER=1 makes this a failure");
    }
    eprintln!("SKIPPED {msg}");
    false
}

/// A child process that is stopped (SIGTERM, then SIGKILL after 10 s) when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.0.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` (stdout piped) and waits for a stdout line starting with `prefix`;
/// returns the rest of that line. The remaining output is drained in the background.
pub fn spawn_and_read(mut command: Command, prefix: &str) -> (Guard, String) {
    command.stdout(Stdio::piped()).stdin(Stdio::null());
    let mut child = command.spawn().expect("start the process");
    let stdout = child.stdout.take().expect("stdout is piped");
    let guard = Guard(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + STEP;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix(prefix) {
                    return (guard, rest.trim().to_owned());
                }
            }
            Err(e) => panic!("no line starting with {prefix:?} on stdout ({e})"),
        }
    }
}

/// A free port on loopback (for chromedriver, which takes a port, not a listener).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    l.local_addr().expect("local addr").port()
}

/// Headless Chromium behind its own chromedriver.
pub struct Browser {
    pub client: Client,
    _driver: Guard,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let mut cmd = Command::new(CHROMEDRIVER);
        cmd.arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let driver = Guard(cmd.spawn().expect("start chromedriver"));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1400,1000"],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let client = eventually_within(STEP, "chromedriver to open a session", async || {
            ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
        })
        .await;
        Browser {
            client,
            _driver: driver,
        }
    }

    /// Waits until the page is idle (no action in flight) and `locator` finds something;
    /// returns the last match (the newest message's button, say).
    pub async fn find(&self, what: &str, locator: Locator<'_>) -> Element {
        eventually_within(STEP, what, async || {
            if self
                .client
                .find(Locator::Css("body[data-ready]:not([data-busy])"))
                .await
                .is_err()
            {
                return Err("the page is busy or not loaded".to_owned());
            }
            let all = self
                .client
                .find_all(locator)
                .await
                .map_err(|e| e.to_string())?;
            all.last()
                .cloned()
                .ok_or_else(|| "not on the page".to_owned())
        })
        .await
    }

    /// Whether `css` matches anything right now (the page idle).
    pub async fn has(&self, css: &str) -> bool {
        self.find("the page idle", Locator::Css("body")).await;
        self.client
            .find_all(Locator::Css(css))
            .await
            .is_ok_and(|v| !v.is_empty())
    }

    /// Clicks the last element `locator` finds, once the page is idle (again if the page
    /// re-drew it between finding and clicking).
    pub async fn click(&self, what: &str, locator: Locator<'_>) {
        eventually_within(STEP, what, async || {
            let e = self.find(what, locator).await;
            e.click().await.map_err(|e| e.to_string())
        })
        .await;
    }

    pub async fn click_css(&self, css: &str) {
        self.click(css, Locator::Css(css)).await;
    }

    /// Waits for a bot message in the open chat whose text contains `needle`.
    pub async fn bot_says(&self, needle: &str) -> Element {
        let xpath = format!(
            "//div[@id='messages']/div[contains(@class,'bot') and not(contains(@class,'deleted'))]\
             [div[@class='text' and contains(., '{needle}')]]"
        );
        self.find(
            &format!("the bot to say {needle:?}"),
            Locator::XPath(&xpath),
        )
        .await
    }

    /// Types into the message box and sends.
    pub async fn say(&self, text: &str) {
        let input = self.find("the message box", Locator::Id("text")).await;
        input.send_keys(text).await.expect("type");
        self.click_css("#send").await;
    }
}
