//! Operations and the safety net: health, readiness, metrics, security headers, `/help` with the
//! database down, the 404 page, the OpenAPI document, and no third-party loads.

use crate::support::TestServer;
use mutual_testkit::both_backends;

both_backends! {
    async fn health_and_readiness_report_the_backend(database) {
        let backend = database.db.backend().as_str();
        let server = TestServer::start(database).await;
        let health = server.client.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        assert_eq!(health.text().await.unwrap(), "ok");
        let ready = server.client.get(server.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 200);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["database"], backend);
        server.stop().await;
    }
}

both_backends! {
    async fn help_still_renders_when_the_database_is_down(database) {
        let server = TestServer::start(database).await;
        server.register("quiet_river").await;
        let mut member = server.visitor();
        member.log_in("quiet_river").await;
        server.app.db.close().await;
        let ready = server.client.get(server.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 503);
        for visitor_help in [member.get("/help").await, server.visitor().get("/help").await] {
            assert_eq!(visitor_help.status, 200);
            assert!(visitor_help.body.contains("988 Suicide"), "{}", visitor_help.body);
            assert!(visitor_help.body.contains("1-800-662-4357"));
            assert!(visitor_help.body.contains("These numbers are for the United States") && visitor_help.body.contains("Lines for"), "and a way to pick another country");
        }
        let home = member.get("/").await;
        assert_eq!(home.status, 200, "the start page renders signed out rather than failing");
        let dashboard = member.get("/dashboard").await;
        assert_eq!(dashboard.status, 503);
        assert!(dashboard.body.contains("Need help now?"), "every page, error pages too, links to help");
        server.stop().await;
    }
}

both_backends! {
    async fn metrics_count_requests_by_route_pattern_without_personal_data(database) {
        let server = TestServer::start(database).await;
        server.register("metric_person").await;
        server.client.get(server.url("/healthz")).send().await.unwrap();
        server.client.get(server.url(&format!("/setup/{}", "secret-token-in-path"))).send().await.unwrap();
        server.client.get(server.url("/nowhere/secret-in-unknown-path")).send().await.unwrap();
        let text = server.client.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(text.contains("mutual_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"), "{text}");
        assert!(text.contains("route=\"/setup/{token}\""), "{text}");
        assert!(text.contains("mutual_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"), "{text}");
        assert!(text.contains("mutual_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/accounts\",le=\"+Inf\"} 1"), "{text}");
        assert!(text.contains("mutual_password_hashes_total 1\n"), "one registration, one hash: {text}");
        assert!(!text.contains("metric_person") && !text.contains("secret-token-in-path") && !text.contains("secret-in-unknown"));
        server.stop().await;
    }
}

