//! Anonymity by construction: an anonymous author, edited, flagged, moderated, sanctioned and
//! appealing, is named by no page, history, API answer, notification or moderation tool a
//! moderator can open; only an admin's reveal names them, and it is audit-logged.

use crate::community::{logged_in, reply, send, space_id, start_thread};
use crate::support::TestServer;
use mutual_domain::permissions::Role;
use mutual_testkit::both_backends;
use reqwest::Method;
use serde_json::json;

async fn reveals(server: &TestServer, author: mutual_domain::UserId) -> usize {
    mutual_store::audit::list_audit_events_by_user(&server.app.db, author)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "anonymous_author_revealed")
        .count()
}

both_backends! {
    async fn moderators_never_learn_an_anonymous_author_and_only_an_audited_reveal_names_them(database) {
        let server = TestServer::start(database).await;
        server.register("hidden_hazel").await;
        server.register("open_reader").await;
        server.member_with_role("mod_milo", Role::Moderator).await;
        server.member_with_role("admin_ann", Role::Admin).await;
        let hazel = server.token("hidden_hazel").await;
        let reader = server.token("open_reader").await;
        let moderator = server.token("mod_milo").await;
        let hazel_id = mutual_store::accounts::find_user_by_username(&server.app.db, "hidden_hazel").await.unwrap().unwrap().id;
        let space = space_id(&server, &hazel, "Struggles and slips").await;

        // An anonymous thread, an anonymous reply (mentioning the reader) in someone else's
        // thread, both edited by their author.
        let own = start_thread(&server, &hazel, &space, json!({"title": "Quietly asking", "body": "Is it normal to feel numb?", "anonymous": true})).await;
        let own_thread = own["thread_id"].as_str().unwrap().to_owned();
        let own_post = own["post_id"].as_str().unwrap().to_owned();
        let open = start_thread(&server, &reader, &space, json!({"title": "Open thread", "body": "Say hello"})).await;
        let thread = open["thread_id"].as_str().unwrap().to_owned();
        let (status, secret) = reply(&server, &hazel, &thread, json!({"body": "Hello @open_reader, numb here too", "anonymous": true})).await;
        assert_eq!(status, 201, "{secret}");
        let post = secret["post_id"].as_str().unwrap().to_owned();
        let mut author = logged_in(&server, "hidden_hazel").await;
        for id in [&post, &own_post] {
            let edited = author.submit(&format!("/posts/{id}/edit"), &[("body", "Edited: numb, but here")]).await;
            assert!(edited.status < 400, "{}", edited.body);
        }

        // Flagged, edited and warned by a moderator, appealed by the author.
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/posts/{post}/flags"), Some(&reader), Some(json!({"reason": "other", "note": "checking"}))).await;
        assert_eq!(status, 201);
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/posts/{own_post}/flags"), Some(&reader), Some(json!({"reason": "other"}))).await;
        assert_eq!(status, 201);
        let (status, body) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{own_post}"), Some(&moderator), Some(json!({"action": "edit", "body": "Trimmed by a moderator", "reason": "Trimmed"}))).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{own_post}"), Some(&moderator), Some(json!({"action": "warn_author", "reason": "Please add a content warning"}))).await;
        assert_eq!(status, 200, "{body}");
        let (_, standing) = send(&server, Method::GET, "/api/v1/standing", Some(&hazel), None).await;
        let sanction = standing["sanctions"][0]["id"].as_str().unwrap().to_owned();
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/sanctions/{sanction}/appeal"), Some(&hazel), Some(json!({"appeal": "I will"}))).await;
        assert_eq!(status, 201);

        // Everything a moderator can open where these posts appear.
        let mut milo = logged_in(&server, "mod_milo").await;
        let mut seen = Vec::new();
        for path in [
            format!("/moderation/posts/{post}/history"),
            format!("/moderation/posts/{own_post}/history"),
            "/moderation".to_owned(),
            "/moderation/log".to_owned(),
            "/moderation/appeals".to_owned(),
            format!("/threads/{thread}"),
            format!("/threads/{own_thread}"),
            format!("/spaces/{space}"),
            "/community?q=numb".to_owned(),
            "/notifications".to_owned(),
        ] {
            let page = milo.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            seen.push((path, page.body));
        }
        for path in [
            "/api/v1/moderation/queue".to_owned(),
            "/api/v1/moderation/appeals".to_owned(),
            format!("/api/v1/threads/{thread}"),
            format!("/api/v1/threads/{own_thread}"),
            format!("/api/v1/spaces/{space}/threads"),
            "/api/v1/search?q=numb".to_owned(),
            "/api/v1/notifications".to_owned(),
            "/api/v1/me/export".to_owned(),
        ] {
            let (status, body) = send(&server, Method::GET, &path, Some(&moderator), None).await;
            assert_eq!(status, 200, "{path}");
            seen.push((path, body.to_string()));
        }
        // And what the reader (mentioned, replied to) is told.
        let (_, told) = send(&server, Method::GET, "/api/v1/notifications", Some(&reader), None).await;
        assert!(told.to_string().contains("Anonymous member replied"), "{told}");
        seen.push(("the reader's notifications".to_owned(), told.to_string()));
        let history = &seen[0].1;
        assert!(history.contains("Changed") && history.contains("by Anonymous member"), "{history}");
        assert!(seen[1].1.contains("by mod_milo"), "a moderator's edit names the moderator: {}", seen[1].1);
        for (path, body) in &seen {
            assert!(!body.contains("hidden_hazel"), "{path} names the anonymous author: {body}");
            assert!(!body.contains(&hazel_id.to_string()), "{path} holds the anonymous author's id");
        }
        assert_eq!(reveals(&server, hazel_id).await, 0, "nothing but the reveal is a reveal");

        // The admin's reveal is the way, and it is audit-logged.
        let mut admin = logged_in(&server, "admin_ann").await;
        let history = admin.get(&format!("/moderation/posts/{post}/history")).await;
        assert!(!history.body.contains("hidden_hazel"));
        let revealed = admin.post(&format!("/moderation/posts/{post}/reveal"), &[]).await;
        assert_eq!(revealed.status, 200);
        assert!(revealed.body.contains("<strong>hidden_hazel</strong>"), "{}", revealed.body);
        assert_eq!(reveals(&server, hazel_id).await, 1);
        let audit = admin.get("/admin/audit").await;
        assert!(audit.body.contains("anonymous_author_revealed"), "the admin reads the reveal in the audit log");
        server.stop().await;
    }
}

