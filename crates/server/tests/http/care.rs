//! A moderator writes to the anonymous author of a post in crisis, and checks in later: the
//! author is reached at once and stays unnamed on every page, answer and report the moderator
//! can open.

use crate::community::{logged_in, send, space_id, start_thread};
use crate::support::TestServer;
use mutual_domain::permissions::Role;
use mutual_testkit::both_backends;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

both_backends! {
    async fn a_moderator_writes_to_an_anonymous_author_in_crisis_without_learning_who_they_are(database) {
        let server = TestServer::start(database).await;
        server.register("hidden_hazel").await;
        server.register("plain_pat").await;
        server.member_with_role("mod_milo", Role::Moderator).await;
        let hazel = server.token("hidden_hazel").await;
        let pat = server.token("plain_pat").await;
        let milo_token = server.token("mod_milo").await;
        let space = space_id(&server, &hazel, "Struggles and slips").await;
        let thread = start_thread(&server, &hazel, &space, json!({"title": "Rough night", "body": "Some nights I want to end it all.", "anonymous": true})).await;
        let post = thread["post_id"].as_str().unwrap().to_owned();
        let named = start_thread(&server, &pat, &space, json!({"title": "Named", "body": "I want to end it all."})).await;
        let named_post = named["post_id"].as_str().unwrap().to_owned();

        // The crisis item offers to write to the author.
        let mut milo = logged_in(&server, "mod_milo").await;
        let queue = milo.get("/moderation").await;
        assert!(queue.body.contains(&format!("/moderation/posts/{post}/message")), "{}", queue.body);
        assert!(queue.body.contains("Write to the author (they stay anonymous)"));
        assert!(queue.body.contains("Write to plain_pat"), "a named author is named");
        let form = milo.get(&format!("/moderation/posts/{post}/message")).await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("Write to the author of “Rough night”") && form.body.contains("I read your post"), "{}", form.body);

        // Bad input keeps what was typed.
        let path = format!("/moderation/posts/{post}/message");
        let refused = milo.post(&path, &[("body", "   "), ("check_in_days", "3")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("Please write something") && refused.body.contains("<option value=\"3\" selected"), "{}", refused.body);
        let refused = milo.post(&path, &[("body", "Are you safe tonight? 💛"), ("check_in_days", "99")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("from 1 to 14") && refused.body.contains("Are you safe tonight? 💛"), "{}", refused.body);
        assert_eq!(milo.post(&path, &[("body", "hi"), ("extra", "x")]).await.status, 422, "unknown fields are refused");

        let sent = milo.post(&path, &[("body", "Are you safe tonight? 💛"), ("check_in_days", "1")]).await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        let conversation = sent.location().to_owned();
        assert!(conversation.starts_with("/messages/"), "{conversation}");
        let id = conversation.trim_start_matches("/messages/").to_owned();

        // The author is told at once and answers.
        let (_, notes) = send(&server, Method::GET, "/api/v1/notifications", Some(&hazel), None).await;
        assert!(notes.to_string().contains("A moderator, mod_milo, wrote to you about your post in “Rough night”"), "{notes}");
        let (status, body) = send(&server, Method::POST, &format!("/api/v1/conversations/{id}/messages"), Some(&hazel), Some(json!({"body": "Not great. Thank you for asking."}))).await;
        assert_eq!(status, 201, "{body}");

        // Nowhere the moderator looks names them.
        let page = milo.get(&conversation).await;
        assert!(page.body.contains("Not great. Thank you for asking.") && page.body.contains("The author of “Rough night”"), "{}", page.body);
        let (_, listed) = send(&server, Method::GET, "/api/v1/conversations", Some(&milo_token), None).await;
        let (_, opened) = send(&server, Method::GET, &format!("/api/v1/conversations/{id}"), Some(&milo_token), None).await;
        let (_, messages) = send(&server, Method::GET, &format!("/api/v1/conversations/{id}"), Some(&hazel), None).await;
        let their_message = messages["messages"][1]["id"].as_str().unwrap().to_owned();
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/conversations/{id}/reports"), Some(&milo_token), Some(json!({"messages": [their_message], "reason": "checking"}))).await;
        assert_eq!(status, 201);
        let (_, reports) = send(&server, Method::GET, "/api/v1/moderation/message-reports", Some(&milo_token), None).await;
        for (what, seen) in [
            ("the conversation page", page.body.clone()),
            ("the inbox", milo.get("/messages").await.body),
            ("the reports page", milo.get("/moderation/messages").await.body),
            ("the queue", milo.get("/moderation").await.body),
            ("the API's list", listed.to_string()),
            ("the API's conversation", opened.to_string()),
            ("the API's reports", reports.to_string()),
        ] {
            assert!(!seen.contains("hidden_hazel"), "{what} names the author: {seen}");
            assert!(seen.contains("The author of “Rough night”") || seen.contains("The author of \\u201cRough night\\u201d"), "{what}: {seen}");
        }
        // The author sees who wrote.
        assert!(messages.to_string().contains("mod_milo"));

        // The check-in: listed, then reminded a day later.
        assert!(milo.get("/moderation").await.body.contains("Your check-ins"));
        let (_, check_ins) = send(&server, Method::GET, "/api/v1/moderation/check-ins", Some(&milo_token), None).await;
        assert_eq!(check_ins["check_ins"].as_array().unwrap().len(), 1, "{check_ins}");
        assert_eq!(mutual_app::people::care::run_due_check_ins(&server.app).await.unwrap(), 0, "not due yet");
        server.clock.advance(Duration::from_secs(24 * 3600));
        assert_eq!(mutual_app::people::care::run_due_check_ins(&server.app).await.unwrap(), 1);
        assert_eq!(mutual_app::people::care::run_due_check_ins(&server.app).await.unwrap(), 0, "once");
        // A day on, the moderator signs in again.
        let mut milo = logged_in(&server, "mod_milo").await;
        let notifications = milo.get("/notifications").await.body;
        assert!(notifications.contains("Time to check in with the author of “Rough night”"), "{notifications}");
        assert!(!milo.get("/moderation").await.body.contains("Your check-ins"));

        // The API: a named author, a check-in called off, and bad input.
        let (status, body) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{named_post}/message"), Some(&milo_token), Some(json!({"body": "Checking in", "check_in_days": 3}))).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["shown_as"], "plain_pat");
        let (_, check_ins) = send(&server, Method::GET, "/api/v1/moderation/check-ins", Some(&milo_token), None).await;
        let check_in = check_ins["check_ins"][0]["id"].as_str().unwrap().to_owned();
        let (status, _) = send(&server, Method::DELETE, &format!("/api/v1/moderation/check-ins/{check_in}"), Some(&milo_token), None).await;
        assert_eq!(status, 204);
        let (status, _) = send(&server, Method::DELETE, &format!("/api/v1/moderation/check-ins/{check_in}"), Some(&milo_token), None).await;
        assert_eq!(status, 404);
        for bad in [json!({"body": ""}), json!({"body": "hi", "check_in_days": 15}), json!({"body": "hi", "extra": 1}), json!({"body": 5})] {
            let (status, body) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{post}/message"), Some(&milo_token), Some(bad.clone())).await;
            assert!(status == 422 || status == 400, "{bad}: {status} {body}");
        }
        // Members cannot, and nobody writes to their own post.
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{post}/message"), Some(&pat), Some(json!({"body": "hi"}))).await;
        assert!(status == 403 || status == 404, "{status}");
        let own = start_thread(&server, &milo_token, &space, json!({"title": "Mine", "body": "Hello"})).await;
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{}/message", own["post_id"].as_str().unwrap()), Some(&milo_token), Some(json!({"body": "hi"}))).await;
        assert_eq!(status, 404);

        // Logged for the admins, without naming the author.
        let hazel_id = mutual_store::accounts::find_user_by_username(&server.app.db, "hidden_hazel").await.unwrap().unwrap().id;
        let about_hazel = mutual_store::audit::list_audit_events_by_user(&server.app.db, hazel_id).await.unwrap();
        assert!(about_hazel.iter().all(|e| e.action != "wrote_to_author"), "the log does not name the author");
        let milo_id = mutual_store::accounts::find_user_by_username(&server.app.db, "mod_milo").await.unwrap().unwrap().id;
        let by_milo = mutual_store::audit::list_audit_events_by_user(&server.app.db, milo_id).await.unwrap();
        assert_eq!(by_milo.iter().filter(|e| e.action == "wrote_to_author").count(), 2);
        server.stop().await;
    }
}
