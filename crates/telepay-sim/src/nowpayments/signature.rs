//! The IPN signature NOWPayments sends in `x-nowpayments-sig` (reference/apis.md §A.5):
//! lowercase hex HMAC-SHA512, keyed with the IPN secret, over `JSON.stringify` of the body
//! with its keys sorted recursively. Written from the documents and the published test
//! vector, independently of the product's verifier.

use hmac::{KeyInit, Mac};
use serde_json::Value;
use sha2::Sha512;

use crate::js::{self, JsError};

type HmacSha512 = hmac::Hmac<Sha512>;

/// The lowercase hex HMAC-SHA512 of `message` under `secret`. The secret is trimmed, as
/// NOWPayments' own PHP sample does.
pub fn hmac_sha512_hex(secret: &str, message: &str) -> String {
    // HMAC accepts keys of any length, so this never fails; an empty signature would never
    // verify anywhere.
    match <HmacSha512 as KeyInit>::new_from_slice(secret.trim().as_bytes()) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// The signature NOWPayments puts on `body`.
pub fn sign_ipn(secret: &str, body: &Value) -> Result<String, JsError> {
    Ok(hmac_sha512_hex(secret, &js::sorted_stringify(body)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published vector (reference/apis.md §A.5, checked with Node and the official
    /// `sortObject`). The product keeps its own copy in its verifier's tests.
    const VECTOR_SECRET: &str = "test_ipn_secret";
    const VECTOR_BODY: &str = r#"{"payment_id":5077125051,"parent_payment_id":null,"invoice_id":4522625843,"payment_status":"finished","pay_address":"TNDFkiSmBQorNFacb3735q8MnT29sn8BLn","payin_extra_id":null,"price_amount":10,"price_currency":"usd","pay_amount":10.152,"actually_paid":10.152,"actually_paid_at_fiat":0,"pay_currency":"usdttrc20","order_id":"sub_42_7","order_description":"Channel X, 30 days","purchase_id":"6084744717","outcome_amount":9.8505,"outcome_currency":"usdttrc20","payment_extra_ids":null,"created_at":"2021-04-12T14:22:54.942Z","updated_at":"2021-04-12T14:23:06.244Z","fee":{"currency":"usdttrc20","depositFee":0.05,"withdrawalFee":0,"serviceFee":0.0507}}"#;
    const VECTOR_CANONICAL: &str = r#"{"actually_paid":10.152,"actually_paid_at_fiat":0,"created_at":"2021-04-12T14:22:54.942Z","fee":{"currency":"usdttrc20","depositFee":0.05,"serviceFee":0.0507,"withdrawalFee":0},"invoice_id":4522625843,"order_description":"Channel X, 30 days","order_id":"sub_42_7","outcome_amount":9.8505,"outcome_currency":"usdttrc20","parent_payment_id":null,"pay_address":"TNDFkiSmBQorNFacb3735q8MnT29sn8BLn","pay_amount":10.152,"pay_currency":"usdttrc20","payin_extra_id":null,"payment_extra_ids":null,"payment_id":5077125051,"payment_status":"finished","price_amount":10,"price_currency":"usd","purchase_id":"6084744717","updated_at":"2021-04-12T14:23:06.244Z"}"#;
    const VECTOR_SIG: &str = "278580f75b688d8b5c6d3b57dff054d0eeff1f777842cb68bdcdd9614dc1570753bfe30ddd4e76e2dd461f34bb8c6b84e2e1dea9105a2ff623c0aef7f05196ba";

    /// The edge vector: JavaScript numbers and raw non-ASCII.
    const EDGE_BODY: &str = r#"{"b":0.00001234,"a":15.0,"c":"é"}"#;
    const EDGE_CANONICAL: &str = r#"{"a":15,"b":0.00001234,"c":"é"}"#;
    const EDGE_SIG: &str = "934bbdbebb16add8588e75e913eb0a5fe4e7fa99b252f921cc409d34d829ae99aa1a5106085091b9689dfccff036b0bfc23cdc0a209fd45d5fcff6413279fac8";

    #[test]
    fn the_published_vector_signs_as_published() {
        let body: Value = serde_json::from_str(VECTOR_BODY).unwrap();
        assert_eq!(js::sorted_stringify(&body).unwrap(), VECTOR_CANONICAL);
        assert_eq!(sign_ipn(VECTOR_SECRET, &body).unwrap(), VECTOR_SIG);
        // The secret is trimmed, as the PHP sample does.
        assert_eq!(sign_ipn("test_ipn_secret\n", &body).unwrap(), VECTOR_SIG);
    }

    #[test]
    fn the_edge_vector_signs_as_published() {
        let body: Value = serde_json::from_str(EDGE_BODY).unwrap();
        assert_eq!(js::sorted_stringify(&body).unwrap(), EDGE_CANONICAL);
        assert_eq!(sign_ipn(VECTOR_SECRET, &body).unwrap(), EDGE_SIG);
    }
}
