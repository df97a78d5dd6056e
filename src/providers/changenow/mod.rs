//! ChangeNOW (reference/apis.md §B): the API v2 client, its wire types, statuses and errors.

pub mod client;
pub mod error;
pub mod state;
pub mod wire;

#[cfg(test)]
mod tests;

pub use crate::providers::http::RetryPolicy;
pub use crate::providers::json_number::{numbers_as_strings, parse_amount_text, to_plain_string};
pub use client::{API_KEY_HEADER, CONNECT_TIMEOUT, ChangeNowClient, DEFAULT_RETRY};
pub use error::CnError;
pub use state::ExchangeState;
pub use wire::{
    AddressCheck, AmountRange, Asset, CreateExchange, Estimate, Exchange, ExchangeStatus,
};
