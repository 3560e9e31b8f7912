//! Sync from other directories over HTTP: sources served by a local server in the test, runs
//! that add, change and remove, sources that fail in every way and keep what they gave, runs
//! held for review, the schedule, and the admins told.

use crate::meetings::admin;
use crate::support::{TestServer, Visitor};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use mutual_testkit::both_backends;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the source server answers next: a status and a body.
#[derive(Clone)]
struct Answer(Arc<Mutex<(u16, Vec<u8>)>>);

impl Answer {
    fn set(&self, status: u16, body: impl Into<Vec<u8>>) {
        *self.0.lock().unwrap() = (status, body.into());
    }
}

/// A local "other directory": `/feed` answers what was set, `/moved` redirects to an ftp://
/// address, `/huge` is larger than a sync takes.
async fn source_server() -> (String, Answer) {
    let answer = Answer(Arc::new(Mutex::new((200, b"[]".to_vec()))));
    let shared = answer.clone();
    let app = axum::Router::new()
        .route(
            "/feed",
            axum::routing::get(move || {
                let (status, body) = shared.0.lock().unwrap().clone();
                async move { (StatusCode::from_u16(status).unwrap(), body).into_response() }
            }),
        )
        .route(
            "/moved",
            axum::routing::get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "ftp://example.org/feed")],
                )
                    .into_response()
            }),
        )
        .route(
            "/huge",
            axum::routing::get(|| async {
                vec![b' '; mutual_app::meetings::sync::MAX_SOURCE_BYTES + 1].into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, answer)
}

fn row(slug: &str, name: &str, time: &str) -> Value {
    json!({"slug": slug, "name": name, "day": 2, "time": time, "timezone": "America/Chicago",
           "address": "1 Main St", "city": "Chicago"})
}

async fn add_source(admin: &mut Visitor, name: &str, url: &str, auto_apply: bool) {
    let mut fields = vec![
        ("source_name", name),
        ("source_kind", "meeting_guide"),
        ("source_url", url),
        ("source_program", "AA"),
        ("source_every_hours", "24"),
    ];
    if auto_apply {
        fields.push(("source_auto_apply", "on"));
    }
    admin.submit("/admin/sources", &fields).await;
}

async fn source_id(server: &TestServer, name: &str) -> String {
    let sources = mutual_store::meetings::sources::list_sources(&server.app.db)
        .await
        .unwrap();
    sources
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
        .id
        .to_string()
}

/// The feed's meeting slugs and start times, sorted.
async fn listed(server: &TestServer) -> Vec<(String, String)> {
    let rows: Vec<Value> = server
        .client
        .get(server.url("/meetings.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut listed: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["slug"].as_str().unwrap().to_owned(),
                r["time"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    listed.sort();
    listed
}

async fn latest_run(server: &TestServer, source: &str) -> mutual_store::meetings::sources::RunRow {
    let id = uuid::Uuid::parse_str(source).unwrap();
    mutual_store::meetings::sources::list_runs(&server.app.db, id, 1)
        .await
        .unwrap()
        .remove(0)
}

both_backends! {
    async fn a_source_adds_changes_and_removes_and_a_failing_one_keeps_what_it_gave(database) {
        let server = TestServer::start(database).await;
        let mut admin = admin(&server).await;
        let (base, answer) = source_server().await;
        answer.set(200, json!([row("a", "Alpha", "12:00"), row("b", "Beta", "18:00"), row("c", "Gamma", "19:00")]).to_string());
        add_source(&mut admin, "Chicago office", &format!("{base}/feed"), true).await;
        let source = source_id(&server, "Chicago office").await;
        admin.submit(&format!("/admin/sources/{source}/run"), &[]).await;
        let run = latest_run(&server, &source).await;
        assert_eq!((run.status.as_str(), run.added, run.changed, run.removed), ("applied", 3, 0, 0), "{}", run.error);
        assert_eq!(listed(&server).await, [("a".into(), "12:00".into()), ("b".into(), "18:00".into()), ("c".into(), "19:00".into())]);

        // Beta moves to 18:30, Gamma is gone, Delta is new: only those are written.
        answer.set(200, json!([row("a", "Alpha", "12:00"), row("b", "Beta", "18:30"), row("d", "Delta", "20:00")]).to_string());
        admin.submit(&format!("/admin/sources/{source}/run"), &[]).await;
        let run = latest_run(&server, &source).await;
        assert_eq!((run.status.as_str(), run.added, run.changed, run.removed), ("applied", 1, 1, 1));
        assert!(run.report.contains(r#"{"after":"18:30","before":"18:00","field":"start_time"}"#), "field by field: {}", run.report);
        assert_eq!(listed(&server).await, [("a".into(), "12:00".into()), ("b".into(), "18:30".into()), ("d".into(), "20:00".into())]);
        admin.submit(&format!("/admin/sources/{source}/run"), &[]).await;
        assert_eq!(latest_run(&server, &source).await.status, "unchanged");

        // Every way a source can fail leaves the directory as it was, and says why.
        let before = listed(&server).await;
        for (status, body, why) in [(500, b"oops".to_vec(), "answered 500"), (200, b"{not json".to_vec(), "not valid JSON"),
                                    (200, b"[]".to_vec(), "listed no meetings"), (200, b"<html>".to_vec(), "web page")] {
            answer.set(status, body);
            admin.submit(&format!("/admin/sources/{source}/run"), &[]).await;
            let run = latest_run(&server, &source).await;
            assert_eq!(run.status, "failed");
            assert!(run.error.contains(why), "{why}: {}", run.error);
            assert_eq!(listed(&server).await, before, "nothing lost on a failed fetch ({why})");
        }
        let page = admin.get("/admin/meetings").await;
        assert!(page.body.contains("Chicago office") && page.body.contains("answered 500"), "the page shows the runs");
        for (path, why) in [("/moved", "redirected"), ("/huge", "larger than 50 MB")] {
            add_source(&mut admin, path, &format!("{base}{path}"), true).await;
            let id = source_id(&server, path).await;
            admin.submit(&format!("/admin/sources/{id}/run"), &[]).await;
            let run = latest_run(&server, &id).await;
            assert_eq!(run.status, "failed");
            assert!(run.error.contains(why), "{path}: {}", run.error);
        }
        let notifications = admin.get("/notifications").await;
        assert!(notifications.body.contains("Sync from Chicago office applied: 1 added, 1 changed, 1 removed"), "{}", notifications.body);
        assert!(notifications.body.contains("Sync from Chicago office failed"), "admins hear of failures");

        // A bad source is refused with every reason, and what was typed is kept.
        let refused = admin.post("/admin/sources", &[("source_name", ""), ("source_kind", "gopher"), ("source_url", "ftp://example.org/x"),
            ("source_program", "NOPE"), ("source_every_hours", "0")]).await;
        assert_eq!(refused.status, 422);
        for message in ["Give the source a name", "Choose a Meeting Guide feed", "Only http:// and https://", "every 1 to 720 hours", "Choose the programme"] {
            assert!(refused.body.contains(message), "{message}");
        }
        assert!(refused.body.contains(r#"value="ftp://example.org/x""#));
        server.stop().await;
    }
}

both_backends! {
    async fn runs_held_for_review_change_nothing_until_applied_and_sources_run_on_schedule(database) {
        let server = TestServer::start(database).await;
        let mut admin = admin(&server).await;
        let (base, answer) = source_server().await;
        answer.set(200, json!([row("h1", "Held One", "07:00"), row("h2", "Held Two", "08:00")]).to_string());
        add_source(&mut admin, "Reviewed", &format!("{base}/feed"), false).await;
        let source = source_id(&server, "Reviewed").await;

        // The scheduler runs a new source at once, on one of the servers asking together, then
        // not again until its time.
        let (one, other) = tokio::join!(mutual_app::meetings::sync::run_due(&server.app), mutual_app::meetings::sync::run_due(&server.app));
        assert_eq!(one.unwrap() + other.unwrap(), 1, "claimed by one");
        assert_eq!(mutual_app::meetings::sync::run_due(&server.app).await.unwrap(), 0, "not due again for a day");
        let held = latest_run(&server, &source).await;
        assert_eq!((held.status.as_str(), held.added), ("held", 2));
        assert!(listed(&server).await.is_empty(), "nothing changes before an admin applies it");
        let page = admin.get("/admin/meetings").await;
        assert!(page.body.contains("added h1 (Held One)") && page.body.contains("Apply these changes"), "{}", page.body);

        admin.submit(&format!("/admin/sources/runs/{}/apply", held.id), &[]).await;
        assert_eq!(listed(&server).await, [("h1".into(), "07:00".into()), ("h2".into(), "08:00".into())]);
        let again = admin.post(&format!("/admin/sources/runs/{}/apply", held.id), &[]).await;
        assert_eq!(again.status, 422, "a run is applied once");
        assert!(again.body.contains("applied or discarded already"));

        // A day later it runs again; a discarded run changes nothing.
        answer.set(200, json!([row("h1", "Held One", "07:30")]).to_string());
        server.clock.advance(Duration::from_secs(25 * 3600));
        let mut admin = server.visitor();
        admin.log_in("directory_admin").await;
        assert_eq!(mutual_app::meetings::sync::run_due(&server.app).await.unwrap(), 1);
        let held = latest_run(&server, &source).await;
        assert_eq!((held.status.as_str(), held.changed, held.removed), ("held", 1, 1));
        admin.submit(&format!("/admin/sources/runs/{}/discard", held.id), &[]).await;
        assert_eq!(listed(&server).await, [("h1".into(), "07:00".into()), ("h2".into(), "08:00".into())]);

        // Stopping a source keeps its meetings.
        admin.submit(&format!("/admin/sources/{source}/delete"), &[]).await;
        assert_eq!(listed(&server).await.len(), 2);
        server.stop().await;
    }
}

/// Runs the `mutual` binary without holding up the source server of this test.
async fn binary(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || crate::cli::mutual().args(args).output().unwrap())
        .await
        .unwrap()
}

both_backends! {
    async fn the_command_line_adds_and_runs_a_source(database) {
        let url = crate::cli::database_url(&database);
        let (base, answer) = source_server().await;
        answer.set(200, json!([row("x", "Ex", "09:00"), row("y", "Why", "10:00")]).to_string());
        let args = |extra: &[&str]| extra.iter().map(|s| (*s).to_owned()).chain(["--database-url".to_owned(), url.clone()]).collect::<Vec<_>>();
        let added = binary(args(&["sync", "add", "--name", "Office", "--url", &format!("{base}/feed"), "--program", "AA"])).await;
        assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
        let id = String::from_utf8(added.stdout).unwrap().trim().to_owned();
        let ran = binary(args(&["sync", "run", &id])).await;
        assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
        assert_eq!(String::from_utf8(ran.stdout).unwrap().trim(), "applied: 2 added, 0 changed, 0 removed");
        answer.set(503, "down");
        let failed = binary(args(&["sync", "run", &id])).await;
        assert_eq!(failed.status.code(), Some(1));
        assert!(String::from_utf8(failed.stdout).unwrap().contains("failed: 0 added, 0 changed, 0 removed (the source answered 503"));
        let refused = binary(args(&["sync", "add", "--name", "Bad", "--url", "file:///etc/passwd", "--program", "AA"])).await;
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("Only http:// and https://"), "{}", String::from_utf8_lossy(&refused.stderr));
    }
}
