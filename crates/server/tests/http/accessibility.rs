//! The accessibility walk: every page a visitor, three members (one with the longest pseudonym
//! allowed), a moderator and an admin reach by following links through the demo community,
//! opened in headless Chromium on a 320 px phone and a 1280 px screen and checked by axe-core
//! (WCAG 2.1 A and AA), for width (nothing wider than the phone's screen) and for requests to
//! other origins; every HTML page in the route table must be reached (those opened by a link
//! sent to one person, with a live token). Screenshots at both widths go to
//! `MUTUAL_SCREENSHOTS` when it names a folder.
//!
//! axe-core is an npm package: `.ci/run` installs it where [`axe_source`] looks
//! (`MUTUAL_AXE_JS` names another file).

use crate::support::TestServer;
use crate::webdriver::Browser;
use mutual_app::demo::DEMO_PASSWORD;
use mutual_testkit::both_backends;
use mutual_web::route_table;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Where `.ci/run` installs axe-core: `npm install --prefix target/ci-tools axe-core@…`.
const AXE_DEFAULT: &str = "../../target/ci-tools/node_modules/axe-core/axe.min.js";

/// The pages only a link handed to one person opens (the first admin's setup link, a
/// password-reset e-mail, a circle invitation), with a live token each, so the walk reads the
/// form the person meets and not only the "this link does not work" page.
async fn token_pages(server: &TestServer, setup: String) -> Vec<String> {
    use mutual_app::tokens::{hash_token, new_token};
    use mutual_store::accounts::find_user_by_username;
    let db = &server.app.db;
    let oak = find_user_by_username(db, "steady_oak")
        .await
        .unwrap()
        .unwrap();
    let reset = new_token();
    let now = server.app.clock.now();
    let later = now.plus(std::time::Duration::from_secs(1800));
    mutual_store::account_recovery::insert_password_reset(
        db,
        &hash_token(&reset),
        oak.id,
        now,
        later,
    )
    .await
    .unwrap();
    let circle = mutual_store::people::circles::list_circles_of(db, oak.id)
        .await
        .unwrap()
        .remove(0);
    let invite = new_token();
    let invite_hash: String = hash_token(&invite)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    mutual_store::people::circles::update_invite_hash(db, circle.id, Some(&invite_hash))
        .await
        .unwrap();
    vec![
        format!("/setup/{setup}"),
        format!("/account-recovery/reset/{reset}"),
        format!("/circles/join/{invite}"),
    ]
}

/// The axe-core source, or `None` (after a notice) when it is not installed; a failure under
/// `MUTUAL_REQUIRE_BROWSER=1`, where nothing may be skipped.
fn axe_source() -> Option<String> {
    let path = std::env::var("MUTUAL_AXE_JS")
        .unwrap_or_else(|_| format!("{}/{AXE_DEFAULT}", env!("CARGO_MANIFEST_DIR")));
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(error) if std::env::var("MUTUAL_REQUIRE_BROWSER").as_deref() == Ok("1") => {
            panic!(
                "MUTUAL_REQUIRE_BROWSER=1 but axe-core is not at {path} ({error}): `npm install --prefix target/ci-tools axe-core` or set MUTUAL_AXE_JS"
            )
        }
        Err(_) => {
            eprintln!(
                "skipped: accessibility walk (npm install --prefix target/ci-tools axe-core)"
            );
            None
        }
    }
}

/// Whether a route pattern answers with an HTML page a person reads (not the API, a feed, a
/// download, an event stream or an asset).
fn is_page(pattern: &str) -> bool {
    let not_pages = ["/api/", "/static/", "/calendar/", "/client_interface/"];
    !not_pages.iter().any(|prefix| pattern.starts_with(prefix))
        && !["/healthz", "/readyz", "/metrics", "/settings/export"].contains(&pattern)
        && !pattern.ends_with("/events")
        && !pattern.rsplit('/').next().unwrap_or("").contains('.')
}

/// What the walk found pages to break, one line each.
#[derive(Default)]
struct Findings {
    problems: Vec<String>,
}

