//! The middleware stack every request passes through, outermost first: request id, security
//! headers, the request's frame (tracing, metrics, timeout, the text rule for addresses), and
//! the route table's gate (methods, CSRF cookie, authorization).

use crate::{AppState, auth};
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;
use tower::Service;
use tower::util::MapResponseLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
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

/// The whole application as one service. Ecosystem layers set the request id (tower-http) and
/// the security headers (one tower `MapResponse`); our own two are the request's frame (span,
/// metrics, timeout, the text rule for addresses), around the router, and the route table's
/// gate (methods, CSRF cookie, authorization), on each route, where the matched route is known.
/// Compression is left to the reverse proxy: compressing pages that carry a CSRF token beside
/// text an attacker can influence invites BREACH, and costs CPU the small servers lack.
pub(crate) fn apply(routes: Router<AppState>, state: AppState) -> impl crate::HttpService {
    // Axum boxes a route's service at each `Router::layer` call and clones the box per request,
    // so only what needs the matched route is layered per route, in one call.
    let routed = routes
        .layer(
            tower::ServiceBuilder::new()
                .layer(DefaultBodyLimit::max(state.web.max_body_bytes))
                .layer(from_fn_with_state(state.clone(), auth::gate)),
        )
        .with_state(state.clone());
    let headers = SecurityHeaders::new(&state.app.config.public_url);
    tower::ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(TimeOrderedId))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(MapResponseLayer::new(move |response| {
            headers.apply(response)
        }))
        .layer(FrameLayer(state))
        .service(routed)
}

/// The headers every response carries: the security policy, and caching off unless the handler
/// chose otherwise. Built once as a map; a response starts from a copy of it and takes the
/// handler's own headers on top, which costs one insert per handler header instead of one per
/// security header (a third of the frame's instructions on `/healthz` the other way round).
#[derive(Clone)]
struct SecurityHeaders(Arc<SecurityHeaderSet>);

struct SecurityHeaderSet {
    /// Every header with its value, and room for the request id.
    defaults: HeaderMap,
    /// The ones a handler may not change; the others (`cache-control`,
    /// `cross-origin-resource-policy`) yield to the handler's.
    fixed: Vec<HeaderName>,
}

impl SecurityHeaders {
    fn new(public_url: &str) -> Self {
        let mut fixed = vec![
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                "same-origin",
            ),
            (
                HeaderName::from_static("permissions-policy"),
                "camera=(), microphone=(), geolocation=(self), interest-cohort=()",
            ),
        ];
        // Browsers keep to https for a year once they have seen the site there.
        if public_url.starts_with("https://") {
            fixed.push((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"));
        }
        let yielding = [
            // Same-origin unless the handler opened a public feed to other sites.
            (
                HeaderName::from_static("cross-origin-resource-policy"),
                "same-origin",
            ),
            // Pages may show private data: never stored anywhere, unless the handler says
            // (assets, feeds).
            (header::CACHE_CONTROL, "no-store"),
        ];
        let mut defaults = HeaderMap::with_capacity(fixed.len() + yielding.len() + 1);
        for (name, value) in fixed.iter().chain(&yielding) {
            defaults.insert(name.clone(), HeaderValue::from_static(value));
        }
        SecurityHeaders(Arc::new(SecurityHeaderSet {
            defaults,
            fixed: fixed.into_iter().map(|(name, _)| name).collect(),
        }))
    }

    fn apply(&self, mut response: Response) -> Response {
        let own = std::mem::replace(response.headers_mut(), self.0.defaults.clone());
        let headers = response.headers_mut();
        headers.reserve(own.len() + 1);
        // `into_iter` names a header once, then gives its further values without a name.
        let mut current: Option<HeaderName> = None;
        for (name, value) in own {
            if let Some(name) = name {
                let kept = !self.0.fixed.contains(&name);
                if kept {
                    headers.insert(name.clone(), value);
                }
                current = kept.then_some(name);
            } else if let Some(name) = &current {
                headers.append(name.clone(), value);
            }
        }
        response
    }
}

/// Request ids that cost no clock or random read per request: the server's start time and a
/// random salt, then a counter, as 32 hex digits. Unique across servers, and in time order in
/// the logs (by start, then by arrival).
#[derive(Clone, Copy)]
struct TimeOrderedId;

impl MakeRequestId for TimeOrderedId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        static PREFIX: OnceLock<u64> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let prefix = *PREFIX.get_or_init(|| {
            let started = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_millis() as u64);
            let salt = getrandom::u32().unwrap_or(0) as u64 & 0xffff;
            (started << 16) | salt
        });
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut text = [0u8; 32];
        for (at, digit) in text.iter_mut().enumerate() {
            let (word, shift) = if at < 16 {
                (prefix, 60 - 4 * at)
            } else {
                (count, 60 - 4 * (at - 16))
            };
            *digit = b"0123456789abcdef"[((word >> shift) & 0xf) as usize];
        }
        HeaderValue::from_bytes(&text).ok().map(RequestId::new)
    }
}

