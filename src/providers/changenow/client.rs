//! ChangeNOW API v2 client (reference/apis.md §B): estimates, ranges, creating a standard-flow
//! (floating rate) exchange, polling it by id, and address validation.
//!
//! Money is `rust_decimal` end to end. Amounts are **sent** as plain decimal strings
//! ([`crate::providers::json_number::to_plain_string`]: never `1e-5`, which ChangeNOW rejects, §B.7) and **read** from the raw
//! number text of the answer: every JSON number token is turned into a string before serde sees
//! it (`numbers_as_strings`), so no amount ever passes through a double.
//!
//! Retries (lessons 41 and 57): errors are classified as retryable (timeouts, network errors,
//! 429, 5xx) or terminal (other 4xx, unreadable answers). Idempotent GETs are retried inside
//! the client, at most [`RetryPolicy::max_attempts`] attempts with a short bounded backoff.
//! [`ChangeNowClient::create_exchange`] is sent exactly once: a second exchange for the same
//! funds risks a double send (§B.7), so the caller decides, helped by
//! [`CnError::outcome_unknown`].

use std::fmt;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::error::CnError;
use super::wire::{
    AddressCheck, AmountRange, Asset, CreateExchange, Estimate, Exchange, ExchangeStatus, MinWire,
    RangeWire, from_exact_json,
};
use crate::providers::http::{self, ApiCore, RetryPolicy};
use crate::providers::json_number::{short, to_plain_string};

/// The header carrying the API key on every call (§B.1).
pub const API_KEY_HEADER: &str = "x-changenow-api-key";

/// Connect timeout upper bound; the whole-request timeout is given to
/// [`ChangeNowClient::new`].
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The backoff of idempotent GETs: 3 attempts, pausing about 200 ms then 400 ms.
pub const DEFAULT_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(200),
    max_delay: Duration::from_secs(2),
};

/// Client for ChangeNOW API v2. Cheap to clone; `Debug` shows no key.
#[derive(Clone)]
pub struct ChangeNowClient {
    core: ApiCore,
}

impl fmt::Debug for ChangeNowClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangeNowClient")
            .field("base", &self.core.base_url().as_str())
            .field("retry", &self.core.retry())
            .finish_non_exhaustive()
    }
}

/// Which calls the client may repeat by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idempotent {
    Yes,
    No,
}

impl ChangeNowClient {
    /// `base_url` is the API root, `https://api.changenow.io/v2`, with or without a trailing
    /// slash. `timeout` bounds each attempt (connecting takes at most
    /// [`CONNECT_TIMEOUT`] of it). The key is trimmed (lesson 48) and must not be empty.
    pub fn new(base_url: Url, api_key: SecretString, timeout: Duration) -> Result<Self, CnError> {
        if !http::is_api_root(&base_url) {
            return Err(CnError::Config(
                "the ChangeNOW API URL must be an http(s) URL".to_owned(),
            ));
        }
        let key = api_key.expose_secret().trim();
        if key.is_empty() {
            return Err(CnError::Config("the ChangeNOW API key is empty".to_owned()));
        }
        if HeaderValue::from_str(key).is_err() {
            return Err(CnError::Config(
                "the ChangeNOW API key has characters a header cannot carry".to_owned(),
            ));
        }
        if timeout.is_zero() {
            return Err(CnError::Config("the timeout must be positive".to_owned()));
        }
        let api_key = SecretString::from(key.to_owned());
        let client = http::client(timeout.min(CONNECT_TIMEOUT), timeout)
            .map_err(|e| CnError::Config(format!("building the HTTP client: {e}")))?;
        Ok(Self {
            core: ApiCore::new("ChangeNOW", client, base_url, api_key, DEFAULT_RETRY),
        })
    }

