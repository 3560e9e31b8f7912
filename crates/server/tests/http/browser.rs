//! Browser tests: real headless Chromium, driven over WebDriver by Debian's chromedriver, through
//! the journey register → dashboard → log out → log in → dashboard → log out, and `/help`.
//! Skipped with a notice when Chromium is absent; `MUTUAL_REQUIRE_BROWSER=1` makes that a failure.

use crate::support::{PASSWORD, TestServer};
use crate::webdriver::Browser;
use mutual_testkit::both_backends;
use serde_json::json;

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
        browser.log_in(&server.url("/login"), "browser_checker", PASSWORD).await;

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
        browser.log_in(&server.url("/login"), "browser_seeker", PASSWORD).await;

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
                browser.log_in(&server.url("/login"), name, PASSWORD).await;
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
                browser.log_in(&server.url("/login"), name, PASSWORD).await;
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

        browser.log_in(&server.url("/login"), "browser_low", PASSWORD).await;
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
        assert!((-1.0..=8.0).contains(&number("top")), "the offer is at the top of the screen: {seen}");
        assert!(number("reach_bottom") <= number("height"), "Reach out is on the first screen: {seen}");
        assert!(number("post_top") > number("height"), "the post itself comes after: {seen}");
        assert_eq!(seen["focused"], true, "focus is on the offer, for screen readers: {seen}");
        assert!(number("lines") >= 1.0, "with the crisis lines: {seen}");
        browser.quit().await;
        server.stop().await;
    }
}

both_backends! {
    async fn the_header_folds_its_menu_on_a_phone_and_opens_it_with_or_without_the_script(database) {
        let Some(browser) = Browser::launch().await else { return };
        let server = TestServer::start(database).await;
        server.register("menu_reader").await;
        browser.log_in(&server.url("/login"), "menu_reader", PASSWORD).await;
        let measure = "const h = document.querySelector('.site-header').getBoundingClientRect().height;
            const nav = getComputedStyle(document.getElementById('menu')).display;
            const toggle = document.querySelector('.menu-toggle');
            return [h, nav, toggle ? getComputedStyle(toggle).display : 'absent', toggle ? toggle.tagName : ''];";

        browser.viewport(320, 640).await;
        let folded = browser.script(measure).await;
        browser.screenshot("header-320-folded").await;
        eprintln!("the header at 320 px: {} px high", folded[0]);
        assert!(folded[0].as_f64().unwrap() <= 130.0, "a compact header on a phone: {folded}");
        assert_eq!(folded[1], "none", "the menu is folded: {folded}");
        assert_eq!(folded[3], "BUTTON", "the script made Menu a button: {folded}");
        browser.click("nav a[href='/settings']").await;
        browser.wait_for_path("/settings").await;
        // Without the script Menu is a link to #menu, and the menu shows while it is the target.
        browser.go(&server.url("/dashboard#menu")).await;
        assert_eq!(browser.script(measure).await[1], "block", "the menu opens as the page's target");
        browser.screenshot("header-320-open").await;

        browser.viewport(1280, 900).await;
        browser.go(&server.url("/dashboard")).await;
        let wide = browser.script(measure).await;
        assert_eq!((wide[1].as_str(), wide[2].as_str()), (Some("block"), Some("none")), "on a wide screen the menu shows and Menu does not: {wide}");
        browser.screenshot("header-1280").await;
        browser.quit().await;
        server.stop().await;
    }
}