/// The frame of every request, as a tower layer around the router: its id for error pages, a
/// tracing span named by its route pattern (never its raw path, which can hold tokens), the text
/// rule for its address, the timeout, and its outcome in the metrics. A layer of its own rather
/// than a `from_fn`, which would box the router again for every request.
#[derive(Clone)]
struct FrameLayer(AppState);

impl<S> tower::Layer<S> for FrameLayer {
    type Service = Frame<S>;

    fn layer(&self, inner: S) -> Frame<S> {
        Frame {
            inner,
            state: self.0.clone(),
        }
    }
}

/// See [`FrameLayer`].
#[derive(Clone)]
struct Frame<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for Frame<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let id = request.extensions().get::<RequestId>().map_or_else(
            || HeaderValue::from_static("-"),
            |id| id.header_value().clone(),
        );
        let method = request.method().clone();
        // The route is known once the router has matched it: the gate records it in the span
        // and hands it back on the response.
        let span = tracing::info_span!(
            "request",
            id = %id.to_str().unwrap_or("-"),
            method = %method,
            route = tracing::field::Empty
        );
        let api = auth::is_api(request.uri().path());
        let state = self.state.clone();
        let handled = match address_refusal(request.uri(), api) {
            Some(refused) => Err(refused),
            None => Ok(span.in_scope(|| self.inner.call(request))),
        };
        Box::pin(async move {
            let response = match handled {
                Err(refused) => refused,
                Ok(handled) => {
                    let timeout = state.web.request_timeout;
                    let handled = REQUEST_ID
                        .scope(id, tokio::time::timeout(timeout, handled))
                        .instrument(span.clone())
                        .await;
                    match handled {
                        Ok(Ok(response)) => response,
                        Err(_) => {
                            span.in_scope(|| tracing::warn!("request timed out"));
                            timed_out(api)
                        }
                    }
                }
            };
            let elapsed = started.elapsed();
            let status = response.status();
            let route = response.extensions().get::<MatchedPath>();
            let route_name = route.map_or("unmatched", |p| p.as_str());
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
            Ok(response)
        })
    }
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
    fn security_headers_override_the_handlers_and_yield_where_it_may_choose() {
        let mut response = Response::new(axum::body::Body::empty());
        let own = response.headers_mut();
        own.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("*"),
        );
        own.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        own.append(header::SET_COOKIE, HeaderValue::from_static("a=1"));
        own.append(header::SET_COOKIE, HeaderValue::from_static("b=2"));
        let response = SecurityHeaders::new("http://example.org").apply(response);
        let headers = response.headers();
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            CONTENT_SECURITY_POLICY
        );
        assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=60");
        assert_eq!(headers["cross-origin-resource-policy"], "same-origin");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        let cookies: Vec<_> = headers.get_all(header::SET_COOKIE).iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        let secure = SecurityHeaders::new("https://example.org")
            .apply(Response::new(axum::body::Body::empty()));
        assert_eq!(
            secure.headers()[header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000"
        );
        assert_eq!(secure.headers()[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn request_ids_are_distinct_and_in_order() {
        let request = axum::http::Request::new(());
        let mut ids = TimeOrderedId;
        let first = ids.make_request_id(&request).unwrap();
        let second = ids.make_request_id(&request).unwrap();
        let (first, second) = (first.header_value(), second.header_value());
        assert_eq!(first.len(), 32);
        assert!(
            first
                .to_str()
                .unwrap()
                .bytes()
                .all(|b| b.is_ascii_hexdigit())
        );
        assert!(first.as_bytes() < second.as_bytes(), "{first:?} {second:?}");
        assert_eq!(
            first.as_bytes()[..16],
            second.as_bytes()[..16],
            "one server, one prefix"
        );
    }

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
