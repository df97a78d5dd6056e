//! What the page shows from the product's own database: channels, subscriptions, invoices,
//! payouts, money waiting to be paid out, and the pending jobs. The queries take no parameters
//! (the same text runs on SQLite and PostgreSQL) and read small tables in full: this is a
//! sandbox with a handful of people.

use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use telepay::store::Db;

#[derive(Debug, Clone, Serialize)]
pub struct ChannelRow {
    #[serde(serialize_with = "as_text")]
    pub id: i64,
    pub chat_id: i64,
    pub title: String,
    pub code: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionRow {
    pub user_id: i64,
    #[serde(serialize_with = "as_text")]
    pub channel_id: i64,
    pub status: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceRow {
    #[serde(serialize_with = "as_text")]
    pub id: i64,
    pub user_id: i64,
    #[serde(serialize_with = "as_text")]
    pub channel_id: i64,
    pub status: String,
    pub np_invoice_id: Option<String>,
    pub price_usd_micros: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PayoutRow {
    #[serde(serialize_with = "as_text")]
    pub id: i64,
    pub kind: String,
    #[serde(serialize_with = "as_text")]
    pub channel_id: i64,
    pub state: String,
    pub usd_micros: i64,
    pub dest_currency: String,
    pub dest_network: String,
    pub dest_address: String,
    pub amount_sent: Option<String>,
    pub tx_hash: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccumulationRow {
    #[serde(serialize_with = "as_text")]
    pub channel_id: i64,
    pub state: String,
    pub owner_usd_micros: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobRow {
    pub kind: String,
    pub run_at: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Ledger {
    pub channels: Vec<ChannelRow>,
    pub subscriptions: Vec<SubscriptionRow>,
    pub invoices: Vec<InvoiceRow>,
    pub payouts: Vec<PayoutRow>,
    pub accumulations: Vec<AccumulationRow>,
    /// Jobs waiting to run (reminders, retries, payout steps).
    pub pending_jobs: Vec<JobRow>,
}

/// Database ids are 64-bit snowflakes; JavaScript numbers keep only 53 bits, so they go as text.
fn as_text<S: serde::Serializer>(id: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(id)
}

async fn rows(db: &Db, sql: &'static str) -> anyhow::Result<Vec<AnyRow>> {
    Ok(sqlx::query(sql).fetch_all(db.pool()).await?)
}

impl Ledger {
    pub async fn read(db: &Db) -> anyhow::Result<Ledger> {
        let mut l = Ledger::default();
        for r in rows(
            db,
            "SELECT id, chat_id, title, code FROM channels ORDER BY id",
        )
        .await?
        {
            l.channels.push(ChannelRow {
                id: r.try_get("id")?,
                chat_id: r.try_get("chat_id")?,
                title: r.try_get("title")?,
                code: r.try_get("code")?,
            });
        }
        let sql = "SELECT user_id, channel_id, status, expires_at FROM subscriptions ORDER BY id";
        for r in rows(db, sql).await? {
            l.subscriptions.push(SubscriptionRow {
                user_id: r.try_get("user_id")?,
                channel_id: r.try_get("channel_id")?,
                status: r.try_get("status")?,
                expires_at: r.try_get("expires_at")?,
            });
        }
        let sql = "SELECT id, user_id, channel_id, status, np_invoice_id, price_usd_micros, \
                   expires_at FROM invoices ORDER BY id";
        for r in rows(db, sql).await? {
            l.invoices.push(InvoiceRow {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                channel_id: r.try_get("channel_id")?,
                status: r.try_get("status")?,
                np_invoice_id: r.try_get("np_invoice_id")?,
                price_usd_micros: r.try_get("price_usd_micros")?,
                expires_at: r.try_get("expires_at")?,
            });
        }
        let sql = "SELECT id, kind, channel_id, state, usd_micros, dest_currency, dest_network, \
                   dest_address, amount_sent, tx_hash, error, created_at FROM payouts ORDER BY id";
        for r in rows(db, sql).await? {
            l.payouts.push(PayoutRow {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                channel_id: r.try_get("channel_id")?,
                state: r.try_get("state")?,
                usd_micros: r.try_get("usd_micros")?,
                dest_currency: r.try_get("dest_currency")?,
                dest_network: r.try_get("dest_network")?,
                dest_address: r.try_get("dest_address")?,
                amount_sent: r.try_get("amount_sent")?,
                tx_hash: r.try_get("tx_hash")?,
                error: r.try_get("error")?,
                created_at: r.try_get("created_at")?,
            });
        }
        let sql = "SELECT channel_id, state, owner_usd_micros FROM accumulations ORDER BY id";
        for r in rows(db, sql).await? {
            l.accumulations.push(AccumulationRow {
                channel_id: r.try_get("channel_id")?,
                state: r.try_get("state")?,
                owner_usd_micros: r.try_get("owner_usd_micros")?,
            });
        }
        let sql = "SELECT kind, run_at FROM jobs WHERE state = 'pending' ORDER BY run_at";
        for r in rows(db, sql).await? {
            l.pending_jobs.push(JobRow {
                kind: r.try_get("kind")?,
                run_at: r.try_get("run_at")?,
            });
        }
        Ok(l)
    }

    pub fn channel(&self, id: i64) -> Option<&ChannelRow> {
        self.channels.iter().find(|c| c.id == id)
    }
}
