//! Database faults: a PostgreSQL whose connections are cut, then refused, then restored; a SQLite
//! disk that fills up and frees again; a SQLite database another process holds locked. Each
//! answers 503 with `Retry-After` (not 500), `/readyz` says so within a second, and the server
//! recovers by itself when the database does.

use crate::community::{make_trusted, space_id};
use crate::recovery::local_date;
use crate::support::TestServer;
use mutual_store::{Db, DbConfig};
use mutual_testkit::{TestBackend, TestDatabase};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One answer: status, `Retry-After`, body and how long it took.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
    took: Duration,
}

async fn timed(request: reqwest::RequestBuilder) -> Answer {
    let started = Instant::now();
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        retry_after,
        body,
        took: started.elapsed(),
    }
}

/// Replaces the day's check-in (a write on every backend's ordinary path).
async fn check_in(server: &TestServer, token: &str, days_back: u64, journal: &str) -> Answer {
    let day = local_date(server, "UTC", days_back);
    let body =
        json!({"mood": 3, "craving": 1, "sleep_hours": 7, "sleep_quality": 3, "journal": journal});
    timed(
        server
            .client
            .put(server.url(&format!("/api/v1/checkins/{day}")))
            .bearer_auth(token)
            .json(&body),
    )
    .await
}

async fn readyz(server: &TestServer) -> Answer {
    timed(server.client.get(server.url("/readyz"))).await
}

/// The answer is the API's 503 for an unavailable database, with `Retry-After`.
fn assert_unavailable(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 503, "{what}: {}", answer.body);
    assert_eq!(answer.retry_after.as_deref(), Some("5"), "{what}");
    assert_eq!(answer.body["error"]["code"], "unavailable", "{what}");
}

/// `/readyz` says not ready, with its reason, within its own second.
fn assert_not_ready(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 503, "{what}: {}", answer.body);
    assert!(
        answer.body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{what}: a reason: {}",
        answer.body
    );
    assert!(
        answer.took < Duration::from_millis(1500),
        "{what}: /readyz took {:?}",
        answer.took
    );
}

/// Writes until one succeeds (at most `within`); how long that took.
async fn recovery_time(server: &TestServer, token: &str, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let answer = check_in(server, token, 0, "back again").await;
        if (200..300).contains(&answer.status) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "no recovery within {within:?}: {} {}",
            answer.status,
            answer.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A TCP proxy in front of PostgreSQL that can cut every connection (and close new ones at
/// once, as a server going down does), refuse connections (no listener at all) and restore.
struct Proxy {
    address: SocketAddr,
    target: String,
    cut: Arc<AtomicBool>,
    pipes: Arc<Mutex<Vec<JoinHandle<()>>>>,
    listener: Option<JoinHandle<()>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut proxy = Proxy {
            address: listener.local_addr().unwrap(),
            target,
            cut: Arc::default(),
            pipes: Arc::default(),
            listener: None,
        };
        proxy.listen(listener);
        proxy
    }

    fn listen(&mut self, listener: TcpListener) {
        let (target, cut, pipes) = (self.target.clone(), self.cut.clone(), self.pipes.clone());
        self.listener = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if cut.load(Ordering::SeqCst) {
                    continue;
                }
                let target = target.clone();
                pipes.lock().unwrap().push(tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                }));
            }
        }));
    }

    /// Severs every open connection; new ones are accepted and closed at once.
    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for pipe in self.pipes.lock().unwrap().drain(..) {
            pipe.abort();
        }
    }

    /// No listener: connecting is refused.
    async fn refuse(&mut self) {
        self.cut();
        if let Some(listener) = self.listener.take() {
            listener.abort();
            let _ = listener.await;
        }
    }

    async fn restore(&mut self) {
        self.cut.store(false, Ordering::SeqCst);
        if self.listener.is_none() {
            let listener = TcpListener::bind(self.address).await.unwrap();
            self.listen(listener);
        }
    }
}

