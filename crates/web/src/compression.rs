//! Answers compressed with brotli or gzip when the client asks (`Accept-Encoding`), by
//! tower-http around the whole frame, error pages included. Level 4 for both: brotli's best
//! (11) costs about a hundred times the CPU for a few per cent less, which a small server
//! cannot spend per request. Not compressed: answers under 32 bytes, images, and event streams
//! (tower-http's default predicate). Pages carry their CSRF token masked afresh each time
//! ([`crate::csrf::masked`]), so compression tells an attacker nothing about it.

use crate::HttpService;
use axum::body::Body;
use axum::response::Response;
use tower::ServiceBuilder;
use tower_http::CompressionLevel;
use tower_http::compression::{CompressionBody, CompressionLayer};

/// `inner` with its answers compressed where the client asks for it.
pub(crate) fn around(inner: impl HttpService) -> impl HttpService {
    ServiceBuilder::new()
        .map_response(|response: Response<CompressionBody<Body>>| response.map(Body::new))
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .service(inner)
}
