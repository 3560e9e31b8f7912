//! The raw axum baseline of the benchmarks: `GET /hello` answers `{"message":"hello"}` with the
//! product's axum, allocator, runtime and release profile and nothing of Mutual, so the bench
//! scripts can report each endpoint against the physical limit measured in the same run.
//!
//!     mutual-bench-baseline [ADDRESS]    # default 127.0.0.1:18090
#![forbid(unsafe_code)]

use axum::{Json, Router, routing::get};
use serde_json::{Value, json};

// As the product's server binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

async fn hello() -> Json<Value> {
    Json(json!({ "message": "hello" }))
}

#[tokio::main]
async fn main() {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18090".to_owned());
    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("mutual-bench-baseline: cannot listen on {address}: {error}");
            std::process::exit(1);
        }
    };
    let app = Router::new().route("/hello", get(hello));
    if let Err(error) = axum::serve(listener, app).await {
        eprintln!("mutual-bench-baseline: {error}");
        std::process::exit(1);
    }
}
