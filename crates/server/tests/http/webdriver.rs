//! A WebDriver session in Debian's headless Chromium, driven by its chromedriver: what the
//! browser tests and the accessibility walk share. Chromium's absence is a notice that skips the
//! test, or a failure under `MUTUAL_REQUIRE_BROWSER=1`.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A WebDriver session in headless Chromium; the driver process ends when this is dropped.
pub(crate) struct Browser {
    http: reqwest::Client,
    session: String,
    driver: Child,
    profile: std::path::PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, or `None` (after a notice) when absent.
    pub(crate) async fn launch() -> Option<Browser> {
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

    pub(crate) async fn command(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
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
    pub(crate) async fn wait_for_text(&self, needle: &str) {
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

    pub(crate) async fn go(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    pub(crate) async fn url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", Value::Null)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub(crate) async fn find(&self, css: &str) -> String {
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

    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Signs in through the log-in form at `login_url` and waits for the dashboard.
    pub(crate) async fn log_in(&self, login_url: &str, username: &str, password: &str) {
        self.go(login_url).await;
        self.type_into("#username", username).await;
        self.type_into("#password", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        self.wait_for_path("/dashboard").await;
    }

    /// Clicks the first element `css` finds, opening the folded phone menu first, as a person
    /// would, when that is where it is.
    pub(crate) async fn click(&self, css: &str) {
        let folded = "const e = document.querySelector(arguments[0]); const m = document.getElementById('menu');
            return !!(e && m && m.contains(e) && getComputedStyle(m).display === 'none');";
        if self.execute("sync", folded, json!([css])).await == true {
            self.click_now(".menu-toggle").await;
        }
        self.click_now(css).await;
    }

    async fn click_now(&self, css: &str) {
        let element = self.find(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            json!({}),
        )
        .await;
    }

    /// Waits (up to 10 s) until the address ends with `suffix`, after a click that navigates.
    pub(crate) async fn wait_for_path(&self, suffix: &str) {
        for _ in 0..100 {
            let url = self.url().await;
            if url.ends_with(suffix) && self.ready().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached {suffix}: at {}", self.url().await);
    }

    pub(crate) async fn ready(&self) -> bool {
        self.script("return document.readyState").await == "complete"
    }

    pub(crate) async fn text(&self, css: &str) -> String {
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
    pub(crate) async fn script(&self, script: &str) -> Value {
        self.execute("sync", script, json!([])).await
    }

    /// Runs `script` (a function body whose last argument is the callback to call with the
    /// result) in the page, and returns what it passes back.
    pub(crate) async fn script_async(&self, script: &str) -> Value {
        self.execute("async", script, json!([])).await
    }

    /// WebDriver's `execute/sync` or `execute/async`, with the script's arguments.
    async fn execute(&self, kind: &str, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            &format!("/execute/{kind}"),
            json!({ "script": script, "args": args }),
        )
        .await
    }

    /// Forgets every cookie of the open site: a new visitor.
    pub(crate) async fn clear_cookies(&self) {
        self.command(reqwest::Method::DELETE, "/cookie", Value::Null)
            .await;
    }

    /// Sizes the window's viewport to `width` × `height` CSS pixels.
    pub(crate) async fn viewport(&self, width: u32, height: u32) {
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
    pub(crate) async fn screenshot(&self, name: &str) {
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

    pub(crate) async fn quit(mut self) {
        let _ = self.http.delete(&self.session).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
