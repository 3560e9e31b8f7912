//! The accounts API: register, sessions, me, and refusing bad input with the error envelope.

use crate::support::{PASSWORD, TestServer};
use mutual_testkit::both_backends;
use serde_json::{Value, json};
use std::time::Duration;

async fn post_json(server: &TestServer, path: &str, body: &Value) -> (u16, Value) {
    server
        .api(reqwest::Method::POST, path, None, Some(body))
        .await
}

fn assert_envelope(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        !body["error"]["message"].as_str().unwrap().is_empty(),
        "{body}"
    );
}

both_backends! {
    async fn register_sign_in_see_me_and_sign_out_through_the_api(database) {
        let server = TestServer::start(database).await;
        let (status, body) = post_json(&server, "/api/v1/accounts", &json!({"username": "quiet_river", "password": PASSWORD})).await;
        assert_eq!(status, 201);
        assert_eq!(body["username"], "quiet_river");
        assert_eq!(body["status"], "active");
        assert_eq!(body["warnings"], json!([]));

        let (status, session) = post_json(&server, "/api/v1/sessions", &json!({"username": "Quiet_River", "password": PASSWORD})).await;
        assert_eq!(status, 201);
        assert_eq!(session["token_type"], "Bearer");
        let token = session["token"].as_str().unwrap();

        let me = server.client.get(server.url("/api/v1/me")).bearer_auth(token).send().await.unwrap();
        assert_eq!(me.status(), 200);
        let me: Value = me.json().await.unwrap();
        assert_eq!(me["username"], "quiet_river");
        assert_eq!(me["role"], "member");

        let out = server.client.delete(server.url("/api/v1/sessions/current")).bearer_auth(token).send().await.unwrap();
        assert_eq!(out.status(), 204);
        let after = server.client.get(server.url("/api/v1/me")).bearer_auth(token).send().await.unwrap();
        assert_eq!(after.status(), 401);
        assert_envelope(&after.json().await.unwrap(), "unauthenticated");
        server.stop().await;
    }
}

