//! Integration tests: the real process paths, through real HTTP, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod bot;
mod browser_sandbox;
mod cli;
mod clients;
mod demo;
mod hostile;
mod http_limits;
mod jobs;
mod lessons;
mod lifecycle;
mod menus;
mod owner;
mod payouts;
mod store;
mod subscriber;
