//! The simulator's world: the asset table and fee model, exchanges with their deposit-driven
//! lifecycle, payouts, recorded calls and pending faults.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use rand::Rng as _;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;

use super::names::{Asset, ExchangeState};
use super::{CnEndpoint, CnFault, CnSimConfig, PayoutKind, RecordedCall, SimError, SimPayout};
use crate::harness::Faults;

/// Most significant digits an amount keeps: what a double-based (JavaScript) server can carry
/// exactly.
const MAX_SIGNIFICANT_DIGITS: u32 = 15;

/// One currency the simulator trades.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetInfo {
    /// USD price of one unit.
    pub usd: Decimal,
    /// Fixed network fee of a payout in this asset, in this asset; `None`: worth
    /// [`CnSimConfig::network_fee_usd`].
    pub network_fee: Option<Decimal>,
    /// Decimals amounts of this asset are rounded to.
    pub precision: u32,
}

/// ticker, network, USD price, precision.
const DEFAULT_ASSETS: &[(&str, &str, Decimal, u32)] = &[
    ("usdt", "eth", dec!(1), 6),
    ("usdt", "bsc", dec!(1), 6),
    ("usdt", "trx", dec!(1), 6),
    ("usdt", "matic", dec!(1), 6),
    ("usdt", "sol", dec!(1), 6),
    ("usdt", "ton", dec!(1), 6),
    ("usdc", "eth", dec!(1), 6),
    ("usdc", "bsc", dec!(1), 6),
    ("usdc", "matic", dec!(1), 6),
    ("usdc", "sol", dec!(1), 6),
    ("eth", "eth", dec!(3000), 8),
    ("bnb", "bsc", dec!(600), 8),
    ("btc", "btc", dec!(60000), 8),
    ("trx", "trx", dec!(0.12), 6),
    ("sol", "sol", dec!(150), 8),
    ("ltc", "ltc", dec!(80), 8),
    ("xmr", "xmr", dec!(150), 8),
    ("ton", "ton", dec!(5), 8),
    ("doge", "doge", dec!(0.15), 8),
    ("matic", "matic", dec!(0.5), 8),
    ("xrp", "xrp", dec!(0.5), 6),
    // Meme-coin magnitudes (lesson 18): $2 is ~100,000 SHIB.
    ("shib", "eth", dec!(0.00002), 2),
];

/// Networks whose addresses are `0x` + 40 hex digits.
const EVM_NETWORKS: &[&str] = &[
    "eth", "bsc", "matic", "arbitrum", "optimism", "base", "avaxc", "ftm", "op", "arb",
];

pub(crate) fn is_evm(network: &str) -> bool {
    EVM_NETWORKS.contains(&network)
}

/// The simulator's address check (simple on purpose): EVM `0x` + 40 hex, Tron `T` + 33
/// base58, Bitcoin legacy or bech32 shapes, anything else non-empty without blanks.
pub(crate) fn check_address(network: &str, address: &str) -> Result<(), String> {
    const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    if address.is_empty() {
        return Err("Address is empty".to_owned());
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("Address contains blanks".to_owned());
    }
    let ok = if is_evm(network) {
        address.len() == 42
            && address.starts_with("0x")
            && address.bytes().skip(2).all(|b| b.is_ascii_hexdigit())
    } else if network == "trx" {
        address.len() == 34
            && address.starts_with('T')
            && address.chars().all(|c| BASE58.contains(c))
    } else if network == "btc" {
        let lower = address.to_ascii_lowercase();
        (lower.starts_with("bc1") && (14..=74).contains(&address.len()))
            || ((address.starts_with('1') || address.starts_with('3'))
                && (26..=35).contains(&address.len())
                && address.chars().all(|c| BASE58.contains(c)))
    } else {
        address.len() <= 128
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Invalid address for {} network",
            network.to_ascii_uppercase()
        ))
    }
}

/// An exchange created through `POST /v2/exchange`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimExchange {
    /// 14 hex digits, like ChangeNOW's.
    pub id: String,
    pub from: Asset,
    pub to: Asset,
    /// The amount asked at creation.
    pub expected_from: Decimal,
    /// The estimate at creation.
    pub expected_to: Decimal,
    /// Where the deposit goes; unique per exchange.
    pub payin_address: String,
    pub payout_address: String,
    pub payout_extra_id: Option<String>,
    pub refund_address: Option<String>,
    pub refund_extra_id: Option<String>,
    pub status: ExchangeState,
    /// Every status it had, in order, starting with `new`.
    pub history: Vec<ExchangeState>,
    /// What arrived at `payin_address` (`amountFrom` on the wire).
    pub deposit: Option<Decimal>,
    /// What was paid out, once `finished` (`amountTo`).
    pub amount_to: Option<Decimal>,
    pub payin_hash: Option<String>,
    pub payout_hash: Option<String>,
    pub refund_hash: Option<String>,
    pub refund_amount: Option<Decimal>,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub deposit_received_at: Option<SystemTime>,
    /// When an unfunded exchange expires (`validUntil`).
    pub valid_until: SystemTime,
    /// `by-id` calls answered for it.
    pub polls: u32,
    pub(crate) expires_at: Instant,
}

