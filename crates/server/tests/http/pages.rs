//! The HTML pages: joining, logging in and out, settings, administration, the setup link.
//! Forms re-show what was typed with a message per field, and refuse forged submissions.

use crate::support::{PASSWORD, TestServer};
use mutual_domain::permissions::Role;
use mutual_testkit::both_backends;

fn assert_contains(body: &str, needle: &str) {
    assert!(body.contains(needle), "expected {needle:?} in:\n{body}");
}

both_backends! {
    async fn joining_signs_in_and_lands_on_the_dashboard_and_logging_out_ends_it(database) {
        let server = TestServer::start(database).await;
        let mut visitor = server.visitor();
        let form = visitor.get("/register").await;
        assert_eq!(form.status, 200);
        assert_contains(&form.body, "name=\"csrf\"");
        let joined = visitor.post("/register", &[("username", "quiet_river"), ("password", PASSWORD), ("email", "")]).await;
        assert_eq!(joined.status, 200, "the recovery codes, shown once: {}", joined.body);
        assert_contains(&joined.body, "Your recovery codes");
        assert_contains(&joined.body, "href=\"/dashboard\"");
        let dashboard = visitor.get("/dashboard").await;
        assert_eq!(dashboard.status, 200);
        assert_contains(&dashboard.body, "Welcome, quiet_river");
        assert_eq!(dashboard.headers["cache-control"], "no-store");

        let out = visitor.post("/logout", &[]).await;
        assert_eq!(out.status, 303);
        assert_eq!(visitor.get("/dashboard").await.status, 303);
        server.stop().await;
    }
}

both_backends! {
    async fn a_refused_registration_keeps_what_was_typed(database) {
        let server = TestServer::start(database).await;
        server.register("steady_oak").await;
        let mut visitor = server.visitor();
        let taken = visitor.post("/register", &[("username", "Steady_Oak"), ("password", PASSWORD), ("email", "me@example.org")]).await;
        assert_eq!(taken.status, 422);
        assert_contains(&taken.body, "That pseudonym is taken");
        assert_contains(&taken.body, "value=\"Steady_Oak\"");
        assert_contains(&taken.body, "value=\"me@example.org\"");
        assert_contains(&taken.body, &format!("value=\"{PASSWORD}\""));
        assert_contains(&taken.body, "aria-invalid=\"true\"");

        let weak = visitor.post("/register", &[("username", "río"), ("password", "password1234")]).await;
        assert_eq!(weak.status, 422);
        assert_contains(&weak.body, "Use only letters a–z");
        assert_contains(&weak.body, "attackers try");
        assert_contains(&weak.body, "value=\"río\"");
        assert!(!weak.body.contains("value=\"password1234\""), "a refused password is not echoed");

        let huge = "x".repeat(5_000);
        let long = visitor.post("/register", &[("username", &huge), ("password", PASSWORD)]).await;
        assert_eq!(long.status, 422);
        assert_contains(&long.body, "at most 32 characters");
        server.stop().await;
    }
}

both_backends! {
    async fn a_real_name_is_questioned_gently_and_kept_when_the_person_insists(database) {
        let server = TestServer::start(database).await;
        let mut visitor = server.visitor();
        let first = visitor.post("/register", &[("username", "Maria.Garcia"), ("password", PASSWORD)]).await;
        assert_eq!(first.status, 200);
        assert_contains(&first.body, "looks like it could be a real name");
        assert_contains(&first.body, "name=\"keep_name\"");
        assert_contains(&first.body, "value=\"Maria.Garcia\"");
        assert!(mutual_store::accounts::find_user_by_username(&server.app.db, "maria.garcia").await.unwrap().is_none());
        let kept = visitor.post("/register", &[("username", "Maria.Garcia"), ("password", PASSWORD), ("keep_name", "on")]).await;
        assert_eq!(kept.status, 200);
        assert_contains(&kept.body, "Your recovery codes");
        server.stop().await;
    }
}

both_backends! {
    async fn forms_without_the_right_csrf_token_are_refused(database) {
        let server = TestServer::start(database).await;
        let mut visitor = server.visitor();
        visitor.get("/register").await;
        let missing = visitor.post_raw("/register", &[("username", "forged_one"), ("password", PASSWORD)]).await;
        assert_eq!(missing.status, 403);
        assert_contains(&missing.body, "This form has expired");
        let wrong = visitor
            .post_raw("/register", &[("username", "forged_one"), ("password", PASSWORD), ("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")])
            .await;
        assert_eq!(wrong.status, 403);
        assert!(mutual_store::accounts::find_user_by_username(&server.app.db, "forged_one").await.unwrap().is_none());
        server.stop().await;
    }
}

