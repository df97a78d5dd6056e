//! Counts every Bot API call in `telepay_telegram_requests_total{method, result}`.
//!
//! teloxide sends through a plain `reqwest::Client` with no hook, so the count is taken one
//! level up, as a `Requester` adaptor ([`Counted`]) in the same style as teloxide's own
//! `Throttle` and `Trace`. It sits *inside* `Throttle` (`Throttle<Counted<Bot>>`), so it sees
//! each HTTP attempt, including those `Throttle` repeats after a 429:
//!
//! - `ok`: Telegram accepted the call at the first attempt;
//! - `429`: Telegram answered "Too Many Requests" (retry_after); `Throttle` waits and sends
//!   the same request again;
//! - `retried`: Telegram accepted a call that had been answered 429 before;
//! - `error`: any other failure (a Telegram error such as "chat not found", or the network).
//!
//! Each attempt is counted once, so the sum over `result` is the number of requests sent, and
//! `ok + retried` the number of calls that went through.

mod forward;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use teloxide::errors::AsResponseParameters;
use teloxide::requests::{HasPayload, Output, Payload, Request};

use super::names;

/// A `Requester` that counts the calls of the one it wraps.
#[derive(Clone, Debug)]
pub struct Counted<B> {
    inner: B,
}

impl<B> Counted<B> {
    pub fn new(inner: B) -> Self {
        Self { inner }
    }

    pub fn inner(&self) -> &B {
        &self.inner
    }
}

/// The Bot API method a payload calls, as Telegram spells it (`sendMessage`): teloxide's
/// payload names are the type names (`SendMessage`, `EditMessageTextInline`).
pub fn method_label(payload_name: &str) -> String {
    let name = payload_name.trim_end_matches("Inline");
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What one attempt came to (see the module documentation).
fn result_label<T, E: AsResponseParameters>(res: &Result<T, E>, after_429: bool) -> &'static str {
    match res {
        Ok(_) if after_429 => "retried",
        Ok(_) => "ok",
        Err(e) if e.retry_after().is_some() => "429",
        Err(_) => "error",
    }
}

/// A request of the wrapped bot, counted when each send of it completes.
#[must_use = "Requests are lazy and do nothing unless sent"]
pub struct CountedRequest<R> {
    inner: R,
    /// Set once an attempt was answered 429: the next success is a retry's.
    saw_429: Arc<AtomicBool>,
}

impl<R> CountedRequest<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            saw_429: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl<R: Clone> Clone for CountedRequest<R> {
    /// A copy is a call of its own: it starts without the original's 429s.
    fn clone(&self) -> Self {
        Self::new(self.inner.clone())
    }
}

impl<R: HasPayload> HasPayload for CountedRequest<R> {
    type Payload = R::Payload;

    fn payload_mut(&mut self) -> &mut Self::Payload {
        self.inner.payload_mut()
    }

    fn payload_ref(&self) -> &Self::Payload {
        self.inner.payload_ref()
    }
}

impl<R> Request for CountedRequest<R>
where
    R: Request,
    R::Err: AsResponseParameters,
{
    type Err = R::Err;
    type Send = CountedSend<R::Send>;
    type SendRef = CountedSend<R::SendRef>;

    fn send(self) -> Self::Send {
        CountedSend::new(
            self.inner.send(),
            <R::Payload as Payload>::NAME,
            self.saw_429,
        )
    }

    fn send_ref(&self) -> Self::SendRef {
        CountedSend::new(
            self.inner.send_ref(),
            <R::Payload as Payload>::NAME,
            self.saw_429.clone(),
        )
    }
}

impl<R> IntoFuture for CountedRequest<R>
where
    R: Request,
    R::Err: AsResponseParameters,
{
    type Output = Result<Output<Self>, R::Err>;
    type IntoFuture = CountedSend<R::Send>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

/// The future of one attempt; counts its result when it completes.
pub struct CountedSend<F> {
    inner: Pin<Box<F>>,
    payload_name: &'static str,
    saw_429: Arc<AtomicBool>,
}

impl<F> CountedSend<F> {
    fn new(inner: F, payload_name: &'static str, saw_429: Arc<AtomicBool>) -> Self {
        Self {
            inner: Box::pin(inner),
            payload_name,
            saw_429,
        }
    }
}

impl<F, T, E> Future for CountedSend<F>
where
    F: Future<Output = Result<T, E>>,
    E: AsResponseParameters,
{
    type Output = Result<T, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let res = std::task::ready!(self.inner.as_mut().poll(cx));
        let result = result_label(&res, self.saw_429.load(Ordering::Relaxed));
        if result == "429" {
            self.saw_429.store(true, Ordering::Relaxed);
        }
        metrics::counter!(
            names::TELEGRAM_REQUESTS,
            "method" => method_label(self.payload_name),
            "result" => result,
        )
        .increment(1);
        Poll::Ready(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_named_as_telegram_spells_them() {
        assert_eq!(method_label("SendMessage"), "sendMessage");
        assert_eq!(method_label("EditMessageTextInline"), "editMessageText");
        assert_eq!(method_label("GetMe"), "getMe");
    }

    #[test]
    fn attempts_are_labelled_by_what_came_back() {
        use teloxide::RequestError;
        use teloxide::types::Seconds;
        let ok: Result<(), RequestError> = Ok(());
        let flood: Result<(), RequestError> =
            Err(RequestError::RetryAfter(Seconds::from_seconds(3)));
        let other: Result<(), RequestError> =
            Err(RequestError::Api(teloxide::ApiError::ChatNotFound));
        assert_eq!(result_label(&ok, false), "ok");
        assert_eq!(result_label(&ok, true), "retried");
        assert_eq!(result_label(&flood, false), "429");
        assert_eq!(result_label(&flood, true), "429");
        assert_eq!(result_label(&other, false), "error");
        assert_eq!(result_label(&other, true), "error");
    }
}