impl SimExchange {
    fn set_status(&mut self, status: ExchangeState) {
        self.status = status.clone();
        self.history.push(status);
        self.updated_at = SystemTime::now();
    }

    /// The automatic next step, if any: `new` → `waiting` while unfunded, then `confirming` →
    /// `exchanging` → `sending` → `finished` once funded. Other statuses (`verifying`, forced
    /// or unknown ones, final ones) hold.
    fn next_step(&self) -> Option<ExchangeState> {
        use ExchangeState::*;
        match (&self.status, self.deposit.is_some()) {
            (New, false) => Some(Waiting),
            (Confirming, true) => Some(Exchanging),
            (Exchanging, true) => Some(Sending),
            (Sending, true) => Some(Finished),
            _ => None,
        }
    }
}

pub(crate) struct State {
    pub(crate) cfg: CnSimConfig,
    pub(crate) assets: BTreeMap<Asset, AssetInfo>,
    pub(crate) min_overrides: BTreeMap<(Asset, Asset), Decimal>,
    pub(crate) exchanges: Vec<SimExchange>,
    pub(crate) payouts: Vec<SimPayout>,
    pub(crate) calls: Vec<RecordedCall>,
    pub(crate) faults: Faults<CnEndpoint, CnFault>,
    pub(crate) delay: Duration,
}

impl State {
    pub(crate) fn new(cfg: CnSimConfig) -> Self {
        let assets = DEFAULT_ASSETS
            .iter()
            .map(|&(ticker, network, usd, precision)| {
                (
                    Asset::new(ticker, network),
                    AssetInfo {
                        usd,
                        network_fee: None,
                        precision,
                    },
                )
            })
            .collect();
        Self {
            cfg,
            assets,
            min_overrides: BTreeMap::new(),
            exchanges: Vec::new(),
            payouts: Vec::new(),
            calls: Vec::new(),
            faults: Faults::default(),
            delay: Duration::ZERO,
        }
    }

    // ---- the fee model ------------------------------------------------------------------------

    pub(crate) fn asset(&self, a: &Asset) -> Option<&AssetInfo> {
        self.assets.get(a)
    }

    pub(crate) fn has_network(&self, network: &str) -> bool {
        self.assets.keys().any(|a| a.network == network)
    }

    /// The fixed fee of a payout in `to`, in `to`.
    pub(crate) fn network_fee(&self, to: &Asset) -> Option<Decimal> {
        let info = self.asset(to)?;
        match info.network_fee {
            Some(fee) => Some(fee),
            None => Some(round(
                self.cfg.network_fee_usd.checked_div(info.usd)?,
                info.precision,
                RoundingStrategy::AwayFromZero,
            )),
        }
    }

    /// The pair's minimum in `from`: set with `set_min_amount`, or
    /// [`CnSimConfig::min_amount_usd`] worth of `from`, rounded up.
    pub(crate) fn min_amount(&self, from: &Asset, to: &Asset) -> Option<Decimal> {
        let f = self.asset(from)?;
        self.asset(to)?;
        if let Some(min) = self.min_overrides.get(&(from.clone(), to.clone())) {
            return Some(*min);
        }
        Some(round(
            self.cfg.min_amount_usd.checked_div(f.usd)?,
            f.precision,
            RoundingStrategy::AwayFromZero,
        ))
    }

    /// [`CnSimConfig::max_amount_usd`] worth of `from`, rounded down; `None`: no maximum.
    pub(crate) fn max_amount(&self, from: &Asset) -> Option<Decimal> {
        let f = self.asset(from)?;
        let usd = self.cfg.max_amount_usd?;
        Some(round(
            usd.checked_div(f.usd)?,
            f.precision,
            RoundingStrategy::ToZero,
        ))
    }

