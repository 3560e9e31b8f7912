//! The community over HTTP: posting and reading, anonymity, private spaces, crisis language,
//! watched words, trust-level limits, flags and moderation, search, notifications, and bad input
//! refused clearly with nothing lost.

use crate::support::{TestServer, Visitor};
use mutual_domain::permissions::Role;
use mutual_testkit::both_backends;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 3600);

pub(crate) async fn send(
    server: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    server.api(method, path, token, body.as_ref()).await
}

/// The id of the space called `name`, as `token` sees the list.
pub(crate) async fn space_id(server: &TestServer, token: &str, name: &str) -> String {
    let (status, body) = send(server, Method::GET, "/api/v1/spaces", Some(token), None).await;
    assert_eq!(status, 200, "{body}");
    body["spaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no space {name}: {body}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn start_thread(
    server: &TestServer,
    token: &str,
    space: &str,
    body: Value,
) -> Value {
    let (status, posted) = send(
        server,
        Method::POST,
        &format!("/api/v1/spaces/{space}/threads"),
        Some(token),
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{posted}");
    posted
}

pub(crate) async fn reply(
    server: &TestServer,
    token: &str,
    thread: &str,
    body: Value,
) -> (u16, Value) {
    send(
        server,
        Method::POST,
        &format!("/api/v1/threads/{thread}/replies"),
        Some(token),
        Some(body),
    )
    .await
}

/// Makes a member old and active enough to be trusted (weightier flags, links allowed).
pub(crate) async fn make_trusted(server: &TestServer, name: &str) {
    let user = mutual_store::accounts::find_user_by_username(&server.app.db, name)
        .await
        .unwrap()
        .unwrap();
    let sql = "INSERT INTO community_activity (user_id, posts_read, days_visited, last_visit_day) \
               VALUES ($1, 1000, 100, 0)";
    match &server.app.db {
        mutual_store::Db::Sqlite(pool, _) => {
            sqlx::query(sql)
                .bind(user.id.0)
                .execute(pool)
                .await
                .unwrap();
        }
        mutual_store::Db::Postgres(pool) => {
            sqlx::query(sql)
                .bind(user.id.0)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    let joined = "UPDATE users SET created_at = 0 WHERE id = $1";
    match &server.app.db {
        mutual_store::Db::Sqlite(pool, _) => {
            sqlx::query(joined)
                .bind(user.id.0)
                .execute(pool)
                .await
                .unwrap();
        }
        mutual_store::Db::Postgres(pool) => {
            sqlx::query(joined)
                .bind(user.id.0)
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

pub(crate) async fn logged_in(server: &TestServer, name: &str) -> Visitor {
    let mut visitor = server.visitor();
    visitor.log_in(name).await;
    visitor
}

both_backends! {
    async fn members_post_reply_react_and_are_notified_while_visitors_see_nothing(database) {
        let server = TestServer::start(database).await;
        server.register("river_stone").await;
        server.register("sam_k").await;
        make_trusted(&server, "river_stone").await;
        let river = server.token("river_stone").await;
        let sam = server.token("sam_k").await;
        let (status, spaces) = send(&server, Method::GET, "/api/v1/spaces", Some(&river), None).await;
        assert_eq!(status, 200);
        let names: Vec<&str> = spaces["spaces"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Introductions", "Daily check-in", "Wins and milestones", "Struggles and slips", "Program talk", "Family and friends", "Off topic"]);
        let space = space_id(&server, &river, "Daily check-in").await;

        let count = |spaces: &Value| spaces["spaces"].as_array().unwrap().iter().find(|s| s["name"] == "Daily check-in").unwrap()["threads"].clone();
        assert_eq!(count(&spaces), 0);
        let posted = start_thread(&server, &river, &space, json!({"title": "Day 12", "body": "Rough morning, **better** now. <script>alert(1)</script> [x](javascript:alert(1))"})).await;
        let (_, spaces) = send(&server, Method::GET, "/api/v1/spaces", Some(&river), None).await;
        assert_eq!(count(&spaces), 1, "the counts kept in memory follow a new thread");
        assert_eq!(posted["crisis_resources_shown"], false);
        let thread = posted["thread_id"].as_str().unwrap().to_owned();
        let (status, answer) = reply(&server, &sam, &thread, json!({"body": "Proud of you @river_stone"})).await;
        assert_eq!(status, 201, "{answer}");
        assert_eq!(answer["seq"], 2);

        let (status, page) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&sam), None).await;
        assert_eq!(status, 200);
        let first = &page["posts"][0];
        assert_eq!(first["author"], "river_stone");
        let html = first["html"].as_str().unwrap();
        assert!(html.contains("<strong>better</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");

        let first_id = first["id"].as_str().unwrap().to_owned();
        let react = |kind: &'static str| json!({"kind": kind});
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/posts/{first_id}/reactions"), Some(&sam), Some(react("support"))).await;
        assert_eq!(status, 201);
        let (status, twice) = send(&server, Method::POST, &format!("/api/v1/posts/{first_id}/reactions"), Some(&sam), Some(react("support"))).await;
        assert_eq!(status, 409, "{twice}");
        assert!(twice["error"]["message"].as_str().unwrap().contains("already"));
        let (status, unknown) = send(&server, Method::POST, &format!("/api/v1/posts/{first_id}/reactions"), Some(&sam), Some(react("angry"))).await;
        assert_eq!(status, 422, "{unknown}");

        let (status, notes) = send(&server, Method::GET, "/api/v1/notifications", Some(&river), None).await;
        assert_eq!(status, 200);
        let bodies: Vec<&str> = notes["notifications"].as_array().unwrap().iter().map(|n| n["body"].as_str().unwrap()).collect();
        assert!(bodies.iter().any(|b| b.contains("sam_k replied in \"Day 12\"")), "{bodies:?}");
        assert!(bodies.iter().any(|b| b.contains("reacted to your post")), "{bodies:?}");
        assert_eq!(notes["unread"], 2, "the mention is covered by the reply notification: {bodies:?}");
        let mut browser = logged_in(&server, "river_stone").await;
        let dashboard = browser.get("/community").await;
        assert!(dashboard.body.contains("Notifications <span class=\"badge count\">2"), "the header shows the unread count");
        // From the page: one form per post, `kind` to give and `remove` to take back.
        let mut sam_page = logged_in(&server, "sam_k").await;
        let shown = sam_page.get(&format!("/threads/{thread}")).await.body;
        assert!(shown.contains("name=\"remove\" value=\"support\""), "the given reaction offers to take it back");
        assert_eq!(sam_page.post(&format!("/posts/{first_id}/reactions"), &[("kind", "thanks")]).await.status, 303);
        assert_eq!(sam_page.post(&format!("/posts/{first_id}/reactions"), &[("remove", "thanks")]).await.status, 303);
        let (_, read) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&sam), None).await;
        let counts = &read["posts"][0]["reactions"];
        assert_eq!(counts["support"]["count"], 1, "{counts}");
        assert_eq!(counts["thanks"]["count"], 0, "given and taken back: {counts}");

        // Visitors: no members' space, thread or search result.
        let (status, visible) = send(&server, Method::GET, "/api/v1/spaces", None, None).await;
        assert_eq!(status, 200);
        assert_eq!(visible["spaces"], json!([]));
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), None, None).await;
        assert_eq!(status, 401);
        let (status, found) = send(&server, Method::GET, "/api/v1/search?q=morning", None, None).await;
        assert_eq!(status, 200);
        assert_eq!(found["results"], json!([]));
        let page = server.visitor().get(&format!("/threads/{thread}")).await;
        assert_eq!(page.status, 303);
        assert!(page.location().starts_with("/login"));
        server.stop().await;
    }
}

both_backends! {
    async fn anonymous_posts_never_reveal_their_author_except_to_an_audited_admin_reveal(database) {
        let server = TestServer::start(database).await;
        server.register("quiet_fern").await;
        server.register("other_reader").await;
        server.member_with_role("mod_mira", Role::Moderator).await;
        server.member_with_role("admin_ada", Role::Admin).await;
        let fern = server.token("quiet_fern").await;
        let reader = server.token("other_reader").await;
        let space = space_id(&server, &fern, "Struggles and slips").await;
        let open = start_thread(&server, &reader, &space, json!({"title": "Weekend plans", "body": "Staying busy this weekend."})).await;
        let thread = open["thread_id"].as_str().unwrap().to_owned();
        let (status, secret) = reply(&server, &fern, &thread, json!({"body": "I slipped on Friday, feeling ashamed", "anonymous": true})).await;
        assert_eq!(status, 201, "{secret}");
        let secret_id = secret["post_id"].as_str().unwrap().to_owned();
        let own = start_thread(&server, &fern, &space, json!({"title": "Asking anonymously", "body": "Has anyone felt ashamed after a slip?", "anonymous": true})).await;
        let fern_id = mutual_store::accounts::find_user_by_username(&server.app.db, "quiet_fern").await.unwrap().unwrap().id.to_string();

        let (_, page) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&reader), None).await;
        let (_, list) = send(&server, Method::GET, &format!("/api/v1/spaces/{space}/threads"), Some(&reader), None).await;
        let (_, search) = send(&server, Method::GET, "/api/v1/search?q=ashamed", Some(&reader), None).await;
        let (_, by_author) = send(&server, Method::GET, "/api/v1/search?q=ashamed&author=quiet_fern", Some(&reader), None).await;
        let (_, notes) = send(&server, Method::GET, "/api/v1/notifications", Some(&reader), None).await;
        let (_, export) = send(&server, Method::GET, "/api/v1/me/export", Some(&reader), None).await;
        let mut browser = logged_in(&server, "other_reader").await;
        let html = browser.get(&format!("/threads/{thread}")).await.body;
        let space_html = browser.get(&format!("/spaces/{space}")).await.body;
        let search_html = browser.get("/community?q=ashamed").await.body;
        assert_eq!(search["results"].as_array().unwrap().len(), 2, "{search}");
        assert!(search["results"].as_array().unwrap().iter().all(|r| r["author"] == "Anonymous member"));
        assert_eq!(by_author["results"], json!([]), "an author filter never matches anonymous posts");
        assert_eq!(page["posts"][1]["author"], "Anonymous member");
        assert!(notes.to_string().contains("Anonymous member replied"), "{notes}");
        for (what, text) in [("thread", page.to_string()), ("list", list.to_string()), ("search", search.to_string()),
            ("notifications", notes.to_string()), ("export", export.to_string()), ("page", html), ("space page", space_html), ("search page", search_html)] {
            assert!(!text.contains("quiet_fern"), "{what} names the author: {text}");
            assert!(!text.contains(&fern_id), "{what} holds the author's id");
            assert!(text.contains("Anonymous member"), "{what} says who wrote it: anonymously");
        }
        // The author sees it is theirs; moderators act without seeing who.
        let (_, mine) = send(&server, Method::GET, &format!("/api/v1/threads/{}", own["thread_id"].as_str().unwrap()), Some(&fern), None).await;
        assert_eq!(mine["posts"][0]["own"], true);
        assert_eq!(mine["posts"][0]["author"], "Anonymous member");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/posts/{secret_id}/flags"), Some(&reader), Some(json!({"reason": "other"}))).await;
        assert_eq!(status, 201);
        let moderator = server.token("mod_mira").await;
        let (_, queue) = send(&server, Method::GET, "/api/v1/moderation/queue", Some(&moderator), None).await;
        assert_eq!(queue["items"][0]["author"], "Anonymous member");
        assert!(!queue.to_string().contains("quiet_fern"));
        let mut mod_browser = logged_in(&server, "mod_mira").await;
        assert!(!mod_browser.get("/moderation").await.body.contains("quiet_fern"));
        let history = mod_browser.get(&format!("/moderation/posts/{secret_id}/history")).await;
        assert!(!history.body.contains("Reveal the author"), "only admins can reveal");
        let refused = mod_browser.post(&format!("/moderation/posts/{secret_id}/reveal"), &[]).await;
        assert_eq!(refused.status, 403);

        let mut admin = logged_in(&server, "admin_ada").await;
        let revealed = admin.post(&format!("/moderation/posts/{secret_id}/reveal"), &[]).await;
        assert_eq!(revealed.status, 200);
        assert!(revealed.body.contains("<strong>quiet_fern</strong>"));
        let fern_uuid = uuid::Uuid::parse_str(&fern_id).unwrap();
        let events = mutual_store::audit::list_audit_events_by_user(&server.app.db, mutual_domain::UserId(fern_uuid)).await.unwrap();
        assert!(events.iter().any(|e| e.action == "anonymous_author_revealed"), "the reveal is audit-logged");
        server.stop().await;
    }
}

both_backends! {
    async fn crisis_language_is_published_shows_resources_and_alerts_moderators_first(database) {
        let server = TestServer::start(database).await;
        server.register("heavy_heart").await;
        server.register("a_reader").await;
        server.member_with_role("night_mod", Role::Moderator).await;
        let token = server.token("heavy_heart").await;
        let space = space_id(&server, &token, "Struggles and slips").await;
        let calm = start_thread(&server, &token, &space, json!({"title": "Cravings today", "body": "Cravings were strong but I rode them out."})).await;
        assert_eq!(calm["crisis_resources_shown"], false);
        let (status, flagged) = send(&server, Method::POST, &format!("/api/v1/posts/{}/flags", calm["post_id"].as_str().unwrap()),
            Some(&server.token("a_reader").await), Some(json!({"reason": "spam"}))).await;
        assert_eq!(status, 201, "{flagged}");
        let english = start_thread(&server, &token, &space, json!({"title": "Tonight", "body": "I honestly can't go on like this."})).await;
        assert_eq!(english["crisis_resources_shown"], true);
        assert!(!english["crisis_resources"].as_array().unwrap().is_empty(), "the resources come with the answer");
        let (status, spanish) = reply(&server, &token, english["thread_id"].as_str().unwrap(), json!({"body": "Ya no puedo más, quiero morir"})).await;
        assert_eq!(status, 201);
        assert_eq!(spanish["crisis_resources_shown"], true);
        assert_eq!(spanish["held_for_review"], false, "never blocked or held");

        let reader = server.token("a_reader").await;
        let (_, page) = send(&server, Method::GET, &format!("/api/v1/threads/{}", english["thread_id"].as_str().unwrap()), Some(&reader), None).await;
        assert!(page["posts"][0]["body"].as_str().unwrap().contains("can't go on"), "published for everyone");
        // No "Congratulations" under a crisis post, on the page or through the API; support is there.
        let crisis_post = english["post_id"].as_str().unwrap();
        let kinds: Vec<&str> = page["posts"][0]["reactions_offered"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert!(!kinds.contains(&"congrats") && kinds.contains(&"support"), "{kinds:?}");
        let (status, refused) = send(&server, Method::POST, &format!("/api/v1/posts/{crisis_post}/reactions"), Some(&reader), Some(json!({"kind": "congrats"}))).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["error"]["fields"][0]["field"], "kind", "{refused}");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/posts/{crisis_post}/reactions"), Some(&reader), Some(json!({"kind": "support"}))).await;
        assert_eq!(status, 201);
        let (_, calm_page) = send(&server, Method::GET, &format!("/api/v1/threads/{}", calm["thread_id"].as_str().unwrap()), Some(&reader), None).await;
        assert!(!calm_page["posts"][0]["reactions_offered"].to_string().contains("congrats"), "nor anywhere in Struggles and slips: {calm_page}");
        let elsewhere = crate::community::space_id(&server, &reader, "Introductions").await;
        let hello = start_thread(&server, &reader, &elsewhere, json!({"title": "Hello", "body": "Two weeks today."})).await;
        let (_, hello_page) = send(&server, Method::GET, &format!("/api/v1/threads/{}", hello["thread_id"].as_str().unwrap()), Some(&reader), None).await;
        assert!(hello_page["posts"][0]["reactions_offered"].to_string().contains("congrats"), "other spaces keep it: {hello_page}");
        let moderator = server.token("night_mod").await;
        let (_, queue) = send(&server, Method::GET, "/api/v1/moderation/queue", Some(&moderator), None).await;
        let items = queue["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{queue}");
        assert_eq!(items[0]["priority"], "crisis");
        assert_eq!(items[1]["priority"], "crisis");
        assert_eq!(items[2]["priority"], "normal", "the earlier spam flag comes after");
        let (_, notes) = send(&server, Method::GET, "/api/v1/notifications", Some(&moderator), None).await;
        assert!(notes["notifications"][0]["body"].as_str().unwrap().contains("may be from someone in crisis"));
        assert!(!notes.to_string().contains("can't go on"), "the notification carries no content");

        // On the page: the author sees the resources at once.
        server.clock.advance(Duration::from_secs(3601));
        let mut browser = logged_in(&server, "heavy_heart").await;
        let posted = browser.post(&format!("/spaces/{space}/threads"), &[("title", "Again"), ("body", "I want to end my life")]).await;
        assert_eq!(posted.status, 303);
        assert!(posted.location().contains("support=1"), "{}", posted.location());
        assert!(posted.location().ends_with("#support"), "the page opens on the offer, not the post: {}", posted.location());
        let shown = browser.get(posted.location()).await;
        assert!(shown.body.contains("You don't have to carry this alone"));
        let offer = shown.body.find("id=\"support\"").expect("the offer is reached at #support");
        let post = shown.body.find("id=\"p1\"").expect("the post is on the page");
        assert!(offer < post, "the offer comes before the post");
        assert!(shown.body[offer..post].contains("href=\"/reach-out\""), "Reach out is offered in it");
        assert!(shown.body.contains("Reach out"));
        assert!(shown.body.contains("href=\"tel:"), "crisis lines from /help are listed");
        assert!(!shown.body.contains("Congratulations"), "no Congratulations button under a crisis post");
        let struggles = browser.get(&format!("/spaces/{space}")).await;
        assert!(struggles.body.contains("not details of methods"), "safe-messaging guidance in the composer");
        server.stop().await;
    }
}

both_backends! {
    async fn private_spaces_are_invisible_until_a_moderator_lets_a_member_in(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("admin_ora", Role::Admin).await;
        server.register("insider").await;
        server.register("outsider").await;
        let mut admin = logged_in(&server, "admin_ora").await;
        admin.submit("/admin/spaces", &[("name", "Parents in recovery"), ("description", "A closed group"), ("visibility", "private"), ("position", "9"), ("guidance", "")]).await;
        admin.submit("/admin/spaces", &[("name", "Open notices"), ("description", "Anyone can read"), ("visibility", "public"), ("position", "10"), ("guidance", "")]).await;
        let admin_token = server.token("admin_ora").await;
        let private = space_id(&server, &admin_token, "Parents in recovery").await;
        let public = space_id(&server, &admin_token, "Open notices").await;
        let thread = start_thread(&server, &admin_token, &private, json!({"title": "Welcome parents", "body": "Naptime confessions welcome"})).await;
        start_thread(&server, &admin_token, &public, json!({"title": "Open notice", "body": "Everyone may read this notice"})).await;
        let thread_id = thread["thread_id"].as_str().unwrap();

        let outsider = server.token("outsider").await;
        let (_, spaces) = send(&server, Method::GET, "/api/v1/spaces", Some(&outsider), None).await;
        assert!(!spaces.to_string().contains("Parents in recovery"));
        for path in [format!("/api/v1/threads/{thread_id}"), format!("/api/v1/spaces/{private}/threads")] {
            let (status, _) = send(&server, Method::GET, &path, Some(&outsider), None).await;
            assert_eq!(status, 404, "{path}");
        }
        let (status, refused) = reply(&server, &outsider, thread_id, json!({"body": "let me in"})).await;
        assert_eq!(status, 404, "{refused}");
        let (_, found) = send(&server, Method::GET, "/api/v1/search?q=naptime", Some(&outsider), None).await;
        assert_eq!(found["results"], json!([]));
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/search?q=naptime&space={private}"), Some(&outsider), None).await;
        assert_eq!(status, 422, "a space one cannot see is not a filter");

        // Visitors read the public space only.
        let (_, visible) = send(&server, Method::GET, "/api/v1/spaces", None, None).await;
        assert_eq!(visible["spaces"].as_array().unwrap().len(), 1);
        let (_, found) = send(&server, Method::GET, "/api/v1/search?q=notice", None, None).await;
        assert_eq!(found["results"].as_array().unwrap().len(), 1);
        assert_eq!(server.visitor().get(&format!("/spaces/{public}")).await.status, 200);

        // Asking to join, being let in.
        let mut insider = logged_in(&server, "insider").await;
        let list = insider.get("/community").await;
        assert!(list.body.contains("Ask to join"));
        insider.submit(&format!("/spaces/{private}/join"), &[]).await;
        assert_eq!(insider.get(&format!("/spaces/{private}")).await.status, 404, "not before a moderator lets them in");
        let members = admin.get(&format!("/spaces/{private}/members")).await;
        assert!(members.body.contains("asked to join"));
        admin.submit(&format!("/spaces/{private}/members"), &[("username", "insider")]).await;
        let inside = insider.get(&format!("/spaces/{private}")).await;
        assert_eq!(inside.status, 200);
        assert!(inside.body.contains("Welcome parents"));
        let insider_token = server.token("insider").await;
        let (_, found) = send(&server, Method::GET, "/api/v1/search?q=naptime", Some(&insider_token), None).await;
        assert_eq!(found["results"].as_array().unwrap().len(), 1);

        // Someone taken off the list hears nothing more of its threads.
        let (status, _) = reply(&server, &insider_token, thread_id, json!({"body": "Glad to be here"})).await;
        assert_eq!(status, 201);
        let insider_id = mutual_store::accounts::find_user_by_username(&server.app.db, "insider").await.unwrap().unwrap().id;
        admin.submit(&format!("/spaces/{private}/members/{}/remove", insider_id.0), &[]).await;
        let (status, _) = reply(&server, &admin_token, thread_id, json!({"body": "Thank you @insider, and welcome all"})).await;
        assert_eq!(status, 201);
        let (_, notes) = send(&server, Method::GET, "/api/v1/notifications", Some(&insider_token), None).await;
        assert!(!notes.to_string().contains("Welcome parents"), "no reply or mention from a space they left: {notes}");

        // Moderating there logs without naming the private space.
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{}", thread["post_id"].as_str().unwrap()),
            Some(&admin_token), Some(json!({"action": "lock"}))).await;
        assert_eq!(status, 200);
        let log = insider.get("/moderation/log").await;
        assert!(log.body.contains("a private space"));
        assert!(!log.body.contains("Parents in recovery"));
        server.stop().await;
    }
}