both_backends! {
    async fn forms_explain_unknown_fields_bad_checkboxes_and_oversized_bodies(database) {
        let server = TestServer::start(database).await;
        server.register("morning_tide").await;
        let mut visitor = server.visitor();
        let unknown = visitor.post("/login", &[("username", "morning_tide"), ("password", PASSWORD), ("role", "admin")]).await;
        assert_eq!(unknown.status, 422);
        assert_contains(&unknown.body, "does not know: &#34;role&#34;");
        assert_contains(&unknown.body, "value=\"morning_tide\"");
        let checkbox = visitor.post("/login", &[("username", "morning_tide"), ("password", PASSWORD), ("remember", "banana")]).await;
        assert_eq!(checkbox.status, 422);
        assert_contains(&checkbox.body, "can only be ticked or left empty");
        let empty = visitor.post("/login", &[("username", ""), ("password", "")]).await;
        assert_eq!(empty.status, 422);
        assert_contains(&empty.body, "Enter your pseudonym");
        let big = "b".repeat(100_000);
        let oversized = visitor.post("/login", &[("username", &big), ("password", PASSWORD)]).await;
        assert_eq!(oversized.status, 413);
        assert_contains(&oversized.body, "larger than this server accepts");
        let wrong_type = server.client.post(server.url("/login")).header("content-type", "application/json").body("{}").send().await.unwrap();
        assert_eq!(wrong_type.status(), 415);
        server.stop().await;
    }
}

both_backends! {
    async fn logging_in_again_replaces_the_old_session_and_honours_next(database) {
        let server = TestServer::start(database).await;
        server.register("new_leaf").await;
        let mut visitor = server.visitor();
        let bounced = visitor.get("/settings").await;
        assert_eq!(bounced.status, 303);
        assert_eq!(bounced.location(), "/login?next=%2Fsettings");
        let page = visitor.post("/login", &[("username", "new_leaf"), ("password", PASSWORD), ("next", "/settings")]).await;
        assert_eq!(page.location(), "/settings");
        let first = visitor.cookies["mutual_session"].clone();
        let page = visitor.post("/login", &[("username", "new_leaf"), ("password", PASSWORD), ("next", "https://evil.example/")]).await;
        assert_eq!(page.location(), "/dashboard", "no open redirect");
        let second = visitor.cookies["mutual_session"].clone();
        assert_ne!(first, second, "a new token at every login");
        let stale = server.client.get(server.url("/api/v1/me")).bearer_auth(&first).send().await.unwrap();
        assert_eq!(stale.status(), 401, "the replaced session no longer works");
        server.stop().await;
    }
}

both_backends! {
    async fn changing_the_password_needs_the_current_one_and_signs_out_other_sessions(database) {
        let server = TestServer::start(database).await;
        server.register("quiet_river").await;
        let elsewhere = server.token("quiet_river").await;
        let mut visitor = server.visitor();
        visitor.log_in("quiet_river").await;
        let wrong = visitor.post("/settings/password", &[("current_password", "not my password"), ("new_password", "tidal moon garden path")]).await;
        assert_eq!(wrong.status, 422);
        assert_contains(&wrong.body, "That is not your current password");
        let weak = visitor.post("/settings/password", &[("current_password", PASSWORD), ("new_password", "short")]).await;
        assert_eq!(weak.status, 422);
        assert_contains(&weak.body, "at least 12 characters");
        let done = visitor.post("/settings/password", &[("current_password", PASSWORD), ("new_password", "tidal moon garden path")]).await;
        assert_eq!(done.status, 303);
        assert_contains(&visitor.get("/settings?done=password").await.body, "Your password has been changed");
        let other = server.client.get(server.url("/api/v1/me")).bearer_auth(&elsewhere).send().await.unwrap();
        assert_eq!(other.status(), 401);
        let mut again = server.visitor();
        let page = again.post("/login", &[("username", "quiet_river"), ("password", "tidal moon garden path")]).await;
        assert_eq!(page.status, 303);
        server.stop().await;
    }
}

