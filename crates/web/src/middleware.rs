//! The frame every request passes through, as one service around the router: its id, a
//! tracing span named by its route, the text rule for its address, the route table's gate
//! (methods, CSRF, authorization), the timeout, the security headers and its outcome in the
//! metrics.

use crate::{AppState, auth};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;
use tower::{Layer, Service};
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

/// The Content-Security-Policy of documents (pages, and anything a browser may render as one):
/// nothing from any other origin, no framing, no inline code.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The Content-Security-Policy of everything else (JSON, feeds, stylesheets, plain text):
/// should a browser ever render one as a document, it may load and run nothing.
pub const DATA_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one service: the frame around the router. Each route's own layers
/// are only its body limit, where it has one of its own; the gate runs in the frame, which finds
/// the route in the route table as the router will (axum boxes and clones each layer of each
/// route on every request, so a per-route `from_fn` gate cost a box, a clone and a future more).
/// Compression wraps the frame from outside ([`crate::compression`]).
pub(crate) fn apply(routes: Router<AppState>, state: AppState) -> Frame {
    let router =
        DefaultBodyLimit::max(state.web.max_body_bytes).layer(routes.with_state(state.clone()));
    Frame(Arc::new(FrameParts {
        headers: SecurityHeaders::new(&state.app.config.public_url),
        router,
        state,
    }))
}

/// See [`apply`]. A clone is one pointer.
#[derive(Clone)]
pub(crate) struct Frame(Arc<FrameParts>);

struct FrameParts {
    state: AppState,
    router: RoutedApp,
    headers: SecurityHeaders,
}

type RoutedApp = <DefaultBodyLimit as Layer<Router>>::Service;

impl Service<Request> for Frame {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        Box::pin(handle(self.0.clone(), request))
    }
}

/// One request, start to finish.
async fn handle(frame: Arc<FrameParts>, request: Request) -> Result<Response, Infallible> {
    let started = Instant::now();
    let id = request_id_for(request.headers());
    let method = request.method().clone();
    let api = auth::is_api(request.uri().path());
    let rules = frame.state.routes.find(request.uri().path());
    let route = rules.map_or("unmatched", |rules| rules.pattern());
    let span = tracing::info_span!(
        "request",
        id = %id.to_str().unwrap_or("-"),
        method = %method,
        route = %route,
    );
    let response = match address_refusal(request.uri(), api) {
        Some(refused) => refused,
        None => {
            let next = |request| {
                let mut router = frame.router.clone();
                async move {
                    let Ok(response) = router.call(request).await;
                    response
                }
            };
            // Boxed: the frame's own future stays small, and is moved through the timeout, the
            // task-local and the span without copying the gate's.
            let gated = Box::pin(auth::gate(&frame.state, rules, request, next));
            let timed = within(frame.state.web.request_timeout, gated);
            match REQUEST_ID
                .scope(id.clone(), timed)
                .instrument(span.clone())
                .await
            {
                Some(response) => response,
                None => {
                    span.in_scope(|| tracing::warn!("request timed out"));
                    timed_out(api)
                }
            }
        }
    };
    let mut response = frame.headers.apply(response);
    response.headers_mut().insert(X_REQUEST_ID, id);
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
    frame
        .state
        .metrics
        .record(&method, route, status.as_u16(), elapsed);
    Ok(response)
}

