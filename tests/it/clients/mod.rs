//! The product's provider clients against the simulators over real sockets. These lived in
//! the simulators' own unit tests while the simulators were part of the product; the
//! simulators' crate no longer sees the product, so the round trips are checked from here.

mod changenow;
mod evm;
mod nowpayments;