    /// `amount × price_from / price_to × (1 − spread) − network_fee(to)`, rounded down to the
    /// precision of `to` (and 15 significant digits). `None` when the pair is unknown, the
    /// arithmetic overflows, or nothing positive is left.
    pub(crate) fn convert(&self, from: &Asset, to: &Asset, amount: Decimal) -> Option<Decimal> {
        let f = self.asset(from)?;
        let t = self.asset(to)?;
        let gross = amount.checked_mul(f.usd)?.checked_div(t.usd)?;
        let kept = Decimal::ONE.checked_sub(self.cfg.spread)?;
        let net = gross
            .checked_mul(kept)?
            .checked_sub(self.network_fee(to)?)?;
        let out = round(net, t.precision, RoundingStrategy::ToZero);
        (out > Decimal::ZERO).then_some(out)
    }

    // ---- exchanges ----------------------------------------------------------------------------

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.exchanges.iter().position(|e| e.id == id)
    }

    pub(crate) fn get(&self, id: &str) -> Option<&SimExchange> {
        self.exchanges.iter().find(|e| e.id == id)
    }

    fn index_by_payin(&self, address: &str) -> Option<usize> {
        let address = address.trim();
        self.exchanges.iter().position(|e| {
            if e.payin_address.starts_with("0x") {
                e.payin_address.eq_ignore_ascii_case(address)
            } else {
                e.payin_address == address
            }
        })
    }

    pub(crate) fn by_payin(&self, address: &str) -> Option<&SimExchange> {
        self.index_by_payin(address)
            .and_then(|i| self.exchanges.get(i))
    }

    /// Stores a new exchange (status `new`) and returns it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create(
        &mut self,
        from: Asset,
        to: Asset,
        expected_from: Decimal,
        expected_to: Decimal,
        payout_address: String,
        payout_extra_id: Option<String>,
        refund_address: Option<String>,
        refund_extra_id: Option<String>,
    ) -> SimExchange {
        let mut id = random_hex(14);
        while self.index_of(&id).is_some() {
            id = random_hex(14);
        }
        let mut payin_address = fake_address(&from.network);
        while self.index_by_payin(&payin_address).is_some() {
            payin_address = fake_address(&from.network);
        }
        let now = SystemTime::now();
        let ttl = self.cfg.exchange_ttl;
        let ex = SimExchange {
            id,
            from,
            to,
            expected_from,
            expected_to,
            payin_address,
            payout_address,
            payout_extra_id,
            refund_address,
            refund_extra_id,
            status: ExchangeState::New,
            history: vec![ExchangeState::New],
            deposit: None,
            amount_to: None,
            payin_hash: None,
            payout_hash: None,
            refund_hash: None,
            refund_amount: None,
            created_at: now,
            updated_at: now,
            deposit_received_at: None,
            valid_until: now.checked_add(ttl).unwrap_or(now),
            polls: 0,
            expires_at: Instant::now().checked_add(ttl).unwrap_or_else(Instant::now),
        };
        self.exchanges.push(ex.clone());
        ex
    }

    /// Unfunded exchanges past their TTL become `expired`. Run before every look at the state.
    pub(crate) fn expire_stale(&mut self) {
        let now = Instant::now();
        for ex in &mut self.exchanges {
            if ex.status.is_awaiting_deposit() && ex.deposit.is_none() && now >= ex.expires_at {
                ex.set_status(ExchangeState::Expired);
            }
        }
    }

    /// `expire(id)`: an unfunded `new`/`waiting` exchange becomes `expired` now.
    pub(crate) fn expire(&mut self, id: &str) -> Result<(), SimError> {
        let i = self
            .index_of(id)
            .ok_or_else(|| SimError::UnknownExchange(id.to_owned()))?;
        let ex = self
            .exchanges
            .get_mut(i)
            .ok_or_else(|| SimError::UnknownExchange(id.to_owned()))?;
        if !ex.status.is_awaiting_deposit() || ex.deposit.is_some() {
            return Err(SimError::InvalidState {
                id: id.to_owned(),
                status: ex.status.to_string(),
                wanted: "an unfunded exchange (new or waiting)",
            });
        }
        ex.expires_at = Instant::now();
        ex.set_status(ExchangeState::Expired);
        Ok(())
    }

    /// Sets any status verbatim, without side effects (no payout, no refund).
    pub(crate) fn force_status(&mut self, id: &str, status: &str) -> Result<(), SimError> {
        let ex = self
            .exchanges
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or_else(|| SimError::UnknownExchange(id.to_owned()))?;
        ex.set_status(ExchangeState::from_name(status));
        Ok(())
    }

    /// One automatic step of exchange `i`; `Ok(None)` when it holds. Reaching `finished`
    /// computes the payout at the current prices (floating rate) and records it.
    pub(crate) fn step(&mut self, i: usize) -> Option<(ExchangeState, Option<SimPayout>)> {
        let ex = self.exchanges.get(i)?;
        let next = ex.next_step()?;
        if next != ExchangeState::Finished {
            if let Some(ex) = self.exchanges.get_mut(i) {
                ex.set_status(next.clone());
            }
            return Some((next, None));
        }
        let deposit = ex.deposit.unwrap_or_default();
        let amount = self.convert(&ex.from, &ex.to, deposit);
        let ex = self.exchanges.get_mut(i)?;
        let Some(amount) = amount else {
            // Nothing positive left after fees at today's prices.
            ex.set_status(ExchangeState::Failed);
            return Some((ExchangeState::Failed, None));
        };
        let hash = format!("0x{}", random_hex(64));
        ex.amount_to = Some(amount);
        ex.payout_hash = Some(hash.clone());
        ex.set_status(ExchangeState::Finished);
        let payout = SimPayout {
            exchange_id: ex.id.clone(),
            kind: PayoutKind::Exchange,
            to_ticker: ex.to.ticker.clone(),
            to_network: ex.to.network.clone(),
            address: ex.payout_address.clone(),
            extra_id: ex.payout_extra_id.clone(),
            amount,
            hash,
        };
        self.payouts.push(payout.clone());
        Some((ExchangeState::Finished, Some(payout)))
    }

    /// Up to `steps` automatic steps; the payouts made.
    pub(crate) fn steps(&mut self, i: usize, steps: u32) -> Vec<SimPayout> {
        let mut out = Vec::new();
        for _ in 0..steps {
            match self.step(i) {
                Some((_, payout)) => out.extend(payout),
                None => break,
            }
        }
        out
    }

    /// A transfer of `amount` arrived at `payin_address`. See `ChangeNowSim::deposit`.
    pub(crate) fn deposit(
        &mut self,
        payin_address: &str,
        amount: Decimal,
        tx_hash: &str,
    ) -> Result<(String, Vec<SimPayout>), SimError> {
        if amount <= Decimal::ZERO {
            return Err(SimError::InvalidAmount(amount.to_string()));
        }
        self.expire_stale();
        let i = self
            .index_by_payin(payin_address)
            .ok_or_else(|| SimError::UnknownPayinAddress(payin_address.to_owned()))?;
        let (min, auto_finish) = {
            let ex = self
                .exchanges
                .get(i)
                .ok_or_else(|| SimError::UnknownPayinAddress(payin_address.to_owned()))?;
            (self.min_amount(&ex.from, &ex.to), self.cfg.auto_finish)
        };
        let ex = self
            .exchanges
            .get_mut(i)
            .ok_or_else(|| SimError::UnknownPayinAddress(payin_address.to_owned()))?;
        if ex.deposit.is_some() {
            return Err(SimError::AlreadyFunded(ex.id.clone()));
        }
        let id = ex.id.clone();
        let now = SystemTime::now();
        ex.deposit = Some(amount);
        ex.payin_hash = Some(tx_hash.trim().to_owned());
        ex.deposit_received_at = Some(now);
        use ExchangeState::*;
        match ex.status.clone() {
            Expired | Finished | Failed | Refunded => {
                // Too late: the funds go back to the refund address, if there is one
                // (otherwise support has to return them by hand).
                let hash = format!("0x{}", random_hex(64));
                ex.refund_amount = Some(amount);
                ex.refund_hash = Some(hash.clone());
                ex.set_status(Refunded);
                let refund = ex.refund_address.clone().map(|address| SimPayout {
                    exchange_id: id.clone(),
                    kind: PayoutKind::Refund,
                    to_ticker: ex.from.ticker.clone(),
                    to_network: ex.from.network.clone(),
                    address,
                    extra_id: ex.refund_extra_id.clone(),
                    amount,
                    hash,
                });
                self.payouts.extend(refund.clone());
                Ok((id, refund.into_iter().collect()))
            }
            New | Waiting => {
                if min.is_some_and(|min| amount < min) {
                    // Below the minimum: ChangeNOW keeps it and support has to step in.
                    ex.set_status(Failed);
                    return Ok((id, Vec::new()));
                }
                ex.set_status(Confirming);
                let payouts = if auto_finish {
                    self.steps(i, u32::MAX)
                } else {
                    Vec::new()
                };
                Ok((id, payouts))
            }
            // A forced hold (`verifying`, an unknown status, an in-progress one without a
            // deposit): the deposit is recorded and the status stays until forced again.
            _ => Ok((id, Vec::new())),
        }
    }

    /// The oldest pending fault for `endpoint`.
    pub(crate) fn take_fault(&mut self, endpoint: CnEndpoint) -> Option<CnFault> {
        self.faults
            .take(|e| *e == endpoint || *e == CnEndpoint::Any)
    }
}

