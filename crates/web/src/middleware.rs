//! The middleware stack every request passes through, outermost first: request id, security
//! headers, the request's frame (tracing, metrics, timeout, the text rule for addresses), and
//! the route table's gate (methods, CSRF cookie, authorization).

use crate::{AppState, auth};
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use std::time::Instant;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::Instrument;

tokio::task_local! {
    /// The id of the request being handled, for error pages and logs: the `x-request-id`
    /// header's own value, shared rather than copied into a string on every request.
    pub static REQUEST_ID: HeaderValue;
}

/// The current request's id, or "-" outside a request.
pub fn request_id() -> String {
    REQUEST_ID
        .try_with(|id| id.to_str().unwrap_or("-").to_owned())
        .unwrap_or_else(|_| "-".into())
}

/// The Content-Security-Policy: nothing from any other origin, no framing, no inline code.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Wraps the routes in the middleware stack. Ecosystem layers (tower-http) set the request id
/// and the security headers; our own two are the request's frame (span, metrics, timeout, the
/// text rule for addresses) and the route table's gate (methods, CSRF cookie, authorization).
/// Compression is left to the reverse proxy: compressing pages that carry a CSRF token beside
/// text an attacker can influence invites BREACH, and costs CPU the small servers lack.
pub(crate) fn apply(routes: Router<AppState>, state: AppState) -> Router<AppState> {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    // Browsers keep to https for a year once they have seen the site there.
    let strict_transport = state
        .app
        .config
        .public_url
        .starts_with("https://")
        .then(|| HeaderValue::from_static("max-age=31536000"));
    // One `layer` call with the whole stack: axum boxes a route's service at every `layer`
    // call, and clones and drops each box per request (a third of `/healthz`'s instructions
    // when each of these was its own call).
    let stack = tower::ServiceBuilder::new()
        .layer(DefaultBodyLimit::max(state.web.max_body_bytes))
        .layer(SetRequestIdLayer::x_request_id(TimeOrderedId))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response| strict_transport.clone(),
        ))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(header(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(self), interest-cohort=()",
        ))
        // Same-origin unless the handler opened a public feed to other sites.
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        // Pages may show private data: never stored anywhere, unless the handler says (assets).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(from_fn_with_state(state.clone(), frame))
        .layer(from_fn_with_state(state, auth::gate));
    routes.layer(stack)
}

/// How many headers the layers outside the frame may add to a response: the request id, the
/// eight security headers (HSTS included) and `cache-control`.
const OUTER_HEADERS: usize = 11;

/// Request ids: UUIDv7 in simple form, so they sort by time in the logs.
#[derive(Clone, Copy)]
struct TimeOrderedId;

impl MakeRequestId for TimeOrderedId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let mut text = uuid::Uuid::encode_buffer();
        let id = uuid::Uuid::now_v7().simple().encode_lower(&mut text);
        HeaderValue::from_str(id).ok().map(RequestId::new)
    }
}

/// The frame of every request: its id for error pages, a tracing span named by its route
/// pattern (never its raw path, which can hold tokens), the text rule for its address, the
/// timeout, and its outcome in the metrics.
async fn frame(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request.extensions().get::<RequestId>().map_or_else(
        || HeaderValue::from_static("-"),
        |id| id.header_value().clone(),
    );
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let route_name = route.as_ref().map_or("unmatched", |p| p.as_str());
    let span = tracing::info_span!("request", id = %id.to_str().unwrap_or("-"), method = %method, route = %route_name);
    let api = auth::is_api(request.uri().path());
    let mut response = if let Some(refused) = address_refusal(request.uri(), api) {
        refused
    } else {
        let handled = REQUEST_ID
            .scope(
                id,
                tokio::time::timeout(state.web.request_timeout, next.run(request)),
            )
            .instrument(span.clone())
            .await;
        handled.unwrap_or_else(|_| {
            span.in_scope(|| tracing::warn!("request timed out"));
            timed_out(api)
        })
    };
    // Room, at once, for the headers the outer layers add (request id, security and caching):
    // the map would otherwise grow one step at a time as each layer inserts its own.
    response.headers_mut().reserve(OUTER_HEADERS);
    let elapsed = started.elapsed();
    let status = response.status();
    span.in_scope(|| {
        let ms = elapsed.as_millis() as u64;
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), ms, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), ms, "request");
        }
    });
    state
        .metrics
        .record(&method, route_name, status.as_u16(), elapsed);
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

/// The longest address (path and query) served. A longer one gets a 414 that says so, as the
/// envelope or a page, well before hyper's own bare 414 at 64 KiB (and at the 8 KiB where
/// common proxies stop).
pub(crate) const MAX_ADDRESS_BYTES: usize = 8 * 1024;

/// The refusal of an address that is too long (414) or carries a control character (400),
/// before any handler or database sees it.
fn address_refusal(uri: &axum::http::Uri, api: bool) -> Option<Response> {
    let length = uri.path_and_query().map_or(0, |p| p.as_str().len());
    let (status, code, message) = if length > MAX_ADDRESS_BYTES {
        (
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            "The address is longer than this server accepts (8 KiB). Long input goes in the \
             body of a form or request instead.",
        )
    } else if has_encoded_control_character(uri) {
        (
            StatusCode::BAD_REQUEST,
            "bad_request",
            "The address holds an invisible control character that cannot be used; \
             please remove it.",
        )
    } else {
        return None;
    };
    Some(if api {
        crate::error::envelope(status, code, message)
    } else {
        crate::error::message_page(status, "Please check the address", message.into())
    })
}

/// The 503 for a request that took longer than `server.request_timeout_seconds`.
fn timed_out(api: bool) -> Response {
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
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(crate::error::RETRY_AFTER_SECONDS),
    );
    response
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
