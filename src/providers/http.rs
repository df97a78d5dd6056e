//! The one HTTP-client core of the provider clients (NOWPayments, ChangeNOW, the EVM node):
//! building the reqwest client, sending with bounded backoff (`backon`) that honours a
//! `Retry-After`, reading the answer whatever its status, and turning transport failures into
//! text that never carries a secret. What an answer *means* (its error body, whether it is
//! worth repeating) stays with each provider's client, which passes it in as closures.

use std::fmt;
use std::time::Duration;

use backon::Retryable as _;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::json_number::short;

/// Sent on every provider call.
pub const USER_AGENT: &str = concat!("telepay/", env!("CARGO_PKG_VERSION"));

/// A reqwest client with the given connect and whole-request timeouts.
pub fn client(connect: Duration, total: Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(total)
        .user_agent(USER_AGENT)
        .build()
}

/// Bounded exponential backoff for failures worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (at least 1).
    pub max_attempts: u32,
    /// Pause after the first failed attempt; doubled after each later one.
    pub base_delay: Duration,
    /// Upper bound of one pause (before jitter), also applied to a `Retry-After`.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// Never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    /// The pause after failed attempt number `attempt` (1-based): exponential, capped, plus up
    /// to 25 % random jitter so that several workers do not retry in lockstep (NOWPayments'
    /// 429 page gives no Retry-After, apis.md §A.8).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = 2u32.saturating_pow(attempt.saturating_sub(1));
        let base = retry_after
            .unwrap_or_else(|| self.base_delay.saturating_mul(exp))
            .min(self.max_delay);
        let jitter = rand::random_range(Duration::ZERO..=base / 4);
        base.saturating_add(jitter)
    }

    /// The pauses between `attempts` attempts, as backon's backoff.
    fn backoff(self, attempts: u32) -> impl backon::Backoff {
        (1..attempts.max(1)).map(move |attempt| self.delay(attempt, None))
    }
}

/// Why one attempt got no 2xx answer, before a provider gives it a meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer. `detail` is the error chain without the URL and with the key scrubbed.
    Transport {
        timeout: bool,
        /// The connection could not be made: the request never reached the provider.
        connect: bool,
        /// The request could not be built.
        builder: bool,
        detail: String,
    },
    /// A non-2xx answer and its body.
    Status { status: u16, body: Vec<u8> },
}

/// An API root and its key: sends requests, repeats the ones worth repeating, scrubs the key.
#[derive(Clone)]
pub struct ApiCore {
    /// The provider's name for logs ("NOWPayments").
    provider: &'static str,
    http: reqwest::Client,
    base: Url,
    key: SecretString,
    retry: RetryPolicy,
}

impl fmt::Debug for ApiCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiCore")
            .field("provider", &self.provider)
            .field("base", &self.base.as_str())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Whether `url` can be an API root: http(s) with a path.
pub fn is_api_root(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && !url.cannot_be_a_base()
}

