//! The black-box harness: a real server on port 0 over a fresh database with a clock the test
//! controls, a visitor that keeps cookies like a browser, and log capture for the canary.

use mutual::server::{Limits, RunningServer, start};
use mutual_app::{App, AppConfig};
use mutual_domain::{ManualClock, Timestamp};
use mutual_testkit::TestDatabase;
use mutual_web::WebConfig;
use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

pub const PASSWORD: &str = "lantern harbour violet";

/// Everything every test process logs, for the log canary.
pub fn captured_logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        buffer
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A running Mutual over a test database.
pub struct TestServer {
    pub base: String,
    pub app: App,
    pub clock: ManualClock,
    pub client: reqwest::Client,
    server: Option<RunningServer>,
    _database: Option<TestDatabase>,
}

impl TestServer {
    pub async fn start(database: TestDatabase) -> TestServer {
        Self::start_with(database, AppConfig::default()).await
    }

    pub async fn start_with(database: TestDatabase, config: AppConfig) -> TestServer {
        Self::start_with_web(database, config, WebConfig::default()).await
    }

    /// A server with HTTP-layer settings of the test's choosing (proxies, limits).
    pub async fn start_with_web(
        database: TestDatabase,
        config: AppConfig,
        web: WebConfig,
    ) -> TestServer {
        Self::start_configured(database, config, web, Limits::default()).await
    }

    /// A server with listener limits of the test's choosing (header timeout, shutdown grace).
    pub async fn start_with_limits(database: TestDatabase, limits: Limits) -> TestServer {
        Self::start_configured(database, AppConfig::default(), WebConfig::default(), limits).await
    }

    async fn start_configured(
        database: TestDatabase,
        mut config: AppConfig,
        web: WebConfig,
        limits: Limits,
    ) -> TestServer {
        config.passwords.max_concurrent_hashes = 2;
        let clock = ManualClock::at(Timestamp(1_790_000_000_000));
        let app = App::new(database.db.clone(), Arc::new(clock.clone()), config);
        Self::serve(app, clock, Some(database), web, limits).await
    }

    /// Another server process over the same database and clock, as behind a load balancer.
    pub async fn another_server(&self) -> TestServer {
        let app = App::new(
            self.app.db.clone(),
            Arc::new(self.clock.clone()),
            (*self.app.config).clone(),
        );
        Self::serve(
            app,
            self.clock.clone(),
            None,
            WebConfig::default(),
            Limits::default(),
        )
        .await
    }

    async fn serve(
        app: App,
        clock: ManualClock,
        database: Option<TestDatabase>,
        web: WebConfig,
        limits: Limits,
    ) -> TestServer {
        captured_logs();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = start(listener, app.clone(), web, limits, std::future::pending()).unwrap();
        let base = format!("http://{}", server.address);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestServer {
            base,
            app,
            clock,
            client,
            server: Some(server),
            _database: database,
        }
    }

    /// The SQLite database file of this server's test database (`None` on PostgreSQL).
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        self._database.as_ref().and_then(TestDatabase::sqlite_file)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A visitor with an empty cookie jar.
    pub fn visitor(&self) -> Visitor {
        Visitor {
            base: self.base.clone(),
            client: self.client.clone(),
            cookies: BTreeMap::new(),
            csrf: None,
        }
    }

    /// Registers through the API; panics unless it succeeds.
    pub async fn register(&self, username: &str) {
        let response = self
            .client
            .post(self.url("/api/v1/accounts"))
            .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            201,
            "register {username}: {}",
            response.text().await.unwrap()
        );
    }

    /// Signs in through the API; the response as it came.
    pub async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/sessions"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        self.token_with(username, PASSWORD).await
    }

    /// A bearer token for a member whose password is not the tests' own (the demo's, say).
    pub async fn token_with(&self, username: &str, password: &str) -> String {
        let response = self.sign_in(username, password).await;
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// Calls the JSON API, with a bearer token and a JSON body when given: the status, and the
    /// body as JSON (null when empty).
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Registers `username` and gives them `role` directly in the store.
    pub async fn member_with_role(&self, username: &str, role: mutual_domain::permissions::Role) {
        self.register(username).await;
        let user = mutual_store::accounts::find_user_by_username(&self.app.db, username)
            .await
            .unwrap()
            .unwrap();
        mutual_store::accounts::update_role(&self.app.db, user.id, role, self.app.clock.now())
            .await
            .unwrap();
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shut_down().await.unwrap();
        }
    }
}

/// A response read whole.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A browser-like client: keeps cookies, and sends with its forms the CSRF token of the last
/// page it read (as a browser's form would).
pub struct Visitor {
    base: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    csrf: Option<String>,
}

impl Visitor {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if name.contains("mutual_session") {
                // Signed in or out: the forms of the pages read before carry the old token.
                self.csrf = None;
            }
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        if let Some((_, rest)) = body.split_once("name=\"csrf\" value=\"") {
            self.csrf = rest.split_once('"').map(|(token, _)| token.to_owned());
        }
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// The CSRF token of this visitor's forms: from the last page read, else from a page with
    /// a form (the sign-in form, or the sign-out button once signed in).
    pub async fn csrf_token(&mut self) -> String {
        if self.csrf.is_none() {
            let signed_in = self
                .cookies
                .keys()
                .any(|name| name.contains("mutual_session"));
            self.get(if signed_in { "/settings" } else { "/login" })
                .await;
        }
        self.csrf.clone().expect("a page with a form")
    }

    /// Posts a form with this visitor's CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", &csrf));
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(fields)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// Uploads a file with a multipart form (the CSRF token added as the first field).
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: &[u8]) -> Page {
        let csrf = self.csrf_token().await;
        let boundary = "mutualtestboundary7d1f";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in std::iter::once(("csrf", csrf.as_str())).chain(fields.iter().copied())
        {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"feed.json\"\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// Logs in with "keep me signed in" (for tests that move the clock by days).
    pub async fn log_in_remembered(&mut self, username: &str) {
        let page = self
            .post(
                "/login",
                &[
                    ("username", username),
                    ("password", PASSWORD),
                    ("remember", "on"),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "login failed: {}", page.body);
    }

    /// Posts a form and checks it was accepted: a redirect, and not to the login page.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.post(path, fields).await;
        assert!(
            page.status == 303 && !page.location().starts_with("/login"),
            "{path} was not accepted: {} {}",
            page.status,
            page.body
        );
        page
    }

    /// Logs in through the login form; panics unless it succeeds.
    pub async fn log_in(&mut self, username: &str) {
        self.log_in_as(username, PASSWORD).await;
    }

    /// Signs in with a password other than the tests' own (the demo's, say).
    pub async fn log_in_as(&mut self, username: &str, password: &str) {
        let page = self
            .post("/login", &[("username", username), ("password", password)])
            .await;
        assert_eq!(page.status, 303, "login failed: {}", page.body);
    }
}