/// `d` rounded to `precision` decimals and at most 15 significant digits.
pub(crate) fn round(d: Decimal, precision: u32, strategy: RoundingStrategy) -> Decimal {
    let int = d.trunc().abs().normalize();
    let int_digits = if int.is_zero() {
        0
    } else {
        u32::try_from(int.to_string().len()).unwrap_or(u32::MAX)
    };
    let dp = precision.min(MAX_SIGNIFICANT_DIGITS.saturating_sub(int_digits));
    d.round_dp_with_strategy(dp, strategy).normalize()
}

/// `n` random lowercase hex digits.
pub(crate) fn random_hex(n: usize) -> String {
    random_chars(b"0123456789abcdef", n)
}

fn random_chars(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| {
            let i = rng.random_range(0..alphabet.len().max(1));
            alphabet.get(i).copied().map_or('0', char::from)
        })
        .collect()
}

/// A fresh, valid-looking deposit address on `network`.
pub(crate) fn fake_address(network: &str) -> String {
    const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if is_evm(network) {
        format!("0x{}", random_hex(40))
    } else if network == "trx" {
        format!("T{}", random_chars(BASE58, 33))
    } else if network == "btc" {
        format!("bc1q{}", random_chars(BECH32, 38))
    } else {
        format!("sim{}", random_chars(BASE58, 40))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new(CnSimConfig::default())
    }

    #[test]
    fn the_fee_model_follows_the_formula() {
        let st = state();
        let (usdt, eth) = (Asset::new("usdt", "bsc"), Asset::new("eth", "eth"));
        // 100 USDT → 100/3000 ETH × 0.995 − $1 of ETH (0.00033334, rounded up).
        assert_eq!(st.network_fee(&eth), Some(dec!(0.00033334)));
        assert_eq!(st.convert(&usdt, &eth, dec!(100)), Some(dec!(0.03283332)));
        // 0.01 ETH → 30 USDT × 0.995 − 1 = 28.85
        assert_eq!(st.convert(&eth, &usdt, dec!(0.01)), Some(dec!(28.85)));
        assert_eq!(st.min_amount(&usdt, &eth), Some(dec!(2)));
        assert_eq!(st.min_amount(&eth, &usdt), Some(dec!(0.00066667)));
        assert_eq!(st.convert(&usdt, &eth, dec!(1)), None, "fees eat it all");
        assert_eq!(st.max_amount(&usdt), None);
        assert_eq!(st.convert(&usdt, &Asset::new("nope", "x"), dec!(10)), None);
        // Meme-coin magnitudes stay exact.
        let shib = Asset::new("shib", "eth");
        assert_eq!(st.convert(&usdt, &shib, dec!(12)), Some(dec!(547000)));
    }

    #[test]
    fn rounding_keeps_fifteen_significant_digits() {
        let down = RoundingStrategy::ToZero;
        assert_eq!(
            round(dec!(12345678.123456789), 8, down),
            dec!(12345678.1234567)
        );
        assert_eq!(round(dec!(0.123456789), 8, down), dec!(0.12345678));
        assert_eq!(round(dec!(1.10000), 8, down).to_string(), "1.1");
    }

    #[test]
    fn addresses_are_checked_per_network() {
        assert!(check_address("bsc", "0x52908400098527886E0F7030069857D2E4169EE7").is_ok());
        assert!(check_address("eth", "0x5290840009852788").is_err());
        assert!(check_address("eth", "52908400098527886E0F7030069857D2E4169EE7aa").is_err());
        assert!(check_address("trx", "TNDFkiSmBQorNFacb3735q8MnT29sn8BLn").is_ok());
        assert!(check_address("trx", "0x52908400098527886E0F7030069857D2E4169EE7").is_err());
        assert!(check_address("btc", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq").is_ok());
        assert!(check_address("xmr", "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx").is_ok());
        assert!(check_address("xmr", "has space").is_err());
        assert!(check_address("xmr", "").is_err());
        for net in ["eth", "trx", "btc", "ton"] {
            assert!(check_address(net, &fake_address(net)).is_ok(), "{net}");
        }
    }
}
