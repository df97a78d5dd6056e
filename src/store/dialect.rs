//! The few statements that differ between SQLite and PostgreSQL, kept in one place.

use super::Backend;

impl Backend {
    /// Row locking for claim queries: other workers skip rows one of them holds.
    /// SQLite needs none: it has one writer, and claims run inside `BEGIN IMMEDIATE`.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Locks the selected rows until the transaction ends (SQLite's `BEGIN IMMEDIATE` already
    /// serializes writers).
    pub fn for_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// A statement that takes a transaction-scoped leader lock and yields one row with 1 when
    /// this transaction holds it. SQLite runs in one process, so it always holds it.
    pub fn try_xact_lock(self) -> &'static str {
        match self {
            Backend::Sqlite => "SELECT CAST($1 AS BIGINT) * 0 + 1",
            Backend::Postgres => "SELECT CASE WHEN pg_try_advisory_xact_lock($1) THEN 1 ELSE 0 END",
        }
    }
}
