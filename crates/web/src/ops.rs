//! Operations endpoints: liveness, readiness and Prometheus metrics.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `GET /healthz`: the process is alive.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when the database answers, 503 when it does not.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let backend = state.app.db.backend().as_str();
    match state.app.db.ping().await {
        Ok(()) => Json(json!({ "database": backend })).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "database": backend, "error": "the database is not answering" })),
        )
            .into_response(),
    }
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