both_backends! {
    async fn the_api_refuses_bad_input_with_a_clear_envelope_and_never_a_500(database) {
        let server = TestServer::start(database).await;
        let cases: Vec<(&str, Value, u16, &str)> = vec![
            ("unknown field", json!({"username": "abc_def", "password": PASSWORD, "admin": true}), 422, "invalid"),
            ("wrong type", json!({"username": 12345, "password": PASSWORD}), 422, "invalid"),
            ("missing field", json!({"username": "abc_def"}), 422, "invalid"),
            ("not an object", json!(["abc_def", PASSWORD]), 422, "invalid"),
            ("empty pseudonym", json!({"username": "", "password": PASSWORD}), 422, "invalid"),
            ("unicode pseudonym", json!({"username": "Jos\u{e9}_\u{1f33f}", "password": PASSWORD}), 422, "invalid"),
            ("short password", json!({"username": "abc_def", "password": "short"}), 422, "invalid"),
            ("common password", json!({"username": "abc_def", "password": "password1234"}), 422, "invalid"),
            ("huge password", json!({"username": "abc_def", "password": "p".repeat(10_000)}), 422, "invalid"),
            ("bad e-mail", json!({"username": "abc_def", "password": PASSWORD, "email": "not-an-address"}), 422, "invalid"),
        ];
        for (case, body, status, code) in cases {
            let (got, answer) = post_json(&server, "/api/v1/accounts", &body).await;
            assert_eq!(got, status, "{case}: {answer}");
            assert_envelope(&answer, code);
        }
        let (_, answer) = post_json(&server, "/api/v1/accounts", &json!({"username": "abc_def", "password": PASSWORD, "admin": true})).await;
        assert!(answer["error"]["message"].as_str().unwrap().contains("admin"), "{answer}");
        let (_, answer) = post_json(&server, "/api/v1/accounts", &json!({"username": "", "password": "short"})).await;
        let fields: Vec<&str> = answer["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["username", "password"], "every problem is reported at once");

        let raw = |body: &'static str, content_type: &'static str| {
            server.client.post(server.url("/api/v1/sessions")).header("content-type", content_type).body(body).send()
        };
        for (body, content_type, status, code) in [
            ("", "application/json", 400, "bad_request"),
            ("{\"username\": ", "application/json", 400, "malformed_json"),
            ("username=a&password=b", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ] {
            let response = raw(body, content_type).await.unwrap();
            assert_eq!(response.status(), status, "{body}");
            assert_envelope(&response.json().await.unwrap(), code);
        }
        let huge = format!("{{\"username\": \"{}\", \"password\": \"x\"}}", "a".repeat(200_000));
        let response = server.client.post(server.url("/api/v1/sessions")).header("content-type", "application/json").body(huge).send().await.unwrap();
        assert_eq!(response.status(), 413);
        assert_envelope(&response.json().await.unwrap(), "too_large");
        server.stop().await;
    }
}

both_backends! {
    async fn pseudonyms_are_unique_whatever_their_case(database) {
        let server = TestServer::start(database).await;
        server.register("QuietRiver").await;
        let (status, body) = post_json(&server, "/api/v1/accounts", &json!({"username": "quietriver", "password": PASSWORD})).await;
        assert_eq!(status, 422);
        assert!(body["error"]["message"].as_str().unwrap().contains("taken"), "{body}");
        server.stop().await;
    }
}

both_backends! {
    async fn a_wrong_password_and_an_unknown_pseudonym_look_the_same(database) {
        let server = TestServer::start(database).await;
        server.register("steady_oak").await;
        let (known_status, known) = post_json(&server, "/api/v1/sessions", &json!({"username": "steady_oak", "password": "wrong password here"})).await;
        let (unknown_status, unknown) = post_json(&server, "/api/v1/sessions", &json!({"username": "nobody_here", "password": "wrong password here"})).await;
        assert_eq!(known_status, 401);
        assert_eq!(known_status, unknown_status);
        assert_eq!(known, unknown);
        server.stop().await;
    }
}

both_backends! {
    async fn a_pseudonym_that_looks_like_a_real_name_is_accepted_with_a_warning(database) {
        let server = TestServer::start(database).await;
        let (status, body) = post_json(&server, "/api/v1/accounts", &json!({"username": "John.Smith", "password": PASSWORD})).await;
        assert_eq!(status, 201);
        assert_eq!(body["warnings"][0]["code"], "looks_like_real_name");
        server.stop().await;
    }
}

both_backends! {
    async fn the_session_cookie_also_authenticates_the_api(database) {
        let server = TestServer::start(database).await;
        server.register("morning_tide").await;
        let mut visitor = server.visitor();
        visitor.log_in("morning_tide").await;
        let me = visitor.get("/api/v1/me").await;
        assert_eq!(me.status, 200);
        assert_eq!(me.json()["username"], "morning_tide");
        server.stop().await;
    }
}

both_backends! {
    async fn sessions_end_after_idling_or_at_their_absolute_limit(database) {
        let mut config = mutual_app::AppConfig::default();
        config.sessions.absolute_hours = 1;
        let server = TestServer::start_with(database, config).await;
        server.register("new_leaf").await;

        let mut idle = server.visitor();
        idle.log_in("new_leaf").await;
        assert_eq!(idle.get("/dashboard").await.status, 200);
        server.clock.advance(Duration::from_secs(31 * 60));
        assert_eq!(idle.get("/dashboard").await.status, 303, "30 idle minutes end a session");

        let mut busy = server.visitor();
        busy.log_in("new_leaf").await;
        for _ in 0..2 {
            server.clock.advance(Duration::from_secs(25 * 60));
            assert_eq!(busy.get("/dashboard").await.status, 200);
        }
        server.clock.advance(Duration::from_secs(11 * 60));
        assert_eq!(busy.get("/dashboard").await.status, 303, "activity cannot extend past the absolute limit");

        let mut remembered = server.visitor();
        let page = remembered.post("/login", &[("username", "new_leaf"), ("password", PASSWORD), ("remember", "on")]).await;
        assert_eq!(page.status, 303);
        assert!(page.headers.get_all("set-cookie").iter().any(|c| c.to_str().unwrap().contains("Max-Age=")));
        server.clock.advance(Duration::from_secs(2 * 24 * 3600));
        assert_eq!(remembered.get("/dashboard").await.status, 200, "keep me signed in survives days of idling");
        server.stop().await;
    }
}

/// Asks `server` for `/api/v1/me` with `token` until it answers `status`, for up to two
/// seconds of real time (the test clock stands still, so no cache expires meanwhile).
async fn answers_soon(server: &TestServer, token: &str, status: u16) -> bool {
    for _ in 0..40 {
        let answer = server
            .client
            .get(server.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if answer.status() == status {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

both_backends! {
    async fn a_sign_out_or_a_suspension_on_one_server_holds_on_the_others_at_once_over_the_bus(database) {
        let first = TestServer::start(database).await;
        let second = first.another_server().await;
        let postgres = first.sqlite_file().is_none();
        first.register("two_servers").await;
        first.register("ends_everywhere").await;
        first.member_with_role("bus_admin", mutual_domain::permissions::Role::Admin).await;
        let token = first.token("two_servers").await;
        let other = first.token("ends_everywhere").await;
        for t in [&token, &other] {
            assert!(answers_soon(&second, t, 200).await, "cached on the second server");
        }
        let out = first.client.delete(first.url("/api/v1/sessions/current")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(out.status(), 204);
        assert!(answers_soon(&first, &token, 401).await, "at once on the server that signed out");
        let member = mutual_store::accounts::find_user_by_username(&first.app.db, "ends_everywhere").await.unwrap().unwrap();
        let mut admin = first.visitor();
        admin.log_in("bus_admin").await;
        let suspended = admin.post(&format!("/admin/members/{}/suspend", member.id), &[("reason", "Testing the bus")]).await;
        assert_eq!(suspended.status, 303);
        if postgres {
            // PostgreSQL carries the events to every server on the database.
            assert!(answers_soon(&second, &token, 401).await, "a sign-out holds on the other server at once");
            assert!(answers_soon(&second, &other, 401).await, "a suspension holds on the other server at once");
        } else {
            // A SQLite database has one server; a second process on the same file has no bus
            // and falls back to the cache window.
            assert!(answers_soon(&second, &token, 200).await);
            first.clock.advance(Duration::from_secs(first.app.config.sessions.cache_seconds));
            assert!(answers_soon(&second, &token, 401).await, "within cache_seconds without a bus");
            assert!(answers_soon(&second, &other, 401).await);
        }
        second.stop().await;
        first.stop().await;
    }
}

both_backends! {
    async fn without_a_bus_a_session_ended_elsewhere_stops_within_the_window_however_often_it_is_used(database) {
        let first = TestServer::start(database).await;
        let second = first.another_server().await;
        first.register("busy_token").await;
        let token = first.token("busy_token").await;
        let me = |server: &TestServer| server.client.get(server.url("/api/v1/me")).bearer_auth(&token).send();
        assert_eq!(me(&second).await.unwrap().status(), 200, "cached on the second server");
        if first.sqlite_file().is_none() {
            // PostgreSQL: the bus is lost while the session ends, so the event never arrives;
            // /readyz says so, and when the bus is back the server forgets what it cached.
            let cut = crate::faults::BusCut::start(&first.app.db).await;
            let lost = crate::faults::bus_connected_soon(&second, false).await;
            assert_eq!(lost["kind"], "postgres");
            assert!(lost["note"].as_str().unwrap().contains("cache_seconds"), "{lost}");
            let out = first.client.delete(first.url("/api/v1/sessions/current")).bearer_auth(&token).send().await.unwrap();
            assert_eq!(out.status(), 204);
            drop(cut);
            crate::faults::bus_connected_soon(&second, true).await;
            assert_eq!(me(&second).await.unwrap().status(), 401, "caught up when the bus came back, the clock unmoved");
        } else {
            // SQLite: no bus reaches a second process on the file; the cache window holds.
            assert_eq!(crate::faults::bus_connected_soon(&second, true).await["kind"], "in_process");
            let out = first.client.delete(first.url("/api/v1/sessions/current")).bearer_auth(&token).send().await.unwrap();
            assert_eq!(out.status(), 204);
            let window = Duration::from_secs(first.app.config.sessions.cache_seconds);
            let step = window / 5;
            let mut answers = Vec::new();
            for _ in 0..8 {
                first.clock.advance(step);
                answers.push(me(&second).await.unwrap().status().as_u16());
            }
            assert_eq!(answers, [200, 200, 200, 200, 401, 401, 401, 401], "in use every {step:?}, still ended once {window:?} after it was read");
        }
        second.stop().await;
        first.stop().await;
    }
}