both_backends! {
    async fn members_see_their_sessions_end_one_and_log_out_everywhere(database) {
        let server = TestServer::start(database).await;
        server.register("steady_oak").await;
        let api_token = server.token("steady_oak").await;
        let mut visitor = server.visitor();
        visitor.log_in("steady_oak").await;
        let settings = visitor.get("/settings").await;
        assert_contains(&settings.body, "API client (API)");
        assert_contains(&settings.body, "(this device)");
        let sessions = mutual_store::sessions::list_sessions_by_user(
            &server.app.db,
            mutual_store::accounts::find_user_by_username(&server.app.db, "steady_oak").await.unwrap().unwrap().id,
        )
        .await
        .unwrap();
        let api_session = sessions.iter().find(|s| s.kind == "api").unwrap();
        let ended = visitor.post(&format!("/settings/sessions/{}/end", api_session.id), &[]).await;
        assert_eq!(ended.status, 303);
        let gone = server.client.get(server.url("/api/v1/me")).bearer_auth(&api_token).send().await.unwrap();
        assert_eq!(gone.status(), 401);
        let not_mine = visitor.post("/settings/sessions/not-a-session/end", &[]).await;
        assert_eq!(not_mine.status, 404);

        let mut second = server.visitor();
        second.log_in("steady_oak").await;
        let everywhere = visitor.post("/settings/sessions/end-all", &[]).await;
        assert_eq!(everywhere.status, 303);
        assert_eq!(visitor.get("/dashboard").await.status, 303);
        assert_eq!(second.get("/dashboard").await.status, 303);
        server.stop().await;
    }
}

