//! A member's standing over HTTP: warnings, silences that end, suspensions and removals from the
//! community with reasons the member reads, appeals and answers (never outing an anonymous
//! author), and blocks that hide posts, threads, search results and notifications both ways.

use crate::community::{logged_in, make_trusted, reply, send, space_id, start_thread};
use crate::support::{PASSWORD, TestServer};
use mutual_domain::permissions::Role;
use mutual_testkit::both_backends;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

async fn decide(server: &TestServer, token: &str, post: &str, body: Value) -> (u16, Value) {
    send(
        server,
        Method::POST,
        &format!("/api/v1/moderation/posts/{post}"),
        Some(token),
        Some(body),
    )
    .await
}

async fn standing(server: &TestServer, token: &str) -> Vec<Value> {
    let (status, body) = send(server, Method::GET, "/api/v1/standing", Some(token), None).await;
    assert_eq!(status, 200, "{body}");
    body["sanctions"].as_array().unwrap().clone()
}

both_backends! {
    async fn sanctions_stop_what_they_say_and_members_can_appeal(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("fern_mod", Role::Moderator).await;
        server.member_with_role("gale_mod", Role::Moderator).await;
        server.register("rowan_member").await;
        server.register("quinn_member").await;
        let moderator = server.token("fern_mod").await;
        let rowan = server.token("rowan_member").await;
        let quinn = server.token("quinn_member").await;
        let space = space_id(&server, &rowan, "Daily check-in").await;
        let posted = start_thread(&server, &rowan, &space, json!({"title": "Day one", "body": "Starting again today"})).await;
        let thread = posted["thread_id"].as_str().unwrap().to_owned();
        let rowan_post = posted["post_id"].as_str().unwrap().to_owned();
        assert!(standing(&server, &rowan).await.is_empty());
        let page = logged_in(&server, "rowan_member").await.get("/community/standing").await;
        assert!(page.body.contains("You are in good standing"), "{}", page.body);

        // A warning needs a reason, is recorded, and stops nothing.
        let (status, body) = decide(&server, &moderator, &rowan_post, json!({"action": "warn_author"})).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.to_string().contains("the author sees it"), "{body}");
        let (status, body) = decide(&server, &moderator, &rowan_post, json!({"action": "warn_author", "reason": "Please keep it kind"})).await;
        assert_eq!(status, 200, "{body}");
        let sanctions = standing(&server, &rowan).await;
        assert_eq!(sanctions.len(), 1);
        assert_eq!(sanctions[0]["kind"], "warn");
        assert_eq!(sanctions[0]["reason"], "Please keep it kind");
        assert_eq!(sanctions[0]["in_force"], false);
        let (status, _) = reply(&server, &rowan, &thread, json!({"body": "Still posting after a warning"})).await;
        assert_eq!(status, 201);

        // A silence needs a length, stops posting and reacting but not reading or flagging, and ends.
        for days in [json!(0), json!(91)] {
            let (status, body) = decide(&server, &moderator, &rowan_post, json!({"action": "silence_author", "reason": "Cooling off", "days": days})).await;
            assert_eq!(status, 422, "{body}");
            assert!(body.to_string().contains("from 1 to 90"), "{body}");
        }
        let (status, body) = decide(&server, &moderator, &rowan_post, json!({"action": "silence_author", "reason": "Cooling off", "days": "three"})).await;
        assert!(status == 422 || status == 400, "{status} {body}");
        let (status, _) = decide(&server, &moderator, &rowan_post, json!({"action": "silence_author", "reason": "Cooling off", "days": 3})).await;
        assert_eq!(status, 200);
        let quinn_thread = start_thread(&server, &quinn, &space, json!({"title": "Evening", "body": "Quiet night in"})).await;
        let quinn_post = quinn_thread["post_id"].as_str().unwrap().to_owned();
        let (status, body) = reply(&server, &rowan, &thread, json!({"body": "Posting while silenced"})).await;
        assert_eq!(status, 403, "{body}");
        assert!(body.to_string().contains("paused your posting"), "{body}");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/posts/{quinn_post}/reactions"), Some(&rowan), Some(json!({"kind": "support"}))).await;
        assert_eq!(status, 403);
        let mut rowan_page = logged_in(&server, "rowan_member").await;
        let refused = rowan_page.post(&format!("/threads/{thread}/replies"), &[("body", "Words I typed while silenced")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("Words I typed while silenced"), "the form keeps the text");
        assert!(refused.body.contains("paused your posting"));
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&rowan), None).await;
        assert_eq!(status, 200, "a silenced member still reads");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/posts/{quinn_post}/flags"), Some(&rowan), Some(json!({"reason": "other"}))).await;
        assert_eq!(status, 201, "a silenced member can still flag");
        let silence = &standing(&server, &rowan).await[0];
        assert_eq!(silence["kind"], "silence");
        assert_eq!(silence["in_force"], true);
        assert!(silence["ends_at"].is_string());
        server.clock.advance(Duration::from_secs(3 * 24 * 3600 + 60));
        let (status, _) = reply(&server, &rowan, &thread, json!({"body": "Back after the silence"})).await;
        assert_eq!(status, 201, "a silence ends by itself");

        // Only admins sanction moderators.
        let gale = server.token("gale_mod").await;
        let gale_thread = start_thread(&server, &gale, &space, json!({"title": "Moderator here", "body": "Hello all"})).await;
        let (status, _) = decide(&server, &moderator, gale_thread["post_id"].as_str().unwrap(), json!({"action": "warn_author", "reason": "No"})).await;
        assert_eq!(status, 403);

        // A removal from an anonymous post: the community closes, the member's own tools stay,
        // and neither the audit log nor the appeal names them.
        let anonymous = start_thread(&server, &quinn, &space, json!({"title": "Hard week", "body": "Selling my old stuff cheap", "anonymous": true})).await;
        let (status, _) = decide(&server, &moderator, anonymous["post_id"].as_str().unwrap(), json!({"action": "ban_author", "reason": "Selling is not allowed here"})).await;
        assert_eq!(status, 200);
        let mut quinn_page = logged_in(&server, "quinn_member").await;
        let closed = quinn_page.get("/community").await;
        assert_eq!(closed.status, 403);
        assert!(closed.body.contains("removed you from the community"), "{}", closed.body);
        let (status, _) = send(&server, Method::GET, "/api/v1/spaces", Some(&quinn), None).await;
        assert_eq!(status, 403);
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&quinn), None).await;
        assert_eq!(status, 403);
        assert_eq!(quinn_page.get("/dashboard").await.status, 200, "their recovery tools stay theirs");
        let page = quinn_page.get("/community/standing").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Removed from the community") && page.body.contains("Selling is not allowed here"));
        let quinn_id = mutual_store::accounts::find_user_by_username(&server.app.db, "quinn_member").await.unwrap().unwrap().id;
        let events = mutual_store::audit::list_audit_events_by_user(&server.app.db, quinn_id).await.unwrap();
        assert!(!events.iter().any(|e| e.action == "sanctioned"), "a sanction from an anonymous post does not name its author");

        let ban = standing(&server, &quinn).await[0].clone();
        let ban_id = ban["id"].as_str().unwrap();
        let empty = quinn_page.post(&format!("/community/standing/{ban_id}/appeal"), &[("appeal", "   ")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("Please write a few words"));
        let long = "é".repeat(2001);
        let (status, body) = send(&server, Method::POST, &format!("/api/v1/sanctions/{ban_id}/appeal"), Some(&quinn), Some(json!({"appeal": long}))).await;
        assert_eq!(status, 422, "{body}");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/sanctions/{ban_id}/appeal"), Some(&rowan), Some(json!({"appeal": "Not mine"}))).await;
        assert_eq!(status, 404, "only the member appeals their own sanction");
        let sent = quinn_page.post(&format!("/community/standing/{ban_id}/appeal"), &[("appeal", "I was selling a bike, not drugs 🚲")]).await;
        assert_eq!(sent.status, 303);
        let (status, body) = send(&server, Method::POST, &format!("/api/v1/sanctions/{ban_id}/appeal"), Some(&quinn), Some(json!({"appeal": "Again"}))).await;
        assert_eq!(status, 409, "{body}");
        let (status, body) = send(&server, Method::POST, &format!("/api/v1/sanctions/{ban_id}/appeal"), Some(&quinn), Some(json!({"appeal": "x", "extra": 1}))).await;
        assert_eq!(status, 422, "{body}");

        let (status, appeals) = send(&server, Method::GET, "/api/v1/moderation/appeals", Some(&moderator), None).await;
        assert_eq!(status, 200);
        assert_eq!(appeals["appeals"][0]["member"], "Anonymous member");
        assert_eq!(appeals["appeals"][0]["appeal"], "I was selling a bike, not drugs 🚲");
        assert!(!appeals.to_string().contains("quinn_member"), "{appeals}");
        let mut moderator_page = logged_in(&server, "fern_mod").await;
        let listed = moderator_page.get("/moderation/appeals").await;
        assert!(listed.body.contains("I was selling a bike") && !listed.body.contains("quinn_member"));
        let (status, _) = send(&server, Method::GET, "/api/v1/moderation/appeals", Some(&rowan), None).await;
        assert_eq!(status, 403);
        let unanswered = moderator_page.post(&format!("/moderation/appeals/{ban_id}"), &[("answer", "Thanks for explaining"), ("outcome", "maybe")]).await;
        assert_eq!(unanswered.status, 422);
        assert!(unanswered.body.contains("Thanks for explaining"), "the answer is kept");
        let (status, body) = send(&server, Method::POST, &format!("/api/v1/moderation/appeals/{ban_id}"), Some(&moderator), Some(json!({"answer": "Thanks for explaining. Welcome back.", "outcome": "lift"}))).await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/appeals/{ban_id}"), Some(&moderator), Some(json!({"answer": "Twice", "outcome": "uphold"}))).await;
        assert_eq!(status, 409);
        let (status, _) = send(&server, Method::GET, "/api/v1/spaces", Some(&quinn), None).await;
        assert_eq!(status, 200, "a lifted removal opens the community again");
        let answered = &standing(&server, &quinn).await[0];
        assert_eq!(answered["answer"], "Thanks for explaining. Welcome back.");
        assert!(answered["lifted_at"].is_string());
        let (_, notes) = send(&server, Method::GET, "/api/v1/notifications", Some(&quinn), None).await;
        let notes = notes.to_string();
        assert!(notes.contains("sanction") && notes.contains("lifted the sanction"), "{notes}");

        // A suspension closes the account with the reason shown at sign-in; lifting it on appeal
        // reopens it.
        let (status, _) = decide(&server, &moderator, &rowan_post, json!({"action": "suspend_author", "reason": "Repeated harassment"})).await;
        assert_eq!(status, 200);
        let (status, _) = send(&server, Method::GET, "/api/v1/standing", Some(&rowan), None).await;
        assert_eq!(status, 401, "the suspended member's sessions ended");
        let refused = server.sign_in("rowan_member", PASSWORD).await.text().await.unwrap();
        assert!(refused.contains("Repeated harassment") && refused.contains("/appeal"), "{refused}");
        // Suspended members cannot sign in, so they appeal with their pseudonym and password.
        let mut outside = server.visitor();
        let login = outside.post("/login", &[("username", "rowan_member"), ("password", PASSWORD)]).await;
        assert!(login.body.contains("href=\"/appeal\""), "the sign-in page offers the appeal");
        let wrong = outside.post("/appeal", &[("username", "rowan_member"), ("password", "not my password at all"), ("appeal", "Please reconsider")]).await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("Please reconsider"), "the words are kept");
        let not_suspended = outside.post("/appeal", &[("username", "quinn_member"), ("password", PASSWORD), ("appeal", "Hello")]).await;
        assert!(not_suspended.status == 422 && not_suspended.body.contains("not suspended"));
        let sent = outside.post("/appeal", &[("username", "rowan_member"), ("password", PASSWORD), ("appeal", "Please reconsider")]).await;
        assert_eq!(sent.status, 303);
        let again = outside.post("/appeal", &[("username", "rowan_member"), ("password", PASSWORD), ("appeal", "Again")]).await;
        assert!(again.status == 422 && again.body.contains("already appealed"));
        let (_, appeals) = send(&server, Method::GET, "/api/v1/moderation/appeals", Some(&moderator), None).await;
        let suspension = appeals["appeals"].as_array().unwrap().iter().find(|a| a["kind"] == "suspend").unwrap().clone();
        assert_eq!(suspension["appeal"], "Please reconsider");
        assert_eq!(suspension["member"], "rowan_member");
        let suspension_id = suspension["id"].as_str().unwrap();
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/appeals/{suspension_id}"), Some(&moderator), Some(json!({"answer": "Reopened", "outcome": "lift"}))).await;
        assert_eq!(status, 200);
        assert_eq!(server.sign_in("rowan_member", PASSWORD).await.status(), 201, "a lifted suspension reopens the account");
        server.stop().await;
    }
}

