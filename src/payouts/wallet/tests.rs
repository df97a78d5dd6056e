//! Pure tests: signing, decoding, units, fees, redaction, error classification.

use std::str::FromStr;
use std::time::Duration;

use alloy_consensus::transaction::SignerRecoverable as _;
use alloy_consensus::{Transaction as _, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, Bytes, TxKind, U256, address};
use alloy_sol_types::SolCall;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use secrecy::SecretString;

use super::*;

/// Anvil/Hardhat account #0: public test key, never funded on any real chain.
pub(super) const TEST_KEY: &str =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
pub(super) const TEST_ADDRESS: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const KEY_DIGITS: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

fn offline_rpc() -> EvmRpc {
    // Nothing listens there; the pure tests never call it.
    EvmRpc::new(
        &SecretString::from("http://127.0.0.1:9/v2/not-used".to_owned()),
        Duration::from_millis(200),
    )
    .unwrap()
}

fn wallet(chain_id: u64) -> HostWallet {
    HostWallet::new(
        offline_rpc(),
        &SecretString::from(TEST_KEY.to_owned()),
        chain_id,
    )
    .unwrap()
}

fn fees() -> Fees {
    Fees {
        max_fee_per_gas: 41_000_000_000,
        max_priority_fee_per_gas: 1_000_000_000,
        gas_limit: 21_000,
    }
}

fn decode(raw: &Bytes) -> TxEnvelope {
    let mut buf = raw.as_ref();
    let env = TxEnvelope::decode_2718(&mut buf).unwrap();
    assert!(buf.is_empty(), "trailing bytes after the transaction");
    env
}

#[test]
fn key_loads_with_or_without_prefix_and_whitespace() {
    assert_eq!(wallet(1).address(), TEST_ADDRESS);
    for variant in [KEY_DIGITS.to_owned(), format!("  {TEST_KEY}\n")] {
        let w = HostWallet::new(offline_rpc(), &SecretString::from(variant), 1).unwrap();
        assert_eq!(w.address(), TEST_ADDRESS);
    }
}

#[test]
fn native_transfer_signs_decodes_and_recovers() {
    let w = wallet(1);
    let to = Address::repeat_byte(0x42);
    let amount = U256::from(1_500_000_000_000_000_000u128);
    let t = w
        .sign_transfer(&WalletAsset::eth(), to, amount, 7, &fees())
        .unwrap();
    assert!(t.raw_hex().starts_with("0x02"), "EIP-1559 type byte");
    let env = decode(&t.raw);
    assert_eq!(*env.tx_hash(), t.tx_hash, "hash known before broadcast");
    assert_eq!(env.recover_signer().unwrap(), w.address());
    let tx = env.as_eip1559().unwrap().tx();
    assert_eq!(tx.chain_id, 1);
    assert_eq!(tx.nonce, 7);
    assert_eq!(tx.to, TxKind::Call(to));
    assert_eq!(tx.value, amount);
    assert!(tx.input.is_empty());
    assert_eq!(tx.gas_limit, 21_000);
    assert_eq!(tx.max_fee_per_gas, 41_000_000_000);
    assert_eq!(tx.max_priority_fee_per_gas, 1_000_000_000);
    assert_eq!(
        (t.nonce, t.to, t.amount, t.from),
        (7, to, amount, w.address())
    );
    // Signing is deterministic (RFC 6979): same inputs, same hash.
    let again = w
        .sign_transfer(&WalletAsset::eth(), to, amount, 7, &fees())
        .unwrap();
    assert_eq!(again.tx_hash, t.tx_hash);
    assert_eq!(again.raw, t.raw);
}