both_backends! {
    async fn invite_only_registration_needs_a_fresh_invite(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("demo_boss", Role::Admin).await;
        let mut admin = server.visitor();
        admin.log_in("demo_boss").await;
        assert_eq!(admin.post("/admin/registration", &[("mode", "invite")]).await.status, 303);
        let bad_mode = admin.post("/admin/registration", &[("mode", "everyone")]).await;
        assert_eq!(bad_mode.status, 422);

        let (status, body) = {
            let r = server.client.post(server.url("/api/v1/accounts")).json(&serde_json::json!({"username": "no_invite", "password": PASSWORD})).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        };
        assert_eq!(status, 422);
        assert!(body.contains("invitation"), "{body}");

        let bad_days = admin.post("/admin/invites", &[("note", "for R"), ("days", "many")]).await;
        assert_eq!(bad_days.status, 422);
        assert_contains(&bad_days.body, "whole number of days");
        assert_contains(&bad_days.body, "value=\"for R\"");
        let created = admin.post("/admin/invites", &[("note", "for R"), ("days", "3")]).await;
        assert_eq!(created.status, 200);
        let link_start = created.body.find("/register?invite=").expect("the invite link is shown");
        let token: String = created.body[link_start + "/register?invite=".len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();

        let mut newcomer = server.visitor();
        let form = newcomer.get(&format!("/register?invite={token}")).await;
        assert_contains(&form.body, &format!("value=\"{token}\""));
        let joined = newcomer.post("/register", &[("invite", &token), ("username", "invited_one"), ("password", PASSWORD)]).await;
        assert_eq!(joined.status, 200, "{}", joined.body);
        assert_contains(&joined.body, "Your recovery codes");
        let reused = server.visitor().post("/register", &[("invite", &token), ("username", "second_one"), ("password", PASSWORD)]).await;
        assert_eq!(reused.status, 422);
        assert_contains(&reused.body, "already been used or has expired");
        server.stop().await;
    }
}

both_backends! {
    async fn approval_mode_holds_new_accounts_until_an_admin_approves(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("demo_boss", Role::Admin).await;
        let mut admin = server.visitor();
        admin.log_in("demo_boss").await;
        admin.post("/admin/registration", &[("mode", "approval")]).await;
        let mut newcomer = server.visitor();
        let joined = newcomer.post("/register", &[("username", "waiting_one"), ("password", PASSWORD)]).await;
        assert_eq!(joined.status, 200);
        assert_contains(&joined.body, "approves each new account");
        let early = newcomer.post("/login", &[("username", "waiting_one"), ("password", PASSWORD)]).await;
        assert_eq!(early.status, 403);
        assert_contains(&early.body, "waiting for an admin");
        let pending = admin.get("/admin?status=pending").await;
        assert_contains(&pending.body, "waiting_one");
        let id = mutual_store::accounts::find_user_by_username(&server.app.db, "waiting_one").await.unwrap().unwrap().id;
        assert_eq!(admin.post(&format!("/admin/members/{id}/approve"), &[]).await.status, 303);
        newcomer.log_in("waiting_one").await;
        server.stop().await;
    }
}

both_backends! {
    async fn admins_suspend_with_a_reason_the_member_sees_and_change_roles(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("demo_boss", Role::Admin).await;
        server.register("troubled_one").await;
        let token = server.token("troubled_one").await;
        let id = mutual_store::accounts::find_user_by_username(&server.app.db, "troubled_one").await.unwrap().unwrap().id;
        let mut admin = server.visitor();
        admin.log_in("demo_boss").await;
        let no_reason = admin.post(&format!("/admin/members/{id}/suspend"), &[("reason", "  ")]).await;
        assert_eq!(no_reason.status, 422);
        assert_contains(&no_reason.body, "Give a reason");
        let long = "r".repeat(501);
        let too_long = admin.post(&format!("/admin/members/{id}/suspend"), &[("reason", &long)]).await;
        assert_eq!(too_long.status, 422);
        assert_contains(&too_long.body, &format!("value=\"{long}\""));
        let suspended = admin.post(&format!("/admin/members/{id}/suspend"), &[("reason", "Selling in DMs")]).await;
        assert_eq!(suspended.status, 303);
        let after = server.client.get(server.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(after.status(), 401, "a suspension ends the member's sessions");
        let login = server.visitor().post("/login", &[("username", "troubled_one"), ("password", PASSWORD)]).await;
        assert_eq!(login.status, 403);
        assert_contains(&login.body, "Selling in DMs");
        assert_eq!(admin.post(&format!("/admin/members/{id}/unsuspend"), &[]).await.status, 303);
        server.visitor().log_in("troubled_one").await;

        assert_eq!(admin.post(&format!("/admin/members/{id}/role"), &[("role", "moderator")]).await.status, 303);
        let user = mutual_store::accounts::find_user_by_username(&server.app.db, "troubled_one").await.unwrap().unwrap();
        assert_eq!(user.role, Role::Moderator);
        let bad_role = admin.post(&format!("/admin/members/{id}/role"), &[("role", "overlord")]).await;
        assert_eq!(bad_role.status, 422);
        let boss = mutual_store::accounts::find_user_by_username(&server.app.db, "demo_boss").await.unwrap().unwrap().id;
        let last_admin = admin.post(&format!("/admin/members/{boss}/role"), &[("role", "member")]).await;
        assert_eq!(last_admin.status, 422);
        assert_contains(&last_admin.body, "at least one active admin");
        let unknown = admin.post(&format!("/admin/members/{}/suspend", uuid::Uuid::now_v7()), &[("reason", "x")]).await;
        assert_eq!(unknown.status, 404);
        server.stop().await;
    }
}

both_backends! {
    async fn the_setup_link_creates_the_first_admin_once(database) {
        let server = TestServer::start(database).await;
        let token = mutual_app::admin::ensure_setup_token(&server.app).await.unwrap().expect("no admin yet");
        let mut operator = server.visitor();
        let form = operator.get(&format!("/setup/{token}")).await;
        assert_eq!(form.status, 200);
        let weak = operator.post(&format!("/setup/{token}"), &[("username", "first_admin"), ("password", "short")]).await;
        assert_eq!(weak.status, 422);
        assert_contains(&weak.body, "value=\"first_admin\"");
        let done = operator.post(&format!("/setup/{token}"), &[("username", "first_admin"), ("password", PASSWORD)]).await;
        assert_eq!(done.status, 200);
        assert_contains(&done.body, "Your admin account is ready");
        assert_eq!(operator.get(&format!("/setup/{token}")).await.status, 410);
        let again = server.visitor().post(&format!("/setup/{token}"), &[("username", "second_admin"), ("password", PASSWORD)]).await;
        assert_eq!(again.status, 410);
        assert!(mutual_app::admin::ensure_setup_token(&server.app).await.unwrap().is_none());
        operator.log_in("first_admin").await;
        assert_eq!(operator.get("/admin").await.status, 200);
        server.stop().await;
    }
}

both_backends! {
    async fn the_dashboard_shows_what_is_coming_up_the_next_saved_meeting_and_the_mentor(database) {
        let server = TestServer::start(database).await;
        mutual_app::demo::seed_demo(&server.app).await.unwrap();
        let mut leaf = server.visitor();
        leaf.log_in_as("new_leaf", mutual_app::demo::DEMO_PASSWORD).await;
        let before = leaf.get("/dashboard").await;
        assert_contains(&before.body, "Coming up");
        assert_contains(&before.body, "Your mentor steady_oak</a>: A call every Sunday evening, texts any time");
        assert!(!before.body.contains("/meetings/0"), "no meeting saved yet");

        let meetings = server.client.get(server.url("/api/v1/meetings")).send().await.unwrap().json::<serde_json::Value>().await.unwrap();
        let first = &meetings["meetings"][0];
        let id = first["id"].as_str().unwrap();
        assert_eq!(leaf.post(&format!("/meetings/{id}/save"), &[]).await.status, 303);
        let after = leaf.get("/dashboard").await;
        let name = first["name"].as_str().unwrap();
        assert_contains(&after.body, &format!("<a href=\"/meetings/{id}\">{name}</a>: "));

        let mut oak = server.visitor();
        oak.log_in_as("steady_oak", mutual_app::demo::DEMO_PASSWORD).await;
        assert_contains(&oak.get("/dashboard").await.body, "Mentoring new_leaf</a>: A call every Sunday evening");
        server.stop().await;
    }
}
