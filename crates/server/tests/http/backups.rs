//! Backups and restores with the `mutual` binary: a drill that backs up a live SQLite database
//! under concurrent writers and restores it elsewhere with every acknowledged write, and the
//! refusals that keep an operator from losing data (overwriting a backup, restoring a damaged
//! file, swapping the database out from under a running server).

use crate::cli::mutual;
use crate::support::TestServer;
use mutual_testkit::{TestBackend, TestDatabase};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A folder of this test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("mutual-backup-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn url_of(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Runs `mutual ARGS --database-url URL` to the end, off the async runtime.
async fn run(args: &[&str], url: &str) -> Output {
    let mut command = mutual();
    command.args(args).args(["--database-url", url]);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn a_backup_taken_under_concurrent_writers_restores_every_write_acknowledged_before_it() {
    let database = TestDatabase::create(TestBackend::Sqlite).await.unwrap();
    let url = database.config.url.clone();
    let server = TestServer::start(database).await;
    let writers = 8;
    server.register("drill_peer").await;
    crate::community::make_trusted(&server, "drill_peer").await;
    let mut tokens = Vec::new();
    for n in 0..writers {
        let name = format!("drill_{n}");
        server.register(&name).await;
        crate::community::make_trusted(&server, &name).await;
        let token = server.token(&name).await;
        let first = json!({"to": ["drill_peer"], "body": "hello"});
        let (status, started) = server
            .api(
                reqwest::Method::POST,
                "/api/v1/conversations",
                Some(&token),
                Some(&first),
            )
            .await;
        assert_eq!(status, 201, "{started}");
        tokens.push((token, started["id"].as_str().unwrap().to_owned()));
    }
    // Each writer sends messages one after another; every 201 is an acknowledged write.
    let acknowledged: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (n, (token, conversation)) in tokens.into_iter().enumerate() {
        let (client, base) = (server.client.clone(), server.base.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && i < 2_000 {
                let label = format!("drill {n}-{i}");
                let response = client
                    .post(format!(
                        "{base}/api/v1/conversations/{conversation}/messages"
                    ))
                    .bearer_auth(&token)
                    .json(&json!({"body": label}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
                acknowledged.lock().unwrap().push((label, Instant::now()));
                i += 1;
            }
        }));
    }
    let scratch = Scratch::new();
    let backup = scratch.path("mutual-backup.db");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let began = Instant::now();
    let taken = run(&["backup", backup.to_str().unwrap()], &url).await;
    let ended = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    assert!(taken.status.success(), "{}", said(&taken));
    assert!(said(&taken).contains("integrity ok"), "{}", said(&taken));

    let restored = scratch.path("restored/mutual.db");
    let restore = run(&["restore", backup.to_str().unwrap()], &url_of(&restored)).await;
    assert!(restore.status.success(), "{}", said(&restore));
    mutual_store::backup::integrity_check(&restored)
        .await
        .unwrap();
    let db = mutual_store::Db::connect(&mutual_store::DbConfig::new(url_of(&restored)))
        .await
        .unwrap();
    let mutual_store::Db::Sqlite(pool, _) = &db else {
        unreachable!()
    };
    let labels: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT body FROM messages WHERE body LIKE 'drill %'")
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    db.close().await;
    let acknowledged = acknowledged.lock().unwrap().clone();
    let before: Vec<&String> = acknowledged
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(label, _)| label)
        .collect();
    let during = acknowledged
        .iter()
        .filter(|(_, at)| *at >= began && *at < ended)
        .count();
    let missing: Vec<&&String> = before.iter().filter(|l| !labels.contains(**l)).collect();
    eprintln!(
        "drill: {} writes acknowledged before the backup began, {during} while it ran, {} in all; {} in the backup",
        before.len(),
        acknowledged.len(),
        labels.len()
    );
    assert!(before.len() > 10, "the writers were busy before the backup");
    assert!(during > 0, "and kept writing while it ran");
    assert!(
        missing.is_empty(),
        "{} acknowledged writes lost: {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(
        labels
            .iter()
            .all(|l| acknowledged.iter().any(|(a, _)| a == l)),
        "nothing in the backup that was not written"
    );
    server.stop().await;
}

/// Starts `mutual serve` on `url` and waits until it serves. (A server that stops before serving
/// fails the test, which then does not wait for it.)
#[allow(clippy::zombie_processes)]
fn serve(url: &str) -> std::process::Child {
    let mut server = mutual()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    loop {
        let line = lines
            .next()
            .expect("the server stopped before serving")
            .unwrap();
        if line.starts_with("Mutual is serving on") {
            // Read on, so that nothing the server prints later meets a closed pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return server;
        }
    }
}

fn stop(mut server: std::process::Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(server.wait().unwrap().success());
}

#[tokio::test]
async fn backup_and_restore_refuse_what_would_lose_data() {
    let scratch = Scratch::new();
    let live = scratch.path("data/mutual.db");
    let url = url_of(&live);
    let missing = run(&["backup", scratch.path("none.db").to_str().unwrap()], &url).await;
    assert!(!missing.status.success());
    assert!(
        said(&missing).contains("no database at"),
        "{}",
        said(&missing)
    );
    assert!(
        !live.exists(),
        "a backup never creates the database it was asked to copy"
    );

    let server = serve(&url);
    let backup = scratch.path("backup.db");
    let backup = backup.to_str().unwrap();
    let taken = run(&["backup", backup], &url).await;
    assert!(taken.status.success(), "{}", said(&taken));
    let again = run(&["backup", backup], &url).await;
    assert!(!again.status.success());
    assert!(said(&again).contains("exists already"), "{}", said(&again));

    // A running server holds its database: restoring over it is refused, and the server is fine.
    let busy = run(&["restore", backup], &url).await;
    assert!(!busy.status.success());
    assert!(
        said(&busy).contains("open in a running Mutual server"),
        "{}",
        said(&busy)
    );

    // A damaged or foreign file is refused before anything is touched.
    let damaged = scratch.path("damaged.db");
    let mut bytes = std::fs::read(backup).unwrap();
    let middle = bytes.len() / 2;
    bytes.truncate(middle);
    std::fs::write(&damaged, &bytes).unwrap();
    let elsewhere = scratch.path("elsewhere/mutual.db");
    for bad in [damaged.as_path(), Path::new("Cargo.toml")] {
        let refused = run(&["restore", bad.to_str().unwrap()], &url_of(&elsewhere)).await;
        assert!(!refused.status.success(), "{}", said(&refused));
        assert!(
            said(&refused).contains("not a sound Mutual database"),
            "{}",
            said(&refused)
        );
    }
    assert!(!elsewhere.exists());

    // Stopped, the server's database is replaced, and the one it replaced is kept.
    stop(server);
    let restored = run(&["restore", backup], &url).await;
    assert!(restored.status.success(), "{}", said(&restored));
    assert!(said(&restored).contains("kept as"), "{}", said(&restored));
    let kept = std::fs::read_dir(scratch.path("data"))
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("mutual.db.before-restore-")
        })
        .count();
    assert!(kept >= 1);
    mutual_store::backup::integrity_check(&live).await.unwrap();
    // And it serves again.
    stop(serve(&url));

    // PostgreSQL is restored with its own tools: the command says how.
    let postgres = run(&["restore", backup], "postgres://localhost/mutual").await;
    assert_eq!(postgres.status.code(), Some(2));
    assert!(
        said(&postgres).contains("pg_restore"),
        "{}",
        said(&postgres)
    );
}
