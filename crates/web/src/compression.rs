//! Answers compressed with brotli or gzip when the client asks (`Accept-Encoding`), by
//! tower-http around the whole frame, error pages included. Level 4 for both: brotli's best
//! (11) costs about a hundred times the CPU for a few per cent less, which a small server
//! cannot spend per request. Not compressed: answers under 32 bytes, images, event streams, and
//! streamed bodies of unknown length (the directory's feeds, which broke off mid-stream when
//! compressed; left for a later look). Pages carry their CSRF token masked afresh each time
//! ([`crate::csrf::masked`]), so compression tells an attacker nothing about it.

use crate::HttpService;
use axum::body::Body;
use axum::response::Response;
use tower::ServiceBuilder;
use tower_http::CompressionLevel;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionBody, CompressionLayer};

/// Compresses answers whose length is known and at least 32 bytes.
#[derive(Clone, Copy)]
struct WholeAnswers;

impl Predicate for WholeAnswers {
    fn should_compress<B: http_body::Body>(&self, response: &axum::http::Response<B>) -> bool {
        response
            .body()
            .size_hint()
            .exact()
            .is_some_and(|size| size >= 32)
    }
}

/// `inner` with its answers compressed where the client asks for it.
pub(crate) fn around(inner: impl HttpService) -> impl HttpService {
    ServiceBuilder::new()
        .map_response(|response: Response<CompressionBody<Body>>| response.map(Body::new))
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(4))
                .compress_when(
                    WholeAnswers
                        .and(NotForContentType::GRPC)
                        .and(NotForContentType::IMAGES)
                        .and(NotForContentType::SSE),
                ),
        )
        .service(inner)
}
