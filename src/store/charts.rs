//! The figures behind the owner's `/balance` chart (issue 15 item 6): read-only queries over
//! the money and access tables, and the pure shaping of their rows into one value per UTC day.
//!
//! What each series counts, exactly:
//! - **Revenue**: the gross USD value (`payments.value_usd_micros`, the platform fee included)
//!   of the channel's payments that granted and were not refunded, on the UTC day they
//!   granted, by payment method. Payments still being valued are left out, as in the
//!   `/balance` figures.
//! - **Active subscribers**: subscriptions of the channel with access at the end of the UTC
//!   day (for today: at the moment of drawing). Access is the union of the spans the
//!   non-refunded payments bought (`subscription_grants`: the `days` ending at
//!   `new_expires_at`) and of free trials (`trials.started_at .. ends_at`).
//! - **Pending owner balance** (threshold channels): owner shares waiting to be paid out at the
//!   end of each day: accumulations created by then and not yet `paid` by then (an
//!   accumulation's `updated_at` is when it became `paid`, its final state). Today's value is
//!   the `/balance` figure.

use std::collections::HashSet;

use sqlx::Row;

use super::{Db, StoreResult};
use crate::domain::money::UsdMicros;
use crate::domain::time::UnixMillis;

pub const DAY_MS: i64 = 86_400_000;

/// How a payment was paid. One revenue series each, drawn in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayMethod {
    /// NOWPayments invoices.
    Crypto,
    /// Telegram Stars.
    Stars,
}

impl PayMethod {
    pub const ALL: [PayMethod; 2] = [PayMethod::Crypto, PayMethod::Stars];

    /// The method of a stored `payments.method` word (migration 0012's CHECK lists both).
    fn of_stored(word: &str) -> PayMethod {
        if word == "stars" {
            PayMethod::Stars
        } else {
            PayMethod::Crypto
        }
    }
}

/// A granted payment as the chart sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartPayment {
    pub granted_at: UnixMillis,
    pub value: UsdMicros,
    pub method: PayMethod,
}

/// A time a subscription had access: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessSpan {
    pub subscription_id: i64,
    pub from: UnixMillis,
    pub to: UnixMillis,
}

/// An owner share waiting (or that waited) for a payout: pending from `created_at` until
/// `paid_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingShare {
    pub owner: UsdMicros,
    pub created_at: UnixMillis,
    pub paid_at: Option<UnixMillis>,
}

/// The rows of one channel a chart is drawn from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartRows {
    pub payments: Vec<ChartPayment>,
    pub access: Vec<AccessSpan>,
    pub pending: Vec<PendingShare>,
}

/// One revenue series: a value per day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodSeries {
    pub method: PayMethod,
    pub per_day: Vec<UsdMicros>,
}

/// A channel's figures per UTC day, oldest day first; every vector has one entry per day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartData {
    /// Midnight (UTC) of each day; the last one is today.
    pub days: Vec<UnixMillis>,
    pub revenue: Vec<MethodSeries>,
    pub subscribers: Vec<i64>,
    /// Pending owner balance at the end of each day.
    pub pending: Vec<UsdMicros>,
    /// Gross revenue over the whole window.
    pub total: UsdMicros,
    /// Payments in the window.
    pub payments: i64,
}

impl ChartData {
    /// Nothing was paid in the window.
    pub fn is_empty(&self) -> bool {
        self.payments == 0
    }

    /// The revenue of all methods on day `i`.
    pub fn revenue_on(&self, i: usize) -> UsdMicros {
        self.revenue
            .iter()
            .filter_map(|s| s.per_day.get(i))
            .fold(UsdMicros::ZERO, |acc, v| acc.checked_add(*v).unwrap_or(acc))
    }
}

/// Midnight (UTC) of the first day of a `days`-long window ending today.
pub fn window_start(days: u32, now: UnixMillis) -> UnixMillis {
    let today = now.as_millis().div_euclid(DAY_MS) * DAY_MS;
    UnixMillis::from_millis(today.saturating_sub((i64::from(days.max(1)) - 1) * DAY_MS))
}