both_backends! {
    async fn blocks_hide_posts_threads_searches_and_notifications_both_ways(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("oak_mod", Role::Moderator).await;
        for name in ["ash_member", "birch_member", "cedar_member"] {
            server.register(name).await;
            make_trusted(&server, name).await;
        }
        let ash = server.token("ash_member").await;
        let birch = server.token("birch_member").await;
        let cedar = server.token("cedar_member").await;
        let space = space_id(&server, &ash, "Off topic").await;
        let posted = start_thread(&server, &ash, &space, json!({"title": "Garden photos", "body": "My tomatoes are in"})).await;
        let thread = posted["thread_id"].as_str().unwrap().to_owned();
        let ash_post = posted["post_id"].as_str().unwrap().to_owned();
        let (status, _) = reply(&server, &birch, &thread, json!({"body": "Lovely zucchiniwords"})).await;
        assert_eq!(status, 201);

        // Bad blocks are refused with a message.
        for (username, message) in [("nobody_here", "No member you can block goes by “nobody_here”"), ("ash_member", "cannot block yourself")] {
            let (status, body) = send(&server, Method::POST, "/api/v1/blocks", Some(&ash), Some(json!({"username": username}))).await;
            assert_eq!(status, 422, "{body}");
            assert!(body.to_string().contains(message), "{body}");
        }
        // Blocking a moderator answers as blocking anyone does, so nobody learns who is staff, and
        // it does nothing to their duties: they still read the member's posts and reach them.
        let (status, body) = send(&server, Method::POST, "/api/v1/blocks", Some(&cedar), Some(json!({"username": "oak_mod"}))).await;
        assert_eq!(status, 201, "{body}");
        let oak = server.token("oak_mod").await;
        let (status, body) = send(&server, Method::POST, "/api/v1/conversations", Some(&oak), Some(json!({"to": ["cedar_member"], "body": "A word from the moderators"}))).await;
        assert_eq!(status, 201, "{body}");
        let (status, _) = send(&server, Method::POST, "/api/v1/blocks", Some(&ash), Some(json!({"username": "birch_member", "reason": "x"}))).await;
        assert_eq!(status, 422);
        let mut ash_page = logged_in(&server, "ash_member").await;
        let refused = ash_page.post("/community/blocked", &[("username", "no such pseudonym ✨")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("no such pseudonym ✨"), "the form keeps what was typed");
        let prefilled = ash_page.get("/community/blocked?username=birch_member").await;
        assert!(prefilled.body.contains("value=\"birch_member\""));
        let blocked = ash_page.post("/community/blocked", &[("username", " Birch_Member ")]).await;
        assert_eq!(blocked.status, 303);
        let (_, list) = send(&server, Method::GET, "/api/v1/blocks", Some(&ash), None).await;
        assert_eq!(list["blocked"][0]["username"], "birch_member");

        // Posts are hidden both ways; others see everything.
        let (_, seen) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&ash), None).await;
        assert!(seen["posts"][1]["body"].is_null() && seen["posts"][1]["placeholder"].as_str().unwrap().contains("you blocked"), "{seen}");
        assert!(!ash_page.get(&format!("/threads/{thread}")).await.body.contains("zucchiniwords"));
        // The blocked member sees nothing of the blocker, and nothing that says a block exists.
        let (_, seen) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&birch), None).await;
        let posts = seen["posts"].as_array().unwrap();
        assert_eq!(posts.len(), 1, "only their own reply: {seen}");
        assert_eq!(posts[0]["body"], "Lovely zucchiniwords");
        let birch_page = logged_in(&server, "birch_member").await.get(&format!("/threads/{thread}")).await.body;
        assert!(!birch_page.contains("tomatoes") && !birch_page.to_lowercase().contains("block"), "{birch_page}");
        let (_, seen) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&cedar), None).await;
        assert_eq!(seen["posts"][1]["body"], "Lovely zucchiniwords");

        // Threads and search results from the other side are left out.
        start_thread(&server, &birch, &space, json!({"title": "Bread baking", "body": "Sourdough starterwords"})).await;
        let listed = |token: String| { let server = &server; let space = space.clone(); async move {
            let (_, threads) = send(server, Method::GET, &format!("/api/v1/spaces/{space}/threads"), Some(&token), None).await;
            threads.to_string().contains("Bread baking")
        }};
        assert!(!listed(ash.clone()).await);
        assert!(listed(cedar.clone()).await);
        let (_, found) = send(&server, Method::GET, "/api/v1/search?q=starterwords", Some(&ash), None).await;
        assert_eq!(found["results"].as_array().unwrap().len(), 0, "{found}");
        let (_, found) = send(&server, Method::GET, "/api/v1/search?q=starterwords", Some(&cedar), None).await;
        assert_eq!(found["results"].as_array().unwrap().len(), 1, "{found}");

        // Anonymous posts stay visible both ways (hiding them would say who wrote them).
        let (status, _) = reply(&server, &birch, &thread, json!({"body": "Anonymous kindness", "anonymous": true})).await;
        assert_eq!(status, 201);
        let (_, seen) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&ash), None).await;
        assert_eq!(seen["posts"][2]["body"], "Anonymous kindness");

        // No replies, mentions, quotes or reactions reach across the block; others' still do.
        let (_, before) = send(&server, Method::GET, "/api/v1/notifications", Some(&ash), None).await;
        let before = before["notifications"].as_array().unwrap().len();
        let (status, _) = reply(&server, &birch, &thread, json!({"body": "Hey @ash_member", "quoted_post": ash_post})).await;
        assert_eq!(status, 201);
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/posts/{ash_post}/reactions"), Some(&birch), Some(json!({"kind": "support"}))).await;
        assert_eq!(status, 201);
        let (_, after) = send(&server, Method::GET, "/api/v1/notifications", Some(&ash), None).await;
        let fresh: Vec<&Value> = after["notifications"].as_array().unwrap().iter().take(after["notifications"].as_array().unwrap().len() - before).collect();
        assert!(fresh.iter().all(|n| !n["body"].as_str().unwrap().contains("birch_member")), "{after}");
        let (status, _) = reply(&server, &cedar, &thread, json!({"body": "Hi @ash_member"})).await;
        assert_eq!(status, 201);
        let (_, after) = send(&server, Method::GET, "/api/v1/notifications", Some(&ash), None).await;
        assert!(after.to_string().contains("cedar_member replied"), "{after}");

        // Lifting the block shows everything again.
        let (status, _) = send(&server, Method::DELETE, "/api/v1/blocks/birch_member", Some(&ash), None).await;
        assert_eq!(status, 204);
        let (_, seen) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&ash), None).await;
        assert_eq!(seen["posts"][1]["body"], "Lovely zucchiniwords");
        assert!(listed(ash.clone()).await);
        server.stop().await;
    }
}
