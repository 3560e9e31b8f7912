//! People over HTTP: private messages under the newcomer protections and blocks, reports that
//! carry only the chosen messages, circles that show exactly what each member shares, and
//! Reach out reaching exactly the right people.

use crate::community::{logged_in, make_trusted, send};
use crate::support::TestServer;
use mutual_testkit::both_backends;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

async fn post(server: &TestServer, token: &str, path: &str, body: Value) -> (u16, Value) {
    send(server, Method::POST, path, Some(token), Some(body)).await
}

async fn get(server: &TestServer, token: &str, path: &str) -> Value {
    let (status, body) = send(server, Method::GET, path, Some(token), None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn start(server: &TestServer, token: &str, to: &[&str], body: &str) -> (u16, Value) {
    post(
        server,
        token,
        "/api/v1/conversations",
        json!({"to": to, "body": body}),
    )
    .await
}

async fn notifications(server: &TestServer, token: &str) -> Vec<String> {
    get(server, token, "/api/v1/notifications").await["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn a_message_with_crisis_language_shows_its_sender_help_first_and_tells_nobody_else(database) {
        let server = TestServer::start(database).await;
        for name in ["ada_m", "cy_m", "dee_m"] {
            server.register(name).await;
            make_trusted(&server, name).await;
        }
        let ada = server.token("ada_m").await;
        let (status, calm) = start(&server, &ada, &["cy_m"], "Coffee after the meeting?").await;
        assert_eq!(status, 201, "{calm}");
        assert_eq!(calm["crisis_resources_shown"], false, "{calm}");
        assert_eq!(calm["crisis_resources"], json!([]));
        let conversation = calm["id"].as_str().unwrap().to_owned();
        let (status, sent) = post(&server, &ada, &format!("/api/v1/conversations/{conversation}/messages"), json!({"body": "Honestly I want to die tonight"})).await;
        assert_eq!(status, 201, "{sent}");
        assert_eq!(sent["crisis_resources_shown"], true, "{sent}");
        assert!(!sent["crisis_resources"].as_array().unwrap().is_empty(), "{sent}");
        let (_, first) = start(&server, &server.token("cy_m").await, &["dee_m"], "No puedo más, quiero morir").await;
        assert_ne!(first["id"], conversation.as_str());
        assert_eq!(first["crisis_resources_shown"], true, "a new conversation's first message, in Spanish: {first}");

        // On the page: the conversation opens on the offer, above the messages.
        let mut browser = logged_in(&server, "ada_m").await;
        let posted = browser.post(&format!("/messages/{conversation}"), &[("body", "Some nights I can't go on")]).await;
        assert_eq!(posted.status, 303);
        assert_eq!(posted.location(), format!("/messages/{conversation}?support=1#support"));
        let shown = browser.get(posted.location()).await;
        let offer = shown.body.find("id=\"support\"").expect("the offer is on the page");
        let messages = shown.body.find("id=\"messages\"").unwrap();
        assert!(offer < messages, "the offer comes before the messages");
        assert!(shown.body[offer..messages].contains("Your message is sent."));
        assert!(shown.body[offer..messages].contains("href=\"tel:"), "with the crisis lines");
        let calm_send = browser.post(&format!("/messages/{conversation}"), &[("body", "Thanks for listening")]).await;
        assert!(calm_send.location().ends_with("#m4"), "{}", calm_send.location());
        assert!(!browser.get(calm_send.location()).await.body.contains("id=\"support\""));

        // A private message stays private: no moderator is told, nothing is queued.
        server.member_with_role("mod_m", mutual_domain::permissions::Role::Moderator).await;
        let moderator = server.token("mod_m").await;
        assert!(notifications(&server, &moderator).await.is_empty());
        let queue = get(&server, &moderator, "/api/v1/moderation/queue").await;
        assert_eq!(queue["items"], json!([]), "{queue}");
        server.stop().await;
    }
}

both_backends! {
    async fn messages_protect_new_members_and_keep_blocks_unnoticed(database) {
        let server = TestServer::start(database).await;
        for name in ["ada_m", "cy_m", "dee_m", "fay_m", "eve_new", "bea_new"] {
            server.register(name).await;
        }
        for name in ["ada_m", "cy_m", "dee_m", "fay_m"] {
            make_trusted(&server, name).await;
        }
        let ada = server.token("ada_m").await;
        let cy = server.token("cy_m").await;
        let dee = server.token("dee_m").await;
        let fay = server.token("fay_m").await;
        let bea = server.token("bea_new").await;
        let eve = server.token("eve_new").await;

        // Settled members write to each other directly; the unread count follows.
        let (status, started) = start(&server, &ada, &["cy_m"], "Hi Cy, coffee after the meeting?").await;
        assert_eq!(status, 201, "{started}");
        let conversation = started["id"].as_str().unwrap().to_owned();
        let listed = get(&server, &cy, "/api/v1/conversations").await;
        assert_eq!(listed["conversations"][0]["unread"], true, "{listed}");
        let mut cy_page = logged_in(&server, "cy_m").await;
        let header = cy_page.get("/dashboard").await;
        assert!(header.body.contains("Messages <span class=\"badge count\">1"), "{}", header.body);
        let opened = get(&server, &cy, &format!("/api/v1/conversations/{conversation}")).await;
        assert_eq!(opened["messages"][0]["body"], "Hi Cy, coffee after the meeting?");
        assert_eq!(get(&server, &cy, "/api/v1/conversations").await["conversations"][0]["unread"], false);
        let (status, _) = post(&server, &cy, &format!("/api/v1/conversations/{conversation}/messages"), json!({"body": "Yes please"})).await;
        assert_eq!(status, 201);
        // Writing again to the same person continues the same conversation.
        let (_, again) = start(&server, &ada, &["CY_M"], "See you at seven").await;
        assert_eq!(again["id"], conversation.as_str());

        // A stranger reaches a new member only as a request; the new member cannot write to strangers.
        let (status, request) = start(&server, &ada, &["bea_new"], "Welcome! Want to talk?").await;
        assert_eq!(status, 201, "{request}");
        let request_id = request["id"].as_str().unwrap().to_owned();
        let inbox = get(&server, &bea, "/api/v1/conversations").await;
        assert_eq!(inbox["conversations"].as_array().unwrap().len(), 0, "{inbox}");
        assert_eq!(inbox["requests"][0]["with"][0], "ada_m");
        let (status, body) = post(&server, &bea, &format!("/api/v1/conversations/{request_id}/messages"), json!({"body": "hi"})).await;
        assert_eq!(status, 403, "{body}");
        assert!(body.to_string().contains("Accept this message request"), "{body}");
        let (status, body) = start(&server, &bea, &["dee_m"], "Hello there").await;
        assert_eq!(status, 422, "{body}");
        assert!(body.to_string().contains("New members can write to their circle"), "{body}");
        let (status, _) = post(&server, &bea, &format!("/api/v1/conversations/{request_id}/request"), json!({"answer": "accept"})).await;
        assert_eq!(status, 200);
        let (status, _) = post(&server, &bea, &format!("/api/v1/conversations/{request_id}/messages"), json!({"body": "Thank you, yes"})).await;
        assert_eq!(status, 201);
        // Having talked, they know each other: the new member may now write to Ada directly.
        let (status, _) = start(&server, &bea, &["ada_m"], "Hi again").await;
        assert_eq!(status, 201);

        // A new member receives at most three new requests a day.
        for (token, n) in [(&ada, 1), (&cy, 2), (&dee, 3)] {
            let (status, body) = start(&server, token, &["eve_new"], &format!("Request {n}")).await;
            assert_eq!(status, 201, "{body}");
        }
        let (status, body) = start(&server, &fay, &["eve_new"], "Request 4").await;
        assert_eq!(status, 422, "{body}");
        let (_, unknown) = start(&server, &fay, &["nobody_new"], "Request 4").await;
        assert_eq!(
            body.to_string().replace("eve_new", "NAME"),
            unknown.to_string().replace("nobody_new", "NAME"),
            "a new member with a full day of requests answers as a pseudonym nobody has"
        );
        let declined = get(&server, &eve, "/api/v1/conversations").await["requests"][0]["id"].as_str().unwrap().to_owned();
        let (status, _) = post(&server, &eve, &format!("/api/v1/conversations/{declined}/request"), json!({"answer": "decline"})).await;
        assert_eq!(status, 200);
        assert_eq!(get(&server, &eve, "/api/v1/conversations").await["requests"].as_array().unwrap().len(), 2);

        // Bad input: too many people, too long, empty, unknown fields, wrong types.
        let twelve: Vec<String> = (0..12).map(|n| format!("someone_{n}")).collect();
        let names: Vec<&str> = twelve.iter().map(String::as_str).collect();
        let (status, body) = start(&server, &ada, &names, "Hello all").await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("up to 12 people, you included"), "{body}");
        let (status, body) = start(&server, &ada, &["cy_m"], &"x".repeat(4_001)).await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("4000 characters; this has 4001"), "{body}");
        let (status, _) = start(&server, &ada, &["cy_m"], "   ").await;
        assert_eq!(status, 422);
        let (status, _) = post(&server, &ada, "/api/v1/conversations", json!({"to": ["cy_m"], "body": "hi", "urgent": true})).await;
        assert_eq!(status, 422);
        let (status, _) = post(&server, &ada, "/api/v1/conversations", json!({"to": "cy_m", "body": 5})).await;
        assert!(status == 422 || status == 400, "{status}");
        let mut ada_page = logged_in(&server, "ada_m").await;
        let huge = "ü".repeat(300_000);
        let refused = ada_page.post("/messages", &[("to", "cy_m"), ("body", &huge)]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("Keep it to 4000 characters"), "the form says why");
        assert!(refused.body.contains("value=\"cy_m\""), "and keeps what was typed");

        // A group conversation; a block answers exactly as a pseudonym nobody has.
        let (status, group) = start(&server, &ada, &["cy_m", "dee_m"], "Group hello").await;
        assert_eq!(status, 201, "{group}");
        let (status, _) = post(&server, &dee, "/api/v1/blocks", json!({"username": "ada_m"})).await;
        assert_eq!(status, 201);
        let (_, unknown) = start(&server, &ada, &["nobody_here"], "hi").await;
        let (status, blocked) = start(&server, &ada, &["dee_m"], "hi").await;
        assert_eq!(status, 422);
        assert_eq!(
            blocked.to_string().replace("dee_m", "NAME"),
            unknown.to_string().replace("nobody_here", "NAME"),
            "the blocked member gets the answer an unknown pseudonym gets"
        );
        // In the group, Dee sees a placeholder for Ada's messages; Ada sees nothing of Dee's.
        let group = group["id"].as_str().unwrap().to_owned();
        let (status, _) = post(&server, &ada, &format!("/api/v1/conversations/{group}/messages"), json!({"body": "Anyone around?"})).await;
        assert_eq!(status, 201, "the blocked member's message goes out as usual");
        let (status, _) = post(&server, &dee, &format!("/api/v1/conversations/{group}/messages"), json!({"body": "Dee was here"})).await;
        assert_eq!(status, 201);
        let dee_view = get(&server, &dee, &format!("/api/v1/conversations/{group}")).await;
        assert!(!dee_view.to_string().contains("Anyone around?"), "{dee_view}");
        assert!(dee_view["messages"].as_array().unwrap().iter().any(|m| m["hidden"] == true));
        let ada_view = get(&server, &ada, &format!("/api/v1/conversations/{group}")).await;
        assert!(!ada_view.to_string().contains("Dee was here"), "{ada_view}");
        assert!(ada_view["messages"].as_array().unwrap().iter().all(|m| m["hidden"] == false), "no placeholder tells Ada: {ada_view}");
        let cy_view = get(&server, &cy, &format!("/api/v1/conversations/{group}")).await;
        assert!(cy_view.to_string().contains("Anyone around?") && cy_view.to_string().contains("Dee was here"));

        // A report carries the chosen message to moderators, and no other.
        server.member_with_role("mod_m", mutual_domain::permissions::Role::Moderator).await;
        let moderator = server.token("mod_m").await;
        let mine = get(&server, &cy, &format!("/api/v1/conversations/{conversation}")).await;
        let reported = mine["messages"].as_array().unwrap().iter().find(|m| m["body"] == "See you at seven").unwrap()["id"].clone();
        let (status, body) = post(&server, &cy, &format!("/api/v1/conversations/{conversation}/reports"), json!({"messages": [reported], "reason": "Pushy"})).await;
        assert_eq!(status, 201, "{body}");
        let (status, _) = send(&server, Method::GET, "/api/v1/moderation/message-reports", Some(&cy), None).await;
        assert_eq!(status, 403);
        let reports = get(&server, &moderator, "/api/v1/moderation/message-reports").await;
        let text = reports.to_string();
        assert!(text.contains("See you at seven") && text.contains("Pushy"), "{text}");
        assert!(!text.contains("Hi Cy, coffee") && !text.contains("Yes please"), "only the chosen message: {text}");
        assert!(notifications(&server, &moderator).await.iter().any(|n| n.contains("reported messages")));
        // Someone outside a conversation finds nothing there.
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/conversations/{conversation}"), Some(&fay), None).await;
        assert_eq!(status, 404);
        server.stop().await;
    }
}

