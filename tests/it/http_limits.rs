//! What the HTTP server refuses, driven by a raw TCP client that misbehaves on purpose: slow
//! headers, a body that never ends, a body too large, a forged Telegram webhook call, and
//! more requests at once than the server takes.
//!
//! `BOUND` is only a generous upper bound on "the server gave up on us", never a timing
//! target: without the limits these connections stay open for ever and the tests fail.

use std::time::Duration;

use telepay::config::RawSettings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::on_both_backends;
use crate::support::app::{Mode, TestApp, WEBHOOK_SECRET, spawn_app_with};
use crate::support::db::Backend;
use crate::support::wait::eventually_within;

/// How long a test waits for the server to answer or hang up before failing.
const BOUND: Duration = Duration::from_secs(20);

/// Short limits so the timeouts fire well within `BOUND`.
fn tight(raw: &mut RawSettings) {
    raw.http_header_timeout = Some("1s".into());
    raw.http_request_timeout = Some("2s".into());
}

async fn tight_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Mode::Webhook, tight).await
}

/// What a raw client saw once the server hung up.
#[derive(Debug)]
struct Seen {
    /// The status of the server's answer, if it sent one.
    status: Option<u16>,
    text: String,
}

/// Reads until the server closes the connection (or resets it); fails the test when it is
/// still open after `BOUND`.
async fn until_closed(stream: &mut TcpStream) -> Seen {
    let mut got = Vec::new();
    let read_all = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(BOUND, read_all)
        .await
        .unwrap_or_else(|_| panic!("the server still holds the connection after {BOUND:?}"));
    let text = String::from_utf8_lossy(&got).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    Seen { status, text }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.addr).await.expect("connect")
}

/// Sends `head` (and nothing more), then waits for the server to answer and hang up.
async fn send_head(app: &TestApp, head: &str) -> Seen {
    let mut s = connect(app).await;
    s.write_all(head.as_bytes()).await.unwrap();
    until_closed(&mut s).await
}

async fn unfinished_headers_are_cut_off(backend: Backend) {
    let Some(app) = tight_app(backend).await else {
        return;
    };
    // Half a request line and one header, then silence.
    let seen = send_head(&app, "GET /healthz HTTP/1.1\r\nHost: telepay\r\n").await;
    assert_ne!(seen.status, Some(200), "{seen:?}");
    // Connected, and not a byte.
    let mut silent = connect(&app).await;
    let seen = until_closed(&mut silent).await;
    assert!(seen.text.is_empty() || seen.status == Some(408), "{seen:?}");
    // The server still serves everyone else.
    assert_eq!(app.get("/healthz").await.status(), 200);
    // Counted once the connection's task has ended (just after the client saw the close).
    eventually_within(BOUND, "the header timeout counted", async || {
        let metrics = app.get("/metrics").await.text().await.unwrap();
        if metrics.contains("telepay_http_refused_total{reason=\"header_timeout\"}") {
            Ok(())
        } else {
            Err(metrics)
        }
    })
    .await;
}