both_backends! {
    async fn flags_from_trusted_members_hide_a_post_and_moderators_decide(database) {
        let server = TestServer::start(database).await;
        for name in ["poster_pat", "trusted_one", "trusted_two", "newbie_flagger"] {
            server.register(name).await;
        }
        server.member_with_role("mod_moe", Role::Moderator).await;
        make_trusted(&server, "trusted_one").await;
        make_trusted(&server, "trusted_two").await;
        let poster = server.token("poster_pat").await;
        let space = space_id(&server, &poster, "Off topic").await;
        let posted = start_thread(&server, &poster, &space, json!({"title": "Great deals", "body": "Buy cheap watches now"})).await;
        let post = posted["post_id"].as_str().unwrap().to_owned();
        let thread = posted["thread_id"].as_str().unwrap().to_owned();
        let flag = |reason: &str| json!({"reason": reason});
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/posts/{post}/flags"), Some(&server.token("newbie_flagger").await), Some(flag("spam"))).await;
        assert_eq!(status, 201);
        let (status, again) = send(&server, Method::POST, &format!("/api/v1/posts/{post}/flags"), Some(&server.token("newbie_flagger").await), Some(flag("spam"))).await;
        assert_eq!(status, 409, "{again}");
        let (status, bad) = send(&server, Method::POST, &format!("/api/v1/posts/{post}/flags"), Some(&poster), Some(flag("nonsense"))).await;
        assert_eq!(status, 422, "{bad}");
        let t1 = server.token("trusted_one").await;
        send(&server, Method::POST, &format!("/api/v1/posts/{post}/flags"), Some(&t1), Some(flag("spam"))).await;
        let (_, still) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&poster), None).await;
        assert_eq!(still["posts"][0]["state"], "published", "1 + 3 is not enough yet");
        send(&server, Method::POST, &format!("/api/v1/posts/{post}/flags"), Some(&server.token("trusted_two").await), Some(flag("spam"))).await;
        let (_, seen) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&t1), None).await;
        assert_eq!(seen["posts"][0]["state"], "hidden");
        assert!(seen["posts"][0]["body"].is_null(), "hidden from members pending review");
        assert_eq!(seen["posts"][0]["placeholder"], "This post was hidden by the moderators.");

        // A moderator restores it, then hides it for good with a reason, then locks the thread.
        let moderator = server.token("mod_moe").await;
        let decide = |action: &str, reason: &str| json!({"action": action, "reason": reason});
        let (status, missing) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{post}"), Some(&moderator), Some(decide("hide", ""))).await;
        assert_eq!(status, 422, "hiding needs a reason: {missing}");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{post}"), Some(&moderator), Some(decide("dismiss", ""))).await;
        assert_eq!(status, 200);
        let (_, back) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&t1), None).await;
        assert_eq!(back["posts"][0]["state"], "published");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{post}"), Some(&moderator), Some(decide("lock", "off topic for this space"))).await;
        assert_eq!(status, 200);
        let (status, locked) = reply(&server, &t1, &thread, json!({"body": "hello?"})).await;
        assert_eq!(status, 403);
        assert!(locked["error"]["message"].as_str().unwrap().contains("locked"));
        let mut browser = logged_in(&server, "trusted_one").await;
        let kept = browser.post(&format!("/threads/{thread}/replies"), &[("body", "My reply that should not vanish")]).await;
        assert_eq!(kept.status, 422, "a locked thread refuses the reply form");
        assert!(kept.body.contains("locked"));
        assert!(kept.body.contains("My reply that should not vanish"), "and shows what was typed");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{post}"), Some(&moderator), Some(decide("delete", "advertising"))).await;
        assert_eq!(status, 200);
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&poster), None).await;
        assert_eq!(status, 404, "a deleted opening post takes its thread with it");
        let (_, notes) = send(&server, Method::GET, "/api/v1/notifications", Some(&poster), None).await;
        assert!(notes.to_string().contains("A moderator deleted your post in \\\"Great deals\\\". Reason: advertising"), "{notes}");
        let log = browser.get("/moderation/log").await;
        assert!(log.body.contains("advertising"));
        assert!(log.body.contains("Off topic"));
        assert!(!log.body.contains("poster_pat"), "the log outs no one");
        assert!(!log.body.contains("mod_moe"), "nor the moderator");
        server.stop().await;
    }
}