/// Buckets `rows` into `days` UTC days ending today (`now` included).
pub fn shape(rows: &ChartRows, days: u32, now: UnixMillis) -> ChartData {
    let start = window_start(days, now).as_millis();
    let n = usize::try_from(days.max(1)).unwrap_or(1);
    let day_starts: Vec<UnixMillis> = (0..days.max(1))
        .map(|i| UnixMillis::from_millis(start + i64::from(i) * DAY_MS))
        .collect();
    // The instant each day is read at: its end, or now for today.
    let reads: Vec<i64> = day_starts
        .iter()
        .map(|d| (d.as_millis() + DAY_MS).min(now.as_millis().saturating_add(1)))
        .collect();
    let day_of = |t: UnixMillis| -> Option<usize> {
        let t = t.as_millis();
        if t < start || t > now.as_millis() {
            return None;
        }
        usize::try_from((t - start) / DAY_MS)
            .ok()
            .filter(|i| *i < n)
    };

    let mut revenue: Vec<MethodSeries> = PayMethod::ALL
        .iter()
        .map(|m| MethodSeries {
            method: *m,
            per_day: vec![UsdMicros::ZERO; n],
        })
        .collect();
    let mut total = UsdMicros::ZERO;
    let mut payments = 0i64;
    for p in &rows.payments {
        let Some(i) = day_of(p.granted_at) else {
            continue;
        };
        if let Some(slot) = revenue
            .iter_mut()
            .find(|s| s.method == p.method)
            .and_then(|s| s.per_day.get_mut(i))
        {
            *slot = slot.checked_add(p.value).unwrap_or(*slot);
        }
        total = total.checked_add(p.value).unwrap_or(total);
        payments += 1;
    }
    // Crypto is always drawn (an empty chart still has its legend); another method only when
    // it brought something in the window.
    revenue.retain(|s| s.method == PayMethod::Crypto || s.per_day.iter().any(|v| v.micros() > 0));

    let subscribers = reads
        .iter()
        .map(|&t| {
            let active: HashSet<i64> = rows
                .access
                .iter()
                .filter(|s| s.from.as_millis() < t && t <= s.to.as_millis())
                .map(|s| s.subscription_id)
                .collect();
            i64::try_from(active.len()).unwrap_or(i64::MAX)
        })
        .collect();

    let pending = reads
        .iter()
        .map(|&t| {
            rows.pending
                .iter()
                .filter(|s| {
                    s.created_at.as_millis() < t && s.paid_at.is_none_or(|p| p.as_millis() >= t)
                })
                .fold(UsdMicros::ZERO, |acc, s| {
                    acc.checked_add(s.owner).unwrap_or(acc)
                })
        })
        .collect();

    ChartData {
        days: day_starts,
        revenue,
        subscribers,
        pending,
        total,
        payments,
    }
}

