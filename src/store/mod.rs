//! The database: one pool over SQLite or PostgreSQL through sqlx's `Any` driver, the
//! migrations, and one file per aggregate. SQL is written once with portable types; what
//! differs between the backends lives in [`dialect`].

pub mod admin_log;
pub mod broadcasts;
pub mod channels;
pub mod charts;
pub mod conversions;
pub mod currencies;
pub mod dialect;
pub mod dialogues;
pub mod grace;
pub mod invites;
pub mod invoices;
pub mod jobs;
pub mod lookup;
pub mod outbox;
pub mod owner;
pub mod payments;
pub mod payouts;
pub mod promos;
pub mod review;
pub mod settings;
pub mod stars;
pub mod stats;
pub mod subscriptions;
pub mod timers;
pub mod trials;
pub mod users;
pub mod valuations;
pub mod wallet_txs;

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
    /// The first connection failed; `reason` says why in words, without credentials.
    #[error("cannot open the {backend} database: {reason}")]
    Connect {
        backend: &'static str,
        reason: String,
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

/// A stored state word the code does not know means the row is corrupt, not a default state.
impl From<crate::domain::states::UnknownState> for StoreError {
    fn from(e: crate::domain::states::UnknownState) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Reads a state column as its enum; an unknown word is [`StoreError::Corrupt`].
pub(crate) fn state_column<T>(row: &sqlx::any::AnyRow, column: &str) -> StoreResult<T>
where
    T: std::str::FromStr<Err = crate::domain::states::UnknownState>,
{
    use sqlx::Row;
    let word: String = row.try_get(column)?;
    Ok(word.parse::<T>()?)
}

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

/// How long opening the first connection may take before start-up gives up and says so.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Run on every new SQLite connection.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                              PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

/// What a database URL points at, for error messages: `host:port` or the SQLite file, never
/// the user name or password.
#[derive(Debug, Clone)]
struct Target {
    /// `host:port` or the file path.
    place: String,
    /// The host alone (PostgreSQL), to name an unknown one.
    host: Option<String>,
    /// The URL's password (raw and percent-decoded), to scrub from any message.
    secrets: Vec<String>,
}

impl Target {
    fn of(backend: Backend, url: &str) -> Target {
        match backend {
            Backend::Sqlite => {
                let path = url
                    .strip_prefix("sqlite://")
                    .or_else(|| url.strip_prefix("sqlite:"))
                    .unwrap_or(url);
                Target {
                    place: path.split('?').next().unwrap_or_default().to_owned(),
                    host: None,
                    secrets: vec![],
                }
            }
            Backend::Postgres => match url::Url::parse(url) {
                Ok(u) => {
                    let host = u.host_str().unwrap_or("localhost").to_owned();
                    let port = u.port().unwrap_or(5432);
                    let mut secrets = Vec::new();
                    if let Some(p) = u.password() {
                        secrets.push(p.to_owned());
                        secrets.push(percent_decode(p));
                    }
                    Target {
                        place: format!("{host}:{port}"),
                        host: Some(host),
                        secrets,
                    }
                }
                Err(_) => Target {
                    place: "the PostgreSQL server".into(),
                    host: None,
                    secrets: vec![],
                },
            },
        }
    }

    /// Why the connection failed, in words: "connection refused at 127.0.0.1:1", "unknown
    /// host db.invalid", "telepay.db: file is not a database". Credentials never appear.
    fn describe(&self, e: &sqlx::Error) -> String {
        let place = &self.place;
        let text = match e {
            sqlx::Error::Io(io) => self.describe_io(io),
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // SQLITE_NOTADB
                Some("26") => format!("{place}: file is not a database"),
                // SQLITE_CANTOPEN
                Some("14") => format!(
                    "{place}: unable to open the database file (does its folder exist, and may \
                     this user write there?)"
                ),
                // SQLITE_READONLY / SQLITE_PERM
                Some("8" | "3") => {
                    format!("{place}: {} (may this user write there?)", db.message())
                }
                // invalid_password / invalid_authorization_specification
                Some("28P01" | "28000") => format!("{place} refused the login: {}", db.message()),
                _ => format!("{place}: {}", db.message()),
            },
            sqlx::Error::Tls(t) => format!("TLS with {place} failed: {t}"),
            sqlx::Error::Configuration(c) => format!("the URL is not usable: {c}"),
            sqlx::Error::PoolTimedOut => {
                format!("no connection to {place} could be opened in time")
            }
            other => format!("{place}: {other}"),
        };
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        crate::telemetry::redact(&text, &secrets)
    }

    fn describe_io(&self, io: &std::io::Error) -> String {
        use std::io::ErrorKind;
        let place = &self.place;
        let detail = io.to_string();
        match io.kind() {
            ErrorKind::ConnectionRefused => format!("connection refused at {place}"),
            ErrorKind::TimedOut => format!("no answer from {place} (timed out)"),
            ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => {
                format!("{place} is unreachable ({detail})")
            }
            ErrorKind::NotFound if self.host.is_none() => {
                format!("{place}: no such file or folder")
            }
            ErrorKind::PermissionDenied => format!("{place}: permission denied"),
            _ if detail.contains("lookup address") || detail.contains("resolve") => {
                let host = self.host.as_deref().unwrap_or(place);
                let why = detail
                    .rsplit_once(": ")
                    .map_or(detail.as_str(), |(_, why)| why);
                format!("unknown host {host} ({why})")
            }
            _ => format!("cannot reach {place}: {detail}"),
        }
    }
}

/// `%XX` escapes decoded (a password as the server sees it); invalid escapes stay as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Db {
    /// Opens one connection first, with a short timeout, so that a closed port, an unknown
    /// host or a file that is not a database stops start-up at once with the cause in words
    /// (the pool would only say "pool timed out" after retrying).
    async fn probe(backend: Backend, url: &str, target: &Target) -> StoreResult<()> {
        use sqlx::{AnyConnection, ConnectOptions, Connection};
        use std::str::FromStr;
        let fail = |reason: String| StoreError::Connect {
            backend: backend.name(),
            reason,
        };
        let attempt = async {
            let opts = sqlx::any::AnyConnectOptions::from_str(url)?;
            let mut conn: AnyConnection = opts.connect().await?;
            if backend == Backend::Sqlite {
                // Reads the file header: a file that is not a database fails here.
                conn.execute(SQLITE_PRAGMAS).await?;
            }
            conn.close().await
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(fail(target.describe(&e))),
            Err(_) => Err(fail(format!(
                "no answer from {} within {}s",
                target.place,
                CONNECT_TIMEOUT.as_secs()
            ))),
        }
    }

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
        let target = Target::of(backend, &url);
        Self::probe(backend, &url, &target).await?;
        let mut opts = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(5));
        if backend == Backend::Sqlite {
            opts = opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    Ok(())
                })
            });
        }
        let pool = opts.connect(&url).await.map_err(|e| StoreError::Connect {
            backend: backend.name(),
            reason: target.describe(&e),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_stored_state_is_a_corrupt_row() {
        let e = crate::domain::states::PayoutState::parse("paid").unwrap_err();
        let e = StoreError::from(e);
        assert!(matches!(&e, StoreError::Corrupt(_)), "{e:?}");
        assert_eq!(
            e.to_string(),
            "a stored row is not valid: unknown payout state \"paid\""
        );
    }

    #[test]
    fn a_refused_port_is_named_with_host_and_port_only() {
        let t = Target::of(
            Backend::Postgres,
            "postgres://bob:s3cr%40t-pw@db.example.com:6543/telepay",
        );
        let e = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(t.describe(&e), "connection refused at db.example.com:6543");
    }

    #[test]
    fn the_password_never_survives_a_message_raw_or_decoded() {
        let t = Target::of(
            Backend::Postgres,
            "postgres://bob:s3cr%40t-pw@db.example.com/telepay",
        );
        for leaked in ["s3cr%40t-pw", "s3cr@t-pw"] {
            let e = sqlx::Error::Protocol(format!("the server said {leaked}"));
            let text = t.describe(&e);
            assert!(!text.contains("s3cr"), "{text}");
            assert!(text.starts_with("db.example.com:5432: "), "{text}");
        }
    }

    #[test]
    fn an_unknown_host_is_named() {
        let t = Target::of(Backend::Postgres, "postgres://bob@nowhere.invalid/telepay");
        let e = sqlx::Error::Io(std::io::Error::other(
            "failed to lookup address information: Name or service not known",
        ));
        assert_eq!(
            t.describe(&e),
            "unknown host nowhere.invalid (Name or service not known)"
        );
    }

    #[test]
    fn percent_escapes_decode_and_bad_ones_stay() {
        assert_eq!(percent_decode("a%40b%2Fc"), "a@b/c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