impl Findings {
    fn add(&mut self, who: &str, url: &str, width: u32, what: String) {
        self.problems
            .push(format!("{who} {url} at {width} px: {what}"));
    }
}

/// Runs axe-core on the open page (injected each time: pages load only their own script) and
/// returns one line per violation: the rule, its impact and the first elements it names.
async fn axe_violations(browser: &Browser, axe: &str) -> Vec<String> {
    browser.script(axe).await;
    let result = browser
        .script_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
                                 resultTypes: ['violations'] })
                .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)))
                .catch(e => done([`axe failed: ${e}`]));",
        )
        .await;
    result
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The open page's own status (from the navigation timing entry), its same-origin links
/// (without fragments), the elements that stick out past the viewport (not those inside a region
/// that scrolls) and any request to another origin.
async fn look(browser: &Browser) -> Value {
    browser
        .script(
            "const origin = location.origin;
             const nav = performance.getEntriesByType('navigation')[0];
             const links = [...document.querySelectorAll('a[href]')]
                 .map(a => new URL(a.href, location.href))
                 .filter(u => u.origin === origin)
                 .map(u => u.pathname + u.search);
             const width = document.documentElement.clientWidth;
             const wide = [...document.querySelectorAll('body *')]
                 .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; })
                 .filter(e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                                    if (getComputedStyle(a).overflowX !== 'visible') return false; } return true; })
                 .slice(0, 3)
                 .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).split(' ').join('.') : ''} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
             const foreign = performance.getEntriesByType('resource')
                 .map(r => r.name).filter(n => !n.startsWith(origin));
             return { status: nav ? nav.responseStatus : 0, path: location.pathname,
                      links, wide, foreign, scroll: document.documentElement.scrollWidth, width };",
        )
        .await
}

/// Walks the pages `start` leads to, as whoever is signed in, reading each route pattern once;
/// returns the addresses read (for the second pass at another width) and records what each page
/// breaks at 320 px.
async fn walk(
    browser: &Browser,
    server: &TestServer,
    axe: &str,
    who: &str,
    start: &[&str],
    reached: &mut BTreeSet<String>,
    findings: &mut Findings,
) -> Vec<String> {
    let table = route_table();
    let mut queue: VecDeque<String> = start.iter().map(|s| (*s).to_owned()).collect();
    let mut seen_patterns = BTreeSet::new();
    let mut read = Vec::new();
    while let Some(address) = queue.pop_front() {
        let path = address.split('?').next().unwrap_or("");
        let pattern = table.find(path).map(|rules| rules.pattern().to_owned());
        let key = pattern.clone().unwrap_or_else(|| address.clone());
        if pattern.as_deref().is_some_and(|p| !is_page(p)) || !seen_patterns.insert(key) {
            continue;
        }
        browser.go(&server.url(&address)).await;
        let page = look(browser).await;
        let status = page["status"].as_u64().unwrap_or(0);
        // A page that sends the walker elsewhere (a log-in, a moved page) is read where it lands.
        let landed = page["path"].as_str().unwrap_or("") == path;
        if let Some(pattern) = &pattern
            && landed
            && status == 200
        {
            reached.insert(pattern.clone());
        }
        if status >= 500 {
            findings.add(who, &address, 320, format!("answered {status}"));
        }
        if page["scroll"].as_u64() > page["width"].as_u64() {
            findings.add(
                who,
                &address,
                320,
                format!(
                    "wider than the screen ({} px): {}",
                    page["scroll"], page["wide"]
                ),
            );
        }
        if page["foreign"].as_array().is_some_and(|f| !f.is_empty()) {
            findings.add(
                who,
                &address,
                320,
                format!("loads from another origin: {}", page["foreign"]),
            );
        }
        for violation in axe_violations(browser, axe).await {
            findings.add(who, &address, 320, violation);
        }
        browser
            .screenshot(&format!("a11y-{who}-{}", slug(&address)))
            .await;
        read.push(address);
        for link in page["links"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            queue.push_back(link.to_owned());
        }
    }
    read
}

/// A file name for an address.
fn slug(address: &str) -> String {
    let slug: String = address
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    slug.trim_matches('-')
        .chars()
        .take(80)
        .collect::<String>()
        .replace("--", "-")
}

