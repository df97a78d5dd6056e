//! The NOWPayments simulator over real HTTP with raw requests. The product's client and IPN
//! verifier against it live in the product's integration tests (`tests/it/clients/nowpayments`).

mod api;

use std::time::Duration;

use super::{NowPaymentsSim, NpSimConfig};

pub(super) async fn sim() -> NowPaymentsSim {
    NowPaymentsSim::start(NpSimConfig {
        ipn_retry_interval: Duration::from_millis(20),
        ..NpSimConfig::default()
    })
    .await
    .unwrap()
}
