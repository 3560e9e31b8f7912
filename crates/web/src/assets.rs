//! Static assets, compiled into the binary: the one stylesheet, our own.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `GET /static/mutual.css`
pub async fn stylesheet() -> Response {
    let mut response = include_str!("../static/mutual.css").into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    response
}
