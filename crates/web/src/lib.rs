//! Mutual's HTTP surface: server-rendered pages, the `/api/v1` JSON API, operations endpoints
//! and static assets, behind one route policy table and one stack of middleware.
#![forbid(unsafe_code)]

mod api;
mod assets;
mod auth;
mod charts;
mod client;
mod compression;
mod cookies;
mod csrf;
mod error;
mod feeds;
mod forms;
mod ids;
mod layout;
pub mod metrics;
mod middleware;
mod ops;
mod pages;
pub mod routes;
mod shutdown;

pub use api::openapi::{reference_markdown as api_reference_markdown, served as openapi_document};
pub use routes::{RoutePolicy, RouteTable, route_table};
pub use shutdown::Shutdown;

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
    /// How many reverse proxies in front of the server append to `X-Forwarded-For`; 0 (not
    /// behind a proxy) ignores the header. See [`client::forwarded_client`].
    pub trusted_proxy_hops: usize,
    /// Requests taking longer than this are answered with 503.
    pub request_timeout: Duration,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trusted_proxy_hops: 0,
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 64 * 1024,
        }
    }
}

/// What every handler can reach, behind one pointer: a request clones one `Arc`, however many
/// layers and extractors read the state.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The contents of [`AppState`].
pub struct Shared {
    pub app: App,
    pub web: WebConfig,
    pub metrics: metrics::Metrics,
    /// Every route's access rule.
    pub routes: RouteTable,
    /// The OpenAPI document, serialised once.
    pub openapi: axum::body::Bytes,
    /// Live streams end when this fires.
    pub shutdown: Shutdown,
    /// The directory page's listings as it opens, by zone and minute.
    pub opening: pages::meetings::OpeningCache,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The whole HTTP application as one service: every route, with policy, CSRF, security headers,
/// metrics, request ids, timeouts, body limits and compression applied. Its live streams end when `shutdown`
/// fires.
pub fn router(app: App, web: WebConfig, shutdown: Shutdown) -> impl HttpService {
    let built = routes::build();
    let state = AppState(Arc::new(Shared {
        app,
        web,
        metrics: metrics::Metrics::default(),
        routes: built.table,
        openapi: api::openapi::serialise(built.openapi),
        shutdown,
        opening: pages::meetings::OpeningCache::default(),
    }));
    compression::around(middleware::apply(built.router, state))
}

/// What [`router`] returns: a service a connection clones and calls once per request.
pub trait HttpService:
    tower::Service<
        axum::extract::Request,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future: Send,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> HttpService for S where
    S: tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
            Future: Send,
        > + Clone
        + Send
        + Sync
        + 'static
{
}
