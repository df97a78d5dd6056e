//! The JSON-RPC transport under alloy's provider: one POST per request packet through the
//! shared reqwest client ([`crate::providers::http::client`]), so the node is reached with the
//! same timeouts and TLS as the other providers, and no error ever names the endpoint.
//!
//! alloy's own `alloy-transport-http` is not used: its 1.8 line is built on reqwest 0.13 (a
//! second HTTP stack in the binary), and it records the full URL, which carries the node
//! provider's key, in its tracing span.

use std::sync::Arc;
use std::task;

use alloy_json_rpc::{RequestPacket, ResponsePacket};
use alloy_transport::{TransportError, TransportErrorKind, TransportFut};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::providers::http;

/// Why a request packet got no answer; carried inside alloy's transport error and turned back
/// into [`super::RpcError::Timeout`] or [`super::RpcError::Transport`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("{detail}")]
pub(super) struct NoAnswer {
    pub(super) timeout: bool,
    /// The error chain without the URL, scrubbed of its path, query and password.
    pub(super) detail: String,
}

/// A tower service alloy's `RpcClient` drives. Cheap to clone.
#[derive(Clone)]
pub(super) struct NodeTransport {
    http: reqwest::Client,
    url: Arc<SecretString>,
}

impl NodeTransport {
    pub(super) fn new(http: reqwest::Client, url: SecretString) -> Self {
        Self {
            http,
            url: Arc::new(url),
        }
    }

    /// Removes every trace of the URL from a transport error text.
    fn scrub(&self, text: &str) -> String {
        let url = self.url.expose_secret();
        let mut out = text.replace(url, "[rpc-url]");
        if let Ok(parsed) = Url::parse(url) {
            let path = parsed.path();
            if path.len() > 1 {
                out = out.replace(path, "/[redacted]");
            }
            if let Some(q) = parsed.query() {
                out = out.replace(q, "[redacted]");
            }
            if let Some(pw) = parsed.password() {
                out = out.replace(pw, "[redacted]");
            }
        }
        out
    }

    fn no_answer(&self, err: reqwest::Error) -> TransportError {
        TransportErrorKind::custom(NoAnswer {
            timeout: err.is_timeout(),
            detail: self.scrub(&http::error_chain(err)),
        })
    }

    async fn post(self, packet: RequestPacket) -> Result<ResponsePacket, TransportError> {
        let response = self
            .http
            .post(self.url.expose_secret())
            .json(&packet)
            .send()
            .await
            .map_err(|e| self.no_answer(e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| self.no_answer(e))?;
        if !status.is_success() {
            // The body is kept for its JSON-RPC error message (see `RpcError::from_alloy`).
            return Err(TransportErrorKind::http_error(
                status.as_u16(),
                String::from_utf8_lossy(&body).into_owned(),
            ));
        }
        serde_json::from_slice(&body)
            .map_err(|e| TransportError::deser_err(e, String::from_utf8_lossy(&body)))
    }
}

impl tower::Service<RequestPacket> for NodeTransport {
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, _cx: &mut task::Context<'_>) -> task::Poll<Result<(), Self::Error>> {
        task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, packet: RequestPacket) -> Self::Future {
        Box::pin(self.clone().post(packet))
    }
}