impl Db {
    /// The rows a chart of the `days` before `now` needs, for one channel.
    pub async fn chart_rows(
        &self,
        channel_id: i64,
        days: u32,
        now: UnixMillis,
    ) -> StoreResult<ChartRows> {
        let since = window_start(days, now).as_millis();
        let payments = sqlx::query(
            "SELECT p.granted_at, p.value_usd_micros, p.method FROM payments p \
             JOIN invoices i ON i.id = p.invoice_id \
             WHERE i.channel_id = $1 AND p.granted_at >= $2 AND p.refunded_at IS NULL \
               AND p.value_usd_micros IS NOT NULL",
        )
        .bind(channel_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ChartPayment {
                granted_at: UnixMillis::from_millis(r.try_get("granted_at")?),
                value: UsdMicros::from_micros(r.try_get("value_usd_micros")?),
                method: PayMethod::of_stored(r.try_get::<String, _>("method")?.as_str()),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;

        let mut access = sqlx::query(
            "SELECT g.subscription_id, g.days, g.new_expires_at FROM subscription_grants g \
             JOIN subscriptions s ON s.id = g.subscription_id \
             JOIN payments p ON p.id = g.payment_id \
             WHERE s.channel_id = $1 AND p.refunded_at IS NULL AND g.new_expires_at > $2",
        )
        .bind(channel_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let to: i64 = r.try_get("new_expires_at")?;
            let days: i64 = r.try_get("days")?;
            Ok(AccessSpan {
                subscription_id: r.try_get("subscription_id")?,
                from: UnixMillis::from_millis(to.saturating_sub(days.saturating_mul(DAY_MS))),
                to: UnixMillis::from_millis(to),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let trials = sqlx::query(
            "SELECT subscription_id, started_at, ends_at FROM trials \
             WHERE channel_id = $1 AND ends_at > $2",
        )
        .bind(channel_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        for r in &trials {
            access.push(AccessSpan {
                subscription_id: r.try_get("subscription_id")?,
                from: UnixMillis::from_millis(r.try_get("started_at")?),
                to: UnixMillis::from_millis(r.try_get("ends_at")?),
            });
        }

        let pending = sqlx::query(
            "SELECT owner_usd_micros, created_at, state, updated_at FROM accumulations \
             WHERE channel_id = $1 AND (state <> 'paid' OR updated_at >= $2)",
        )
        .bind(channel_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let state: String = r.try_get("state")?;
            let updated: i64 = r.try_get("updated_at")?;
            Ok(PendingShare {
                owner: UsdMicros::from_micros(r.try_get("owner_usd_micros")?),
                created_at: UnixMillis::from_millis(r.try_get("created_at")?),
                paid_at: (state == "paid").then_some(UnixMillis::from_millis(updated)),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;

        Ok(ChartRows {
            payments,
            access,
            pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_764_979_200_000; // 2025-12-06 00:00 UTC

    fn at(day: i64, hour: i64) -> UnixMillis {
        UnixMillis::from_millis(T0 + day * DAY_MS + hour * 3_600_000)
    }

    fn pay(day: i64, hour: i64, cents: i64) -> ChartPayment {
        ChartPayment {
            granted_at: at(day, hour),
            value: UsdMicros::from_cents(cents),
            method: PayMethod::Crypto,
        }
    }

    #[test]
    fn empty_rows_give_zero_days() {
        let now = at(29, 12);
        let d = shape(&ChartRows::default(), 30, now);
        assert!(d.is_empty());
        assert_eq!(d.days.len(), 30);
        assert_eq!(d.days[0], at(0, 0));
        assert_eq!(d.days[29], at(29, 0));
        assert_eq!(d.revenue.len(), 1);
        assert!(d.revenue[0].per_day.iter().all(|v| *v == UsdMicros::ZERO));
        assert_eq!(d.subscribers, vec![0; 30]);
        assert_eq!(d.pending, vec![UsdMicros::ZERO; 30]);
        assert_eq!(d.total, UsdMicros::ZERO);
    }

    #[test]
    fn payments_fall_on_their_utc_day() {
        let now = at(29, 12);
        let rows = ChartRows {
            payments: vec![
                pay(-1, 23, 100), // before the window
                pay(0, 0, 999),   // first instant of the window
                pay(0, 23, 1),
                pay(15, 6, 500),
                pay(29, 11, 250), // today, before now
            ],
            ..ChartRows::default()
        };
        let d = shape(&rows, 30, now);
        let s = &d.revenue[0].per_day;
        assert_eq!(s[0], UsdMicros::from_cents(1000));
        assert_eq!(s[15], UsdMicros::from_cents(500));
        assert_eq!(s[29], UsdMicros::from_cents(250));
        assert_eq!(d.revenue_on(15), UsdMicros::from_cents(500));
        assert_eq!(d.total, UsdMicros::from_cents(1750));
        assert_eq!(d.payments, 4);
        assert!(!d.is_empty());
        let d90 = shape(&rows, 90, now);
        assert_eq!(d90.days.len(), 90);
        assert_eq!(d90.total, UsdMicros::from_cents(1850));
    }

    #[test]
    fn stars_get_their_own_series_only_when_they_brought_something() {
        let now = at(29, 12);
        let mut star = pay(3, 6, 400);
        star.method = PayMethod::Stars;
        let rows = ChartRows {
            payments: vec![pay(3, 5, 100), star],
            ..ChartRows::default()
        };
        let d = shape(&rows, 30, now);
        assert_eq!(d.revenue.len(), 2);
        assert_eq!(d.revenue[0].method, PayMethod::Crypto);
        assert_eq!(d.revenue[0].per_day[3], UsdMicros::from_cents(100));
        assert_eq!(d.revenue[1].method, PayMethod::Stars);
        assert_eq!(d.revenue[1].per_day[3], UsdMicros::from_cents(400));
        assert_eq!(d.total, UsdMicros::from_cents(500));
        let crypto_only = shape(
            &ChartRows {
                payments: vec![pay(3, 5, 100)],
                ..ChartRows::default()
            },
            30,
            now,
        );
        assert_eq!(crypto_only.revenue.len(), 1);
    }

    #[test]
    fn subscribers_are_counted_at_each_days_end_once() {
        let now = at(9, 12);
        let span = |sub: i64, from: UnixMillis, to: UnixMillis| AccessSpan {
            subscription_id: sub,
            from,
            to,
        };
        let rows = ChartRows {
            access: vec![
                // Paid on day 2 for 3 days, then renewed ahead: one subscriber, two spans.
                span(1, at(2, 10), at(5, 10)),
                span(1, at(5, 10), at(8, 10)),
                // A trial that ended at a day's end exactly: still counted that day.
                span(2, at(0, 8), at(4, 0)),
                // Started today after noon: not yet.
                span(3, at(9, 13), at(12, 0)),
            ],
            ..ChartRows::default()
        };
        let d = shape(&rows, 10, now);
        assert_eq!(d.subscribers, vec![1, 1, 2, 2, 1, 1, 1, 1, 0, 0]);
    }

    #[test]
    fn pending_rises_and_falls_with_payouts() {
        let now = at(4, 12);
        let share = |cents: i64, created: UnixMillis, paid: Option<UnixMillis>| PendingShare {
            owner: UsdMicros::from_cents(cents),
            created_at: created,
            paid_at: paid,
        };
        let rows = ChartRows {
            pending: vec![
                share(1000, at(0, 5), Some(at(2, 9))),
                share(500, at(1, 5), Some(at(2, 9))),
                share(300, at(3, 1), None),
            ],
            ..ChartRows::default()
        };
        let d = shape(&rows, 5, now);
        let c = UsdMicros::from_cents;
        assert_eq!(d.pending, vec![c(1000), c(1500), c(0), c(300), c(300)]);
    }
}
