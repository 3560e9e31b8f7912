//! The middleware stack every request passes through, outermost first: request id, tracing
//! and metrics; security headers; the timeout; the CSRF cookie; authorization.

use crate::{AppState, auth, csrf};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use std::time::Instant;
use tracing::Instrument;

tokio::task_local! {
    /// The id of the request being handled, for error pages and logs.
    pub static REQUEST_ID: String;
}

/// The current request's id, or "-" outside a request.
pub fn request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "-".into())
}

/// Wraps the routes in the middleware stack.
pub(crate) fn apply(routes: Router<AppState>, state: AppState) -> Router<AppState> {
    routes
        .layer(from_fn_with_state(state.clone(), auth::authorize))
        .layer(from_fn(csrf::ensure_cookie))
        .layer(from_fn_with_state(state.clone(), timeout))
        .layer(from_fn(security_headers))
        .layer(from_fn_with_state(state, observe))
}

/// Gives the request an id, a tracing span named by its route pattern (never its raw path,
/// which can hold tokens), and records its outcome in the metrics.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = uuid::Uuid::now_v7().simple().to_string();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(request))
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let status = response.status();
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(
                status = status.as_u16(),
                ms = elapsed.as_millis() as u64,
                "request failed"
            );
        } else {
            tracing::info!(
                status = status.as_u16(),
                ms = elapsed.as_millis() as u64,
                "request"
            );
        }
    });
    state
        .metrics
        .record(method.as_str(), &route, status.as_u16(), elapsed);
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// The Content-Security-Policy: nothing from any other origin, no framing, no inline code.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

async fn security_headers(request: Request, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        headers,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(self), interest-cohort=()",
    );
    // Pages may show private data: never store them anywhere. Static assets may be cached.
    let cache = if is_static {
        "public, max-age=3600"
    } else {
        "no-store"
    };
    set(headers, header::CACHE_CONTROL, cache);
    response
}

async fn timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.web.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The server took too long to answer. Please try again.",
            )
                .into_response()
        }
    }
}
