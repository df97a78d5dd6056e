//! A fresh database per test: a temporary SQLite file, or a new PostgreSQL database created on
//! the server named by TEST_DATABASE_URL (dropped again when the test ends).

use std::time::Duration;

use secrecy::SecretString;
use sqlx::{Connection, Executor, PgConnection};
use telepay::config::DatabaseConfig;
use telepay::store::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

/// The PostgreSQL server for tests, or None (skip) when it is not configured. With
/// REQUIRE_POSTGRES=1 a missing server fails the test instead of skipping it.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u.trim().to_owned()),
        _ => {
            assert!(
                std::env::var("REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set"
            );
            None
        }
    }
}

impl TestDb {
    /// None when the backend is PostgreSQL and no server is configured (the test skips).
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("telepay.db").display());
                Some(TestDb {
                    url,
                    _dir: Some(dir),
                    pg: None,
                })
            }
            Backend::Postgres => {
                let admin = postgres_url()?;
                let name = format!(
                    "telepay_t_{}",
                    telepay::domain::ids::new_code(12).to_lowercase()
                );
                let mut conn = PgConnection::connect(&admin)
                    .await
                    .expect("TEST_DATABASE_URL must point at a reachable PostgreSQL");
                conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let mut url = url::Url::parse(&admin).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&format!("/{name}"));
                Some(TestDb {
                    url: url.to_string(),
                    _dir: None,
                    pg: Some((admin, name)),
                })
            }
        }
    }

    pub fn config(&self) -> DatabaseConfig {
        DatabaseConfig {
            url: SecretString::from(self.url.clone()),
            max_connections: 8,
        }
    }

    pub async fn connect(&self) -> Db {
        Db::connect_and_migrate(&self.config())
            .await
            .expect("connect and migrate the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else {
            return;
        };
        // Drop cannot await; do it on a short-lived runtime of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = PgConnection::connect(&admin).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    let _ = tokio::time::timeout(
                        Duration::from_secs(10),
                        conn.execute(sqlx::AssertSqlSafe(sql)),
                    )
                    .await;
                }
            });
        })
        .join();
    }
}

/// Declares `sqlite` and `postgres` tests for one async test body taking a [`Backend`].
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::db::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::db::Backend::Postgres).await
                }
            }
        )*
    };
}
