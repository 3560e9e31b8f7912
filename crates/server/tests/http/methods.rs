//! The HTTP surface as outside tools meet it: every route walked with every method (HEAD like
//! GET, OPTIONS and 405 naming the methods), unknown API paths, ids that are not ids, control
//! characters, public feeds readable from other sites, and forwarded addresses a client cannot
//! choose.

use crate::support::{PASSWORD, TestServer};
use mutual_app::AppConfig;
use mutual_testkit::both_backends;
use mutual_web::{WebConfig, route_table};
use reqwest::Method;
use std::collections::BTreeMap;

/// A concrete address for a route pattern (ids that exist nowhere).
fn concrete(pattern: &str) -> String {
    pattern
        .replace("{id}", "0190a0b0-0000-7000-8000-000000000001")
        .replace("{user}", "0190a0b0-0000-7000-8000-000000000002")
        .replace("{token}", "not-a-real-token")
        .replace("{code}", "NOPE")
        .replace("{kind}", "support")
        .replace("{username}", "nobody_here")
        .replace("{date}", "2026-01-01")
}

async fn error_code(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.expect("a JSON envelope");
    body["error"]["code"].as_str().unwrap_or("").to_owned()
}

both_backends! {
    async fn every_route_answers_every_method_as_http_says(database) {
        let server = TestServer::start(database).await;
        server.register("method_walker").await;
        let token = server.token("method_walker").await;
        let table = route_table();
        let mut methods: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for route in table.routes() {
            methods.entry(route.path.clone()).or_default().push(route.method.as_str().to_owned());
        }
        let mut failures = Vec::new();
        for (pattern, declared) in &methods {
            // Ending the session would sign the walker out for the rest of the walk.
            if pattern == "/api/v1/sessions/current" || pattern == "/logout" {
                continue;
            }
            let url = server.url(&concrete(pattern));
            let api = pattern.starts_with("/api/");
            let mut allow_expected: Vec<&str> = Vec::new();
            for method in declared {
                allow_expected.push(method);
                if method == "GET" {
                    allow_expected.push("HEAD");
                }
            }
            allow_expected.push("OPTIONS");
            let allow_expected = allow_expected.join(", ");
            if declared.iter().any(|m| m == "GET") {
                let get = server.client.get(&url).bearer_auth(&token).send().await.unwrap();
                let head = server.client.head(&url).bearer_auth(&token).send().await.unwrap();
                let (get_status, head_status) = (get.status(), head.status());
                let same_type = get.headers().get("content-type") == head.headers().get("content-type");
                if get_status != head_status || !same_type || get_status.is_server_error() {
                    failures.push(format!("HEAD {pattern}: {head_status} where GET gave {get_status}"));
                }
                if !head.bytes().await.unwrap().is_empty() {
                    failures.push(format!("HEAD {pattern} sent a body"));
                }
            }
            let options = server.client.request(Method::OPTIONS, &url).send().await.unwrap();
            let allow = options.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
            if options.status() != 204 || allow.as_deref() != Some(allow_expected.as_str()) {
                failures.push(format!("OPTIONS {pattern}: {} Allow {allow:?}, expected {allow_expected}", options.status()));
            }
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                if declared.iter().any(|m| m == method) {
                    continue;
                }
                let response = server
                    .client
                    .request(Method::from_bytes(method.as_bytes()).unwrap(), &url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let allow = response.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
                let json = response
                    .headers()
                    .get("content-type")
                    .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"));
                if status != 405 || allow.as_deref() != Some(allow_expected.as_str()) || json != api {
                    failures.push(format!("{method} {pattern}: {status} Allow {allow:?} json {json}"));
                }
            }
        }
        assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
        server.stop().await;
    }
}

both_backends! {
    async fn unknown_api_paths_and_ids_that_are_not_ids_are_the_json_404(database) {
        let server = TestServer::start(database).await;
        server.register("id_prober").await;
        let token = server.token("id_prober").await;
        let unknown = server.client.get(server.url("/api/v1/no-such-thing")).send().await.unwrap();
        assert_eq!(unknown.status(), 404);
        assert_eq!(error_code(unknown).await, "not_found");
        for path in ["/api/v1/meetings/not-a-uuid", "/api/v1/clocks/42/reset", "/api/v1/circles/%20"] {
            let method = if path.ends_with("reset") { Method::POST } else { Method::GET };
            let response = server
                .client
                .request(method, server.url(path))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 404, "{path}");
            assert_eq!(error_code(response).await, "not_found", "{path}");
        }
        let page = server.visitor().get("/meetings/not-a-uuid").await;
        assert_eq!(page.status, 404);
        assert!(page.body.contains("<html"), "pages answer with the HTML error page");
        server.stop().await;
    }
}