/// Reads the same addresses again on a wide screen.
async fn wide_pass(
    browser: &Browser,
    server: &TestServer,
    axe: &str,
    who: &str,
    read: &[String],
    findings: &mut Findings,
) {
    browser.viewport(1280, 900).await;
    for address in read {
        browser.go(&server.url(address)).await;
        for violation in axe_violations(browser, axe).await {
            findings.add(who, address, 1280, violation);
        }
        browser
            .screenshot(&format!("a11y-{who}-{}-1280", slug(address)))
            .await;
    }
    browser.viewport(320, 640).await;
}

async fn sign_in(browser: &Browser, server: &TestServer, username: &str) {
    browser.clear_cookies().await;
    browser
        .log_in(&server.url("/login"), username, DEMO_PASSWORD)
        .await;
}

both_backends! {
    async fn every_page_passes_axe_core_fits_a_phone_and_loads_nothing_from_elsewhere(database) {
        let Some(axe) = axe_source() else { return };
        let Some(browser) = Browser::launch().await else { return };
        let server = TestServer::start(database).await;
        // The setup link exists only while nobody has an account.
        let setup = mutual_app::admin::ensure_setup_token(&server.app).await.unwrap().expect("a setup link");
        mutual_app::demo::seed_demo(&server.app).await.unwrap();
        let tokens = token_pages(&server, setup).await;
        browser.viewport(320, 640).await;
        let mut reached = BTreeSet::new();
        let mut findings = Findings::default();
        let mut counts = BTreeMap::new();

        // `/appeal` is linked from the log-in page only for a suspended member.
        let mut visitor_start: Vec<&str> = vec!["/", "/help", "/login", "/register", "/account-recovery", "/appeal", "/meetings", "/no-such-page"];
        visitor_start.extend(tokens[..2].iter().map(String::as_str));
        let read = walk(&browser, &server, &axe, "visitor", &visitor_start, &mut reached, &mut findings).await;
        wide_pass(&browser, &server, &axe, "visitor", &read, &mut findings).await;
        counts.insert("visitor", read.len());
        // The longest pseudonym there can be, with a thread of its own, for layouts that must
        // not overflow a phone.
        let long = "a_very_long_pseudonym_for_phones";
        assert_eq!(long.len(), 32);
        let (status, body) = server.api(reqwest::Method::POST, "/api/v1/accounts", None, Some(&serde_json::json!({"username": long, "password": DEMO_PASSWORD}))).await;
        assert_eq!(status, 201, "{body}");
        let token = server.token_with(long, DEMO_PASSWORD).await;
        let space = crate::community::space_id(&server, &token, "Introductions").await;
        crate::community::start_thread(&server, &token, &space, serde_json::json!({"title": "Hello_from_a_member_whose_words_run_together_without_spaces", "body": "Supercalifragilisticexpialidociously_long_words_should_wrap_on_a_phone_screen."})).await;
        // steady_oak mentors new_leaf; quiet_river reached out lately.
        for who in ["steady_oak", "quiet_river", "demo_moderator", "demo_admin", long] {
            sign_in(&browser, &server, who).await;
            let read = walk(&browser, &server, &axe, who, &["/dashboard", "/settings", &tokens[2]], &mut reached, &mut findings).await;
            wide_pass(&browser, &server, &axe, who, &read, &mut findings).await;
            counts.insert(who, read.len());
        }
        eprintln!("accessibility walk: pages read per person {counts:?}, {} route patterns reached", reached.len());

        let unreached: Vec<String> = route_table()
            .routes()
            .iter()
            .filter(|route| route.method == "GET" && is_page(&route.path))
            .map(|route| route.path.clone())
            .filter(|path| !reached.contains(path))
            .collect();
        assert!(
            findings.problems.is_empty() && unreached.is_empty(),
            "no link leads to these pages, so nobody checked them: {unreached:?}\n{} problems:\n{}",
            findings.problems.len(),
            findings.problems.join("\n")
        );
        browser.quit().await;
        server.stop().await;
    }
}
