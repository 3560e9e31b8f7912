//! Operations endpoints: liveness, readiness and Prometheus metrics.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mutual_app::AppError;
use serde_json::json;
use std::time::Duration;

/// `GET /healthz`: the process is alive.
pub async fn healthz() -> &'static str {
    "ok"
}

/// How long `/readyz` waits for its write before answering 503: well under a load balancer's
/// probe timeout, and independent of the pool's acquire timeout.
const READY_WITHIN: Duration = Duration::from_secs(1);

/// `GET /readyz`: 200 when the database commits a write (the heartbeat) within a second, 503
/// with the reason otherwise (unreachable, refusing, full or read-only databases all fail it).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let db = &state.app.db;
    let backend = db.backend().as_str();
    let now = state.app.clock.now().millis();
    let (bus, connected) = mutual_app::bus::status(&state.app);
    // A lost bus is said, not refused: the caches fall back to their time-to-live.
    let bus = if connected {
        json!({ "kind": bus, "connected": true })
    } else {
        json!({ "kind": bus, "connected": false,
                "note": "events from the other servers are not arriving: cached sessions and roles last up to app.sessions.cache_seconds" })
    };
    let reason = match tokio::time::timeout(READY_WITHIN, db.heartbeat(now)).await {
        Ok(Ok(())) => return Json(json!({ "database": backend, "bus": bus })).into_response(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready: a write failed");
            match AppError::from(error) {
                AppError::Unavailable => {
                    "the database refused a write: it is unreachable, refusing connections, full or read-only"
                }
                _ => "a write to the database failed",
            }
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not commit a write within a second");
            "the database did not commit a write within a second"
        }
    };
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "database": backend, "bus": bus, "error": reason })),
    )
        .into_response();
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(crate::error::RETRY_AFTER_SECONDS),
    );
    response
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = state.metrics.render();
    text.push_str(
        "# HELP mutual_password_hashes_total Argon2id hash and verify operations started.\n",
    );
    text.push_str("# TYPE mutual_password_hashes_total counter\n");
    text.push_str(&format!(
        "mutual_password_hashes_total {}\n",
        state.app.hasher.operations()
    ));
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
