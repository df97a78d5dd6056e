//! NOWPayments API v1 client (reference/apis.md §A): create a hosted invoice, read a payment,
//! check the API is up. The plumbing (timeouts, backoff, error bodies, key scrubbing) is the
//! shared [`ApiCore`].

use std::fmt;
use std::time::Duration;

use anyhow::Context as _;
use reqwest::header::CONTENT_TYPE;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::error::{NpError, SNIPPET_CHARS};
use super::wire::{CreateInvoice, NpInvoice, NpPayment};
use crate::providers::http::{self, ApiCore, RetryPolicy, snippet};

/// The backoff for 429 and 5xx answers: 3 attempts, pausing about 0.5 s then 1 s.
pub const DEFAULT_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(500),
    max_delay: Duration::from_secs(4),
};

/// Connect timeout of the default client.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Whole-request timeout of the default client.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Client for NOWPayments API v1. Cheap to clone; `Debug` shows no key.
#[derive(Clone)]
pub struct NowPaymentsClient {
    core: ApiCore,
}

impl fmt::Debug for NowPaymentsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NowPaymentsClient")
            .field("base", &self.core.base_url().as_str())
            .field("retry", &self.core.retry())
            .finish_non_exhaustive()
    }
}

fn http_client(connect: Duration, total: Duration) -> anyhow::Result<reqwest::Client> {
    http::client(connect, total).context("building the NOWPayments HTTP client")
}

impl NowPaymentsClient {
    /// `base_url` is the API root, e.g. `https://api.nowpayments.io/v1`, with or without a
    /// trailing slash. Timeouts: 5 s to connect, 15 s in all.
    pub fn new(base_url: Url, api_key: SecretString) -> anyhow::Result<Self> {
        anyhow::ensure!(
            http::is_api_root(&base_url),
            "the NOWPayments API URL must be an http(s) URL"
        );
        anyhow::ensure!(
            !api_key.expose_secret().trim().is_empty(),
            "the NOWPayments API key is empty"
        );
        let http = http_client(CONNECT_TIMEOUT, REQUEST_TIMEOUT)?;
        Ok(Self {
            core: ApiCore::new("NOWPayments", http, base_url, api_key, DEFAULT_RETRY),
        })
    }

    /// Replaces the connect and whole-request timeouts.
    pub fn with_timeouts(mut self, connect: Duration, total: Duration) -> anyhow::Result<Self> {
        self.core.set_http(http_client(connect, total)?);
        Ok(self)
    }

    /// Replaces the backoff policy for 429 and 5xx answers.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.core.set_retry(retry);
        self
    }

    /// The API root this client talks to.
    pub fn base_url(&self) -> &Url {
        self.core.base_url()
    }

    /// `base` + path segments, whether or not `base` ends with `/`.
    pub(super) fn endpoint(&self, segments: &[&str]) -> Result<Url, NpError> {
        self.core
            .endpoint(segments)
            .ok_or_else(|| NpError::InvalidRequest("the API URL cannot take a path".to_owned()))
    }

    /// `GET /status`: whether the API is up (no key needed).
    pub async fn api_status(&self) -> Result<(), NpError> {
        let url = self.endpoint(&["status"])?;
        let body = self
            .send("status", || self.core.http().get(url.clone()))
            .await?;
        let v: Value =
            serde_json::from_slice(&body).map_err(|e| NpError::Decode(format!("status: {e}")))?;
        match v.get("message").and_then(Value::as_str) {
            Some(m) if m.eq_ignore_ascii_case("ok") => Ok(()),
            _ => Err(NpError::Decode(format!(
                "status: {}",
                snippet(&v.to_string(), SNIPPET_CHARS)
            ))),
        }
    }

    /// `POST /invoice`: a hosted invoice for our order. Retried on 429/5xx; a retry after a
    /// lost answer may leave an unused duplicate invoice at NOWPayments, which is harmless
    /// (invoices send nothing until paid and carry our `order_id`).
    pub async fn create_invoice(&self, req: &CreateInvoice) -> Result<NpInvoice, NpError> {
        let body = req.to_json()?;
        let url = self.endpoint(&["invoice"])?;
        let bytes = self
            .send("invoice", || {
                self.core
                    .http()
                    .post(url.clone())
                    .header(CONTENT_TYPE, "application/json")
                    .header("x-api-key", self.core.key().expose_secret())
                    .body(body.clone())
            })
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| NpError::Decode(format!("invoice: {e}")))
    }

    /// `GET /payment/{id}`. Must use the key that created the payment (apis.md §A.1).
    pub async fn get_payment(&self, payment_id: &str) -> Result<NpPayment, NpError> {
        let id = payment_id.trim();
        // NOWPayments ids are digits; anything else would change the path (an empty id would
        // even hit the list endpoint).
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NpError::InvalidRequest(format!(
                "payment id `{}` is not numeric",
                id.chars().take(24).collect::<String>()
            )));
        }
        let url = self.endpoint(&["payment", id])?;
        let bytes = self
            .send("payment", || {
                self.core
                    .http()
                    .get(url.clone())
                    .header("x-api-key", self.core.key().expose_secret())
            })
            .await?;
        NpPayment::from_slice(&bytes)
    }

    /// Sends with bounded backoff on 429/5xx (a timeout already cost the whole time budget
    /// and is left to the caller's job retry) and returns the 2xx body.
    async fn send(
        &self,
        endpoint: &'static str,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, NpError> {
        self.core
            .send(
                endpoint,
                u32::MAX,
                || Some(request()),
                |failure| NpError::from_failure(&self.core, failure),
                NpError::backs_off,
            )
            .await
    }

    /// Maps a non-2xx answer (see [`NpError::classify`]).
    #[cfg(test)]
    pub(super) fn classify(&self, status: u16, body: &[u8]) -> NpError {
        NpError::classify(&self.core, status, body)
    }
}