    /// Replaces the backoff policy of GETs (tests use millisecond delays).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.core.set_retry(retry);
        self
    }

    /// The API root this client talks to.
    pub fn base_url(&self) -> &Url {
        self.core.base_url()
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.core.retry()
    }

    #[cfg(test)]
    pub(super) fn api_key(&self) -> &SecretString {
        self.core.key()
    }

    /// `base` + path segments, whether or not `base` ends with `/`.
    pub(super) fn endpoint(&self, segments: &[&str]) -> Result<Url, CnError> {
        self.core
            .endpoint(segments)
            .ok_or_else(|| CnError::Config("the API URL cannot take a path".to_owned()))
    }

    fn pair_query(from: &Asset, to: &Asset) -> Result<Vec<(&'static str, String)>, CnError> {
        let (from, to) = (from.wire()?, to.wire()?);
        Ok(vec![
            ("fromCurrency", from.ticker),
            ("toCurrency", to.ticker),
            ("fromNetwork", from.network),
            ("toNetwork", to.network),
            ("flow", "standard".to_owned()),
        ])
    }

    /// `GET /v2/exchange/estimated-amount`, standard flow, direct: how much of `to` the
    /// exchange of `from_amount` of `from` would pay out now, fees included.
    pub async fn estimate(
        &self,
        from: &Asset,
        to: &Asset,
        from_amount: Decimal,
    ) -> Result<Estimate, CnError> {
        if from_amount <= Decimal::ZERO {
            return Err(CnError::InvalidRequest(
                "fromAmount must be positive".to_owned(),
            ));
        }
        let mut query = Self::pair_query(from, to)?;
        query.push(("fromAmount", to_plain_string(from_amount)));
        query.push(("type", "direct".to_owned()));
        let body = self
            .get(
                "estimated-amount",
                &["exchange", "estimated-amount"],
                &query,
            )
            .await?;
        from_exact_json(&body, "estimate")
    }

    /// `GET /v2/exchange/range`, standard flow.
    pub async fn range(&self, from: &Asset, to: &Asset) -> Result<AmountRange, CnError> {
        let query = Self::pair_query(from, to)?;
        let body = self.get("range", &["exchange", "range"], &query).await?;
        let w: RangeWire = from_exact_json(&body, "range")?;
        Ok(AmountRange {
            min: w.min_amount,
            max: w.max_amount,
        })
    }

    /// `GET /v2/exchange/min-amount`, standard flow.
    pub async fn min_amount(&self, from: &Asset, to: &Asset) -> Result<Decimal, CnError> {
        let query = Self::pair_query(from, to)?;
        let body = self
            .get("min-amount", &["exchange", "min-amount"], &query)
            .await?;
        let w: MinWire = from_exact_json(&body, "min-amount")?;
        Ok(w.min_amount)
    }

    /// `POST /v2/exchange`. Sent **once**, never retried here: if the answer is lost the
    /// exchange may exist anyway ([`CnError::outcome_unknown`]), and a second one for the same
    /// funds risks a double send. The caller decides what to do.
    pub async fn create_exchange(&self, req: &CreateExchange) -> Result<Exchange, CnError> {
        let body = req.to_json()?;
        let url = self.endpoint(&["exchange"])?;
        let request = self
            .core
            .http()
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(API_KEY_HEADER, self.core.key().expose_secret())
            .body(body);
        let bytes = self
            .send("exchange", Idempotent::No, || request.try_clone())
            .await?;
        let exchange = Exchange::from_wire(&bytes, req)?;
        tracing::info!(
            exchange_id = %exchange.id,
            from = %exchange.from,
            to = %exchange.to,
            from_amount = %exchange.from_amount,
            "ChangeNOW exchange created"
        );
        Ok(exchange)
    }

    /// `GET /v2/exchange/by-id?id=…`.
    pub async fn exchange(&self, id: &str) -> Result<ExchangeStatus, CnError> {
        let id = id.trim();
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CnError::InvalidRequest(format!(
                "exchange id `{}` is not a ChangeNOW id",
                short(id, 24)
            )));
        }
        let body = self
            .get("by-id", &["exchange", "by-id"], &[("id", id.to_owned())])
            .await?;
        ExchangeStatus::from_slice(&body)
    }

    /// `GET /v2/validate/address?currency=<network>&address=…`. Note that `currency` is the
    /// *network* (`trx`, `eth`, `bsc`), §B.3.
    pub async fn validate_address(
        &self,
        network: &str,
        address: &str,
    ) -> Result<AddressCheck, CnError> {
        let network = network.trim().to_ascii_lowercase();
        let address = address.trim();
        if network.is_empty() || address.is_empty() {
            return Err(CnError::InvalidRequest(
                "network and address are required".to_owned(),
            ));
        }
        let query = [("currency", network), ("address", address.to_owned())];
        let body = self
            .get("validate-address", &["validate", "address"], &query)
            .await?;
        from_exact_json(&body, "address check")
    }

    /// An authenticated GET, retried on retryable failures.
    async fn get(
        &self,
        name: &'static str,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<Vec<u8>, CnError> {
        let mut url = self.endpoint(segments)?;
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        let request = self
            .core
            .http()
            .get(url)
            .header(API_KEY_HEADER, self.core.key().expose_secret());
        self.send(name, Idempotent::Yes, || request.try_clone())
            .await
    }

    /// Sends the request, repeating idempotent ones with bounded backoff, and returns the 2xx
    /// body.
    async fn send(
        &self,
        name: &'static str,
        idempotent: Idempotent,
        request: impl Fn() -> Option<reqwest::RequestBuilder>,
    ) -> Result<Vec<u8>, CnError> {
        let attempts = match idempotent {
            Idempotent::Yes => u32::MAX,
            Idempotent::No => 1,
        };
        let result = self
            .core
            .send(
                name,
                attempts,
                request,
                |failure| CnError::from_failure(&self.core, failure),
                CnError::is_retryable,
            )
            .await;
        if let Err(err) = &result
            && idempotent == Idempotent::No
            && err.outcome_unknown()
        {
            tracing::warn!(endpoint = name, error = %err, "ChangeNOW POST outcome unknown; not retried");
        }
        result
    }

    /// Maps a non-2xx answer (see [`CnError::classify`]).
    #[cfg(test)]
    pub(super) fn classify(&self, status: u16, body: &[u8]) -> CnError {
        CnError::classify(&self.core, status, body)
    }
}