both_backends! {
    async fn new_members_are_limited_and_watched_words_act(database) {
        let server = TestServer::start(database).await;
        server.register("fresh_face").await;
        server.register("seller_sid").await;
        server.member_with_role("admin_abe", Role::Admin).await;
        let fresh = server.token("fresh_face").await;
        let space = space_id(&server, &fresh, "Introductions").await;
        let (status, link) = send(&server, Method::POST, &format!("/api/v1/spaces/{space}/threads"), Some(&fresh),
            Some(json!({"title": "Hi all", "body": "see https://example.org"}))).await;
        assert_eq!(status, 422, "{link}");
        assert!(link["error"]["message"].as_str().unwrap().contains("links"));
        for n in 0..3 {
            start_thread(&server, &fresh, &space, json!({"title": format!("Hello number {n}"), "body": "Hello"})).await;
        }
        // The hourly limit is a 429 that says when, on the field, with Retry-After.
        let answer = server.client.post(server.url(&format!("/api/v1/spaces/{space}/threads"))).bearer_auth(&fresh)
            .json(&json!({"title": "One more", "body": "Hello again"})).send().await.unwrap();
        assert_eq!(answer.status(), 429);
        let wait: u64 = answer.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=3600).contains(&wait), "{wait}");
        let limited: Value = answer.json().await.unwrap();
        assert_eq!(limited["error"]["code"], "too_often", "{limited}");
        assert_eq!(limited["error"]["fields"][0]["field"], "body", "{limited}");
        assert!(limited["error"]["message"].as_str().unwrap().contains("post again in"));
        server.clock.advance(Duration::from_secs(3601));
        start_thread(&server, &fresh, &space, json!({"title": "An hour later", "body": "Hello again"})).await;
        server.clock.advance(DAY * 2);

        // Dealing language is held for approval; contact requests are flagged but published.
        let seller = server.token("seller_sid").await;
        let held = start_thread(&server, &seller, &space, json!({"title": "Hi all", "body": "I have pills for sale, hit me up"})).await;
        assert_eq!(held["held_for_review"], true);
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/threads/{}", held["thread_id"].as_str().unwrap()), Some(&fresh), None).await;
        assert_eq!(status, 404, "held threads are not shown to others");
        let contact = start_thread(&server, &seller, &space, json!({"title": "Chat", "body": "add me on telegram"})).await;
        assert_eq!(contact["held_for_review"], false);
        let admin = server.token("admin_abe").await;
        let (_, queue) = send(&server, Method::GET, "/api/v1/moderation/queue", Some(&admin), None).await;
        let reasons = queue.to_string();
        assert!(reasons.contains("Held for approval"), "{reasons}");
        assert!(reasons.contains("Watched words"), "{reasons}");
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{}", held["post_id"].as_str().unwrap()), Some(&admin), Some(json!({"action": "approve"}))).await;
        assert_eq!(status, 200);
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/threads/{}", held["thread_id"].as_str().unwrap()), Some(&fresh), None).await;
        assert_eq!(status, 200, "approved and published");

        // Admins edit the lists; a block refuses the post and keeps what was typed.
        let mut browser = logged_in(&server, "admin_abe").await;
        let bad = browser.post("/admin/community/safety", &[("crisis_phrases", "can't go on"), ("watched_words", "shout: nonsense")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("shout: nonsense"), "the list typed is kept");
        browser.submit("/admin/community/safety", &[("crisis_phrases", "can't go on\nno quiero vivir"), ("watched_words", "block: badword\nflag: telegram")]).await;
        let mut member = logged_in(&server, "fresh_face").await;
        let refused = member.post(&format!("/spaces/{space}/threads"), &[("title", "Venting"), ("body", "This badword day, honestly")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("does not allow"));
        assert!(refused.body.contains("This badword day, honestly"), "what was typed is kept");
        assert!(refused.body.contains("value=\"Venting\""));
        let crisis = start_thread(&server, &fresh, &space, json!({"title": "Hoy", "body": "Hoy no quiero vivir"})).await;
        assert_eq!(crisis["crisis_resources_shown"], true, "the edited list is in force");
        server.stop().await;
    }
}

