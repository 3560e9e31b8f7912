//! The member's own data: the export covers every table that holds member data, deletion
//! removes personal data at once, and the audit log records what it must and nothing secret.

use crate::support::{PASSWORD, TestServer};
use mutual_domain::permissions::Role;
use mutual_store::Db;
use mutual_testkit::both_backends;
use serde_json::Value;

async fn rows_referencing(db: &Db, table: &str, column: &str, id: uuid::Uuid) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
    match db {
        Db::Sqlite(pool, _) => sqlx::query_scalar(&sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(&sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

/// Puts a row for the member in every recovery table: a clock with a slip and a milestone, a
/// daily and a weekly check-in, a reminder that has delivered a notification.
async fn fill_recovery_tables(
    server: &TestServer,
    member: &mut crate::support::Visitor,
    name: &str,
) {
    member.log_in_remembered(name).await;
    let two_days_ago = server
        .app
        .clock
        .now()
        .minus(std::time::Duration::from_secs(2 * 24 * 3600));
    let date = mutual_domain::local::Zone::utc()
        .date_of(two_days_ago)
        .to_string();
    member
        .submit("/clocks", &[("label", "alcohol"), ("start_date", &date)])
        .await;
    let clocks: Value = member.get("/api/v1/clocks").await.json();
    let id = clocks[0]["id"].as_str().unwrap().to_owned();
    member
        .submit(
            &format!("/clocks/{id}/reset"),
            &[
                ("slip_date", &date),
                ("slip_time", "12:00"),
                ("note", "private"),
            ],
        )
        .await;
    server
        .clock
        .advance(std::time::Duration::from_secs(25 * 3600));
    member
        .submit(&format!("/clocks/{id}/celebrated"), &[])
        .await;
    let today = mutual_domain::local::Zone::utc()
        .date_of(server.app.clock.now())
        .to_string();
    member
        .submit(
            "/checkin",
            &[
                ("date", &today),
                ("mood", "4"),
                ("craving", "1"),
                ("sleep_hours", "8"),
                ("sleep_quality", "4"),
            ],
        )
        .await;
    let mut weekly: Vec<(String, String)> = vec![("days_used".into(), "0".into())];
    for key in [
        "sleep",
        "mood",
        "cravings",
        "risky_situations",
        "relationships",
        "health",
    ] {
        weekly.push((format!("risk_{key}"), "1".into()));
    }
    for key in [
        "confidence",
        "self_help",
        "spiritual",
        "purpose",
        "income",
        "sober_support",
    ] {
        weekly.push((format!("protective_{key}"), "3".into()));
    }
    let fields: Vec<(&str, &str)> = weekly
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    member.submit("/weekly", &fields).await;
    member
        .submit("/settings/reminder", &[("reminder_time", "23:59")])
        .await;
    server
        .clock
        .advance(std::time::Duration::from_secs(24 * 3600));
    assert_eq!(
        mutual_app::reminders::run_due_reminders(&server.app)
            .await
            .unwrap(),
        1
    );
}

/// Puts a row for the member in every directory table: a saved meeting, a calendar address, an
/// attendance entry, a suggested change, and facilitation of a group (made by `moderator`).
async fn fill_meeting_tables(
    server: &TestServer,
    member: &mut crate::support::Visitor,
    name: &str,
    moderator: &str,
) {
    let token = server.token(moderator).await;
    let (status, group) = server
        .api(
            reqwest::Method::POST,
            "/api/v1/groups",
            Some(&token),
            Some(&serde_json::json!({"name": "Data Group", "program": "SMART"})),
        )
        .await;
    assert_eq!(status, 201);
    let group = group["id"].as_str().unwrap().to_owned();
    let (status, meeting) = server.api(reqwest::Method::POST, &format!("/api/v1/groups/{group}/meetings"), Some(&token), Some(&serde_json::json!({
        "name": "Data Meeting", "time_zone": "UTC", "start_time": "18:00", "end_time": "19:00", "recurrence": "weekly",
        "days": [1], "mode": "online", "conference_url": "https://meet.example/data"
    }))).await;
    assert_eq!(status, 201, "{meeting}");
    let meeting = meeting["id"].as_str().unwrap().to_owned();
    let mut moderator_visitor = server.visitor();
    moderator_visitor.log_in(moderator).await;
    moderator_visitor
        .submit(
            &format!("/groups/{group}/facilitators"),
            &[("username", name)],
        )
        .await;
    member
        .submit(&format!("/meetings/{meeting}/save"), &[])
        .await;
    assert_eq!(member.post("/my/meetings/calendar", &[]).await.status, 200);
    let today = mutual_domain::local::Zone::utc()
        .date_of(server.app.clock.now())
        .to_string();
    member
        .submit(
            &format!("/meetings/{meeting}/attended"),
            &[("day", &today), ("note", "private")],
        )
        .await;
    let member_token = server.token(name).await;
    let (status, body) = server
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/meetings/{meeting}/suggestions"),
            Some(&member_token),
            Some(&serde_json::json!({"start_time": "18:30", "note": "moved"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// Puts the member's rows in every community table: a thread and a reply (one edited), a
/// reaction, a subscription and read marker, activity, a flag and a private space's member
/// list; `staff` (a moderator or admin) resolves the flag, which logs the decision, and warns
/// the member, who appeals; the member blocks `{name}_other` and is blocked by them.
async fn fill_community_tables(server: &TestServer, name: &str, staff: &str) {
    use reqwest::Method;
    let token = server.token(name).await;
    let staff_token = server.token(staff).await;
    let (_, spaces) = server
        .api(Method::GET, "/api/v1/spaces", Some(&token), None)
        .await;
    let space = spaces["spaces"][0]["id"].as_str().unwrap().to_owned();
    let (status, mine) = server
        .api(
            Method::POST,
            &format!("/api/v1/spaces/{space}/threads"),
            Some(&token),
            Some(&serde_json::json!({"title": "My first week", "body": "Hello all"})),
        )
        .await;
    assert_eq!(status, 201, "{mine}");
    let (status, theirs) = server
        .api(
            Method::POST,
            &format!("/api/v1/spaces/{space}/threads"),
            Some(&staff_token),
            Some(&serde_json::json!({"title": "Welcome thread", "body": "Welcome, everyone"})),
        )
        .await;
    assert_eq!(status, 201, "{theirs}");
    let thread = theirs["thread_id"].as_str().unwrap();
    let (status, reply) = server
        .api(
            Method::POST,
            &format!("/api/v1/threads/{thread}/replies"),
            Some(&token),
            Some(&serde_json::json!({"body": "Thanks for the welcome"})),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    let mut member = server.visitor();
    member.log_in(name).await;
    let reply_id = reply["post_id"].as_str().unwrap();
    member
        .submit(
            &format!("/posts/{reply_id}/edit"),
            &[("body", "Thanks for the warm welcome")],
        )
        .await;
    let staff_post = theirs["post_id"].as_str().unwrap();
    let (status, _) = server
        .api(
            Method::POST,
            &format!("/api/v1/posts/{staff_post}/reactions"),
            Some(&token),
            Some(&serde_json::json!({"kind": "thanks"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = server
        .api(
            Method::GET,
            &format!("/api/v1/threads/{thread}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .api(
            Method::POST,
            &format!("/api/v1/posts/{staff_post}/flags"),
            Some(&token),
            Some(&serde_json::json!({"reason": "other", "note": "testing"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, decided) = server
        .api(
            Method::POST,
            &format!("/api/v1/moderation/posts/{staff_post}"),
            Some(&staff_token),
            Some(&serde_json::json!({"action": "dismiss"})),
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    let (status, decided) = server
        .api(
            Method::POST,
            &format!("/api/v1/moderation/posts/{staff_post}"),
            Some(&staff_token),
            Some(&serde_json::json!({"action": "lock"})),
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    let my_post = mine["post_id"].as_str().unwrap();
    let (status, warned) = server
        .api(
            Method::POST,
            &format!("/api/v1/moderation/posts/{my_post}"),
            Some(&staff_token),
            Some(&serde_json::json!({"action": "warn_author", "reason": "Testing the export"})),
        )
        .await;
    assert_eq!(status, 200, "{warned}");
    let (_, standing) = server
        .api(Method::GET, "/api/v1/standing", Some(&token), None)
        .await;
    let sanction = standing["sanctions"][0]["id"].as_str().unwrap();
    let (status, _) = server
        .api(
            Method::POST,
            &format!("/api/v1/sanctions/{sanction}/appeal"),
            Some(&token),
            Some(&serde_json::json!({"appeal": "I meant well"})),
        )
        .await;
    assert_eq!(status, 201);
    // A block either way (with `{name}_other`, registered by the test): whom the member blocked
    // is theirs; who blocked them is not.
    let other = format!("{name}_other");
    let (status, _) = server
        .api(
            Method::POST,
            "/api/v1/blocks",
            Some(&token),
            Some(&serde_json::json!({"username": other})),
        )
        .await;
    assert_eq!(status, 201);
    let user = mutual_store::accounts::find_user_by_username(&server.app.db, name)
        .await
        .unwrap()
        .unwrap();
    let other = mutual_store::accounts::find_user_by_username(&server.app.db, &other)
        .await
        .unwrap()
        .unwrap();
    mutual_store::standing::insert_block(&server.app.db, other.id, user.id, 0)
        .await
        .unwrap();
    let space_id = uuid::Uuid::parse_str(&space).unwrap();
    mutual_store::community::upsert_space_member(
        &server.app.db,
        &mutual_store::community::SpaceMemberRow {
            space_id,
            user_id: user.id.0,
            status: "member".into(),
            created_at: 0,
        },
    )
    .await
    .unwrap();
}

/// Puts the member in every people table, with `staff` on the other side: a conversation with
/// messages both ways and a report, a circle with a note and nudges both ways, a pending
/// invite, a Reach out either way, and a mentoring relationship with `staff` as the mentor; the
/// member's notifications are e-mailed (settings and deliveries).
async fn fill_people_tables(server: &TestServer, name: &str, staff: &str) {
    use reqwest::Method;
    use serde_json::json;
    let token = server.token(name).await;
    let staff_token = server.token(staff).await;
    let call = |token: String, method: Method, path: String, body: Value| async move {
        let (status, answer) = server.api(method, &path, Some(&token), Some(&body)).await;
        assert!(status < 300, "{path}: {status} {answer}");
        answer
    };
    // The member has what happens next e-mailed: delivery settings and deliveries.
    let every = json!([
        "reach_out",
        "messages",
        "circles",
        "mentoring",
        "community",
        "moderation",
        "reminders"
    ]);
    let current = call(
        token.clone(),
        Method::GET,
        "/api/v1/notification-preferences".into(),
        Value::Null,
    )
    .await;
    let address = current["email_address"]
        .as_str()
        .unwrap_or("people@example.org")
        .to_owned();
    call(
        token.clone(),
        Method::PUT,
        "/api/v1/notification-preferences".into(),
        json!({"email_address": address, "email": every, "digest": ["circles"], "discreet": true}),
    )
    .await;
    let started = call(
        staff_token.clone(),
        Method::POST,
        "/api/v1/conversations".into(),
        json!({"to": [name], "body": "How are you?"}),
    )
    .await;
    let conversation = started["id"].as_str().unwrap().to_owned();
    call(
        token.clone(),
        Method::POST,
        format!("/api/v1/conversations/{conversation}/messages"),
        json!({"body": "Better, thanks"}),
    )
    .await;
    let opened = call(
        token.clone(),
        Method::GET,
        format!("/api/v1/conversations/{conversation}"),
        Value::Null,
    )
    .await;
    let theirs = opened["messages"][0]["id"].as_str().unwrap().to_owned();
    call(
        token.clone(),
        Method::POST,
        format!("/api/v1/conversations/{conversation}/reports"),
        json!({"messages": [theirs], "reason": "Testing reports"}),
    )
    .await;
    // A moderator writes to the member as the author of an anonymous post, with a check-in.
    let space = crate::community::space_id(server, &token, "Struggles and slips").await;
    let thread = crate::community::start_thread(
        server,
        &token,
        &space,
        json!({"title": "Data night", "body": "Hard night", "anonymous": true}),
    )
    .await;
    call(
        staff_token.clone(),
        Method::POST,
        format!(
            "/api/v1/moderation/posts/{}/message",
            thread["post_id"].as_str().unwrap()
        ),
        json!({"body": "How are you doing?", "check_in_days": 2}),
    )
    .await;
    let circle = call(
        staff_token.clone(),
        Method::POST,
        "/api/v1/circles".into(),
        json!({"name": "Data circle", "invite": [name]}),
    )
    .await;
    let circle = circle["id"].as_str().unwrap().to_owned();
    call(
        token.clone(),
        Method::POST,
        format!("/api/v1/circles/{circle}/answer"),
        json!({"answer": "accept"}),
    )
    .await;
    call(
        staff_token.clone(),
        Method::POST,
        "/api/v1/circles".into(),
        json!({"name": "Pending circle", "invite": [name]}),
    )
    .await;
    call(
        token.clone(),
        Method::POST,
        format!("/api/v1/circles/{circle}/notes"),
        json!({"note": "You've got this"}),
    )
    .await;
    call(
        token.clone(),
        Method::POST,
        format!("/api/v1/circles/{circle}/nudges"),
        json!({"username": staff}),
    )
    .await;
    call(
        staff_token.clone(),
        Method::POST,
        format!("/api/v1/circles/{circle}/nudges"),
        json!({"username": name}),
    )
    .await;
    call(
        token.clone(),
        Method::POST,
        "/api/v1/reach-out".into(),
        json!({"message": "Rough evening"}),
    )
    .await;
    call(
        staff_token.clone(),
        Method::POST,
        "/api/v1/reach-out".into(),
        json!({}),
    )
    .await;
    // Staff mentor the member.
    let two_years_ago = crate::recovery::local_date(server, "UTC", 730);
    call(
        staff_token.clone(),
        Method::POST,
        "/api/v1/clocks".into(),
        json!({"label": "alcohol", "start_date": two_years_ago}),
    )
    .await;
    let profile = json!({"programs": ["AA"], "languages": ["English"], "time_zone": "UTC", "gender": "unsaid", "mentors": "any", "capacity": 3, "about": "Here for you", "agreed_to_code_of_conduct": true});
    call(
        staff_token.clone(),
        Method::PUT,
        "/api/v1/mentors/profile".into(),
        profile,
    )
    .await;
    call(
        staff_token.clone(),
        Method::POST,
        format!("/api/v1/moderation/mentors/{staff}"),
        json!({"decision": "approve"}),
    )
    .await;
    let wish = json!({"programs": ["AA"], "time_zone": "UTC", "gender": "unsaid", "wants": "any"});
    call(
        token.clone(),
        Method::PUT,
        "/api/v1/mentors/preferences".into(),
        wish,
    )
    .await;
    let asked = call(
        token.clone(),
        Method::POST,
        "/api/v1/mentor-requests".into(),
        json!({"mentor": staff, "note": "Would you mentor me?"}),
    )
    .await;
    let asked = asked["id"].as_str().unwrap().to_owned();
    call(
        staff_token.clone(),
        Method::POST,
        format!("/api/v1/mentorships/{asked}/answer"),
        json!({"answer": "accept"}),
    )
    .await;
}

/// Fails on any instant left as raw milliseconds or duration left in milliseconds.
fn assert_readable(value: &Value, place: &str) {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, item)| assert_readable(item, &format!("{place}[{i}]"))),
        Value::Object(fields) => {
            for (key, item) in fields {
                let instant = key == "at" || key.ends_with("_at") || key.ends_with("_until");
                assert!(
                    !(instant && item.is_number()),
                    "{place}.{key} is raw milliseconds: {item}"
                );
                assert!(
                    !key.ends_with("_ms") && !key.ends_with("_tenths"),
                    "{place}.{key} is not in a readable unit"
                );
                assert_readable(item, &format!("{place}.{key}"));
            }
        }
        _ => {}
    }
}

both_backends! {
    async fn the_export_covers_every_table_that_holds_member_data(database) {
        let sink = crate::mail_sink::SmtpSink::start().await;
        let server = TestServer::start_with(database, crate::delivery::mail_config(sink.port)).await;
        server.member_with_role("export_admin", Role::Admin).await;
        server.register("export_me_other").await;
        let mut admin = server.visitor();
        admin.log_in_remembered("export_admin").await;
        admin.post("/admin/registration", &[("mode", "invite")]).await;
        let created = admin.post("/admin/invites", &[("note", ""), ("days", "7")]).await;
        let start = created.body.find("/register?invite=").unwrap() + "/register?invite=".len();
        let token: String = created.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        let mut member = server.visitor();
        let joined = member.post("/register", &[("invite", &token), ("username", "export_me"), ("password", PASSWORD), ("email", "me@example.org")]).await;
        assert_eq!(joined.status, 200, "{}", joined.body);
        // A reset link asked for (the server sends no e-mail here, so it is stored directly).
        let me = mutual_store::accounts::find_user_by_username(&server.app.db, "export_me").await.unwrap().unwrap();
        let now = server.app.clock.now();
        mutual_store::account_recovery::insert_password_reset(&server.app.db, b"a reset link's hash", me.id, now, now.plus(std::time::Duration::from_secs(1800))).await.unwrap();
        fill_recovery_tables(&server, &mut member, "export_me").await;
        fill_meeting_tables(&server, &mut member, "export_me", "export_admin").await;
        fill_community_tables(&server, "export_me", "export_admin").await;
        fill_people_tables(&server, "export_me", "export_admin").await;

        let mut exports = Vec::new();
        for (name, exporter) in [("export_admin", &mut admin), ("export_me", &mut member)] {
            let user = mutual_store::accounts::find_user_by_username(&server.app.db, name).await.unwrap().unwrap();
            let download = exporter.get("/settings/export").await;
            assert_eq!(download.status, 200);
            assert!(download.headers["content-disposition"].to_str().unwrap().contains("attachment"));
            let export = download.json();
            assert_eq!(export["users"]["id"], user.id.to_string());
            assert_eq!(export["users"]["username"], name);
            assert!(export["users"].get("password_hash").is_none(), "no password hash in the export");
            assert_readable(&export, "export");
            exports.push(export.clone());
            let references = server.app.db.columns_referencing_users().await.unwrap();
            assert!(!references.is_empty());
            for (table, column) in references {
                let stored = rows_referencing(&server.app.db, &table, &column, user.id.0).await;
                let rows = export[&table].as_array().unwrap_or_else(|| panic!("the export has no {table:?}: {export}"));
                let exported = rows.iter().filter(|row| row[&column] == Value::String(user.id.to_string())).count() as i64;
                if (table.as_str(), column.as_str()) == ("blocks", "blocked_id") {
                    // Who blocked the member is the blocker's own data: never in this export.
                    assert_eq!(exported, 0, "{name}: the export must not say who blocked them");
                } else if (table.as_str(), column.as_str()) == ("notifications", "actor_id") {
                    // Others' notifications naming the member are the others' data.
                    assert_eq!(exported, 0, "{name}: the export must not hold others' notifications");
                } else {
                    assert_eq!(exported, stored, "{name}: {table}.{column}");
                }
            }
        }
        for (table, column) in server.app.db.columns_referencing_users().await.unwrap() {
            let mut any = 0;
            for name in ["export_admin", "export_me"] {
                let user = mutual_store::accounts::find_user_by_username(&server.app.db, name).await.unwrap().unwrap();
                any += rows_referencing(&server.app.db, &table, &column, user.id.0).await;
            }
            assert!(any > 0, "this test must put member data in {table}.{column}; extend it when adding a table");
        }
        // Every column of every table is exported, or its feature says it is not, and why.
        let features = mutual_store::privacy::features();
        let not_member_data: Vec<&str> = features.iter().flat_map(|f| f.not_member_data.iter().map(|(t, _)| *t)).collect();
        let not_exported: Vec<(&str, &str)> = features.iter().flat_map(|f| f.not_exported.iter().map(|(t, c, _)| (*t, *c))).collect();
        let mut unaccounted = Vec::new();
        for (table, columns) in server.app.db.schema_columns().await.unwrap() {
            if not_member_data.contains(&table.as_str()) {
                continue;
            }
            for column in columns {
                if not_exported.contains(&(table.as_str(), column.as_str())) {
                    continue;
                }
                // The export reads durations in seconds and sleep in hours.
                let key = column.strip_suffix("_ms").map(|stem| format!("{stem}_seconds"))
                    .or_else(|| column.strip_suffix("_tenths").map(str::to_owned))
                    .unwrap_or_else(|| column.clone());
                let exported = exports.iter().any(|export| match &export[&table] {
                    Value::Array(rows) => rows.iter().any(|row| row.get(&key).is_some()),
                    Value::Object(fields) => fields.contains_key(&key),
                    _ => false,
                });
                if !exported {
                    unaccounted.push(format!("{table}.{column}"));
                }
            }
        }
        assert!(unaccounted.is_empty(), "neither in the export nor listed as not exported (with why) in their feature's MemberData: {unaccounted:?}");
        let via_api = server.client.get(server.url("/api/v1/me/export")).bearer_auth(server.token("export_me").await).send().await.unwrap();
        assert_eq!(via_api.status(), 200);
        let body: Value = via_api.json().await.unwrap();
        assert_eq!(body["users"]["email"], "me@example.org");
        server.stop().await;
    }
}

both_backends! {
    async fn deleting_an_account_removes_personal_data_at_once(database) {
        let sink = crate::mail_sink::SmtpSink::start().await;
        let server = TestServer::start_with(database, crate::delivery::mail_config(sink.port)).await;
        let mut member = server.visitor();
        member.post("/register", &[("username", "leaving_now"), ("password", PASSWORD), ("email", "leaving@example.org")]).await;
        fill_recovery_tables(&server, &mut member, "leaving_now").await;
        server.member_with_role("leaving_mod", Role::Moderator).await;
        server.register("leaving_now_other").await;
        fill_meeting_tables(&server, &mut member, "leaving_now", "leaving_mod").await;
        fill_community_tables(&server, "leaving_now", "leaving_mod").await;
        fill_people_tables(&server, "leaving_now", "leaving_mod").await;
        let other_session = server.token("leaving_now").await;
        // A thread page the member replied on, read (and so kept in memory) before they leave.
        let staff_token = server.token("leaving_mod").await;
        let (_, found) = server.api(reqwest::Method::GET, "/api/v1/search?q=welcome&order=newest", Some(&staff_token), None).await;
        let welcome = found["results"].as_array().unwrap().iter().find(|r| r["title"] == "Welcome thread").unwrap()["thread_id"].as_str().unwrap().to_owned();
        let (_, before) = server.api(reqwest::Method::GET, &format!("/api/v1/threads/{welcome}"), Some(&staff_token), None).await;
        assert!(before.to_string().contains("leaving_now") && before.to_string().contains("warm welcome"));
        let id = mutual_store::accounts::find_user_by_username(&server.app.db, "leaving_now").await.unwrap().unwrap().id;
        let wrong = member.post("/settings/delete", &[("password", "not the password")]).await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("That is not your current password"));
        let deleted = member.post("/settings/delete", &[("password", PASSWORD)]).await;
        assert_eq!(deleted.status, 200);
        assert!(deleted.body.contains("Your account has been deleted"));
        assert!(!member.cookies.contains_key("mutual_session"));

        let tombstone = mutual_store::accounts::find_user_by_id(&server.app.db, id).await.unwrap().unwrap();
        assert_ne!(tombstone.username.as_str(), "leaving_now");
        assert!(tombstone.email.is_none());
        assert!(tombstone.password_hash.is_empty());
        assert!(mutual_store::accounts::find_user_by_username(&server.app.db, "leaving_now").await.unwrap().is_none());
        assert!(mutual_store::sessions::list_sessions_by_user(&server.app.db, id).await.unwrap().is_empty());
        let gone = server.client.get(server.url("/api/v1/me")).bearer_auth(&other_session).send().await.unwrap();
        assert_eq!(gone.status(), 401);
        for (table, column) in server.app.db.columns_referencing_users().await.unwrap() {
            if table != "audit_log" && table != "invites" {
                assert_eq!(rows_referencing(&server.app.db, &table, &column, id.0).await, 0, "{table} still holds the member's data");
            }
        }
        let (_, after) = server.api(reqwest::Method::GET, &format!("/api/v1/threads/{welcome}"), Some(&staff_token), None).await;
        assert!(!after.to_string().contains("leaving_now") && !after.to_string().contains("warm welcome"), "no page shows what they wrote: {after}");
        // The conversation stays for the other side, with the member's words gone.
        let (_, listed) = server.api(reqwest::Method::GET, "/api/v1/conversations", Some(&staff_token), None).await;
        let conversation = listed["conversations"][0]["id"].as_str().unwrap().to_owned();
        let (_, opened) = server.api(reqwest::Method::GET, &format!("/api/v1/conversations/{conversation}"), Some(&staff_token), None).await;
        let messages = opened["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2, "{opened}");
        assert_eq!(messages[1]["author"], Value::Null, "shown as a deleted member: {opened}");
        assert_eq!(messages[1]["body"], "", "{opened}");
        assert!(!opened.to_string().contains("Better, thanks"));
        let events = mutual_store::audit::list_audit_events_by_user(&server.app.db, id).await.unwrap();
        assert!(events.iter().any(|e| e.action == "account_deleted"), "the audit trail remains, de-identified");
        // The pseudonym cools off: registering it answers as for a live one, until the period ends.
        let live = server.client.post(server.url("/api/v1/accounts")).json(&serde_json::json!({"username": "leaving_mod", "password": PASSWORD})).send().await.unwrap();
        let again = server.client.post(server.url("/api/v1/accounts")).json(&serde_json::json!({"username": "Leaving_Now", "password": PASSWORD})).send().await.unwrap();
        assert_eq!(again.status(), live.status());
        let (live, again) = (live.text().await.unwrap(), again.text().await.unwrap());
        assert!(again.contains("That pseudonym is taken"), "{again}");
        assert_eq!(again, live, "nobody learns that someone erased their account");
        server.clock.advance(std::time::Duration::from_secs(91 * 24 * 3600));
        server.register("leaving_now").await;
        server.stop().await;
    }
}

both_backends! {
    async fn the_audit_log_records_security_events_and_no_secrets(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("audit_admin", Role::Admin).await;
        server.register("audited_one").await;
        let token = server.token("audited_one").await;
        server.client.post(server.url("/api/v1/sessions")).json(&serde_json::json!({"username": "audited_one", "password": "not the right one"})).send().await.unwrap();
        server.client.get(server.url("/api/v1/me/export")).bearer_auth(&token).send().await.unwrap();
        let id = mutual_store::accounts::find_user_by_username(&server.app.db, "audited_one").await.unwrap().unwrap().id;
        let mut admin = server.visitor();
        admin.log_in("audit_admin").await;
        admin.post(&format!("/admin/members/{id}/role"), &[("role", "moderator")]).await;
        admin.post(&format!("/admin/members/{id}/suspend"), &[("reason", "test")]).await;
        let events = mutual_store::audit::list_audit_events_by_user(&server.app.db, id).await.unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        for expected in ["registered", "logged_in", "login_failed", "exported", "role_changed", "suspended"] {
            assert!(actions.contains(&expected), "missing {expected} in {actions:?}");
        }
        let all = mutual_store::audit::list_audit_events(&server.app.db, 1000).await.unwrap();
        for event in &all {
            for secret in [PASSWORD, token.as_str(), "not the right one", "audited_one"] {
                assert!(!event.detail.contains(secret), "{event:?}");
            }
        }
        let page = admin.get("/admin/audit").await;
        assert!(page.body.contains("role_changed"));
        let tamper = match &server.app.db {
            Db::Sqlite(pool, _) => sqlx::query("DELETE FROM audit_log").execute(pool).await.is_err(),
            Db::Postgres(pool) => sqlx::query("DELETE FROM audit_log").execute(pool).await.is_err(),
        };
        assert!(tamper, "the audit log refuses deletion");
        server.stop().await;
    }
}
