//! The product's NOWPayments client and IPN verifier against the simulator over real HTTP, with
//! a tiny IPN receiver (moved from the simulator's own tests).

mod client;
mod ipn;
mod signer;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rust_decimal::Decimal;
use secrecy::SecretString;
use tokio::sync::Notify;
use url::Url;

use telepay::providers::nowpayments::{
    CreateInvoice, NowPaymentsClient, PaymentStatus, RetryPolicy,
};
use telepay_sim::nowpayments::{NowPaymentsSim, NpSimConfig};

/// The simulator's status in the product's type, by its wire name: the two are written
/// separately, each from NOWPayments' documents.
pub(super) fn product_status(status: &telepay_sim::nowpayments::PaymentStatus) -> PaymentStatus {
    PaymentStatus::parse(status.as_str())
}

pub(super) const WAIT: Duration = Duration::from_secs(3);

/// Fast IPN retries so the suite stays quick.
pub(super) fn config() -> NpSimConfig {
    NpSimConfig {
        ipn_retry_interval: Duration::from_millis(20),
        ..NpSimConfig::default()
    }
}

pub(super) async fn sim() -> NowPaymentsSim {
    NowPaymentsSim::start(config()).await.unwrap()
}

/// The production client pointed at the simulator, with millisecond backoff.
pub(super) fn client_for(sim: &NowPaymentsSim) -> NowPaymentsClient {
    NowPaymentsClient::new(sim.api_url(), SecretString::from(sim.api_key()))
        .unwrap()
        .with_retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        })
}

pub(super) fn order(order_id: &str, price: Decimal, ipn: &Url) -> CreateInvoice {
    CreateInvoice {
        price_amount: price,
        price_currency: "usd".into(),
        order_id: order_id.into(),
        order_description: "Premium Signals, 30 days".into(),
        ipn_callback_url: ipn.clone(),
        success_url: Url::parse(&format!("https://bot.example/pay/{order_id}")).unwrap(),
        cancel_url: None,
    }
}

/// One IPN as the receiver got it.
#[derive(Debug, Clone)]
pub(super) struct Received {
    pub(super) signature: Option<String>,
    pub(super) body: Vec<u8>,
}

#[derive(Default)]
struct ReceiverState {
    got: Vec<Received>,
    /// Answers to give, in order; 200 once exhausted.
    script: VecDeque<u16>,
}

/// A tiny axum IPN endpoint that records what it gets and answers as scripted.
#[derive(Clone)]
pub(super) struct Receiver {
    state: Arc<Mutex<ReceiverState>>,
    changed: Arc<Notify>,
    pub(super) url: Url,
}

impl Receiver {
    pub(super) async fn start(script: &[u16]) -> Self {
        let state = Arc::new(Mutex::new(ReceiverState {
            got: Vec::new(),
            script: script.iter().copied().collect(),
        }));
        let changed = Arc::new(Notify::new());
        let app = Router::new()
            .route("/webhooks/nowpayments", axum::routing::post(receive))
            .with_state((state.clone(), changed.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let url = Url::parse(&format!("http://{addr}/webhooks/nowpayments")).unwrap();
        Self {
            state,
            changed,
            url,
        }
    }

    pub(super) fn got(&self) -> Vec<Received> {
        self.state.lock().unwrap().got.clone()
    }

    /// Waits until at least `n` IPNs arrived.
    pub(super) async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} IPNs arrived",
                got.len()
            );
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }
}

type Shared = (Arc<Mutex<ReceiverState>>, Arc<Notify>);

async fn receive(
    State((state, changed)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers
        .get("x-nowpayments-sig")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = {
        let mut st = state.lock().unwrap();
        st.got.push(Received {
            signature,
            body: body.to_vec(),
        });
        st.script.pop_front().unwrap_or(200)
    };
    changed.notify_waiters();
    StatusCode::from_u16(status).unwrap()
}
