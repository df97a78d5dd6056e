//! Test helpers: databases per test, the spawned application, and waiting on conditions.

pub mod app;
pub mod browser;
pub mod chromium;
pub mod db;
pub mod fixtures;
pub mod replicas;
pub mod wait;
