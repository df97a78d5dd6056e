//! The product's IPN canonical form and the simulator's, written separately from the same
//! documents, must agree on every body either could meet.

use serde_json::{Value, json};
use telepay::providers::nowpayments::ipn::{ArrayForm, canonical, sign_body, verify};
use telepay_sim::js::sorted_stringify;
use telepay_sim::nowpayments::sign_ipn;

fn bodies() -> Vec<Value> {
    vec![
        json!({"b": 0.00001234, "a": 15.0, "c": "é"}),
        json!({"amount": 1e-7, "big": 9007199254740993u64, "neg": -0.5, "huge": 1e21}),
        json!({"fee": {"withdrawalFee": 0, "depositFee": 0.09853637216235617, "currency": "trx"}}),
        json!({"\u{ff61}": 1, "\u{1f600}": 2, "Z": 3, "a": 4, "_": 5}),
        json!({"order_description": "Канал «X» / 30 days \"quoted\" \\ \n\t\u{7}"}),
        json!({"payment_extra_ids": [5513339153u64, 1], "nested": [{"y": 1, "x": [2, {"b": 0, "a": 1}]}]}),
        json!({"t": true, "f": false, "n": null, "s": "", "o": {}, "l": []}),
    ]
}

#[test]
fn the_product_and_the_simulator_write_the_same_canonical_text() {
    for body in bodies() {
        assert_eq!(
            sorted_stringify(&body).unwrap(),
            canonical(&body, ArrayForm::Kept),
            "{body}"
        );
    }
}

#[test]
fn what_the_simulator_signs_the_product_verifies_and_signs_alike() {
    for body in bodies() {
        let sig = sign_ipn("np-secret", &body).unwrap();
        assert_eq!(sig, sign_body("np-secret", &body), "{body}");
        let raw = serde_json::to_vec(&body).unwrap();
        assert!(verify("np-secret", &raw, Some(&sig)).is_ok(), "{body}");
    }
}
