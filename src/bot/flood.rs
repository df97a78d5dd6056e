//! Per-user flood protection (stub).

/// Updates one user may send in a burst.
pub const BURST: u32 = 20;
