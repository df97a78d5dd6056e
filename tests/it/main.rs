//! Integration tests: the real process paths, through real HTTP, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod admin;
mod admin_log;
mod admin_lookup;
mod admin_orphans;
mod admin_payouts;
mod bot;
mod broadcast;
mod browser_sandbox;
mod charts;
mod cli;
mod clients;
mod demo;
mod deploy;
mod grace;
mod hostile;
mod http_limits;
mod jobs;
mod lessons;
mod lifecycle;
mod menus;
mod metrics;
mod owner;
mod payouts;
mod promo;
mod replicas;
mod stars;
mod store;
mod subscriber;
mod trials;