#[test]
fn erc20_transfer_calldata_decodes_to_transfer_to_amount() {
    let w = wallet(1);
    let to = Address::repeat_byte(0x42);
    let usdt = WalletAsset::usdt_ethereum();
    let amount = usdt.to_base_units(dec!(12.345678)).unwrap();
    let f = Fees {
        gas_limit: 100_000,
        ..fees()
    };
    let t = w.sign_transfer(&usdt, to, amount, 3, &f).unwrap();
    let env = decode(&t.raw);
    assert_eq!(env.recover_signer().unwrap(), w.address());
    assert_eq!(env.chain_id(), Some(1));
    assert_eq!(env.nonce(), 3);
    assert_eq!(env.to(), Some(USDT_ETHEREUM), "sent to the token contract");
    assert_eq!(env.value(), U256::ZERO);
    assert_eq!(
        &env.input()[..4],
        &[0xa9, 0x05, 0x9c, 0xbb],
        "transfer selector"
    );
    let call = IERC20::transferCall::abi_decode(env.input()).unwrap();
    assert_eq!(call.to, to);
    assert_eq!(call.amount, U256::from(12_345_678u64));
    assert_eq!(t.to, to, "the transfer names the payee, not the contract");
}

#[test]
fn sign_transfer_refuses_nonsense() {
    let w = wallet(1);
    let eth = WalletAsset::eth();
    let to = Address::repeat_byte(1);
    let one = U256::from(1u8);
    assert!(matches!(
        w.sign_transfer(&eth, to, U256::ZERO, 0, &fees()),
        Err(WalletError::InvalidTransfer(_))
    ));
    assert!(matches!(
        w.sign_transfer(&eth, Address::ZERO, one, 0, &fees()),
        Err(WalletError::InvalidTransfer(_))
    ));
    let usdt = WalletAsset::usdt_ethereum();
    assert!(matches!(
        w.sign_transfer(&usdt, USDT_ETHEREUM, one, 0, &fees()),
        Err(WalletError::InvalidTransfer(_))
    ));
    let tip_over_cap = Fees {
        max_priority_fee_per_gas: 50_000_000_000,
        ..fees()
    };
    assert!(matches!(
        w.sign_transfer(&eth, to, one, 0, &tip_over_cap),
        Err(WalletError::InvalidFees(_))
    ));
    let low_gas = Fees {
        gas_limit: 20_999,
        ..fees()
    };
    assert!(matches!(
        w.sign_transfer(&eth, to, one, 0, &low_gas),
        Err(WalletError::InvalidFees(_))
    ));
}

#[test]
fn base_units_18_decimals() {
    let wei = |s: &str| U256::from_str(s).unwrap();
    assert_eq!(
        to_base_units(dec!(1), 18).unwrap(),
        wei("1000000000000000000")
    );
    assert_eq!(
        to_base_units(dec!(0.000000000000000001), 18).unwrap(),
        U256::from(1u8)
    );
    assert_eq!(
        to_base_units(dec!(600000000000), 18).unwrap(),
        wei("600000000000000000000000000000"),
        "6e11 ETH = 6e29 wei, beyond u128 range of Decimal mantissa"
    );
    assert_eq!(
        from_base_units(wei("600000000000000000000000000000"), 18).unwrap(),
        dec!(600000000000)
    );
    assert_eq!(
        from_base_units(U256::from(1u8), 18).unwrap(),
        dec!(0.000000000000000001)
    );
    assert_eq!(
        from_base_units(wei("1234500000000000000"), 18).unwrap(),
        dec!(1.2345)
    );
    assert_eq!(from_base_units(U256::ZERO, 18).unwrap(), Decimal::ZERO);
    // Trailing zeros beyond the decimals are harmless.
    assert_eq!(
        to_base_units(dec!(1.5000000000000000000000), 18).unwrap(),
        wei("1500000000000000000")
    );
    // 1e-19 has no wei value: refused, never rounded.
    assert!(matches!(
        to_base_units(dec!(0.0000000000000000001), 18),
        Err(AmountError::TooPrecise { .. })
    ));
    assert_eq!(
        to_base_units_floor(dec!(0.0000000000000000019), 18).unwrap(),
        U256::from(1u8),
        "floor rounds down"
    );
}

