//! TelePay: one process that sells access to private Telegram channels for crypto and pays the
//! channel owners out. See SPEC.md and ARCHITECTURE.md in the shared folder for the map.

pub mod access;
pub mod app;
pub mod bot;
pub mod cli;
pub mod config;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod notify;
pub mod payments;
pub mod payouts;
pub mod providers;
pub mod services;
pub mod store;
pub mod telemetry;