/// The member entry of `name` in a circle as `token` sees it.
async fn member_in(server: &TestServer, token: &str, circle: &str, name: &str) -> Value {
    let body = get(server, token, &format!("/api/v1/circles/{circle}")).await;
    body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["username"] == name)
        .unwrap_or_else(|| panic!("{body}"))
        .clone()
}

both_backends! {
    async fn circles_show_exactly_what_each_member_shares(database) {
        let server = TestServer::start(database).await;
        for name in ["ada_c", "bea_c", "cy_c", "dee_c"] {
            server.register(name).await;
        }
        make_trusted(&server, "ada_c").await;
        let ada = server.token("ada_c").await;
        let bea = server.token("bea_c").await;
        let cy = server.token("cy_c").await;
        let dee = server.token("dee_c").await;

        let fifty: Vec<String> = (0..50).map(|n| format!("friend_{n}")).collect();
        let (status, body) = post(&server, &ada, "/api/v1/circles", json!({"name": "Too many", "invite": fifty})).await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("up to 12 people"), "{body}");
        let (status, body) = post(&server, &ada, "/api/v1/circles", json!({"name": "  "})).await;
        assert_eq!(status, 422, "{body}");
        let (status, created) = post(&server, &ada, "/api/v1/circles", json!({"name": "Tuesday group", "invite": ["bea_c", "cy_c"]})).await;
        assert_eq!(status, 201, "{created}");
        let circle = created["id"].as_str().unwrap().to_owned();
        assert!(notifications(&server, &bea).await.iter().any(|n| n.contains("invited you to the accountability circle")));
        assert_eq!(get(&server, &bea, "/api/v1/circles").await["invites"][0]["name"], "Tuesday group");
        for token in [&bea, &cy] {
            let (status, _) = post(&server, token, &format!("/api/v1/circles/{circle}/answer"), json!({"answer": "accept"})).await;
            assert_eq!(status, 200);
        }
        let eleven: Vec<String> = (0..10).map(|n| format!("friend_{n}")).collect();
        let (status, body) = post(&server, &ada, &format!("/api/v1/circles/{circle}/invites"), json!({"usernames": eleven})).await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("This one has 3, so you can invite 9 more, not 10"), "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "usernames", "the API's own field name: {body}");
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/circles/{circle}"), Some(&dee), None).await;
        assert_eq!(status, 404, "not a member");

        // The defaults: done today and Reach out, so only `checked_in_today` shows.
        let seen = member_in(&server, &ada, &circle, "bea_c").await;
        assert_eq!(seen, json!({"username": "bea_c", "is_viewer": false, "checked_in_today": false,
            "streak": null, "milestones": null, "warning_signs": null, "quiet_for_days": null}));
        // Random choices: what Ada sees of Bea is exactly what Bea granted.
        let keys = [("checkin", "checked_in_today"), ("streak", "streak"), ("milestones", "milestones"), ("warning_signs", "warning_signs")];
        let mut seed: u64 = 0x5eed_1234;
        for _ in 0..12 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let chosen: Vec<&str> = ["checkin", "streak", "milestones", "warning_signs", "reach_out"]
                .iter()
                .enumerate()
                .filter(|(n, _)| (seed >> (33 + n)) & 1 == 1)
                .map(|(_, c)| *c)
                .collect();
            let (status, body) = send(&server, Method::PUT, &format!("/api/v1/circles/{circle}/sharing"), Some(&bea), Some(json!({"share": chosen}))).await;
            assert_eq!(status, 200, "{body}");
            let seen = member_in(&server, &ada, &circle, "bea_c").await;
            for (choice, key) in keys {
                assert_eq!(!seen[key].is_null(), chosen.contains(&choice), "{choice} granted: {chosen:?}, seen {seen}");
            }
            assert_eq!(seen["quiet_for_days"], Value::Null, "nothing else: {seen}");
            assert_eq!(seen.as_object().unwrap().len(), 7, "nothing else: {seen}");
        }
        let (status, body) = send(&server, Method::PUT, &format!("/api/v1/circles/{circle}/sharing"), Some(&bea), Some(json!({"share": ["journal"]}))).await;
        assert_eq!(status, 422, "{body}");
        let (status, _) = send(&server, Method::PUT, &format!("/api/v1/circles/{circle}/sharing"), Some(&bea), Some(json!({"share": ["checkin"], "quiet_days": 31}))).await;
        assert_eq!(status, 422);

        // Going quiet: Bea checked in three days ago and asked to be noticed after two quiet days.
        let three_days_ago = crate::recovery::local_date(&server, "UTC", 3);
        let (status, body) = send(&server, Method::PUT, &format!("/api/v1/checkins/{three_days_ago}"), Some(&bea), Some(json!({"mood": 3, "craving": 1, "sleep_hours": 7, "sleep_quality": 3}))).await;
        assert_eq!(status, 201, "{body}");
        assert!(member_in(&server, &ada, &circle, "bea_c").await["quiet_for_days"].is_null(), "not opted in");
        let (status, _) = send(&server, Method::PUT, &format!("/api/v1/circles/{circle}/sharing"), Some(&bea), Some(json!({"share": ["checkin", "streak"], "quiet_days": 2}))).await;
        assert_eq!(status, 200);
        let seen = member_in(&server, &ada, &circle, "bea_c").await;
        assert_eq!(seen["quiet_for_days"], 3, "{seen}");
        assert_eq!(seen["checked_in_today"], false);
        assert_eq!(seen["streak"], 0);

        // Encouragement and a nudge, once a day per person.
        let (status, _) = post(&server, &cy, &format!("/api/v1/circles/{circle}/notes"), json!({"note": "Proud of you all"})).await;
        assert_eq!(status, 201);
        assert_eq!(get(&server, &ada, &format!("/api/v1/circles/{circle}")).await["notes"][0]["body"], "Proud of you all");
        let (status, _) = post(&server, &cy, &format!("/api/v1/circles/{circle}/nudges"), json!({"username": "bea_c"})).await;
        assert_eq!(status, 201);
        let (status, body) = post(&server, &cy, &format!("/api/v1/circles/{circle}/nudges"), json!({"username": "bea_c"})).await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("in the last day already"), "{body}");
        assert!(notifications(&server, &bea).await.contains(&"cy_c is thinking of you.".to_owned()));

        // An invite link, shown once, lets someone join.
        let mut ada_page = logged_in(&server, "ada_c").await;
        let made = ada_page.post(&format!("/circles/{circle}/link"), &[]).await;
        assert_eq!(made.status, 303);
        let token = made.location().split("link=").nth(1).unwrap().to_owned();
        let mut dee_page = logged_in(&server, "dee_c").await;
        let joined = dee_page.post(&format!("/circles/join/{token}"), &[]).await;
        assert_eq!(joined.status, 303, "{}", joined.body);
        assert_eq!(member_in(&server, &dee, &circle, "dee_c").await["is_viewer"], true);
        let page = dee_page.get(&format!("/circles/{circle}")).await;
        assert!(page.body.contains("Proud of you all") && page.body.contains("Thinking of you"), "{}", page.body);
        server.stop().await;
    }
}

