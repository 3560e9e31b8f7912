//! The middleware stack every request passes through, outermost first: request id, tracing
//! and metrics; security headers; the timeout; the CSRF cookie; authorization.

use crate::{AppState, auth, csrf};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
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
        .layer(from_fn_with_state(state.clone(), csrf::ensure_cookie))
        .layer(from_fn_with_state(state.clone(), timeout))
        .layer(from_fn(refuse_control_characters))
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
    // Same-origin unless the handler opened a public feed to other sites.
    headers
        .entry(HeaderName::from_static("cross-origin-resource-policy"))
        .or_insert(HeaderValue::from_static("same-origin"));
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

/// Whether a URI's path or query holds a percent-encoded control character other than newline,
/// carriage return or tab (the one text rule, `mutual_domain::text::is_allowed`; a raw one cannot
/// reach here, the HTTP parser refuses it).
fn has_encoded_control_character(uri: &axum::http::Uri) -> bool {
    let text = uri.path_and_query().map_or("", |p| p.as_str()).as_bytes();
    if !text.contains(&b'%') {
        return false;
    }
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut decoded = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match (
            text[i],
            text.get(i + 1).copied().and_then(hex),
            text.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                decoded.push(hi * 16 + lo);
                i += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    !String::from_utf8_lossy(&decoded)
        .chars()
        .all(mutual_domain::text::is_allowed)
}

/// Refuses an address carrying a control character before any handler or database sees it.
async fn refuse_control_characters(request: Request, next: Next) -> Response {
    if !has_encoded_control_character(request.uri()) {
        return next.run(request).await;
    }
    let message = "The address holds an invisible control character that cannot be used; \
                   please remove it.";
    if crate::auth::is_api(request.uri().path()) {
        crate::error::envelope(StatusCode::BAD_REQUEST, "bad_request", message)
    } else {
        crate::error::message_page(
            StatusCode::BAD_REQUEST,
            "Please check the address",
            message.into(),
        )
    }
}

async fn timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = crate::auth::is_api(request.uri().path());
    match tokio::time::timeout(state.web.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            let message = "The server took too long to answer. Please try again.";
            let mut response = if api {
                crate::error::envelope(StatusCode::SERVICE_UNAVAILABLE, "timeout", message)
            } else {
                crate::error::message_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Temporarily unavailable",
                    message.into(),
                )
            };
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_control_characters_in_addresses_are_found() {
        let found = |uri: &str| has_encoded_control_character(&uri.parse().unwrap());
        assert!(found("/api/v1/blocks/mo%00"));
        assert!(found("/meetings?q=a%1Bb"));
        assert!(found("/x?y=%7f"));
        assert!(!found("/meetings?q=two%0Alines%09tab"));
        assert!(!found("/meetings?q=caf%C3%A9&near=41.8%2C-87.6"));
        assert!(!found("/100%"));
        assert!(
            !found("/search?q=%C3%85se"),
            "a letter whose second byte is 0x85"
        );
        assert!(found("/search?q=%C2%85"), "U+0085, a control character");
    }
}
