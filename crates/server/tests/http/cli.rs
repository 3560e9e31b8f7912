//! The `mutual` binary itself: check-config, openapi, migrate, admin create, and serve's start-up
//! messages and graceful stop on SIGTERM.

use crate::support::PASSWORD;
use mutual_testkit::{TestDatabase, both_backends};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

pub(crate) fn mutual() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mutual"));
    command
        .env_remove("MUTUAL_DATABASE_URL")
        .env_remove("MUTUAL_ADMIN_PASSWORD")
        .env("MUTUAL_LOG", "warn");
    command
}

/// The database URL the binary should use to reach this test's database.
pub(crate) fn database_url(database: &TestDatabase) -> String {
    match &database.config.postgres_schema {
        Some(schema) => format!("{}?options=-csearch_path%3D{schema}", database.config.url),
        None => database.config.url.clone(),
    }
}

#[test]
fn check_config_prints_the_effective_settings_with_secrets_redacted() {
    let output = mutual()
        .args([
            "check-config",
            "--database-url",
            "postgres://mutual:s3cret@db.internal/mutual",
        ])
        .env("MUTUAL_COMMUNITY_NAME", "Harbour")
        .output()
        .unwrap();
    assert!(output.status.success());
    let shown = String::from_utf8(output.stdout).unwrap();
    assert!(
        shown.contains("postgres://mutual:***@db.internal/mutual"),
        "{shown}"
    );
    assert!(shown.contains("community_name = \"Harbour\""), "{shown}");
    assert!(!shown.contains("s3cret"));
}

#[test]
fn openapi_prints_the_served_document_and_the_readme_table() {
    let output = mutual().arg("openapi").output().unwrap();
    assert!(output.status.success());
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(
        document["paths"]["/api/v1/me"]["get"]["operationId"],
        "show_me"
    );
    let table = mutual().args(["openapi", "--markdown"]).output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("| GET | `/api/v1/me` | member |"), "{table}");
}