/// `postgres://user@host:port/db?query` → (`host:port`, the URL pointing at `through` instead).
fn redirect(url: &str, through: SocketAddr) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, host) = authority
        .rsplit_once('@')
        .map_or(("", authority), |(u, h)| (u, h));
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    let user = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    (host, format!("{scheme}://{user}{through}{tail}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_cut_and_refusing_answers_503_fast_and_recovers_without_a_restart() {
    let Some(mut database) = TestDatabase::create(TestBackend::Postgres).await else {
        return;
    };
    let (target, _) = redirect(&database.config.url, "127.0.0.1:1".parse().unwrap());
    let mut proxy = Proxy::start(target).await;
    let config = DbConfig {
        url: redirect(&database.config.url, proxy.address).1,
        ..database.config.clone()
    };
    database.db = Db::connect(&config).await.unwrap();
    database.config = config.clone();
    let server = TestServer::start(database).await;
    server.register("steady_tide").await;
    let token = server.token("steady_tide").await;
    assert_eq!(check_in(&server, &token, 0, "before").await.status, 201);
    assert_eq!(readyz(&server).await.status, 200);

    // Cut: every pooled connection dies and new ones are closed as soon as they open.
    proxy.cut();
    let cut = check_in(&server, &token, 0, "while cut").await;
    assert_unavailable(&cut, "a write with the connections cut");
    assert!(
        cut.took < Duration::from_secs(1),
        "503 at once when connections drop: {:?}",
        cut.took
    );
    let cut_ready = readyz(&server).await;
    assert_not_ready(&cut_ready, "cut");

    // Refused: nothing listens. Writes wait at most the acquire timeout; /readyz its second.
    proxy.refuse().await;
    let refused_ready = readyz(&server).await;
    assert_not_ready(&refused_ready, "refused");
    let refused = check_in(&server, &token, 0, "while refused").await;
    assert_unavailable(&refused, "a write with connections refused");
    assert!(
        refused.took < config.acquire_timeout + Duration::from_secs(1),
        "{:?}",
        refused.took
    );

    // Back: the same server writes again, without a restart.
    proxy.restore().await;
    let recovered = recovery_time(&server, &token, Duration::from_secs(10)).await;
    assert_eq!(readyz(&server).await.status, 200);
    eprintln!(
        "postgres fault: 503 after a cut in {:?}, with connections refused in {:?}; /readyz 503 in {:?} (cut) and {:?} (refused); recovered {:?} after the database returned",
        cut.took, refused.took, cut_ready.took, refused_ready.took, recovered
    );
    server.stop().await;
}

/// Every connection of the SQLite pool may grow the file to `pages` at most (`None`: to
/// SQLite's own limit). `PRAGMA max_page_count` belongs to the connection, so each is visited.
async fn limit_pages(db: &Db, pages: Option<i64>) {
    let Db::Sqlite(pool, _) = db else {
        unreachable!("a SQLite test")
    };
    if pages.is_some() {
        // No free pages left to fill: the next page a write needs grows the file.
        sqlx::query("VACUUM").execute(pool).await.unwrap();
    }
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.unwrap());
    }
    for conn in &mut held {
        let current: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        let limit = pages.unwrap_or(1 << 30).max(current);
        sqlx::query(&format!("PRAGMA max_page_count = {limit}"))
            .execute(&mut **conn)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_disk_full_answers_503_and_writes_recover_when_space_returns() {
    let database = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let server = TestServer::start(database).await;
    server.register("full_disk").await;
    make_trusted(&server, "full_disk").await;
    let token = server.token("full_disk").await;
    let space = space_id(&server, &token, "Off topic").await;
    let long = "a long day ".repeat(360);
    let thread = |title: &str| {
        server
            .client
            .post(server.url(&format!("/api/v1/spaces/{space}/threads")))
            .bearer_auth(&token)
            .json(&json!({"title": title, "body": long}))
    };
    assert_eq!(timed(thread("Before")).await.status, 201);

    // The file may not grow: a long post needs new pages.
    limit_pages(&server.app.db, Some(0)).await;
    let full = timed(thread("On a full disk")).await;
    assert_unavailable(&full, "a write on a full disk");
    // The heartbeat's in-place update may still commit; /readyz says writes are refused anyway.
    assert_not_ready(&readyz(&server).await, "a full disk");

    // Space returns: every write succeeds again, on every connection of the pool, at once.
    limit_pages(&server.app.db, None).await;
    for days_back in 0..=7 {
        let answer = check_in(&server, &token, days_back, &long).await;
        assert_eq!(
            answer.status, 201,
            "day {days_back} after space returned: {}",
            answer.body
        );
    }
    let again = timed(thread("After")).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(readyz(&server).await.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_locked_by_another_process_answers_503_and_readyz_says_so_within_a_second() {
    let database = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let url = database.config.url.clone();
    let server = TestServer::start(database).await;
    server.register("locked_out").await;
    let token = server.token("locked_out").await;
    assert_eq!(check_in(&server, &token, 0, "before").await.status, 201);

    // Another process takes the write lock and keeps it.
    use sqlx::Connection;
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let ready = readyz(&server).await;
    assert_not_ready(&ready, "locked");
    let locked = check_in(&server, &token, 0, "while locked").await;
    assert_unavailable(&locked, "a write past the busy timeout");

    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    let recovered = recovery_time(&server, &token, Duration::from_secs(10)).await;
    assert_eq!(readyz(&server).await.status, 200);
    eprintln!(
        "sqlite lock: /readyz 503 in {:?}, a write 503 after the busy timeout in {:?}, recovered {:?} after the lock was released",
        ready.took, locked.took, recovered
    );
    server.stop().await;
}

/// The bus lost: the listening connections of this test's servers (PostgreSQL) are cut, and cut
/// again whenever they come back, until this is dropped.
pub struct BusCut(JoinHandle<()>);

impl BusCut {
    pub async fn start(db: &Db) -> BusCut {
        let Db::Postgres(pool) = db else {
            panic!("only PostgreSQL has a bus between servers");
        };
        let pool = pool.clone();
        let channel: String =
            sqlx::query_scalar("SELECT 'mutual_bus_' || left(md5(current_schema()), 20)")
                .fetch_one(&pool)
                .await
                .unwrap();
        let listening = format!("LISTEN \"{channel}\"");
        cut_listeners(&pool, &listening).await;
        BusCut(tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                cut_listeners(&pool, &listening).await;
            }
        }))
    }
}

/// Ends the connections whose last statement was `listening`.
async fn cut_listeners(pool: &sqlx::PgPool, listening: &str) {
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1")
        .bind(listening)
        .execute(pool)
        .await
        .unwrap();
}

impl Drop for BusCut {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What `/readyz` says of the bus, once it says `connected` is `wanted` (within three seconds).
pub async fn bus_connected_soon(server: &TestServer, wanted: bool) -> Value {
    let mut bus = Value::Null;
    for _ in 0..60 {
        bus = readyz(server).await.body["bus"].clone();
        if bus["connected"] == wanted {
            return bus;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/readyz never said the bus is connected: {wanted}: {bus}");
}