both_backends! {
    async fn an_erased_authors_anonymous_thread_loses_its_title_and_keeps_others_replies(database) {
        let server = TestServer::start(database).await;
        server.register("leaving_lark").await;
        server.register("staying_sam").await;
        let lark = server.token("leaving_lark").await;
        let sam = server.token("staying_sam").await;
        let space = space_id(&server, &lark, "Struggles and slips").await;
        let posted = start_thread(&server, &lark, &space, json!({"title": "Marigold relapse question", "body": "Marigold details", "anonymous": true})).await;
        let thread = posted["thread_id"].as_str().unwrap().to_owned();
        let (status, _) = reply(&server, &sam, &thread, json!({"body": "You are not alone, friend"})).await;
        assert_eq!(status, 201);
        let (_, before) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&sam), None).await;
        assert!(before.to_string().contains("Marigold relapse question"));

        let mut lark_browser = logged_in(&server, "leaving_lark").await;
        let deleted = lark_browser.post("/settings/delete", &[("password", crate::support::PASSWORD)]).await;
        assert_eq!(deleted.status, 200, "{}", deleted.body);

        let (status, after) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&sam), None).await;
        assert_eq!(status, 200, "others' replies stay readable: {after}");
        let text = after.to_string();
        assert!(!text.contains("Marigold"), "the erased author's title and body are gone: {text}");
        assert_eq!(after["thread"]["title"], mutual_store::community::ERASED_THREAD_TITLE, "{after}");
        assert!(text.contains("You are not alone, friend"), "{text}");
        let mut sam_browser = logged_in(&server, "staying_sam").await;
        for path in [format!("/threads/{thread}"), format!("/spaces/{space}"), "/community?q=marigold".to_owned()] {
            let page = sam_browser.get(&path).await;
            assert!(!page.body.contains("Marigold"), "{path} still shows the erased title");
        }
        let (_, list) = send(&server, Method::GET, &format!("/api/v1/spaces/{space}/threads"), Some(&sam), None).await;
        assert!(!list.to_string().contains("Marigold"), "{list}");
        assert!(list.to_string().contains(mutual_store::community::ERASED_THREAD_TITLE), "{list}");
        server.stop().await;
    }
}