both_backends! {
    async fn a_long_address_is_refused_with_a_message_in_the_envelope_or_a_page(database) {
        let server = TestServer::start(database).await;
        let long = "a".repeat(9 * 1024);
        let response = server.client.get(server.url(&format!("/api/v1/meetings?q={long}"))).send().await.unwrap();
        assert_eq!(response.status(), 414);
        assert_eq!(error_code(response).await, "uri_too_long");
        let page = server.client.get(server.url(&format!("/meetings?q={long}"))).send().await.unwrap();
        assert_eq!(page.status(), 414);
        assert!(page.text().await.unwrap().contains("longer than this server accepts"));
        // Just under the limit is served as usual.
        let within = "a".repeat(8 * 1024 - "/healthz?q=".len());
        let page = server.client.get(server.url(&format!("/healthz?q={within}"))).send().await.unwrap();
        assert_eq!(page.status(), 200);
        server.stop().await;
    }
}

both_backends! {
    async fn control_characters_never_reach_the_database(database) {
        let server = TestServer::start(database).await;
        server.register("text_keeper").await;
        // The unauthenticated sign-in, where a NUL once reached PostgreSQL.
        let response = server
            .client
            .post(server.url("/api/v1/sessions"))
            .json(&serde_json::json!({ "username": "mo\u{0}", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "username");
        assert!(body["error"]["message"].as_str().unwrap().contains("U+0000"));
        // In an address.
        let token = server.token("text_keeper").await;
        let response = server
            .client
            .delete(server.url("/api/v1/blocks/mo%00"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert_eq!(error_code(response).await, "bad_request");
        // In a form: dropped, so what the person meant is kept and stored cleanly.
        let mut visitor = server.visitor();
        visitor.post("/login", &[("username", "text_keeper"), ("password", PASSWORD)]).await;
        let created = visitor
            .post("/clocks", &[("label", "alco\u{0}hol"), ("start_date", "2026-01-01")])
            .await;
        assert_eq!(created.status, 303, "{}", created.body);
        let clocks: serde_json::Value = server
            .client
            .get(server.url("/api/v1/clocks"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(clocks[0]["label"], "alcohol");
        server.stop().await;
    }
}

both_backends! {
    async fn public_feeds_are_readable_from_other_sites_and_nothing_private_is(database) {
        let server = TestServer::start(database).await;
        server.register("feed_reader").await;
        let token = server.token("feed_reader").await;
        for path in ["/meetings.json", "/meetings-omitted.json"] {
            let response = server.client.get(server.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(response.headers()["access-control-allow-origin"], "*", "{path}");
            assert_eq!(response.headers()["cross-origin-resource-policy"], "cross-origin", "{path}");
        }
        for path in ["/api/v1/me", "/dashboard", "/api/v1/clocks"] {
            let response = server.client.get(server.url(path)).bearer_auth(&token).send().await.unwrap();
            assert!(response.headers().get("access-control-allow-origin").is_none(), "{path}");
            assert_eq!(response.headers()["cross-origin-resource-policy"], "same-origin", "{path}");
        }
        server.stop().await;
    }
}

both_backends! {
    async fn a_spoofed_forwarded_address_does_not_dodge_the_registration_limit(database) {
        let mut config = AppConfig::default();
        config.throttle.registrations_per_hour = 3;
        let web = WebConfig { trusted_proxy_hops: 1, ..WebConfig::default() };
        let server = TestServer::start_with_web(database, config, web).await;
        let mut statuses = Vec::new();
        for n in 0..5 {
            // The client writes a new address each time; the proxy appends the one it saw.
            let response = server
                .client
                .post(server.url("/api/v1/accounts"))
                .header("x-forwarded-for", format!("198.51.100.{n}, 203.0.113.9"))
                .json(&serde_json::json!({ "username": format!("spoofer_{n}"), "password": PASSWORD }))
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        assert_eq!(statuses, [201, 201, 201, 429, 429]);
        // Another address, as the proxy saw it, is another client.
        let other = server
            .client
            .post(server.url("/api/v1/accounts"))
            .header("x-forwarded-for", "203.0.113.10")
            .json(&serde_json::json!({ "username": "honest_one", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 201);
        server.stop().await;
    }
}