impl ApiCore {
    /// `base` is the API root (query and fragment are dropped); check it with
    /// [`is_api_root`] first.
    pub fn new(
        provider: &'static str,
        http: reqwest::Client,
        mut base: Url,
        key: SecretString,
        retry: RetryPolicy,
    ) -> Self {
        base.set_query(None);
        base.set_fragment(None);
        Self {
            provider,
            http,
            base,
            key,
            retry,
        }
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn set_http(&mut self, http: reqwest::Client) {
        self.http = http;
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn key(&self) -> &SecretString {
        &self.key
    }

    pub fn retry(&self) -> RetryPolicy {
        self.retry
    }

    pub fn set_retry(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    /// `base` + path segments, whether or not `base` ends with `/`; `None` when the base
    /// cannot take a path.
    pub fn endpoint(&self, segments: &[&str]) -> Option<Url> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .ok()?
            .pop_if_empty()
            .extend(segments);
        Some(url)
    }

    /// Removes the API key from text that may echo a request.
    pub fn redact(&self, text: &str) -> String {
        let key = self.key.expose_secret().trim();
        if key.len() >= 4 {
            text.replace(key, "[redacted]")
        } else {
            text.to_owned()
        }
    }

    /// Sends the request built by `request` up to `attempts` times (capped by the policy) and
    /// returns the 2xx body. `classify` gives a failure its provider meaning; `retry_now`
    /// says whether that error is worth another attempt here; a `Retry-After` of the answer
    /// replaces the computed pause (capped by the policy).
    pub async fn send<E: fmt::Display>(
        &self,
        endpoint: &'static str,
        attempts: u32,
        request: impl Fn() -> Option<reqwest::RequestBuilder>,
        classify: impl Fn(Failure) -> E,
        retry_now: impl Fn(&E) -> bool,
    ) -> Result<Vec<u8>, E> {
        let attempts = attempts.min(self.retry.max_attempts).max(1);
        let provider = self.provider;
        let once = || async {
            let Some(builder) = request() else {
                let failure = Failure::Transport {
                    timeout: false,
                    connect: false,
                    builder: true,
                    detail: "the request cannot be repeated".to_owned(),
                };
                return Err((classify(failure), None));
            };
            self.attempt(builder)
                .await
                .map_err(|(failure, retry_after)| (classify(failure), retry_after))
        };
        let result = once
            .retry(self.retry.backoff(attempts))
            .sleep(tokio::time::sleep)
            .when(|(err, _)| retry_now(err))
            .adjust(|(_, retry_after), delay| {
                delay.map(|d| retry_after.map_or(d, |ra| self.retry.delay(1, Some(ra))))
            })
            .notify(|(err, _), delay| {
                tracing::warn!(provider, endpoint, ?delay, error = %err, "provider call failed; backing off");
            })
            .await;
        result.map_err(|(err, _)| {
            tracing::debug!(provider, endpoint, error = %err, "provider call failed");
            err
        })
    }

    async fn attempt(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, (Failure, Option<Duration>)> {
        let response = request
            .send()
            .await
            .map_err(|e| (self.transport(e), None))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| (self.transport(e), None))?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        Err((
            Failure::Status {
                status: status.as_u16(),
                body: body.to_vec(),
            },
            retry_after,
        ))
    }

    fn transport(&self, err: reqwest::Error) -> Failure {
        Failure::Transport {
            timeout: err.is_timeout(),
            connect: err.is_connect(),
            builder: err.is_builder(),
            detail: self.redact(&error_chain(err)),
        }
    }
}

/// The error and its sources, `: `-joined, without the request URL (which may carry a key).
pub fn error_chain(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A `Retry-After` in seconds.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// A short, single-line, printable excerpt of an error body of at most `max` characters (plus
/// an ellipsis): the `<title>` of an HTML page or the text without tags.
pub fn snippet(body: &str, max: usize) -> String {
    let lower = body.to_ascii_lowercase();
    let title = lower.find("<title>").and_then(|start| {
        let from = start + "<title>".len();
        lower
            .get(from..)
            .and_then(|rest| rest.find("</title>"))
            .and_then(|len| body.get(from..from + len))
    });
    let source = title.unwrap_or(body);
    let mut text = String::new();
    let mut in_tag = false;
    for c in source.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if in_tag => {}
            c if c.is_control() || c.is_whitespace() => text.push(' '),
            c => text.push(c),
        }
    }
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > max {
        format!("{}…", short(&joined, max))
    } else if joined.is_empty() {
        "(empty body)".to_owned()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
        };
        for _ in 0..50 {
            let d1 = p.delay(1, None);
            assert!(d1 >= Duration::from_millis(200) && d1 <= Duration::from_millis(250));
            let d2 = p.delay(2, None);
            assert!(d2 >= Duration::from_millis(400) && d2 <= Duration::from_millis(500));
            assert!(p.delay(9, None) <= Duration::from_millis(2500));
            assert!(p.delay(1, Some(Duration::from_secs(60))) <= Duration::from_millis(2500));
        }
        let pauses: Vec<Duration> = p.backoff(3).collect();
        assert_eq!(pauses.len(), 2, "three attempts, two pauses");
        assert_eq!(RetryPolicy::none().backoff(1).count(), 0);
    }

    #[test]
    fn snippets_are_short_and_single_line() {
        let page =
            "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>…</body></html>";
        assert_eq!(snippet(page, 160), "429 Too Many Requests");
        assert_eq!(snippet("<p>Bad\n\tgateway</p>", 160), "Bad gateway");
        assert_eq!(snippet("", 160), "(empty body)");
        assert_eq!(snippet(&"x".repeat(1000), 160).chars().count(), 161);
    }

    #[test]
    fn keys_are_scrubbed_and_roots_join() {
        let core = ApiCore::new(
            "X",
            reqwest::Client::new(),
            Url::parse("https://api.example/v1/?q=1#f").unwrap(),
            SecretString::from(" key-1234\n"),
            RetryPolicy::none(),
        );
        assert_eq!(core.redact("a key-1234 b"), "a [redacted] b");
        assert_eq!(core.base_url().as_str(), "https://api.example/v1/");
        assert_eq!(
            core.endpoint(&["a", "b"]).unwrap().as_str(),
            "https://api.example/v1/a/b"
        );
        assert!(!format!("{core:?}").contains("key-1234"));
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, " 7 ".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
    }
}
