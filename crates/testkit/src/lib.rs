//! Test support: a fresh, migrated database per test on SQLite or PostgreSQL, and the
//! `both_backends!` macro that expands one test body into a test for each.
#![forbid(unsafe_code)]

use mutual_store::{Db, DbConfig};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::OnceCell;

/// The environment variable holding the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "MUTUAL_TEST_POSTGRES_URL";
/// Set to 1 to make a missing PostgreSQL a failure instead of a skip.
pub const REQUIRE_POSTGRES_VAR: &str = "MUTUAL_REQUIRE_POSTGRES";

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// A migrated database of its own for one test: a temporary SQLite file or a fresh
/// PostgreSQL schema. The SQLite folder is removed when this is dropped; PostgreSQL schemas
/// left by earlier runs are dropped when a later run starts.
pub struct TestDatabase {
    pub db: Db,
    pub config: DbConfig,
    sqlite_dir: Option<PathBuf>,
}

impl TestDatabase {
    /// A fresh database on `backend`; `None` (after printing why) when PostgreSQL is not
    /// configured and not required.
    pub async fn create(backend: TestBackend) -> Option<TestDatabase> {
        let (config, sqlite_dir) = match backend {
            TestBackend::Sqlite => {
                let dir =
                    std::env::temp_dir().join(format!("mutual-test-{}", uuid::Uuid::now_v7()));
                let url = format!("sqlite://{}", dir.join("mutual.db").display());
                (
                    DbConfig {
                        max_connections: 4,
                        ..DbConfig::new(url)
                    },
                    Some(dir),
                )
            }
            TestBackend::Postgres => (postgres_config().await?, None),
        };
        let db = Db::connect(&config)
            .await
            .expect("connect to the test database");
        db.migrate().await.expect("migrate the test database");
        Some(TestDatabase {
            db,
            config,
            sqlite_dir,
        })
    }
}

impl TestDatabase {
    /// The SQLite database file (`None` on PostgreSQL), for tests that read its raw bytes.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        self.sqlite_dir.as_ref().map(|dir| dir.join("mutual.db"))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(dir) = &self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The PostgreSQL server URL from the environment, or `None` after printing that the test
/// is skipped; panics instead when PostgreSQL is required.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var(REQUIRE_POSTGRES_VAR).as_deref() == Ok("1") {
                panic!("{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_URL_VAR} is not set");
            }
            eprintln!("skipped: the PostgreSQL half of this test ({POSTGRES_URL_VAR} is not set)");
            None
        }
    }
}

async fn postgres_config() -> Option<DbConfig> {
    let url = postgres_url()?;
    static SWEPT: OnceCell<()> = OnceCell::const_new();
    let admin = Db::connect(&DbConfig {
        max_connections: 1,
        ..DbConfig::new(url.clone())
    })
    .await
    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {POSTGRES_URL_VAR}: {e}"));
    let Db::Postgres(pool) = &admin else {
        unreachable!("a postgres URL gives a postgres pool")
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    SWEPT
        .get_or_init(|| async {
            // Schemas are named mutual_test_<unix seconds>_<random>; drop those over an hour old.
            let stale: Vec<String> = sqlx::query_scalar(
                "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'mutual\\_test\\_%'",
            )
            .fetch_all(pool)
            .await
            .unwrap_or_default();
            for schema in stale {
                let created = schema.split('_').nth(2).and_then(|s| s.parse::<u64>().ok());
                if created.is_some_and(|created| created + 3600 < now) {
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .execute(pool)
                        .await;
                }
            }
        })
        .await;
    let schema = format!("mutual_test_{now}_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(pool)
        .await
        .expect("create a test schema");
    admin.close().await;
    Some(DbConfig {
        max_connections: 4,
        postgres_schema: Some(schema),
        ..DbConfig::new(url)
    })
}

/// Expands `async fn name(database) { ... }` into a module `name` with a `sqlite` and a
/// `postgres` test, each binding `database` to a fresh [`TestDatabase`].
#[macro_export]
macro_rules! both_backends {
    ($(#[$attr:meta])* async fn $name:ident($database:ident) $body:block) => {
        $(#[$attr])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $database = $crate::TestDatabase::create($crate::TestBackend::Sqlite)
                    .await
                    .expect("a SQLite test database");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($database) =
                    $crate::TestDatabase::create($crate::TestBackend::Postgres).await
                else {
                    return;
                };
                $body
            }
        }
    };
}
