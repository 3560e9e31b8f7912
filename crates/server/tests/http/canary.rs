//! The log canary: a pseudonym, a password and a token with unique markers go through every
//! account flow, and none of them may appear anywhere in the captured logs.

use crate::support::{TestServer, captured_logs};
use mutual_testkit::both_backends;
use serde_json::json;

both_backends! {
    async fn no_pseudonym_password_or_token_reaches_the_logs(database) {
        let server = TestServer::start(database).await;
        let marker = uuid::Uuid::now_v7().simple().to_string();
        let username = format!("cn{}", &marker[20..]);
        let password = format!("canary secret {marker}");
        let new_password = format!("canary renewed {marker}");
        let body = json!({ "username": username, "password": password, "email": format!("{marker}@example.org") });
        let created = server.client.post(server.url("/api/v1/accounts")).json(&body).send().await.unwrap();
        assert_eq!(created.status(), 201);
        server.sign_in(&username, &format!("{password} wrong")).await;
        let session: serde_json::Value = server.sign_in(&username, &password).await.json().await.unwrap();
        let token = session["token"].as_str().unwrap().to_owned();
        server.client.get(server.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        server.client.get(server.url("/api/v1/me/export")).bearer_auth(&token).send().await.unwrap();
        let mut visitor = server.visitor();
        let page = visitor.post("/login", &[("username", &username), ("password", &password)]).await;
        assert_eq!(page.status, 303);
        let cookie = visitor.cookies["mutual_session"].clone();
        visitor.get("/settings").await;
        visitor.post("/settings/password", &[("current_password", &password), ("new_password", &new_password)]).await;
        visitor.post("/settings/delete", &[("password", &new_password)]).await;
        server.stop().await;

        let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
        assert!(logs.contains("route=/api/v1/accounts"), "the capture works");
        assert!(logs.contains("route=/settings/delete"), "the capture works");
        for secret in [&marker[20..], password.as_str(), new_password.as_str(), token.as_str(), cookie.as_str(), marker.as_str()] {
            assert!(!logs.contains(secret), "a secret reached the logs: {secret}");
        }
    }
}

/// Whether `needle` is anywhere in the file (missing files hold nothing).
fn file_holds(path: &std::path::Path, needle: &str) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The tables and text columns still holding `needle`, read through SQL on either database.
async fn rows_holding(server: &TestServer, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (table, columns) in server.app.db.schema_columns().await.unwrap() {
        for column in columns {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE $1");
            let pattern = format!("%{needle}%");
            let count: i64 = match &server.app.db {
                mutual_store::Db::Sqlite(pool, _) => sqlx::query_scalar(&sql)
                    .bind(&pattern)
                    .fetch_one(pool)
                    .await
                    .unwrap(),
                mutual_store::Db::Postgres(pool) => sqlx::query_scalar(&sql)
                    .bind(&pattern)
                    .fetch_one(pool)
                    .await
                    .unwrap(),
            };
            if count > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    // The search index: a match on SQLite's FTS5 or PostgreSQL's tsvector.
    let matches: i64 = match &server.app.db {
        mutual_store::Db::Sqlite(pool, _) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM post_search WHERE post_search MATCH $1")
                .bind(needle)
                .fetch_one(pool)
                .await
                .unwrap()
        }
        mutual_store::Db::Postgres(pool) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM post_search WHERE document @@ to_tsquery('simple', $1)",
        )
        .bind(needle)
        .fetch_one(pool)
        .await
        .unwrap(),
    };
    if matches > 0 {
        found.push("post_search (a match)".to_owned());
    }
    // SQLite's index may keep a deleted post's words in its segments where no match sees them:
    // its vocabulary lists every term the segments hold.
    if let mutual_store::Db::Sqlite(pool, _) = &server.app.db {
        let mut connection = pool.acquire().await.unwrap();
        sqlx::query("CREATE VIRTUAL TABLE IF NOT EXISTS temp.post_terms USING fts5vocab(main, post_search, 'row')").execute(&mut *connection).await.unwrap();
        let terms: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM temp.post_terms WHERE term = $1")
            .bind(needle.to_lowercase())
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        if terms > 0 {
            found.push("post_search (its vocabulary)".to_owned());
        }
    }
    found
}

both_backends! {
    async fn an_erased_members_words_are_nowhere_in_the_database_its_wal_or_its_index(database) {
        use reqwest::Method;
        let server = TestServer::start(database).await;
        let marker = &uuid::Uuid::now_v7().simple().to_string()[16..];
        let word = |place: &str| format!("zq{marker}{place}");
        let name = format!("cn{marker}");
        server.register(&name).await;
        server.member_with_role("canary_friend", mutual_domain::permissions::Role::Moderator).await;
        crate::community::make_trusted(&server, &name).await;
        let token = server.token(&name).await;
        let friend = server.token("canary_friend").await;
        let call = |token: String, method: Method, path: String, body: serde_json::Value| {
            let server = &server;
            async move {
                let (status, answer) = server.api(method, &path, Some(&token), Some(&body)).await;
                assert!(status < 300, "{path}: {status} {answer}");
                answer
            }
        };
        let mut places = vec!["pseudonym"];

        // Community: a thread (title and body), an edited reply, an anonymous reply, a flag note,
        // an appeal, and a reply of a friend in the member's thread (so their notification names
        // the thread by its title).
        let space = crate::community::space_id(&server, &token, "Struggles and slips").await;
        let thread = call(token.clone(), Method::POST, format!("/api/v1/spaces/{space}/threads"), json!({"title": format!("Title {}", word("title")), "body": word("threadbody")})).await;
        let thread_id = thread["thread_id"].as_str().unwrap().to_owned();
        let theirs = call(friend.clone(), Method::POST, format!("/api/v1/spaces/{space}/threads"), json!({"title": "A friend's thread", "body": "Hello there"})).await;
        let their_thread = theirs["thread_id"].as_str().unwrap().to_owned();
        let their_post = theirs["post_id"].as_str().unwrap().to_owned();
        let reply = call(token.clone(), Method::POST, format!("/api/v1/threads/{their_thread}/replies"), json!({"body": word("replybefore")})).await;
        let mut browser = server.visitor();
        browser.log_in(&name).await;
        let edited = browser.submit(&format!("/posts/{}/edit", reply["post_id"].as_str().unwrap()), &[("body", &word("replyafter"))]).await;
        assert!(edited.status < 400, "{}", edited.body);
        call(token.clone(), Method::POST, format!("/api/v1/threads/{their_thread}/replies"), json!({"body": word("anonymous"), "anonymous": true})).await;
        call(friend.clone(), Method::POST, format!("/api/v1/threads/{thread_id}/replies"), json!({"body": "Thinking of you"})).await;
        call(token.clone(), Method::POST, format!("/api/v1/threads/{thread_id}/replies"), json!({"body": word("ownreply")})).await;
        call(token.clone(), Method::POST, format!("/api/v1/posts/{their_post}/flags"), json!({"reason": "other", "note": word("flagnote")})).await;
        call(friend.clone(), Method::POST, format!("/api/v1/moderation/posts/{}", thread["post_id"].as_str().unwrap()), json!({"action": "warn_author", "reason": "A test warning"})).await;
        let standing = call(token.clone(), Method::GET, "/api/v1/standing".into(), serde_json::Value::Null).await;
        let sanction = standing["sanctions"][0]["id"].as_str().unwrap().to_owned();
        call(token.clone(), Method::POST, format!("/api/v1/sanctions/{sanction}/appeal"), json!({"appeal": word("appeal")})).await;
        places.extend(["title", "threadbody", "ownreply", "replybefore", "replyafter", "anonymous", "flagnote", "appeal"]);

        // Recovery: a slip note and a check-in's journal, gratitude and trigger note.
        let start = crate::recovery::local_date(&server, "UTC", 30);
        let clock = call(token.clone(), Method::POST, "/api/v1/clocks".into(), json!({"label": "alcohol", "start_date": start})).await;
        let slip = crate::recovery::local_date(&server, "UTC", 2);
        call(token.clone(), Method::POST, format!("/api/v1/clocks/{}/reset", clock["id"].as_str().unwrap()), json!({"date": slip, "note": word("slipnote")})).await;
        let today = crate::recovery::local_date(&server, "UTC", 0);
        call(token.clone(), Method::PUT, format!("/api/v1/checkins/{today}"), json!({"mood": 3, "craving": 2, "sleep_hours": 7.0, "sleep_quality": 3,
            "journal": word("journal"), "gratitude": word("gratitude"), "trigger_note": word("trigger")})).await;
        places.extend(["slipnote", "journal", "gratitude", "trigger"]);

        // People: a message and a report in a conversation, a circle note, a Reach out message,
        // a mentor request note.
        let started = call(friend.clone(), Method::POST, "/api/v1/conversations".into(), json!({"to": [name], "body": "How are you?"})).await;
        let conversation = started["id"].as_str().unwrap().to_owned();
        let opened = call(token.clone(), Method::GET, format!("/api/v1/conversations/{conversation}"), serde_json::Value::Null).await;
        let first = opened["messages"][0]["id"].as_str().unwrap().to_owned();
        call(token.clone(), Method::POST, format!("/api/v1/conversations/{conversation}/messages"), json!({"body": word("message")})).await;
        call(token.clone(), Method::POST, format!("/api/v1/conversations/{conversation}/reports"), json!({"messages": [first], "reason": word("report")})).await;
        let circle = call(friend.clone(), Method::POST, "/api/v1/circles".into(), json!({"name": "Canary circle", "invite": [name]})).await;
        let circle = circle["id"].as_str().unwrap().to_owned();
        call(token.clone(), Method::POST, format!("/api/v1/circles/{circle}/answer"), json!({"answer": "accept"})).await;
        call(token.clone(), Method::POST, format!("/api/v1/circles/{circle}/notes"), json!({"note": word("circlenote")})).await;
        call(token.clone(), Method::POST, format!("/api/v1/circles/{circle}/nudges"), json!({"username": "canary_friend"})).await;
        call(token.clone(), Method::POST, "/api/v1/reach-out".into(), json!({"message": word("reachout")})).await;
        places.extend(["message", "report", "circlenote", "reachout"]);

        let friend_notes = call(friend.clone(), Method::GET, "/api/v1/notifications".into(), serde_json::Value::Null).await;
        assert!(friend_notes.to_string().contains(&name), "the friend is told by name while the member is here: {friend_notes}");
        assert!(friend_notes.to_string().contains(&word("title")), "and of the thread by its title: {friend_notes}");
        for place in &places {
            let needle = if *place == "pseudonym" { name.clone() } else { word(place) };
            assert!(!rows_holding(&server, &needle).await.is_empty(), "the test wrote {place} somewhere");
        }

        let mut friend_page = server.visitor();
        friend_page.log_in("canary_friend").await;
        let dashboard = friend_page.get("/dashboard").await;
        assert!(dashboard.body.contains(&name), "the friend's dashboard names the member: {}", dashboard.body);

        let deleted = browser.post("/settings/delete", &[("password", crate::support::PASSWORD)]).await;
        assert_eq!(deleted.status, 200, "{}", deleted.body);
        let dashboard = friend_page.get("/dashboard").await;
        assert!(!dashboard.body.contains(&name), "nor the friend's dashboard, at once: {}", dashboard.body);
        let friend_notes = call(friend.clone(), Method::GET, "/api/v1/notifications".into(), serde_json::Value::Null).await;
        assert!(friend_notes.to_string().contains("A former member"), "{friend_notes}");

        // The WAL as the erasure left it, then the file once everything is checkpointed.
        let file = server.sqlite_file();
        if let Some(file) = &file {
            let wal = file.with_extension("db-wal");
            for place in &places {
                let needle = if *place == "pseudonym" { name.clone() } else { word(place) };
                assert!(!file_holds(&wal, &needle), "the WAL still holds the member's {place}");
            }
            if let mutual_store::Db::Sqlite(pool, _) = &server.app.db {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.unwrap();
            }
        }
        for place in &places {
            let needle = if *place == "pseudonym" { name.clone() } else { word(place) };
            let found = rows_holding(&server, &needle).await;
            assert!(found.is_empty(), "the member's {place} is still in {found:?}");
            if let Some(file) = &file {
                assert!(!file_holds(file, &needle), "the database file still holds the member's {place} (free pages or the index)");
                assert!(!file_holds(&file.with_extension("db-wal"), &needle), "the WAL still holds the member's {place}");
            }
        }
        server.stop().await;
    }
}