#[test]
fn base_units_6_decimals() {
    assert_eq!(
        to_base_units(dec!(12.345678), 6).unwrap(),
        U256::from(12_345_678u64)
    );
    assert_eq!(to_base_units(dec!(0.000001), 6).unwrap(), U256::from(1u8));
    assert_eq!(
        to_base_units(dec!(600000000000), 6).unwrap(),
        U256::from(600_000_000_000_000_000u128)
    );
    assert!(matches!(
        to_base_units(dec!(1.0000001), 6),
        Err(AmountError::TooPrecise { .. })
    ));
    assert_eq!(
        to_base_units_floor(dec!(1.9999999), 6).unwrap(),
        U256::from(1_999_999u64),
        "never rounds up"
    );
    assert_eq!(
        from_base_units(U256::from(12_345_678u64), 6).unwrap(),
        dec!(12.345678)
    );
    assert_eq!(from_base_units(U256::from(1u8), 6).unwrap(), dec!(0.000001));
    assert!(matches!(
        to_base_units(dec!(-1), 6),
        Err(AmountError::Negative { .. })
    ));
    assert!(matches!(
        to_base_units_floor(dec!(-0.5), 6),
        Err(AmountError::Negative { .. })
    ));
}

#[test]
fn base_units_round_trip_and_limits() {
    for (amount, decimals) in [
        (dec!(0.1), 18u8),
        (dec!(4.99), 6),
        (dec!(596726.7), 6),
        (dec!(79228162514.264337593543950335), 18),
        (dec!(123), 0),
    ] {
        let units = to_base_units(amount, decimals).unwrap();
        assert_eq!(
            from_base_units(units, decimals).unwrap(),
            amount.normalize()
        );
    }
    // A balance too large for a Decimal is an error, not a wrong number.
    assert_eq!(from_base_units(U256::MAX, 0), Err(AmountError::Overflow));
    // 30 decimals with a non-zero 29th digit cannot be a Decimal.
    assert!(matches!(
        from_base_units(U256::from(1u8), 30),
        Err(AmountError::Unrepresentable { .. })
    ));
    assert_eq!(
        to_base_units(dec!(1), 200),
        Err(AmountError::Overflow),
        "10^200 exceeds U256"
    );
}

#[test]
fn bump_raises_both_fees_by_at_least_an_eighth() {
    for (max_fee, tip) in [
        (41_000_000_000u128, 1_000_000_000u128),
        (8, 8),
        (7, 1),
        (1, 0),
        (0, 0),
        (100, 3),
        (u128::MAX, u128::MAX / 2),
    ] {
        let old = Fees {
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: tip,
            gas_limit: 21_000,
        };
        let new = bump(&old);
        assert_eq!(new, old.bumped());
        assert_eq!(new.gas_limit, old.gas_limit);
        assert!(new.max_priority_fee_per_gas <= new.max_fee_per_gas);
        for (n, o) in [
            (new.max_fee_per_gas, old.max_fee_per_gas),
            (new.max_priority_fee_per_gas, old.max_priority_fee_per_gas),
        ] {
            if o < u128::MAX / 2 {
                assert!(n > o, "{n} must exceed {o}");
                assert!(
                    U256::from(n) * U256::from(8u8) >= U256::from(o) * U256::from(9u8),
                    "{n} is not 12.5% above {o}"
                );
            } else {
                assert!(n >= o, "saturates instead of overflowing");
            }
        }
    }
}

#[test]
fn key_never_printed() {
    let w = wallet(1);
    let debug = format!("{w:?} {:?}", w.rpc());
    assert!(!debug.to_lowercase().contains(KEY_DIGITS), "{debug}");
    assert!(!debug.contains(&KEY_DIGITS[..16]));
    assert!(debug.contains("HostWallet"));

    // A malformed key (one digit changed to a non-hex letter, or too short) says nothing
    // about itself.
    let mut bad = KEY_DIGITS.to_owned();
    bad.replace_range(10..11, "z");
    for key in [
        bad.clone(),
        KEY_DIGITS[..60].to_owned(),
        "0".repeat(64),
        "f".repeat(64),
    ] {
        let err = HostWallet::new(offline_rpc(), &SecretString::from(key.clone()), 1).unwrap_err();
        assert_eq!(err, WalletError::InvalidKey);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(&key[..20]), "{shown}");
        assert!(!shown.contains('z'), "{shown}");
    }
}