both_backends! {
    async fn reach_out_tells_exactly_the_right_people_once_and_follows_up(database) {
        let server = TestServer::start(database).await;
        for name in ["ada_r", "bea_r", "cy_r", "dee_r", "fay_r", "gus_r"] {
            server.register(name).await;
        }
        make_trusted(&server, "ada_r").await;
        let ada = server.token("ada_r").await;
        let bea = server.token("bea_r").await;
        let cy = server.token("cy_r").await;
        let dee = server.token("dee_r").await;
        let fay = server.token("fay_r").await;
        let gus = server.token("gus_r").await;
        let circle = |name: &'static str, invite: &'static [&'static str]| {
            let ada = ada.clone();
            let server = &server;
            async move {
                let (status, body) = post(server, &ada, "/api/v1/circles", json!({"name": name, "invite": invite})).await;
                assert_eq!(status, 201, "{body}");
                body["id"].as_str().unwrap().to_owned()
            }
        };
        let close = circle("Close friends", &["bea_r", "cy_r", "gus_r"]).await;
        let work = circle("Work circle", &["dee_r"]).await;
        for (token, id) in [(&bea, &close), (&cy, &close), (&gus, &close), (&dee, &work)] {
            post(&server, token, &format!("/api/v1/circles/{id}/answer"), json!({"answer": "accept"})).await;
        }
        // Ada does not share Reach out with the work circle; Gus blocked her.
        let (status, _) = send(&server, Method::PUT, &format!("/api/v1/circles/{work}/sharing"), Some(&ada), Some(json!({"share": ["checkin"]}))).await;
        assert_eq!(status, 200);
        post(&server, &gus, "/api/v1/blocks", json!({"username": "ada_r"})).await;

        let (status, pressed) = post(&server, &ada, "/api/v1/reach-out", json!({"message": "Rough night, cravings are bad"})).await;
        assert_eq!(status, 201, "{pressed}");
        let id = pressed["id"].as_str().unwrap().to_owned();
        let mut told: Vec<&str> = pressed["told"].as_array().unwrap().iter().map(|t| t["username"].as_str().unwrap()).collect();
        told.sort();
        assert_eq!(told, ["bea_r", "cy_r"]);
        assert!(pressed["crisis_resources"].to_string().contains("988"), "{pressed}");
        let alert = "ada_r is having a hard time and would like to hear from someone";
        for (token, expected) in [(&bea, true), (&cy, true), (&dee, false), (&fay, false), (&gus, false)] {
            assert_eq!(notifications(&server, token).await.iter().filter(|n| *n == alert).count(), usize::from(expected));
        }
        // Pressing nine more times in the next minute shows the same alert and tells nobody again.
        for _ in 0..9 {
            server.clock.advance(Duration::from_secs(6));
            let (status, again) = post(&server, &ada, "/api/v1/reach-out", json!({})).await;
            assert_eq!(status, 200, "{again}");
            assert_eq!(again["id"], id.as_str());
            assert_eq!(again["sent"], false);
        }
        assert_eq!(notifications(&server, &bea).await.iter().filter(|n| *n == alert).count(), 1);
        let (status, body) = post(&server, &ada, "/api/v1/reach-out", json!({"message": "x".repeat(501)})).await;
        assert_eq!(status, 422, "{body}");

        // Recipients read it; others find nothing.
        let seen = get(&server, &bea, &format!("/api/v1/reach-out/{id}")).await;
        assert_eq!(seen["message"], "Rough night, cravings are bad");
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/reach-out/{id}"), Some(&fay), None).await;
        assert_eq!(status, 404);
        let (status, _) = post(&server, &fay, &format!("/api/v1/reach-out/{id}/replies"), json!({"body": "hi"})).await;
        assert_eq!(status, 404);

        // Bea replies with one click from the alert page; Ada sees that someone is coming.
        let mut bea_page = logged_in(&server, "bea_r").await;
        let alert_page = bea_page.get(&format!("/reach-out/{id}")).await;
        assert!(alert_page.body.contains("Rough night, cravings are bad") && alert_page.body.contains("I saw you reached out"), "{}", alert_page.body);
        let replied = bea_page.post(&format!("/reach-out/{id}/reply"), &[("body", "I saw you reached out. I'm here: do you want to talk?")]).await;
        assert_eq!(replied.status, 303);
        assert!(replied.location().starts_with("/messages/"));
        let after = get(&server, &ada, &format!("/api/v1/reach-out/{id}")).await;
        let bea_told = after["told"].as_array().unwrap().iter().find(|t| t["username"] == "bea_r").unwrap().clone();
        assert!(bea_told["responded_at"].is_string(), "{after}");
        assert!(notifications(&server, &ada).await.iter().any(|n| n.contains("bea_r responded to your Reach out")));
        let inbox = get(&server, &ada, "/api/v1/conversations").await;
        assert_eq!(inbox["conversations"][0]["with"][0], "bea_r", "the reply is in Ada's messages, not a request");
        // Each recipient sees only that they were told: not whom else Ada told, nor who answered.
        let cy_seen = get(&server, &cy, &format!("/api/v1/reach-out/{id}")).await;
        let cy_told: Vec<&str> = cy_seen["told"].as_array().unwrap().iter().map(|t| t["username"].as_str().unwrap()).collect();
        assert_eq!(cy_told, ["cy_r"], "{cy_seen}");
        let cy_page = logged_in(&server, "cy_r").await.get(&format!("/reach-out/{id}")).await;
        assert!(cy_page.body.contains("Rough night") && !cy_page.body.contains("bea_r"), "{}", cy_page.body);
        let mut ada_page = logged_in(&server, "ada_r").await;
        let mine = ada_page.get(&format!("/reach-out/{id}")).await;
        assert!(mine.body.contains("Someone is coming") && mine.body.contains("bea_r"), "{}", mine.body);
        assert!(mine.body.contains("988") && mine.body.contains("Ride out the urge"), "help is on the page");

        // An hour later Ada is asked how she is doing, once.
        assert_eq!(mutual_app::people::reach_out::run_due_follow_ups(&server.app).await.unwrap(), 0);
        server.clock.advance(Duration::from_secs(3600));
        assert_eq!(mutual_app::people::reach_out::run_due_follow_ups(&server.app).await.unwrap(), 1);
        assert_eq!(mutual_app::people::reach_out::run_due_follow_ups(&server.app).await.unwrap(), 0);
        assert!(notifications(&server, &ada).await.iter().any(|n| n.contains("How are you doing now?")));

        // Without JavaScript: the confirmation page, then the button; a later press alerts again.
        let mut ada_page = logged_in(&server, "ada_r").await;
        let confirm = ada_page.get("/reach-out").await;
        assert_eq!(confirm.status, 200, "{}", confirm.body);
        assert!(confirm.body.contains("tells bea_r and cy_r (your circles):"), "exactly who, before pressing: {}", confirm.body);
        assert!(confirm.body.contains("Yes, reach out now") && confirm.body.contains("988"), "{}", confirm.body);
        assert!(confirm.body.contains(&format!("href=\"/reach-out/{id}\"")) && confirm.body.contains("1 of 2 people responded"), "her earlier Reach out, to go back to: {}", confirm.body);
        let pressed = ada_page.post("/reach-out", &[("message", "")]).await;
        assert_eq!(pressed.status, 303);
        assert!(!pressed.location().contains(&id) && !pressed.location().contains("again"), "{}", pressed.location());
        let shown = ada_page.get(pressed.location()).await;
        assert!(shown.body.contains("We told 2 people"), "{}", shown.body);
        server.stop().await;
    }
}

