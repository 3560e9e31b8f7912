//! Static assets, compiled into the binary: our own stylesheet, our own small script and our
//! mark (the favicon and the header's logo).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `GET /static/mutual.css`
pub async fn stylesheet() -> Response {
    let mut response = include_str!("../static/mutual.css").into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    cacheable(response)
}

/// `GET /static/mutual.js`
pub async fn script() -> Response {
    let mut response = include_str!("../static/mutual.js").into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    cacheable(response)
}

/// `GET /static/mark.svg`: two rings, one holding the other.
pub async fn mark() -> Response {
    let mut response = include_str!("../static/mark.svg").into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    cacheable(response)
}

/// Assets are the same for everyone: caches may keep them for an hour (pages are `no-store`).
fn cacheable(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