/// `inner`'s output, or `None` once it has waited `limit`: `tokio::time::timeout`, with the timer
/// made only when the request first has to wait. Most requests finish in their first poll, and
/// a timer costs a runtime handle, a clock read and a place in the timer wheel.
async fn within<F: Future>(limit: std::time::Duration, inner: F) -> Option<F::Output> {
    let mut inner = std::pin::pin!(inner);
    let mut timer: Option<Pin<Box<tokio::time::Sleep>>> = None;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = inner.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        let timer = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// The headers every response carries: the security policy, and caching off unless the handler
/// chose otherwise. Documents get the whole policy; other answers a shorter one that forbids
/// more (they are a third of the bytes of a small JSON answer otherwise). Each set is built
/// once as a map.
struct SecurityHeaders {
    document: SecurityHeaderSet,
    data: SecurityHeaderSet,
}

struct SecurityHeaderSet {
    /// Every header with its value; its index table (which a copy keeps) sized for the
    /// handler's headers and the request id too.
    defaults: HeaderMap,
    /// The ones a handler may not change; the others (`cache-control`,
    /// `cross-origin-resource-policy`) yield to the handler's.
    fixed: Vec<HeaderName>,
}

impl SecurityHeaders {
    fn new(public_url: &str) -> Self {
        // Browsers keep to https for a year once they have seen the site there.
        let https = public_url
            .starts_with("https://")
            .then_some((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"));
        let common = [
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ];
        let document = [
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
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
        let data = [(header::CONTENT_SECURITY_POLICY, DATA_SECURITY_POLICY)];
        SecurityHeaders {
            document: SecurityHeaderSet::new(
                document
                    .into_iter()
                    .chain(common.clone())
                    .chain(https.clone()),
            ),
            data: SecurityHeaderSet::new(data.into_iter().chain(common).chain(https)),
        }
    }

    fn apply(&self, response: Response) -> Response {
        if is_document(response.headers()) {
            self.document.apply(response)
        } else {
            self.data.apply(response)
        }
    }
}

/// Whether a browser may render a response as a document that runs code: HTML, SVG, XML, or
/// an answer without a content type (redirects, empty answers).
fn is_document(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let content_type = content_type.as_bytes();
    let starts = |prefix: &[u8]| {
        content_type.len() >= prefix.len()
            && content_type[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    starts(b"text/html")
        || starts(b"image/svg")
        || starts(b"application/xhtml")
        || starts(b"text/xml")
        || starts(b"application/xml")
}

impl SecurityHeaderSet {
    fn new(fixed: impl Iterator<Item = (HeaderName, &'static str)>) -> Self {
        let fixed: Vec<_> = fixed.collect();
        let yielding = [
            // Same-origin unless the handler opened a public feed to other sites.
            (
                HeaderName::from_static("cross-origin-resource-policy"),
                "same-origin",
            ),
            // Answers may show private data: never stored anywhere, unless the handler says
            // (assets, feeds).
            (header::CACHE_CONTROL, "no-store"),
        ];
        let mut defaults = HeaderMap::with_capacity(fixed.len() + yielding.len() + 6);
        for (name, value) in fixed.iter().chain(&yielding) {
            defaults.insert(name.clone(), HeaderValue::from_static(value));
        }
        SecurityHeaderSet {
            defaults,
            fixed: fixed.into_iter().map(|(name, _)| name).collect(),
        }
    }

    /// The response with its handler's headers on a copy of the set: one insert per handler
    /// header (measured cheaper than one per security header into the handler's map).
    fn apply(&self, mut response: Response) -> Response {
        let own = std::mem::replace(response.headers_mut(), self.defaults.clone());
        let headers = response.headers_mut();
        headers.reserve(own.len() + 1);
        // `into_iter` names a header once, then gives its further values without a name.
        let mut current: Option<HeaderName> = None;
        for (name, value) in own {
            if let Some(name) = name {
                let kept = !self.fixed.contains(&name);
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

/// The request's id: a proxy's `x-request-id` when it is a short printable token, so that one
/// id follows the request through both logs; else a new one.
fn request_id_for(headers: &HeaderMap) -> HeaderValue {
    match headers.get(X_REQUEST_ID) {
        Some(given)
            if (1..=64).contains(&given.len())
                && given.as_bytes().iter().all(u8::is_ascii_graphic) =>
        {
            given.clone()
        }
        _ => new_request_id(),
    }
}

/// A request id that costs no clock or random read: the server's start time and a random salt,
/// then a counter, as 32 hex digits. Unique across servers, and in time order in the logs (by
/// start, then by arrival).
fn new_request_id() -> HeaderValue {
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
    let id = (u128::from(prefix) << 64) | u128::from(count);
    let mut text = [0u8; 32];
    for (at, digit) in text.iter_mut().enumerate() {
        *digit = b"0123456789abcdef"[((id >> (124 - 4 * at)) & 0xf) as usize];
    }
    HeaderValue::from_bytes(&text).expect("hex digits are a header value")
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
        own.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
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
    fn answers_that_are_not_documents_get_the_policy_that_allows_nothing() {
        let headers = SecurityHeaders::new("https://example.org");
        for (content_type, document) in [
            ("text/html; charset=utf-8", true),
            ("TEXT/HTML", true),
            ("image/svg+xml", true),
            ("application/xhtml+xml", true),
            ("application/json", false),
            ("text/plain; charset=utf-8", false),
            ("text/css", false),
            ("text/calendar", false),
        ] {
            let mut response = Response::new(axum::body::Body::empty());
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            let response = headers.apply(response);
            let answer = response.headers();
            let expected = if document {
                CONTENT_SECURITY_POLICY
            } else {
                DATA_SECURITY_POLICY
            };
            assert_eq!(
                answer[header::CONTENT_SECURITY_POLICY],
                expected,
                "{content_type}"
            );
            assert_eq!(answer.contains_key(header::X_FRAME_OPTIONS), document);
            assert_eq!(answer[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(answer[header::REFERRER_POLICY], "no-referrer");
            assert_eq!(
                answer[header::STRICT_TRANSPORT_SECURITY],
                "max-age=31536000"
            );
            assert_eq!(answer[header::CACHE_CONTROL], "no-store");
        }
    }

    #[test]
    fn request_ids_are_distinct_and_in_order() {
        let first = new_request_id();
        let second = new_request_id();
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
    fn a_proxys_request_id_is_kept_only_when_it_is_a_short_printable_token() {
        let given = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(X_REQUEST_ID, HeaderValue::from_str(value).unwrap());
            request_id_for(&headers)
        };
        assert_eq!(given("from-the-proxy-1"), "from-the-proxy-1");
        for refused in ["", "two words", &"x".repeat(65)] {
            let id = given(refused);
            assert_ne!(id, refused);
            assert_eq!(id.len(), 32, "{refused:?} replaced by a new id");
        }
        assert_eq!(request_id_for(&HeaderMap::new()).len(), 32);
    }

    #[tokio::test]
    async fn a_request_that_waits_too_long_is_cut_off_and_one_that_does_not_is_answered() {
        let limit = std::time::Duration::from_millis(20);
        assert_eq!(within(limit, async { 7 }).await, Some(7));
        let quick = async {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            8
        };
        assert_eq!(within(limit, quick).await, Some(8));
        let started = Instant::now();
        let slow = tokio::time::sleep(std::time::Duration::from_secs(5));
        assert_eq!(within(limit, slow).await, None);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
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