#[test]
fn a_bad_setting_stops_the_binary_with_a_clear_message() {
    let output = mutual()
        .args(["check-config", "--database-url", "mysql://x"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8(output.stderr).unwrap();
    assert!(message.contains("sqlite:// or postgres://"), "{message}");
}

both_backends! {
    async fn migrate_and_admin_create_work_from_the_command_line(database) {
        let url = database_url(&database);
        let migrate = mutual().args(["migrate", "--database-url", &url]).output().unwrap();
        assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
        assert!(String::from_utf8_lossy(&migrate.stdout).contains("up to date"));

        let weak = mutual().args(["admin", "create", "--username", "cli_admin", "--database-url", &url])
            .env("MUTUAL_ADMIN_PASSWORD", "short").output().unwrap();
        assert!(!weak.status.success());
        assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));

        let mut piped = mutual().args(["admin", "create", "--username", "cli_admin", "--database-url", &url])
            .stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        use std::io::Write;
        writeln!(piped.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        let created = piped.wait_with_output().unwrap();
        assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
        let admin = mutual_store::accounts::find_user_by_username(&database.db, "cli_admin").await.unwrap().unwrap();
        assert_eq!(admin.role, mutual_domain::permissions::Role::Admin);
        assert!(admin.password_hash.starts_with("$argon2id$"));
    }
}

both_backends! {
    async fn serve_prints_its_address_and_setup_link_and_stops_cleanly_on_sigterm(database) {
        let url = database_url(&database);
        let mut server = mutual()
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
        let setup = lines.next().unwrap().unwrap();
        assert!(setup.contains("/setup/"), "{setup}");
        let serving = lines.next().unwrap().unwrap();
        assert!(serving.starts_with("Mutual is serving on http://127.0.0.1:"), "{serving}");
        let base = serving.split_whitespace().nth(4).unwrap().to_owned();
        let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(health.status(), 200);
        let link = setup.split_whitespace().last().unwrap().to_owned();
        assert_eq!(reqwest::get(&link).await.unwrap().status(), 200, "the printed setup link works");

        let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
        assert!(killed.success());
        let status = server.wait().unwrap();
        assert!(status.success(), "a clean exit after SIGTERM: {status}");
    }
}

both_backends! {
    async fn serve_demo_fills_an_empty_database_once_and_prints_the_logins(database) {
        let url = database_url(&database);
        let run_demo = || {
            mutual()
                .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--database-url", &url])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        };
        let mut server = run_demo();
        let mut lines = BufReader::new(server.stdout.take().unwrap()).lines().map(Result::unwrap);
        let first = lines.next().unwrap();
        assert!(first.starts_with("Demo community created"), "{first}");
        let accounts: Vec<String> = lines.by_ref().take_while(|l| !l.starts_with("Mutual is serving")).collect();
        assert!(accounts.iter().any(|l| l.contains("demo_admin") && l.contains("admin")), "{accounts:?}");
        assert!(accounts.iter().any(|l| l.contains("demo_moderator")));
        assert!(!accounts.iter().any(|l| l.contains("/setup/")), "an admin exists, so no setup link");
        let admin = mutual_store::accounts::find_user_by_username(&database.db, "demo_admin").await.unwrap().unwrap();
        assert_eq!(admin.role, mutual_domain::permissions::Role::Admin);
        // Conversations in every default space, an anonymous and a content-warned post, and a
        // report already resolved and in the public log.
        let db = &database.db;
        let spaces = mutual_store::community::list_spaces(db).await.unwrap();
        let counts = mutual_store::community::count_threads_by_space(db).await.unwrap();
        for space in &spaces {
            assert!(counts.iter().any(|(id, n)| *id == space.id && *n > 0), "no demo thread in {}", space.name);
        }
        let struggles = spaces.iter().find(|s| s.slug == "struggles-and-slips").unwrap();
        let threads = mutual_store::community::list_threads(db, struggles.id, None, 10).await.unwrap();
        assert!(threads.iter().any(|t| t.anonymous && t.author_name.is_none()), "an anonymous demo post");
        let posts = mutual_store::community::list_posts(db, threads[0].id, 1, 50).await.unwrap();
        assert!(!posts[0].post.content_warning.is_empty(), "a content-warned demo post");
        let log = mutual_store::community::list_moderation_log(db, 10).await.unwrap();
        assert!(log.iter().any(|entry| entry.action == "edited" && !entry.reason.is_empty()), "a resolved report in the log");
        let queue = mutual_store::community::list_review_queue(db, 10).await.unwrap();
        assert_eq!(queue.len(), 1, "the demo report is resolved; one post in crisis waits");
        assert_eq!(queue[0].priority, 0, "{:?}", queue[0]);
        // Mentors, a mentoring relationship, a circle sharing different things, a past Reach out.
        let mentors = mutual_store::people::mentors::list_profiles(db, "approved").await.unwrap();
        assert_eq!(mentors.len(), 2, "two demo mentors");
        assert!(mentors.iter().any(|(p, active)| p.username == "steady_oak" && *active == 1), "steady_oak mentors someone");
        let river = mutual_store::accounts::find_user_by_username(db, "quiet_river").await.unwrap().unwrap();
        let circles = mutual_store::people::circles::list_circles_of(db, river.id).await.unwrap();
        assert_eq!(circles.len(), 1);
        let members = mutual_store::people::circles::list_circle_members(db, circles[0].id).await.unwrap();
        let choices: std::collections::BTreeSet<_> = members.iter().map(|m| m.sharing().names()).collect();
        assert!(members.len() == 4 && choices.len() == 4, "each shares something different: {choices:?}");
        let alerts = mutual_store::people::reach_out::list_reach_outs_since(db, river.id, 0).await.unwrap();
        let told = mutual_store::people::reach_out::list_recipients(db, alerts[0].id).await.unwrap();
        assert_eq!(told.iter().filter(|r| r.responded_at.is_some()).count(), 2, "a past Reach out with responses");
        Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
        assert!(server.wait().unwrap().success());

        let mut again = run_demo();
        let mut lines = BufReader::new(again.stdout.take().unwrap()).lines().map(Result::unwrap);
        let first = lines.next().unwrap();
        assert!(first.contains("already has accounts"), "{first}");
        assert!(lines.any(|l| l.starts_with("Mutual is serving")), "started before being stopped");
        Command::new("kill").args(["-TERM", &again.id().to_string()]).status().unwrap();
        assert!(again.wait().unwrap().success());
    }
}

both_backends! {
    async fn import_meeting_guide_reports_rows_and_exits_by_outcome(database) {
        let url = database_url(&database);
        let folder = std::env::temp_dir().join(format!("mutual-import-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        let write = |name: &str, text: &str| {
            let path = folder.join(name);
            std::fs::write(&path, text).unwrap();
            path.to_str().unwrap().to_owned()
        };
        let good = write("good.json", r#"[{"slug": "a", "name": "Alpha", "day": 1, "time": "19:00", "city": "Leeds", "address": "1 High St"}]"#);
        let mixed = write("mixed.json", r#"[{"slug": "b", "name": "Beta", "day": [2, 4], "time": "07:00", "city": "Leeds", "address": "2 High St"},
                                             {"slug": "c", "name": "Gamma", "day": 9, "time": "07:00"}]"#);
        let twice = write("twice.json", r#"[{"slug": "d", "name": "Delta", "day": 1, "time": "08:00", "city": "Leeds", "address": "3 High St"},
                                             {"slug": "d", "name": "Delta Again", "day": 3, "time": "08:00", "city": "Leeds", "address": "3 High St"}]"#);
        let broken = write("broken.json", "[{\"slug\": ");
        let run = |file: &str, extra: &[&str]| {
            let mut command = mutual();
            command.args(["import", "meeting-guide", file, "--database-url", &url]).args(extra);
            command.output().unwrap()
        };
        let all = run(&good, &["--program", "AA", "--timezone", "Europe/London"]);
        assert_eq!(all.status.code(), Some(0), "{}", String::from_utf8_lossy(&all.stderr));
        assert!(String::from_utf8_lossy(&all.stdout).contains("Imported 1 new and 0 updated"));
        let some = run(&mixed, &["--timezone", "Europe/London"]);
        assert_eq!(some.status.code(), Some(1));
        let errors = String::from_utf8_lossy(&some.stderr);
        assert!(errors.contains("row 2 (c)") && errors.contains("0 (Sunday) to 6"), "{errors}");
        let refused = run(&twice, &["--timezone", "Europe/London"]);
        assert_eq!(refused.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("also used by row 1"));
        let renamed = run(&twice, &["--rename-duplicates", "--timezone", "Europe/London"]);
        assert_eq!(renamed.status.code(), Some(0), "{}", String::from_utf8_lossy(&renamed.stderr));
        let said = String::from_utf8_lossy(&renamed.stdout);
        assert!(said.contains("row 2 (d): imported as d-2 (row 1 has that slug)") && said.contains("Imported 1 new and 1 updated"), "{said}");
        for (file, extra, message) in [(broken.as_str(), &[][..], "not valid JSON"), (good.as_str(), &["--timezone", "Mars/Olympus"][..], "time zone"),
                                       (good.as_str(), &["--program", "NOPE"][..], "no programme"), ("/no/such/file.json", &[][..], "cannot read")] {
            let nothing = run(file, extra);
            assert_eq!(nothing.status.code(), Some(2), "{file} {extra:?}");
            assert!(String::from_utf8_lossy(&nothing.stderr).contains(message), "{}", String::from_utf8_lossy(&nothing.stderr));
        }
        // The server's zone is UTC here, which no meeting is in by accident: a row naming no
        // zone is refused until the import names one.
        let zoneless = write("zoneless.json", r#"[{"slug": "z", "name": "Zed", "day": 1, "time": "19:00", "city": "Leeds", "address": "1 High St"}]"#);
        let refused = run(&zoneless, &[]);
        assert_eq!(refused.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("row 1 (z): it names no time zone"), "{}", String::from_utf8_lossy(&refused.stderr));
        let alpha = mutual_store::meetings::find_meeting_by_slug(&database.db, "a").await.unwrap().unwrap();
        assert_eq!(alpha.time_zone, "Europe/London");
        assert_eq!(mutual_store::meetings::count_meetings(&database.db).await.unwrap(), 4, "a, b, d and d-2");
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
