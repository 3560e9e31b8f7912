//! Mutual's HTTP surface: server-rendered pages, the `/api/v1` JSON API, operations endpoints
//! and static assets, behind one route policy table and one stack of middleware.
#![forbid(unsafe_code)]

mod api;
mod assets;
mod auth;
mod charts;
mod client;
mod csrf;
mod error;
mod feeds;
mod forms;
mod layout;
pub mod metrics;
mod middleware;
mod ops;
mod pages;
pub mod routes;

pub use routes::{POLICY, RoutePolicy};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use mutual_app::App;
use std::sync::Arc;
use std::time::Duration;

/// Largest Meeting Guide file the admin upload page accepts (bigger feeds: the command line).
pub const IMPORT_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The largest body the post composers accept: well above the longest post, so that an
/// over-long post comes back in its form with a message instead of an error page.
pub const POST_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure` (serve over HTTPS). Defaults from the public URL's scheme.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// Requests taking longer than this are answered with 503.
    pub request_timeout: Duration,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trust_forwarded_for: false,
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 64 * 1024,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
}

/// The whole HTTP application: every route, with policy, CSRF, security headers, metrics,
/// request ids, timeouts and body limits applied.
pub fn router(app: App, web: WebConfig) -> Router {
    let max_body = web.max_body_bytes;
    let state = AppState {
        app,
        web: Arc::new(web),
        metrics: Arc::new(metrics::Metrics::default()),
    };
    let (routes, _) = routes::build();
    middleware::apply(routes, state.clone())
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}
