//! The database: one pool over SQLite or PostgreSQL through sqlx's `Any` driver, the
//! migrations, and one file per aggregate. SQL is written once with portable types; what
//! differs between the backends lives in [`dialect`].

pub mod channels;
pub mod conversions;
pub mod currencies;
pub mod dialect;
pub mod dialogues;
pub mod invites;
pub mod invoices;
pub mod jobs;
pub mod owner;
pub mod payouts;
pub mod settings;
pub mod stats;
pub mod subscriptions;
pub mod timers;
pub mod users;

use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Transaction};
use thiserror::Error;

use crate::config::{DatabaseConfig, validate_database_url};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database the URL named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("invalid database URL: {0}")]
    BadUrl(String),
    #[error("cannot open the {backend} database: {source}")]
    Connect {
        backend: &'static str,
        source: sqlx::Error,
    },
    #[error("database migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("a stored row is not valid: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The shared database handle: cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// SQLite creates the file when absent (`mode=rwc`) unless the URL already names a mode.
fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

impl Db {
    /// Connects (eagerly, so a bad URL or an unreachable server fails here) without migrating.
    pub async fn connect(cfg: &DatabaseConfig) -> StoreResult<Db> {
        let url = cfg.url.expose_secret();
        validate_database_url(url).map_err(StoreError::BadUrl)?;
        let backend = Backend::of_url(url)
            .ok_or_else(|| StoreError::BadUrl("must start with sqlite:// or postgres://".into()))?;
        install_default_drivers();
        let (url, max) = match backend {
            // One writer at a time by design; a few readers beside it.
            Backend::Sqlite => (sqlite_url_with_create(url), cfg.max_connections.min(4)),
            Backend::Postgres => (url.to_owned(), cfg.max_connections),
        };
        let mut opts = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(5));
        if backend == Backend::Sqlite {
            opts = opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = opts
            .connect(&url)
            .await
            .map_err(|source| StoreError::Connect {
                backend: backend.name(),
                source,
            })?;
        Ok(Db { pool, backend })
    }

    /// Connects and brings the schema up to date.
    pub async fn connect_and_migrate(cfg: &DatabaseConfig) -> StoreResult<Db> {
        let db = Db::connect(cfg).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Applies pending migrations (PostgreSQL takes an advisory lock, so replicas may race).
    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// A round trip to the database, for /readyz.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so a read-then-write never fails half-way with SQLITE_BUSY.
    pub async fn begin_write(&self) -> StoreResult<Transaction<'static, Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Flags are stored as BIGINT 0/1 (the `Any` driver cannot decode SQLite booleans).
pub fn flag(v: i64) -> bool {
    v != 0
}

pub fn flag_value(b: bool) -> i64 {
    i64::from(b)
}
