//! `telepay audit`: every money invariant of SPEC §5 and §6, checked from the database alone.
//! Each check is one SQL query listing the rows that break it.

use std::fmt;

use sqlx::Row;

use crate::store::{Db, StoreResult};

/// One invariant and the rows that break it.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub breaks: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    pub fn clean(&self) -> bool {
        self.checks.iter().all(|c| c.breaks.is_empty())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "TelePay money audit")?;
        for c in &self.checks {
            if c.breaks.is_empty() {
                writeln!(f, "  ok    {}", c.name)?;
            } else {
                writeln!(f, "  BROKEN {} ({} rows)", c.name, c.breaks.len())?;
                for b in c.breaks.iter().take(20) {
                    writeln!(f, "         - {b}")?;
                }
            }
        }
        let broken = self.checks.iter().filter(|c| !c.breaks.is_empty()).count();
        if broken == 0 {
            write!(f, "all {} invariants hold", self.checks.len())
        } else {
            write!(f, "{broken} of {} invariants are broken", self.checks.len())
        }
    }
}

/// (name, query returning one `detail` text column per breaking row)
const CHECKS: &[(&str, &str)] = &[
    (
        "every valued payment: value = platform fee + owner share",
        "SELECT 'payment ' || CAST(id AS TEXT) AS detail FROM payments \
         WHERE value_usd_micros IS NOT NULL AND (fee_usd_micros IS NULL OR owner_usd_micros IS NULL \
           OR value_usd_micros <> fee_usd_micros + owner_usd_micros OR fee_usd_micros < 0 OR owner_usd_micros < 0)",
    ),
    (
        "every owner share is in exactly one place (instant payout or accumulation)",
        "SELECT 'payment ' || CAST(p.id AS TEXT) || ': ' || CAST( \
             (SELECT COUNT(*) FROM accumulations a WHERE a.payment_id = p.id) \
           + (SELECT COUNT(*) FROM payouts o WHERE o.payment_id = p.id AND o.state <> 'cancelled') AS TEXT) \
           || ' places' AS detail \
         FROM payments p WHERE p.value_usd_micros IS NOT NULL AND p.refunded_at IS NULL AND \
           (SELECT COUNT(*) FROM accumulations a WHERE a.payment_id = p.id) \
           + (SELECT COUNT(*) FROM payouts o WHERE o.payment_id = p.id AND o.state <> 'cancelled') <> 1",
    ),
    (
        "accumulations and instant payouts carry exactly the owner share",
        "SELECT 'payment ' || CAST(p.id AS TEXT) AS detail FROM payments p \
         WHERE EXISTS (SELECT 1 FROM accumulations a WHERE a.payment_id = p.id AND a.owner_usd_micros <> p.owner_usd_micros) \
            OR EXISTS (SELECT 1 FROM payouts o WHERE o.payment_id = p.id AND o.usd_micros <> p.owner_usd_micros)",
    ),
    (
        "each batch payout total equals its accumulations (a cancelled one holds none)",
        "SELECT 'payout ' || CAST(o.id AS TEXT) AS detail FROM payouts o WHERE o.kind = 'batch' AND (\
           (o.state <> 'cancelled' AND o.usd_micros <> \
             COALESCE((SELECT SUM(a.usdt_micros) FROM accumulations a WHERE a.payout_id = o.id), -1)) \
           OR (o.state = 'cancelled' AND EXISTS (SELECT 1 FROM accumulations a WHERE a.payout_id = o.id)))",
    ),
    (
        "accumulation state agrees with its payout link",
        "SELECT 'accumulation ' || CAST(id AS TEXT) || ' ' || state AS detail FROM accumulations \
         WHERE (state IN ('pending', 'converting', 'converted') AND payout_id IS NOT NULL) \
            OR (state IN ('in_payout', 'paid') AND payout_id IS NULL) \
            OR (state IN ('converted', 'in_payout', 'paid') AND usdt_micros IS NULL)",
    ),
    (
        "a paid accumulation belongs to a sent payout",
        "SELECT 'accumulation ' || CAST(a.id AS TEXT) AS detail FROM accumulations a JOIN payouts o ON o.id = a.payout_id \
         WHERE (a.state = 'paid') <> (o.state = 'sent')",
    ),
    (
        "each sent payout has a transaction hash",
        "SELECT 'payout ' || CAST(id AS TEXT) AS detail FROM payouts WHERE state = 'sent' AND (tx_hash IS NULL OR tx_hash = '')",
    ),
    (
        "the wallet confirmed at most one transaction per payout",
        "SELECT 'payout ' || CAST(payout_id AS TEXT) AS detail FROM wallet_transactions \
         WHERE payout_id IS NOT NULL AND state = 'confirmed' GROUP BY payout_id HAVING COUNT(*) > 1",
    ),
    (
        "the wallet never sent on a nonce twice",
        "SELECT 'nonce ' || CAST(nonce AS TEXT) AS detail FROM wallet_transactions \
         WHERE state = 'confirmed' GROUP BY chain_id, from_address, nonce HAVING COUNT(*) > 1",
    ),
    (
        "conversions distributed exactly what they received",
        "SELECT 'conversion ' || CAST(c.id AS TEXT) AS detail FROM conversions c \
         WHERE c.received_usdt_micros IS NOT NULL AND c.received_usdt_micros <> \
           COALESCE((SELECT SUM(a.usdt_micros) FROM accumulations a WHERE a.conversion_id = c.id), -1)",
    ),
];