both_backends! {
    async fn every_response_carries_the_security_headers(database) {
        let server = TestServer::start(database).await;
        server.register("header_check").await;
        let mut visitor = server.visitor();
        visitor.log_in("header_check").await;
        let mut request_ids = std::collections::HashSet::new();
        for path in ["/", "/help", "/login", "/dashboard", "/settings", "/static/mutual.css", "/nowhere", "/api/v1/me", "/healthz"] {
            let page = visitor.get(path).await;
            let header = |name: &str| page.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            let csp = header("content-security-policy");
            // Pages get the policy that lets them load their own scripts and styles; other
            // answers (JSON, plain text, stylesheets) the one that lets a browser run nothing.
            let document = header("content-type").starts_with("text/html");
            assert_eq!(document, !matches!(path, "/static/mutual.css" | "/api/v1/me" | "/healthz"), "{path}");
            let source = if document { "default-src 'self'" } else { "default-src 'none'" };
            assert!(csp.contains(source) && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
            if document {
                assert_eq!(header("x-frame-options"), "DENY", "{path}");
                assert_eq!(header("cross-origin-opener-policy"), "same-origin", "{path}");
            }
            let id = header("x-request-id");
            assert!(id.len() == 32 && request_ids.insert(id.clone()), "{path}: a fresh request id, not {id:?}");
            if path != "/static/mutual.css" {
                assert_eq!(header("cache-control"), "no-store", "{path}");
            }
        }
        // A proxy's request id is kept, so one id follows the request through both logs.
        let traced = server.client.get(server.url("/healthz")).header("x-request-id", "from-the-proxy-1").send().await.unwrap();
        assert_eq!(traced.headers()["x-request-id"], "from-the-proxy-1");
        let cookie = visitor.get("/login").await;
        assert!(cookie.headers.get_all("set-cookie").iter().all(|c| c.to_str().unwrap().contains("HttpOnly")));
        server.stop().await;
    }
}

both_backends! {
    async fn pages_load_nothing_from_any_other_origin(database) {
        let server = TestServer::start(database).await;
        server.register("privacy_check").await;
        let mut visitor = server.visitor();
        visitor.log_in("privacy_check").await;
        for path in ["/", "/register", "/login", "/help", "/dashboard", "/settings", "/nowhere"] {
            let page = visitor.get(path).await;
            assert!(page.body.contains("href=\"/help\""), "{path} links to help");
            assert!(page.body.contains("Skip to content"), "{path} has a skip link");
            for loader in ["src=\"http", "src=\"//", "<link rel=\"stylesheet\" href=\"http", "@import", "url(http"] {
                assert!(!page.body.contains(loader), "{path} contains {loader}");
            }
            let scripts: Vec<&str> = page.body.split("<script").skip(1).collect();
            assert!(scripts.iter().all(|s| s.starts_with(" src=\"/static/mutual.js\" defer></script>")), "{path}: only our own script file, no inline code");
        }
        let css = visitor.get("/static/mutual.css").await.body;
        assert!(!css.contains("url(") && !css.contains("@import"));
        let js = visitor.get("/static/mutual.js").await.body;
        assert!(!js.contains("http") && !js.contains("fetch(") && !js.contains("XMLHttpRequest"), "the script loads nothing");
        server.stop().await;
    }
}

both_backends! {
    async fn unknown_addresses_get_a_friendly_404_and_the_openapi_document_is_served(database) {
        let server = TestServer::start(database).await;
        let missing = server.visitor().get("/no/such/page").await;
        assert_eq!(missing.status, 404);
        assert!(missing.body.contains("There is nothing at this address"));
        let openapi: serde_json::Value = server.client.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert_eq!(openapi["openapi"], "3.1.0");
        assert!(openapi["paths"]["/api/v1/me"]["get"].is_object());
        server.stop().await;
    }
}

both_backends! {
    async fn labels_belong_to_every_input(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("label_admin", mutual_domain::permissions::Role::Admin).await;
        let mut visitor = server.visitor();
        for path in ["/register", "/login"] {
            assert_every_input_labelled(path, &visitor.get(path).await.body);
        }
        visitor.log_in("label_admin").await;
        for path in ["/settings", "/admin"] {
            assert_every_input_labelled(path, &visitor.get(path).await.body);
        }
        server.stop().await;
    }
}

fn assert_every_input_labelled(path: &str, html: &str) {
    for tag in html
        .split('<')
        .filter(|t| t.starts_with("input ") || t.starts_with("select "))
    {
        if tag.contains("type=\"hidden\"") {
            continue;
        }
        let id = tag
            .split("id=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{path}: input without id: {tag}"));
        assert!(
            html.contains(&format!("for=\"{id}\"")),
            "{path}: no label for {id}"
        );
    }
}

both_backends! {
    async fn pages_and_answers_are_compressed_when_asked_and_read_back_the_same(database) {
        let server = crate::support::TestServer::start(database).await;
        server.register("squeezed_one").await;
        let token = server.token("squeezed_one").await;
        // A client that does not decompress, to see what goes over the wire.
        let raw = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
        let plain = raw.get(server.url("/help")).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "nothing is compressed unasked");
        let plain_body = plain.bytes().await.unwrap();
        for (encoding, path, bearer) in [
            ("br", "/help", None),
            ("gzip", "/help", None),
            ("br", "/static/mutual.css", None),
            ("gzip", "/api/v1/me", Some(token.as_str())),
        ] {
            let mut request = raw.get(server.url(path)).header("accept-encoding", encoding);
            if let Some(token) = bearer {
                request = request.bearer_auth(token);
            }
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), 200, "{path}");
            assert_eq!(answer.headers()["content-encoding"], encoding, "{path}");
            assert!(answer.headers()["vary"].to_str().unwrap().to_ascii_lowercase().contains("accept-encoding"), "{path}");
            assert!(answer.headers().get("content-security-policy").is_some(), "the frame's headers stay: {path}");
            let squeezed = answer.bytes().await.unwrap();
            if path == "/help" {
                assert!(squeezed.len() * 2 < plain_body.len(), "{encoding}: {} bytes of {}", squeezed.len(), plain_body.len());
            }
        }
        // The test server's own client decompresses (gzip, brotli): the page reads the same.
        let decoded = server.client.get(server.url("/help")).header("accept-encoding", "br").send().await.unwrap();
        assert!(decoded.headers().get("content-encoding").is_none(), "decompressed by the client");
        let decoded = decoded.text().await.unwrap();
        let plain_text = String::from_utf8(plain_body.to_vec()).unwrap();
        let strip = |page: &str| page.split("name=\"csrf\"").next().unwrap().to_owned();
        assert_eq!(strip(&decoded), strip(&plain_text));
        server.stop().await;
    }
}
