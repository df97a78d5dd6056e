//! Naming of assets across providers: NOWPayments tickers (`usdttrc20`) are ChangeNOW *legacy*
//! tickers, not v2 ticker + network (apis.md §B.2), so they are mapped explicitly here.

use crate::providers::changenow::Asset;

/// An outcome currency as we value and convert it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeAsset {
    pub asset: Asset,
    /// A USD stablecoin: valued 1:1 and never converted.
    pub usd_stable: bool,
}

/// NOWPayments ticker → ChangeNOW v2 asset. Unknown tickers map to themselves on a network of
/// the same name (valuation then asks ChangeNOW, which refuses what it does not know, and the
/// job retries rather than guessing).
pub fn outcome_asset(np_ticker: &str) -> OutcomeAsset {
    let t = np_ticker.trim().to_ascii_lowercase();
    let (ticker, network, stable): (&str, &str, bool) = match t.as_str() {
        "usdttrc20" => ("usdt", "trx", true),
        "usdterc20" | "usdt" => ("usdt", "eth", true),
        "usdtbsc" | "usdtbep20" => ("usdt", "bsc", true),
        "usdtmatic" | "usdtpolygon" => ("usdt", "matic", true),
        "usdtsol" => ("usdt", "sol", true),
        "usdtton" => ("usdt", "ton", true),
        "usdc" | "usdcerc20" => ("usdc", "eth", true),
        "usdcbsc" => ("usdc", "bsc", true),
        "usdcmatic" => ("usdc", "matic", true),
        "usdcsol" => ("usdc", "sol", true),
        "daibsc" => ("dai", "bsc", true),
        "dai" => ("dai", "eth", true),
        "bnbbsc" | "bnb" => ("bnb", "bsc", false),
        "maticmainnet" | "matic" => ("matic", "matic", false),
        "btc" => ("btc", "btc", false),
        "eth" => ("eth", "eth", false),
        "trx" => ("trx", "trx", false),
        "ltc" => ("ltc", "ltc", false),
        "sol" => ("sol", "sol", false),
        "ton" => ("ton", "ton", false),
        "doge" => ("doge", "doge", false),
        "xmr" => ("xmr", "xmr", false),
        other => {
            return OutcomeAsset {
                asset: Asset::new(other, other),
                usd_stable: false,
            };
        }
    };
    OutcomeAsset {
        asset: Asset::new(ticker, network),
        usd_stable: stable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_legacy_tickers() {
        let a = outcome_asset("USDTTRC20");
        assert_eq!(
            (a.asset.ticker.as_str(), a.asset.network.as_str()),
            ("usdt", "trx")
        );
        assert!(a.usd_stable);
        let b = outcome_asset("bnbbsc");
        assert_eq!(
            (b.asset.ticker.as_str(), b.asset.network.as_str()),
            ("bnb", "bsc")
        );
        assert!(!b.usd_stable);
    }
}