async fn an_unfinished_body_ends_the_request(backend: Backend) {
    let Some(app) = tight_app(backend).await else {
        return;
    };
    for (path, extra) in [
        (
            "/webhooks/nowpayments",
            "x-nowpayments-sig: 00\r\n".to_owned(),
        ),
        (
            "/webhooks/telegram",
            format!("X-Telegram-Bot-Api-Secret-Token: {WEBHOOK_SECRET}\r\n"),
        ),
    ] {
        let mut s = connect(&app).await;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: telepay\r\nContent-Type: application/json\r\n\
             Content-Length: 200\r\n{extra}\r\n{{\"payment_id\": 1"
        );
        s.write_all(head.as_bytes()).await.unwrap();
        let seen = until_closed(&mut s).await;
        assert_eq!(seen.status, Some(408), "{path}: {seen:?}");
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("telepay_http_refused_total{reason=\"request_timeout\"}"),
        "{metrics}"
    );
}

async fn a_body_over_the_limit_is_refused_from_its_length(backend: Backend) {
    let Some(app) = tight_app(backend).await else {
        return;
    };
    // No body is sent at all: the answer can only come from Content-Length.
    let cases = [
        // The IPN route's own 64 KiB.
        (
            "/webhooks/nowpayments",
            100_000,
            "x-nowpayments-sig: 00\r\n".to_owned(),
        ),
        // The server-wide 1 MiB, with the right webhook secret.
        (
            "/webhooks/telegram",
            2_000_000,
            format!("X-Telegram-Bot-Api-Secret-Token: {WEBHOOK_SECRET}\r\n"),
        ),
        // Routes that take no body are covered too.
        ("/healthz", 2_000_000, String::new()),
    ];
    for (path, length, extra) in cases {
        let method = if path == "/healthz" { "GET" } else { "POST" };
        let seen = send_head(
            &app,
            &format!(
                "{method} {path} HTTP/1.1\r\nHost: telepay\r\nContent-Length: {length}\r\n{extra}\r\n"
            ),
        )
        .await;
        assert_eq!(seen.status, Some(413), "{path}: {seen:?}");
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("telepay_http_refused_total{reason=\"body_too_large\"}"),
        "{metrics}"
    );
}

async fn a_webhook_call_with_a_wrong_secret_is_refused_unread(backend: Backend) {
    let Some(app) = tight_app(backend).await else {
        return;
    };
    // Half a megabyte announced (under the limit) and never sent: only an answer given
    // before reading the body can be 401 (reading would end in 408).
    for secret_header in [
        "X-Telegram-Bot-Api-Secret-Token: wrong\r\n",
        "X-Telegram-Bot-Api-Secret-Token: test_webhook_Secret-12\r\n",
        "",
    ] {
        let seen = send_head(
            &app,
            &format!(
                "POST /webhooks/telegram HTTP/1.1\r\nHost: telepay\r\n\
                 Content-Type: application/json\r\nContent-Length: 500000\r\n{secret_header}\r\n"
            ),
        )
        .await;
        assert_eq!(seen.status, Some(401), "{secret_header:?}: {seen:?}");
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("telepay_http_refused_total{reason=\"webhook_secret\"}"),
        "{metrics}"
    );
    // Refused calls are timed too, under a fixed route name (never the configured path).
    assert!(
        metrics.contains(
            "telepay_http_request_duration_seconds_count{route=\"telegram_webhook\",status=\"401\"}"
        ),
        "{metrics}"
    );
    // The right secret still delivers updates, and their answers are timed.
    let u = app.user(6101, "Ida", None);
    app.send_text(u, "/start");
    app.reply_containing(u, "Hi, Ida!").await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(
            "telepay_http_request_duration_seconds_count{route=\"telegram_webhook\",status=\"200\"}"
        ),
        "{metrics}"
    );
}

async fn requests_beyond_the_bound_get_503(backend: Backend) {
    let Some(app) = spawn_app_with(backend, Mode::Polling, |raw| {
        raw.http_max_concurrent_requests = Some("1".into());
        raw.http_request_timeout = Some("5m".into());
    })
    .await
    else {
        return;
    };
    // One request holds the only place: its body is still coming. Once it is being handled,
    // the next request is shed at once, not queued. (The holder itself may arrive while one of
    // our probes holds the place and be shed; then it starts over.)
    let deadline = tokio::time::Instant::now() + BOUND;
    let mut holder = 'hold: loop {
        let mut holder = connect(&app).await;
        holder
            .write_all(
                b"POST /webhooks/nowpayments HTTP/1.1\r\nHost: telepay\r\nx-nowpayments-sig: 00\r\n\
                  Content-Length: 20\r\n\r\n{\"payment_id\":",
            )
            .await
            .unwrap();
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "never shed while the only place was taken"
            );
            let status = app.get("/healthz").await.status();
            if status == 503 {
                break 'hold holder;
            }
            assert_eq!(status, 200);
            let mut peek = [0u8; 64];
            match holder.try_read(&mut peek) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                // Answered (shed) or closed: it never held the place.
                _ => continue 'hold,
            }
            tokio::task::yield_now().await;
        }
    };
    // The holder finishes (its forged signature is refused) and frees the place.
    holder.write_all(b" 12345}").await.unwrap();
    let mut answer = [0u8; 12];
    tokio::time::timeout(BOUND, holder.read_exact(&mut answer))
        .await
        .expect("the held request is answered")
        .unwrap();
    assert_eq!(&answer, b"HTTP/1.1 401");
    eventually_within(BOUND, "the place freed (/healthz 200)", async || {
        let status = app.get("/healthz").await.status();
        if status == 200 { Ok(()) } else { Err(status) }
    })
    .await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("telepay_http_refused_total{reason=\"overloaded\"}"),
        "{metrics}"
    );
}

on_both_backends!(
    unfinished_headers_are_cut_off,
    an_unfinished_body_ends_the_request,
    a_body_over_the_limit_is_refused_from_its_length,
    a_webhook_call_with_a_wrong_secret_is_refused_unread,
    requests_beyond_the_bound_get_503,
);
