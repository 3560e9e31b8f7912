//! Browser tests: real headless Chromium, driven over WebDriver by Debian's chromedriver, through
//! the journey register → dashboard → log out → log in → dashboard → log out, and `/help`.
//! Skipped with a notice when Chromium is absent; `MUTUAL_REQUIRE_BROWSER=1` makes that a failure.

use crate::support::{PASSWORD, TestServer};
use mutual_testkit::both_backends;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A WebDriver session in headless Chromium; the driver process ends when this is dropped.
struct Browser {
    http: reqwest::Client,
    session: String,
    driver: Child,
    profile: std::path::PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, or `None` (after a notice) when absent.
    async fn launch() -> Option<Browser> {
        if !std::path::Path::new(CHROMIUM).exists() || !std::path::Path::new(CHROMEDRIVER).exists()
        {
            if std::env::var("MUTUAL_REQUIRE_BROWSER").as_deref() == Ok("1") {
                panic!("MUTUAL_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing");
            }
            eprintln!(
                "skipped: browser test (install Debian's chromium and chromium-driver to run it)"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("mutual-chromium-{}", uuid::Uuid::now_v7()));
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=390,844",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("create a WebDriver session")
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        Some(Browser {
            http,
            session: format!("{base}/session/{session}"),
            driver,
            profile,
        })
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let request = self.http.request(method, format!("{}{path}", self.session));
        let request = if body.is_null() {
            request
        } else {
            request.json(&body)
        };
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        assert!(
            answer["value"].get("error").is_none(),
            "WebDriver {path}: {answer}"
        );
        answer["value"].clone()
    }

    /// Waits (up to 10 s) until the page's main text contains `needle`, riding out the moment a
    /// submitted form is still loading.
    async fn wait_for_text(&self, needle: &str) {
        let script = json!({ "script": "var m = document.querySelector('main'); return m ? m.innerText : ''", "args": [] });
        for _ in 0..100 {
            let answer = self
                .http
                .post(format!("{}/execute/sync", self.session))
                .json(&script)
                .send()
                .await;
            if let Ok(answer) = answer
                && let Ok(body) = answer.json::<Value>().await
                && body["value"]
                    .as_str()
                    .is_some_and(|text| text.contains(needle))
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {needle:?}");
    }

    async fn go(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    async fn url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn find(&self, css: &str) -> String {
        let found = self
            .command(
                reqwest::Method::POST,
                "/element",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            json!({}),
        )
        .await;
    }

    /// Waits (up to 10 s) until the address ends with `suffix`, after a click that navigates.
    async fn wait_for_path(&self, suffix: &str) {
        for _ in 0..100 {
            let url = self.url().await;
            if url.ends_with(suffix) && self.ready().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached {suffix}: at {}", self.url().await);
    }

    async fn ready(&self) -> bool {
        let state = self
            .command(
                reqwest::Method::POST,
                "/execute/sync",
                json!({ "script": "return document.readyState", "args": [] }),
            )
            .await;
        state == "complete"
    }

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::GET,
            &format!("/element/{element}/text"),
            Value::Null,
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    async fn script(&self, script: &str) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
        .await
    }

    /// Sizes the window's viewport to `width` × `height` CSS pixels.
    async fn viewport(&self, width: u32, height: u32) {
        let inner = self
            .script("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]")
            .await;
        let extra = |i: usize| inner[i].as_u64().unwrap_or(0) as u32;
        self.command(
            reqwest::Method::POST,
            "/window/rect",
            json!({ "width": width + extra(0), "height": height + extra(1) }),
        )
        .await;
    }

    /// Saves a screenshot when MUTUAL_SCREENSHOTS names a folder (for looking at pages by eye).
    async fn screenshot(&self, name: &str) {
        let Ok(folder) = std::env::var("MUTUAL_SCREENSHOTS") else {
            return;
        };
        use base64::Engine;
        let png = self
            .command(reqwest::Method::GET, "/screenshot", Value::Null)
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(
            std::path::Path::new(&folder).join(format!("{name}.png")),
            bytes,
        )
        .unwrap();
    }

    async fn quit(mut self) {
        let _ = self.http.delete(&self.session).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

both_backends! {
    async fn a_newcomer_joins_logs_out_and_back_in_in_a_real_browser(database) {
        let Some(browser) = Browser::launch().await else { return };
        let server = TestServer::start(database).await;

        browser.go(&server.url("/")).await;
        browser.screenshot("home").await;
        assert!(browser.text("a.help-now").await.contains("Need help now?"));
        browser.click("a[href='/register']").await;
        browser.wait_for_path("/register").await;
        browser.type_into("#username", "browser_newcomer").await;
        browser.type_into("#password", PASSWORD).await;
        browser.screenshot("register").await;
        browser.click("form[action='/register'] button[type=submit]").await;
        browser.wait_for_text("Your recovery codes").await;
        browser.screenshot("recovery-codes").await;
        browser.click("a.button[href='/dashboard']").await;
        browser.wait_for_path("/dashboard").await;
        assert!(browser.text("h1").await.contains("Welcome, browser_newcomer"));
        browser.screenshot("dashboard").await;

        browser.click("form[action='/logout'] button").await;
        browser.wait_for_text("Log in").await;
        browser.wait_for_path(&server.url("/")).await;
        browser.go(&server.url("/dashboard")).await;
        assert!(browser.url().await.contains("/login"), "signed out: the dashboard asks to log in");

        browser.type_into("#username", "browser_newcomer").await;
        browser.type_into("#password", PASSWORD).await;
        browser.click("form[action='/login'] button[type=submit]").await;
        browser.wait_for_path("/dashboard").await;
        browser.go(&server.url("/settings")).await;
        assert!(browser.text("main").await.contains("Where you are signed in"));
        browser.screenshot("settings").await;
        browser.click("form[action='/logout'] button").await;
        browser.wait_for_text("Log in").await;
        browser.wait_for_path(&server.url("/")).await;

        browser.go(&server.url("/help")).await;
        assert_eq!(browser.text("h1").await, "Need help now?");
        assert!(browser.text("main").await.contains("988"));
        browser.screenshot("help").await;
        browser.quit().await;
        server.stop().await;
    }
}

both_backends! {
    async fn a_member_starts_a_clock_checks_in_and_sees_the_trend_charts_in_a_real_browser(database) {
        let Some(browser) = Browser::launch().await else { return };
        let server = TestServer::start(database).await;
        server.register("browser_checker").await;
        browser.go(&server.url("/login")).await;
        browser.type_into("#username", "browser_checker").await;
        browser.type_into("#password", PASSWORD).await;
        browser.click("form[action='/login'] button[type=submit]").await;
        browser.wait_for_path("/dashboard").await;

        browser.go(&server.url("/clocks")).await;
        browser.type_into("#label", "alcohol").await;
        browser.click("form[action='/clocks'] button[type=submit]").await;
        browser.wait_for_text("Next: 24 hours").await;
        browser.screenshot("clocks").await;

        browser.go(&server.url("/checkin")).await;
        browser.click("input[name=mood][value='4']").await;
        browser.click("input[name=craving][value='2']").await;
        browser.type_into("#sleep_hours", "7.5").await;
        browser.click("input[name=sleep_quality][value='4']").await;
        browser.screenshot("checkin").await;
        browser.click("form.checkin button[type=submit]").await;
        browser.wait_for_text("Saved. Thank you for checking in.").await;

        browser.go(&server.url("/trends?days=7")).await;
        assert_eq!(browser.text("h1").await, "Your trends");
        let charts = browser.command(reqwest::Method::POST, "/execute/sync", json!({
            "script": "return Array.from(document.querySelectorAll('svg.chart')).map(s => s.getBoundingClientRect().height > 50).length",
            "args": []
        })).await;
        assert_eq!(charts, 5, "five charts drawn");
        assert!(browser.text("main").await.contains("Average 4.0 over the 1 days you checked in"));
        browser.screenshot("trends").await;
        browser.quit().await;
        server.stop().await;
    }
}

both_backends! {
    async fn a_member_searches_for_a_meeting_and_saves_it_in_a_real_browser(database) {
        let Some(browser) = Browser::launch().await else { return };
        let server = TestServer::start(database).await;
        crate::meetings::directory(&server).await;
        server.register("browser_seeker").await;
        browser.go(&server.url("/login")).await;
        browser.type_into("#username", "browser_seeker").await;
        browser.type_into("#password", PASSWORD).await;
        browser.click("form[action='/login'] button[type=submit]").await;
        browser.wait_for_path("/dashboard").await;

        browser.click("nav a[href='/meetings']").await;
        browser.wait_for_path("/meetings").await;
        browser.type_into("#q", "evanston").await;
        browser.click("form.search button[type=submit]").await;
        browser.wait_for_text("1 meeting").await;
        assert!(browser.text("main").await.contains("Evanston Morning"));
        browser.screenshot("meeting-search").await;
        browser.click("article.meeting h3 a").await;
        browser.wait_for_text("Save to my meetings").await;
        browser.click("form[action$='/save'] button").await;
        browser.wait_for_text("Saved to your meetings.").await;
        browser.screenshot("meeting").await;
        browser.go(&server.url("/my/meetings")).await;
        assert!(browser.text("main").await.contains("Evanston Morning"));
        browser.screenshot("my-meetings").await;
        browser.quit().await;
        server.stop().await;
    }
}

both_backends! {
    async fn members_post_reply_react_and_flag_and_a_moderator_hides_the_post_in_a_real_browser(database) {
        let Some(browser) = Browser::launch().await else { return };
        let server = TestServer::start(database).await;
        server.register("browser_poster").await;
        server.register("browser_friend").await;
        server.member_with_role("browser_mod", mutual_domain::permissions::Role::Moderator).await;
        let log_in = |name: &'static str| {
            let browser = &browser;
            let server = &server;
            async move {
                browser.go(&server.url("/login")).await;
                browser.type_into("#username", name).await;
                browser.type_into("#password", PASSWORD).await;
                browser.click("form[action='/login'] button[type=submit]").await;
                browser.wait_for_path("/dashboard").await;
            }
        };
        log_in("browser_poster").await;
        browser.click("nav a[href='/community']").await;
        browser.wait_for_text("Daily check-in").await;
        browser.screenshot("community").await;
        browser.click("ul.spaces a[href^='/spaces/']").await;
        browser.wait_for_text("Start a thread").await;
        browser.type_into("#title", "Day one here").await;
        browser.type_into("#body", "Nervous but *hopeful*.").await;
        browser.click("form[action$='/threads'] button[type=submit]").await;
        browser.wait_for_text("Nervous but hopeful.").await;
        let thread = browser.url().await;
        browser.click("form[action='/logout'] button").await;
        browser.wait_for_text("Log in").await;

        log_in("browser_friend").await;
        browser.go(&thread).await;
        browser.wait_for_text("Day one here").await;
        browser.type_into("#body", "Welcome, glad you are here").await;
        browser.click("form[action$='/replies'] button[type=submit]").await;
        browser.wait_for_text("Welcome, glad you are here").await;
        browser.click("#p1 form[action$='/reactions'] button").await;
        browser.wait_for_text("Sending support (1)").await;
        browser.screenshot("thread").await;
        browser.click("#p1 a[href$='/flag']").await;
        browser.wait_for_text("Flag a post").await;
        browser.click("#reason-other").await;
        browser.type_into("#note", "Testing the flag").await;
        browser.click("form[action$='/flag'] button[type=submit]").await;
        browser.wait_for_text("Day one here").await;
        browser.click("form[action='/logout'] button").await;
        browser.wait_for_text("Log in").await;

        log_in("browser_mod").await;
        browser.click("nav a[href='/moderation']").await;
        browser.wait_for_text("Testing the flag").await;
        browser.screenshot("review-queue").await;
        browser.type_into("ol.queue input[name=reason]", "Not suitable here").await;
        browser.click("ol.queue button[value=hide]").await;
        browser.wait_for_text("Done.").await;
        browser.go(&thread).await;
        browser.wait_for_text("hidden").await;
        let friend = server.token("browser_friend").await;
        let path = thread.split("/threads/").nth(1).unwrap().split(['?', '#']).next().unwrap().to_owned();
        let (status, _) = server.api(reqwest::Method::GET, &format!("/api/v1/threads/{path}"), Some(&friend), None).await;
        assert_eq!(status, 404, "a hidden opening post hides its thread from members");
        let moderator = server.token("browser_mod").await;
        let (_, seen) = server.api(reqwest::Method::GET, &format!("/api/v1/threads/{path}"), Some(&moderator), None).await;
        assert_eq!(seen["posts"][0]["state"], "hidden");
        assert_eq!(seen["posts"][1]["body"], "Welcome, glad you are here");
        browser.quit().await;
        server.stop().await;
    }
}

both_backends! {
    async fn a_member_reaches_out_and_a_circle_member_replies_in_a_real_browser(database) {
        let Some(browser) = Browser::launch().await else { return };
        let server = TestServer::start(database).await;
        server.register("browser_reacher").await;
        server.register("browser_friend").await;
        crate::community::make_trusted(&server, "browser_reacher").await;
        let reacher = server.token("browser_reacher").await;
        let friend = server.token("browser_friend").await;
        let (status, circle) = server.api(reqwest::Method::POST, "/api/v1/circles", Some(&reacher), Some(&json!({"name": "Evening circle", "invite": ["browser_friend"]}))).await;
        assert_eq!(status, 201, "{circle}");
        let answer = format!("/api/v1/circles/{}/answer", circle["id"].as_str().unwrap());
        let (status, _) = server.api(reqwest::Method::POST, &answer, Some(&friend), Some(&json!({"answer": "accept"}))).await;
        assert_eq!(status, 200);

        let log_in = |name: &'static str| {
            let browser = &browser;
            let server = &server;
            async move {
                browser.go(&server.url("/login")).await;
                browser.type_into("#username", name).await;
                browser.type_into("#password", PASSWORD).await;
                browser.click("form[action='/login'] button[type=submit]").await;
                browser.wait_for_path("/dashboard").await;
            }
        };
        log_in("browser_reacher").await;
        browser.click("a.reach-out-link").await;
        browser.wait_for_path("/reach-out").await;
        browser.type_into("#message", "Cravings are loud tonight").await;
        browser.screenshot("reach-out").await;
        browser.click("button.reach-out-button").await;
        browser.wait_for_text("We told 1 person").await;
        let alert = browser.url().await;
        assert!(browser.text("main").await.contains("988"), "help is shown at once");
        browser.screenshot("reached-out").await;
        browser.click("form[action='/logout'] button").await;
        browser.wait_for_text("Log in").await;

        log_in("browser_friend").await;
        browser.go(&server.url("/notifications")).await;
        assert!(browser.text("main").await.contains("browser_reacher is having a hard time and would like to hear from someone"));
        browser.go(&alert).await;
        assert!(browser.text("main").await.contains("Cravings are loud tonight"));
        browser.click("form[action$='/reply'] button[type=submit]").await;
        browser.wait_for_text("I saw you reached out").await;
        assert!(browser.url().await.contains("/messages/"));
        browser.screenshot("replied").await;
        browser.click("form[action='/logout'] button").await;
        browser.wait_for_text("Log in").await;

        log_in("browser_reacher").await;
        browser.go(&alert).await;
        assert!(browser.text("main").await.contains("Someone is coming"), "the member sees someone responded");
        browser.quit().await;
        server.stop().await;
    }
}

both_backends! {
    async fn crisis_help_opens_at_the_top_of_a_phone_screen_after_a_crisis_reply_in_a_real_browser(database) {
        let Some(browser) = Browser::launch().await else { return };
        let server = TestServer::start(database).await;
        server.register("browser_long").await;
        server.register("browser_low").await;
        let writer = server.token("browser_long").await;
        let space = crate::community::space_id(&server, &writer, "Struggles and slips").await;
        let long: String = (1..=25).map(|n| format!("Paragraph {n}: a long week, and still going to meetings.\n\n")).collect();
        let thread = crate::community::start_thread(&server, &writer, &space, json!({"title": "A long week", "body": long})).await;
        let thread = thread["thread_id"].as_str().unwrap().to_owned();

        browser.go(&server.url("/login")).await;
        browser.type_into("#username", "browser_low").await;
        browser.type_into("#password", PASSWORD).await;
        browser.click("form[action='/login'] button[type=submit]").await;
        browser.wait_for_path("/dashboard").await;
        browser.viewport(320, 640).await;
        browser.go(&server.url(&format!("/threads/{thread}"))).await;
        browser.wait_for_text("A long week").await;
        browser.type_into("#body", "Honestly I want to die tonight").await;
        browser.click("form[action$='/replies'] button[type=submit]").await;
        browser.wait_for_path("#support").await;
        let seen = browser.script(
            "var o = document.getElementById('support'); var r = o.getBoundingClientRect(); \
             var reach = o.querySelector('a[href=\"/reach-out\"]').getBoundingClientRect(); \
             var post = document.getElementById('p2').getBoundingClientRect(); \
             return {top: r.top, reach_bottom: reach.bottom, post_top: post.top, height: window.innerHeight, \
                     width: window.innerWidth, focused: document.activeElement === o, \
                     lines: o.querySelectorAll('a[href^=\"tel:\"]').length};",
        ).await;
        browser.screenshot("crisis-offer-320").await;
        let number = |key: &str| seen[key].as_f64().unwrap_or_else(|| panic!("{key}: {seen}"));
        assert_eq!(number("width"), 320.0, "{seen}");
        assert!((0.0..=8.0).contains(&number("top")), "the offer is at the top of the screen: {seen}");
        assert!(number("reach_bottom") <= number("height"), "Reach out is on the first screen: {seen}");
        assert!(number("post_top") > number("height"), "the post itself comes after: {seen}");
        assert_eq!(seen["focused"], true, "focus is on the offer, for screen readers: {seen}");
        assert!(number("lines") >= 1.0, "with the crisis lines: {seen}");
        browser.quit().await;
        server.stop().await;
    }
}
