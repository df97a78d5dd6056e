//! Row ids and public codes, generated in Rust so both databases agree.

use rand::Rng;
use rand::distr::Alphanumeric;

/// A fresh random positive 63-bit id. Random rather than sequential so that ids shown to
/// users (invoice and order ids) cannot be enumerated.
pub fn new_id() -> i64 {
    rand::rng().random_range(1..=i64::MAX)
}

/// A short unguessable code of `len` characters from `[A-Za-z0-9]`, for deep links.
pub fn new_code(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_positive_and_distinct() {
        let ids: HashSet<i64> = (0..10_000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids.iter().all(|&id| id > 0));
    }

    #[test]
    fn codes_have_the_requested_length_and_charset() {
        let c = new_code(10);
        assert_eq!(c.len(), 10);
        assert!(c.chars().all(|ch| ch.is_ascii_alphanumeric()));
    }
}
