//! Static assets, compiled into the binary: our own stylesheet, our own small script and our
//! mark (the favicon; the header draws the same rings inline).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `GET /static/mutual.css`
pub async fn stylesheet() -> Response {
    asset(
        include_str!("../static/mutual.css"),
        "text/css; charset=utf-8",
    )
}

/// `GET /static/mutual.js`
pub async fn script() -> Response {
    asset(
        include_str!("../static/mutual.js"),
        "text/javascript; charset=utf-8",
    )
}

/// `GET /static/mark.svg`: two rings, one holding the other.
pub async fn mark() -> Response {
    asset(include_str!("../static/mark.svg"), "image/svg+xml")
}

/// An asset with its type. Assets are the same for everyone: caches may keep them for an hour
/// (pages are `no-store`).
fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
