//! The supported payout currencies and networks (seeded by a migration).

use sqlx::Row;

use super::{Db, StoreResult, flag};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub code: String,
    pub name: String,
    pub address_format: String,
    pub extra_id_name: Option<String>,
    pub cn_network: String,
    pub explorer_tx_url: String,
    pub explorer_address_url: String,
}

impl Network {
    /// The explorer link of a transaction on this network.
    pub fn tx_url(&self, tx_hash: &str) -> String {
        self.explorer_tx_url.replace("{tx}", tx_hash)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutCurrency {
    pub currency: String,
    pub network: String,
    pub display_name: String,
    pub cn_ticker: String,
    pub decimals: u32,
    pub is_usd_stable: bool,
    pub token_contract: Option<String>,
}

fn currency_from_row(r: &sqlx::any::AnyRow) -> StoreResult<PayoutCurrency> {
    let decimals: i64 = r.try_get("decimals")?;
    Ok(PayoutCurrency {
        currency: r.try_get("currency")?,
        network: r.try_get("network")?,
        display_name: r.try_get("display_name")?,
        cn_ticker: r.try_get("cn_ticker")?,
        decimals: u32::try_from(decimals)
            .map_err(|_| super::StoreError::Corrupt(format!("decimals {decimals}")))?,
        is_usd_stable: flag(r.try_get("is_usd_stable")?),
        token_contract: r.try_get("token_contract")?,
    })
}

const CURRENCY_COLUMNS: &str =
    "currency, network, display_name, cn_ticker, decimals, is_usd_stable, token_contract";

impl Db {
    /// Every enabled pair, ordered by currency then network (the order of the picker).
    pub async fn payout_currencies(&self) -> StoreResult<Vec<PayoutCurrency>> {
        let sql = format!(
            "SELECT {CURRENCY_COLUMNS} FROM payout_currencies WHERE enabled = 1 ORDER BY currency, network"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(currency_from_row).collect()
    }

    pub async fn payout_currency(
        &self,
        currency: &str,
        network: &str,
    ) -> StoreResult<Option<PayoutCurrency>> {
        let sql = format!(
            "SELECT {CURRENCY_COLUMNS} FROM payout_currencies WHERE currency = $1 AND network = $2 AND enabled = 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(currency)
            .bind(network)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(currency_from_row).transpose()
    }

    pub async fn network(&self, code: &str) -> StoreResult<Option<Network>> {
        let row = sqlx::query(
            "SELECT code, name, address_format, extra_id_name, cn_network, explorer_tx_url, \
             explorer_address_url FROM networks WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(Network {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                address_format: r.try_get("address_format")?,
                extra_id_name: r.try_get("extra_id_name")?,
                cn_network: r.try_get("cn_network")?,
                explorer_tx_url: r.try_get("explorer_tx_url")?,
                explorer_address_url: r.try_get("explorer_address_url")?,
            })
        })
        .transpose()
    }
}