#[test]
fn rpc_url_secret_never_printed() {
    let url = "https://eth-mainnet.g.alchemy.com/v2/sEcReTaPiKeY0123456789";
    let rpc = EvmRpc::new(&SecretString::from(url.to_owned()), Duration::from_secs(1)).unwrap();
    let shown = format!("{rpc:?} {}", rpc.endpoint_for_display());
    assert!(!shown.contains("sEcReT"), "{shown}");
    assert!(shown.contains("eth-mainnet.g.alchemy.com"), "{shown}");
    let err = EvmRpc::new(
        &SecretString::from("not a url sEcReTaPiKeY".to_owned()),
        Duration::from_secs(1),
    )
    .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("sEcReT"));
    let with_auth = EvmRpc::new(
        &SecretString::from("https://user:pAsSwOrD@node.example/?key=qUeRyKeY".to_owned()),
        Duration::from_secs(1),
    )
    .unwrap();
    let shown = format!("{with_auth:?}");
    assert!(
        !shown.contains("pAsSwOrD") && !shown.contains("qUeRyKeY"),
        "{shown}"
    );
}

#[test]
fn parse_address_checks_eip55() {
    let checksummed = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    assert_eq!(parse_address(checksummed).unwrap(), TEST_ADDRESS);
    assert_eq!(
        parse_address(&checksummed.to_lowercase()).unwrap(),
        TEST_ADDRESS
    );
    assert_eq!(
        parse_address(&format!(" {checksummed}\n")).unwrap(),
        TEST_ADDRESS,
        "config values get trimmed"
    );
    let wrong_case = "0xF39fd6e51aad88F6F4ce6aB8827279cffFb92266";
    assert!(parse_address(wrong_case).is_err());
    assert!(parse_address("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266").is_err());
    assert!(parse_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb9226").is_err());
    assert!(parse_address("0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266").is_err());
    // A pasted private key is refused and not echoed.
    let err = parse_address(TEST_KEY).unwrap_err();
    assert!(!err.to_string().contains(&KEY_DIGITS[..10]));
}

fn rpc_err(code: i64, message: &str) -> RpcError {
    RpcError::Rpc {
        method: "eth_sendRawTransaction",
        code,
        message: message.to_owned(),
    }
}

#[test]
fn rpc_errors_are_classified() {
    let nonce = rpc_err(-32000, "nonce too low: address 0xabc, tx: 1 state: 2");
    assert!(nonce.is_nonce_too_low() && !nonce.is_retryable());
    assert!(
        rpc_err(
            -32010,
            "Transaction nonce is too low. Try incrementing the nonce."
        )
        .is_nonce_too_low()
    );
    assert!(rpc_err(-32000, "OldNonce").is_nonce_too_low());

    for known in [
        "already known",
        "known transaction: 0x1234",
        "Transaction with the same hash was already imported.",
        "AlreadyKnown",
    ] {
        let e = rpc_err(-32000, known);
        assert!(e.is_already_known(), "{known}");
        assert!(!e.is_retryable());
    }
    assert!(!rpc_err(-32000, "unknown transaction").is_already_known());

    let under = rpc_err(-32000, "replacement transaction underpriced");
    assert!(under.is_replacement_underpriced() && !under.is_fee_too_low() && !under.is_retryable());
    assert!(rpc_err(-32000, "transaction underpriced").is_fee_too_low());
    assert!(
        rpc_err(
            -32000,
            "max fee per gas less than block base fee: address 0x1, maxFeePerGas: 1 baseFee: 2"
        )
        .is_fee_too_low()
    );

    let funds = rpc_err(
        -32000,
        "insufficient funds for gas * price + value: address 0x1 have 1 want 2",
    );
    assert!(funds.is_insufficient_funds() && !funds.is_retryable());
    let wallet_funds = WalletError::from(funds);
    assert!(wallet_funds.is_insufficient_funds() && !wallet_funds.is_retryable());

    assert!(rpc_err(3, "execution reverted").is_execution_reverted());
    assert!(!rpc_err(3, "execution reverted").is_retryable());

    // Busy or broken nodes: retry.
    assert!(rpc_err(-32005, "limit exceeded").is_retryable());
    assert!(
        rpc_err(
            429,
            "Your app has exceeded its compute units per second capacity"
        )
        .is_retryable()
    );
    assert!(rpc_err(-32000, "header not found").is_retryable());
    assert!(rpc_err(-32603, "internal error").is_retryable());
    // Bad requests: do not.
    assert!(!rpc_err(-32601, "the method eth_foo does not exist/is not available").is_retryable());
    assert!(!rpc_err(-32602, "invalid argument 0").is_retryable());

    let http = |status| RpcError::Http {
        method: "eth_chainId",
        status,
        message: None,
    };
    assert!(http(500).is_retryable());
    assert!(http(502).is_retryable());
    assert!(http(503).is_retryable());
    assert!(http(429).is_retryable());
    assert!(!http(401).is_retryable());
    assert!(!http(400).is_retryable());
    assert!(
        RpcError::Timeout {
            method: "eth_chainId",
            timeout: Duration::from_secs(1)
        }
        .is_retryable()
    );
    assert!(
        RpcError::Transport {
            method: "eth_chainId",
            detail: "connection refused".to_owned()
        }
        .is_retryable()
    );
    assert!(
        !RpcError::Decode {
            method: "eth_chainId",
            detail: "x".to_owned()
        }
        .is_retryable()
    );
    assert!(
        WalletError::FeeAboveCap {
            suggested: 2,
            cap: 1
        }
        .is_retryable()
    );
    assert!(!WalletError::InvalidKey.is_retryable());
}

#[test]
fn fees_helpers() {
    let f = Fees {
        max_fee_per_gas: 10,
        max_priority_fee_per_gas: 2,
        gas_limit: 21_000,
    };
    assert_eq!(f.max_gas_cost(), U256::from(210_000u64));
    let g = Fees {
        max_fee_per_gas: 5,
        max_priority_fee_per_gas: 3,
        gas_limit: 30_000,
    };
    assert_eq!(
        f.max(&g),
        Fees {
            max_fee_per_gas: 10,
            max_priority_fee_per_gas: 3,
            gas_limit: 30_000
        }
    );
    // Fees persist as JSON (u128 survives).
    let big = Fees {
        max_fee_per_gas: u128::MAX,
        ..f
    };
    let text = serde_json::to_string(&big).unwrap();
    assert_eq!(serde_json::from_str::<Fees>(&text).unwrap(), big);
    let asset = WalletAsset::usdt_ethereum();
    let text = serde_json::to_string(&asset).unwrap();
    assert_eq!(serde_json::from_str::<WalletAsset>(&text).unwrap(), asset);
}

#[tokio::test]
async fn broadcast_raw_refuses_foreign_or_garbage_bytes_before_any_network() {
    let w = wallet(1);
    let other = HostWallet::new(
        offline_rpc(),
        &SecretString::from(format!("0x{}", "11".repeat(32))),
        1,
    )
    .unwrap();
    let t = other
        .sign_transfer(
            &WalletAsset::eth(),
            Address::repeat_byte(2),
            U256::from(1u8),
            0,
            &fees(),
        )
        .unwrap();
    assert_eq!(
        w.broadcast_raw(&t.raw).await,
        Err(WalletError::BadRawTransaction("signed by another key"))
    );
    let wrong_chain = wallet(5)
        .sign_transfer(
            &WalletAsset::eth(),
            Address::repeat_byte(2),
            U256::from(1u8),
            0,
            &fees(),
        )
        .unwrap();
    assert_eq!(
        w.broadcast_raw(&wrong_chain.raw).await,
        Err(WalletError::BadRawTransaction("signed for another chain"))
    );
    assert!(matches!(
        w.broadcast_raw(&[0x02, 0xc0]).await,
        Err(WalletError::BadRawTransaction(_))
    ));
    let mut trailing = t.raw.to_vec();
    trailing.push(0);
    assert!(matches!(
        other.broadcast_raw(&trailing).await,
        Err(WalletError::BadRawTransaction("trailing bytes"))
    ));
}
