//! Test helpers: databases per test and the spawned application.

pub mod app;
pub mod db;
pub mod fixtures;