/// Makes `name` a member with two years on a clock who offers to mentor, approved by `moderator`.
async fn approved_mentor(
    server: &TestServer,
    moderator: &str,
    name: &str,
    gender: &str,
    mentors: &str,
    programs: &[&str],
    capacity: u32,
) -> String {
    server.register(name).await;
    let token = server.token(name).await;
    let start = crate::recovery::local_date(server, "UTC", 730);
    let (status, _) = post(
        server,
        &token,
        "/api/v1/clocks",
        json!({"label": "alcohol", "start_date": start}),
    )
    .await;
    assert_eq!(status, 201);
    let profile = json!({
        "programs": programs, "approach": "step work", "languages": ["English"], "time_zone": "Europe/London",
        "availability": ["mon-evening", "wed-evening"], "gender": gender, "mentors": mentors,
        "topics": ["early recovery"], "capacity": capacity, "about": "Glad to walk with you.",
        "agreed_to_code_of_conduct": true,
    });
    let mut unagreed = profile.clone();
    unagreed["agreed_to_code_of_conduct"] = json!(false);
    let (status, body) = send(
        server,
        Method::PUT,
        "/api/v1/mentors/profile",
        Some(&token),
        Some(unagreed),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["error"]["fields"][0]["field"], "agreed_to_code_of_conduct",
        "named as sent: {body}"
    );
    let (status, body) = send(
        server,
        Method::PUT,
        "/api/v1/mentors/profile",
        Some(&token),
        Some(profile),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "pending");
    let offers = get(server, moderator, "/api/v1/moderation/mentors").await;
    let offered = offers["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["username"] == name)
        .unwrap();
    assert_eq!(
        offered["programs"],
        json!(programs),
        "programme codes, as a list: {offers}"
    );
    assert_eq!(offered["time_in_recovery"], "2–5 years");
    let (status, body) = post(
        server,
        moderator,
        &format!("/api/v1/moderation/mentors/{name}"),
        json!({"decision": "approve"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    token
}

async fn prefer(server: &TestServer, token: &str, gender: &str, wants: &str) {
    let preferences = json!({
        "programs": ["AA"], "languages": ["english"], "topics": ["early recovery"],
        "availability": ["mon-evening"], "time_zone": "Europe/London", "gender": gender, "wants": wants,
    });
    let (status, body) = send(
        server,
        Method::PUT,
        "/api/v1/mentors/preferences",
        Some(token),
        Some(preferences),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn match_names(server: &TestServer, token: &str) -> Vec<String> {
    get(server, token, "/api/v1/mentors/matches").await["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn mentors_are_matched_by_fit_with_gender_preferences_as_hard_constraints(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("mod_mentors", mutual_domain::permissions::Role::Moderator).await;
        let moderator = server.token("mod_mentors").await;

        // Offering needs the time in recovery and the code of conduct.
        server.register("too_soon").await;
        let soon = server.token("too_soon").await;
        let ten_days_ago = crate::recovery::local_date(&server, "UTC", 10);
        post(&server, &soon, "/api/v1/clocks", json!({"label": "alcohol", "start_date": ten_days_ago})).await;
        // A hidden clock never counts: not towards offering, not as time in recovery.
        let long_ago = crate::recovery::local_date(&server, "UTC", 4_000);
        let (status, _) = post(&server, &soon, "/api/v1/clocks", json!({"label": "private", "start_date": long_ago, "hidden": true})).await;
        assert_eq!(status, 201);
        let offer = json!({"programs": ["AA"], "languages": ["English"], "time_zone": "UTC", "gender": "woman", "mentors": "any", "capacity": 2, "about": "Hi", "agreed_to_code_of_conduct": false});
        let (status, body) = send(&server, Method::PUT, "/api/v1/mentors/profile", Some(&soon), Some(offer)).await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("at least 365 days") && body.to_string().contains("has 10"), "{body}");
        let (status, _) = send(&server, Method::GET, "/api/v1/moderation/mentors", Some(&soon), None).await;
        assert_eq!(status, 403);

        let mia = approved_mentor(&server, &moderator, "mia_mentor", "woman", "same", &["AA"], 1).await;
        let max = approved_mentor(&server, &moderator, "max_mentor", "man", "any", &["SMART"], 2).await;
        let nia = approved_mentor(&server, &moderator, "nia_mentor", "nonbinary", "any", &["AA"], 1).await;
        let (status, _) = post(&server, &nia, "/api/v1/clocks", json!({"label": "private", "start_date": long_ago, "hidden": true})).await;
        assert_eq!(status, 201);
        let _ = (&max, &nia);
        server.register("pending_mentor").await;

        for name in ["ana_mentee", "ben_mentee", "cal_mentee", "dot_mentee"] {
            server.register(name).await;
        }
        let ana = server.token("ana_mentee").await;
        let ben = server.token("ben_mentee").await;
        let cal = server.token("cal_mentee").await;
        let dot = server.token("dot_mentee").await;
        assert_eq!(get(&server, &ana, "/api/v1/mentors/matches").await["has_preferences"], false);
        let (status, body) = post(&server, &ana, "/api/v1/mentor-requests", json!({"mentor": "mia_mentor", "note": "Hello"})).await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("Fill in what you are looking for first"), "{body}");

        prefer(&server, &ana, "woman", "any").await;
        prefer(&server, &ben, "man", "any").await;
        prefer(&server, &cal, "man", "same").await;
        let ana_matches = get(&server, &ana, "/api/v1/mentors/matches").await;
        assert_eq!(match_names(&server, &ana).await, ["mia_mentor", "nia_mentor", "max_mentor"], "a shared programme ranks first, then the name: {ana_matches}");
        let reasons = ana_matches["matches"][0]["reasons"].to_string();
        assert!(reasons.contains("Shares your programme: Alcoholics Anonymous") && reasons.contains("Free when you are: Mon evening"), "{reasons}");
        assert_eq!(ana_matches["matches"][0]["time_in_recovery"], "2–5 years");
        assert_eq!(ana_matches["matches"][1]["username"], "nia_mentor");
        assert_eq!(ana_matches["matches"][1]["time_in_recovery"], "2–5 years", "her hidden clock does not show: {ana_matches}");
        assert_eq!(match_names(&server, &ben).await, ["nia_mentor", "max_mentor"], "Mia mentors women only");
        assert_eq!(match_names(&server, &cal).await, ["max_mentor"], "Cal asked for a man");
        let (status, body) = post(&server, &ben, "/api/v1/mentor-requests", json!({"mentor": "mia_mentor", "note": "Please?"})).await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("own gender only"), "{body}");
        let (status, body) = post(&server, &cal, "/api/v1/mentor-requests", json!({"mentor": "nia_mentor", "note": "Please?"})).await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("You asked for a mentor of your own gender"), "{body}");
        let (status, _) = post(&server, &ben, "/api/v1/mentor-requests", json!({"mentor": "pending_mentor", "note": "Hi"})).await;
        assert_eq!(status, 422, "not an approved mentor");

        // A request, accepted; a new member and their mentor may now write to each other directly.
        let (status, requested) = post(&server, &ana, "/api/v1/mentor-requests", json!({"mentor": "mia_mentor", "note": "I am three weeks in and would love a mentor."})).await;
        assert_eq!(status, 201, "{requested}");
        let id = requested["id"].as_str().unwrap().to_owned();
        let (status, _) = post(&server, &ana, "/api/v1/mentor-requests", json!({"mentor": "mia_mentor", "note": "Again"})).await;
        assert_eq!(status, 409);
        assert!(notifications(&server, &mia).await.iter().any(|n| n.contains("ana_mentee would like you as their mentor")));
        let (status, _) = post(&server, &ana, &format!("/api/v1/mentorships/{id}/answer"), json!({"answer": "accept"})).await;
        assert_eq!(status, 404, "only the mentor answers");
        let (status, body) = post(&server, &mia, &format!("/api/v1/mentorships/{id}/answer"), json!({"answer": "accept", "message": "w".repeat(2_001)})).await;
        assert_eq!((status, &body["error"]["fields"][0]["field"]), (422, &json!("message")), "{body}");
        let (status, _) = post(&server, &mia, &format!("/api/v1/mentorships/{id}/answer"), json!({"answer": "accept"})).await;
        assert_eq!(status, 200);
        assert!(notifications(&server, &ana).await.iter().any(|n| n.contains("mia_mentor accepted")));
        let (status, started) = start(&server, &ana, &["mia_mentor"], "Thank you!").await;
        assert_eq!(status, 201, "{started}");
        assert_eq!(get(&server, &mia, "/api/v1/conversations").await["conversations"].as_array().unwrap().len(), 1, "no request: a mentor");

        // Mia is full now: she is not offered to Dot, and asking her is refused.
        prefer(&server, &dot, "woman", "any").await;
        assert!(!match_names(&server, &dot).await.contains(&"mia_mentor".to_owned()));
        let (status, body) = post(&server, &dot, "/api/v1/mentor-requests", json!({"mentor": "mia_mentor", "note": "Hi"})).await;
        assert_eq!(status, 422);
        assert!(body.to_string().contains("no place"), "{body}");

        // Goals are shared; notes are each side's own.
        let (status, _) = send(&server, Method::PUT, &format!("/api/v1/mentorships/{id}"), Some(&ana), Some(json!({"cadence": "Sunday calls", "goals": "Ninety meetings", "notes": "ana private words", "share_warning_signs": true}))).await;
        assert_eq!(status, 200);
        let (status, _) = send(&server, Method::PUT, &format!("/api/v1/mentorships/{id}"), Some(&mia), Some(json!({"cadence": "Sunday calls", "goals": "Ninety meetings", "notes": "mia private words"}))).await;
        assert_eq!(status, 200);
        let hers = get(&server, &mia, &format!("/api/v1/mentorships/{id}")).await;
        assert_eq!(hers["my_notes"], "mia private words");
        assert_eq!((hers["role"].as_str(), hers["state"].as_str(), hers["ended_at"].is_null()), (Some("mentor"), Some("active"), true), "{hers}");
        assert!(hers["answered_at"].as_str().unwrap().ends_with('Z'), "{hers}");
        assert!(!hers.to_string().contains("ana private words"), "{hers}");
        assert_eq!(hers["shares"]["warning_signs"], true);
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/mentorships/{id}"), Some(&ben), None).await;
        assert_eq!(status, 404);

        // Reach out reaches the mentor.
        let (_, pressed) = post(&server, &ana, "/api/v1/reach-out", json!({})).await;
        assert_eq!(pressed["told"][0]["username"], "mia_mentor", "{pressed}");

        // A kind decline; ending with a handover.
        let (_, asked) = post(&server, &ben, "/api/v1/mentor-requests", json!({"mentor": "max_mentor", "note": "Hi Max"})).await;
        let asked = asked["id"].as_str().unwrap().to_owned();
        let (status, _) = post(&server, &max, &format!("/api/v1/mentorships/{asked}/answer"), json!({"answer": "decline"})).await;
        assert_eq!(status, 200);
        assert!(notifications(&server, &ben).await.iter().any(|n| n.contains("you deserve support")));
        let (status, body) = post(&server, &mia, &format!("/api/v1/mentorships/{id}/end"), json!({"handover": "too_soon"})).await;
        assert_eq!(status, 422, "{body}");
        let (status, _) = post(&server, &mia, &format!("/api/v1/mentorships/{id}/end"), json!({"handover": "nia_mentor"})).await;
        assert_eq!(status, 200);
        assert!(notifications(&server, &ana).await.iter().any(|n| n.contains("They suggest nia_mentor")));
        assert!(match_names(&server, &dot).await.contains(&"mia_mentor".to_owned()), "a place is free again");

        // The pages.
        let mut page = logged_in(&server, "ana_mentee").await;
        let find = page.get("/mentors").await;
        assert!(find.body.contains("Ask nia_mentor to mentor me") && find.body.contains("Shares your programme"), "{}", find.body);
        let refused = page.post("/mentors/requests", &[("mentor", "max_mentor"), ("note", "")]).await;
        assert_eq!(refused.status, 422);
        let bad = page.post("/mentors/preferences", &[("programs", "NOPE"), ("time_zone", "Mars/Base"), ("gender", "woman"), ("wants", "any"), ("languages", "English")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("not one of the programmes") && bad.body.contains("value=\"English\""), "{}", bad.body);
        server.stop().await;
    }
}

both_backends! {
    async fn warning_signs_reach_only_the_circles_they_are_shared_with(database) {
        let server = TestServer::start(database).await;
        for name in ["ada_w", "bea_w", "cy_w"] {
            server.register(name).await;
        }
        make_trusted(&server, "ada_w").await;
        let ada = server.token("ada_w").await;
        let bea = server.token("bea_w").await;
        let cy = server.token("cy_w").await;
        let mut circles = Vec::new();
        for (name, friend, token) in [("Shares signs", "bea_w", &bea), ("Does not", "cy_w", &cy)] {
            let (_, created) = post(&server, &ada, "/api/v1/circles", json!({"name": name, "invite": [friend]})).await;
            let id = created["id"].as_str().unwrap().to_owned();
            post(&server, token, &format!("/api/v1/circles/{id}/answer"), json!({"answer": "accept"})).await;
            circles.push(id);
        }
        let (status, _) = send(&server, Method::PUT, &format!("/api/v1/circles/{}/sharing", circles[0]), Some(&ada), Some(json!({"share": ["checkin", "warning_signs"]}))).await;
        assert_eq!(status, 200);
        for back in [2, 1, 0] {
            let day = crate::recovery::local_date(&server, "UTC", back);
            let (status, body) = send(&server, Method::PUT, &format!("/api/v1/checkins/{day}"), Some(&ada), Some(json!({"mood": 3, "craving": 8, "sleep_hours": 7, "sleep_quality": 3}))).await;
            assert!(status == 200 || status == 201, "{body}");
        }
        let told = |list: Vec<String>| list.iter().any(|n| n.starts_with("ada_w may be having a harder time"));
        assert!(told(notifications(&server, &bea).await), "shared with Bea's circle");
        // About Ada, in the third person, never in the words the sign has on Ada's own page.
        assert!(notifications(&server, &bea).await.contains(&"ada_w may be having a harder time (strong cravings for several days). A kind word could help.".to_owned()));
        assert!(!told(notifications(&server, &cy).await), "not with Cy's");
        let seen = member_in(&server, &bea, &circles[0], "ada_w").await;
        assert_eq!(seen["warning_signs"], json!(["strong cravings for several days"]), "{seen}");
        assert!(member_in(&server, &cy, &circles[1], "ada_w").await["warning_signs"].is_null());
        server.stop().await;
    }
}

both_backends! {
    async fn people_routes_answer_each_relationship_as_they_should(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("mod_x", mutual_domain::permissions::Role::Moderator).await;
        let moderator = server.token("mod_x").await;
        let mentor = approved_mentor(&server, &moderator, "mentor_x", "woman", "any", &["AA"], 3).await;
        for name in ["ada_x", "bea_x", "out_x", "neo_x", "blk_x"] {
            server.register(name).await;
        }
        for name in ["bea_x", "out_x", "blk_x"] {
            make_trusted(&server, name).await;
        }
        let ada = server.token("ada_x").await;
        let bea = server.token("bea_x").await;
        let outsider = server.token("out_x").await;
        let newcomer = server.token("neo_x").await;
        let blocked = server.token("blk_x").await;
        // Ada (a new member): a circle with Bea, a conversation with Bea, Mentor's mentee, a Reach out.
        let (_, circle) = post(&server, &bea, "/api/v1/circles", json!({"name": "Pair", "invite": ["ada_x"]})).await;
        let circle = circle["id"].as_str().unwrap().to_owned();
        post(&server, &ada, &format!("/api/v1/circles/{circle}/answer"), json!({"answer": "accept"})).await;
        let (_, conversation) = start(&server, &bea, &["ada_x"], "Hi Ada").await;
        let conversation = conversation["id"].as_str().unwrap().to_owned();
        prefer(&server, &ada, "woman", "any").await;
        let (_, mentorship) = post(&server, &ada, "/api/v1/mentor-requests", json!({"mentor": "mentor_x", "note": "Hello"})).await;
        let mentorship = mentorship["id"].as_str().unwrap().to_owned();
        post(&server, &mentor, &format!("/api/v1/mentorships/{mentorship}/answer"), json!({"answer": "accept"})).await;
        post(&server, &ada, "/api/v1/blocks", json!({"username": "blk_x"})).await;
        let (_, alert) = post(&server, &ada, "/api/v1/reach-out", json!({})).await;
        let alert = alert["id"].as_str().unwrap().to_owned();

        let people = [("ada (member, mentee)", &ada), ("bea (circle member)", &bea), ("mentor", &mentor), ("outsider", &outsider), ("newcomer", &newcomer), ("blocked", &blocked), ("moderator", &moderator)];
        let reads = [
            (format!("/api/v1/circles/{circle}"), [200, 200, 404, 404, 404, 404, 404]),
            (format!("/api/v1/conversations/{conversation}"), [200, 200, 404, 404, 404, 404, 404]),
            (format!("/api/v1/mentorships/{mentorship}"), [200, 404, 200, 404, 404, 404, 404]),
            (format!("/api/v1/reach-out/{alert}"), [200, 200, 200, 404, 404, 404, 404]),
            ("/api/v1/moderation/message-reports".to_owned(), [403, 403, 403, 403, 403, 403, 200]),
            ("/api/v1/moderation/mentors".to_owned(), [403, 403, 403, 403, 403, 403, 200]),
        ];
        for (path, expected) in &reads {
            for ((who, token), status) in people.iter().zip(expected) {
                let (got, body) = send(&server, Method::GET, path, Some(token), None).await;
                assert_eq!(got, *status, "{who} GET {path}: {body}");
            }
        }
        // Writing to Ada, a new member: those who know her get through, a stranger's message is
        // a request, a new member and the member she blocked are refused (the latter as unknown).
        let mut answers = Vec::new();
        for (who, token) in &people[1..] {
            let (status, body) = start(&server, token, &["ada_x"], "Hello Ada").await;
            answers.push((*who, status, body));
        }
        let statuses: Vec<u16> = answers.iter().map(|(_, s, _)| *s).collect();
        assert_eq!(statuses, [201, 201, 201, 422, 422, 201], "{answers:?}");
        assert!(answers[4].2.to_string().contains("No member you can write to goes by"), "{:?}", answers[4]);
        let requests = get(&server, &ada, "/api/v1/conversations").await["requests"].clone();
        let from: Vec<&str> = requests.as_array().unwrap().iter().map(|r| r["with"][0].as_str().unwrap()).collect();
        assert_eq!(from, ["out_x"], "only the stranger waits as a request");
        server.stop().await;
    }
}

both_backends! {
    async fn a_live_conversation_stream_ends_when_its_session_ends_on_another_server(database) {
        let server = TestServer::start(database).await;
        let other = server.another_server().await;
        for name in ["stream_ada", "stream_cy"] {
            server.register(name).await;
            make_trusted(&server, name).await;
        }
        let ada = server.token("stream_ada").await;
        let (status, started) = start(&server, &ada, &["stream_cy"], "Are you coming tonight?").await;
        assert_eq!(status, 201, "{started}");
        let id = started["id"].as_str().unwrap();
        let stream = other
            .client
            .get(other.url(&format!("/messages/{id}/events")))
            .bearer_auth(&ada)
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200);
        let (status, _) = send(&server, Method::DELETE, "/api/v1/sessions/current", Some(&ada), None).await;
        assert_eq!(status, 204);
        server.clock.advance(Duration::from_secs(server.app.config.sessions.cache_seconds));
        let ended = tokio::time::timeout(Duration::from_secs(15), stream.bytes()).await;
        assert!(ended.is_ok(), "the stream was still open 15 s after its session ended");
        other.stop().await;
        server.stop().await;
    }
}

both_backends! {
    async fn a_message_sent_through_one_server_reaches_a_live_page_on_another_over_the_bus(database) {
        let server = TestServer::start(database).await;
        let other = server.another_server().await;
        for name in ["live_ada", "live_cy"] {
            server.register(name).await;
            make_trusted(&server, name).await;
        }
        let ada = server.token("live_ada").await;
        let cy = server.token("live_cy").await;
        let (status, started) = start(&server, &ada, &["live_cy"], "Walk after the meeting?").await;
        assert_eq!(status, 201, "{started}");
        let id = started["id"].as_str().unwrap().to_owned();
        let mut stream = other.client.get(other.url(&format!("/messages/{id}/events"))).bearer_auth(&cy).send().await.unwrap();
        assert_eq!(stream.status(), 200);
        let sent_at = std::time::Instant::now();
        let (status, body) = post(&server, &ada, &format!("/api/v1/conversations/{id}/messages"), json!({"body": "I'll wait by the door"})).await;
        assert_eq!(status, 201, "{body}");
        // PostgreSQL's bus wakes the other server's stream at once; on SQLite (one server per
        // database) the stream looks at the database every 5 seconds.
        let within = if server.sqlite_file().is_none() {
            Duration::from_millis(1500)
        } else {
            // The other server's kept place in the conversation lasts a tenth of a second.
            server.clock.advance(Duration::from_secs(1));
            Duration::from_secs(7)
        };
        let event = tokio::time::timeout(within, async {
            let mut seen = String::new();
            while let Some(chunk) = stream.chunk().await.unwrap() {
                seen.push_str(&String::from_utf8_lossy(&chunk));
                if seen.contains("event: message") {
                    return seen;
                }
            }
            seen
        })
        .await;
        assert!(event.is_ok_and(|seen| seen.contains("event: message")), "no message event within {within:?}");
        eprintln!("the other server's live page heard of the message after {:?}", sent_at.elapsed());
        other.stop().await;
        server.stop().await;
    }
}

both_backends! {
    async fn circle_invites_have_a_daily_limit_a_checked_name_and_the_answers_of_messages(database) {
        let mut config = mutual_app::AppConfig::default();
        config.people.circle_invites_per_day = 3;
        let server = TestServer::start_with(database, config).await;
        for name in ["sam_i", "pat_i", "lee_i", "kim_i", "ned_new", "ola_new"] {
            server.register(name).await;
        }
        for name in ["sam_i", "pat_i", "lee_i", "kim_i"] {
            make_trusted(&server, name).await;
        }
        let sam = server.token("sam_i").await;
        let ned = server.token("ned_new").await;
        let create = |token: String, name: &'static str, invite: Vec<&'static str>| {
            let server = &server;
            async move { post(server, &token, "/api/v1/circles", json!({"name": name, "invite": invite})).await }
        };

        // A circle's name is checked as community text: no phone number, contact request or link.
        for name in ["text me at 555-010-0199", "Add me on telegram", "see https://evil.example", "write to sam@example.org"] {
            let (status, body) = create(sam.clone(), name, vec![]).await;
            assert_eq!(status, 422, "{name}: {body}");
            assert_eq!(body["error"]["fields"][0]["field"], "name", "{body}");
        }

        // A block answers as a pseudonym nobody has.
        let (status, _) = post(&server, &ned, "/api/v1/blocks", json!({"username": "sam_i"})).await;
        assert_eq!(status, 201);
        let (status, blocked) = create(sam.clone(), "Evening circle", vec!["ned_new"]).await;
        assert_eq!(status, 422, "{blocked}");
        let (_, unknown) = create(sam.clone(), "Evening circle", vec!["nobody_i"]).await;
        assert_eq!(
            blocked.to_string().replace("ned_new", "NAME"),
            unknown.to_string().replace("nobody_i", "NAME"),
        );
        let (status, _) = send(&server, Method::DELETE, "/api/v1/blocks/sam_i", Some(&ned), None).await;
        assert!(status == 204 || status == 200, "{status}");
        let (status, body) = create(sam.clone(), "Evening circle", vec!["ned_new", "pat_i"]).await;
        assert_eq!(status, 201, "{body}");
        let evening = body["id"].as_str().unwrap().to_owned();
        assert!(notifications(&server, &ned).await.iter().any(|n| n.contains("invited you to the accountability circle")));

        // Three invites a day (as configured here): the fourth waits for tomorrow, in any circle.
        let (status, body) = create(sam.clone(), "Second circle", vec!["lee_i", "kim_i"]).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.to_string().contains("3 circle invites a day and have sent 2"), "{body}");
        let (status, body) = create(sam.clone(), "Second circle", vec!["lee_i"]).await;
        assert_eq!(status, 201, "{body}");
        let second = body["id"].as_str().unwrap().to_owned();
        let (status, body) = post(&server, &sam, &format!("/api/v1/circles/{second}/invites"), json!({"usernames": ["kim_i"]})).await;
        assert_eq!(status, 422, "{body}");
        server.clock.advance(Duration::from_secs(24 * 3600 + 1));
        let (status, body) = post(&server, &sam, &format!("/api/v1/circles/{second}/invites"), json!({"usernames": ["kim_i"]})).await;
        assert_eq!(status, 201, "{body}");

        // A new member invites only those they know (as with messages); a stranger is told how.
        let ola = server.token("ola_new").await;
        let (status, body) = create(ola.clone(), "Ola's circle", vec!["pat_i"]).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "invite", "{body}");
        assert!(body.to_string().contains("give them the circle's invite link"), "{body}");
        let (status, _) = post(&server, &ned, &format!("/api/v1/circles/{evening}/answer"), json!({"answer": "accept"})).await;
        assert_eq!(status, 200);
        let (status, body) = create(ned.clone(), "Ned's circle", vec!["sam_i"]).await;
        assert_eq!(status, 201, "someone in a circle with them: {body}");

        // Invites from strangers count with message requests: three a day reach a new member, the
        // fourth (an invite or a message) answers as a pseudonym nobody has.
        let (status, body) = start(&server, &server.token("pat_i").await, &["ola_new"], "Welcome, Ola").await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = post(&server, &sam, &format!("/api/v1/circles/{second}/invites"), json!({"usernames": ["ola_new"]})).await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = start(&server, &server.token("lee_i").await, &["ola_new"], "Hi Ola").await;
        assert_eq!(status, 201, "{body}");
        let kim = server.token("kim_i").await;
        let (status, invited) = create(kim.clone(), "Kim's circle", vec!["ola_new"]).await;
        assert_eq!(status, 422, "{invited}");
        let (_, unknown) = create(kim.clone(), "Kim's circle", vec!["nobody_i"]).await;
        assert_eq!(invited.to_string().replace("ola_new", "NAME"), unknown.to_string().replace("nobody_i", "NAME"));
        let (status, written) = start(&server, &kim, &["ola_new"], "Hello").await;
        assert_eq!(status, 422, "{written}");
        server.stop().await;
    }
}

