//! Requests a member did not mean to send: every form route refuses a missing or foreign CSRF
//! token before its handler runs, browsers' cross-site requests are refused (pages and API),
//! sign-in sends nobody to another site, and an https server asks browsers to stay on https.

use crate::support::{PASSWORD, TestServer, Visitor};
use mutual_domain::permissions::Role;
use mutual_testkit::both_backends;
use mutual_web::WebConfig;

const FORM_EXPIRED: &str = "This form has expired";

/// A concrete address for a route pattern: every path parameter a fresh id.
fn concrete(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                uuid::Uuid::now_v7().to_string()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every page route that takes a POST, sign-out last (the sweep stays signed in until then).
fn page_form_routes() -> Vec<String> {
    let mut paths: Vec<String> = mutual_web::route_table()
        .routes()
        .iter()
        .filter(|r| r.method == axum::http::Method::POST && !r.path.starts_with("/api/"))
        .map(|r| r.path.clone())
        .collect();
    paths.sort_by_key(|p| p == "/logout");
    paths
}

async fn admin(server: &TestServer) -> Visitor {
    server.member_with_role("forge_admin", Role::Admin).await;
    let mut visitor = server.visitor();
    visitor.log_in("forge_admin").await;
    visitor
}

both_backends! {
    async fn every_form_route_refuses_a_missing_or_foreign_token_before_its_handler(database) {
        let server = TestServer::start(database).await;
        let mut admin = admin(&server).await;
        let routes = page_form_routes();
        assert!(routes.len() > 80, "the sweep found the form routes: {}", routes.len());
        for pattern in &routes {
            let path = concrete(pattern);
            let missing = admin.post_raw(&path, &[("anything", "x")]).await;
            assert_eq!(missing.status, 403, "{pattern} without a token: {}", missing.body);
            assert!(missing.body.contains(FORM_EXPIRED), "{pattern}: {}", missing.body);
            let foreign = admin
                .post_raw(&path, &[("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")])
                .await;
            assert_eq!(foreign.status, 403, "{pattern} with a token of its own: {}", foreign.body);
        }
        // The same requests with the member's token are not refused as forgeries, so the
        // refusals above come from the token alone.
        for pattern in &routes {
            let path = concrete(pattern);
            let with_token = admin.post(&path, &[]).await;
            assert!(
                !with_token.body.contains(FORM_EXPIRED),
                "{pattern} refused a form that carries the token: {} {}",
                with_token.status,
                with_token.body
            );
        }
        server.stop().await;
    }
}

both_backends! {
    async fn a_circle_cannot_be_joined_or_left_through_another_sites_form(database) {
        let server = TestServer::start(database).await;
        server.register("circle_owner").await;
        server.register("circle_target").await;
        let owner_token = server.token("circle_owner").await;
        let (status, circle) = server
            .api(reqwest::Method::POST, "/api/v1/circles", Some(&owner_token), Some(&serde_json::json!({"name": "Tuesday check-ins"})))
            .await;
        assert_eq!(status, 201, "{circle}");
        let id = circle["id"].as_str().unwrap();
        let mut owner = server.visitor();
        owner.log_in("circle_owner").await;
        let made = owner.post(&format!("/circles/{id}/link"), &[]).await;
        let token = made.location().split("link=").nth(1).unwrap().to_owned();
        let mut target = server.visitor();
        target.log_in("circle_target").await;
        let forged = target.post_raw(&format!("/circles/join/{token}"), &[]).await;
        assert_eq!(forged.status, 403, "{}", forged.body);
        assert!(!target.get("/circles").await.body.contains("Tuesday check-ins"), "not joined");
        for forged in [format!("/circles/{id}/leave"), format!("/circles/{id}/link")] {
            assert_eq!(owner.post_raw(&forged, &[]).await.status, 403, "{forged}");
        }
        assert!(owner.get("/circles").await.body.contains("Tuesday check-ins"), "the owner did not leave");
        let joined = target.post(&format!("/circles/join/{token}"), &[]).await;
        assert_eq!(joined.status, 303, "the member's own form still works: {}", joined.body);
        server.stop().await;
    }
}

both_backends! {
    async fn browsers_cross_site_requests_are_refused_on_pages_and_the_api(database) {
        let server = TestServer::start(database).await;
        server.register("cross_site").await;
        let token = server.token("cross_site").await;
        let mut visitor = server.visitor();
        visitor.log_in("cross_site").await;
        let csrf = visitor.csrf_token().await;
        let cookie = visitor
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let form = |site: &'static str, origin: Option<&'static str>| {
            let mut request = server
                .client
                .post(server.url("/settings/time-zone"))
                .header("cookie", &cookie)
                .form(&[("time_zone", "Europe/London"), ("csrf", csrf.as_str())]);
            if !site.is_empty() {
                request = request.header("sec-fetch-site", site);
            }
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            request.send()
        };
        for (site, origin) in [("same-site", None), ("cross-site", None), ("", Some("https://evil.example")), ("", Some("null"))] {
            let refused = form(site, origin).await.unwrap();
            assert_eq!(refused.status(), 403, "{site} {origin:?}");
            assert!(refused.text().await.unwrap().contains("came from another site"));
        }
        let own_origin = server.url("");
        let own_origin: &'static str = Box::leak(own_origin.into_boxed_str());
        for (site, origin) in [("same-origin", None), ("", Some(own_origin)), ("", None)] {
            let accepted = form(site, origin).await.unwrap();
            assert_eq!(accepted.status(), 303, "{site} {origin:?}");
        }
        let api = server
            .client
            .delete(server.url("/api/v1/sessions/current"))
            .bearer_auth(&token)
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 403);
        let body: serde_json::Value = api.json().await.unwrap();
        assert_eq!(body["error"]["code"], "cross_site", "{body}");
        let (status, _) = server.api(reqwest::Method::GET, "/api/v1/me", Some(&token), None).await;
        assert_eq!(status, 200, "the session was not ended");
        server.stop().await;
    }
}