both_backends! {
    async fn search_reads_phrases_and_prefixes_and_never_returns_deleted_or_hidden_posts(database) {
        let server = TestServer::start(database).await;
        server.register("searcher").await;
        server.register("writer_wyn").await;
        server.member_with_role("mod_sal", Role::Moderator).await;
        let writer = server.token("writer_wyn").await;
        let searcher = server.token("searcher").await;
        let space = space_id(&server, &writer, "Program talk").await;
        let other = space_id(&server, &writer, "Off topic").await;
        let a = start_thread(&server, &writer, &space, json!({"title": "Step work", "body": "Working the first step with my sponsor"})).await;
        server.clock.advance(Duration::from_secs(60));
        let b = start_thread(&server, &writer, &space, json!({"title": "Meditation", "body": "Meditating helps with the step before bed"})).await;
        server.clock.advance(Duration::from_secs(60));
        start_thread(&server, &writer, &other, json!({"title": "Gardening", "body": "My tomatoes love the sun"})).await;
        let search = |q: &str| format!("/api/v1/search?q={}", urlencode(q));
        let titles = |v: &Value| -> Vec<String> { v["results"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_owned()).collect() };

        let (_, phrase) = send(&server, Method::GET, &search("\"first step\""), Some(&searcher), None).await;
        assert_eq!(titles(&phrase), ["Step work"]);
        let (_, prefix) = send(&server, Method::GET, &search("medit*"), Some(&searcher), None).await;
        assert_eq!(titles(&prefix), ["Meditation"]);
        let (_, newest) = send(&server, Method::GET, &format!("{}&order=newest", search("step")), Some(&searcher), None).await;
        assert_eq!(titles(&newest), ["Meditation", "Step work"]);
        let (_, relevant) = send(&server, Method::GET, &search("step"), Some(&searcher), None).await;
        assert_eq!(titles(&relevant), ["Step work", "Meditation"], "by relevance the title match ranks first, though older");
        let (_, scoped) = send(&server, Method::GET, &format!("{}&space={other}", search("the")), Some(&searcher), None).await;
        assert_eq!(titles(&scoped), ["Gardening"]);
        let (_, title_only) = send(&server, Method::GET, &search("gardening"), Some(&searcher), None).await;
        assert_eq!(titles(&title_only), ["Gardening"], "titles are searched");
        for nasty in ["\"\"\" AND OR NOT ( ) * ^", "🌱🌱 NEAR(a b) col:x", "'; DROP TABLE posts; --", "\"unclosed step"] {
            let (status, body) = send(&server, Method::GET, &search(nasty), Some(&searcher), None).await;
            assert!(status == 200 || status == 422, "{nasty}: {status} {body}");
        }
        let (status, empty) = send(&server, Method::GET, &search("***"), Some(&searcher), None).await;
        assert_eq!(status, 422, "{empty}");
        let (status, _) = send(&server, Method::GET, &format!("{}&order=sideways", search("step")), Some(&searcher), None).await;
        assert_eq!(status, 422);
        let (status, _) = send(&server, Method::GET, &format!("{}&colour=red", search("step")), Some(&searcher), None).await;
        assert_eq!(status, 422, "unknown parameters are refused");
        let page = server.visitor().get("/community?q=%22%22%22+AND+%28").await;
        assert!(page.status < 500);

        // Deleted by the author, hidden by a moderator: gone from search.
        let mut browser = logged_in(&server, "writer_wyn").await;
        browser.submit(&format!("/posts/{}/delete", a["post_id"].as_str().unwrap()), &[]).await;
        let moderator = server.token("mod_sal").await;
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{}", b["post_id"].as_str().unwrap()), Some(&moderator), Some(json!({"action": "hide", "reason": "test"}))).await;
        assert_eq!(status, 200);
        let (_, after) = send(&server, Method::GET, &search("step"), Some(&searcher), None).await;
        assert_eq!(titles(&after), Vec::<String>::new());
        let (_, restored) = send(&server, Method::POST, &format!("/api/v1/moderation/posts/{}", b["post_id"].as_str().unwrap()), Some(&moderator), Some(json!({"action": "restore"}))).await;
        assert_eq!(restored["done"], "restore");
        let (_, back) = send(&server, Method::GET, &search("step"), Some(&searcher), None).await;
        assert_eq!(titles(&back), ["Meditation"]);
        server.stop().await;
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

both_backends! {
    async fn bad_input_gets_clear_messages_and_the_form_keeps_what_was_typed(database) {
        let server = TestServer::start(database).await;
        server.register("typist").await;
        make_trusted(&server, "typist").await;
        let token = server.token("typist").await;
        let space = space_id(&server, &token, "Introductions").await;
        let mut browser = logged_in(&server, "typist").await;
        let empty = browser.post(&format!("/spaces/{space}/threads"), &[("title", "Just a title"), ("body", "   ")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("Please write something"));
        assert!(empty.body.contains("value=\"Just a title\""));
        let huge = "a".repeat(1_000_000);
        let big = browser.post(&format!("/spaces/{space}/threads"), &[("title", "Long one"), ("body", &huge)]).await;
        assert_eq!(big.status, 422, "a 1 MB post is refused in its form, not by an error page");
        assert!(big.body.contains("up to 20000 characters"));
        assert!(big.body.contains(&"a".repeat(100_000)), "the text comes back");
        let unknown = browser.post(&format!("/spaces/{space}/threads"), &[("title", "Hello there"), ("body", "Hi"), ("colour", "red")]).await;
        assert_eq!(unknown.status, 422);
        assert!(unknown.body.contains("does not know"));
        let wrong = browser.post(&format!("/spaces/{space}/threads"), &[("title", "Hello there"), ("body", "Hi"), ("anonymous", "maybe")]).await;
        assert_eq!(wrong.status, 422);
        for (body, status) in [
            (json!({"title": "x", "body": "Hello"}), 422),
            (json!({"title": "Fine title", "body": 5}), 422),
            (json!({"title": "Fine title", "body": "Hi", "extra": true}), 422),
            (json!({"title": "Fine title", "body": "Hi", "content_warning": "x".repeat(200)}), 422),
        ] {
            let (got, answer) = send(&server, Method::POST, &format!("/api/v1/spaces/{space}/threads"), Some(&token), Some(body.clone())).await;
            assert_eq!(got, status, "{body}: {answer}");
            assert!(answer["error"]["message"].as_str().is_some());
        }
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/spaces/{}/threads", uuid::Uuid::now_v7()), Some(&token), Some(json!({"title": "Fine title", "body": "Hi"}))).await;
        assert_eq!(status, 404);
        let xss = start_thread(&server, &token, &space, json!({"title": "<img src=x onerror=alert(1)>", "body": "<iframe src=//evil></iframe>\n\n![i](https://evil.example/x.png)\n\n[a](data:text/html;base64,xx) [b](javascript:alert(1))", "content_warning": "<b>trauma</b>"})).await;
        let page = browser.get(&format!("/threads/{}", xss["thread_id"].as_str().unwrap())).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("<img"), "no image, no remote load");
        assert!(!page.body.contains("<iframe"));
        assert!(page.body.contains("&#60;img src=x"), "titles are escaped");
        assert!(!page.body.contains("data:text"));
        assert!(!page.body.contains("javascript:"));
        assert!(!page.body.contains("<b>trauma"));
        assert!(page.body.contains("<details class=\"content-warning\">"), "content-warned posts are collapsed");
        // Replying to a deleted thread.
        let gone = start_thread(&server, &token, &space, json!({"title": "Short lived", "body": "Bye"})).await;
        browser.submit(&format!("/posts/{}/delete", gone["post_id"].as_str().unwrap()), &[]).await;
        let (status, _) = reply(&server, &token, gone["thread_id"].as_str().unwrap(), json!({"body": "hello?"})).await;
        assert_eq!(status, 404);
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/threads/{}?page=0", xss["thread_id"].as_str().unwrap()), Some(&token), None).await;
        assert_eq!(status, 404);
        let (status, _) = send(&server, Method::GET, &format!("/api/v1/threads/{}?page=abc", xss["thread_id"].as_str().unwrap()), Some(&token), None).await;
        assert_eq!(status, 422);
        server.stop().await;
    }
}

both_backends! {
    async fn long_threads_page_by_fifty_with_quotes_and_unread_markers(database) {
        let server = TestServer::start(database).await;
        server.register("chatty_cat").await;
        server.register("reader_rae").await;
        make_trusted(&server, "chatty_cat").await;
        let token = server.token("chatty_cat").await;
        let reader = server.token("reader_rae").await;
        let space = space_id(&server, &token, "Off topic").await;
        let opened = start_thread(&server, &token, &space, json!({"title": "Counting together", "body": "post 1"})).await;
        let thread = opened["thread_id"].as_str().unwrap().to_owned();
        for n in 2..=55 {
            let (status, _) = reply(&server, &token, &thread, json!({"body": format!("post {n}")})).await;
            assert_eq!(status, 201);
            server.clock.advance(Duration::from_secs(61));
        }
        let (_, first) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}"), Some(&reader), None).await;
        assert_eq!(first["pages"], 2);
        assert_eq!(first["posts"].as_array().unwrap().len(), 50);
        let (_, second) = send(&server, Method::GET, &format!("/api/v1/threads/{thread}?page=2"), Some(&reader), None).await;
        assert_eq!(second["posts"][0]["body"], "post 51");
        assert_eq!(second["posts"].as_array().unwrap().len(), 5);
        let (_, list) = send(&server, Method::GET, &format!("/api/v1/spaces/{space}/threads"), Some(&reader), None).await;
        assert_eq!(list["threads"][0]["unread"], 0, "read to the end");
        reply(&server, &token, &thread, json!({"body": "post 56"})).await;
        let (_, list) = send(&server, Method::GET, &format!("/api/v1/spaces/{space}/threads"), Some(&reader), None).await;
        assert_eq!(list["threads"][0]["unread"], 1);
        let mut browser = logged_in(&server, "reader_rae").await;
        let page = browser.get(&format!("/threads/{thread}?page=2")).await;
        assert!(page.body.contains("<span class=\"badge\">New</span>"));
        let quoted_id = second["posts"][0]["id"].as_str().unwrap();
        let quoting = browser.get(&format!("/threads/{thread}?page=2&quote={quoted_id}")).await;
        assert!(quoting.body.contains("&#62; post 51"), "the reply form starts with the quote");
        browser.submit(&format!("/threads/{thread}/replies"), &[("body", "> post 51\n\nNice one"), ("quoted", quoted_id)]).await;
        let (_, notes) = send(&server, Method::GET, "/api/v1/notifications", Some(&token), None).await;
        assert!(notes.to_string().contains("reader_rae quoted you"), "{notes}");
        server.stop().await;
    }
}