both_backends! {
    async fn reach_out_with_nobody_to_tell_offers_help_at_once_and_only_meetings_one_can_reach(database) {
        let server = TestServer::start(database).await;
        server.register("lone_r").await;
        let lone = mutual_store::accounts::find_user_by_username(&server.app.db, "lone_r").await.unwrap().unwrap();
        mutual_store::recovery::update_time_zone(&server.app.db, lone.id, "Europe/London", server.app.clock.now()).await.unwrap();
        // Every hour of every day: an in-person meeting in New York and an online one.
        let rows: Vec<Value> = (0..24)
            .flat_map(|hour| {
                [
                    json!({"slug": format!("room-{hour}"), "name": "Manhattan Room", "day": [0, 1, 2, 3, 4, 5, 6],
                           "time": format!("{hour:02}:00"), "end_time": format!("{hour:02}:45"), "timezone": "America/New_York",
                           "address": "1 Main St", "city": "New York", "state": "NY", "country": "US"}),
                    json!({"slug": format!("online-{hour}"), "name": "Night Owls Online", "day": [0, 1, 2, 3, 4, 5, 6],
                           "time": format!("{hour:02}:30"), "end_time": format!("{:02}:15", (hour + 1) % 24), "timezone": "America/New_York",
                           "conference_url": "https://zoom.us/j/1234567890"}),
                ]
            })
            .collect();
        let mut admin = crate::meetings::admin(&server).await;
        let imported = admin
            .upload("/admin/meetings/import", &[("program", "AA"), ("timezone", "America/New_York")], Value::Array(rows).to_string().as_bytes())
            .await;
        assert!(imported.status < 400, "{}", imported.body);

        let page = logged_in(&server, "lone_r").await.get("/reach-out").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("pressing would tell nobody"), "said before pressing: {}", page.body);
        assert!(!page.body.contains("Yes, reach out now"), "no button that tells nobody, no words typed for nobody");
        assert!(page.body.contains("href=\"/circles\"") && page.body.contains("href=\"/mentors\""), "how to have people next time");
        assert!(page.body.contains("href=\"tel:"), "the crisis lines at once");
        assert!(page.body.contains("Night Owls Online"), "an online meeting is reachable from London: {}", page.body);
        assert!(!page.body.contains("Manhattan Room"), "a room in New York is not, from London: {}", page.body);
        assert!(!page.body.contains("in_person") && !page.body.contains("· online<"), "modes in words");
        server.stop().await;
    }
}