/// A payout's confirmed transaction must not carry more than the payout owed; amounts are in
/// base units (text), so this check is done in code with exact integers.
async fn overpaid(db: &Db) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT o.id, o.kind, o.usd_micros, o.source_amount, t.amount, t.asset FROM payouts o \
         JOIN wallet_transactions t ON t.payout_id = o.id WHERE t.state = 'confirmed'",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let sent: String = r.try_get("amount")?;
        let asset: String = r.try_get("asset")?;
        let usd: i64 = r.try_get("usd_micros")?;
        let source: Option<String> = r.try_get("source_amount")?;
        let decimals = host_decimals(db, &asset).await?;
        let Some(decimals) = decimals else { continue };
        let owed = match source.and_then(|s| s.parse::<rust_decimal::Decimal>().ok()) {
            Some(d) => d,
            None => crate::domain::money::UsdMicros::from_micros(usd).to_decimal(),
        };
        let owed_units = crate::payouts::wallet::to_base_units_floor(owed, decimals).ok();
        let sent_units = sent.parse::<alloy_primitives::U256>().ok();
        match (owed_units, sent_units) {
            (Some(o), Some(s)) if s <= o => {}
            _ => out.push(format!("payout {id}: sent {sent} base units, owed {owed}")),
        }
    }
    Ok(out)
}

async fn host_decimals(db: &Db, asset: &str) -> StoreResult<Option<u8>> {
    let r = sqlx::query(
        "SELECT decimals FROM payout_currencies WHERE LOWER(token_contract) = LOWER($1)",
    )
    .bind(asset)
    .fetch_optional(db.pool())
    .await?;
    Ok(match r {
        Some(r) => u8::try_from(r.try_get::<i64, _>("decimals")?).ok(),
        None if asset == "native" => Some(18),
        None => None,
    })
}

pub async fn audit(db: &Db) -> StoreResult<Report> {
    let mut report = Report::default();
    for (name, sql) in CHECKS {
        let rows = sqlx::query(*sql).fetch_all(db.pool()).await?;
        let breaks = rows
            .iter()
            .map(|r| r.try_get::<String, _>("detail"))
            .collect::<Result<Vec<_>, _>>()?;
        report.checks.push(Check { name, breaks });
    }
    report.checks.push(Check {
        name: "the wallet never sent more than a payout owed",
        breaks: overpaid(db).await?,
    });
    Ok(report)
}
