//! The crash test: 64 writers check in over HTTP against a real `mutual serve`, the process is
//! killed with SIGKILL mid-load, and a new one on the same database still has every write
//! that was acknowledged (and SQLite's file passes its integrity check).

use crate::cli::{database_url, mutual};
use crate::support::PASSWORD;
use mutual_domain::local::Zone;
use mutual_domain::{Clock, SystemClock};
use mutual_testkit::both_backends;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const MEMBERS: usize = 16;
const DAYS: u64 = 4;
/// Acknowledged writes before the kill: mid-load, whatever the machine's speed.
const BEFORE_KILL: u64 = 300;

/// Starts `mutual serve` on `url` and returns it with its base address.
fn serve(url: &str, config: &std::path::Path) -> (Child, String) {
    let mut child = mutual()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .arg("--config")
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let serving = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|line| line.starts_with("Mutual is serving on "))
        .expect("the server started");
    // Keep reading, so the server never writes to a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let base = serving.split_whitespace().nth(4).unwrap().to_owned();
    (child, base)
}

/// The UTC date `days_back` days ago.
fn date(days_back: u64) -> String {
    let at = SystemClock
        .now()
        .minus(Duration::from_secs(24 * 3600 * days_back));
    Zone::parse("UTC").unwrap().date_of(at).to_string()
}

both_backends! {
    async fn every_acknowledged_write_survives_a_kill_9_under_64_writers(database) {
        let url = database_url(&database);
        let folder = std::env::temp_dir().join(format!("mutual-crash-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        let config = folder.join("mutual.toml");
        std::fs::write(&config, "[app.throttle]\nregistrations_per_hour = 1000\n").unwrap();
        let (mut first, base) = serve(&url, &config);
        let client = reqwest::Client::new();
        let mut tokens = Vec::new();
        for member in 0..MEMBERS {
            let credentials = json!({"username": format!("crash_{member}"), "password": PASSWORD});
            let created = client.post(format!("{base}/api/v1/accounts")).json(&credentials).send().await.unwrap();
            assert_eq!(created.status(), 201);
            let session: Value = client.post(format!("{base}/api/v1/sessions")).json(&credentials).send().await.unwrap().json().await.unwrap();
            tokens.push(session["token"].as_str().unwrap().to_owned());
        }

        // 64 writers, each replacing its own (member, day) check-in with a rising number.
        let killed = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicU64::new(0));
        let mut writers = Vec::new();
        for (member, token) in tokens.iter().enumerate() {
            for days_back in 1..=DAYS {
                let (client, base, token, killed, answered) = (client.clone(), base.clone(), token.clone(), killed.clone(), answered.clone());
                let day = date(days_back);
                writers.push(tokio::spawn(async move {
                    let mut acknowledged = 0u64;
                    let mut attempted = 0u64;
                    while !killed.load(Ordering::SeqCst) {
                        attempted += 1;
                        let body = json!({"mood": 3, "craving": 1, "sleep_hours": 7, "sleep_quality": 3, "journal": attempted.to_string()});
                        match client.put(format!("{base}/api/v1/checkins/{day}")).bearer_auth(&token).json(&body).send().await {
                            Ok(response) if response.status().is_success() => {
                                acknowledged = attempted;
                                answered.fetch_add(1, Ordering::SeqCst);
                            }
                            Ok(response) => panic!("a write was refused under load: {}", response.status()),
                            Err(_) => break,
                        }
                    }
                    ((member, day), acknowledged, attempted)
                }));
            }
        }
        assert_eq!(writers.len(), 64);
        let load = Instant::now();
        while answered.load(Ordering::SeqCst) < BEFORE_KILL {
            assert!(load.elapsed() < Duration::from_secs(30), "the writers are too slow");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let load = load.elapsed();
        let status = Command::new("kill").args(["-KILL", &first.id().to_string()]).status().unwrap();
        assert!(status.success());
        killed.store(true, Ordering::SeqCst);
        first.wait().unwrap();
        let mut expected = BTreeMap::new();
        let mut acknowledged_writes = 0;
        for writer in writers {
            let (key, acknowledged, attempted) = writer.await.unwrap();
            acknowledged_writes += acknowledged;
            expected.insert(key, (acknowledged, attempted));
        }
        assert!(acknowledged_writes >= BEFORE_KILL);

        // A new server on the same database: each check-in holds its last acknowledged number
        // or a later one that was sent (committed, but killed before it was answered).
        let started = Instant::now();
        let (mut second, base) = serve(&url, &config);
        let restarted = started.elapsed();
        let mut lost = 0;
        for (member, token) in tokens.iter().enumerate() {
            let path = format!("{base}/api/v1/checkins?from={}&to={}", date(DAYS), date(1));
            let response = client.get(path).bearer_auth(token).send().await.unwrap();
            assert_eq!(response.status(), 200, "the session survived the crash too");
            let stored: Value = response.json().await.unwrap();
            for days_back in 1..=DAYS {
                let day = date(days_back);
                let (acknowledged, attempted) = expected[&(member, day.clone())];
                let found = stored.as_array().unwrap().iter().find(|c| c["day"] == day.as_str());
                let number: u64 = found.map_or(0, |c| c["journal"].as_str().unwrap().parse().unwrap());
                if number < acknowledged || number > attempted {
                    lost += 1;
                    eprintln!("crash_{member} {day}: stored {number}, acknowledged {acknowledged}, sent {attempted}");
                }
            }
        }
        assert_eq!(lost, 0, "acknowledged writes lost");
        if let mutual_store::Db::Sqlite(pool, _) = &database.db {
            let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(pool).await.unwrap();
            assert_eq!(integrity, "ok");
        }
        eprintln!(
            "crash ({}): 64 writers, {acknowledged_writes} acknowledged writes in {load:?}, kill -9, restarted in {restarted:?}, lost {lost}",
            database.db.backend().as_str()
        );
        Command::new("kill").args(["-TERM", &second.id().to_string()]).status().unwrap();
        assert!(second.wait().unwrap().success());
        std::fs::remove_dir_all(folder).ok();
    }
}