both_backends! {
    async fn sign_in_never_sends_anyone_to_another_site(database) {
        let server = TestServer::start(database).await;
        server.register("next_hop").await;
        let attempts = [
            ("%2F%09%2Fevil.example", "/\t/evil.example"),
            ("%2F%0A%2Fevil.example", "/\n/evil.example"),
            ("%2Fsettings%0D%0ASet-Cookie:%20x=y", "/settings\r\nSet-Cookie: x=y"),
            ("%2F%5Cevil.example", "/\\evil.example"),
            ("%2F%2Fevil.example", "//evil.example"),
            ("https%3A%2F%2Fevil.example", "https://evil.example"),
        ];
        for (next, decoded) in attempts {
            let mut visitor = server.visitor();
            let page = visitor.get(&format!("/login?next={next}")).await;
            assert_eq!(page.status, 200, "{next}");
            assert!(!page.body.contains("evil.example") && !page.body.contains("Set-Cookie"), "{next} is not kept in the form");
            let signed_in = visitor
                .post("/login", &[("username", "next_hop"), ("password", PASSWORD), ("next", decoded)])
                .await;
            assert_eq!(signed_in.status, 303, "{next}: {}", signed_in.body);
            assert_eq!(signed_in.location(), "/dashboard", "{next}");
        }
        let mut visitor = server.visitor();
        let kept = visitor
            .post("/login", &[("username", "next_hop"), ("password", PASSWORD), ("next", "/settings?tab=1")])
            .await;
        assert_eq!(kept.location(), "/settings?tab=1", "a local path is still honoured");
        server.stop().await;
    }
}

both_backends! {
    async fn an_https_server_sends_hsts_and_host_only_secure_cookies(database) {
        let config = mutual_app::AppConfig {
            public_url: "https://mutual.example".into(),
            ..Default::default()
        };
        let web = WebConfig { secure_cookies: true, ..WebConfig::default() };
        let server = TestServer::start_with_web(database, config, web).await;
        let login = server.client.get(server.url("/login")).send().await.unwrap();
        assert_eq!(login.headers()["strict-transport-security"], "max-age=31536000");
        let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("__Host-mutual_csrf=") && cookie.contains("; Secure") && cookie.contains("Path=/"), "{cookie}");
        server.stop().await;
        let plain = TestServer::start(mutual_testkit::TestDatabase::create(mutual_testkit::TestBackend::Sqlite).await.unwrap()).await;
        let response = plain.client.get(plain.url("/login")).send().await.unwrap();
        assert!(response.headers().get("strict-transport-security").is_none(), "no HSTS over http");
        plain.stop().await;
    }
}
